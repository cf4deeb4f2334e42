"""Start N Rasa servers for `make run` (Procfile), one per core when there are two or more, on ports
5005, 5006... with the same model and the shared tracker store (TRACKER_STORE_URL, bot/tracker_store.py),
and stop them together: a signal to this launcher goes to every child; one child that exits stops the
others, and the launcher exits with its code (honcho then stops the whole assistant).

    python scripts/rasa_replicas.py            # start them (RASA_REPLICAS: how many; default one per core)
    python scripts/rasa_replicas.py --urls     # print RASA_URLS for them (what the API reads)

Rasa 3.6 has no worker count that would share trackers safely in memory, hence processes; the API
sends each conversation to one of them (api/rasa_client.py)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOST, BASE_PORT = "127.0.0.1", 5005
GRACE_SECONDS = 6.0    # then SIGKILL: within honcho's own 10 s, so that no server is left behind


def replica_count(environ: dict[str, str] = os.environ) -> int:  # type: ignore[assignment]
    """RASA_REPLICAS, else one per usable core (one on a single core)."""
    wanted = environ.get("RASA_REPLICAS", "").strip()
    if wanted:
        return max(1, int(wanted))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, cores)


def ports(count: int) -> list[int]:
    return [BASE_PORT + index for index in range(count)]


def urls(count: int) -> str:
    return ",".join(f"http://{HOST}:{port}" for port in ports(count))


def rasa_command(port: int, token: str) -> list[str]:
    return [sys.executable, "-m", "rasa", "run", "--enable-api", "--auth-token", token, "-i", HOST,
            "-p", str(port), "--model", "bot/models/current.tar.gz", "--endpoints", "bot/endpoints.yml",
            "--credentials", "bot/credentials.yml"]


def _die_with_parent() -> None:
    """In the child (Linux): killed if the launcher dies, even by SIGKILL (honcho's, 10 s after its SIGTERM)."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def supervise(commands: list[list[str]], poll: float = 0.2, grace: float = GRACE_SECONDS) -> int:
    """Run the commands together until one exits or a signal comes; then stop them all (SIGTERM, then
    SIGKILL after `grace` seconds) and return the first exit code (0 on a signal)."""
    children = [subprocess.Popen(command, cwd=ROOT, start_new_session=True, preexec_fn=_die_with_parent)
                for command in commands]
    stopping: list[int] = []

    def stop(signum: int, _frame: object) -> None:
        stopping.append(signum)

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, stop)
    code = 0
    while not stopping:
        exited = [(index, child) for index, child in enumerate(children) if child.poll() is not None]
        if exited:
            index, child = exited[0]
            code = child.returncode or 1
            print(f"Rasa server {index} exited ({child.returncode}): stopping the others", file=sys.stderr, flush=True)
            break
        time.sleep(poll)
    for child in children:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
    return code


def main(argv: list[str]) -> int:
    count = replica_count()
    if argv[1:2] == ["--urls"]:
        print(urls(count))
        return 0
    token = os.environ.get("RASA_AUTH_TOKEN")
    if not token:
        print("RASA_AUTH_TOKEN is not set: run make secrets", file=sys.stderr)
        return 2
    print(f"Starting {count} Rasa server(s) on ports {', '.join(map(str, ports(count)))}", file=sys.stderr, flush=True)
    return supervise([rasa_command(port, token) for port in ports(count)])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
