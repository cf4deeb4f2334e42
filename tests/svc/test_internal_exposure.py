"""The action server's routes (/internal/*) answer only a direct call with the internal token: a
call without it gets 401, a call that came through the public proxy (X-Forwarded-For) gets 404."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes.app import make_settings, running
from tests.fakes.rasa import FakeRasa

TOKEN = {"Authorization": "Bearer internal-token"}


class _Nowhere:
    url = "http://127.0.0.1:9"


@pytest.mark.parametrize("path", ["/internal/territory?commune=54395", "/internal/%74erritory?commune=54395"])
async def test_the_internal_routes_answer_the_action_server_only(tmp_path: Path, path: str):
    settings = make_settings(tmp_path, _Nowhere(), _Nowhere(), internal_api_token="internal-token")
    async with running(settings, FakeRasa()) as api:
        direct = await api.client.get(path, headers=TOKEN)
        assert direct.status_code == 200 and direct.json()["territory"]["id"], direct.text
        assert (await api.client.get(path)).status_code == 401
        for header in ({"X-Forwarded-For": "203.0.113.9"}, {"Forwarded": "for=203.0.113.9"}):
            proxied = await api.client.get(path, headers={**TOKEN, **header})
            assert proxied.status_code == 404, proxied.text
