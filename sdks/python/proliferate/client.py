"""The client: owns the options and the transport; turns captures into envelopes."""

import random
import time
import uuid
from typing import Any, Dict, List, Optional

from . import debug
from .detect import static_contexts
from .envelope import Envelope, Item
from .logs import LogBuffer
from .options import Options
from .scope import Scope, scopes_in_order
from .scrub import scrub
from .tags import MAX_TAG_DROPS, record_tag_drop, sanitize_tags
from .transport import CallbackTransport, HttpTransport
from .version import SDK_NAME, VERSION

_SEEN = "__proliferate_captured__"


def new_span_id() -> str:
    return uuid.uuid4().hex[:16]


class Client:
    def __init__(self, options: Options) -> None:
        self.options = options
        self.session_id = uuid.uuid4().hex
        self.integrations: List[str] = []
        self._static_contexts = static_contexts()
        self.transport: Any = None
        if options.transport is not None:
            self.transport = CallbackTransport(options.transport)
        elif options.destination is not None:
            self.transport = HttpTransport(
                options.destination,
                max_queue_size=options.max_queue_size,
                request_timeout=options.request_timeout,
                max_retries=options.max_retries,
                gzip_level=options.gzip_level,
            )
        else:
            debug.warn("no DSN or endpoint given: events are not sent")
        self.logs = LogBuffer(self)
        if self.transport is not None:
            self.transport.add_ticker(self.logs.tick)

    @property
    def is_active(self) -> bool:
        return self.transport is not None

    # -- errors and messages -----------------------------------------------------------------------
    def capture_event(self, event: Dict[str, Any], hint: Optional[Dict[str, Any]] = None, scope: Optional[Scope] = None) -> Optional[str]:
        """Sends an error or message event; returns its id, or None when it was not sent."""
        if not self.is_active:
            return None
        hint = hint or {}
        exc = (hint.get("exc_info") or (None, None, None))[1]
        if exc is not None and getattr(exc, _SEEN, False):
            debug.info("exception already captured: skipped")
            return None
        if self.options.sample_rate < 1.0 and random.random() >= self.options.sample_rate:
            debug.info("event dropped by sample_rate")
            return None
        prepared = self.prepare_event(event, hint, scope)
        if prepared is None:
            return None
        if exc is not None:
            try:
                setattr(exc, _SEEN, True)
            except Exception:
                pass
        self._send(prepared, "event")
        return prepared["event_id"]

    def capture_transaction(self, event: Dict[str, Any], scope: Optional[Scope] = None) -> Optional[str]:
        if not self.is_active:
            return None
        prepared = self.prepare_event(event, {}, scope)
        if prepared is None:
            return None
        self._send(prepared, "transaction")
        return prepared["event_id"]

    def prepare_event(self, event: Dict[str, Any], hint: Dict[str, Any], scope: Optional[Scope] = None) -> Optional[Dict[str, Any]]:
        """Applies scopes, defaults, scrubbing and ``before_send``; None when the event is dropped."""
        options = self.options
        is_transaction = event.get("type") == "transaction"
        event = dict(event)
        event.setdefault("event_id", uuid.uuid4().hex)
        event.setdefault("timestamp", time.time())
        event.setdefault("platform", "python")
        if not is_transaction:
            event.setdefault("level", "error")
        event.setdefault("environment", options.environment)
        if options.release:
            event.setdefault("release", options.release)
        if options.server_name:
            event.setdefault("server_name", options.server_name)
        event["sdk"] = {"name": SDK_NAME, "version": VERSION, "integrations": list(self.integrations)}
        self._apply_scopes(event, scopes_in_order(scope), is_transaction)
        self._scrub(event)

        callback = options.before_send_transaction if is_transaction else options.before_send
        if callback is not None:
            try:
                result = callback(event, hint)
            except Exception as error:
                debug.warn("before_send raised %r; event sent unchanged", error)
                result = event
            if result is None:
                debug.info("event dropped by before_send")
                return None
            if not isinstance(result, dict):
                debug.warn("before_send returned %s, not a dict or None: event dropped", type(result).__name__)
                return None
            event = result
        return event

    def _apply_scopes(self, event: Dict[str, Any], scopes: List[Scope], is_transaction: bool) -> None:
        tags: Dict[str, str] = {}
        extra: Dict[str, Any] = {}
        contexts: Dict[str, Any] = dict(self._static_contexts)
        user = account = level = fingerprint = transaction = span = None
        breadcrumbs: List[Dict[str, Any]] = []
        trace_id = None
        tag_drops: Dict[str, Dict[str, Any]] = {}
        for scope in scopes:
            tags.update(scope._tags)
            tag_drops.update(scope._tag_drops)
            extra.update(scope._extra)
            contexts.update(scope._contexts)
            user = scope._user or user
            account = scope._account or account
            level = scope._level or level
            fingerprint = scope._fingerprint or fingerprint
            transaction = scope._transaction or transaction
            span = scope._span or span
            trace_id = scope._trace_id or trace_id
            breadcrumbs.extend(scope._breadcrumbs)

        own_tags, dropped = sanitize_tags(event.get("tags") or {})
        for drop in dropped:
            debug.warn("dropped tag %s=%s: %s", drop["key"], drop["value"], drop["reason"])
            record_tag_drop(tag_drops, drop["key"], drop["value"], drop["reason"])
        tags.update(own_tags)
        if tags:
            event["tags"] = tags
        # A key set validly on a later scope or on the event wins over an earlier drop of it.
        shown = [drop for drop in tag_drops.values() if drop["key"] not in tags][:MAX_TAG_DROPS]
        if shown:
            event["errors"] = list(event.get("errors") or []) + shown
        extra.update(event.get("extra") or {})
        if extra:
            event["extra"] = extra
        contexts.update(event.get("contexts") or {})
        if "request" in contexts and not event.get("request"):
            event["request"] = contexts.pop("request")
        if account is not None and "account" not in contexts:
            contexts["account"] = account
        if not is_transaction:
            if "trace" not in contexts:
                contexts["trace"] = {
                    "trace_id": span.trace_id if span is not None else trace_id or uuid.uuid4().hex,
                    "span_id": span.span_id if span is not None else new_span_id(),
                }
                if span is not None:
                    contexts["trace"]["op"] = span.op
            contexts.setdefault("session", {"id": self.session_id})
        event["contexts"] = contexts
        if user is not None and not event.get("user"):
            event["user"] = user
        if level is not None and not is_transaction:
            event["level"] = level
        if fingerprint is not None and not event.get("fingerprint"):
            event["fingerprint"] = fingerprint
        if transaction is not None and not event.get("transaction"):
            event["transaction"] = transaction
        if not is_transaction and self.options.max_breadcrumbs > 0:
            own = event.get("breadcrumbs")
            own = own.get("values", []) if isinstance(own, dict) else list(own or [])
            # Scope breadcrumbs were scrubbed when added; only the event's own need it here.
            keys = self.options.scrub_keys
            own = [{**c, "data": scrub(c["data"], keys)} if isinstance(c, dict) and c.get("data") else c for c in own]
            merged = sorted(breadcrumbs + own, key=_timestamp)[-self.options.max_breadcrumbs :]
            if merged:
                event["breadcrumbs"] = {"values": merged}
        elif not is_transaction:
            event.pop("breadcrumbs", None)

    def _scrub(self, event: Dict[str, Any]) -> None:
        keys = self.options.scrub_keys
        for field in ("extra", "contexts", "user", "request"):
            if field in event:
                event[field] = scrub(event[field], keys)
        for span in event.get("spans") or []:
            if "data" in span:
                span["data"] = scrub(span["data"], keys)

    def _send(self, event: Dict[str, Any], item_type: str) -> None:
        trace = event.get("contexts", {}).get("trace", {})
        headers: Dict[str, Any] = {"event_id": event["event_id"], "sdk": {"name": SDK_NAME, "version": VERSION}}
        if self.options.destination is not None:
            headers["dsn"] = self.options.destination.dsn
            if trace.get("trace_id"):
                headers["trace"] = {
                    "trace_id": trace["trace_id"],
                    "public_key": self.options.destination.public_key,
                    "environment": event.get("environment"),
                    **({"release": event["release"]} if event.get("release") else {}),
                }
        self.send_envelope(Envelope(headers, [Item(item_type, event)]))

    def send_envelope(self, envelope: Envelope) -> None:
        if self.transport is not None:
            self.transport.send_envelope(envelope)

    def flush(self, timeout: Optional[float] = None) -> bool:
        if self.transport is None:
            return True
        self.logs.flush()
        return self.transport.flush(self.options.shutdown_timeout if timeout is None else timeout)

    def close(self, timeout: Optional[float] = None) -> None:
        if self.transport is None:
            return
        self.logs.flush()
        self.transport.close(self.options.shutdown_timeout if timeout is None else timeout)
        self.transport = None


def _timestamp(crumb: Dict[str, Any]) -> float:
    value = crumb.get("timestamp")
    return value if isinstance(value, (int, float)) else 0.0



