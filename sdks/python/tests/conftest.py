import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

import proliferate  # noqa: E402
from proliferate import hub  # noqa: E402
from proliferate.scope import _global_scope, _root_current, _root_isolation  # noqa: E402

from helpers import Ingest, MemoryTransport  # noqa: E402

from server_fixture import proliferate_server  # noqa: E402,F401


def reset_sdk() -> None:
    client = hub.current_client()
    if client is not None:
        client.close(0.5)
        hub.bind_client(None)
    for scope in (_global_scope, _root_isolation, _root_current):
        scope.clear()


@pytest.fixture(autouse=True)
def clean_sdk():
    reset_sdk()
    yield
    reset_sdk()


@pytest.fixture
def memory():
    """An initialized SDK whose envelopes land in a MemoryTransport."""
    transport = MemoryTransport()
    proliferate.init(dsn="http://pk_test@127.0.0.1:9/1", transport=transport, release="1.0.0", environment="test")
    return transport


@pytest.fixture
def ingest():
    server = Ingest()
    yield server
    server.close()
