"""Start the real stack (Rasa, action server, API) as subprocesses on free ports, for end-to-end
tests and benchmarks. Used by tests/e2e/conftest.py, bench/ and tests/fidelity (which gives the action
server alone another API_URL, through a recording proxy: `process_env`)."""
from __future__ import annotations

import base64
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
BOT_PYTHON = ROOT / ".venv-bot" / "bin" / "python"
SVC_PYTHON = ROOT / ".venv-svc" / "bin" / "python"
MODEL = ROOT / "bot" / "models" / "current.tar.gz"
RASA_AUTH_TOKEN = "test-rasa-token"   # Rasa's HTTP API refuses calls without it
# The staff account every stack has, created with the contract's command (api/staff/__main__.py)
STAFF_EMAIL, STAFF_PASSWORD = "equipe-e2e@example.fr", "mot de passe des tests e2e"


# Load tests and end-to-end runs push many simulated people through one address (loopback): limits
# high enough never to meet them (docs/limits.md). A test of the limits themselves passes its own.
LOAD_TEST_LIMITS = {
    "RATE_LIMIT_NEW_CONVERSATIONS": "1000000/minute",
    "RATE_LIMIT_MESSAGES": "1000000/minute",
    "RATE_LIMIT_ELIGIBILITY": "1000000/minute",
    "RATE_LIMIT_CALLBACKS": "1000000/minute",
    "RATE_LIMIT_BOOKINGS": "1000000/minute",
    "SMS_DAILY_CAP_PER_NUMBER": "0",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Stack:
    workdir: Path
    api_port: int = field(default_factory=free_port)
    rasa_port: int = field(default_factory=free_port)
    actions_port: int = field(default_factory=free_port)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    commands: dict[str, list[str]] = field(default_factory=dict)
    extra_env: dict[str, str] = field(default_factory=dict)
    # Variables for one process only ("rasa", "actions" or "api"), over the shared ones.
    process_env: dict[str, dict[str, str]] = field(default_factory=dict)
    # Rasa servers: "rasa" on rasa_port, then "rasa-1", "rasa-2"... on ports of their own (RASA_URLS).
    rasa_replicas: int = 1
    rasa_ports: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rasa_ports = [self.rasa_port] + [free_port() for _ in range(self.rasa_replicas - 1)]

    @property
    def rasa_names(self) -> list[str]:
        return ["rasa"] + [f"rasa-{index}" for index in range(1, self.rasa_replicas)]

    @property
    def rasa_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.rasa_ports]

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    def env(self, process: str | None = None) -> dict[str, str]:
        env = dict(os.environ)
        env.update({
            "PYTHONPATH": str(ROOT),
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "API_PORT": str(self.api_port),
            "PUBLIC_BASE_URL": self.api_url,
            "RASA_URL": f"http://127.0.0.1:{self.rasa_port}",
            "RASA_URLS": ",".join(self.rasa_urls),
            "ACTIONS_URL": f"http://127.0.0.1:{self.actions_port}",
            "API_URL": self.api_url,
            "DATABASE_URL": f"sqlite:///{self.workdir / 'stack.db'}",
            # Rasa's trackers after consent (bot/tracker_store.py), erased and swept by the API
            "TRACKER_STORE_URL": f"sqlite:///{self.workdir / 'trackers.db'}",
            "PSEUDONYM_KEY": "test-pseudonym-key-0123456789abcdef",
            "DATA_ENCRYPTION_KEY": base64.urlsafe_b64encode(b"k" * 32).decode(),
            "INTERNAL_API_TOKEN": "test-internal-token",
            "RASA_AUTH_TOKEN": RASA_AUTH_TOKEN,
            "SANIC_HOST": "127.0.0.1",
            **LOAD_TEST_LIMITS,
        })
        env.update(self.extra_env)
        env.update(self.process_env.get("rasa" if (process or "").startswith("rasa-") else process or "", {}))
        return env

    def _spawn(self, name: str, command: list[str]) -> None:
        self.commands[name] = command
        log = open(self.workdir / f"{name}.log", "ab")
        self.processes[name] = subprocess.Popen(command, cwd=ROOT, env=self.env(name), stdout=log,
                                                stderr=subprocess.STDOUT, start_new_session=True)

    def start(self) -> None:
        endpoints = self.workdir / "endpoints.yml"
        endpoints.write_text(f'action_endpoint:\n  url: "http://127.0.0.1:{self.actions_port}/webhook"\n'
                             "tracker_store:\n  type: bot.tracker_store.ConsentGatedTrackerStore\n")
        subprocess.run([str(SVC_PYTHON), "-m", "api.staff", "create-user", "--email", STAFF_EMAIL, "--role", "admin"],
                       cwd=ROOT, env={**self.env("api"), "STAFF_PASSWORD": STAFF_PASSWORD}, check=True,
                       capture_output=True, timeout=120)
        for name in ("actions", *self.rasa_names, "api"):
            self._spawn(name, self.command(name))

    def command(self, name: str) -> list[str]:
        if name == "actions":
            return [str(BOT_PYTHON), "-m", "rasa_sdk", "--actions", "actions", "-p", str(self.actions_port)]
        if name in self.rasa_names:
            return [str(BOT_PYTHON), "-m", "rasa", "run", "--enable-api",
                    "--auth-token", self.env("rasa")["RASA_AUTH_TOKEN"], "-i", "127.0.0.1",
                    "-p", str(self.rasa_ports[self.rasa_names.index(name)]), "--model", str(MODEL),
                    "--endpoints", str(self.workdir / "endpoints.yml"),
                    "--credentials", str(ROOT / "bot" / "credentials.yml")]
        return [str(SVC_PYTHON), "-m", "api"]

    def restart(self, *names: str) -> None:
        """Kill these processes (SIGKILL: a crash, nothing flushed on the way out), start them again
        on the same ports and wait until the stack is ready."""
        for name in names:
            process = self.processes[name]
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=20)
        for name in names:
            self._spawn(name, self.command(name))
        self.wait_ready()

    def wait_ready(self, timeout: float = 300.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited early:\n{self.log_tail(name)}")
            try:
                if httpx.get(f"{self.api_url}/health/ready", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(1.0)
        raise TimeoutError("The stack was not ready in time:\n" + "\n".join(
            f"--- {name}\n{self.log_tail(name)}" for name in self.processes))

    def signal(self, name: str, signum: int) -> None:
        """Send a signal to one process and its children (SIGSTOP freezes it, SIGCONT resumes it)."""
        os.killpg(self.processes[name].pid, signum)

    def kill(self, name: str) -> None:
        self.signal(name, signal.SIGKILL)
        self.processes[name].wait(timeout=20)

    def log_tail(self, name: str, lines: int = 40) -> str:
        path = self.workdir / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def start_stack(extra_env: dict[str, str] | None = None,
                process_env: dict[str, dict[str, str]] | None = None, rasa_replicas: int = 1) -> Stack:
    if not MODEL.exists():
        raise FileNotFoundError("No trained model: run `make model` first")
    stack = Stack(workdir=Path(tempfile.mkdtemp(prefix="tzn-stack-")), extra_env=extra_env or {},
                  process_env=process_env or {}, rasa_replicas=rasa_replicas)
    stack.start()
    try:
        stack.wait_ready()
    except Exception:
        stack.stop()
        raise
    return stack


if __name__ == "__main__":
    started = start_stack()
    print(f"Stack ready at {started.api_url} (logs in {started.workdir}); Ctrl-C to stop.", file=sys.stderr)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        started.stop()
