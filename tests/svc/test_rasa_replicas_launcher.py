"""scripts/rasa_replicas.py, the launcher of `make run`'s Rasa servers: how many (one per core, or
RASA_REPLICAS), their RASA_URLS, and that they stop together — one exiting stops the others, a signal
to the launcher stops them all. Children here are small Python sleepers, not Rasa."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import rasa_replicas  # noqa: E402


def sleeper(pid_file: Path, seconds: float = 60, code: int = 0) -> list[str]:
    script = (f"import os, time, sys; open({str(pid_file)!r}, 'w').write(str(os.getpid())); "
              f"time.sleep({seconds}); sys.exit({code})")
    return [sys.executable, "-c", script]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def wait_for_files(*paths: Path) -> list[int]:
    deadline = time.monotonic() + 20
    while not all(path.exists() and path.read_text() for path in paths):
        assert time.monotonic() < deadline, "children not started"
        time.sleep(0.05)
    return [int(path.read_text()) for path in paths]


def test_one_server_per_core_unless_rasa_replicas_says_otherwise(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1, 2})
    assert rasa_replicas.replica_count({}) == 3
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0})
    assert rasa_replicas.replica_count({}) == 1
    assert rasa_replicas.replica_count({"RASA_REPLICAS": "2"}) == 2
    assert rasa_replicas.urls(2) == "http://127.0.0.1:5005,http://127.0.0.1:5006"
    assert rasa_replicas.urls(1) == "http://127.0.0.1:5005"      # the default RASA_URL


def test_the_urls_printed_for_the_api_follow_rasa_replicas():
    out = subprocess.run([sys.executable, "scripts/rasa_replicas.py", "--urls"], cwd=ROOT, capture_output=True,
                         text=True, env={**os.environ, "RASA_REPLICAS": "3"}, check=True).stdout.strip()
    assert out == "http://127.0.0.1:5005,http://127.0.0.1:5006,http://127.0.0.1:5007"


def test_each_server_gets_its_own_port_and_the_same_model():
    commands = [rasa_replicas.rasa_command(port, "t") for port in rasa_replicas.ports(2)]
    assert [c[c.index("-p") + 1] for c in commands] == ["5005", "5006"]
    assert {c[c.index("--model") + 1] for c in commands} == {"bot/models/current.tar.gz"}


def test_one_server_exiting_stops_the_others_with_its_code(tmp_path):
    files = [tmp_path / f"{i}.pid" for i in range(3)]
    commands = [sleeper(files[0]), sleeper(files[1]), sleeper(files[2], seconds=1.0, code=3)]
    started = time.monotonic()
    assert rasa_replicas.supervise(commands, poll=0.05) == 3
    assert time.monotonic() - started < 15
    assert not any(alive(pid) for pid in wait_for_files(*files))


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_to_the_launcher_stops_every_server(tmp_path, signum):
    files = [tmp_path / f"{i}.pid" for i in range(2)]
    code = (f"import sys; sys.path.insert(0, 'scripts'); import rasa_replicas as r; "
            f"sys.exit(r.supervise({[sleeper(f) for f in files]!r}, poll=0.05))")
    launcher = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)
    pids = wait_for_files(*files)
    assert all(alive(pid) for pid in pids)
    launcher.send_signal(signum)
    assert launcher.wait(timeout=25) == 0
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in pids)


def test_a_server_that_ignores_sigterm_is_killed_after_the_grace_delay(tmp_path):
    pid_file = tmp_path / "stubborn.pid"
    stubborn = [sys.executable, "-c", "import os, signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                f"open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(60)"]
    quitter = sleeper(tmp_path / "quitter.pid", seconds=1.0, code=4)
    started = time.monotonic()
    assert rasa_replicas.supervise([stubborn, quitter], poll=0.05, grace=1.0) == 4
    assert time.monotonic() - started < 10
    assert not alive(wait_for_files(pid_file)[0])


def test_the_servers_die_with_a_launcher_killed_outright(tmp_path):
    files = [tmp_path / f"{i}.pid" for i in range(2)]
    code = (f"import sys; sys.path.insert(0, 'scripts'); import rasa_replicas as r; "
            f"sys.exit(r.supervise({[sleeper(f) for f in files]!r}, poll=0.05))")
    launcher = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)
    pids = wait_for_files(*files)
    launcher.kill()                                        # what honcho does 10 s after its SIGTERM
    launcher.wait(timeout=10)
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in pids)
