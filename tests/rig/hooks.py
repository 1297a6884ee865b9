"""A loopback HTTP server that records what is POSTed to it: the far end of a push (apprise's
`json://` target) in tests. It runs in a thread of the test process, listens on 127.0.0.1
only, and is stopped by the test that started it (a context manager)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self


class PushSink:
    """`url` is the apprise URL to push to; `received` the JSON bodies, in order. With
    `delay`, each answer waits that long first (a hung service)."""

    def __init__(self, *, delay: float = 0.0, status: int = 200) -> None:
        self.received: list[dict[str, Any]] = []
        self.raw: list[bytes] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                sink.raw.append(body)
                sink.received.append(json.loads(body or b"{}"))
                time.sleep(delay)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.url = f"json://127.0.0.1:{self.port}/"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:  # fmt: skip
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
