"""`make run`: start-up time to a French greeting, and resident memory of each process.

    .venv-svc/bin/python bench/startup.py            # warm: environments and model already cached
    .venv-svc/bin/python bench/startup.py --cold     # cold: fresh clone, empty cache, no pip cache
    python bench/startup.py --cold --cache ~/.cache/tzn   # on a new machine: cold, and fills the real cache

Runs `make run` in a clone of this repository, polls the chat API until it answers a greeting in
French, measures the resident memory (RSS) of Rasa, the action server and the API, then sends
Ctrl-C (SIGINT) and checks that no process is left behind. With --write, replaces the section
"## make run" of docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def greeting(url: str) -> str | None:
    try:
        response = httpx.post(f"{url}/api/chat", json={"source": None}, timeout=30)
    except httpx.HTTPError:
        return None
    if response.status_code != 200:
        return None
    return response.json()["messages"][0]["text"]


def role_of(process: psutil.Process) -> str | None:
    try:
        command = " ".join(process.cmdline())
    except psutil.Error:
        return None
    if " -m rasa run" in command:
        return "rasa"
    if " -m rasa_sdk" in command:
        return "actions"
    if " -m api" in command:
        return "api"
    return None


def measure(cold: bool, timeout: float, cache: Path | None = None) -> dict[str, object]:
    workdir = Path(tempfile.mkdtemp(prefix="tzn-bench-"))
    clone = workdir / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    env = dict(os.environ)
    port = free_port()
    env.update(API_PORT=str(port), PUBLIC_BASE_URL=f"http://127.0.0.1:{port}")
    if cold:
        if cache and cache.exists() and any(cache.iterdir()):
            raise SystemExit(f"{cache} is not empty: a cold start needs an empty cache")
        env["TZN_CACHE"] = str(cache or workdir / "cache")
        env["PIP_NO_CACHE_DIR"] = "1"
    url = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    log = open(workdir / "make-run.log", "wb")
    make = subprocess.Popen(["make", "run"], cwd=clone, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    text = None
    try:
        while time.monotonic() - started < timeout:
            if make.poll() is not None:
                raise RuntimeError(f"make run exited: see {workdir / 'make-run.log'}")
            text = greeting(url)
            if text:
                break
            time.sleep(1)
        elapsed = time.monotonic() - started
        if not text:
            raise TimeoutError(f"no greeting within {timeout} s: see {workdir / 'make-run.log'}")
        time.sleep(5)  # let memory settle after the first conversation
        memory: dict[str, float] = {}
        for process in psutil.Process(make.pid).children(recursive=True):
            role = role_of(process)
            if role:
                memory[role] = memory.get(role, 0.0) + process.memory_info().rss / 2**20
        tree = [p.pid for p in psutil.Process(make.pid).children(recursive=True)]
    finally:
        os.killpg(make.pid, signal.SIGINT)
        try:
            make.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(make.pid, signal.SIGKILL)
    time.sleep(2)
    left = [pid for pid in tree if psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]
    shutil.rmtree(workdir, ignore_errors=True)
    return {"seconds": elapsed, "greeting": text, "memory": memory, "left_behind": left}


def write_section(markdown: str) -> None:
    path = ROOT / "docs" / "benchmarks.md"
    current = path.read_text() if path.exists() else "# Benchmarks\n"
    section = "## make run\n"
    pattern = re.compile(r"## make run\n.*?(?=\n## |\Z)", re.S)
    current = pattern.sub(lambda _: section + markdown, current) if section in current \
        else current.rstrip() + "\n\n" + section + markdown
    path.write_text(current.rstrip() + "\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cold", action="store_true")
    parser.add_argument("--both", action="store_true", help="cold then warm")
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--cache", type=Path, help="cold run: this (empty) cache instead of a temporary one")
    args = parser.parse_args()
    runs = [("cold", True), ("warm", False)] if args.both else [("cold" if args.cold else "warm", args.cold)]
    rows = []
    for name, cold in runs:
        result = measure(cold, args.timeout, args.cache.expanduser() if args.cache else None)
        print(f"{name}: {result['seconds']:.0f} s to « {result['greeting'][:50]}… »; "
              f"RSS {result['memory']}; left behind: {result['left_behind']}", file=sys.stderr)
        rows.append((name, result))
    lines = [f"Measured on {date.today()} with `.venv-svc/bin/python bench/startup.py --both --write` "
             "(2 cores; cold = fresh clone, empty `TZN_CACHE`, `PIP_NO_CACHE_DIR=1`).", "",
             "| start | time to a French greeting | Rasa RSS | action server RSS | API RSS | left after Ctrl-C |",
             "|---|---|---|---|---|---|"]
    for name, result in rows:
        memory = result["memory"]
        lines.append(f"| {name} | {result['seconds']:.0f} s | {memory.get('rasa', 0):.0f} MiB | "
                     f"{memory.get('actions', 0):.0f} MiB | {memory.get('api', 0):.0f} MiB | "
                     f"{len(result['left_behind'])} processes |")
    markdown = "\n".join(lines) + "\n"
    print(markdown)
    if args.write:
        write_section(markdown)


if __name__ == "__main__":
    main()
