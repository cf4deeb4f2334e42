"""`python -m api` leaves the client address to api/main.py (FORWARDED_ALLOW_IPS): uvicorn must not
trust X-Forwarded-For from 127.0.0.1 on its own, as it does by default."""
from __future__ import annotations

from typing import Any

import api.__main__ as entry


def test_uvicorn_does_not_read_proxy_headers_itself(monkeypatch):
    seen: dict[str, Any] = {}
    monkeypatch.setattr(entry, "create_app", lambda settings, announce: "app")
    monkeypatch.setattr(entry.uvicorn, "run", lambda app, **options: seen.update(options))
    entry.main()
    assert seen["proxy_headers"] is False
    assert "forwarded_allow_ips" not in seen
