"""docker-compose.yml describes the production services; no Docker engine runs here, so check
that it is valid and that what it names exists."""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def test_the_production_services_are_all_there():
    assert {"api", "rasa", "actions", "postgres", "redis"} <= set(SERVICES)


def test_built_services_name_existing_dockerfiles():
    built = {name: s["build"] for name, s in SERVICES.items() if "build" in s}
    assert set(built) == {"api", "rasa", "actions"}
    for name, build in built.items():
        dockerfile = ROOT / build.get("context", ".") / build["dockerfile"]
        assert dockerfile.is_file(), f"{name}: {dockerfile} is missing"


def test_commands_name_existing_modules_and_files():
    for name, service in SERVICES.items():
        command = service.get("command")
        if not command or not isinstance(command, list) or command[0] != "python":
            continue
        assert command[1] == "-m", f"{name}: expected `python -m <module>`"
        module = command[2]
        local = ROOT / module.replace(".", "/")
        assert (local / "__main__.py").exists() or module in {"rasa", "rasa_sdk"}, f"{name}: no module {module}"
        for flag, value in zip(command, command[1:]):
            if flag in {"--endpoints", "--credentials"}:
                assert (ROOT / value).is_file(), f"{name}: {value} is missing"
            if flag == "--actions":
                assert (ROOT / value / "__init__.py").is_file(), f"{name}: no actions package {value}"


def test_dockerfiles_copy_existing_paths_and_run_real_modules():
    for dockerfile in (ROOT / "docker").glob("Dockerfile.*"):
        for line in dockerfile.read_text().splitlines():
            match = re.match(r"COPY (\S+) ", line)
            if match:
                assert (ROOT / match.group(1)).exists(), f"{dockerfile.name}: COPY {match.group(1)} is missing"


def test_only_the_api_is_published():
    published = [name for name, s in SERVICES.items() if s.get("ports")]
    assert published == ["api"]


def test_api_settings_exist():
    spec = importlib.util.find_spec("api.core.config")
    assert spec is not None
    from api.core.config import Settings
    fields = {name.upper() for name in Settings.model_fields}
    env = SERVICES["api"]["environment"]
    unknown = [key for key in env if key not in fields]
    assert not unknown, f"compose sets settings the API does not read: {unknown}"


def test_the_action_server_gets_the_api_address_and_the_same_internal_token():
    api, actions = SERVICES["api"]["environment"], SERVICES["actions"]["environment"]
    assert actions["API_URL"] == "http://api:8000"
    assert actions["INTERNAL_API_TOKEN"] == api["INTERNAL_API_TOKEN"]   # booking calls /internal/*


def test_the_api_healthcheck_is_readiness_and_the_api_knows_the_action_server():
    api = SERVICES["api"]
    assert "/health/ready" in " ".join(api["healthcheck"]["test"])
    assert api["environment"]["ACTIONS_URL"] == "http://actions:5055"
