"""Write random local secrets once, for `make run` and the tests (never committed).

    python scripts/init_secrets.py var/secrets.env

A file written by an older version gets the secrets it lacks; existing values are kept.
"""
import base64
import os
import secrets
import sys
from pathlib import Path

NAMES = ["INTERNAL_API_TOKEN", "PSEUDONYM_KEY", "TELEGRAM_WEBHOOK_SECRET", "RASA_AUTH_TOKEN"]


def fresh_secrets() -> dict[str, str]:
    values = {name: secrets.token_urlsafe(32) for name in NAMES}
    values["DATA_ENCRYPTION_KEY"] = base64.urlsafe_b64encode(os.urandom(32)).decode()
    return values


def main(path: str) -> None:
    target = Path(path)
    existing = target.read_text() if target.exists() else ""
    present = {line.split("=", 1)[0].strip() for line in existing.splitlines() if "=" in line}
    missing = {name: value for name, value in fresh_secrets().items() if name not in present}
    if not missing:
        target.touch()   # newer than this script: make does not ask again
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"{name}={value}" for name, value in missing.items()]
    prefix = existing if not existing or existing.endswith("\n") else existing + "\n"
    target.write_text(prefix + "\n".join(lines) + "\n")
    target.chmod(0o600)
    print(f">> Local secrets written to {target}: {', '.join(missing)}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "var/secrets.env")
