"""Seed 004's set_trace_tag / delete_trace_tag / search_traces against the real server: traces sent
by the SDK itself, then tagged and searched through the query API with an API token."""

import time
import uuid

import pytest

import proliferate
from proliferate import ProliferateApiError


def _send_traces(run: str):
    """Three traces of one run: two fast, one slow and failed."""
    ids = []
    for name, sleep, fail in (("fast a", 0.0, False), ("fast b", 0.0, False), ("slow", 0.06, True)):
        try:
            # one isolation scope per request, as the framework middleware does: one trace each
            with proliferate.isolation_scope(), proliferate.start_span(op="http.server", name=name) as span:
                proliferate.update_current_trace(tags={"run": run, "environment": "production"})
                ids.append(span.trace_id)
                time.sleep(sleep)
                if fail:
                    raise RuntimeError("slow and failed")
        except RuntimeError:
            pass
    assert proliferate.flush(5)
    return ids


@pytest.fixture
def traced(proliferate_server, monkeypatch):
    monkeypatch.delenv("PROLIFERATE_API_TOKEN", raising=False)
    proliferate.init(dsn=proliferate_server.dsn, traces_sample_rate=1.0, api_token=proliferate_server.admin_token)
    run = uuid.uuid4().hex[:12]
    ids = _send_traces(run)
    proliferate_server.wait_for(lambda: proliferate.search_traces(filter_string=f"tags.run = '{run}'"), lambda found: len(found) == 3)
    return run, ids


def test_search_traces_with_the_filter_order_and_limit_of_seed_004(traced):
    run, ids = traced
    found = proliferate.search_traces(filter_string=f"tags.run = '{run}'", order_by=["timestamp_ms ASC"], max_results=100)
    assert [t.info.trace_id for t in found] == ids
    assert found[0].info.tags["environment"] == "production" and found[0].info.name == "fast a"
    errors = proliferate.search_traces(filter_string=f"tags.run = '{run}' AND status = 'ERROR'")
    assert [t.info.trace_id for t in errors] == [ids[2]]
    slow = proliferate.search_traces(filter_string=f"tags.run = '{run}' AND execution_time_ms > 50")
    assert [t.info.trace_id for t in slow] == [ids[2]] and slow[0].info.execution_time_ms >= 50
    newest_two = proliferate.search_traces(filter_string=f"tags.run = '{run}'", order_by=["timestamp_ms DESC"], max_results=2)
    assert [t.info.trace_id for t in newest_two] == [ids[2], ids[1]]


def test_set_and_delete_trace_tags_after_the_fact_then_find_them(traced):
    run, ids = traced
    # seed 004's batch tagging: tag every error trace for review
    for t in proliferate.search_traces(filter_string=f"tags.run = '{run}' AND status = 'ERROR'", max_results=100):
        proliferate.set_trace_tag(trace_id=t.info.trace_id, key="needs_review", value="true")
        proliferate.set_trace_tag(t.info.trace_id, "review_priority", "high")
    review = proliferate.search_traces(filter_string=f"tags.run = '{run}' AND tags.needs_review = 'true'")
    assert [t.info.trace_id for t in review] == [ids[2]]
    assert review[0].info.tags["review_priority"] == "high"
    proliferate.set_trace_tag(ids[2], "review_priority", "low")  # replaces
    proliferate.delete_trace_tag(trace_id=ids[2], key="needs_review")
    again = proliferate.search_traces(filter_string=f"tags.run = '{run}' AND tags.review_priority = 'low'")
    assert [t.info.trace_id for t in again] == [ids[2]] and "needs_review" not in again[0].info.tags


def test_errors_name_what_is_wrong_a_broken_rule_a_missing_tag_a_bad_filter_no_token_an_unknown_token(traced, proliferate_server, monkeypatch):
    run, ids = traced
    with pytest.raises(ProliferateApiError) as bad_key:
        proliferate.set_trace_tag(ids[0], "bad key!", "x")
    assert bad_key.value.status == 400 and bad_key.value.code == "invalid_tag_key"
    with pytest.raises(ProliferateApiError) as missing:
        proliferate.delete_trace_tag(ids[0], "never_set")
    assert missing.value.status == 404
    with pytest.raises(ProliferateApiError) as syntax:
        proliferate.search_traces(filter_string="tags.run = ")
    assert syntax.value.status == 400 and syntax.value.code == "invalid_query"
    with pytest.raises(ValueError):
        proliferate.search_traces(order_by=["timestamp_ms DESC", "name ASC"])
    # without a token: a clear error before any request, naming both ways to give one
    proliferate.init(dsn=proliferate_server.dsn)
    with pytest.raises(ProliferateApiError, match="api_token=.*PROLIFERATE_API_TOKEN"):
        proliferate.set_trace_tag(ids[0], "k", "v")
    # the environment variable is the other way
    monkeypatch.setenv("PROLIFERATE_API_TOKEN", proliferate_server.admin_token)
    proliferate.init(dsn=proliferate_server.dsn)
    proliferate.set_trace_tag(ids[0], "from_env", "yes")
    assert proliferate.search_traces(filter_string=f"tags.from_env = 'yes' AND tags.run = '{run}'")[0].info.trace_id == ids[0]
    # a token the server does not know
    proliferate.init(dsn=proliferate_server.dsn, api_token="not-a-token")
    with pytest.raises(ProliferateApiError) as refused:
        proliferate.search_traces()
    assert refused.value.status == 401
