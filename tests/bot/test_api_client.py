"""The action server's API client against a small local HTTP server: which refusals carry a sentence
for the person (already booked, too many requests), and the token sent to /api/eligibility."""
from __future__ import annotations

import pytest
from aiohttp import web

from actions.clients import api

ANSWERS = {
    "already": (422, {"detail": "Vous avez déjà un rendez-vous jeudi.", "en": "already_booked"}),
    "burst": (429, {"detail": "Trop de rendez-vous ont été pris depuis cette connexion.", "en": "Too many"}),
    "past": (422, {"detail": "Ce créneau est déjà passé.", "en": "past_slot"}),
    "taken": (409, {"detail": "Ce créneau vient d'être pris.", "en": "slot_full"}),
}


@pytest.fixture
async def server(monkeypatch, unused_tcp_port):
    seen: dict[str, str] = {}

    async def appointments(request: web.Request) -> web.Response:
        status, body = ANSWERS[(await request.json())["slot_id"]]
        return web.json_response(body, status=status)

    async def eligibility(request: web.Request) -> web.Response:
        seen["authorization"] = request.headers.get("Authorization", "")
        return web.json_response({"benefits": []})

    app = web.Application()
    app.router.add_post("/internal/appointments", appointments)
    app.router.add_post("/api/eligibility", eligibility)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", unused_tcp_port).start()
    monkeypatch.setattr(api, "API_URL", f"http://127.0.0.1:{unused_tcp_port}")
    monkeypatch.setattr(api, "INTERNAL_TOKEN", "internal-secret")
    yield seen
    await runner.cleanup()


@pytest.mark.parametrize("slot,refused", [("already", True), ("burst", True), ("past", False)])
async def test_only_refusals_meant_for_the_person_carry_their_sentence(server, slot, refused):
    with pytest.raises(api.ApiError) as raised:
        await api.book("person", "web", slot, False, None)
    assert isinstance(raised.value, api.Refused) is refused
    if refused:
        assert raised.value.fr == ANSWERS[slot][1]["detail"]


async def test_a_taken_slot_stays_a_slot_taken(server):
    with pytest.raises(api.SlotTaken):
        await api.book("person", "web", "taken", False, None)


async def test_the_estimate_carries_the_internal_token(server):
    await api.estimate({"adults": []})
    assert server["authorization"] == "Bearer internal-secret"
