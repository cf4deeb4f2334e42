"""The action server's client of the API (actions/clients/api.py) keeps a refused request's body out
of its errors: a 422 may echo an income or a number, and an error can end up in a log."""
from __future__ import annotations

import pytest
from aiohttp import web

from actions.clients import api


async def test_a_refused_estimate_names_the_fields_not_the_values(monkeypatch: pytest.MonkeyPatch):
    async def refuse(_request: web.Request) -> web.Response:
        return web.json_response(status=422, data={
            "detail": {"fr": "Le salaire 1283 € n'est pas valide.", "en": "salary 1283"},
            "errors": [{"field": "adults[0].incomes.salary", "fr": "1283 € ?", "en": "input 1283"}]})

    app = web.Application()
    app.router.add_post("/api/eligibility", refuse)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    monkeypatch.setattr(api, "API_URL", f"http://127.0.0.1:{port}")
    try:
        with pytest.raises(api.ApiError) as raised:
            await api.estimate({"adults": [{"age": 35, "incomes": {"salary": 1283}}], "commune": "54395"})
    finally:
        await runner.cleanup()
    assert "422" in str(raised.value) and "adults[0].incomes.salary" in str(raised.value)
    assert "1283" not in str(raised.value)
