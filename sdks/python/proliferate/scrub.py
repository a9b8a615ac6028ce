"""Sensitive-key scrubbing: values under keys that look like secrets are replaced before sending.

Applied to extra, contexts, the user, request data, headers and cookies, and breadcrumb data. Keys
match anywhere in the name, case-insensitively, so ``X-Api-Key``, ``db_password`` and
``stripe_secret_key`` all do; ``init(scrub_keys=[...])`` adds more (substrings).
"""

import re
from functools import lru_cache
from typing import Any, Dict, Iterable, Tuple

FILTERED = "[Filtered]"
# The shared pattern (packages/protocol/vectors/sensitive-keys.json), byte for byte the one the
# JavaScript SDK uses; tests/test_parity_vectors.py checks both the text and every case.
SENSITIVE_KEY_PATTERN = (
    r"passw(or)?d|passphrase|^pass$|[_.-]pass$|secret|token(?!s|iz)|api[_.-]?key|auth(?!or(?!i))|cookie"
    r"|credential|credit[_.-]?card|card[_.-]?(number|num|no$)|^card$|cvv|cvc|(^|[_.-])ssn($|[_.-])"
    r"|private[_.-]?key|session[_.-]?(id|key)|csrf|xsrf|signature"
)
SENSITIVE_KEY = re.compile(SENSITIVE_KEY_PATTERN, re.IGNORECASE)
_MAX_DEPTH = 10


@lru_cache(maxsize=4096)
def _sensitive(key: str, extra_parts: Tuple[str, ...]) -> bool:
    if SENSITIVE_KEY.search(key):
        return True
    normalized = key.lower().replace("-", "_")
    return any(part in normalized for part in extra_parts)


def is_sensitive_key(key: Any, extra_parts: Iterable[str] = ()) -> bool:
    # Cached: the same few keys come back in every event, and the regex is most of scrubbing's cost.
    return isinstance(key, str) and _sensitive(key, tuple(extra_parts))


MAX_STRING = 16_384
MAX_ITEMS = 200


def scrub(value: Any, extra_parts: Tuple[str, ...] = (), depth: int = 0) -> Any:
    """A copy of ``value`` with sensitive keys' values replaced by ``[Filtered]``, at any depth, and
    bounded like the JavaScript SDK bounds it (strings of 16 KiB, 200 items per level, 10 levels),
    so one large extra cannot make the server refuse the whole event."""
    if isinstance(value, str):
        return value if len(value) <= MAX_STRING else value[:MAX_STRING] + "\u2026"
    if isinstance(value, dict):
        if depth >= _MAX_DEPTH:
            return "[object]"
        return {
            key: FILTERED if item is not None and is_sensitive_key(key, extra_parts) else scrub(item, extra_parts, depth + 1)
            for key, item in (value.items() if len(value) <= MAX_ITEMS else list(value.items())[:MAX_ITEMS])
        }
    if isinstance(value, (list, tuple, set, frozenset)):
        if depth >= _MAX_DEPTH:
            return "[array]"
        return [scrub(item, extra_parts, depth + 1) for item in list(value)[:MAX_ITEMS]]
    return value


_NEVER_SENT_HEADERS = frozenset({"cookie", "authorization", "proxy-authorization"})


def scrub_headers(headers: Dict[str, str], extra_parts: Iterable[str] = ()) -> Dict[str, str]:
    """Request headers as sent: cookies and credentials never leave; other sensitive ones filtered."""
    return {
        key: FILTERED if is_sensitive_key(key, extra_parts) else value
        for key, value in headers.items()
        if key.lower() not in _NEVER_SENT_HEADERS
    }
