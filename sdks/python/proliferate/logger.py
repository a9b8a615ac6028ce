"""``proliferate.logger.info(message, attributes)`` and friends, as in the JavaScript SDK: structured
logs sent as ``log`` items with the trace id when ``init(enable_logs=True)``; each also becomes a
breadcrumb either way. (Records of the standard ``logging`` module get the same treatment through
the logging integration.)"""

from typing import Any, Dict, Optional

from . import debug as _debug
from . import hub

_BREADCRUMB_LEVELS = {"trace": "debug", "warn": "warning"}


def _log(level: str, message: str, attributes: Optional[Dict[str, Any]]) -> None:
    try:
        from .api import add_breadcrumb
        from .scope import peek_isolation_scope
        from .scrub import scrub
        from .tracing import get_current_span

        add_breadcrumb(type="log", category="logger", level=_BREADCRUMB_LEVELS.get(level, level), message=message, data=attributes or None)
        client = hub.current_client()
        if client is None or not client.is_active or not client.options.enable_logs:
            return
        span = get_current_span()
        trace_id = span.trace_id if span is not None else peek_isolation_scope()._trace_id
        attrs = {"sentry.origin": "manual", **scrub(dict(attributes or {}), client.options.scrub_keys)}
        if span is not None:
            attrs["sentry.trace.parent_span_id"] = span.span_id
        client.logs.add(level, str(message), trace_id, attrs)
    except Exception as error:
        _debug.warn("logger.%s failed: %r", level, error)


def trace(message: str, attributes: Optional[Dict[str, Any]] = None) -> None:
    _log("trace", message, attributes)


def debug(message: str, attributes: Optional[Dict[str, Any]] = None) -> None:
    _log("debug", message, attributes)


def info(message: str, attributes: Optional[Dict[str, Any]] = None) -> None:
    _log("info", message, attributes)


def warn(message: str, attributes: Optional[Dict[str, Any]] = None) -> None:
    _log("warn", message, attributes)


def error(message: str, attributes: Optional[Dict[str, Any]] = None) -> None:
    _log("error", message, attributes)


def fatal(message: str, attributes: Optional[Dict[str, Any]] = None) -> None:
    _log("fatal", message, attributes)


warning = warn
