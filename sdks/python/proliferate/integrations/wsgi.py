"""WSGI middleware (Flask, Django, any WSGI app).

    app.wsgi_app = proliferate.ProliferateWSGIMiddleware(app.wsgi_app)          # Flask
    application = proliferate.ProliferateWSGIMiddleware(get_wsgi_application())  # Django

Each request runs in its own isolation scope (own trace id), tagged ``endpoint`` and ``method``, with
the request in the ``request`` context; an exception that escapes the app, also while the response
is being iterated, is captured with that request's data and re-raised.

Flask and Django turn view exceptions into 500 responses before they reach WSGI middleware; for
them, ``instrument_flask(app)`` and ``instrument_django()`` also connect their
``got_request_exception`` signals, which fire inside the request's scope. With Flask installed,
``init()`` does the Flask part for every app (``FlaskIntegration``).
"""

from typing import Any, Callable, Dict, Iterable, Iterator, Optional

from ..api import capture_exception, isolation_scope
from ..scope import Scope, peek_isolation_scope, reset_isolation_scope, set_isolation_scope
from ..scrub import scrub_headers

_MARK = "proliferate.scoped"


def request_info(environ: Dict[str, Any]) -> Dict[str, Any]:
    headers = {
        key[5:].replace("_", "-").lower(): value for key, value in environ.items() if key.startswith("HTTP_")
    }
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers[key.replace("_", "-").lower()] = environ[key]
    host = headers.get("host") or f"{environ.get('SERVER_NAME', 'unknown')}:{environ.get('SERVER_PORT', '')}".rstrip(":")
    path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    info: Dict[str, Any] = {
        "url": f"{environ.get('wsgi.url_scheme', 'http')}://{host}{path}",
        "method": environ.get("REQUEST_METHOD", "GET"),
        "headers": scrub_headers(headers),
    }
    if environ.get("QUERY_STRING"):
        info["query_string"] = environ["QUERY_STRING"]
    if environ.get("REMOTE_ADDR"):
        info["env"] = {"REMOTE_ADDR": environ["REMOTE_ADDR"]}
    return info


class ProliferateWSGIMiddleware:
    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get(_MARK):
            return self.app(environ, start_response)  # already in this request's scope
        environ[_MARK] = True
        with isolation_scope() as isolation:
            request = request_info(environ)
            path = environ.get("PATH_INFO") or "/"
            isolation.set_tag("endpoint", path)
            isolation.set_tag("method", request["method"])
            isolation.set_context("request", request)
            isolation.set_transaction_name(f"{request['method']} {path}")
            try:
                body = self.app(environ, start_response)
            except Exception as error:
                capture_exception(error, mechanism={"type": "wsgi", "handled": False})
                raise
        return _ScopedBody(body, isolation)


class _ScopedBody:
    """The response body, iterated and closed inside the request's scope (entered per step, so a
    server that never closes the body cannot leak the request's scope into the next one)."""

    def __init__(self, body: Iterable[bytes], isolation: Scope) -> None:
        self._body = body
        self._isolation = isolation

    def __iter__(self) -> Iterator[bytes]:
        iterator = iter(self._body)
        while True:
            previous = peek_isolation_scope()
            token = set_isolation_scope(self._isolation)
            try:
                chunk = next(iterator)
            except StopIteration:
                return
            except Exception as error:
                capture_exception(error, mechanism={"type": "wsgi", "handled": False})
                raise
            finally:
                reset_isolation_scope(token, previous)
            yield chunk

    def close(self) -> None:
        close = getattr(self._body, "close", None)
        if close is None:
            return
        previous = peek_isolation_scope()
        token = set_isolation_scope(self._isolation)
        try:
            close()
        finally:
            reset_isolation_scope(token, previous)


def _capture_signal(sender: Any, exception: Optional[BaseException] = None, **kwargs: Any) -> None:
    capture_exception(exception, mechanism={"type": "framework", "handled": False})


def instrument_flask(app: Any) -> Any:
    """Wraps ``app.wsgi_app`` and captures the view exceptions Flask answers with a 500 itself.
    (``init()`` does this for every Flask app already; calling it too is harmless.)"""
    from flask import got_request_exception

    app.wsgi_app = ProliferateWSGIMiddleware(app.wsgi_app)
    got_request_exception.connect(_capture_signal, app, weak=False)
    return app


def _capture_django(sender: Any, request: Any = None, **kwargs: Any) -> None:
    capture_exception(mechanism={"type": "django", "handled": False})  # sent inside Django's except


def instrument_django() -> None:
    """Captures the view exceptions Django answers with a 500 itself (wrap the WSGI app too)."""
    from django.core.signals import got_request_exception  # type: ignore[import-untyped]

    got_request_exception.connect(_capture_django, weak=False, dispatch_uid="proliferate")
