"""The one HTTP layer every service is asked through: the rate rule held across processes,
retries with backoff, one deadline and a size cap per request, redirects kept on the host.

Written on the standard library's `http.client`, so that the deadline can close the socket
whatever the server does (a byte every two seconds keeps every per-read timeout happy) and
the size cap counts the bytes after decompression (a small gzip bomb is a large answer).
"""

from __future__ import annotations

import base64
import errno
import fcntl
import http.client
import logging
import os
import re
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote, urljoin, urlsplit

from .. import __version__
from ..errors import ConfigError, IndexUnavailable

log = logging.getLogger(__name__)
T = TypeVar("T")

USER_AGENT = f"ssl-bib/{__version__} (bibliography builder; https://github.com/ssl-bib/ssl-bib)"
DEADLINE = 60.0  # seconds for a whole request: connecting, redirects, headers and body
MAX_BYTES = 32 * 2**20  # an answer larger than this (decompressed) is not one we asked for
MAX_REDIRECTS = 5
MAX_RETRY_AFTER = 300.0  # a Retry-After longer than this is the service saying "not today"


class Transient(Exception):
    """A failure worth asking again: no connection, no answer in time, 429 or 5xx, an answer
    too large or cut short."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason, self.retry_after = reason, retry_after


class Refused(Exception):
    """A request that cannot work and is not retried (a redirect off the host and the hosts it
    may send us to, a URL that is not http(s))."""


class Unavailable(Exception):
    """Every try failed: the service is unavailable for now (never: "it has no such thing")."""

    def __init__(self, url: str, reason: str, tries: int) -> None:
        super().__init__(f"{url}: {reason}, {tries} tries")
        self.url, self.reason, self.tries = url, reason, tries


@dataclass(frozen=True)
class Response:
    """A whole answer: status, headers (names in lower case), body after decompression."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    url: str

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def redact(url: str) -> str:
    """The URL as it may be shown or stored: without a user name or password.

    >>> redact("https://user:secret@example.org:8443/api?q=1")
    'https://example.org:8443/api?q=1'
    >>> redact("https://u:p@ss@[bad/x")  # even one no parser reads
    'https://[bad/x'
    """
    return _USERINFO.sub(r"\1", url)


_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@")  # up to the authority's last @


def check_url(url: str) -> str | None:
    """Why url cannot be asked (None when it can): an http(s) URL with a host."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises on a port that is not a number)
    except ValueError as exc:
        return str(exc)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "not an http:// or https:// URL"
    return None


@dataclass
class Client:
    """Ask one service: every request spaced `delay` seconds from the last one any process
    made to the host, bounded in time and size, retried with backoff when it fails."""

    base_url: str
    delay: float = 3.0
    retries: int = 4
    backoff: float = 3.0  # before the first retry; doubled for each further one
    deadline: float = DEADLINE
    max_bytes: int = MAX_BYTES
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time
    state_dir: Path | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    redirect_hosts: frozenset[str] = frozenset()  # other hosts it may send us to (doi.org's agencies)
    requests: int = 0  # HTTP exchanges made, redirects included

    def __post_init__(self) -> None:
        if (reason := check_url(self.base_url)) is not None:
            raise Refused(f"{redact(self.base_url)!r} {reason}")
        parts = urlsplit(self.base_url)
        self.host = (parts.hostname or "").lower()
        self.name = redact(self.base_url)
        self._auth = _basic_auth(parts.username, parts.password)
        self._throttle = Throttle(
            state_file(self.state_dir, self.host, parts.port), self.delay, self.sleep, self.clock
        )

    def get(
        self, url: str, accept: Callable[[Response], None] = lambda r: None, body: bytes | None = None
    ) -> Response:
        """GET url (POST body, when given) until an answer passes `accept` (which raises
        Transient when it does not), retrying with backoff; Unavailable when every try failed."""
        reason = ""
        for attempt in range(self.retries + 1):
            try:
                response = self.once(url, body)
                accept(response)
                return response
            except Transient as exc:
                reason = exc.reason
                log.info("%s: attempt %d failed: %s", self.name, attempt + 1, reason)
                if attempt < self.retries:
                    self.sleep(self._pause(attempt, exc.retry_after))
        raise Unavailable(self.name, reason, self.retries + 1)

    def _pause(self, attempt: int, retry_after: float | None) -> float:
        pause = self.backoff * float(2**attempt)
        return max(pause, retry_after) if retry_after is not None else pause

    def once(self, url: str, body: bytes | None = None) -> Response:
        """One request (a JSON POST when body is given), its redirects followed on the same
        host, each hop spaced by the rate rule; 429 and 5xx are Transient, any other status
        is returned. A POST is never redirected: a redirect answer is returned as it is."""
        ends = time.monotonic() + self.deadline
        for _ in range(MAX_REDIRECTS + 1):
            with self._throttle:
                response = self._exchange(url, ends, body)
            location = response.headers.get("location")
            if response.status not in (301, 302, 303, 307, 308) or not location or body is not None:
                return _judged(response)
            url = self._redirect(url, location)
        raise Transient(f"more than {MAX_REDIRECTS} redirects")

    def _redirect(self, url: str, location: str) -> str:
        target = urljoin(url, location)
        parts, was = urlsplit(target), urlsplit(url)
        downgrade = was.scheme == "https" and parts.scheme != "https"
        host = (parts.hostname or "").lower()
        if (host != self.host and host not in self.redirect_hosts) or downgrade or check_url(target):
            raise Refused(f"{self.name} redirected to {redact(target)!r}, off the host it was given")
        return target

    def _exchange(self, url: str, ends: float, body: bytes | None = None) -> Response:
        left = ends - time.monotonic()
        if left <= 0:
            raise Transient(f"no answer within {self.deadline:g} s")
        self.requests += 1
        parts = urlsplit(url)
        connection = _connection(parts.scheme, parts.hostname or "", parts.port, left)
        expired = threading.Event()
        timer = threading.Timer(left, _abort, (connection, expired))
        timer.daemon = True
        timer.start()
        try:
            headers = self._headers(own=(parts.hostname or "").lower() == self.host)
            if body is not None:
                headers["Content-Type"] = "application/json"
            connection.request("GET" if body is None else "POST", _target(parts), body, headers)
            answer = connection.getresponse()
            content = _read(answer, self.max_bytes)
            if expired.is_set():
                raise OSError("the deadline shut the connection")
            answer_headers = {k.lower(): v for k, v in answer.getheaders()}
            return Response(answer.status, answer_headers, content, url)
        except (OSError, http.client.HTTPException, zlib.error) as exc:
            if expired.is_set():
                raise Transient(f"no answer within {self.deadline:g} s") from None
            raise Transient(_reason(exc)) from None
        finally:
            timer.cancel()
            connection.close()

    def _headers(self, own: bool) -> dict[str, str]:
        headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate", **self.headers}
        if self._auth and own:  # the user's credentials go to the host they were given for, only
            headers["Authorization"] = self._auth
        return headers


def ask_index(
    client: Client,
    service: str,
    url: str,
    read: Callable[[Response], T],
    *,
    absent: Mapping[int, T] | None = None,
    body: bytes | None = None,
) -> T:
    """Ask a bibliographic index: what `read` makes of a 200 answer (it raises Transient when
    the answer is none), or `absent[status]` for a status that says "no such thing" (404);
    any other status is asked again. Failures in the project's terms: an index that stays
    unavailable is IndexUnavailable (exit 3), a refused request a ConfigError."""
    answer: list[T] = []

    def accept(response: Response) -> None:
        if absent is not None and response.status in absent:
            answer.append(absent[response.status])
        elif response.status != 200:
            raise Transient(f"HTTP {response.status}")
        else:
            answer.append(read(response))

    try:
        client.get(url, accept, body=body)
    except Unavailable as exc:
        raise IndexUnavailable(service, client.name, exc.reason, exc.tries) from None
    except Refused as exc:
        raise ConfigError(str(exc)) from None
    return answer[-1]


def _judged(response: Response) -> Response:
    if response.status == 429 or response.status >= 500:
        raise Transient(f"HTTP {response.status}", _retry_after(response.headers.get("retry-after")))
    return response


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds (only the delta-seconds form), capped."""
    if value is None or not value.strip().isdigit():
        return None
    return min(float(value.strip()), MAX_RETRY_AFTER)


def _basic_auth(user: str | None, password: str | None) -> str | None:
    if user is None:
        return None
    pair = f"{unquote(user)}:{unquote(password or '')}".encode()
    return "Basic " + base64.b64encode(pair).decode("ascii")


def _target(parts: Any) -> str:
    path = parts.path or "/"
    return f"{path}?{parts.query}" if parts.query else path


def _connection(scheme: str, host: str, port: int | None, timeout: float) -> http.client.HTTPConnection:
    if scheme == "https":
        return http.client.HTTPSConnection(host, port, timeout=timeout, context=ssl.create_default_context())
    return http.client.HTTPConnection(host, port, timeout=timeout)


def _abort(connection: http.client.HTTPConnection, expired: threading.Event) -> None:
    """At the deadline: shut the socket, which ends whatever read is waiting on it."""
    expired.set()
    sock = connection.sock
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _read(answer: http.client.HTTPResponse, cap: int) -> bytes:
    """The body, decompressed, refused past cap bytes (before or after decompression)."""
    encoding = (answer.getheader("content-encoding") or "").strip().lower()
    inflate = zlib.decompressobj(47) if encoding in ("gzip", "x-gzip", "deflate") else None
    out, raw = bytearray(), 0
    while chunk := answer.read1(65536):
        raw += len(chunk)
        if inflate is not None:
            chunk = inflate.decompress(chunk, cap + 1 - len(out))
            if inflate.unconsumed_tail:
                out += b"x"  # more output waits: past the cap
        out += chunk
        if len(out) > cap or raw > cap:
            raise Transient(f"answer larger than {cap // 2**20} MB")
    if answer.length:  # Content-Length promised more than came
        raise http.client.IncompleteRead(bytes(out), answer.length)
    return bytes(out)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timeout"
    if isinstance(exc, zlib.error):
        return "answer not decompressible"
    if isinstance(exc, http.client.IncompleteRead):
        return "answer cut short"
    return type(exc).__name__


# --- the rate rule, across processes ----------------------------------------------------------


def state_file(state_dir: Path | None, host: str, port: int | None = None) -> Path:
    """The file that holds when the last request to host ended (in the user's cache folder)."""
    if state_dir is None:
        cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        state_dir = Path(cache) / "ssl-bib"
    name = re.sub(r"[^a-z0-9.-]", "_", host.lower()) + (f"_{port}" if port else "")
    return state_dir / f"last-request-{name}"


class Throttle:
    """Hold the host's state file locked during a request, starting it no sooner than `delay`
    seconds after the last request any process made to that host ended. Without a usable
    state file (a folder that is not writable, a symlink) say so once and keep the rule
    within this process."""

    _warned: set[Path] = set()

    def __init__(self, path: Path, delay: float, sleep: Callable[[float], None], clock: Callable[[], float]):
        self.path, self.delay, self.sleep, self.clock = path, delay, sleep, clock
        self._fd: int | None = None
        self._last = 0.0  # when this process's last request ended

    def __enter__(self) -> None:
        self._fd = self._open()
        last = self._last
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            last = max(last, _read_time(self._fd))
        wait = last + self.delay - self.clock()
        if wait > 0 and self.delay > 0:  # never more than the delay: a clock set back must not stall us
            self.sleep(min(wait, self.delay))

    def __exit__(self, *exc: object) -> None:
        self._last = self.clock()
        if self._fd is None:
            return
        try:
            os.ftruncate(self._fd, 0)
            os.pwrite(self._fd, f"{self._last!r}\n".encode(), 0)
        except OSError:
            pass
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def _open(self) -> int | None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            return os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            if self.path not in Throttle._warned:
                Throttle._warned.add(self.path)
                why = "it is a symbolic link" if exc.errno == errno.ELOOP else exc.strerror or str(exc)
                log.warning(
                    "cannot use %s to space requests with other runs (%s); spacing this run's only",
                    self.path,
                    why,
                )
            return None


def _read_time(fd: int) -> float:
    try:
        return float(os.pread(fd, 64, 0).decode("ascii").strip() or 0)
    except (OSError, ValueError, UnicodeDecodeError):
        return 0.0
