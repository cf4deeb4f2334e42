"""A recording reverse proxy in front of the API, for the action server only: every request and
response goes through unchanged; the body of each `POST /api/eligibility` is kept, in order, per
`X-Conversation-Id` (the pseudonymous sender id)."""
from __future__ import annotations

import http.client
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
              "transfer-encoding", "upgrade", "content-length"}


@dataclass
class Recorded:
    body: dict[str, Any]
    status: int
    response: Any


@dataclass
class Recorder:
    by_sender: dict[str, list[Recorded]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    without_id: int = 0

    def add(self, sender: str | None, record: Recorded) -> None:
        with self.lock:
            if sender is None:
                self.without_id += 1
                return
            self.by_sender.setdefault(sender, []).append(record)

    def of(self, sender: str) -> list[Recorded]:
        with self.lock:
            return list(self.by_sender.get(sender, []))


class RecordingProxy:
    def __init__(self, upstream: str | None = None, host: str = "127.0.0.1", port: int = 0):
        self.upstream = upstream          # may be set once the API's port is known
        self.recorder = Recorder()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:      # quiet
                pass

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                target = urlsplit(proxy.upstream)
                connection = http.client.HTTPConnection(target.hostname, target.port, timeout=120)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP | {"host"}}
                headers["Host"] = target.netloc
                try:
                    connection.request(self.command, self.path, body=body or None, headers=headers)
                    response = connection.getresponse()
                    payload = response.read()
                except OSError as error:
                    self.send_error(502, f"upstream: {error}")
                    return
                finally:
                    connection.close()
                if self.command == "POST" and self.path.split("?")[0] == "/api/eligibility":
                    try:
                        sent = json.loads(body)
                    except ValueError:
                        sent = {"_raw": body.decode(errors="replace")}
                    try:
                        answered = json.loads(payload)
                    except ValueError:
                        answered = None
                    proxy.recorder.add(self.headers.get("X-Conversation-Id"),
                                       Recorded(body=sent, status=response.status, response=answered))
                self.send_response(response.status)
                for key, value in response.getheaders():
                    if key.lower() not in HOP_BY_HOP:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _forward

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "RecordingProxy":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
