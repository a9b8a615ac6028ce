"""The HTTP transport: a bounded queue drained by one background thread.

``send_envelope`` only appends to the queue (or drops when it is full), so capturing never waits for
the network. The thread gzips each envelope, posts it, retries network errors and 5xx answers with
exponential backoff, and stops sending what the server rate-limited. Nothing here raises into the
application.
"""

import gzip
import http.client
import os
import ssl
import threading
import time
import weakref
from collections import deque
from typing import Any, Callable, Deque, List, Optional, Tuple
from urllib.parse import urlsplit

from . import debug
from .dsn import Destination
from .envelope import Envelope
from .ratelimits import RateLimits
from .version import SDK_NAME, VERSION

BACKOFF_BASE = 0.5
BACKOFF_MAX = 8.0
IDLE_TICK = 1.0


class HttpTransport:
    def __init__(
        self,
        destination: Destination,
        max_queue_size: int = 100,
        request_timeout: float = 5.0,
        max_retries: int = 3,
        gzip_level: int = 6,
    ) -> None:
        self.destination = destination
        self.max_queue_size = max_queue_size
        self.request_timeout = request_timeout
        self.max_retries = max_retries
        self.gzip_level = gzip_level
        self.rate_limits = RateLimits()
        self.sent = 0  # envelopes the server accepted (2xx)
        self.dropped = 0
        self._queue: Deque[Envelope] = deque()
        self._pending = 0  # queued plus the one being sent
        self._cond = threading.Condition()
        self._closing = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._pid = os.getpid()
        self._connection: Optional[http.client.HTTPConnection] = None
        self._tickers: List[Callable[[], None]] = []
        url = urlsplit(destination.envelope_url)
        self._https = url.scheme == "https"
        self._host = url.hostname or "localhost"
        self._port = url.port
        self._path = url.path + (f"?{url.query}" if url.query else "")
        if hasattr(os, "register_at_fork"):
            reference = weakref.ref(self)

            def after_fork_in_child() -> None:
                transport = reference()
                if transport is not None:
                    transport._after_fork()

            os.register_at_fork(after_in_child=after_fork_in_child)

    def _after_fork(self) -> None:
        """In a forked child: the parent's thread and locks did not come along; start clean."""
        self._cond = threading.Condition()
        self._queue = deque()
        self._pending = 0
        self._thread = None
        self._connection = None
        self._pid = os.getpid()

    # -- called by the application's threads ---------------------------------------------------------
    def send_envelope(self, envelope: Envelope) -> bool:
        """Queues the envelope; False when it was dropped (closed, rate-limited or queue full)."""
        if self._closing.is_set():
            return False
        envelope.items = [item for item in envelope.items if not self.rate_limits.is_limited(item.category)]
        if not envelope.items:
            debug.info("envelope dropped: rate limited")
            return False
        with self._cond:
            if len(self._queue) >= self.max_queue_size:
                self.dropped += 1
                debug.warn("send queue full (%d envelopes): envelope dropped", self.max_queue_size)
                return False
            self._queue.append(envelope)
            self._pending += 1
            self._cond.notify()
        self._ensure_thread()
        return True

    def add_ticker(self, callback: Callable[[], None]) -> None:
        """Runs ``callback`` on the sending thread about once a second (log batching uses it)."""
        self._tickers.append(callback)
        self._ensure_thread()

    def flush(self, timeout: float = 2.0) -> bool:
        """Waits until everything queued was sent (or given up); False if ``timeout`` ran out."""
        deadline = time.monotonic() + max(0.0, timeout)
        with self._cond:
            while self._pending > 0:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def close(self, timeout: float = 2.0) -> None:
        self.flush(timeout)
        self._closing.set()
        with self._cond:
            self._cond.notify_all()

    # -- the sending thread -----------------------------------------------------------------------------
    def _ensure_thread(self) -> None:
        if self._thread is not None and self._thread.is_alive() and self._pid == os.getpid():
            return
        with self._cond:
            if self._thread is not None and self._thread.is_alive() and self._pid == os.getpid():
                return
            if self._pid != os.getpid():  # forked: the parent's thread did not come along
                self._pid, self._connection = os.getpid(), None
            self._thread = threading.Thread(target=self._run, name="proliferate.transport", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._closing.is_set():
                    if not self._cond.wait(IDLE_TICK):
                        break
                envelope = self._queue.popleft() if self._queue else None
                closing = self._closing.is_set() and not self._queue
            if envelope is None:
                self._tick()
                if closing:
                    return
                continue
            try:
                self._deliver(envelope)
            except Exception as error:  # never let the thread die
                debug.warn("sending failed: %r", error)
            finally:
                with self._cond:
                    self._pending -= 1
                    self._cond.notify_all()

    def _tick(self) -> None:
        for ticker in list(self._tickers):
            try:
                ticker()
            except Exception as error:
                debug.warn("periodic task failed: %r", error)

    def _deliver(self, envelope: Envelope) -> None:
        envelope.items = [item for item in envelope.items if not self.rate_limits.is_limited(item.category)]
        if not envelope.items:
            return
        body = gzip.compress(envelope.serialize(), self.gzip_level)
        for attempt in range(self.max_retries + 1):
            status, headers, reason = self._post(body)
            if status is not None:
                self.rate_limits.update(status, headers)
                if status < 300:
                    self.sent += 1
                    return
                if status == 429:
                    debug.warn("server rate limited us; envelope dropped")
                    return
                if status < 500:
                    debug.warn("server refused envelope: HTTP %d %s", status, reason)
                    return
                debug.warn("server error HTTP %d (attempt %d)", status, attempt + 1)
            else:
                debug.warn("network error: %s (attempt %d)", reason, attempt + 1)
            if attempt < self.max_retries:
                delay = min(BACKOFF_MAX, BACKOFF_BASE * (2**attempt))
                if self._closing.wait(delay):
                    break
        self.dropped += 1
        debug.warn("envelope dropped after %d attempts", self.max_retries + 1)

    def _post(self, body: bytes) -> Tuple[Optional[int], Any, str]:
        headers = {
            "Content-Type": "application/x-sentry-envelope",
            "Content-Encoding": "gzip",
            "X-Sentry-Auth": self.destination.auth_header,
            "User-Agent": f"{SDK_NAME}/{VERSION}",
        }
        for fresh in (False, True):
            connection = self._connect(fresh)
            try:
                connection.request("POST", self._path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self._drop_connection()
                return response.status, response.headers, response.reason
            except (OSError, http.client.HTTPException) as error:
                self._drop_connection()
                # A kept-alive connection the server already closed fails at once: retry on a new one.
                if not fresh and isinstance(error, (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)):
                    continue
                return None, {}, repr(error)
        return None, {}, "unreachable"

    def _connect(self, fresh: bool) -> http.client.HTTPConnection:
        if fresh:
            self._drop_connection()
        if self._connection is None:
            if self._https:
                self._connection = http.client.HTTPSConnection(
                    self._host, self._port, timeout=self.request_timeout, context=ssl.create_default_context()
                )
            else:
                self._connection = http.client.HTTPConnection(self._host, self._port, timeout=self.request_timeout)
            # The SDK's own requests are not the application's: no HTTP breadcrumb for them.
            self._connection._proliferate_internal = True  # type: ignore[attr-defined]
        return self._connection

    def _drop_connection(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            except Exception:
                pass
            self._connection = None


class CallbackTransport:
    """Wraps a function (or an object with ``send_envelope``) given as ``init(transport=...)``."""

    def __init__(self, target: Any) -> None:
        self._send = getattr(target, "send_envelope", None) or target
        self._target = target

    def send_envelope(self, envelope: Envelope) -> bool:
        try:
            self._send(envelope)
        except Exception as error:
            debug.warn("custom transport raised %r", error)
            return False
        return True

    def add_ticker(self, callback: Callable[[], None]) -> None:
        pass

    def flush(self, timeout: float = 2.0) -> bool:
        flush = getattr(self._target, "flush", None)
        return flush(timeout) is not False if callable(flush) else True

    def close(self, timeout: float = 2.0) -> None:
        close = getattr(self._target, "close", None)
        if callable(close):
            close(timeout)
