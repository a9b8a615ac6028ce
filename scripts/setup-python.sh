#!/usr/bin/env bash
# Creates .venv with what the Python tests need (the official sentry-sdk, pytest, FastAPI, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -r scripts/python-test-requirements.txt
if [ -f sdks/python/pyproject.toml ]; then
  .venv/bin/pip install -q --disable-pip-version-check -e ./sdks/python
fi
# The psycopg breadcrumb test uses a local PostgreSQL when there is one (it skips otherwise):
# role and database proliferate_test, password proliferate_test.
if command -v psql >/dev/null && id postgres >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='proliferate_test'\"" 2>/dev/null | grep -q 1 \
    || su postgres -c "psql -qc \"CREATE ROLE proliferate_test LOGIN PASSWORD 'proliferate_test'\"" >/dev/null 2>&1 || true
  su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='proliferate_test'\"" 2>/dev/null | grep -q 1 \
    || su postgres -c "psql -qc 'CREATE DATABASE proliferate_test OWNER proliferate_test'" >/dev/null 2>&1 || true
fi
