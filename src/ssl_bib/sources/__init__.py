"""Where metadata comes from: one module per service, all asked through `sources.http`."""
