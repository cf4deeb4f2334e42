"""Write random local secrets once, for `make run` and the tests (never committed).

    python scripts/init_secrets.py var/secrets.env
"""
import base64
import os
import secrets
import sys
from pathlib import Path

NAMES = ["INTERNAL_API_TOKEN", "PSEUDONYM_KEY", "STAFF_TOKEN", "TELEGRAM_WEBHOOK_SECRET"]


def main(path: str) -> None:
    target = Path(path)
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"{name}={secrets.token_urlsafe(32)}" for name in NAMES]
    lines.append("DATA_ENCRYPTION_KEY=" + base64.urlsafe_b64encode(os.urandom(32)).decode())
    target.write_text("\n".join(lines) + "\n")
    target.chmod(0o600)
    print(f">> Local secrets written to {target}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "var/secrets.env")
