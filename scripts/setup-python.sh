#!/usr/bin/env bash
# Creates .venv with what the Python tests need (the official sentry-sdk, pytest, FastAPI, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -r scripts/python-test-requirements.txt
if [ -f sdks/python/pyproject.toml ]; then
  .venv/bin/pip install -q --disable-pip-version-check -e ./sdks/python
fi
