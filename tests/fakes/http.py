"""A tiny threaded HTTP server on 127.0.0.1 (a free port) for the providers' stand-ins."""
from __future__ import annotations

import asyncio
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qsl

Handler = Callable[[str, str, dict[str, str], dict[str, Any]], tuple[int, dict[str, str], bytes]]


def parse_body(content_type: str, raw: bytes) -> dict[str, Any]:
    if "json" in content_type:
        return json.loads(raw or b"{}")
    return dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))


class LocalServer:
    """Calls `handle(method, path, headers, params)` for every request, in the server's thread."""

    def __init__(self, handle: Handler, port: int = 0):
        self._handle = handle
        outer = self

        class _RequestHandler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                params = parse_body(self.headers.get("Content-Type", ""), raw)
                status, headers, body = outer._handle(self.command, self.path, dict(self.headers), params)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _serve  # noqa: N815

            def log_message(self, *args: Any) -> None:  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), _RequestHandler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> LocalServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def json_response(status: int, data: Any, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json", **(headers or {})}, json.dumps(data).encode()


async def wait_until(predicate: Callable[[], bool], timeout: float = 10.0, what: str = "condition") -> None:
    """Wait (without blocking the loop) until predicate() holds; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


async def wait_until_async(predicate: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> None:
    """Like wait_until, for a coroutine predicate (a database query...)."""
    deadline = time.monotonic() + timeout
    while not await predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)
