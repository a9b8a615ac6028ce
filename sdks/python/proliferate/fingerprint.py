"""Grouping v1, identical to packages/protocol/src/fingerprint.ts.

The server computes the fingerprint; the SDK has the same function so that tests prove both sides
agree, and so an application can tell which issue an event will land in (`fingerprint_of`).
"""

import hashlib
import re
from typing import Any, Dict, Optional

from .tags import js_number_to_string

FRAMES_IN_FINGERPRINT = 3
_MISSING = "?"
_DEFAULT_PLACEHOLDER = re.compile(r"\{\{\s*default\s*\}\}\Z")
_QUERY_OR_HASH = re.compile(r"[?#][^\n\r\u2028\u2029]*\Z")
_UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I | re.A)
_HEX_LITERAL = re.compile(r"\b0x[0-9a-f]+\b", re.I | re.A)
_HEX_ID = re.compile(r"\b(?=[0-9a-f]*\d)[0-9a-f]{8,}\b", re.I | re.A)
_NUMBER = re.compile(r"\d+(\.\d+)?", re.A)


def file_base_name(path: Optional[str]) -> str:
    """``/srv/app/src/app.js?v=3#x`` -> ``app.js``; Windows paths too."""
    if not path:
        return _MISSING
    without_query = _QUERY_OR_HASH.sub("", path, count=1)
    last = re.split(r"[\\/]", without_query)[-1]
    return last or _MISSING


def _frame_key(frame: Dict[str, Any]) -> str:
    function = frame.get("function") or _MISSING
    file = file_base_name(frame.get("filename") or frame.get("abs_path") or frame.get("module"))
    return f"{function}@{file}"


def _js_slice(text: str, units: int) -> str:
    """``text.slice(0, units)`` as JavaScript counts: in UTF-16 code units."""
    if len(text) <= units // 2:
        return text
    encoded = text.encode("utf-16-le", "surrogatepass")[: units * 2]
    return encoded.decode("utf-16-le", "surrogatepass")


def normalize_message_for_grouping(message: str) -> str:
    text = _js_slice(message, 1024)
    text = _UUID.sub("<uuid>", text)
    text = _HEX_LITERAL.sub("<hex>", text)
    text = _HEX_ID.sub("<hex>", text)
    return _NUMBER.sub("<n>", text)


def _captured_exception(event: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    values = (event.get("exception") or {}).get("values")
    return values[-1] if values else None


def _message_text(event: Dict[str, Any]) -> Optional[str]:
    logentry = event.get("logentry") or {}
    return logentry.get("message") or logentry.get("formatted") or event.get("message") or None


def default_grouping_source(event: Dict[str, Any]) -> str:
    exception = _captured_exception(event)
    if exception and exception.get("type"):
        frames = (exception.get("stacktrace") or {}).get("frames") or []
        if frames:
            nearest = list(reversed(frames[-FRAMES_IN_FINGERPRINT:]))
            return "|".join([exception["type"], *(_frame_key(frame) for frame in nearest)])
        return f"{exception['type']}|{normalize_message_for_grouping(exception.get('value') or '')}"
    message = _message_text(event) or (exception or {}).get("value") or None
    if message:
        return f"message|{normalize_message_for_grouping(message)}"
    return "event"


def _js_string(part: Any) -> Optional[str]:
    if isinstance(part, str):
        return part
    if isinstance(part, bool):
        return "true" if part else "false"
    if isinstance(part, int):
        return str(part)
    if isinstance(part, float):
        if part != part:
            return "NaN"
        if part in (float("inf"), float("-inf")):
            return "Infinity" if part > 0 else "-Infinity"
        return js_number_to_string(part)
    return None


def grouping_source(event: Dict[str, Any]) -> str:
    """The default source, or an SDK-sent ``fingerprint`` with ``{{ default }}`` spliced in."""
    custom = event.get("fingerprint")
    if isinstance(custom, list) and custom:
        parts = [text for text in map(_js_string, custom) if text is not None]
        if parts:
            return "|".join(default_grouping_source(event) if _DEFAULT_PLACEHOLDER.match(p) else p for p in parts)
    return default_grouping_source(event)


def fingerprint_from_source(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def fingerprint_of(event: Dict[str, Any]) -> str:
    """The fingerprint the server will give this event (first 16 hex digits of SHA-256)."""
    return fingerprint_from_source(grouping_source(event))
