"""Every ``python`` block of docs/sdk/python.md runs as written, in order, in one namespace.

The seeds' examples are fragments of larger programs: they use names such as ``user_id``, ``guild``
or ``error`` that the surrounding application defines. The prelude below defines them, and
``my_feature_flags`` is a stand-in module. ``proliferate.init`` keeps its arguments but sends to an
in-memory transport. Blocks marked ``python no-run`` (Django settings) are skipped; blocks with a
top-level ``await`` run in an event loop.
"""

import ast
import asyncio
import os
import re
import sys
import types

import proliferate
from helpers import MemoryTransport

DOC = os.path.join(os.path.dirname(__file__), "..", "..", "..", "docs", "sdk", "python.md")
BLOCK = re.compile(r"^```python([^\n]*)\n(.*?)^```", re.S | re.M)

PRELUDE = '''
from types import SimpleNamespace as Obj
user_id = 42
guild_id = 987654321098765432
guild = Obj(id=guild_id)
channel = Obj(id=1234)
target, moderator = Obj(id=1), Obj(id=2)
reason, duration = "spam", "7d"
tier, status = "enterprise", "active"
api_key, card_last4 = "sk_live_abc", "4242"
user = Obj(id=123, in_rollout=True)
order = Obj(id="o-1")
request = Obj(headers={"CF-IPCountry": "DE"})
response_time = 250
error = ValueError("validation failed")
error1 = KeyError("user 123 not found")
error2 = RuntimeError("guild config broken")
extra_context = {"operation": "user_update", "user_id": 123}
author = Obj(id=111, name="alice", display_name="Alice", bot=False)
ctx = Obj(author=author)
interaction = Obj(user=author)
def is_canary():
    return False
class db:
    @staticmethod
    async def get_user(user_id):
        return {"id": user_id}
async def perform_operation():
    raise ConnectionError("database unreachable")
'''


def blocks():
    with open(DOC, encoding="utf-8") as handle:
        text = handle.read()
    return [(info.strip(), code) for info, code in BLOCK.findall(text)]


def test_every_python_example_in_the_docs_runs_as_written(monkeypatch):
    memory = MemoryTransport()
    real_init = proliferate.init

    def init(*args, **kwargs):
        kwargs["transport"] = memory
        return real_init(*args, **kwargs)

    monkeypatch.setattr(proliferate, "init", init)
    flags = types.ModuleType("my_feature_flags")
    flags.get_flags = lambda user_id: {"new_checkout": True, "dark_mode": False}
    monkeypatch.setitem(sys.modules, "my_feature_flags", flags)

    namespace = {"__name__": "docs_example"}
    exec(PRELUDE, namespace)
    ran = 0
    for number, (info, code) in enumerate(blocks()):
        if "no-run" in info:
            continue
        compiled = compile(code, f"docs/sdk/python.md block {number}", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        result = eval(compiled, namespace)
        if asyncio.iscoroutine(result):
            asyncio.run(result)
        ran += 1
    assert ran >= 40

    # A few of the documents' promises, checked on what the examples sent:
    by_operation = {e["tags"].get("operation"): e for e in memory.events if "operation" in e.get("tags", {})}
    assert by_operation["user_update"]["contexts"]["user"] == {"user_id": 123}
    assert "guild" not in by_operation["user_update"]["contexts"]
    assert by_operation["guild_config"]["contexts"]["guild"] == {"guild_id": 456}
    assert any(t["tags"].get("fruit") == "apple" for t in memory.transactions)
    spans = [t for t in memory.transactions if t["transaction"] == "load cart" or any(s["description"] == "load cart" for s in t.get("spans", []))]
    assert spans


def test_pattern_1_reraises_after_capturing(monkeypatch):
    memory = MemoryTransport()
    proliferate.init(dsn="http://pk@127.0.0.1:9/1", transport=memory)
    namespace = {"__name__": "docs_example", "proliferate": proliferate}
    exec(PRELUDE, namespace)
    code = dict(enumerate(blocks()))
    for info, source in code.values():
        if "def capture_exception_safe" in source or "async def update_user" in source:
            exec(source, namespace)
    try:
        asyncio.run(namespace["update_user"]())
    except ConnectionError:
        pass
    else:
        raise AssertionError("Pattern 1 re-raises")
    (event,) = memory.events
    assert event["exception"]["values"][-1]["type"] == "ConnectionError"
    assert event["tags"]["error.captured_safely"] == "true"
    assert event["contexts"]["extra"] == {"operation": "user_update", "user_id": 42, "guild_id": 987654321098765432}
