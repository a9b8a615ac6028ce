"""What the server asked us not to send, and until when (429, Retry-After, X-Sentry-Rate-Limits)."""

import time
from email.utils import parsedate_to_datetime
from typing import Dict, Mapping, Optional

DEFAULT_RETRY_AFTER = 60.0
_ALL = "*"


def parse_retry_after(value: Optional[str]) -> float:
    """Seconds to wait: ``Retry-After`` is either a number of seconds or an HTTP date."""
    if not value:
        return DEFAULT_RETRY_AFTER
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError, IndexError, OverflowError):
        return DEFAULT_RETRY_AFTER


class RateLimits:
    def __init__(self) -> None:
        self._until: Dict[str, float] = {}

    def is_limited(self, category: str, now: Optional[float] = None) -> bool:
        now = time.monotonic() if now is None else now
        return self._until.get(category, 0.0) > now or self._until.get(_ALL, 0.0) > now

    def update(self, status: int, headers: Mapping[str, str]) -> None:
        """Reads the limits from a response; ``headers`` must be looked up case-insensitively."""
        now = time.monotonic()
        header = headers.get("X-Sentry-Rate-Limits")
        if header:
            # "60:error;transaction:key, 2700:default:organization": seconds, categories (none = all), ...
            for limit in header.split(","):
                fields = limit.strip().split(":")
                try:
                    seconds = float(fields[0])
                except ValueError:
                    continue
                categories = [c for c in (fields[1].split(";") if len(fields) > 1 else []) if c] or [_ALL]
                for category in categories:
                    self._until[category] = max(self._until.get(category, 0.0), now + seconds)
        elif status == 429:
            seconds = parse_retry_after(headers.get("Retry-After"))
            self._until[_ALL] = max(self._until.get(_ALL, 0.0), now + seconds)
