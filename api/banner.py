"""What `make run` prints once everything is ready: the web chat address and its QR code."""
from __future__ import annotations

import io

import segno


def print_banner(url: str) -> None:
    buffer = io.StringIO()
    segno.make(url, error="m").terminal(out=buffer, compact=True, border=2)
    print(
        "\n" + "=" * 60
        + "\nL'assistant est prêt. Ouvrez le chat :\n  " + url
        + "\nou scannez ce QR code avec votre téléphone :\n"
        + buffer.getvalue()
        + "(Ctrl-C pour tout arrêter)\n" + "=" * 60,
        flush=True,
    )
