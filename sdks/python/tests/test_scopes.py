"""Scopes: merge order, push_scope / new_scope, tags at init persisting, per-request isolation."""

import asyncio
import threading

import proliferate


def test_tags_set_at_startup_apply_to_every_event(memory):
    proliferate.set_tag("service", "payment-api")
    proliferate.capture_message("one")
    proliferate.capture_message("two")
    assert [e["tags"]["service"] for e in memory.events] == ["payment-api", "payment-api"]


def test_merge_order_is_global_then_isolation_then_current(memory):
    proliferate.get_global_scope().set_tag("layer", "global").set_tag("only_global", "g")
    proliferate.get_isolation_scope().set_tag("layer", "isolation").set_tag("only_isolation", "i")
    with proliferate.push_scope() as scope:
        scope.set_tag("layer", "current")
        proliferate.capture_message("merged")
    tags = memory.events[-1]["tags"]
    assert tags["layer"] == "current" and tags["only_global"] == "g" and tags["only_isolation"] == "i"


def test_push_scope_changes_end_with_the_block(memory):
    with proliferate.push_scope() as scope:
        scope.set_tag("operation", "user_update")
        scope.set_context("user", {"user_id": 123})
        proliferate.capture_message("inside")
    proliferate.capture_message("outside")
    inside, outside = memory.events
    assert inside["tags"]["operation"] == "user_update" and inside["contexts"]["user"] == {"user_id": 123}
    assert "operation" not in outside.get("tags", {}) and "user" not in outside["contexts"]


def test_new_scope_is_a_copy_of_the_current_scope(memory):
    with proliferate.new_scope() as outer:
        outer.set_tag("outer", "1")
        with proliferate.new_scope() as inner:
            inner.set_tag("inner", "1")
            proliferate.capture_message("nested")
        proliferate.capture_message("outer only")
    assert memory.events[0]["tags"] == {"outer": "1", "inner": "1"}
    assert memory.events[1]["tags"] == {"outer": "1"}


def test_capture_arguments_apply_to_that_event_only(memory):
    proliferate.capture_message("with", tags={"tier": "enterprise"}, extra={"order": 7}, user={"id": "u1"})
    proliferate.capture_message("without")
    first, second = memory.events
    assert first["tags"]["tier"] == "enterprise" and first["extra"]["order"] == 7 and first["user"]["id"] == "u1"
    assert "tier" not in second.get("tags", {}) and "user" not in second


def test_configure_scope_accepts_a_callback_or_a_with_block(memory):
    proliferate.configure_scope(lambda scope: scope.set_tag("a", "1"))
    with proliferate.configure_scope() as scope:
        scope.set_tag("b", "2")
    proliferate.capture_message("configured")
    assert memory.events[-1]["tags"] == {"a": "1", "b": "2"}


def test_set_user_none_and_set_context_none_clear_them(memory):
    proliferate.set_user({"id": "u1"})
    proliferate.set_context("cart", {"items": 2})
    proliferate.set_user(None)
    proliferate.set_context("cart", None)
    proliferate.capture_message("cleared")
    assert "user" not in memory.events[-1] and "cart" not in memory.events[-1]["contexts"]


def test_concurrent_asyncio_tasks_keep_their_own_tags_without_any_middleware(memory):
    proliferate.set_tag("service", "payment-api")  # start-up: no task running

    async def request(number):
        proliferate.set_tag("request", str(number))
        proliferate.add_breadcrumb(message=f"step of {number}")
        await asyncio.sleep(0.01 * (5 - number))
        proliferate.capture_message(f"from {number}")

    async def main():
        await asyncio.gather(*(request(n) for n in range(5)))

    asyncio.run(main())
    assert len(memory.events) == 5
    for event in memory.events:
        number = event["message"].split()[-1]
        assert event["tags"] == {"service": "payment-api", "request": number}
        assert [c["message"] for c in event["breadcrumbs"]["values"]] == [f"step of {number}"]
    proliferate.capture_message("after")
    assert memory.events[-1]["tags"] == {"service": "payment-api"}


def test_each_request_task_gets_its_own_trace_id(memory):
    async def request(number):
        proliferate.set_tag("request", str(number))
        proliferate.capture_message(str(number))

    async def main():
        await asyncio.gather(request(1), request(2))

    asyncio.run(main())
    trace_ids = {e["contexts"]["trace"]["trace_id"] for e in memory.events}
    assert len(trace_ids) == 2


def test_isolation_scope_in_threads_keeps_requests_apart(memory):
    barrier = threading.Barrier(4)

    def request(number):
        with proliferate.isolation_scope():
            proliferate.set_tag("request", str(number))
            barrier.wait()
            proliferate.capture_message(str(number))

    threads = [threading.Thread(target=request, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted((e["message"], e["tags"]["request"]) for e in memory.events) == [(str(n), str(n)) for n in range(4)]
    proliferate.capture_message("after")
    assert "request" not in memory.events[-1].get("tags", {})


def test_tags_set_in_a_child_task_of_an_isolated_request_are_seen_by_the_request(memory):
    async def handler():
        proliferate.set_tag("from_child", "yes")

    async def main():
        with proliferate.isolation_scope():
            await asyncio.create_task(handler())
            proliferate.capture_message("request")

    asyncio.run(main())
    assert memory.events[-1]["tags"]["from_child"] == "yes"


def test_init_inside_an_async_main_keeps_startup_tags_process_wide():
    from helpers import MemoryTransport

    transport = MemoryTransport()

    async def request(number):
        proliferate.set_tag("request", str(number))
        await asyncio.sleep(0.001 * number)
        proliferate.capture_message(str(number))

    async def main():
        proliferate.init(dsn="http://pk@127.0.0.1:9/1", transport=transport)
        proliferate.set_tag("service", "worker")  # start-up, in the task that called init()
        await asyncio.gather(*(request(n) for n in range(3)))

    asyncio.run(main())
    assert sorted((e["message"], e["tags"]) for e in transport.events) == [
        (str(n), {"service": "worker", "request": str(n)}) for n in range(3)
    ]
    proliferate.capture_message("outside the loop")
    assert transport.events[-1]["tags"] == {"service": "worker"}
