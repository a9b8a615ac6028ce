"""Spans and traces: ``start_span``, ``@trace`` and ``update_current_trace`` (seeds 002 and 004).

The outermost span of a trace is sent as a Sentry ``transaction`` event carrying its child spans,
when ``traces_sample_rate`` samples it in. A span is active inside its ``with`` block: errors
captured there carry its trace and span ids. The trace id is the isolation scope's, so errors and
spans of one request share it.
"""

import functools
import inspect
import random
import time
import uuid
from typing import Any, Callable, Dict, List, Optional, TypeVar, overload

from . import debug
from .hub import current_client
from .scope import (
    get_current_scope,
    peek_isolation_scope,
    reset_current_scope,
    set_current_scope,
)
from .tags import check_tag, preview

MAX_SPANS = 1000
F = TypeVar("F", bound=Callable[..., Any])


class Span:
    def __init__(self, op: Optional[str] = None, name: Optional[str] = None, parent: Optional["Span"] = None, **kwargs: Any) -> None:
        self.op = op or "default"
        self.name = name or kwargs.get("description") or self.op
        self.span_id = uuid.uuid4().hex[:16]
        self.parent = parent
        self.root: "Span" = parent.root if parent is not None else self
        self.trace_id: str = parent.trace_id if parent is not None else _trace_id()
        self.start_timestamp = time.time()
        self.timestamp: Optional[float] = None
        self.status: Optional[str] = None
        self.data: Dict[str, Any] = dict(kwargs.get("data") or {})
        self.tags: Dict[str, str] = {}
        if parent is None:
            self.sampled = _sample()
            self.children: List[Span] = []
            self.trace_tags: Dict[str, str] = {}
            self.metadata: Dict[str, Any] = {}
        else:
            self.sampled = parent.sampled
        self._token: Any = None
        self._previous: Any = None

    # -- seed 002 ------------------------------------------------------------------------------------
    def set_data(self, key: str, value: Any) -> "Span":
        self.data[key] = value
        return self

    def set_tag(self, key: str, value: Any) -> "Span":
        text, reason = check_tag(key, value)
        if reason:
            debug.warn("dropped span tag %s=%s: %s", preview(key), preview(value), reason)
        else:
            self.tags[key] = text  # type: ignore[assignment]
        return self

    def set_status(self, status: str) -> "Span":
        self.status = status
        return self

    # -- lifecycle ------------------------------------------------------------------------------------
    def __enter__(self) -> "Span":
        current = get_current_scope()
        scope = current.fork()
        scope._span = self
        self._previous = current
        self._token = set_current_scope(scope)
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is not None and self.status is None:
            self.status = "internal_error"
        if self._token is not None:
            reset_current_scope(self._token, self._previous)
            self._token = None
        self.finish()

    def finish(self) -> None:
        if self.timestamp is not None:
            return
        self.timestamp = time.time()
        if self.status is None:
            self.status = "ok"
        if self.root is not self:
            if len(self.root.children) < MAX_SPANS:
                self.root.children.append(self)
            return
        if self.sampled:
            _send_transaction(self)

    def to_span_json(self) -> Dict[str, Any]:
        result = {
            "span_id": self.span_id,
            "parent_span_id": self.parent.span_id if self.parent else None,
            "trace_id": self.trace_id,
            "op": self.op,
            "description": self.name,
            "start_timestamp": self.start_timestamp,
            "timestamp": self.timestamp,
            "status": self.status,
        }
        if self.data:
            result["data"] = self.data
        if self.tags:
            result["tags"] = self.tags
        return result

    def __repr__(self) -> str:
        return f"<Span op={self.op!r} name={self.name!r} trace_id={self.trace_id}>"


def _trace_id() -> str:
    return peek_isolation_scope()._trace_id or uuid.uuid4().hex


def _sample() -> bool:
    client = current_client()
    if client is None or not client.is_active:
        return False
    rate = client.options.traces_sample_rate
    return rate is not None and rate > 0 and random.random() < rate


def _send_transaction(root: Span) -> None:
    client = current_client()
    if client is None:
        return
    trace: Dict[str, Any] = {"trace_id": root.trace_id, "span_id": root.span_id, "op": root.op, "status": root.status}
    if root.data:
        trace["data"] = root.data
    event: Dict[str, Any] = {
        "type": "transaction",
        "transaction": root.name,
        "start_timestamp": root.start_timestamp,
        "timestamp": root.timestamp,
        "contexts": {"trace": trace},
        "tags": {**root.tags, **root.trace_tags},
        "spans": [span.to_span_json() for span in root.children],
    }
    if root.metadata:  # where the JavaScript SDK puts it too
        event["contexts"]["metadata"] = dict(root.metadata)
    try:
        client.capture_transaction(event)
    except Exception as error:
        debug.warn("sending the transaction failed: %r", error)


def get_current_span() -> Optional[Span]:
    return get_current_scope()._span or peek_isolation_scope()._span


def start_span(op: Optional[str] = None, name: Optional[str] = None, **kwargs: Any) -> Span:
    """A span to use as ``with start_span(op="db.query", name="Fetch User") as span:``.

    Inside another span it is a child; otherwise it starts a trace (sent as a transaction).
    """
    return Span(op=op, name=name, parent=get_current_span(), **kwargs)


def update_current_trace(tags: Optional[Dict[str, Any]] = None, metadata: Optional[Dict[str, Any]] = None) -> None:
    """Adds or updates tags (and metadata) of the trace that is running (seed 004)."""
    span = get_current_span()
    if span is None:
        debug.warn("update_current_trace called outside a trace: nothing to update")
        return
    root = span.root
    for key, value in (tags or {}).items():
        text, reason = check_tag(key, value)
        if reason:
            debug.warn("dropped trace tag %s=%s: %s", preview(key), preview(value), reason)
        else:
            root.trace_tags[key] = text  # type: ignore[assignment]
    root.metadata.update(metadata or {})


@overload
def trace(func: F) -> F: ...
@overload
def trace(func: None = None, *, name: Optional[str] = None, op: str = "function") -> Callable[[F], F]: ...
def trace(func: Optional[Callable[..., Any]] = None, *, name: Optional[str] = None, op: str = "function") -> Any:
    """Runs the function in a span named after it: ``@trace`` or ``@trace(name=..., op=...)``."""

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        span_name = name or getattr(function, "__qualname__", None) or getattr(function, "__name__", "function")
        if inspect.iscoroutinefunction(function):

            @functools.wraps(function)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                with start_span(op=op, name=span_name):
                    return await function(*args, **kwargs)

            return async_wrapper

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with start_span(op=op, name=span_name):
                return function(*args, **kwargs)

        return wrapper

    return decorate(func) if func is not None else decorate
