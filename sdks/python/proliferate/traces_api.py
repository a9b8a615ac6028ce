"""Trace tags and trace search after the fact (seed 004), as MLflow's ``set_trace_tag``,
``delete_trace_tag`` and ``search_traces`` offer them, against the server of the DSN.

These are explicit calls to the query API, not capture paths: they need an API token
(``init(api_token=...)`` or ``PROLIFERATE_API_TOKEN``) and raise :class:`ProliferateApiError`
when the server refuses or cannot be reached, so a script knows its tag did not land.
"""

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, List, Optional, Sequence, Union

from . import hub
from .dsn import Destination

DEFAULT_TIMEOUT = 10.0
_PAGE_LIMIT = 1000  # the API's largest page


class ProliferateApiError(Exception):
    """The query API refused a request (``status`` and ``code`` from its JSON error body), or the
    SDK could not make it (``status`` 0: no DSN, no token, network error)."""

    def __init__(self, message: str, status: int = 0, code: str = "client_error", details: Optional[Dict[str, Any]] = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.details = details or {}


class TraceInfo:
    """What MLflow calls ``trace.info``: the summary of one trace."""

    def __init__(self, data: Dict[str, Any]) -> None:
        self.trace_id: str = data.get("traceId", "")
        self.request_id = self.trace_id  # MLflow's older name
        self.project_id = data.get("projectId")
        self.name: Optional[str] = data.get("name")
        self.status: str = data.get("status", "UNSET")
        self.state = self.status
        self.timestamp_ms: int = data.get("timestampMs", 0)
        self.request_time = self.timestamp_ms
        self.execution_time_ms: Optional[int] = data.get("executionTimeMs")
        self.execution_duration = self.execution_time_ms
        self.span_count: int = data.get("spanCount", 0)
        self.tags: Dict[str, str] = dict(data.get("tags") or {})
        self.request_metadata: Dict[str, str] = dict(data.get("metadata") or {})
        self.trace_metadata = self.request_metadata

    def __repr__(self) -> str:
        return f"TraceInfo(trace_id={self.trace_id!r}, status={self.status!r}, execution_time_ms={self.execution_time_ms!r})"


class Trace:
    """One search result; ``trace.info`` as in MLflow, ``trace.data`` the raw JSON of the API."""

    def __init__(self, data: Dict[str, Any]) -> None:
        self.info = TraceInfo(data)
        self.data = data

    def __repr__(self) -> str:
        return f"Trace({self.info!r})"


def _target() -> "tuple[Destination, str, float]":
    client = hub.current_client()
    options = getattr(client, "options", None)
    destination = getattr(options, "destination", None)
    if destination is None:
        raise ProliferateApiError("no DSN: call proliferate.init(dsn=...) before set_trace_tag / search_traces")
    token = getattr(options, "api_token", None) or os.environ.get("PROLIFERATE_API_TOKEN")
    if not token:
        raise ProliferateApiError(
            "no API token: pass proliferate.init(api_token=...) or set PROLIFERATE_API_TOKEN "
            "(the DSN's public key only sends events; create a token with `proliferate token create`)"
        )
    return destination, token, float(getattr(options, "request_timeout", DEFAULT_TIMEOUT) or DEFAULT_TIMEOUT)


def _request(method: str, path: str, body: Optional[Dict[str, Any]] = None) -> "tuple[Any, Dict[str, str]]":
    destination, token, timeout = _target()
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    if data is not None:
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(destination.base_url + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=max(timeout, DEFAULT_TIMEOUT)) as response:
            raw = response.read()
            return (json.loads(raw) if raw else None), dict(response.headers.items())
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            detail = json.loads(raw).get("error") or {}
        except Exception:
            detail = {}
        message = detail.get("message") or f"HTTP {error.code}"
        raise ProliferateApiError(f"{method} {path}: {message}", error.code, detail.get("code") or "http_error", detail) from None
    except (urllib.error.URLError, OSError) as error:
        raise ProliferateApiError(f"{method} {path}: {error}", 0, "network_error") from None


def _trace_path(trace_id: str, key: Optional[str] = None) -> str:
    if not isinstance(trace_id, str) or not trace_id:
        raise ValueError("trace_id must be a non-empty string")
    destination, _, _ = _target()
    path = f"/api/0/traces/{urllib.parse.quote(trace_id, safe='')}/"
    if key is not None:
        path += f"tags/{urllib.parse.quote(str(key), safe='')}"
    return path + "?" + urllib.parse.urlencode({"project": destination.project_id})


def set_trace_tag(trace_id: str, key: str, value: Any) -> None:
    """Sets (adds or replaces) a tag on a finished trace of the DSN's project. The server applies
    the tag rules; a broken one raises :class:`ProliferateApiError` with code ``invalid_tag_key``
    or ``invalid_tag_value``, an unknown trace one with status 404."""
    _request("PUT", _trace_path(trace_id, key), {"value": value})


def delete_trace_tag(trace_id: str, key: str) -> None:
    """Deletes a tag of a trace; a trace without that tag raises :class:`ProliferateApiError` (404)."""
    _request("DELETE", _trace_path(trace_id, key))


def search_traces(
    filter_string: Optional[str] = None,
    order_by: Optional[Union[str, Sequence[str]]] = None,
    max_results: Optional[int] = None,
    experiment_ids: Optional[Sequence[str]] = None,
) -> List[Trace]:
    """Traces of the DSN's project matching MLflow's filter string (docs/traces.md, "Grammar"),
    ``order_by=["timestamp_ms DESC"]`` (one field), at most ``max_results`` (default 100; pages
    are fetched until it is reached). ``experiment_ids`` is accepted for MLflow code and ignored:
    the project is the DSN's."""
    if isinstance(order_by, str):
        order_by = [order_by]
    if order_by and len(order_by) > 1:
        raise ValueError("order_by takes one field and direction, e.g. ['timestamp_ms DESC']")
    wanted = 100 if max_results is None else int(max_results)
    if wanted < 1:
        raise ValueError("max_results must be at least 1")
    destination, _, _ = _target()
    results: List[Trace] = []
    cursor: Optional[str] = None
    while len(results) < wanted:
        params: Dict[str, Any] = {"max_results": min(_PAGE_LIMIT, wanted - len(results))}
        if filter_string:
            params["filter"] = filter_string
        if order_by:
            params["order_by"] = order_by[0]
        if cursor:
            params["page_token"] = cursor
        path = f"/api/0/projects/{urllib.parse.quote(destination.project_id, safe='')}/traces/?{urllib.parse.urlencode(params)}"
        body, headers = _request("GET", path)
        results.extend(Trace(item) for item in body or [])
        cursor = next((v for k, v in headers.items() if k.lower() == "x-next-cursor"), None)
        if not cursor or not body:
            break
    return results[:wanted]
