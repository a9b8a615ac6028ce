"""The SDK's own diagnostics: silent unless ``init(debug=True)``; never raises."""

import logging

logger = logging.getLogger("proliferate")
enabled = False


def configure(on: bool) -> None:
    global enabled
    enabled = bool(on)
    if enabled and not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("[proliferate] %(levelname)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
        logger.propagate = False


def warn(message: str, *args: object) -> None:
    if enabled:
        try:
            logger.warning(message, *args)
        except Exception:
            pass


def info(message: str, *args: object) -> None:
    if enabled:
        try:
            logger.debug(message, *args)
        except Exception:
            pass
