"""Framework integrations installed by ``init()`` when the framework is installed.

Starlette (and so FastAPI): every app runs each request inside ``ProliferateMiddleware``, so tags
that an ``@app.middleware("http")`` function sets (seed 000) belong to that request, are shared by
the tasks it starts, and are attached to the error it raises.

Flask: every app runs each request inside ``ProliferateWSGIMiddleware`` and its view exceptions
(which Flask answers with a 500 itself) are captured through ``got_request_exception``.
"""

import importlib.util
from typing import Any


def _installed(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


class StarletteIntegration:
    identifier = "starlette"
    _installed = False

    def setup(self, client: Any) -> bool:
        if not _installed("starlette"):
            return False
        if StarletteIntegration._installed:
            return True
        from starlette.applications import Starlette

        from .asgi import ProliferateMiddleware

        StarletteIntegration._installed = True
        original = Starlette.__call__

        async def __call__(self: Any, scope: Any, receive: Any, send: Any) -> None:
            async def app(scope: Any, receive: Any, send: Any) -> None:
                await original(self, scope, receive, send)

            await ProliferateMiddleware(app)(scope, receive, send)

        Starlette.__call__ = __call__  # type: ignore[method-assign]
        return True


class FlaskIntegration:
    identifier = "flask"
    _installed = False

    def setup(self, client: Any) -> bool:
        if not _installed("flask"):
            return False
        if FlaskIntegration._installed:
            return True
        from flask import Flask, got_request_exception

        from .wsgi import ProliferateWSGIMiddleware, _capture_signal

        FlaskIntegration._installed = True
        original = Flask.__call__

        def __call__(self: Any, environ: Any, start_response: Any) -> Any:
            if environ.get("proliferate.scoped"):
                return original(self, environ, start_response)
            return ProliferateWSGIMiddleware(lambda e, s: original(self, e, s))(environ, start_response)

        Flask.__call__ = __call__  # type: ignore[method-assign]
        got_request_exception.connect(_capture_signal, weak=False)
        return True
