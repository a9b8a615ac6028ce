"""The ``logging`` integration: one handler that sees the records of every logger.

- records at ``level`` (INFO) and above become breadcrumbs (seed 002: "logs automatically become
  breadcrumbs");
- records at ``event_level`` (ERROR) and above become events instead, with the exception when the
  record has one (``logger.exception(...)``); ``event_level=None`` turns that off;
- with ``init(enable_logs=True)``, records at ``logs_level`` (INFO) and above are also sent as logs,
  each carrying the trace id of the request or span it was written in (seed 001).

The SDK's own logger (``proliferate``) is never captured.
"""

import logging
import threading
from typing import Any, Dict, Optional

from .. import hub
from ..scrub import scrub

_LEVELS = {logging.DEBUG: "debug", logging.INFO: "info", logging.WARNING: "warning", logging.ERROR: "error", logging.CRITICAL: "fatal"}
_LOG_LEVELS = {"warning": "warn"}
_STANDARD_ATTRIBUTES = frozenset(
    logging.LogRecord("", 0, "", 0, "", (), None).__dict__.keys() | {"message", "asctime", "taskName"}
)


def level_name(levelno: int) -> str:
    for threshold in (logging.CRITICAL, logging.ERROR, logging.WARNING, logging.INFO):
        if levelno >= threshold:
            return _LEVELS[threshold]
    return "debug"


class LoggingIntegration:
    identifier = "logging"
    _handler: Optional["ProliferateHandler"] = None

    def __init__(self, level: Optional[int] = logging.INFO, event_level: Optional[int] = logging.ERROR, logs_level: Optional[int] = logging.INFO) -> None:
        self.level = level
        self.event_level = event_level
        self.logs_level = logs_level

    def setup(self, client: Any) -> None:
        if LoggingIntegration._handler is None:
            handler = LoggingIntegration._handler = ProliferateHandler()
            original = logging.Logger.callHandlers

            # Hooked into every logger rather than added to the root logger, so records of loggers
            # that do not propagate (uvicorn's "Exception in ASGI application" is one) are seen too.
            def callHandlers(self: logging.Logger, record: logging.LogRecord) -> None:  # noqa: N802
                handler.handle(record)
                original(self, record)

            logging.Logger.callHandlers = callHandlers  # type: ignore[method-assign]
        LoggingIntegration._handler.configure(self)


class ProliferateHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.settings = LoggingIntegration()
        self._busy = threading.local()

    def configure(self, settings: LoggingIntegration) -> None:
        self.settings = settings

    def emit(self, record: logging.LogRecord) -> None:
        if record.name == "proliferate" or record.name.startswith("proliferate."):
            return
        client = hub.current_client()
        if client is None or getattr(self._busy, "active", False):
            return
        self._busy.active = True
        try:
            self._handle(client, record)
        except Exception:
            pass
        finally:
            self._busy.active = False

    def _handle(self, client: Any, record: logging.LogRecord) -> None:
        from ..api import add_breadcrumb, capture_event, event_from_exception

        settings = self.settings
        formatted = _formatted(record)
        level = level_name(record.levelno)
        extra = _extra(record)
        if settings.event_level is not None and record.levelno >= settings.event_level:
            event: Dict[str, Any]
            hint: Dict[str, Any] = {"log_record": record}
            if record.exc_info and record.exc_info[1] is not None:
                event, exc_hint = event_from_exception(record.exc_info, {"type": "logging", "handled": True})
                hint.update(exc_hint)
            else:
                event = {}
            event.update(level=level, logger=record.name)
            event["logentry"] = {"message": str(record.msg), "formatted": formatted}
            if isinstance(record.args, tuple) and record.args:
                event["logentry"]["params"] = [repr(arg) if not isinstance(arg, (str, int, float, bool)) else arg for arg in record.args]
            if extra:
                event["extra"] = extra
            capture_event(event, hint)
        elif settings.level is not None and record.levelno >= settings.level:
            crumb = {"type": "log", "category": record.name, "level": level, "message": formatted, "timestamp": record.created}
            if extra:
                crumb["data"] = extra
            add_breadcrumb(crumb, {"log_record": record})
        if client.options.enable_logs and settings.logs_level is not None and record.levelno >= settings.logs_level:
            _send_log(client, record, formatted, level, extra)


def _formatted(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except Exception:
        return str(record.msg)


def _extra(record: logging.LogRecord) -> Dict[str, Any]:
    return {key: value for key, value in record.__dict__.items() if key not in _STANDARD_ATTRIBUTES and not key.startswith("_")}


def _send_log(client: Any, record: logging.LogRecord, formatted: str, level: str, extra: Dict[str, Any]) -> None:
    from ..scope import peek_isolation_scope
    from ..tracing import get_current_span

    span = get_current_span()
    trace_id = span.trace_id if span is not None else peek_isolation_scope()._trace_id
    attributes: Dict[str, Any] = {
        "logger.name": record.name,
        "code.file.path": record.pathname,
        "code.line.number": record.lineno,
        "code.function.name": record.funcName,
        "sentry.origin": "auto.logger.log",
    }
    if isinstance(record.args, tuple) and record.args:
        attributes["sentry.message.template"] = str(record.msg)
        for index, arg in enumerate(record.args):
            attributes[f"sentry.message.parameter.{index}"] = arg
    if span is not None:
        attributes["sentry.trace.parent_span_id"] = span.span_id
    for key, value in extra.items():
        attributes[key] = value
    client.logs.add(_LOG_LEVELS.get(level, level), formatted, trace_id, scrub(attributes, client.options.scrub_keys))
