"""bot/rest_channel.py: the REST channel never logs a person's message, even when the turn is cancelled
(the API stopped waiting: Rasa's own channel logged the text at ERROR then) or fails."""
from __future__ import annotations

import asyncio
import json
import logging
from types import SimpleNamespace

import pytest

from bot.rest_channel import TokenRestInput

TEXT = "je touche 1283 euros et mon numéro est le 06 98 76 54 31"


def receive_handler(on_new_message):
    blueprint = TokenRestInput("t").blueprint(on_new_message)
    return next(route.handler for route in blueprint._future_routes if route.uri.endswith("/webhook"))


def request():
    body = {"sender": "pseudonym-1", "message": TEXT, "metadata": {"channel": "sms"}}
    return SimpleNamespace(json=body, args={"token": ["t"]}, headers={})


@pytest.mark.parametrize("failure", [asyncio.CancelledError(), ValueError(f"could not parse {TEXT}")])
async def test_a_cancelled_or_failed_turn_is_logged_without_the_text(failure, caplog, capsys):
    seen = []

    async def on_new_message(message):
        seen.append(message.text)
        raise failure

    caplog.set_level(logging.DEBUG)
    response = await receive_handler(on_new_message)(request())

    assert seen == [TEXT]                       # the message did reach the bot
    assert response.status == 200 and json.loads(response.body) == []
    captured = capsys.readouterr()
    logged = caplog.text + captured.out + captured.err
    assert "rest channel: turn" in caplog.text  # it is logged, by type
    assert "1283" not in logged and "98 76" not in logged and "numéro" not in logged


async def test_a_turn_that_answers_is_returned_as_before():
    async def on_new_message(message):
        await message.output_channel.send_text_message(message.sender_id, "Quel âge avez-vous ?")

    response = await receive_handler(on_new_message)(request())

    assert json.loads(response.body) == [{"recipient_id": "pseudonym-1", "text": "Quel âge avez-vous ?"}]
