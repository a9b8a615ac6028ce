"""Sentry envelopes: a header line, then items, each a header line (with ``length``) and a payload."""

import json
import math
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Tuple

# The rate-limit category of each item type (what X-Sentry-Rate-Limits names).
ITEM_CATEGORIES = {
    "event": "error",
    "transaction": "transaction",
    "log": "log_item",
    "session": "session",
    "attachment": "attachment",
}


def _default(value: Any) -> Any:
    """Anything json cannot write becomes its repr, so one odd extra never loses the event."""
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    try:
        return repr(value)
    except Exception:
        return "<unrepresentable>"


def dumps(value: Any) -> bytes:
    return json.dumps(value, default=_default, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode(
        "utf-8", "surrogatepass"
    )


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


def safe_dumps(value: Any) -> bytes:
    try:
        return dumps(value)
    except ValueError:  # NaN or infinity somewhere: write them as strings rather than drop the event
        return dumps(_finite(value))


class Item:
    __slots__ = ("type", "payload", "headers")

    def __init__(self, type: str, payload: Any, headers: Optional[Dict[str, Any]] = None) -> None:
        self.type = type
        self.payload = payload
        self.headers = headers or {}

    @property
    def category(self) -> str:
        return ITEM_CATEGORIES.get(self.type, "default")


class Envelope:
    def __init__(self, headers: Dict[str, Any], items: Optional[List[Item]] = None) -> None:
        self.headers = headers
        self.items: List[Item] = items or []

    def serialize(self) -> bytes:
        headers = dict(self.headers)
        headers["sent_at"] = datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")
        parts = [safe_dumps(headers)]
        for item in self.items:
            payload = item.payload if isinstance(item.payload, bytes) else safe_dumps(item.payload)
            header = {"type": item.type, "length": len(payload), **item.headers}
            parts.append(dumps(header))
            parts.append(payload)
        return b"\n".join(parts) + b"\n"

    @property
    def categories(self) -> List[str]:
        return [item.category for item in self.items]


def parse(data: bytes) -> Tuple[Dict[str, Any], List[Tuple[Dict[str, Any], Any]]]:
    """Parses an envelope (for tests and debugging): headers and ``(item headers, payload)`` pairs."""
    newline = data.index(b"\n") if b"\n" in data else len(data)
    headers = json.loads(data[:newline])
    items = []
    offset = newline + 1
    while offset < len(data):
        end = data.find(b"\n", offset)
        end = len(data) if end == -1 else end
        if end == offset:
            offset += 1
            continue
        item_headers = json.loads(data[offset:end])
        start = end + 1
        length = item_headers.get("length")
        if length is None:
            stop = data.find(b"\n", start)
            stop = len(data) if stop == -1 else stop
        else:
            stop = start + length
        raw = data[start:stop]
        try:
            payload: Any = json.loads(raw)
        except ValueError:
            payload = raw
        items.append((item_headers, payload))
        offset = stop + 1
    return headers, items
