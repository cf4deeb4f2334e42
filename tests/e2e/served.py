"""An app (the real `create_app`, with stand-ins where it calls out) served by uvicorn in a thread of the
test process, for the browser tests: `with listening() as (sock, url): ... with served(app, sock): ...`."""
from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import uvicorn


@contextmanager
def listening() -> Iterator[tuple[socket.socket, str]]:
    """A socket bound to a free port of the loopback, and its address (for PUBLIC_BASE_URL)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    try:
        yield sock, f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        sock.close()


@contextmanager
def served(app: Any, sock: socket.socket, timeout: float = 60.0) -> Iterator[None]:
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the API did not start for the browser tests")
        time.sleep(0.05)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=15)
