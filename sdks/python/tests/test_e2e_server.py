"""End to end: the SDK against the real Proliferate server (started once per session on 127.0.0.1)."""

import asyncio
import urllib.parse

import pytest

import proliferate
from proliferate.fingerprint import fingerprint_of, grouping_source

from test_seed000_fastapi import ServerThread, fire, seed_000_app


@pytest.fixture
def sdk(proliferate_server):
    sent = []

    def keep(event, hint):
        sent.append(event)
        return event

    proliferate.init(dsn=proliferate_server.dsn, before_send=keep, release="2.0.0", environment="e2e")
    return sent


class PaymentDeclined(Exception):
    pass


def gateway(amount):
    raise PaymentDeclined(f"declined {amount}")


def charge(amount):
    try:
        gateway(amount)
    except PaymentDeclined as error:
        raise RuntimeError("charge failed") from error


def test_e2e_an_exception_arrives_with_everything_the_sdk_attached(proliferate_server, sdk):
    proliferate.set_tag("service", "payment-api")
    proliferate.set_tags({"tier": "enterprise", "flag_new_checkout": True})
    proliferate.set_user({"id": "user_123", "email": "alice@example.com"})
    proliferate.set_account({"id": "acme", "name": "Acme Corp"})
    proliferate.set_context("order", {"id": "o-1", "card_number": "4111"})
    proliferate.set_extra("attempt", 2)
    proliferate.add_breadcrumb(message="User authenticated", category="auth", level="info", data={"method": "oauth"})
    try:
        charge(42)
    except RuntimeError:
        event_id = proliferate.capture_exception()
    assert proliferate.flush(5)

    event = proliferate_server.wait_for_event(event_id)
    assert event["eventId"] == event_id and event["processingErrors"] == []
    assert event["tags"]["service"] == "payment-api" and event["tags"]["tier"] == "enterprise"
    assert event["tags"]["flag_new_checkout"] == "true"
    assert event["release"] == "2.0.0" and event["environment"] == "e2e"
    assert event["user"]["id"] == "user_123" and event["account"] == {"id": "acme", "name": "Acme Corp"}
    assert event["contexts"]["order"] == {"id": "o-1", "card_number": "[Filtered]"}
    assert event["extra"] == {"attempt": 2}
    assert event["breadcrumbs"][-1]["message"] == "User authenticated" and event["breadcrumbs"][-1]["data"] == {"method": "oauth"}
    assert [v["type"] for v in event["exception"]["values"]] == ["PaymentDeclined", "RuntimeError"]
    frame = event["exception"]["values"][-1]["stacktrace"]["frames"][-1]
    assert frame["function"] == "charge" and frame["context_line"].strip().startswith("raise RuntimeError")
    assert event["traceId"] == sdk[-1]["contexts"]["trace"]["trace_id"]
    assert event["sessionId"] == sdk[-1]["contexts"]["session"]["id"]

    # the server groups it with the fingerprint the SDK computes from the same event
    assert event["grouping"]["source"] == grouping_source(sdk[-1])
    assert event["grouping"]["fingerprint"] == fingerprint_of(sdk[-1])
    issue = proliferate_server.api(f"/api/0/issues/{event['issueId']}/")
    assert issue["title"].startswith("RuntimeError") and issue["userCount"] == 1 and issue["accountCount"] == 1
    # and finds it by a boolean tag, written the way the JavaScript SDK writes it
    query = urllib.parse.quote("flag_new_checkout:true tier:enterprise")
    found = proliferate_server.api(f"/api/0/projects/{proliferate_server.project_id}/issues/?query={query}")
    assert event["issueId"] in [i["id"] for i in found]


def test_e2e_the_same_error_twice_is_one_issue_with_two_events(proliferate_server, sdk):
    proliferate.set_user({"id": "u-e2e-twice"})
    ids = []
    for amount in (1, 2):
        try:
            gateway(amount)
        except PaymentDeclined as error:
            ids.append(proliferate.capture_exception(error))
    assert proliferate.flush(5)
    first = proliferate_server.wait_for_event(ids[0])
    second = proliferate_server.wait_for_event(ids[1])
    assert first["issueId"] == second["issueId"]
    issue = proliferate_server.api(f"/api/0/issues/{first['issueId']}/")
    assert issue["count"] >= 2 and issue["fingerprint"] == fingerprint_of(sdk[-1])
    events = proliferate_server.api(f"/api/0/issues/{first['issueId']}/events/")
    assert {ids[0], ids[1]} <= {e.get("eventId") or e.get("id") for e in events}


def test_e2e_issues_can_be_found_by_a_tag_the_sdk_set(proliferate_server, sdk):
    proliferate.set_tag("experiment_checkout", "variant_e2e")
    event_id = proliferate.capture_message("tagged for search", level="warning")
    assert proliferate.flush(5)
    event = proliferate_server.wait_for_event(event_id)
    query = urllib.parse.quote("experiment_checkout:variant_e2e")
    issues = proliferate_server.api(f"/api/0/projects/{proliferate_server.project_id}/issues/?query={query}")
    assert [issue["id"] for issue in issues] == [event["issueId"]]


def test_e2e_an_invalid_tag_is_dropped_by_the_sdk_and_only_its_drop_reaches_the_server(proliferate_server, sdk):
    proliferate.set_tag("bad key", "x")
    proliferate.set_tag("multi", "a\nb")
    proliferate.set_tag("good", 7.0)
    event_id = proliferate.capture_message("tag rules")
    assert proliferate.flush(5)
    event = proliferate_server.wait_for_event(event_id)
    assert "bad key" not in event["tags"] and "multi" not in event["tags"] and event["tags"]["good"] == "7"
    assert sorted(event["processingErrors"], key=lambda e: e["key"]) == [
        {"type": "invalid_tag", "key": "bad key", "reason": "key_invalid_characters", "value": "x"},
        {"type": "invalid_tag", "key": "multi", "reason": "value_has_newline", "value": "a\nb"},
    ]


def test_e2e_seed_000_concurrent_fastapi_requests_reach_the_server_with_their_own_tags(proliferate_server, sdk):
    proliferate.set_tag("service", "payment-api")
    count = 6
    with ServerThread(seed_000_app(extra_middleware=False)) as server:
        asyncio.run(fire(server.port, count))
    assert proliferate.flush(10)
    errors = [e for e in sdk if "exception" in e]
    assert len(errors) == 2 * count
    for sent in errors:
        stored = proliferate_server.wait_for_event(sent["event_id"])
        value = stored["exception"]["values"][-1]["value"]
        number = value.split()[-2]
        assert stored["tags"]["api_version"] == f"v{number}" and stored["tags"]["client_type"] == f"client-{number}"
        assert stored["tags"]["cart"] == f"cart-{number}" and stored["tags"]["service"] == "payment-api"
        assert stored["tags"]["endpoint"].endswith(f"/{number}")


def test_e2e_transactions_and_logs_are_accepted_by_the_server(proliferate_server):
    import logging

    client = proliferate.init(dsn=proliferate_server.dsn, traces_sample_rate=1.0, enable_logs=True)
    log = logging.getLogger("e2e.logs")
    log.setLevel(logging.INFO)
    try:
        with proliferate.start_span(op="task", name="e2e trace") as span:
            span.set_data("rows", 3)
            proliferate.update_current_trace(tags={"fruit": "apple"})
            log.info("inside the trace")
        assert proliferate.flush(5)
    finally:
        log.setLevel(logging.NOTSET)
    # The server stores transaction and log items for the traces features; it has no query API for
    # them yet, so this checks that it accepted both envelopes (2xx) and nothing was dropped.
    assert client.transport.sent == 2 and client.transport.dropped == 0


class TagDropError(Exception):
    pass


def test_e2e_a_tag_the_sdk_drops_is_shown_on_the_event_as_the_server_shows_its_own(proliferate_server, sdk):
    with proliferate.new_scope() as scope:
        scope.set_tag("bad key!", "x")
        scope.set_tag("note", "two\nlines")
        scope.set_tag("fixed", "")
        scope.set_tag("fixed", "later valid")  # a valid value replaces the earlier drop
        try:
            raise TagDropError("tag drop")
        except TagDropError:
            event_id = proliferate.capture_exception(tags={"k" * 40: "v", "plan": "pro"})
    assert proliferate.flush(5)

    event = proliferate_server.wait_for_event(event_id)
    assert event["tags"]["plan"] == "pro" and event["tags"]["fixed"] == "later valid"
    assert "bad key!" not in event["tags"]
    assert sorted(event["processingErrors"], key=lambda e: e["key"]) == [
        {"type": "invalid_tag", "key": "bad key!", "reason": "key_invalid_characters", "value": "x"},
        {"type": "invalid_tag", "key": "k" * 40, "reason": "key_too_long", "value": "v"},
        {"type": "invalid_tag", "key": "note", "reason": "value_has_newline", "value": "two\nlines"},
    ]
