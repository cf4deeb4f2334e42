"""Register the Telegram webhook with its secret (`make telegram-webhook`):

    python -m api.gateway.telegram_webhook

calls setWebhook(url=PUBLIC_BASE_URL + "/webhooks/telegram", secret_token=TELEGRAM_WEBHOOK_SECRET,
allowed_updates=["message", "callback_query"]) at TELEGRAM_API_BASE_URL with TELEGRAM_BOT_TOKEN.
"""
from __future__ import annotations

import asyncio
import re
import sys

from telegram import Bot
from telegram.error import TelegramError

from api.core.config import Settings, get_settings

SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")   # what Telegram accepts as secret_token
ALLOWED_UPDATES = ["message", "callback_query"]


def webhook_url(settings: Settings) -> str:
    return settings.public_base_url.rstrip("/") + "/webhooks/telegram"


async def register(settings: Settings) -> str:
    """Call setWebhook; returns the URL registered. Raises SystemExit with a French message on error."""
    if not settings.telegram_bot_token:
        raise SystemExit("TELEGRAM_BOT_TOKEN n'est pas défini (le jeton donné par @BotFather).")
    secret = settings.telegram_webhook_secret
    if not secret or not SECRET.match(secret):
        raise SystemExit("TELEGRAM_WEBHOOK_SECRET doit contenir 1 à 256 lettres, chiffres, _ ou - "
                         "(make secrets en écrit un dans var/secrets.env).")
    url = webhook_url(settings)
    if not url.startswith("https://"):
        print(f"Attention : Telegram n'appelle que des adresses https ; PUBLIC_BASE_URL donne {url}",
              file=sys.stderr)
    bot = Bot(settings.telegram_bot_token, base_url=settings.telegram_api_base_url.rstrip("/") + "/bot")
    try:
        async with bot:
            await bot.set_webhook(url=url, secret_token=secret, allowed_updates=ALLOWED_UPDATES,
                                  drop_pending_updates=False)
    except TelegramError as error:
        raise SystemExit(f"Telegram a refusé : {error}") from None
    return url


def main() -> None:
    url = asyncio.run(register(get_settings()))
    print(f"Webhook Telegram enregistré : {url}")


if __name__ == "__main__":
    main()
