"""Python exceptions and frames in the Sentry event schema.

Frames are listed oldest first (the Sentry order); the last one is where the error was raised.
``function`` is the code object's name (as the official SDK sends it, so both group the same way).
"""

import builtins
import linecache
import os
import sys
import sysconfig
from functools import lru_cache
from types import FrameType, TracebackType
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

CONTEXT_LINES = 5
MAX_FRAMES = 100
MAX_CHAIN = 10
MAX_VALUE_LENGTH = 8192


def _library_roots() -> Tuple[str, ...]:
    roots = set()
    for name in ("stdlib", "platstdlib", "purelib", "platlib"):
        try:
            path = sysconfig.get_path(name)
        except Exception:
            path = None
        if path:
            roots.add(os.path.realpath(path))
    return tuple(sorted(roots, key=len, reverse=True))


_LIBRARY_ROOTS = _library_roots()


def _relative_filename(abs_path: str, module: Optional[str]) -> str:
    """``app/views.py`` for ``/srv/app/views.py`` run from ``/srv``: the path from its import root."""
    if module and not module.startswith("__"):
        parts = module.split(".")
        base = os.path.basename(abs_path)
        if base == "__init__.py":
            parts.append("__init__")
        depth = len(parts)
        pieces = abs_path.replace("\\", "/").split("/")
        if len(pieces) >= depth:
            return "/".join(pieces[-depth:])
    return os.path.basename(abs_path) or abs_path


def is_in_app(abs_path: Optional[str], module: Optional[str], include: Sequence[str] = (), exclude: Sequence[str] = ()) -> bool:
    return _in_app(abs_path, module, tuple(include), tuple(exclude))


@lru_cache(maxsize=8192)
def _in_app(abs_path: Optional[str], module: Optional[str], include: Tuple[str, ...], exclude: Tuple[str, ...]) -> bool:
    if module:
        if any(module == prefix or module.startswith(prefix + ".") for prefix in include):
            return True
        if any(module == prefix or module.startswith(prefix + ".") for prefix in exclude):
            return False
        if module == "proliferate" or module.startswith("proliferate."):
            return False  # the SDK's own frames (middleware) are never the application's code
    if not abs_path or abs_path.startswith("<"):
        return False
    if "site-packages" in abs_path or "dist-packages" in abs_path:
        return False
    real = os.path.realpath(abs_path)
    return not any(real.startswith(root + os.sep) for root in _LIBRARY_ROOTS)


def _context(abs_path: str, lineno: int, f_globals: Dict[str, Any], checked: Optional[set] = None) -> Dict[str, Any]:
    try:
        if checked is None or abs_path not in checked:
            linecache.checkcache(abs_path)  # a stat per file and capture, not per frame
            if checked is not None:
                checked.add(abs_path)
        lines = linecache.getlines(abs_path, f_globals)
    except Exception:
        return {}
    if not lines or lineno < 1 or lineno > len(lines):
        return {}
    index = lineno - 1
    strip = lambda line: line.rstrip("\r\n")  # noqa: E731
    return {
        "pre_context": [strip(line) for line in lines[max(0, index - CONTEXT_LINES) : index]],
        "context_line": strip(lines[index]),
        "post_context": [strip(line) for line in lines[index + 1 : index + 1 + CONTEXT_LINES]],
    }


@lru_cache(maxsize=8192)
def _paths(path: str, module: Optional[str]) -> Tuple[str, str]:
    if path.startswith("<"):
        return path, path
    return _relative_filename(path, module), os.path.abspath(path)


def frame_to_dict(
    frame: FrameType,
    lineno: int,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    with_context: bool = True,
    checked: Optional[set] = None,
) -> Dict[str, Any]:
    code = frame.f_code
    abs_path = code.co_filename
    module = frame.f_globals.get("__name__")
    filename, absolute = _paths(abs_path, module)
    result: Dict[str, Any] = {
        "filename": filename,
        "abs_path": absolute,
        "function": code.co_name,
        "module": module,
        "lineno": lineno,
        "in_app": is_in_app(abs_path, module, include, exclude),
    }
    if with_context and not abs_path.startswith("<"):
        result.update(_context(abs_path, lineno, frame.f_globals, checked))
    return result


def _trim(frames: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Keeps both ends of very deep stacks: the entry point and, above all, where it was raised."""
    if len(frames) <= MAX_FRAMES:
        return frames
    half = MAX_FRAMES // 2
    return frames[:half] + frames[-half:]


def frames_from_traceback(tb: Optional[TracebackType], include: Sequence[str] = (), exclude: Sequence[str] = ()) -> List[Dict[str, Any]]:
    frames = []
    checked: set = set()
    while tb is not None:
        frames.append(frame_to_dict(tb.tb_frame, tb.tb_lineno, include, exclude, checked=checked))
        tb = tb.tb_next
    return _trim(frames)


def current_stack(skip: int = 0, include: Sequence[str] = (), exclude: Sequence[str] = ()) -> List[Dict[str, Any]]:
    """The calling thread's stack, oldest first, without the SDK's own frames."""
    frame: Optional[FrameType] = sys._getframe(skip + 1)
    frames = []
    while frame is not None:
        if not frame.f_globals.get("__name__", "").startswith("proliferate"):
            frames.append(frame_to_dict(frame, frame.f_lineno, include, exclude))
        frame = frame.f_back
    frames.reverse()
    return _trim(frames)


def _type_name(exc_type: type) -> str:
    return exc_type.__name__


def _value(exc: BaseException) -> str:
    try:
        text = str(exc)
    except Exception:
        text = "<unprintable exception>"
    return text if len(text) <= MAX_VALUE_LENGTH else text[: MAX_VALUE_LENGTH - 1] + "\u2026"


def exception_chain(exc: BaseException) -> List[BaseException]:
    """The captured exception and its causes, oldest (innermost cause) first."""
    chain: List[BaseException] = []
    seen = set()
    current: Optional[BaseException] = exc
    while current is not None and id(current) not in seen and len(chain) < MAX_CHAIN:
        seen.add(id(current))
        chain.append(current)
        if current.__cause__ is not None:
            current = current.__cause__
        elif current.__context__ is not None and not current.__suppress_context__:
            current = current.__context__
        else:
            current = None
    chain.reverse()
    return chain


_EXCEPTION_GROUP = getattr(builtins, "BaseExceptionGroup", None)  # Python 3.11+


def _entries(exc: BaseException, depth: int = 0) -> List[Tuple[BaseException, Optional[str]]]:
    """What to send for ``exc``, oldest first, each with how it relates to the next one: its causes,
    the members of an exception group (each with its own causes), then ``exc`` itself, last."""
    chain = exception_chain(exc)
    entries: List[Tuple[BaseException, Optional[str]]] = []
    for index, item in enumerate(chain):
        if _EXCEPTION_GROUP is not None and isinstance(item, _EXCEPTION_GROUP) and depth < 3:
            for number, member in enumerate(item.exceptions):
                member_entries = _entries(member, depth + 1)
                member_entries[-1] = (member_entries[-1][0], f"exceptions[{number}]")
                entries.extend(member_entries)
        if index < len(chain) - 1:
            entries.append((item, "__cause__" if chain[index + 1].__cause__ is item else "__context__"))
        else:
            entries.append((item, None))
    return entries


def exceptions_to_values(
    exc: BaseException,
    mechanism: Optional[Dict[str, Any]] = None,
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
) -> List[Dict[str, Any]]:
    """Sentry's ``exception.values``: oldest first, the captured exception last (what grouping uses)."""
    include, exclude = tuple(include), tuple(exclude)
    entries = _entries(exc)[-MAX_CHAIN:]
    values = []
    for item, source in entries:
        exc_type = type(item)
        module = exc_type.__module__
        value: Dict[str, Any] = {
            "type": _type_name(exc_type),
            "value": _value(item),
            "module": None if module == "builtins" else module,
            "stacktrace": {"frames": frames_from_traceback(item.__traceback__, include, exclude)},
        }
        if source is None:
            value["mechanism"] = dict(mechanism or {"type": "generic", "handled": True})
        else:
            value["mechanism"] = {"type": "chained", "handled": True, "source": source}
        values.append(value)
    return values
