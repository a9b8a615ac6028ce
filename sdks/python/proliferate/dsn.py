"""Where to send: a DSN (``http://pk_...@host:port/projectId``) or an endpoint plus an API key."""

import os
import re
from typing import Optional
from urllib.parse import urlsplit


class DsnError(ValueError):
    pass


class Destination:
    """The envelope URL and the public key that authenticates it."""

    def __init__(self, base_url: str, project_id: str, public_key: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.project_id = project_id
        self.public_key = public_key

    @property
    def envelope_url(self) -> str:
        return f"{self.base_url}/api/{self.project_id}/envelope/"

    @property
    def dsn(self) -> str:
        scheme, rest = self.base_url.split("://", 1)
        return f"{scheme}://{self.public_key}@{rest}/{self.project_id}"

    @property
    def auth_header(self) -> str:
        from .version import SDK_NAME, VERSION

        return f"Sentry sentry_key={self.public_key}, sentry_version=7, sentry_client={SDK_NAME}/{VERSION}"


def parse_dsn(dsn: str) -> Destination:
    parts = urlsplit(dsn.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or not parts.username:
        raise DsnError(f"invalid DSN (expected http(s)://<public key>@<host>/<project id>): {dsn!r}")
    path = parts.path.rstrip("/")
    prefix, _, project_id = path.rpartition("/")
    if not project_id:
        raise DsnError(f"DSN has no project id: {dsn!r}")
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    port = f":{parts.port}" if parts.port else ""
    return Destination(f"{parts.scheme}://{host}{port}{prefix}", project_id, parts.username)


_ENVELOPE_PATH = re.compile(r"^(?P<base>.*)/api/(?P<project>[^/]+)(/envelope|/store)?/?$")


def from_endpoint(endpoint: str, api_key: str, project_id: Optional[str] = None) -> Destination:
    """``endpoint`` is the server's URL (``https://errors.example.com``) or an ingest URL
    (``.../api/1/envelope/``); the project comes from it, from ``project_id``, or defaults to ``1``.
    """
    endpoint = endpoint.strip()
    match = _ENVELOPE_PATH.match(endpoint)
    if match:
        return Destination(match.group("base"), match.group("project"), api_key)
    if not endpoint.startswith(("http://", "https://")):
        raise DsnError(f"invalid endpoint (expected an http(s) URL): {endpoint!r}")
    return Destination(endpoint, project_id or os.environ.get("PROLIFERATE_PROJECT_ID") or "1", api_key)
