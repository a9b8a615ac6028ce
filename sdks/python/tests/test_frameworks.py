"""ASGI (FastAPI) and WSGI (Flask) middleware: a scope per request, request data, endpoint/method tags."""

import asyncio

import httpx
import pytest
from fastapi import FastAPI
from flask import Flask

import proliferate
from proliferate.integrations.wsgi import instrument_flask


def fastapi_app():
    app = FastAPI()

    @app.get("/orders/{order_id}")
    async def order(order_id: str):
        proliferate.set_tag("order_kind", "express")
        raise ValueError(f"order {order_id} failed")

    @app.get("/ok")
    async def ok():
        proliferate.set_tag("leaky", "no")
        return {"ok": True}

    app.add_middleware(proliferate.ProliferateMiddleware)
    return app


async def call(app, path, headers=None):
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        return await client.get(path, headers=headers)


def test_asgi_unhandled_exception_is_captured_with_the_request_tags(memory):
    proliferate.set_tag("service", "orders-api")
    app = fastapi_app()
    response = asyncio.run(call(app, "/orders/o-7?debug=1", {"X-Api-Key": "secret", "User-Agent": "pytest"}))
    assert response.status_code == 500
    (event,) = memory.events
    assert event["exception"]["values"][-1]["value"] == "order o-7 failed"
    assert event["exception"]["values"][-1]["mechanism"] == {"type": "asgi", "handled": False}
    assert event["tags"] == {"service": "orders-api", "endpoint": "/orders/o-7", "method": "GET", "order_kind": "express"}
    request = event["request"]
    assert request["url"] == "http://127.0.0.1/orders/o-7" and request["method"] == "GET"
    assert request["query_string"] == "debug=1" and request["headers"]["x-api-key"] == "[Filtered]"
    assert request["headers"]["user-agent"] == "pytest" and event["transaction"] == "GET /orders/o-7"
    frames = event["exception"]["values"][-1]["stacktrace"]["frames"]
    assert frames[-1]["function"] == "order" and frames[-1]["in_app"] is True
    assert all(not f["in_app"] for f in frames if (f["module"] or "").startswith("proliferate."))


def test_asgi_request_tags_are_gone_after_the_request(memory):
    app = fastapi_app()
    asyncio.run(call(app, "/ok"))
    proliferate.capture_message("after the request")
    assert "leaky" not in memory.events[0].get("tags", {}) and "endpoint" not in memory.events[0].get("tags", {})


def flask_app():
    app = Flask(__name__)

    @app.route("/pay", methods=["POST"])
    def pay():
        proliferate.set_tag("payment_method", "card")
        proliferate.set_user({"id": "u-1"})
        raise RuntimeError("payment declined")

    @app.route("/stream")
    def stream():
        def body():
            yield b"start"
            raise RuntimeError("stream broke")

        return app.response_class(body())

    return instrument_flask(app)


def test_wsgi_flask_view_exception_is_captured_with_the_request_tags(memory):
    client = flask_app().test_client()
    response = client.post("/pay?x=1", headers={"Authorization": "Bearer t", "X-Auth-Token": "t", "X-Client-Type": "ios"})
    assert response.status_code == 500
    (event,) = memory.events
    assert event["exception"]["values"][-1]["value"] == "payment declined"
    assert event["tags"] == {"endpoint": "/pay", "method": "POST", "payment_method": "card"}
    assert event["user"] == {"id": "u-1"}
    headers = event["request"]["headers"]
    assert "authorization" not in headers and headers["x-auth-token"] == "[Filtered]" and headers["x-client-type"] == "ios"
    assert event["request"]["query_string"] == "x=1"
    proliferate.capture_message("after")
    assert "payment_method" not in memory.events[-1].get("tags", {}) and "user" not in memory.events[-1]


def test_wsgi_exception_while_streaming_the_body_is_captured(memory):
    client = flask_app().test_client()
    with pytest.raises(RuntimeError):
        client.get("/stream").get_data()
    assert memory.events[-1]["exception"]["values"][-1]["value"] == "stream broke"
    assert memory.events[-1]["tags"]["endpoint"] == "/stream"


def test_plain_wsgi_app_exception_is_captured_and_reraised(memory):
    def app(environ, start_response):
        raise KeyError("missing")

    wrapped = proliferate.ProliferateWSGIMiddleware(app)
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/x", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "wsgi.url_scheme": "http"}
    with pytest.raises(KeyError):
        wrapped(environ, lambda *a: None)
    assert memory.events[0]["tags"] == {"endpoint": "/x", "method": "GET"}
    assert memory.events[0]["request"]["url"] == "http://127.0.0.1:80/x"


IMPORTED_AFTER_INIT = r'''
import asyncio, json, sys
import proliferate
events = []
proliferate.init(dsn="http://pk@127.0.0.1:9/1", transport=lambda envelope: events.append(envelope))
assert "starlette" not in sys.modules and "flask" not in sys.modules  # init imports no framework

import httpx
from fastapi import FastAPI, Request
from flask import Flask

app = FastAPI()

@app.middleware("http")
async def add_tags(request: Request, call_next):
    proliferate.set_tag("client_type", request.headers.get("X-Client-Type", "unknown"))
    return await call_next(request)

@app.get("/boom")
async def boom():
    raise RuntimeError("boom")

async def main():
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        await client.get("/boom", headers={"X-Client-Type": "ios"})

asyncio.run(main())

flask_app = Flask(__name__)

@flask_app.route("/fail")
def fail():
    proliferate.set_tag("payment_method", "card")
    raise ValueError("flask boom")

flask_app.test_client().get("/fail")
print(json.dumps([item.payload.get("tags") for envelope in events for item in envelope.items]))
'''


def test_frameworks_imported_after_init_are_instrumented_when_imported():
    import json
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", IMPORTED_AFTER_INIT], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    fastapi_tags, flask_tags = json.loads(result.stdout.strip().splitlines()[-1])
    assert fastapi_tags == {"endpoint": "/boom", "method": "GET", "client_type": "ios"}
    assert flask_tags == {"endpoint": "/fail", "method": "GET", "payment_method": "card"}


def test_django_view_exception_is_captured_with_the_request_tags(memory):
    import io
    from wsgiref.util import setup_testing_defaults

    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(DEBUG=False, SECRET_KEY="test", ROOT_URLCONF="django_urls", ALLOWED_HOSTS=["*"], MIDDLEWARE=[])
        django.setup()
    from django.core.wsgi import get_wsgi_application

    from proliferate.integrations.wsgi import instrument_django

    instrument_django()
    application = proliferate.ProliferateWSGIMiddleware(get_wsgi_application())

    def request(path):
        environ = {"PATH_INFO": path, "REQUEST_METHOD": "POST", "wsgi.input": io.BytesIO(b""), "HTTP_X_CLIENT_TYPE": "web"}
        setup_testing_defaults(environ)
        statuses = []
        body = application(environ, lambda status, headers, exc_info=None: statuses.append(status))
        b"".join(body)
        body.close()
        return statuses[0]

    assert request("/pay/").startswith("500")
    assert request("/ok/").startswith("200")
    (event,) = memory.events
    assert event["exception"]["values"][-1]["value"] == "django payment declined"
    assert event["exception"]["values"][-1]["mechanism"]["type"] == "django"
    assert event["tags"] == {"endpoint": "/pay/", "method": "POST", "payment_method": "card"}
    assert event["request"]["headers"]["x-client-type"] == "web"


def test_flask_concurrent_threaded_requests_each_error_carries_only_its_own_tags(memory):
    import threading
    import time
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    from werkzeug.serving import make_server

    proliferate.set_tag("service", "flask-api")
    app = Flask("concurrent")

    @app.before_request
    def tag_request():
        from flask import request

        proliferate.set_tag("client_type", request.headers.get("X-Client-Type", "unknown"))

    @app.route("/work/<int:number>")
    def work(number):
        proliferate.set_tag("job", f"job-{number}")
        time.sleep(0.002 * (number % 5))  # interleave the requests
        raise RuntimeError(f"job {number} failed")

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def call(number):
        request = urllib.request.Request(f"http://127.0.0.1:{server.port}/work/{number}", headers={"X-Client-Type": f"c{number}"})
        try:
            urllib.request.urlopen(request, timeout=10)
        except urllib.error.HTTPError as error:
            return error.code

    try:
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(call, range(24)))
    finally:
        server.shutdown()
    assert statuses == [500] * 24
    assert len(memory.events) == 24
    for event in memory.events:
        number = event["exception"]["values"][-1]["value"].split()[1]
        assert event["tags"] == {
            "service": "flask-api",
            "endpoint": f"/work/{number}",
            "method": "GET",
            "client_type": f"c{number}",
            "job": f"job-{number}",
        }
