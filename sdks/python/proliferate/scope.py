"""Scopes: plain data with setters and ``fork()``.

Three of them apply to every event, merged in this order (later wins):

- the global scope, one per process;
- the isolation scope, one per request or task: what the top-level ``set_tag`` & co. write to;
- the current scope, one per ``push_scope()`` / ``new_scope()`` block.

Isolation and current scopes live in ``contextvars``, so they follow threads started with a copied
context and asyncio tasks. A request framework integration forks the isolation scope per request.
Without one, the SDK still keeps requests apart in asyncio: the first write from a task to the
process-wide isolation scope forks a copy owned by that task (copy on write), so tags that a
FastAPI ``@app.middleware("http")`` function sets apply to its own request only, while tags set at
start-up (outside any task, or in the task that called ``init()``) stay in the process-wide scope
and are inherited by every request.
"""

import sys
import time
import uuid
import weakref
from collections import deque
from contextvars import ContextVar
from typing import Any, Deque, Dict, List, Optional

from . import debug
from .hub import current_client
from .scrub import scrub
from .tags import check_tag, looks_sensitive_tag_key, preview, record_tag_drop

DEFAULT_MAX_BREADCRUMBS = 50
_ROOT = object()


def new_trace_id() -> str:
    return uuid.uuid4().hex


class Scope:
    __slots__ = (
        "kind",
        "_tags",
        "_tag_drops",
        "_extra",
        "_contexts",
        "_user",
        "_account",
        "_level",
        "_fingerprint",
        "_transaction",
        "_breadcrumbs",
        "_span",
        "_trace_id",
        "_owner",
        "__weakref__",
    )

    def __init__(self, kind: str = "current") -> None:
        self.kind = kind
        self._tags: Dict[str, str] = {}
        # Tags dropped for breaking a rule, by key: sent in the event's ``errors`` (see tags.py).
        self._tag_drops: Dict[str, Dict[str, Any]] = {}
        self._extra: Dict[str, Any] = {}
        self._contexts: Dict[str, Dict[str, Any]] = {}
        self._user: Optional[Dict[str, Any]] = None
        self._account: Optional[Dict[str, Any]] = None
        self._level: Optional[str] = None
        self._fingerprint: Optional[List[str]] = None
        self._transaction: Optional[str] = None
        self._breadcrumbs: Deque[Dict[str, Any]] = deque()
        self._span: Any = None
        self._trace_id: Optional[str] = None
        self._owner: Any = None  # None: shared by every task that sees it; else copy on write

    def fork(self) -> "Scope":
        """A copy to change without touching this scope."""
        other = Scope(self.kind)
        other._tags = dict(self._tags)
        other._tag_drops = dict(self._tag_drops)
        other._extra = dict(self._extra)
        other._contexts = dict(self._contexts)
        other._user = self._user
        other._account = self._account
        other._level = self._level
        other._fingerprint = self._fingerprint
        other._transaction = self._transaction
        other._breadcrumbs = deque(self._breadcrumbs)
        other._span = self._span
        other._trace_id = self._trace_id
        return other

    # -- tags --------------------------------------------------------------------------------------
    def set_tag(self, key: str, value: Any) -> "Scope":
        """Sets a tag if it follows the tag rules; an invalid tag is dropped with a debug warning."""
        text, reason = check_tag(key, value)
        if reason is not None:
            debug.warn("dropped tag %s=%s: %s", preview(key), preview(value), reason)
            record_tag_drop(self._tag_drops, key, value, reason)
            return self
        if debug.enabled and looks_sensitive_tag_key(key):
            debug.warn("tag key %r looks sensitive: tags are indexed and shown in full; use a context", key)
        self._tags[key] = text  # type: ignore[assignment]
        if self._tag_drops:
            self._tag_drops.pop(key, None)  # a valid value replaces an earlier invalid one
        return self

    def set_tags(self, tags: Dict[str, Any]) -> "Scope":
        for key, value in tags.items():
            self.set_tag(key, value)
        return self

    def remove_tag(self, key: str) -> "Scope":
        self._tags.pop(key, None)
        self._tag_drops.pop(key, None)
        return self

    # -- extra, contexts, user, account --------------------------------------------------------------
    def set_extra(self, key: str, value: Any) -> "Scope":
        self._extra[key] = value
        return self

    def set_extras(self, extras: Dict[str, Any]) -> "Scope":
        self._extra.update(extras)
        return self

    def remove_extra(self, key: str) -> "Scope":
        self._extra.pop(key, None)
        return self

    def set_context(self, name: str, value: Optional[Dict[str, Any]]) -> "Scope":
        """Sets a named context; ``None`` removes it."""
        if value is None:
            self._contexts.pop(name, None)
        elif not isinstance(value, dict):
            debug.warn("set_context(%r) needs a dict, got %s", name, type(value).__name__)
        else:
            self._contexts[name] = dict(value)
        return self

    def remove_context(self, name: str) -> "Scope":
        self._contexts.pop(name, None)
        return self

    def set_user(self, user: Optional[Dict[str, Any]]) -> "Scope":
        """Sets the user (``id``, ``email``, ``username``, ``ip_address``, ...); ``None`` clears it."""
        self._user = dict(user) if user else None
        return self

    def set_account(self, account: Optional[Dict[str, Any]]) -> "Scope":
        """Sets the account (organisation, tenant) the user acts for; sent as ``contexts.account``."""
        self._account = dict(account) if account else None
        return self

    def set_level(self, level: Optional[str]) -> "Scope":
        self._level = level
        return self

    def set_fingerprint(self, fingerprint: Optional[List[str]]) -> "Scope":
        self._fingerprint = list(fingerprint) if fingerprint else None
        return self

    def set_transaction_name(self, name: Optional[str]) -> "Scope":
        self._transaction = name
        return self

    # -- breadcrumbs ---------------------------------------------------------------------------------
    def add_breadcrumb(self, crumb: Optional[Dict[str, Any]] = None, hint: Optional[Dict[str, Any]] = None, **kwargs: Any) -> "Scope":
        breadcrumb: Dict[str, Any] = dict(crumb or {})
        breadcrumb.update(kwargs)
        breadcrumb.setdefault("timestamp", time.time())
        breadcrumb.setdefault("type", "default")
        client = current_client()
        limit = DEFAULT_MAX_BREADCRUMBS
        if client is not None:
            limit = client.options.max_breadcrumbs
            before = client.options.before_breadcrumb
            if before is not None:
                try:
                    breadcrumb = before(breadcrumb, hint or {})
                except Exception as error:  # the application's callback must not break ours
                    debug.warn("before_breadcrumb raised %r; breadcrumb kept", error)
                if breadcrumb is None:
                    return self
        if breadcrumb.get("data"):
            # Scrubbed once here rather than in every event that carries the breadcrumb.
            breadcrumb["data"] = scrub(breadcrumb["data"], client.options.scrub_keys if client else ())
        self._breadcrumbs.append(breadcrumb)
        while len(self._breadcrumbs) > limit:
            self._breadcrumbs.popleft()
        return self

    def clear_breadcrumbs(self) -> "Scope":
        self._breadcrumbs.clear()
        return self

    # -- tracing ------------------------------------------------------------------------------------
    @property
    def span(self) -> Any:
        return self._span

    @span.setter
    def span(self, span: Any) -> None:
        self._span = span

    @property
    def trace_id(self) -> Optional[str]:
        return self._trace_id

    def new_trace(self) -> "Scope":
        self._trace_id = new_trace_id()
        return self

    def clear(self) -> "Scope":
        owner, trace_id = self._owner, self._trace_id
        self.__init__(self.kind)  # type: ignore[misc]
        self._owner, self._trace_id = owner, trace_id
        return self

    # -- read access for the client and tests --------------------------------------------------------
    @property
    def tags(self) -> Dict[str, str]:
        return dict(self._tags)

    @property
    def extra(self) -> Dict[str, Any]:
        return dict(self._extra)

    @property
    def contexts(self) -> Dict[str, Dict[str, Any]]:
        return dict(self._contexts)

    @property
    def user(self) -> Optional[Dict[str, Any]]:
        return self._user

    @property
    def account(self) -> Optional[Dict[str, Any]]:
        return self._account

    @property
    def breadcrumbs(self) -> List[Dict[str, Any]]:
        return list(self._breadcrumbs)

    def __repr__(self) -> str:
        return f"<Scope {self.kind} tags={self._tags!r}>"


# -- the three scopes ---------------------------------------------------------------------------------
_global_scope = Scope("global")
_root_isolation = Scope("isolation")
_root_isolation._owner = _ROOT
_root_isolation._trace_id = new_trace_id()
_root_current = Scope("current")
_isolation_var: ContextVar[Optional[Scope]] = ContextVar("proliferate_isolation_scope", default=None)
_current_var: ContextVar[Optional[Scope]] = ContextVar("proliferate_current_scope", default=None)


def _running_task() -> Any:
    asyncio = sys.modules.get("asyncio")  # no asyncio imported: no tasks to tell apart
    if asyncio is None:
        return None
    try:
        return asyncio.current_task()
    except RuntimeError:
        return None


def get_global_scope() -> Scope:
    return _global_scope


def peek_isolation_scope() -> Scope:
    """The isolation scope for reading: never forks."""
    return _isolation_var.get() or _root_isolation


_init_task: Any = None


def set_init_task() -> None:
    """Called by ``init()``: the task that initializes the SDK (an ``async def main`` or a startup
    hook) writes start-up tags to the process-wide scope, like code that runs outside any task."""
    global _init_task
    task = _running_task()
    _init_task = weakref.ref(task) if task is not None else None


def get_isolation_scope() -> Scope:
    """The isolation scope for writing (see the module docstring on copy on write in tasks)."""
    scope = _isolation_var.get() or _root_isolation
    owner = scope._owner
    if owner is None:
        return scope
    task = _running_task()
    if task is None or (owner is not _ROOT and owner() is task):
        return scope
    if owner is _ROOT and _init_task is not None and _init_task() is task:
        return scope
    forked = scope.fork()
    forked._owner = weakref.ref(task)
    if owner is _ROOT:
        forked.new_trace()  # a task forking the process scope is a new unit of work: a new trace
    _isolation_var.set(forked)
    return forked


def get_current_scope() -> Scope:
    return _current_var.get() or _root_current


def set_isolation_scope(scope: Scope) -> Any:
    return _isolation_var.set(scope)


def set_current_scope(scope: Scope) -> Any:
    return _current_var.set(scope)


def reset_isolation_scope(token: Any, previous: Optional[Scope]) -> None:
    _reset(_isolation_var, token, previous)


def reset_current_scope(token: Any, previous: Optional[Scope]) -> None:
    _reset(_current_var, token, previous)


def _reset(var: ContextVar, token: Any, previous: Optional[Scope]) -> None:
    try:
        var.reset(token)
    except ValueError:  # left in another context (a generator resumed elsewhere): restore by value
        var.set(previous)


def scopes_in_order(current: Optional[Scope] = None) -> List[Scope]:
    return [_global_scope, peek_isolation_scope(), current or get_current_scope()]



# ``Scope.get_current_scope()`` & co., the spelling seed 002 uses next to the module-level functions.
Scope.get_global_scope = staticmethod(get_global_scope)  # type: ignore[attr-defined]
Scope.get_isolation_scope = staticmethod(get_isolation_scope)  # type: ignore[attr-defined]
Scope.get_current_scope = staticmethod(get_current_scope)  # type: ignore[attr-defined]
