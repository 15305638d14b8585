"""The one HTTP layer under every service, against real local servers: a deadline the server
cannot stretch, a size cap after decompression, redirects kept on the host and spaced like
any request, the rate rule kept when its state file cannot be, credentials never shown."""

from __future__ import annotations

import gzip
import logging
import socket
import threading
from pathlib import Path

import pytest
from werkzeug import Response

from ssl_bib.sources import http


def _client(url: str, **kw) -> http.Client:
    return http.Client(url, **{"delay": 0, "retries": 0, "backoff": 0, **kw})


@pytest.fixture
def drip():
    """A server that sends its headers, then one byte of body every 0.2 s, forever."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            conn.recv(65536)
            try:
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
                while not stop.wait(0.2):
                    conn.sendall(b"x")
            except OSError:
                pass
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/api"
    stop.set()
    listener.close()


def test_a_server_that_drips_is_cut_at_the_deadline(drip):
    # every read gets a byte in time, so only a deadline for the whole request ends it
    client = _client(drip, deadline=1.0, retries=1)
    with pytest.raises(http.Unavailable) as exc:
        client.get(drip)
    assert exc.value.reason == "no answer within 1 s" and exc.value.tries == 2


def test_a_gzip_bomb_is_refused_at_the_cap(httpserver):
    bomb = gzip.compress(b"\0" * 64 * 2**20, compresslevel=9)  # 64 MB in about 64 kB
    httpserver.expect_request("/api").respond_with_response(
        Response(bomb, headers={"Content-Encoding": "gzip", "Content-Type": "application/atom+xml"})
    )
    client = _client(httpserver.url_for("/api"), max_bytes=2**20)
    with pytest.raises(http.Transient, match="answer larger than 1 MB"):
        client.once(httpserver.url_for("/api"))
    small = gzip.compress(b"<feed/>")
    httpserver.clear()
    httpserver.expect_request("/api").respond_with_response(
        Response(small, headers={"Content-Encoding": "gzip"})
    )
    assert client.once(httpserver.url_for("/api")).body == b"<feed/>"


def test_a_redirect_off_the_host_is_refused_and_names_no_secret(httpserver):
    httpserver.expect_request("/api").respond_with_response(
        Response(status=302, headers={"Location": "http://user:pw@elsewhere.example/steal"})
    )
    client = _client(httpserver.url_for("/api").replace("http://", "http://me:secret@"))
    with pytest.raises(http.Refused) as exc:
        client.once(client.base_url)
    assert "elsewhere.example" in str(exc.value)
    assert "secret" not in str(exc.value) and "pw" not in str(exc.value)


def test_redirects_on_the_host_are_followed_a_few_times_each_spaced(httpserver, tmp_path):
    httpserver.expect_request("/loop").respond_with_response(
        Response(status=302, headers={"Location": "/loop"})
    )
    httpserver.expect_request("/start").respond_with_response(
        Response(status=301, headers={"Location": "/end"})
    )
    httpserver.expect_request("/end").respond_with_data("here")
    now, sleeps = [1000.0], []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    client = _client(
        httpserver.url_for("/start"), delay=3.0, sleep=sleep, clock=lambda: now[0], state_dir=tmp_path
    )
    assert client.once(httpserver.url_for("/start")).text == "here"
    assert client.requests == 2 and sleeps == [3.0]  # the redirect waited like any request
    with pytest.raises(http.Transient, match="more than 5 redirects"):
        client.once(httpserver.url_for("/loop"))
    assert client.requests == 2 + 6 and sleeps == [3.0] * 7


def test_retry_after_is_obeyed_and_backoff_doubles(httpserver):
    httpserver.expect_ordered_request("/api").respond_with_response(
        Response(status=429, headers={"Retry-After": "7"})
    )
    httpserver.expect_ordered_request("/api").respond_with_response(Response(status=429))
    httpserver.expect_ordered_request("/api").respond_with_response(Response(status=503))
    httpserver.expect_ordered_request("/api").respond_with_data("ok")
    sleeps: list[float] = []
    client = _client(httpserver.url_for("/api"), retries=3, backoff=1.0, sleep=sleeps.append)
    assert client.get(httpserver.url_for("/api")).text == "ok"
    assert sleeps == [7.0, 2.0, 4.0]


def test_without_a_usable_state_file_the_rule_holds_in_process_and_is_said_once(httpserver, tmp_path, caplog):
    httpserver.expect_request("/api").respond_with_data("ok")
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    now, sleeps = [1000.0], []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    with caplog.at_level(logging.WARNING, logger="ssl_bib"):
        client = _client(
            httpserver.url_for("/api"),
            delay=3.0,
            sleep=sleep,
            clock=lambda: now[0],
            state_dir=blocked / "cache",
        )
        for _ in range(3):
            client.once(httpserver.url_for("/api"))
    assert sleeps == [3.0, 3.0]  # spaced all the same
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "spacing this run's only" in warnings[0]


def test_a_symlink_as_state_file_is_not_followed(httpserver, tmp_path, caplog):
    httpserver.expect_request("/api").respond_with_data("ok")
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    state = http.state_file(tmp_path / "cache", httpserver.host, httpserver.port)
    state.parent.mkdir()
    state.symlink_to(victim)
    with caplog.at_level(logging.WARNING, logger="ssl_bib"):
        _client(httpserver.url_for("/api"), state_dir=tmp_path / "cache").once(httpserver.url_for("/api"))
    assert victim.read_text() == "precious\n"
    assert any("symbolic link" in r.getMessage() for r in caplog.records)


def test_credentials_reach_the_server_and_nothing_else(httpserver, tmp_path):
    seen: list[str | None] = []

    def handler(request):
        seen.append(request.headers.get("Authorization"))
        return Response("ok")

    httpserver.expect_request("/api").respond_with_handler(handler)
    url = httpserver.url_for("/api").replace("http://", "http://me:s%40cret@")
    client = _client(url, state_dir=tmp_path)
    client.once(url)
    assert seen == ["Basic bWU6c0BjcmV0"]  # me:s@cret
    assert "cret" not in client.name and "me:" not in client.name
    assert all("cret" not in p.name and "me" not in p.name.split("-")[-1] for p in Path(tmp_path).iterdir())


def test_a_url_that_cannot_be_asked_is_refused():
    for url in ("ftp://example.org/api", "http:///api", "http://host:port/api", "no url"):
        with pytest.raises(http.Refused):
            http.Client(url)
