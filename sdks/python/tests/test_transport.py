"""The HTTP transport against a scripted ingest endpoint on 127.0.0.1."""

import gzip
import socket
import threading
import time

import pytest

import proliferate
from proliferate import transport as transport_module
from proliferate.dsn import parse_dsn
from proliferate.envelope import Envelope, Item
from proliferate.ratelimits import RateLimits, parse_retry_after
from proliferate.transport import HttpTransport


def fast_backoff(monkeypatch):
    monkeypatch.setattr(transport_module, "BACKOFF_BASE", 0.01)


def event_envelope(message="m"):
    return Envelope({"event_id": "0" * 32}, [Item("event", {"message": message})])


def test_events_are_posted_gzipped_with_the_auth_header(ingest):
    proliferate.init(dsn=ingest.dsn)
    proliferate.set_tag("tier", "enterprise")
    event_id = proliferate.capture_message("over the wire")
    assert proliferate.flush(5)
    request = ingest.requests[0]
    assert request["path"] == "/api/1/envelope/"
    assert request["headers"]["Content-Encoding"] == "gzip" and gzip.decompress(request["raw"])
    assert request["headers"]["X-Sentry-Auth"].startswith("Sentry sentry_key=pk_test, sentry_version=7")
    headers, items = request["envelope"]
    assert headers["event_id"] == event_id and headers["dsn"] == ingest.dsn
    item_headers, event = items[0]
    assert item_headers["type"] == "event" and item_headers["length"] > 0
    assert event["message"] == "over the wire" and event["tags"]["tier"] == "enterprise"


def test_5xx_answers_are_retried_with_backoff(ingest, monkeypatch):
    fast_backoff(monkeypatch)
    ingest.responses = [(503, {}), (500, {})]
    proliferate.init(dsn=ingest.dsn)
    proliferate.capture_message("retry me")
    assert proliferate.flush(5)
    assert len(ingest.requests) == 3
    assert all(r["envelope"][1][0][1]["message"] == "retry me" for r in ingest.requests)


def test_network_errors_are_retried_then_the_envelope_dropped(monkeypatch):
    fast_backoff(monkeypatch)
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    transport = HttpTransport(parse_dsn(f"http://pk@127.0.0.1:{port}/1"), max_retries=2)
    attempts = []
    original = transport._post
    monkeypatch.setattr(transport, "_post", lambda body: attempts.append(1) or original(body))
    assert transport.send_envelope(event_envelope())
    assert transport.flush(5)
    assert len(attempts) == 3 and transport.dropped == 1


def test_429_with_retry_after_pauses_sending(ingest):
    ingest.responses = [(429, {"Retry-After": "60"})]
    proliferate.init(dsn=ingest.dsn)
    proliferate.capture_message("first")
    assert proliferate.flush(5)
    proliferate.capture_message("second, while limited")
    assert proliferate.flush(5)
    assert len(ingest.requests) == 1


def test_x_sentry_rate_limits_pauses_only_the_named_categories(ingest):
    ingest.responses = [(200, {"X-Sentry-Rate-Limits": "60:transaction:key"})]
    proliferate.init(dsn=ingest.dsn, traces_sample_rate=1.0)
    proliferate.capture_message("first")
    assert proliferate.flush(5)
    with proliferate.start_span(op="task", name="limited"):
        pass
    proliferate.capture_message("errors still flow")
    assert proliferate.flush(5)
    types = [items[0][0]["type"] for _, items in (r["envelope"] for r in ingest.requests)]
    assert types == ["event", "event"]


def test_rate_limit_header_parsing():
    limits = RateLimits()
    limits.update(200, {"X-Sentry-Rate-Limits": "60:error;transaction:key, 5::organization"})
    assert limits.is_limited("error") and limits.is_limited("transaction") and limits.is_limited("log_item")
    assert not limits.is_limited("log_item", now=time.monotonic() + 10)
    assert parse_retry_after("12") == 12.0 and parse_retry_after(None) == 60.0
    assert parse_retry_after("garbage") == 60.0


def test_a_full_queue_drops_instead_of_blocking(ingest):
    release = threading.Event()
    ingest.delay = lambda: release.wait(5)
    transport = HttpTransport(parse_dsn(ingest.dsn), max_queue_size=3)
    started = time.monotonic()
    results = [transport.send_envelope(event_envelope(str(n))) for n in range(10)]
    elapsed = time.monotonic() - started
    release.set()
    assert elapsed < 0.5
    assert results.count(False) >= 6 and transport.dropped >= 6
    assert transport.flush(5)


def test_capture_never_waits_for_a_slow_server(ingest):
    release = threading.Event()
    ingest.delay = lambda: release.wait(5)
    proliferate.init(dsn=ingest.dsn)
    started = time.monotonic()
    for number in range(20):
        proliferate.capture_message(f"slow {number}")
    elapsed = time.monotonic() - started
    release.set()
    assert elapsed < 0.5
    assert proliferate.flush(10)


def test_close_flushes_what_is_queued(ingest):
    proliferate.init(dsn=ingest.dsn)
    proliferate.capture_message("before close")
    proliferate.close()
    assert [r["envelope"][1][0][1]["message"] for r in ingest.requests] == ["before close"]
    assert proliferate.capture_message("after close") is None


def test_a_malformed_dsn_warns_and_never_stops_the_application():
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        proliferate.init(dsn="not a dsn")
    assert any("invalid DSN" in str(w.message) for w in caught)
    assert not proliferate.is_initialized() and proliferate.capture_message("nowhere") is None


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # fork() in a threaded process (3.12+)
def test_a_forked_child_sends_on_its_own_thread(ingest):
    import os

    proliferate.init(dsn=ingest.dsn)
    proliferate.capture_message("parent")
    assert proliferate.flush(5)
    pid = os.fork()
    if pid == 0:  # child: capture, flush, exit without running the test runner's teardown
        try:
            proliferate.capture_message("child")
            os._exit(0 if proliferate.flush(5) else 1)
        finally:
            os._exit(2)
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 0
    assert sorted(r["envelope"][1][0][1]["message"] for r in ingest.requests) == ["child", "parent"]


def test_unknown_init_options_are_ignored_with_a_warning():
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        proliferate.init(dsn="http://pk@127.0.0.1:9/1", send_default_pii=True, profiles_sample_rate=1.0)
    assert any("profiles_sample_rate, send_default_pii" in str(w.message) for w in caught)
    assert proliferate.is_initialized()
