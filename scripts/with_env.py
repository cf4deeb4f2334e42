"""Run a command with the settings of env files, without overriding what the environment sets.

    python scripts/with_env.py .env var/secrets.env -- honcho -f Procfile -e /dev/null start

A variable the operator exported wins; then the files, in the order given (the first file that
sets a name wins). honcho's own `-e file` would do the opposite: the file beats the environment.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from dotenv import dotenv_values


def merged(files: list[str], environ: Mapping[str, str]) -> dict[str, str]:
    env = dict(environ)
    for path in files:
        if os.path.exists(path):
            for name, value in dotenv_values(path).items():
                if value is not None:
                    env.setdefault(name, value)
    return env


def main(argv: list[str]) -> None:
    if "--" not in argv:
        sys.exit("usage: with_env.py FILE... -- COMMAND...")
    split = argv.index("--")
    files, command = argv[:split], argv[split + 1:]
    os.execvpe(command[0], command, merged(files, os.environ))


if __name__ == "__main__":
    main(sys.argv[1:])
