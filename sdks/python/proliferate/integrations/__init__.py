"""Integrations: automatic capture hooks installed by ``init()``, and framework middleware.

Each hook is installed once per process and reads the current client when it fires, so calling
``init()`` again never stacks hooks. Pass ``integrations=[LoggingIntegration(...)]`` to configure one;
``default_integrations=False`` installs none of the defaults.
"""

from typing import Any, Dict, List

from .excepthook import ExcepthookIntegration
from .logging import LoggingIntegration
from .threading import ThreadingIntegration


def default_integrations() -> List[Any]:
    return [ExcepthookIntegration(), ThreadingIntegration(), LoggingIntegration()]


def setup_integrations(client: Any) -> None:
    chosen: Dict[str, Any] = {}
    if client.options.default_integrations:
        for integration in default_integrations():
            chosen[integration.identifier] = integration
    for integration in client.options.integrations:
        chosen[integration.identifier] = integration
    for identifier, integration in chosen.items():
        try:
            integration.setup(client)
            client.integrations.append(identifier)
        except Exception as error:
            from .. import debug

            debug.warn("integration %s failed to install: %r", identifier, error)


__all__ = ["ExcepthookIntegration", "LoggingIntegration", "ThreadingIntegration", "setup_integrations"]
