"""Chat as an SMS user in the terminal (`make sms-console`), through the REAL webhook of a running
stack, with requests signed like Twilio's, and a local stand-in for Twilio's REST API that receives
what the outbox sends. Each reply is printed with its segment count and encoding.

    python -m channels.sms.console                 # starts its own stack (needs `make model`)
    python -m channels.sms.console --api http://127.0.0.1:8000 --auth-token T --standin-port 8099
        # a stack already running with TWILIO_AUTH_TOKEN=T and TWILIO_API_BASE_URL=http://127.0.0.1:8099

Type your messages; « /nouveau » texts from another number, « /quitter » (or Ctrl-D) leaves.
"""
from __future__ import annotations

import argparse
import secrets
import sys
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

import httpx

from channels.gsm7 import segments
from tests.fakes.twilio import ACCOUNT_SID, FROM_NUMBER, FakeTwilio, inbound_params, sign, signed_request

PROMPT = "vous > "


def describe(text: str) -> str:
    count, encoding = segments(text)
    return f"[{count} segment{'s' if count > 1 else ''}, {encoding}, {len(text)} car.]"


@dataclass
class SmsPhone:
    """One person's phone: texts the webhook as Twilio would, and collects every SMS it gets back,
    inline (TwiML) or later through the REST stand-in."""

    api_url: str
    public_url: str
    auth_token: str
    number: str
    twilio: FakeTwilio
    received: list[tuple[str, str]] = field(default_factory=list)   # (how, text)

    def send(self, body: str) -> list[str]:
        params = inbound_params(self.number, body)
        url = self.public_url.rstrip("/") + "/webhooks/twilio"
        content, headers = signed_request(url, params, self.auth_token)
        response = httpx.post(self.api_url.rstrip("/") + "/webhooks/twilio", content=content, headers=headers,
                              timeout=20)
        response.raise_for_status()
        texts = [element.text or "" for element in ET.fromstring(response.text).iter("Message")]
        self.received.extend(("TwiML", text) for text in texts)
        return texts

    def rest_messages(self) -> list[str]:
        return self.twilio.bodies(self.number)


def acknowledge(message: dict[str, str], auth_token: str) -> None:
    """Play Twilio's part after a REST send: post a signed « delivered » status callback."""
    url = message.get("StatusCallback")
    if not url:
        return
    params = {"MessageSid": message["sid"], "MessageStatus": "delivered", "AccountSid": ACCOUNT_SID,
              "To": message.get("To", ""), "From": message.get("From", "")}
    try:
        httpx.post(url, data=params, headers={"X-Twilio-Signature": sign(url, params, auth_token)}, timeout=10)
    except httpx.HTTPError:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--api", help="URL of a running stack (default: start one)")
    parser.add_argument("--public-url", help="its PUBLIC_BASE_URL (default: --api)")
    parser.add_argument("--auth-token", help="its TWILIO_AUTH_TOKEN (with --api)")
    parser.add_argument("--standin-port", type=int, default=0, help="port of the Twilio stand-in (with --api)")
    parser.add_argument("--number", default="+33612345678", help="the phone number you text from")
    args = parser.parse_args()

    auth_token = args.auth_token or secrets.token_urlsafe(24)
    printer = threading.Lock()

    def on_message(message: dict[str, str]) -> None:
        with printer:
            print(f"\r   assistant (REST, via l'outbox) {describe(message['Body'])}\n"
                  + indent(message["Body"]) + f"\n{PROMPT}", end="", flush=True)
        threading.Thread(target=acknowledge, args=(message, auth_token), daemon=True).start()

    twilio = FakeTwilio(auth_token=auth_token, on_message=on_message, port=args.standin_port).start()
    stack = None
    if args.api:
        if not args.auth_token:
            sys.exit("--auth-token est nécessaire avec --api (le TWILIO_AUTH_TOKEN de la pile).")
        api_url, public_url = args.api, args.public_url or args.api
    else:
        from tests.stack import start_stack

        print("Démarrage de la pile (Rasa, actions, API)... une à deux minutes.", flush=True)
        stack = start_stack(extra_env={
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": auth_token,
            "TWILIO_FROM_NUMBER": FROM_NUMBER, "TWILIO_API_BASE_URL": twilio.url})
        api_url = public_url = stack.api_url
    print(f"Webhook : {public_url}/webhooks/twilio · stand-in Twilio : {twilio.url}\n"
          "Écrivez vos SMS. /nouveau : un autre numéro. /quitter : sortir.\n", flush=True)
    phone = SmsPhone(api_url, public_url, auth_token, args.number, twilio)
    try:
        while True:
            try:
                line = input(PROMPT)
            except EOFError:
                break
            if line.strip() == "/quitter":
                break
            if line.strip() == "/nouveau":
                phone.number = f"+336{secrets.randbelow(10**8):08d}"
                print(f"   (vous écrivez maintenant depuis {phone.number})")
                continue
            if not line.strip():
                continue
            print(f"   vous {describe(line)}")
            started = time.monotonic()
            try:
                texts = phone.send(line)
            except httpx.HTTPError as error:
                print(f"   ! le webhook a répondu : {error}")
                continue
            with printer:
                if not texts:
                    print("   (pas de réponse immédiate)")
                for index, text in enumerate(texts, start=1):
                    print(f"   assistant (TwiML {index}/{len(texts)}, {time.monotonic() - started:.1f} s) "
                          f"{describe(text)}\n{indent(text)}")
    finally:
        twilio.stop()
        if stack is not None:
            stack.stop()


def indent(text: str) -> str:
    return "\n".join("   | " + line for line in text.split("\n"))


if __name__ == "__main__":
    main()
