"""HTTP and database breadcrumbs (seed 002): real urllib, http.client, requests and httpx calls to
a local HTTP server, real sqlite3 statements and, when the database exists, psycopg against the local
PostgreSQL (role and database `proliferate_test`, made by scripts/setup-python.sh, or PROLIFERATE_TEST_PG); the event
stored by the real server carries them."""

import asyncio
import os
import http.client
import http.server
import sqlite3
import threading
import urllib.request

import httpx
import pytest
import requests

import proliferate


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        status = 404 if self.path.startswith("/missing") else 200
        body = b"ok"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET  # noqa: N815

    def log_message(self, *args):
        pass


@pytest.fixture
def site():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class BreadcrumbCheck(Exception):
    pass


def _capture_and_fetch(proliferate_server):
    try:
        raise BreadcrumbCheck("after the calls")
    except BreadcrumbCheck:
        event_id = proliferate.capture_exception()
    assert proliferate.flush(5)
    return proliferate_server.wait_for_event(event_id)["breadcrumbs"]


def test_http_breadcrumbs_from_urllib_http_client_requests_and_httpx(proliferate_server, site):
    proliferate.init(dsn=proliferate_server.dsn)
    with proliferate.isolation_scope():
        urllib.request.urlopen(f"{site}/urllib?token=secret", timeout=5).read()
        port = int(site.rsplit(":", 1)[1])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("POST", "/http-client", body=b"x")
        conn.getresponse().read()
        conn.close()
        assert requests.get(f"{site}/missing/requests", timeout=5).status_code == 404
        assert httpx.get(f"http://user:pw@127.0.0.1:{port}/httpx#frag", timeout=5).status_code == 200

        async def async_call():
            async with httpx.AsyncClient() as client:
                return (await client.post(f"{site}/httpx-async")).status_code

        assert asyncio.run(async_call()) == 200
        crumbs = [c for c in _capture_and_fetch(proliferate_server) if c.get("category") == "httplib"]

    assert [(c["type"], c["data"]["method"], c["data"]["url"], c["data"]["status_code"], c["level"]) for c in crumbs] == [
        ("http", "GET", f"{site}/urllib", 200, "info"),  # the query string (a token here) is not kept
        ("http", "POST", f"{site}/http-client", 200, "info"),
        ("http", "GET", f"{site}/missing/requests", 404, "warning"),
        ("http", "GET", f"{site}/httpx", 200, "info"),  # no credentials, no fragment
        ("http", "POST", f"{site}/httpx-async", 200, "info"),
    ]
    # the SDK's own envelope requests to the server are not among them
    assert not any("/envelope/" in c["data"]["url"] for c in crumbs)


def test_a_failed_request_is_a_breadcrumb_with_the_error(proliferate_server):
    proliferate.init(dsn=proliferate_server.dsn)
    with proliferate.isolation_scope():
        with pytest.raises(requests.ConnectionError):
            requests.get("http://127.0.0.1:9/refused", timeout=2)
        crumbs = [c for c in _capture_and_fetch(proliferate_server) if c.get("category") == "httplib"]
    assert crumbs and crumbs[-1]["level"] == "error"
    assert crumbs[-1]["data"]["url"] == "http://127.0.0.1:9/refused" and "reason" in crumbs[-1]["data"]


def test_sqlite3_statements_are_query_breadcrumbs_without_their_parameters(proliferate_server, tmp_path):
    proliferate.init(dsn=proliferate_server.dsn)
    with proliferate.isolation_scope():
        db = sqlite3.connect(tmp_path / "shop.db")
        db.execute("CREATE TABLE users (id INTEGER, email TEXT)")
        db.executemany("INSERT INTO users VALUES (?, ?)", [(1, "alice@example.com"), (2, "bob@example.com")])
        cursor = db.cursor()
        cursor.execute("SELECT email\n   FROM users WHERE id = ?", (1,))
        assert cursor.fetchone() == ("alice@example.com",)
        with pytest.raises(sqlite3.OperationalError):
            db.execute("SELECT * FROM missing_table")
        db.close()
        crumbs = [c for c in _capture_and_fetch(proliferate_server) if c.get("category") == "query"]
    assert [(c["type"], c["message"], c["level"]) for c in crumbs] == [
        ("query", "CREATE TABLE users (id INTEGER, email TEXT)", "info"),
        ("query", "INSERT INTO users VALUES (?, ?)", "info"),
        ("query", "SELECT email FROM users WHERE id = ?", "info"),
        ("query", "SELECT * FROM missing_table", "error"),
    ]
    assert all(c["data"]["db.system"] == "sqlite" for c in crumbs)
    assert crumbs[1]["data"]["db.executemany"] is True
    assert "alice@example.com" not in repr(crumbs)


PG_DSN = os.environ.get("PROLIFERATE_TEST_PG", "postgresql://proliferate_test:proliferate_test@127.0.0.1:5432/proliferate_test")


def _postgres():
    psycopg = pytest.importorskip("psycopg")
    try:
        return psycopg.connect(PG_DSN, connect_timeout=3)
    except psycopg.OperationalError as error:
        pytest.skip(f"PostgreSQL not reachable at {PG_DSN}: {error}")


def test_psycopg_statements_are_query_breadcrumbs_when_psycopg_is_installed(proliferate_server):
    import psycopg

    proliferate.init(dsn=proliferate_server.dsn)
    conn = _postgres()
    with proliferate.isolation_scope():
        with conn.cursor() as cursor:
            cursor.execute("SELECT %s::text AS email", ("alice@example.com",))
            assert cursor.fetchone() == ("alice@example.com",)
        with pytest.raises(psycopg.errors.UndefinedTable):
            conn.execute("SELECT * FROM proliferate_missing_table")
        conn.rollback()

        async def async_query():
            aconn = await psycopg.AsyncConnection.connect(PG_DSN)
            async with aconn:
                cur = await aconn.execute("SELECT 1")
                return await cur.fetchone()

        assert asyncio.run(async_query()) == (1,)
        crumbs = [c for c in _capture_and_fetch(proliferate_server) if c.get("category") == "query"]
    conn.close()
    assert [(c["message"], c["level"], c["data"]["db.system"]) for c in crumbs] == [
        ("SELECT %s::text AS email", "info", "postgresql"),
        ("SELECT * FROM proliferate_missing_table", "error", "postgresql"),
        ("SELECT 1", "info", "postgresql"),
    ]
    assert "alice@example.com" not in repr(crumbs)
