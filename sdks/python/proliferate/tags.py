"""Tag rules, identical to packages/protocol/src/tags.ts (proven on its shared test vectors).

Keys: 1-32 characters of letters, digits and ``_ . : -``. Values: 1-200 code points, no line break.
Non-string scalars become strings the way JavaScript writes them, so a tag set from Python and one
set from Node.js store the same text. An invalid tag is dropped, never altered.
"""

import json
import math
import re
from decimal import Decimal
from typing import Any, Dict, List, Optional, Tuple

TAG_KEY_MAX_LENGTH = 32
TAG_VALUE_MAX_LENGTH = 200
_KEY_PATTERN = re.compile(r"[A-Za-z0-9_.:-]+\Z")


def js_number_to_string(value: float) -> str:
    """ECMAScript Number::toString for a finite float: shortest round-trip digits, JS layout."""
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    # repr() gives the shortest digits that round-trip, like JavaScript; only the layout differs.
    _, digit_tuple, exponent = Decimal(repr(abs(value))).as_tuple()
    digits = "".join(map(str, digit_tuple)).lstrip("0")
    stripped = digits.rstrip("0")
    exponent = int(exponent) + (len(digits) - len(stripped))
    digits = stripped
    k = len(digits)
    n = k + exponent  # value = 0.digits * 10**n
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
        text = mantissa + "e" + ("+" if e >= 0 else "-") + str(abs(e))
    return sign + text


def tag_value_to_string(value: Any) -> Optional[str]:
    """The string form of a tag value, or None when the value cannot be a tag."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return js_number_to_string(value)
    return None


def check_tag_key(key: Any) -> Optional[str]:
    """The reason the key is invalid, or None."""
    if not isinstance(key, str):
        return "key_not_string"
    if key == "":
        return "key_empty"
    if len(key) > TAG_KEY_MAX_LENGTH:
        return "key_too_long"
    if not _KEY_PATTERN.match(key):
        return "key_invalid_characters"
    return None


def check_tag_value(value: Any) -> Tuple[Optional[str], Optional[str]]:
    """``(text, None)`` for a valid value, ``(None, reason)`` otherwise."""
    if value is None:
        return None, "value_missing"
    text = tag_value_to_string(value)
    if text is None:
        return None, "value_not_scalar"
    if text == "":
        return None, "value_empty"
    if len(text) > TAG_VALUE_MAX_LENGTH:
        return None, "value_too_long"
    if "\r" in text or "\n" in text:
        return None, "value_has_newline"
    return text, None


def check_tag(key: Any, value: Any) -> Tuple[Optional[str], Optional[str]]:
    """Checks a key and a value together: ``(text, None)`` or ``(None, reason)``."""
    reason = check_tag_key(key)
    if reason:
        return None, reason
    return check_tag_value(value)


def looks_sensitive_tag_key(key: str) -> bool:
    """Seed 000's "Bad - sensitive information": warn when a tag key looks like a secret."""
    from .scrub import SENSITIVE_KEY

    return bool(SENSITIVE_KEY.search(key))


def preview(value: Any) -> str:
    """The offending value as short text, for warnings."""
    if isinstance(value, str):
        text = value
    else:
        try:
            text = json.dumps(value, default=repr)
        except Exception:
            text = repr(value)
    return text if len(text) <= 64 else text[:63] + "\u2026"


def sanitize_tags(tags: Dict[Any, Any]) -> Tuple[Dict[str, str], List[Dict[str, str]]]:
    """Applies the rules to a mapping: the valid tags as strings, and what was dropped and why."""
    kept: Dict[str, str] = {}
    dropped: List[Dict[str, str]] = []
    for key, value in tags.items():
        text, reason = check_tag(key, value)
        if reason:
            dropped.append({"key": preview(key), "reason": reason, "value": preview(value)})
        else:
            kept[key] = text  # type: ignore[assignment]
    return kept, dropped


MAX_TAG_DROPS = 10
"""Drops remembered per scope or event: enough to see the mistake, bounded against a loop of bad keys."""


def record_tag_drop(drops: Dict[str, Dict[str, Any]], key: Any, value: Any, reason: str) -> None:
    """Remembers a dropped tag in the shape the server records the tags it drops itself
    (``{"type": "invalid_tag", "key", "reason", "value"}``), sent in the event's ``errors`` so the
    event page shows it, not only the debug log."""
    name = preview(key)
    if name not in drops and len(drops) >= MAX_TAG_DROPS:
        return
    drops[name] = {"type": "invalid_tag", "key": name, "reason": reason, "value": None if value is None else preview(value)}
