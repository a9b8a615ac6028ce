"""HTTP breadcrumbs (seed 002): every request the application makes through ``http.client`` (so
``urllib.request``, ``requests`` and ``urllib3``, which build on it) and through ``httpx`` when it is
importable, as ``{type: "http", category: "httplib", data: {method, url, status_code}}``.

The URL is kept without its query string and fragment and without credentials (they often carry
tokens); the SDK's own requests to the server are not recorded.
"""

import http.client
import sys
from typing import Any, Optional
from urllib.parse import urlsplit, urlunsplit


def clean_url(url: str) -> str:
    """The URL without user info, query and fragment."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc.rsplit("@", 1)[-1]
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    except Exception:
        return "[unparsable url]"


def _add(method: str, url: str, status: Optional[int], error: Optional[BaseException] = None) -> None:
    from ..api import add_breadcrumb

    data: dict = {"method": method.upper(), "url": clean_url(url)}
    if status is not None:
        data["status_code"] = status
    if error is not None:
        data["reason"] = type(error).__name__
    level = "error" if error is not None or (status or 0) >= 500 else "warning" if (status or 0) >= 400 else "info"
    add_breadcrumb(type="http", category="httplib", level=level, data=data)


def _connection_url(conn: Any, target: str) -> str:
    if target.startswith(("http://", "https://")):
        return target  # a proxy request carries the absolute URL
    scheme = "https" if isinstance(conn, getattr(http.client, "HTTPSConnection", ())) else "http"
    default = 443 if scheme == "https" else 80
    host = conn.host if conn.port in (None, default) else f"{conn.host}:{conn.port}"
    return f"{scheme}://{host}{target}"


class HttpBreadcrumbsIntegration:
    identifier = "http_breadcrumbs"
    _installed_stdlib = False
    _installed_httpx = False

    def setup(self, client: Any) -> None:
        if not HttpBreadcrumbsIntegration._installed_stdlib:
            HttpBreadcrumbsIntegration._installed_stdlib = True
            _patch_http_client()
        # Only when installed: the SDK itself stays standard-library only.
        if not HttpBreadcrumbsIntegration._installed_httpx and ("httpx" in sys.modules or _importable("httpx")):
            HttpBreadcrumbsIntegration._installed_httpx = True
            _patch_httpx()


def _importable(name: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(name) is not None
    except Exception:
        return False


def _patch_http_client() -> None:
    connection = http.client.HTTPConnection
    original_putrequest = connection.putrequest
    original_getresponse = connection.getresponse
    original_endheaders = connection.endheaders

    def putrequest(self: Any, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        if not getattr(self, "_proliferate_internal", False):
            try:
                self._proliferate_request = (method, _connection_url(self, url))
            except Exception:
                self._proliferate_request = None
        return original_putrequest(self, method, url, *args, **kwargs)

    def endheaders(self: Any, *args: Any, **kwargs: Any) -> Any:
        # Connecting happens here: a refused or timed-out connection never reaches getresponse().
        try:
            return original_endheaders(self, *args, **kwargs)
        except BaseException as error:
            request = getattr(self, "_proliferate_request", None)
            self._proliferate_request = None
            if request is not None:
                _safe(_add, request[0], request[1], None, error)
            raise

    def getresponse(self: Any, *args: Any, **kwargs: Any) -> Any:
        request = getattr(self, "_proliferate_request", None)
        self._proliferate_request = None
        try:
            response = original_getresponse(self, *args, **kwargs)
        except BaseException as error:
            if request is not None:
                _safe(_add, request[0], request[1], None, error)
            raise
        if request is not None:
            _safe(_add, request[0], request[1], getattr(response, "status", None))
        return response

    connection.putrequest = putrequest  # type: ignore[method-assign]
    connection.getresponse = getresponse  # type: ignore[method-assign]
    connection.endheaders = endheaders  # type: ignore[method-assign]


def _patch_httpx() -> None:
    import httpx

    sync_send = httpx.Client.send
    async_send = httpx.AsyncClient.send

    def send(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            response = sync_send(self, request, *args, **kwargs)
        except BaseException as error:
            _safe(_add, request.method, str(request.url), None, error)
            raise
        _safe(_add, request.method, str(request.url), response.status_code)
        return response

    async def asend(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            response = await async_send(self, request, *args, **kwargs)
        except BaseException as error:
            _safe(_add, request.method, str(request.url), None, error)
            raise
        _safe(_add, request.method, str(request.url), response.status_code)
        return response

    httpx.Client.send = send  # type: ignore[method-assign]
    httpx.AsyncClient.send = asend  # type: ignore[method-assign]


def _safe(fn: Any, *args: Any) -> None:
    """A breadcrumb must never break the application's request."""
    try:
        fn(*args)
    except Exception:
        pass
