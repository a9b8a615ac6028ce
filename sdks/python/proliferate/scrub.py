"""Sensitive-key scrubbing: values under keys that look like secrets are replaced before sending.

Applied to extra, contexts, the user, request data, headers and cookies, and breadcrumb data. Keys
match anywhere in the name, case-insensitively, so ``X-Api-Key``, ``db_password`` and
``stripe_secret_key`` all do; ``init(scrub_keys=[...])`` adds more (substrings).
"""

import re
from functools import lru_cache
from typing import Any, Dict, Iterable, Tuple

FILTERED = "[Filtered]"
# The JavaScript SDK's pattern (packages/sdk/src/core/scrub.ts), so both filter the same keys.
SENSITIVE_KEY = re.compile(
    r"pass(word|wd|phrase)?|secret|token|api[_.-]?key|auth|cookie|credential|card|cvv|ssn"
    r"|private[_.-]?key|session[_.-]?(id|key)|csrf|xsrf",
    re.IGNORECASE,
)
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


def scrub(value: Any, extra_parts: Tuple[str, ...] = (), depth: int = 0) -> Any:
    """A copy of ``value`` with sensitive keys' values replaced by ``[Filtered]``, at any depth."""
    if depth > _MAX_DEPTH:
        return value
    if isinstance(value, dict):
        return {
            key: FILTERED if is_sensitive_key(key, extra_parts) and item is not None else scrub(item, extra_parts, depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [scrub(item, extra_parts, depth + 1) for item in value]
    return value


_NEVER_SENT_HEADERS = frozenset({"cookie", "authorization", "proxy-authorization"})


def scrub_headers(headers: Dict[str, str], extra_parts: Iterable[str] = ()) -> Dict[str, str]:
    """Request headers as sent: cookies and credentials never leave; other sensitive ones filtered."""
    return {
        key: FILTERED if is_sensitive_key(key, extra_parts) else value
        for key, value in headers.items()
        if key.lower() not in _NEVER_SENT_HEADERS
    }
