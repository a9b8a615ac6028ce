"""Test helpers: an in-memory transport and a tiny HTTP ingest stand-in on 127.0.0.1."""

import gzip
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional, Tuple

from proliferate.envelope import Envelope, parse


class MemoryTransport:
    """Collects envelopes as parsed JSON, the way the server would read them."""

    def __init__(self) -> None:
        self.envelopes: List[Tuple[Dict[str, Any], List[Tuple[Dict[str, Any], Any]]]] = []

    def __call__(self, envelope: Envelope) -> None:
        self.envelopes.append(parse(envelope.serialize()))

    def items(self, item_type: str) -> List[Any]:
        return [payload for _, items in self.envelopes for headers, payload in items if headers["type"] == item_type]

    @property
    def events(self) -> List[Dict[str, Any]]:
        return self.items("event")

    @property
    def transactions(self) -> List[Dict[str, Any]]:
        return self.items("transaction")

    @property
    def logs(self) -> List[Dict[str, Any]]:
        return [log for payload in self.items("log") for log in payload["items"]]


class Ingest:
    """An envelope endpoint on 127.0.0.1 whose answers a test scripts: ``responses`` is a list of
    ``(status, headers)`` consumed in order (then 200)."""

    def __init__(self) -> None:
        self.requests: List[Dict[str, Any]] = []
        self.responses: List[Tuple[int, Dict[str, str]]] = []
        self.delay: Optional[Callable[[], None]] = None
        ingest = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if ingest.delay:
                    ingest.delay()
                raw = gzip.decompress(body) if self.headers.get("Content-Encoding") == "gzip" else body
                ingest.requests.append({"path": self.path, "headers": dict(self.headers), "envelope": parse(raw), "raw": body})
                status, headers = ingest.responses.pop(0) if ingest.responses else (200, {})
                payload = json.dumps({"id": "x"}).encode()
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def dsn(self) -> str:
        return f"http://pk_test@127.0.0.1:{self.port}/1"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
