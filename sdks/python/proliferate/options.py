"""``init()`` options and their defaults."""

import os
import warnings
from typing import Any, Callable, Dict, List, Optional, Sequence

from .detect import detect_environment, detect_release, detect_server_name
from .dsn import Destination, DsnError, from_endpoint, parse_dsn
from .scope import DEFAULT_MAX_BREADCRUMBS

Event = Dict[str, Any]
Hint = Dict[str, Any]


class Options:
    def __init__(
        self,
        dsn: Optional[str] = None,
        *,
        endpoint: Optional[str] = None,
        api_key: Optional[str] = None,
        api_token: Optional[str] = None,
        project_id: Optional[str] = None,
        environment: Optional[str] = None,
        release: Optional[str] = None,
        server_name: Optional[str] = None,
        sample_rate: float = 1.0,
        traces_sample_rate: Optional[float] = None,
        max_breadcrumbs: int = DEFAULT_MAX_BREADCRUMBS,
        before_send: Optional[Callable[[Event, Hint], Optional[Event]]] = None,
        before_send_transaction: Optional[Callable[[Event, Hint], Optional[Event]]] = None,
        before_breadcrumb: Optional[Callable[[Dict[str, Any], Hint], Optional[Dict[str, Any]]]] = None,
        debug: bool = False,
        enable_logs: bool = False,
        integrations: Sequence[Any] = (),
        default_integrations: bool = True,
        in_app_include: Sequence[str] = (),
        in_app_exclude: Sequence[str] = (),
        scrub_keys: Sequence[str] = (),
        attach_stacktrace: bool = False,
        transport: Any = None,
        max_queue_size: int = 100,
        shutdown_timeout: float = 2.0,
        request_timeout: float = 5.0,
        max_retries: int = 3,
        gzip_level: int = 6,
        **unknown: Any,
    ) -> None:
        if unknown:  # e.g. options of the official SDK when migrating: ignored, never fatal
            warnings.warn(f"proliferate: unknown init options ignored: {', '.join(sorted(unknown))}", RuntimeWarning, stacklevel=3)
        self.destination: Optional[Destination] = None
        if dsn is Ellipsis:  # `proliferate.init(...)`, as the docs write "your options here"
            dsn = None
        dsn = dsn if dsn is not None else os.environ.get("PROLIFERATE_DSN") or os.environ.get("SENTRY_DSN") or None
        try:
            if dsn:
                self.destination = parse_dsn(dsn)
            elif endpoint or os.environ.get("PROLIFERATE_ENDPOINT"):
                key = api_key or os.environ.get("PROLIFERATE_API_KEY")
                if not key:
                    raise DsnError("init(endpoint=...) needs api_key='pk_...'")
                self.destination = from_endpoint(endpoint or os.environ["PROLIFERATE_ENDPOINT"], key, project_id)
        except DsnError as error:
            # A bad DSN must not stop the application from starting: warn, and send nothing.
            warnings.warn(f"proliferate: {error}; events will not be sent", RuntimeWarning, stacklevel=3)
            self.destination = None
        # The query API token (not the DSN's public key) for set_trace_tag / search_traces.
        self.api_token = api_token or os.environ.get("PROLIFERATE_API_TOKEN") or None
        self.environment = environment or detect_environment()
        self.release = release or detect_release()
        self.server_name = server_name or detect_server_name()
        self.sample_rate = _rate(sample_rate, 1.0)
        self.traces_sample_rate = None if traces_sample_rate is None else _rate(traces_sample_rate, 0.0)
        self.max_breadcrumbs = max(0, int(max_breadcrumbs))
        self.before_send = before_send
        self.before_send_transaction = before_send_transaction
        self.before_breadcrumb = before_breadcrumb
        self.debug = bool(debug)
        self.enable_logs = bool(enable_logs)
        self.integrations: List[Any] = list(integrations)
        self.default_integrations = default_integrations
        self.in_app_include = tuple(in_app_include)
        self.in_app_exclude = tuple(in_app_exclude)
        self.scrub_keys = tuple(key.lower().replace("-", "_") for key in scrub_keys)
        self.attach_stacktrace = attach_stacktrace
        self.transport = transport
        self.max_queue_size = max(1, int(max_queue_size))
        self.shutdown_timeout = float(shutdown_timeout)
        self.request_timeout = float(request_timeout)
        self.max_retries = max(0, int(max_retries))
        self.gzip_level = int(gzip_level)

    @property
    def dsn(self) -> Optional[str]:
        return self.destination.dsn if self.destination else None


def _rate(value: Any, fallback: float) -> float:
    try:
        rate = float(value)
    except (TypeError, ValueError):
        return fallback
    return min(1.0, max(0.0, rate))
