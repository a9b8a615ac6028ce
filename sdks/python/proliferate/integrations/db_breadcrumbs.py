"""Database breadcrumbs (seed 002): each statement run through ``sqlite3`` and, when it is
installed, ``psycopg`` (3), as ``{type: "query", category: "query", message: <SQL>,
data: {"db.system": ...}}``. Only the SQL text is kept (cut to 1,000 characters): parameters often
hold personal data, and the statement with its placeholders is what explains a failure.
"""

import sqlite3
from typing import Any, Optional

MAX_SQL = 1000


def _add(system: str, sql: Any, many: bool = False, error: Optional[BaseException] = None) -> None:
    try:
        from ..api import add_breadcrumb

        if isinstance(sql, bytes):
            text = sql.decode("utf-8", "replace")
        elif isinstance(sql, str):
            text = sql
        else:
            text = str(sql)  # e.g. psycopg.sql.Composed
        text = " ".join(text.split())
        if len(text) > MAX_SQL:
            text = text[: MAX_SQL - 1] + "\u2026"
        data: dict = {"db.system": system}
        if many:
            data["db.executemany"] = True
        if error is not None:
            data["reason"] = type(error).__name__
        add_breadcrumb(type="query", category="query", message=text, level="error" if error else "info", data=data)
    except Exception:
        pass  # a breadcrumb must never break the application's query


def _run(system: str, sql: Any, many: bool, call: Any) -> Any:
    try:
        result = call()
    except BaseException as error:
        _add(system, sql, many, error)
        raise
    _add(system, sql, many)
    return result


class _Cursor(sqlite3.Cursor):
    def execute(self, sql: str, *args: Any) -> Any:  # type: ignore[override]
        return _run("sqlite", sql, False, lambda: super(_Cursor, self).execute(sql, *args))

    def executemany(self, sql: str, *args: Any) -> Any:  # type: ignore[override]
        return _run("sqlite", sql, True, lambda: super(_Cursor, self).executemany(sql, *args))

    def executescript(self, script: str) -> Any:  # type: ignore[override]
        return _run("sqlite", script, False, lambda: super(_Cursor, self).executescript(script))


def _connection_class(base: Any) -> Any:
    class Connection(base):  # type: ignore[misc, valid-type]
        # Connection.execute() creates a cursor of the default class in C: route it through ours.
        def cursor(self, factory: Any = None) -> Any:  # type: ignore[override]
            return super().cursor(factory or _Cursor)

        def execute(self, sql: str, *args: Any) -> Any:  # type: ignore[override]
            return self.cursor().execute(sql, *args)

        def executemany(self, sql: str, *args: Any) -> Any:  # type: ignore[override]
            return self.cursor().executemany(sql, *args)

        def executescript(self, script: str) -> Any:  # type: ignore[override]
            return self.cursor().executescript(script)

    return Connection


class DatabaseBreadcrumbsIntegration:
    identifier = "db_breadcrumbs"
    _installed_sqlite = False
    _installed_psycopg = False

    def setup(self, client: Any) -> None:
        if not DatabaseBreadcrumbsIntegration._installed_sqlite:
            DatabaseBreadcrumbsIntegration._installed_sqlite = True
            _patch_sqlite3()
        if not DatabaseBreadcrumbsIntegration._installed_psycopg:
            try:
                import psycopg  # noqa: F401  (only when the application has it)
            except Exception:
                return
            DatabaseBreadcrumbsIntegration._installed_psycopg = True
            _patch_psycopg()


_classes: dict = {}


def _patch_sqlite3() -> None:
    original_connect = sqlite3.connect

    def connect(*args: Any, **kwargs: Any) -> Any:
        base = kwargs.get("factory") or sqlite3.Connection
        if base not in _classes:
            _classes[base] = _connection_class(base)
        kwargs["factory"] = _classes[base]
        return original_connect(*args, **kwargs)

    connect.__wrapped__ = original_connect  # type: ignore[attr-defined]
    sqlite3.connect = connect  # type: ignore[assignment]


def _patch_psycopg() -> None:
    import psycopg

    for cls in (psycopg.Cursor, psycopg.ServerCursor):
        _wrap_sync(cls)
    for cls in (psycopg.AsyncCursor, psycopg.AsyncServerCursor):
        _wrap_async(cls)


def _wrap_sync(cls: Any) -> None:
    execute, executemany = cls.execute, cls.executemany

    def wrapped_execute(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        return _run("postgresql", query, False, lambda: execute(self, query, *args, **kwargs))

    def wrapped_executemany(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        return _run("postgresql", query, True, lambda: executemany(self, query, *args, **kwargs))

    cls.execute, cls.executemany = wrapped_execute, wrapped_executemany


def _wrap_async(cls: Any) -> None:
    execute, executemany = cls.execute, cls.executemany

    async def wrapped_execute(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            result = await execute(self, query, *args, **kwargs)
        except BaseException as error:
            _add("postgresql", query, False, error)
            raise
        _add("postgresql", query)
        return result

    async def wrapped_executemany(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            result = await executemany(self, query, *args, **kwargs)
        except BaseException as error:
            _add("postgresql", query, True, error)
            raise
        _add("postgresql", query, True)
        return result

    cls.execute, cls.executemany = wrapped_execute, wrapped_executemany
