"""Framework integrations installed by ``init()``, applied when the framework is imported.

Starlette (and so FastAPI): every app runs each request inside ``ProliferateMiddleware``, so tags
that an ``@app.middleware("http")`` function sets (seed 000) belong to that request, are shared by
the tasks it starts, and are attached to the error it raises.

Flask: every app runs each request inside ``ProliferateWSGIMiddleware`` and its view exceptions
(which Flask answers with a 500 itself) are captured through ``got_request_exception``.

A framework that is already imported is patched at once; otherwise a small import hook patches it
when the application imports it, so ``init()`` never pays for importing frameworks it does not use.
"""

import importlib.abc
import importlib.util
import sys
import threading
from typing import Any, Callable, Dict, Optional, Sequence

_pending: Dict[str, Callable[[Any], None]] = {}
_lock = threading.Lock()


class _PatchOnImport(importlib.abc.MetaPathFinder):
    """Finds nothing itself; wraps the real loader of a watched module to patch it once loaded."""

    def find_spec(self, name: str, path: Optional[Sequence[str]], target: Any = None) -> Any:
        if name not in _pending:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None and spec.loader is not None and hasattr(spec.loader, "exec_module"):
                loader, patch = spec.loader, _pending[name]

                class PatchingLoader(importlib.abc.Loader):
                    def create_module(self, spec: Any) -> Any:
                        return loader.create_module(spec)

                    def exec_module(self, module: Any) -> None:
                        loader.exec_module(module)
                        _apply(name, module, patch)

                    def __getattr__(self, attribute: str) -> Any:  # get_data, resource readers, ...
                        return getattr(loader, attribute)

                spec.loader = PatchingLoader()
                return spec
        return None


_finder = _PatchOnImport()


def _apply(name: str, module: Any, patch: Callable[[Any], None]) -> None:
    with _lock:
        if _pending.get(name) is not patch:
            return
        del _pending[name]
    try:
        patch(module)
    except Exception as error:
        from .. import debug

        debug.warn("patching %s failed: %r", name, error)


def when_imported(name: str, patch: Callable[[Any], None]) -> None:
    """Runs ``patch(module)`` now if ``name`` is imported, else right after it is."""
    module = sys.modules.get(name)
    if module is not None:
        patch(module)
        return
    with _lock:
        _pending[name] = patch
        if _finder not in sys.meta_path:
            sys.meta_path.insert(0, _finder)


def _installed(name: str) -> bool:
    try:
        return name in sys.modules or importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _patch_starlette(module: Any) -> None:
    from .asgi import ProliferateMiddleware

    original = module.Starlette.__call__

    async def __call__(self: Any, scope: Any, receive: Any, send: Any) -> None:
        async def app(scope: Any, receive: Any, send: Any) -> None:
            await original(self, scope, receive, send)

        await ProliferateMiddleware(app)(scope, receive, send)

    module.Starlette.__call__ = __call__


def _patch_flask(module: Any) -> None:
    from .wsgi import _MARK, ProliferateWSGIMiddleware, _capture_signal

    original = module.Flask.__call__

    def __call__(self: Any, environ: Any, start_response: Any) -> Any:
        if environ.get(_MARK):
            return original(self, environ, start_response)
        return ProliferateWSGIMiddleware(lambda e, s: original(self, e, s))(environ, start_response)

    module.Flask.__call__ = __call__
    from flask.signals import got_request_exception

    got_request_exception.connect(_capture_signal, weak=False)


class StarletteIntegration:
    identifier = "starlette"
    _installed = False

    def setup(self, client: Any) -> bool:
        if not _installed("starlette"):
            return False
        if not StarletteIntegration._installed:
            StarletteIntegration._installed = True
            when_imported("starlette.applications", _patch_starlette)
        return True


class FlaskIntegration:
    identifier = "flask"
    _installed = False

    def setup(self, client: Any) -> bool:
        if not _installed("flask"):
            return False
        if not FlaskIntegration._installed:
            FlaskIntegration._installed = True
            when_imported("flask.app", _patch_flask)
        return True
