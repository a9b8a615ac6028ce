"""ASGI middleware (FastAPI, Starlette, any ASGI 3 app).

    app.add_middleware(proliferate.ProliferateMiddleware)      # FastAPI / Starlette
    app = proliferate.ProliferateMiddleware(app)               # any ASGI app

Each HTTP or websocket request runs in its own isolation scope (with its own trace id), tagged with
``endpoint`` (the path) and ``method``, with the request in the ``request`` context. An exception
that escapes the app is captured with that request's tags, breadcrumbs and user, then re-raised.

With Starlette or FastAPI installed, ``init()`` already wraps every Starlette app this way
(``StarletteIntegration``), so adding the middleware yourself is optional; it never runs twice.
"""

from typing import Any, Awaitable, Callable, Dict, Iterable, Tuple

from ..api import capture_exception, isolation_scope
from ..scrub import scrub_headers

Scope = Dict[str, Any]
_MARK = "proliferate.scoped"
Receive = Callable[[], Awaitable[Dict[str, Any]]]
Send = Callable[[Dict[str, Any]], Awaitable[None]]


def _headers(raw: Iterable[Tuple[bytes, bytes]]) -> Dict[str, str]:
    headers: Dict[str, str] = {}
    for name, value in raw:
        key = name.decode("latin-1").lower()
        text = value.decode("latin-1")
        headers[key] = f"{headers[key]}, {text}" if key in headers else text
    return headers


def request_info(scope: Scope) -> Dict[str, Any]:
    headers = _headers(scope.get("headers") or [])
    scheme = scope.get("scheme", "http")
    host = headers.get("host")
    if not host and scope.get("server"):
        server_host, port = scope["server"][0], scope["server"][1]
        host = f"{server_host}:{port}" if port else server_host
    path = scope.get("root_path", "") + scope.get("path", "")
    info: Dict[str, Any] = {
        "url": f"{scheme}://{host or 'unknown'}{path}",
        "method": scope.get("method", "GET" if scope["type"] == "http" else "WEBSOCKET"),
        "headers": scrub_headers(headers),
    }
    query = scope.get("query_string") or b""
    if query:
        info["query_string"] = query.decode("latin-1")
    if scope.get("client"):
        info["env"] = {"REMOTE_ADDR": scope["client"][0]}
    return info


class ProliferateMiddleware:
    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") not in ("http", "websocket") or _MARK in scope:
            await self.app(scope, receive, send)  # not a request, or already in its scope
            return
        scope = {**scope, _MARK: True}
        with isolation_scope() as isolation:
            request = request_info(scope)
            isolation.set_tag("endpoint", scope.get("path") or "/")
            isolation.set_tag("method", request["method"])
            isolation.set_context("request", request)
            isolation.set_transaction_name(f"{request['method']} {scope.get('path') or '/'}")
            try:
                await self.app(scope, receive, send)
            except Exception as error:
                capture_exception(error, mechanism={"type": "asgi", "handled": False})
                raise
