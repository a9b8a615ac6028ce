"""Proliferate: error monitoring, breadcrumbs, logs and tracing for Python (standard library only).

    import proliferate
    proliferate.init(dsn="http://pk_...@localhost:8000/1")
    proliferate.set_tag("service", "payment-api")
"""

from .api import (
    add_breadcrumb,
    capture_event,
    capture_exception,
    capture_message,
    close,
    configure_scope,
    flush,
    init,
    is_initialized,
    isolation_scope,
    last_event_id,
    new_scope,
    push_scope,
    remove_tag,
    set_account,
    set_context,
    set_extra,
    set_level,
    set_tag,
    set_tags,
    set_user,
)
from . import logger
from .client import Client
from .fingerprint import fingerprint_of, grouping_source
from .integrations.asgi import ProliferateMiddleware
from .integrations.wsgi import ProliferateWSGIMiddleware
from .scope import Scope, get_current_scope, get_global_scope, get_isolation_scope
from .traces_api import ProliferateApiError, Trace, TraceInfo, delete_trace_tag, search_traces, set_trace_tag
from .tracing import Span, get_current_span, start_span, trace, update_current_trace
from .version import VERSION

__version__ = VERSION

__all__ = [
    "Client",
    "ProliferateApiError",
    "ProliferateMiddleware",
    "ProliferateWSGIMiddleware",
    "Scope",
    "Span",
    "Trace",
    "TraceInfo",
    "add_breadcrumb",
    "capture_event",
    "capture_exception",
    "capture_message",
    "close",
    "configure_scope",
    "delete_trace_tag",
    "fingerprint_of",
    "flush",
    "get_current_scope",
    "get_current_span",
    "get_global_scope",
    "get_isolation_scope",
    "grouping_source",
    "init",
    "is_initialized",
    "isolation_scope",
    "last_event_id",
    "logger",
    "new_scope",
    "push_scope",
    "remove_tag",
    "search_traces",
    "set_account",
    "set_context",
    "set_extra",
    "set_level",
    "set_tag",
    "set_tags",
    "set_trace_tag",
    "set_user",
    "start_span",
    "trace",
    "update_current_trace",
]
