"""start_span, @trace and update_current_trace (seeds 002 and 004), sent as transactions."""

import asyncio

import pytest

import proliferate
from helpers import MemoryTransport


@pytest.fixture
def traced():
    transport = MemoryTransport()
    proliferate.init(dsn="http://pk@127.0.0.1:9/1", transport=transport, traces_sample_rate=1.0)
    return transport


def test_span_with_data_is_sent_as_a_transaction_seed_002(traced):
    with proliferate.start_span("db.query", name="Fetch User") as span:
        span.set_data("db.table", "users")
        span.set_data("db.rows_returned", 1)
    (transaction,) = traced.transactions
    assert transaction["type"] == "transaction" and transaction["transaction"] == "Fetch User"
    trace = transaction["contexts"]["trace"]
    assert trace["op"] == "db.query" and trace["data"] == {"db.table": "users", "db.rows_returned": 1}
    assert trace["status"] == "ok" and transaction["timestamp"] >= transaction["start_timestamp"]


def test_nested_spans_become_child_spans_of_one_transaction(traced):
    with proliferate.start_span(op="http.server", name="GET /checkout") as root:
        with proliferate.start_span(op="db.query", name="load cart") as child:
            child.set_data("rows", 3)
        with proliferate.start_span(op="http.client", name="charge"):
            pass
    (transaction,) = traced.transactions
    spans = transaction["spans"]
    assert [s["description"] for s in spans] == ["load cart", "charge"]
    assert all(s["parent_span_id"] == root.span_id and s["trace_id"] == root.trace_id for s in spans)
    assert spans[0]["data"] == {"rows": 3}


def test_errors_inside_a_span_carry_its_trace_and_span_ids(traced):
    with proliferate.start_span(op="task", name="work") as span:
        proliferate.capture_message("inside")
    trace = traced.events[0]["contexts"]["trace"]
    assert trace["trace_id"] == span.trace_id and trace["span_id"] == span.span_id


def test_an_exception_leaving_a_span_marks_it_failed(traced):
    with pytest.raises(RuntimeError):
        with proliferate.start_span(op="task", name="boom"):
            raise RuntimeError("boom")
    assert traced.transactions[0]["contexts"]["trace"]["status"] == "internal_error"


def test_trace_decorator_and_update_current_trace_seed_004(traced):
    @proliferate.trace
    def my_func(x):
        proliferate.update_current_trace(tags={"fruit": "apple"})
        return x + 1

    assert my_func(5) == 6
    (transaction,) = traced.transactions
    assert transaction["tags"]["fruit"] == "apple"
    assert transaction["transaction"].endswith("my_func") and transaction["contexts"]["trace"]["op"] == "function"


def test_update_current_trace_updates_existing_keys_and_keeps_metadata(traced):
    @proliferate.trace(name="process_user_request")
    def process(user_id):
        proliferate.update_current_trace(tags={"user_id": user_id, "priority": "normal"}, metadata={"model": "v2"})
        proliferate.update_current_trace(tags={"priority": "high"})

    process("user_123")
    transaction = traced.transactions[0]
    assert transaction["tags"]["user_id"] == "user_123" and transaction["tags"]["priority"] == "high"
    assert transaction["contexts"]["metadata"] == {"model": "v2"}


def test_trace_decorator_on_coroutines(traced):
    @proliferate.trace
    async def fetch():
        await asyncio.sleep(0)
        return "ok"

    assert asyncio.run(fetch()) == "ok"
    assert traced.transactions[0]["transaction"].endswith("fetch")


def test_no_transactions_without_traces_sample_rate(memory):
    with proliferate.start_span(op="task", name="not sampled") as span:
        span.set_data("k", "v")
    assert memory.transactions == []


def test_spans_and_errors_of_one_request_share_its_trace_id(traced):
    async def request():
        with proliferate.isolation_scope():
            with proliferate.start_span(op="http.server", name="GET /"):
                pass
            proliferate.capture_message("after the span")

    asyncio.run(request())
    assert traced.transactions[0]["contexts"]["trace"]["trace_id"] == traced.events[0]["contexts"]["trace"]["trace_id"]
