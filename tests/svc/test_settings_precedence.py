"""Settings the operator exports win over `.env`, which wins over the secrets `make secrets`
generates (var/secrets.env): in the API's settings and in every process `make run` starts."""
from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from api.core.config import Settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "secrets.env").write_text(
        "TELEGRAM_WEBHOOK_SECRET=generated\nINTERNAL_API_TOKEN=generated\nRASA_AUTH_TOKEN=generated\n")
    (tmp_path / ".env").write_text("INTERNAL_API_TOKEN=from-dotenv\n")
    for name in ("TELEGRAM_WEBHOOK_SECRET", "INTERNAL_API_TOKEN", "RASA_AUTH_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_api_settings_prefer_the_environment_then_dotenv_then_the_generated_secrets(
        workdir: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "exported")
    settings = Settings()
    assert settings.telegram_webhook_secret == "exported"
    assert settings.internal_api_token == "from-dotenv"
    assert settings.rasa_auth_token == "generated"


def make_run_recipe() -> str:
    """The command of `make run`, as the Makefile writes it."""
    recipe = re.search(r"^run:.*\n\t@?(.+)$", (ROOT / "Makefile").read_text(), re.M)
    assert recipe, "no `run` target in the Makefile"
    return recipe.group(1)


def test_make_run_gives_every_process_the_exported_value_over_the_generated_one(workdir: Path):
    (workdir / "Procfile").write_text(
        'show: echo "telegram=$TELEGRAM_WEBHOOK_SECRET internal=$INTERNAL_API_TOKEN rasa=$RASA_AUTH_TOKEN"\n')
    command = make_run_recipe().replace("$(SVC)", shlex.quote(sys.executable))
    command = command.replace("scripts/", f"{ROOT}/scripts/")
    assert "honcho" in command and "-f Procfile" in command
    env = {"PATH": "/usr/bin:/bin", "TELEGRAM_WEBHOOK_SECRET": "exported"}
    finished = subprocess.run(command, shell=True, cwd=workdir, env=env, capture_output=True, text=True,
                              timeout=60)
    assert "telegram=exported internal=from-dotenv rasa=generated" in finished.stdout, finished.stdout + finished.stderr
