"""Integrations: automatic capture hooks installed by ``init()``, and framework middleware.

Each hook is installed once per process and reads the current client when it fires, so calling
``init()`` again never stacks hooks. Pass ``integrations=[LoggingIntegration(...)]`` to configure one;
``default_integrations=False`` installs none of the defaults.
"""

from typing import Any, Dict, List

from .db_breadcrumbs import DatabaseBreadcrumbsIntegration
from .excepthook import ExcepthookIntegration
from .frameworks import FlaskIntegration, StarletteIntegration
from .http_breadcrumbs import HttpBreadcrumbsIntegration
from .logging import LoggingIntegration
from .threading import ThreadingIntegration


def default_integrations() -> List[Any]:
    return [
        ExcepthookIntegration(),
        ThreadingIntegration(),
        LoggingIntegration(),
        StarletteIntegration(),
        FlaskIntegration(),
        HttpBreadcrumbsIntegration(),
        DatabaseBreadcrumbsIntegration(),
    ]


def setup_integrations(client: Any) -> None:
    chosen: Dict[str, Any] = {}
    if client.options.default_integrations:
        for integration in default_integrations():
            chosen[integration.identifier] = integration
    for integration in client.options.integrations:
        chosen[integration.identifier] = integration
    for identifier, integration in chosen.items():
        try:
            if integration.setup(client) is not False:
                client.integrations.append(identifier)
        except Exception as error:
            from .. import debug

            debug.warn("integration %s failed to install: %r", identifier, error)


__all__ = [
    "DatabaseBreadcrumbsIntegration",
    "HttpBreadcrumbsIntegration",
    "ExcepthookIntegration",
    "FlaskIntegration",
    "LoggingIntegration",
    "StarletteIntegration",
    "ThreadingIntegration",
    "setup_integrations",
]
