"""Pseudonyms, encryption of the rare raw identifiers we must keep, and random ids."""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


class MissingSecret(RuntimeError):
    pass


def new_conversation_id() -> str:
    """Random and unguessable: 160 bits."""
    return secrets.token_urlsafe(20)


class Pseudonymiser:
    """HMAC-SHA256 of a channel address (phone number, chat id, web conversation) under a secret key."""

    def __init__(self, key: str | None):
        if not key:
            raise MissingSecret("PSEUDONYM_KEY is not set (make run writes one in var/secrets.env)")
        self._key = key.encode()

    def pseudonym(self, channel: str, address: str) -> str:
        digest = hmac.new(self._key, f"{channel}:{address}".encode(), hashlib.sha256).hexdigest()
        return digest[:40]


class Vault:
    """AES-256-GCM encryption for the raw numbers kept only when a reminder needs them."""

    def __init__(self, key: str | None):
        if not key:
            raise MissingSecret("DATA_ENCRYPTION_KEY is not set (make run writes one in var/secrets.env)")
        raw = base64.urlsafe_b64decode(key.encode() + b"=" * (-len(key) % 4))
        if len(raw) not in (16, 24, 32):
            raise MissingSecret("DATA_ENCRYPTION_KEY must be 16, 24 or 32 bytes, base64url-encoded")
        self._aead = AESGCM(raw)

    def encrypt(self, plaintext: str) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), None)
        return base64.urlsafe_b64encode(nonce + sealed).decode()

    def decrypt(self, token: str) -> str:
        data = base64.urlsafe_b64decode(token.encode())
        return self._aead.decrypt(data[:12], data[12:], None).decode()


def same_secret(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison; an unset expected secret never matches."""
    if not expected or given is None:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())
