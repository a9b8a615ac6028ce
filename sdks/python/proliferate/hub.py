"""The process's client: set by ``init()``, read by everything that sends."""

from typing import Any, Optional

_client: Optional[Any] = None


def current_client() -> Optional[Any]:
    return _client


def bind_client(client: Optional[Any]) -> None:
    global _client
    _client = client
