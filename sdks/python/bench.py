"""Overhead of the SDK on the calling thread: ``set_tag`` and ``capture_exception`` call times.

    python sdks/python/bench.py            # after `pip install ./sdks/python` (or from the repo .venv)

Events go to a transport that only counts them, so the figures are what the application's thread
pays; the HTTP transport would add nothing here (it gzips and sends on its own thread).
"""

import asyncio
import os
import platform
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import proliferate  # noqa: E402


def measure(name, function, count):
    for _ in range(min(1000, count // 10)):  # warm up
        function()
    samples = []
    batch = 100
    for _ in range(count // batch):
        started = time.perf_counter()
        for _ in range(batch):
            function()
        samples.append((time.perf_counter() - started) / batch * 1e6)
    samples.sort()
    mean = statistics.fmean(samples)
    p50 = samples[len(samples) // 2]
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    print(f"{name:<44} {mean:9.2f} µs  p50 {p50:8.2f} µs  p99 {p99:8.2f} µs  ({count} calls)")


def deep(depth):
    if depth == 0:
        raise ValueError("benchmark error")
    return deep(depth - 1)


def make_error(depth):
    try:
        deep(depth)
    except ValueError as error:
        return error


def main():
    sent = []
    proliferate.init(dsn="http://pk_bench@127.0.0.1:9/1", transport=lambda envelope: sent.append(1), default_integrations=False)
    proliferate.set_tag("service", "payment-api")
    for number in range(20):
        proliferate.add_breadcrumb(message=f"step {number}", category="bench", data={"n": number})
    print(f"proliferate {proliferate.__version__}, {platform.python_implementation()} {platform.python_version()}, {platform.machine()}")

    measure("set_tag (string value)", lambda: proliferate.set_tag("tier", "enterprise"), 200_000)
    measure("set_tag (bool value)", lambda: proliferate.set_tag("flag_new_checkout", True), 200_000)
    measure("set_tag (invalid key, dropped)", lambda: proliferate.set_tag("bad key", "x"), 200_000)

    async def in_task():
        proliferate.set_tag("request", "first write forks the scope")
        started = time.perf_counter()
        for _ in range(100_000):
            proliferate.set_tag("tier", "enterprise")
        return (time.perf_counter() - started) / 100_000 * 1e6

    print(f"{'set_tag (inside an asyncio task)':<44} {asyncio.run(in_task()):9.2f} µs  (100000 calls)")

    shallow = make_error(3)
    measure("capture_exception (5 frames, 20 crumbs)", lambda: proliferate.capture_exception(make_error(3)), 5_000)
    measure("capture_exception (30 frames, 20 crumbs)", lambda: proliferate.capture_exception(make_error(28)), 2_000)
    measure("capture_message", lambda: proliferate.capture_message("benchmark message"), 10_000)
    assert shallow is not None and sent
    proliferate.close()


if __name__ == "__main__":
    main()
