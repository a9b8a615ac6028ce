"""WSGI middleware (Flask, Django, any WSGI app).

    app.wsgi_app = proliferate.ProliferateWSGIMiddleware(app.wsgi_app)          # Flask
    application = proliferate.ProliferateWSGIMiddleware(get_wsgi_application())  # Django

Each request runs in its own isolation scope (own trace id), tagged ``endpoint`` and ``method``, with
the request in the ``request`` context; an exception that escapes the app, also while the response
is being iterated, is captured with that request's data and re-raised.

Flask and Django turn view exceptions into 500 responses before they reach WSGI middleware; for
them, ``instrument_flask(app)`` and ``instrument_django()`` also connect their
``got_request_exception`` signals, which fire inside the request's scope.
"""

from typing import Any, Callable, Dict, Iterable, Iterator, Optional

from ..api import capture_exception, isolation_scope
from ..scope import Scope
from ..scrub import scrub


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
        "headers": scrub(headers),
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
        context = isolation_scope()
        isolation = context.__enter__()
        try:
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
        except BaseException:
            context.__exit__(None, None, None)
            raise
        # The scope stays in place while the server iterates the body, and ends when it closes it.
        return _ClosingBody(body, context, isolation)


class _ClosingBody:
    def __init__(self, body: Iterable[bytes], context: Any, isolation: Scope) -> None:
        self._body = body
        self._context = context
        self._isolation = isolation
        self._closed = False

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._body
        except Exception as error:
            capture_exception(error, mechanism={"type": "wsgi", "handled": False})
            raise

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            self._context.__exit__(None, None, None)


def _capture_signal(sender: Any, exception: Optional[BaseException] = None, **kwargs: Any) -> None:
    capture_exception(exception, mechanism={"type": "framework", "handled": False})


def instrument_flask(app: Any) -> Any:
    """Wraps ``app.wsgi_app`` and captures the view exceptions Flask answers with a 500 itself."""
    from flask import got_request_exception

    app.wsgi_app = ProliferateWSGIMiddleware(app.wsgi_app)
    got_request_exception.connect(_capture_signal, app, weak=False)
    return app


def instrument_django() -> None:
    """Captures the view exceptions Django answers with a 500 itself (wrap the WSGI app too)."""
    from django.core.signals import got_request_exception

    got_request_exception.connect(
        lambda sender, request=None, **kwargs: capture_exception(mechanism={"type": "django", "handled": False}),
        weak=False,
    )
