"""Events in the Sentry schema: exceptions, frames, breadcrumbs, user, account, scrubbing, ids."""

import logging
import sys

import pytest

import proliferate
from proliferate.detect import detect_environment, detect_release
from proliferate.options import Options


class CheckoutError(Exception):
    pass


def lookup(sku):
    return {"a": 1}[sku]


def checkout():
    try:
        lookup("sku-9")
    except KeyError as error:
        raise CheckoutError("checkout failed") from error


def test_exception_chain_is_listed_cause_first_with_frames_oldest_first(memory):
    try:
        checkout()
    except CheckoutError:
        event_id = proliferate.capture_exception()
    event = memory.events[0]
    assert event["event_id"] == event_id
    cause, captured = event["exception"]["values"]
    assert (cause["type"], captured["type"]) == ("KeyError", "CheckoutError")
    assert captured["value"] == "checkout failed" and captured["mechanism"] == {"type": "generic", "handled": True}
    frame = captured["stacktrace"]["frames"][-1]
    assert frame["function"] == "checkout" and frame["filename"].endswith("test_events.py")
    assert frame["abs_path"].endswith("sdks/python/tests/test_events.py") and frame["module"] == "test_events"
    assert frame["context_line"].strip() == 'raise CheckoutError("checkout failed") from error'
    assert len(frame["pre_context"]) == 5 and frame["post_context"] and frame["in_app"] is True
    assert isinstance(frame["lineno"], int)
    assert cause["stacktrace"]["frames"][-1]["function"] == "lookup"
    assert event["level"] == "error" and event["platform"] == "python"


def test_library_frames_are_not_in_app(memory):
    import json

    try:
        json.loads("{")
    except ValueError as error:
        proliferate.capture_exception(error)
    frames = memory.events[0]["exception"]["values"][-1]["stacktrace"]["frames"]
    assert frames[0]["in_app"] is True and frames[-1]["in_app"] is False


def test_capture_exception_without_an_active_exception_sends_nothing(memory):
    assert proliferate.capture_exception() is None
    assert memory.events == []


def test_the_same_exception_is_captured_once(memory):
    error = ValueError("once")
    proliferate.capture_exception(error)
    proliferate.capture_exception(error)
    assert len(memory.events) == 1


def test_capture_message_with_level(memory):
    proliferate.capture_message("disk almost full", level="warning")
    event = memory.events[0]
    assert event["message"] == "disk almost full" and event["level"] == "warning" and "exception" not in event


def test_release_environment_session_and_trace_are_set(memory):
    proliferate.capture_message("a")
    proliferate.capture_message("b")
    first, second = memory.events
    assert first["release"] == "1.0.0" and first["environment"] == "test"
    assert first["contexts"]["session"]["id"] == second["contexts"]["session"]["id"]
    assert len(first["contexts"]["trace"]["trace_id"]) == 32
    assert first["contexts"]["trace"]["trace_id"] == second["contexts"]["trace"]["trace_id"]
    assert first["contexts"]["runtime"]["name"] and first["sdk"]["name"] == "proliferate.python"


@pytest.mark.parametrize(
    "variables, expected",
    [
        ({"PROLIFERATE_RELEASE": "r1", "GITHUB_SHA": "abc"}, "r1"),
        ({"GITHUB_SHA": "abc123"}, "abc123"),
        ({"VERCEL_GIT_COMMIT_SHA": "v1"}, "v1"),
        ({"CF_PAGES_COMMIT_SHA": "cf1"}, "cf1"),
        ({"HEROKU_SLUG_COMMIT": "h1"}, "h1"),
        ({"CI_COMMIT_SHA": "gl1"}, "gl1"),
        ({}, None),
    ],
)
def test_release_is_detected_from_ci_and_hosting_variables(variables, expected):
    assert detect_release(variables) == expected


@pytest.mark.parametrize(
    "variables, expected",
    [
        ({"PROLIFERATE_ENVIRONMENT": "staging", "ENVIRONMENT": "x"}, "staging"),
        ({"ENVIRONMENT": "staging"}, "staging"),
        ({"ENV": "dev"}, "dev"),
        ({}, "production"),
    ],
)
def test_environment_is_detected(variables, expected):
    assert detect_environment(variables) == expected


def test_release_and_environment_come_from_the_process_environment(monkeypatch):
    monkeypatch.setenv("PROLIFERATE_RELEASE", "from-env")
    monkeypatch.setenv("PROLIFERATE_ENVIRONMENT", "staging")
    options = Options("http://pk_x@127.0.0.1:1/1")
    assert options.release == "from-env" and options.environment == "staging"


def test_user_and_account_are_sent_account_in_contexts(memory):
    proliferate.set_user({"id": "user_123", "email": "alice@example.com"})
    proliferate.set_account({"id": "acme", "name": "Acme Corp"})
    proliferate.capture_message("who")
    event = memory.events[0]
    assert event["user"] == {"id": "user_123", "email": "alice@example.com"}
    assert event["contexts"]["account"] == {"id": "acme", "name": "Acme Corp"}


def test_sensitive_keys_are_scrubbed_everywhere(memory):
    proliferate.set_extra("api_key", "sk_live_1")
    proliferate.set_extra("request_payload", {"user": "a", "password": "hunter2", "nested": {"Authorization": "Bearer x"}})
    proliferate.set_context("database", {"host": "db", "db_password": "p", "port": 5432})
    proliferate.add_breadcrumb(message="login", data={"token": "t", "method": "oauth"})
    proliferate.capture_message("scrub", extra={"credit_card": "4111", "cookie": "c=1", "SECRET": "s"})
    event = memory.events[0]
    assert event["extra"]["api_key"] == "[Filtered]"
    assert event["extra"]["request_payload"] == {"user": "a", "password": "[Filtered]", "nested": {"Authorization": "[Filtered]"}}
    assert event["extra"]["credit_card"] == event["extra"]["cookie"] == event["extra"]["SECRET"] == "[Filtered]"
    assert event["contexts"]["database"] == {"host": "db", "db_password": "[Filtered]", "port": 5432}
    assert event["breadcrumbs"]["values"][0]["data"] == {"token": "[Filtered]", "method": "oauth"}


def test_breadcrumbs_keep_the_last_fifty_by_default(memory):
    for number in range(60):
        proliferate.add_breadcrumb(message=f"step {number}", category="test")
    proliferate.capture_message("crumbs")
    crumbs = memory.events[0]["breadcrumbs"]["values"]
    assert len(crumbs) == 50 and crumbs[0]["message"] == "step 10" and crumbs[-1]["message"] == "step 59"


def test_max_breadcrumbs_option():
    from helpers import MemoryTransport

    transport = MemoryTransport()
    proliferate.init(dsn="http://pk@127.0.0.1:9/1", transport=transport, max_breadcrumbs=3)
    for number in range(5):
        proliferate.add_breadcrumb(message=str(number))
    proliferate.capture_message("few")
    assert [c["message"] for c in transport.events[0]["breadcrumbs"]["values"]] == ["2", "3", "4"]


def test_add_breadcrumb_keyword_arguments_seed_002(memory):
    proliferate.add_breadcrumb(message="User authenticated", category="auth", level="info", data={"user_id": 7, "method": "oauth"})
    proliferate.add_breadcrumb(message="Configuration loaded", category="config", level="debug", config_source="env", config_count=25)
    proliferate.capture_message("crumbs")
    first, second = memory.events[0]["breadcrumbs"]["values"]
    assert first["category"] == "auth" and first["data"] == {"user_id": 7, "method": "oauth"} and first["level"] == "info"
    assert second["data"] == {"config_source": "env", "config_count": 25}


def test_log_records_become_breadcrumbs_and_error_records_events(memory):
    log = logging.getLogger("shop.checkout")
    log.warning("cart %s has %d items", "c-1", 3)
    log.error("payment %s declined", "p-9")
    event = memory.events[0]
    assert event["logentry"] == {"message": "payment %s declined", "formatted": "payment p-9 declined", "params": ["p-9"]}
    assert event["logger"] == "shop.checkout" and event["level"] == "error"
    crumb = event["breadcrumbs"]["values"][-1]
    assert crumb["category"] == "shop.checkout" and crumb["message"] == "cart c-1 has 3 items" and crumb["level"] == "warning"


def test_logger_exception_becomes_an_exception_event(memory):
    try:
        checkout()
    except CheckoutError:
        logging.getLogger("shop").exception("checkout crashed")
    event = memory.events[0]
    assert event["exception"]["values"][-1]["type"] == "CheckoutError"
    assert event["exception"]["values"][-1]["mechanism"]["type"] == "logging"


def test_before_send_can_change_or_drop_events(memory):
    client = proliferate.init(
        dsn="http://pk@127.0.0.1:9/1",
        transport=memory,
        before_send=lambda event, hint: None if event.get("message") == "drop me" else {**event, "extra": {"seen": True}},
    )
    assert client.options.before_send is not None
    proliferate.capture_message("drop me")
    proliferate.capture_message("keep me")
    assert [e["message"] for e in memory.events] == ["keep me"] and memory.events[0]["extra"] == {"seen": True}


def test_sample_rate_zero_sends_nothing(memory):
    proliferate.init(dsn="http://pk@127.0.0.1:9/1", transport=memory, sample_rate=0.0)
    proliferate.capture_message("sampled out")
    assert memory.events == []


def test_invalid_tags_are_dropped_with_a_debug_warning(memory, caplog):
    proliferate.init(dsn="http://pk@127.0.0.1:9/1", transport=memory, debug=True)
    logger = logging.getLogger("proliferate")
    logger.addHandler(caplog.handler)
    try:
        proliferate.set_tag("bad key", "x")
        proliferate.set_tag("version", None)  # os.environ.get() of an unset variable
        proliferate.set_tag("api_key", "abc")
        proliferate.capture_message("tags")
    finally:
        logger.removeHandler(caplog.handler)
    text = caplog.text
    assert "dropped tag bad key=x: key_invalid_characters" in text
    assert "dropped tag version=null: value_missing" in text
    assert "'api_key' looks sensitive" in text
    assert memory.events[0]["tags"] == {"api_key": "abc"}


def test_nothing_raises_into_the_application_without_init():
    proliferate.set_tag("a", "b")
    proliferate.add_breadcrumb(message="x")
    assert proliferate.capture_message("not initialized") is None
    assert proliferate.capture_exception(ValueError("x")) is None
    assert proliferate.flush() is True
    proliferate.close()


def test_unserializable_extra_does_not_lose_the_event(memory):
    proliferate.set_extra("weird", object())
    proliferate.set_extra("nan", float("nan"))
    proliferate.capture_message("odd data")
    assert memory.events[0]["extra"]["weird"].startswith("<object object")
    assert memory.events[0]["extra"]["nan"] == "nan"


def test_endpoint_and_api_key_instead_of_a_dsn():
    options = Options(endpoint="https://errors.example.com", api_key="pk_abc")
    assert options.destination.envelope_url == "https://errors.example.com/api/1/envelope/"
    options = Options(endpoint="http://127.0.0.1:8000/api/7/envelope/", api_key="pk_abc")
    assert options.destination.envelope_url == "http://127.0.0.1:8000/api/7/envelope/"
    assert options.destination.public_key == "pk_abc"


def test_dsn_is_parsed():
    options = Options("http://pk_abc@127.0.0.1:8000/3")
    assert options.destination.envelope_url == "http://127.0.0.1:8000/api/3/envelope/"
    assert "sentry_key=pk_abc" in options.destination.auth_header


@pytest.mark.skipif(sys.version_info < (3, 11), reason="exception groups are Python 3.11+")
def test_exception_group_members_are_sent_before_the_group(memory):
    def fail(message):
        raise ValueError(message)

    errors = []
    for message in ("first", "second"):
        try:
            fail(message)
        except ValueError as error:
            errors.append(error)
    try:
        raise ExceptionGroup("two tasks failed", errors)  # noqa: F821
    except Exception as group:  # noqa: B902
        proliferate.capture_exception(group)
    values = memory.events[0]["exception"]["values"]
    assert [v["type"] for v in values] == ["ValueError", "ValueError", "ExceptionGroup"]
    assert [v["mechanism"].get("source") for v in values] == ["exceptions[0]", "exceptions[1]", None]
    assert values[0]["stacktrace"]["frames"][-1]["function"] == "fail"


def test_large_and_deep_data_is_bounded_instead_of_refused(memory):
    deep = current = {}
    for _ in range(20):
        current["next"] = {}
        current = current["next"]
    proliferate.set_extra("big", "x" * 100_000)
    proliferate.set_extra("many", list(range(1000)))
    proliferate.set_extra("deep", deep)
    proliferate.capture_message("bounded")
    extra = memory.events[0]["extra"]
    assert len(extra["big"]) == 16_385 and extra["big"].endswith("\u2026")
    assert extra["many"] == list(range(200))
    text = str(extra["deep"])
    assert "[object]" in text and text.count("next") < 12
