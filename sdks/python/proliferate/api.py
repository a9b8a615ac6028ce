"""The top-level API (seeds 000, 002, 003). Nothing here raises into the application."""

import atexit
import functools
import sys
from contextlib import contextmanager
from typing import Any, Callable, Dict, Iterator, Optional, Tuple, TypeVar

from . import debug, hub
from .client import Client
from .options import Options
from .scope import (
    Scope,
    get_current_scope,
    get_isolation_scope,
    peek_isolation_scope,
    reset_current_scope,
    reset_isolation_scope,
    set_current_scope,
    set_init_task,
    set_isolation_scope,
)
from .stacktrace import exceptions_to_values

T = TypeVar("T")
_last_event_id: Optional[str] = None
_atexit_registered = False


def _safe(default: Any = None) -> Callable[[Callable[..., T]], Callable[..., T]]:
    def decorate(function: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> T:
            try:
                return function(*args, **kwargs)
            except Exception as error:
                debug.warn("%s failed: %r", function.__name__, error)
                return default

        return wrapper

    return decorate


def init(dsn: Optional[str] = None, **kwargs: Any) -> Client:
    """Starts the SDK: ``init(dsn=...)`` or ``init(endpoint=..., api_key="pk_...")`` (see the docs
    for every option). Calling it again replaces the previous client after flushing it."""
    global _atexit_registered
    options = Options(dsn, **kwargs)
    debug.configure(options.debug)
    previous = hub.current_client()
    if previous is not None:
        previous.close()
    client = Client(options)
    hub.bind_client(client)
    set_init_task()
    from .integrations import setup_integrations

    setup_integrations(client)
    if not _atexit_registered:
        atexit.register(_close_at_exit)
        _atexit_registered = True
    debug.info("initialized: dsn=%s environment=%s release=%s", options.dsn, options.environment, options.release)
    return client


def _close_at_exit() -> None:
    client = hub.current_client()
    if client is not None:
        try:
            client.close()
        except Exception:
            pass


def is_initialized() -> bool:
    client = hub.current_client()
    return client is not None and client.is_active


# -- scope data ------------------------------------------------------------------------------------------
@_safe()
def set_tag(key: str, value: Any) -> None:
    get_isolation_scope().set_tag(key, value)


@_safe()
def set_tags(tags: Dict[str, Any]) -> None:
    get_isolation_scope().set_tags(tags)


@_safe()
def remove_tag(key: str) -> None:
    get_isolation_scope().remove_tag(key)


@_safe()
def set_extra(key: str, value: Any) -> None:
    get_isolation_scope().set_extra(key, value)


@_safe()
def set_context(name: str, value: Optional[Dict[str, Any]]) -> None:
    get_isolation_scope().set_context(name, value)


@_safe()
def set_user(user: Optional[Dict[str, Any]]) -> None:
    get_isolation_scope().set_user(user)


@_safe()
def set_account(account: Optional[Dict[str, Any]]) -> None:
    get_isolation_scope().set_account(account)


@_safe()
def set_level(level: str) -> None:
    get_isolation_scope().set_level(level)


@_safe()
def add_breadcrumb(crumb: Optional[Dict[str, Any]] = None, hint: Optional[Dict[str, Any]] = None, **kwargs: Any) -> None:
    """``add_breadcrumb(message=, category=, level=, data=, type=, ...)`` or a dict; extra keyword
    arguments go into ``data``."""
    known = {"message", "category", "level", "data", "type", "timestamp"}
    fields = {key: value for key, value in kwargs.items() if key in known}
    extra = {key: value for key, value in kwargs.items() if key not in known}
    if extra:
        fields["data"] = {**(fields.get("data") or (crumb or {}).get("data") or {}), **extra}
    get_isolation_scope().add_breadcrumb(crumb, hint, **fields)


# -- capture -------------------------------------------------------------------------------------------
def _scope_with(scope: Optional[Scope], scope_kwargs: Dict[str, Any]) -> Optional[Scope]:
    """A copy of the current scope with ``tags=``, ``extra=``, ``contexts=`` ... of one capture."""
    if not scope_kwargs:
        return scope
    scope = (scope or get_current_scope()).fork()
    for key, value in scope_kwargs.items():
        if key == "tags":
            scope.set_tags(value or {})
        elif key == "extra":
            scope.set_extras(value or {})
        elif key == "contexts":
            for name, context in (value or {}).items():
                scope.set_context(name, context)
        elif key in ("user", "account", "level", "fingerprint"):
            getattr(scope, f"set_{key}")(value)
        else:
            debug.warn("unknown capture argument %r ignored", key)
    return scope


def event_from_exception(exc_info: Tuple[Any, Any, Any], mechanism: Optional[Dict[str, Any]] = None) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    client = hub.current_client()
    include = client.options.in_app_include if client else ()
    exclude = client.options.in_app_exclude if client else ()
    values = exceptions_to_values(exc_info[1], mechanism, include, exclude)
    return {"level": "error", "exception": {"values": values}}, {"exc_info": exc_info}


@_safe()
def capture_event(event: Dict[str, Any], hint: Optional[Dict[str, Any]] = None, scope: Optional[Scope] = None, **scope_kwargs: Any) -> Optional[str]:
    global _last_event_id
    client = hub.current_client()
    if client is None:
        return None
    event_id = client.capture_event(event, hint, _scope_with(scope, scope_kwargs))
    if event_id:
        _last_event_id = event_id
    return event_id


@_safe()
def capture_exception(exc: Any = None, scope: Optional[Scope] = None, **scope_kwargs: Any) -> Optional[str]:
    """Captures ``exc`` (an exception or an ``exc_info`` tuple), or the exception being handled.
    ``tags=``, ``extra=``, ``contexts=``, ``user=``, ``account=``, ``level=``, ``fingerprint=``
    apply to this event only. Returns the event id, or None when nothing was sent."""
    mechanism = scope_kwargs.pop("mechanism", None)
    exc_info: Tuple[Any, Any, Any]
    if exc is None:
        exc_info = sys.exc_info()
    elif isinstance(exc, tuple):
        exc_info = exc
    else:
        exc_info = (type(exc), exc, getattr(exc, "__traceback__", None))
    if exc_info[1] is None:
        return None
    event, hint = event_from_exception(exc_info, mechanism)
    if "level" in scope_kwargs and scope_kwargs["level"]:
        event["level"] = scope_kwargs["level"]
    return capture_event(event, hint, scope, **scope_kwargs)


@_safe()
def capture_message(message: str, level: str = "info", scope: Optional[Scope] = None, **scope_kwargs: Any) -> Optional[str]:
    return capture_event({"message": message, "level": level}, None, scope, **scope_kwargs)


def last_event_id() -> Optional[str]:
    return _last_event_id


# -- scopes -------------------------------------------------------------------------------------------
@contextmanager
def new_scope() -> Iterator[Scope]:
    """A copy of the current scope for the ``with`` block; changes to it end with the block."""
    previous = get_current_scope()
    scope = previous.fork()
    token = set_current_scope(scope)
    try:
        yield scope
    finally:
        reset_current_scope(token, previous)


push_scope = new_scope


@contextmanager
def isolation_scope() -> Iterator[Scope]:
    """A new isolation scope (and current scope) for one request or task, with its own trace id."""
    previous_isolation = peek_isolation_scope()
    previous_current = get_current_scope()
    isolation = previous_isolation.fork()
    isolation._owner = None  # shared by the tasks the request starts
    isolation.new_trace()
    current = previous_current.fork()
    current._span = None
    isolation_token = set_isolation_scope(isolation)
    current_token = set_current_scope(current)
    try:
        yield isolation
    finally:
        reset_current_scope(current_token, previous_current)
        reset_isolation_scope(isolation_token, previous_isolation)


class _ConfiguredScope:
    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    def __enter__(self) -> Scope:
        return self.scope

    def __exit__(self, *exc: Any) -> None:
        return None


def configure_scope(callback: Optional[Callable[[Scope], Any]] = None) -> _ConfiguredScope:
    """Changes the current scope: ``configure_scope(lambda scope: ...)`` or
    ``with configure_scope() as scope:``. Prefer ``push_scope()`` for changes that should end."""
    scope = get_current_scope()
    if callback is not None:
        try:
            callback(scope)
        except Exception as error:
            debug.warn("configure_scope callback raised %r", error)
    return _ConfiguredScope(scope)


@_safe(default=True)
def flush(timeout: Optional[float] = None) -> bool:
    """Waits until queued events are sent (at most ``timeout`` seconds, default 2)."""
    client = hub.current_client()
    return client.flush(timeout) if client is not None else True


@_safe()
def close(timeout: Optional[float] = None) -> None:
    """Flushes and stops the SDK; captures after it are ignored until the next ``init``."""
    client = hub.current_client()
    if client is not None:
        client.close(timeout)
        hub.bind_client(None)

