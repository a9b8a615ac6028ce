"""Seed 000's FastAPI middleware examples, run as written on a real uvicorn server (127.0.0.1) with
concurrent requests: each error carries only its own request's tags, and start-up tags persist."""

import asyncio
import random
import socket
import threading
import time

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request

import proliferate
from helpers import MemoryTransport


def seed_000_app(extra_middleware: bool) -> FastAPI:
    app = FastAPI()

    # --- seed 000, "Request Context", as written ---
    @app.middleware("http")
    async def add_tags(request: Request, call_next):
        # Track API version
        api_version = request.headers.get('X-API-Version', 'v1')
        proliferate.set_tag('api_version', api_version)

        # Track client type
        client = request.headers.get('X-Client-Type', 'unknown')
        proliferate.set_tag('client_type', client)  # 'ios', 'android', 'web'

        response = await call_next(request)
        return response

    # --- seed 000, "Tag Lifecycle", as written ---
    @app.middleware("http")
    async def setup_context(request: Request, call_next):
        # These tags apply to this request only
        proliferate.set_tag('endpoint', request.url.path)
        proliferate.set_tag('method', request.method)

        response = await call_next(request)
        # Tags are automatically cleared after request
        return response

    @app.get("/checkout/{number}")
    async def checkout(number: int):
        proliferate.set_tag("cart", f"cart-{number}")
        await asyncio.sleep(random.uniform(0, 0.05))  # interleave the requests
        raise RuntimeError(f"checkout {number} failed")

    @app.post("/sync/{number}")
    def sync_checkout(number: int):  # runs in the thread pool with the request's context
        proliferate.set_tag("cart", f"cart-{number}")
        time.sleep(random.uniform(0, 0.02))
        raise ValueError(f"sync checkout {number} failed")

    @app.get("/ok/{number}")
    async def ok(number: int):
        proliferate.set_tag("cart", f"cart-{number}")
        await asyncio.sleep(random.uniform(0, 0.02))
        return {"ok": number}

    if extra_middleware:
        app.add_middleware(proliferate.ProliferateMiddleware)
    return app


class ServerThread:
    def __init__(self, app: FastAPI) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        config = uvicorn.Config(app, log_level="error", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)

    def __enter__(self) -> "ServerThread":
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.01)
        assert self.server.started, "uvicorn did not start"
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.socket.close()


async def fire(port: int, count: int):
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=20) as client:
        requests = []
        for number in range(count):
            headers = {"X-API-Version": f"v{number}", "X-Client-Type": f"client-{number}"}
            requests.append(client.get(f"/checkout/{number}", headers=headers))
            requests.append(client.post(f"/sync/{number}", headers=headers))
            requests.append(client.get(f"/ok/{number}", headers=headers))
        return await asyncio.gather(*requests)


@pytest.mark.parametrize("extra_middleware", [False, True], ids=["as-written", "with-ProliferateMiddleware"])
def test_seed_000_concurrent_requests_each_error_carries_only_its_own_tags(extra_middleware):
    transport = MemoryTransport()
    # seed 000, "For persistent tags, set them in your initialization"
    proliferate.init(dsn="http://pk@127.0.0.1:9/1", transport=transport)
    proliferate.set_tag('service', 'payment-api')
    proliferate.set_tag('version', '2.4.1')

    count = 15
    with ServerThread(seed_000_app(extra_middleware)) as server:
        responses = asyncio.run(fire(server.port, count))
    assert sorted(r.status_code for r in responses) == [200] * count + [500] * (2 * count)
    proliferate.flush()

    events = transport.events
    assert len(events) == 2 * count, [e.get("message") or e["exception"]["values"][-1]["value"] for e in events]
    seen = set()
    for event in events:
        value = event["exception"]["values"][-1]["value"]
        number = int(value.split()[-2])
        path = f"/sync/{number}" if value.startswith("sync") else f"/checkout/{number}"
        assert event["tags"] == {
            "service": "payment-api",
            "version": "2.4.1",
            "api_version": f"v{number}",
            "client_type": f"client-{number}",
            "endpoint": path,
            "method": "POST" if path.startswith("/sync") else "GET",
            "cart": f"cart-{number}",
        }, value
        assert event["request"]["url"].endswith(path)
        seen.add(path)
    assert len(seen) == 2 * count
    assert len({e["contexts"]["trace"]["trace_id"] for e in events}) == 2 * count  # a trace per request

    # after the requests: only the start-up tags remain
    proliferate.capture_message("after the requests")
    assert transport.events[-1]["tags"] == {"service": "payment-api", "version": "2.4.1"}
