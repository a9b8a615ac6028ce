"""Starts the real Proliferate server (the built CLI) for end-to-end tests.

``node packages/server/dist/cli/main.js serve --host 127.0.0.1 --port 0 --data-dir DIR --json``
prints one JSON line (url, port, projectId, publicKey, dsn, adminToken); the server is stopped by
its process id with SIGTERM and its temporary data directory removed.
"""

import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.request
from typing import Any, Callable, Dict, Optional

import pytest

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
CLI = os.path.join(REPO_ROOT, "packages", "server", "dist", "cli", "main.js")


class RunningServer:
    def __init__(self, process: subprocess.Popen, info: Dict[str, Any], data_dir: str) -> None:
        self.process = process
        self.info = info
        self.data_dir = data_dir
        self.url: str = info["url"].rstrip("/")
        self.dsn: str = info["dsn"]
        self.project_id = str(info["projectId"])
        self.public_key: str = info["publicKey"]
        self.admin_token: Optional[str] = info.get("adminToken")

    def api(self, path: str) -> Any:
        request = urllib.request.Request(self.url + path, headers={"Authorization": f"Bearer {self.admin_token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"null")

    def issues(self) -> Any:
        return self.api(f"/api/0/projects/{self.project_id}/issues/")

    def event(self, event_id: str) -> Any:
        return self.api(f"/api/0/projects/{self.project_id}/events/{event_id}/")

    def wait_for(self, fetch: Callable[[], Any], ready: Callable[[Any], bool], timeout: float = 10.0) -> Any:
        deadline = time.monotonic() + timeout
        last: Any = None
        while time.monotonic() < deadline:
            try:
                last = fetch()
                if ready(last):
                    return last
            except Exception as error:  # 404 until the event is stored
                last = error
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting; last answer: {last!r}")

    def wait_for_event(self, event_id: str, timeout: float = 10.0) -> Any:
        return self.wait_for(lambda: self.event(event_id), lambda body: bool(body), timeout)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        shutil.rmtree(self.data_dir, ignore_errors=True)


def start_server() -> RunningServer:
    data_dir = tempfile.mkdtemp(prefix="proliferate-pytest-")
    process = subprocess.Popen(
        ["node", CLI, "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", data_dir, "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line: Dict[str, Any] = {}

    def read_first_line() -> None:
        line["text"] = process.stdout.readline() if process.stdout else ""

    reader = threading.Thread(target=read_first_line, daemon=True)
    reader.start()
    reader.join(60)
    text = line.get("text", "")
    if not text:
        process.kill()
        stderr = process.stderr.read() if process.stderr else ""
        shutil.rmtree(data_dir, ignore_errors=True)
        raise RuntimeError(f"server did not print its startup line in 60 s: {stderr}")
    # Keep draining the pipes so a chatty server never blocks on a full pipe.
    for stream in (process.stdout, process.stderr):
        threading.Thread(target=lambda s=stream: [None for _ in s], daemon=True).start()
    return RunningServer(process, json.loads(text), data_dir)


@pytest.fixture(scope="session")
def proliferate_server():
    if not os.path.exists(CLI):
        pytest.skip(f"server not built ({CLI} missing): run `npm run build`")
    server = start_server()
    yield server
    server.stop()
