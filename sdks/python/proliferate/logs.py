"""Logs sent as ``log`` envelope items (Sentry logs protocol), batched, each with its trace id."""

import threading
import time
from typing import Any, Dict, List, Optional

from .envelope import Envelope, Item
from .version import SDK_NAME, VERSION

MAX_BATCH = 100
MAX_AGE = 5.0
SEVERITY = {"trace": 1, "debug": 5, "info": 9, "warn": 13, "error": 17, "fatal": 21}


def attribute(value: Any) -> Dict[str, Any]:
    if isinstance(value, bool):
        return {"value": value, "type": "boolean"}
    if isinstance(value, int):
        return {"value": value, "type": "integer"}
    if isinstance(value, float):
        return {"value": value, "type": "double"}
    return {"value": value if isinstance(value, str) else repr(value), "type": "string"}


class LogBuffer:
    def __init__(self, client: Any) -> None:
        self._client = client
        self._items: List[Dict[str, Any]] = []
        self._oldest: Optional[float] = None
        self._lock = threading.Lock()

    def add(self, level: str, body: str, trace_id: str, attributes: Optional[Dict[str, Any]] = None) -> None:
        options = self._client.options
        attrs = {
            "sentry.sdk.name": SDK_NAME,
            "sentry.sdk.version": VERSION,
            "sentry.environment": options.environment,
            **({"sentry.release": options.release} if options.release else {}),
            **({"server.address": options.server_name} if options.server_name else {}),
            **(attributes or {}),
        }
        record = {
            "timestamp": time.time(),
            "trace_id": trace_id,
            "level": level,
            "severity_number": SEVERITY.get(level, 9),
            "body": body,
            "attributes": {key: attribute(value) for key, value in attrs.items() if value is not None},
        }
        with self._lock:
            self._items.append(record)
            if self._oldest is None:
                self._oldest = time.monotonic()
            full = len(self._items) >= MAX_BATCH
        if full:
            self.flush()

    def tick(self) -> None:
        if self._oldest is not None and time.monotonic() - self._oldest >= MAX_AGE:
            self.flush()

    def flush(self) -> None:
        with self._lock:
            items, self._items, self._oldest = self._items, [], None
        if items:
            item = Item(
                "log",
                {"items": items},
                {"item_count": len(items), "content_type": "application/vnd.sentry.items.log+json"},
            )
            self._client.send_envelope(Envelope({"sdk": {"name": SDK_NAME, "version": VERSION}}, [item]))
