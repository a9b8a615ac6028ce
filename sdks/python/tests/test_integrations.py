"""Automatic capture: sys.excepthook, threading.excepthook, logging (breadcrumbs, events, logs)."""

import json
import logging
import os
import subprocess
import sys
import threading

import pytest

import proliferate

SDK_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def test_uncaught_exception_in_the_main_thread_is_sent_before_exit(ingest):
    script = (
        "import proliferate\n"
        f"proliferate.init(dsn={ingest.dsn!r})\n"
        "proliferate.set_tag('service', 'cli')\n"
        "def main():\n"
        "    raise RuntimeError('crash at top level')\n"
        "main()\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=30, cwd=SDK_ROOT)
    assert result.returncode == 1 and "RuntimeError: crash at top level" in result.stderr  # the old hook still ran
    (request,) = ingest.requests
    event = request["envelope"][1][0][1]
    captured = event["exception"]["values"][-1]
    assert captured["type"] == "RuntimeError" and captured["mechanism"] == {"type": "excepthook", "handled": False}
    assert event["tags"]["service"] == "cli"


def test_events_queued_at_exit_are_flushed(ingest):
    script = f"import proliferate\nproliferate.init(dsn={ingest.dsn!r})\nproliferate.capture_message('bye')\n"
    subprocess.run([sys.executable, "-c", script], check=True, timeout=30, cwd=SDK_ROOT)
    assert [r["envelope"][1][0][1]["message"] for r in ingest.requests] == ["bye"]


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_uncaught_exception_in_a_thread_is_captured(memory):
    def worker():
        raise ValueError("thread failed")

    thread = threading.Thread(target=worker, name="billing-worker")
    thread.start()
    thread.join()
    event = memory.events[0]
    assert event["exception"]["values"][-1]["mechanism"] == {"type": "threading", "handled": False}
    assert event["contexts"]["thread"] == {"name": "billing-worker"}


def test_logs_are_sent_as_log_items_with_the_trace_id(memory):
    proliferate.init(dsn="http://pk@127.0.0.1:9/1", transport=memory, enable_logs=True)
    log = logging.getLogger("shop")
    log.setLevel(logging.INFO)
    try:
        with proliferate.isolation_scope() as request_scope:
            log.info("order %s placed", "o-1", extra={"tier": "enterprise"})
            log.error("order %s failed", "o-1")
        proliferate.flush()
    finally:
        log.setLevel(logging.NOTSET)
    placed, failed = memory.logs
    assert placed["body"] == "order o-1 placed" and placed["level"] == "info" and placed["severity_number"] == 9
    assert placed["trace_id"] == request_scope.trace_id == memory.events[0]["contexts"]["trace"]["trace_id"]
    assert placed["attributes"]["sentry.message.template"] == {"value": "order %s placed", "type": "string"}
    assert placed["attributes"]["tier"] == {"value": "enterprise", "type": "string"}
    assert placed["attributes"]["logger.name"]["value"] == "shop" and failed["level"] == "error"
    _, items = memory.envelopes[-1]
    assert items[0][0]["type"] == "log" and items[0][0]["item_count"] == 2
    assert items[0][0]["content_type"] == "application/vnd.sentry.items.log+json"


def test_logs_are_not_sent_unless_enabled(memory):
    logging.getLogger("shop").warning("not a log item")
    proliferate.flush()
    assert memory.logs == []


def test_logging_integration_levels_are_configurable(memory):
    from proliferate.integrations import LoggingIntegration

    proliferate.init(
        dsn="http://pk@127.0.0.1:9/1", transport=memory, integrations=[LoggingIntegration(level=logging.ERROR, event_level=None)]
    )
    logging.getLogger("x").warning("ignored")
    logging.getLogger("x").error("only a breadcrumb")
    proliferate.capture_message("check")
    assert len(memory.events) == 1
    assert [c["message"] for c in memory.events[0]["breadcrumbs"]["values"]] == ["only a breadcrumb"]
    proliferate.init(dsn="http://pk@127.0.0.1:9/1", transport=memory)  # back to the defaults


def test_the_sdks_own_debug_log_is_never_captured(memory):
    proliferate.init(dsn="http://pk@127.0.0.1:9/1", transport=memory, debug=True)
    proliferate.set_tag("bad key", "x")  # logs a warning on the proliferate logger
    logging.getLogger("proliferate").error("internal")
    proliferate.capture_message("check")
    assert len(memory.events) == 1 and "breadcrumbs" not in memory.events[0]
    json.dumps(memory.events)


def test_proliferate_logger_sends_structured_logs_and_leaves_breadcrumbs(memory):
    proliferate.init(dsn="http://pk@127.0.0.1:9/1", transport=memory, enable_logs=True)
    with proliferate.isolation_scope() as request_scope:
        proliferate.logger.info("user signed in", {"user_id": 7, "password": "x"})
        proliferate.logger.warn("slow query", {"ms": 812.5})
        proliferate.capture_message("after the logs")
    proliferate.flush()
    signed_in, slow = memory.logs
    assert signed_in["level"] == "info" and signed_in["trace_id"] == request_scope.trace_id
    assert signed_in["attributes"]["user_id"] == {"value": 7, "type": "integer"}
    assert signed_in["attributes"]["password"] == {"value": "[Filtered]", "type": "string"}
    assert slow["level"] == "warn" and slow["severity_number"] == 13 and slow["attributes"]["ms"]["type"] == "double"
    crumbs = memory.events[0]["breadcrumbs"]["values"]
    assert [(c["message"], c["level"]) for c in crumbs] == [("user signed in", "info"), ("slow query", "warning")]
