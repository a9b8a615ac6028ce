"""Uncaught exceptions in threads (``threading.excepthook``): captured, then passed on."""

import threading
from typing import Any

from .. import hub


class ThreadingIntegration:
    identifier = "threading"
    _installed = False

    def setup(self, client: Any) -> None:
        if ThreadingIntegration._installed:
            return
        ThreadingIntegration._installed = True
        previous = threading.excepthook

        def excepthook(args: Any) -> None:
            try:
                if hub.current_client() is not None and args.exc_value is not None:
                    from ..api import capture_exception

                    thread = args.thread.name if args.thread is not None else None
                    capture_exception(
                        (args.exc_type, args.exc_value, args.exc_traceback),
                        mechanism={"type": "threading", "handled": False},
                        contexts={"thread": {"name": thread}} if thread else None,
                    )
            except Exception:
                pass
            previous(args)

        threading.excepthook = excepthook
