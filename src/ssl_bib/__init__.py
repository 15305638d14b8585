"""ssl-bib: turn a curated reading list of papers into BibTeX, CSL-JSON and reference lists."""

__version__ = "0.1.0"
