"""The API for the visit and indicator tests: two territories (test_ville: Nancy 54395; autre_ville:
Lyon 7e 69387), outreach actions in the database, and a Rasa stand-in that answers a message with the
control signals the test chose (`bot.controls["calcul"] = [{"type": "estimate", ...}]`)."""
from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import select

from api.models import OutreachAction, Visit, VisitFact
from tests.fakes import telegram as tg
from tests.fakes import twilio as tw
from tests.fakes.app import Running, make_settings, running
from tests.fakes.rasa import FakeRasa, say
from tests.svc.booking.conftest import TERRITORY

OTHER_TERRITORY = TERRITORY.replace("id: test_ville", "id: autre_ville").replace('"54395"', '"69387"')


class ControlBot:
    """Answers every message with a text, plus the controls set for that message."""

    def __init__(self) -> None:
        self.controls: dict[str, list[dict[str, Any]]] = {}

    def __call__(self, sender: str, message: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        return [say(sender, "D'accord."),
                *({"recipient_id": sender, "custom": {"control": c}} for c in self.controls.get(message, []))]


def action(code: str, territory: str) -> OutreachAction:
    return OutreachAction(code=code, territory_id=territory, place="Marché", day=date(2026, 11, 30), kind="marche",
                          keyword=code.upper()[:16])


@asynccontextmanager
async def visits_api(tmp_path: Path, **settings: Any) -> AsyncIterator[tuple[Running, ControlBot]]:
    twilio, telegram = tw.FakeTwilio().start(), tg.FakeTelegram().start()
    folder = tmp_path / "territories"
    folder.mkdir()
    (folder / "test_ville.yml").write_text(TERRITORY, encoding="utf-8")
    (folder / "autre_ville.yml").write_text(OTHER_TERRITORY, encoding="utf-8")
    bot = ControlBot()
    try:
        async with running(make_settings(tmp_path, twilio, telegram, territories_dir=folder,
                                         internal_api_token="internal-secret", **settings), FakeRasa(bot)) as api:
            await api.db(lambda s: (s.add_all([action("marche-nancy", "test_ville"),
                                               action("marche-lyon", "autre_ville")]), s.commit()))
            yield api, bot
    finally:
        twilio.stop()
        telegram.stop()


async def all_visits(api: Running) -> list[Visit]:
    return await api.db(lambda s: list(s.exec(select(Visit).order_by(Visit.id)).all()))


async def facts(api: Running, kind: str | None = None) -> dict[str, float | None]:
    """{key: monthly euros} of the facts (of one kind)."""
    def read(session):  # noqa: ANN001, ANN202
        query = select(VisitFact)
        if kind:
            query = query.where(VisitFact.kind == kind)
        return {f.key: f.monthly_euros for f in session.exec(query).all()}
    return await api.db(read)


async def chat(api: Running, source: str | None = None) -> str:
    """A new web conversation; returns its id."""
    response = await api.client.post("/api/chat", json={"source": source})
    assert response.status_code == 200, response.text
    return response.json()["conversation_id"]


async def send(api: Running, conversation_id: str, text: str) -> None:
    response = await api.client.post(f"/api/chat/{conversation_id}/messages", json={"text": text})
    assert response.status_code == 200, response.text
