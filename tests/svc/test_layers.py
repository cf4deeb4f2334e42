"""Layers: channels/ holds the adapters and never imports api/; api/ uses channels/ only for the
adapters and rendering (the gateway, which needs the database and the outbox, is api/gateway/)."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# What api/ may use of channels/: the adapter interface, rendering, the adapters and the web page.
ADAPTERS = {"channels.base", "channels.messages", "channels.render", "channels.keywords", "channels.gsm7",
            "channels.web_adapter", "channels.web", "channels.web.router", "channels.sms", "channels.sms.adapter",
            "channels.telegram", "channels.telegram.adapter"}


def imports(path: Path) -> set[str]:
    """Every module a file imports, at any depth (in functions, under TYPE_CHECKING...)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def files(package: str) -> list[Path]:
    found = sorted((ROOT / package).rglob("*.py"))
    assert len(found) > 5
    return found


def test_channels_import_nothing_from_api():
    offenders = {str(path.relative_to(ROOT)): sorted(name for name in imports(path) if name.split(".")[0] == "api")
                 for path in files("channels")}
    assert {path: names for path, names in offenders.items() if names} == {}


def test_api_uses_channels_only_for_adapters_and_rendering():
    used: dict[str, set[str]] = {}
    for path in files("api"):
        for name in imports(path):
            if name.split(".")[0] == "channels":
                used.setdefault(str(path.relative_to(ROOT)), set()).add(name)
    assert used, "api/ renders through channels/"
    outside = {path: sorted(name for name in names if name not in ADAPTERS
                            and name.rsplit(".", 1)[0] not in ADAPTERS)
               for path, names in used.items()}
    assert {path: names for path, names in outside.items() if names} == {}
    assert not (ROOT / "channels" / "runtime.py").exists()


def test_the_checker_sees_nested_and_type_checking_imports(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from api.core.config import Settings\n"
                      "def f():\n    import api.models\n", encoding="utf-8")
    assert {"api.core.config", "api.models"} <= imports(module)
