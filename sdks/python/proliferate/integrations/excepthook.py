"""Uncaught exceptions in the main thread (``sys.excepthook``): captured, flushed, then passed on."""

import sys
from typing import Any

from .. import hub


class ExcepthookIntegration:
    identifier = "excepthook"
    _installed = False

    def setup(self, client: Any) -> None:
        if ExcepthookIntegration._installed:
            return
        ExcepthookIntegration._installed = True
        previous = sys.excepthook

        def excepthook(exc_type: Any, exc: Any, tb: Any) -> None:
            try:
                if hub.current_client() is not None and not issubclass(exc_type, KeyboardInterrupt):
                    from ..api import capture_exception, flush

                    capture_exception((exc_type, exc, tb), mechanism={"type": "excepthook", "handled": False})
                    flush()
            except Exception:
                pass
            previous(exc_type, exc, tb)

        sys.excepthook = excepthook
