"""OpenFisca simulations in a dedicated process: the API process keeps its CPU for HTTP, and a crash
or a hang of a simulation costs a restart of this process, not of the API.

    simulator = SimulationProcess("2026-11", warm_up=[household])
    simulator.start()                        # blocking: the child loads and warms OpenFisca
    results = simulator.simulate(households) # blocking; EngineUnavailable if the child is down
    facts = simulator.facts("2026-11")       # PeriodFacts: what the answers read from the parameters
    simulator.close()                        # stops the child (and waits for it)

Why: one simulation is pure Python under the GIL. In the API process, it competes with the event
loop that parses requests and writes answers (chat, webhooks). In its own process the API process
uses about a third of the CPU at the same throughput; throughput itself is about the same, as with
64 waiting clients a cycle stays sequential (see docs/benchmarks.md, « Eligibility service »). The API process then loads no
OpenFisca-France of its own: what the answers need from the parameters (`PeriodFacts`) comes from
the child, with the first results of each month.

The child is `python -m api.eligibility.worker <fd>`, started with `subprocess` (a fresh
interpreter, as multiprocessing's 'spawn', without re-importing the parent's main module nor
starting multiprocessing's resource tracker); it talks over a socket pair with
`multiprocessing.connection` (pickled messages):

    parent -> child   first (month, warm-up households, parameters folder), then
                      (number, "simulate", [Household, ...]) | (number, "facts", month) | None to stop
    child -> parent   ("ready", (versions, PeriodFacts)) | ("failed", text)
                      | (number, True, results or PeriodFacts, seconds computing, PeriodFacts or None)
                      | (number, False, text, seconds, None)

Households go in (a few hundred bytes each), the plain results of `Engine.simulate` come back: the
child computes exactly what the in-process engine computes. The parent sends a batch as soon as it
has one (batches may queue in the socket: `MicroBatcher(in_flight=2)`); one reader thread receives
the results and resolves the futures in order.

Failures: if the child dies, stops answering for `batch_timeout` seconds, or cannot be read, every
waiting batch fails with `EngineUnavailable` (the route answers 503 in French), the child is
killed, and a new one is started in the background; until it is ready, batches fail at once with
the same error. The child ignores SIGINT (Ctrl-C reaches the whole process group: the parent
decides), and exits by itself when the parent goes away (end of the socket, or a new parent pid).
"""
from __future__ import annotations

import concurrent.futures
import itertools
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

log = logging.getLogger("api.eligibility")

ROOT = Path(__file__).resolve().parents[2]


class EngineUnavailable(RuntimeError):
    """The simulation process is down or restarting: answer 503, retry in a few seconds."""

    fr = "Le calcul des aides redémarre après un incident. Réessayez dans quelques secondes."
    en = "The eligibility engine is restarting; retry in a few seconds."


class SimulationError(RuntimeError):
    """A batch raised an error in the simulation process (its text)."""


@dataclass
class ProcessStats:
    """Batches computed by the child: how long the child computed them, and how long the parent
    waited for them (the difference is transfer, queueing behind the previous batch, thread hand-offs)."""
    batches: int = 0
    computing_seconds: float = 0.0
    waiting_seconds: float = 0.0


class _Child:
    """One child process and its connection (a new one after each restart)."""

    def __init__(self, process: subprocess.Popen, connection: Connection) -> None:
        self.process = process
        self.connection = connection
        self.versions: dict[str, str] = {}


class SimulationProcess:
    def __init__(self, period: str, warm_up: list | None = None, *, start_timeout: float = 300.0,
                 batch_timeout: float = 20.0, restart_delay: float = 1.0, parameters_dir=None) -> None:  # noqa: ANN001
        self.period = period
        self.parameters_dir = str(parameters_dir) if parameters_dir is not None else None  # overlays.py
        self.warm_up = list(warm_up or [])
        self.start_timeout = start_timeout
        self.batch_timeout = batch_timeout
        self.restart_delay = restart_delay
        self.versions: dict[str, str] = {}
        self._facts: dict[str, object] = {}  # month -> PeriodFacts
        self.restarts = 0
        self.stats = ProcessStats()
        self._lock = threading.Lock()  # state, pending batches, sending
        self._state = "stopped"  # starting, ready, restarting, closed
        self._child: _Child | None = None
        self._pending: dict[int, tuple[concurrent.futures.Future, float, float]] = {}  # future, deadline, sent
        self._numbers = itertools.count()
        self._ready = threading.Event()
        self._closing = threading.Event()
        self._start_error: str | None = None
        self._reader: threading.Thread | None = None

    # ----- parent side -----
    @property
    def ready(self) -> bool:
        return self._state == "ready"

    @property
    def pid(self) -> int | None:
        child = self._child
        return child.process.pid if child is not None else None

    def start(self) -> None:
        """Start the child and wait until it has loaded and warmed OpenFisca."""
        self.launch()
        self.wait_ready()

    def launch(self) -> None:
        """Start the child; it loads OpenFisca while the caller does something else."""
        with self._lock:
            if self._state != "stopped":
                raise RuntimeError(f"simulation process already {self._state}")
            self._state = "starting"
            self._child = self._launch()
        self._reader = threading.Thread(target=self._read, name="eligibility-simulation-reader", daemon=True)
        self._reader.start()

    def wait_ready(self) -> None:
        """Block until the launched child is ready; if it cannot start, close and raise."""
        if not self._ready.wait(self.start_timeout + 5):
            self.close()
            raise RuntimeError("the simulation process did not start in time")
        if self._start_error is not None:
            self.close()
            raise RuntimeError(f"the simulation process did not start: {self._start_error}")

    def submit(self, households: list) -> concurrent.futures.Future:
        """Send a batch now; the future gets its results (or EngineUnavailable, SimulationError)."""
        return self._send("simulate", households)

    def facts(self, period: str):  # noqa: ANN201 - PeriodFacts
        """Known once a batch of that month was computed (they come with its results); else asked."""
        found = self._facts.get(period)
        return found if found is not None else self._send("facts", period).result()

    def _send(self, kind: str, payload) -> concurrent.futures.Future:  # noqa: ANN001
        future: concurrent.futures.Future = concurrent.futures.Future()
        with self._lock:
            if self._state != "ready":
                future.set_exception(EngineUnavailable(f"simulation process {self._state}"))
                return future
            number = next(self._numbers)
            now = time.monotonic()
            self._pending[number] = (future, now + self.batch_timeout, now)
            try:
                self._child.connection.send((number, kind, payload))
            except (OSError, ValueError) as error:  # the child is gone: the reader restarts it
                del self._pending[number]
                future.set_exception(EngineUnavailable(f"simulation process unreachable: {error}"))
        return future

    def simulate(self, households: list) -> list[dict]:
        """Blocking; the reader enforces the timeout (the future always ends)."""
        return self.submit(households).result()

    def close(self, timeout: float = 5.0) -> None:
        """Stop the child and wait for it; every waiting batch fails. Idempotent."""
        with self._lock:
            if self._state == "closed":
                return
            self._state = "closed"
            child, self._child = self._child, None
            pending, self._pending = self._pending, {}
        self._ready.set()
        self._closing.set()
        if child is not None:
            try:
                child.connection.send(None)
            except (OSError, ValueError):
                pass
            _stop(child, timeout)
        _fail(pending, EngineUnavailable("simulation process closed"))
        if self._reader is not None and self._reader is not threading.current_thread():
            self._reader.join(timeout)

    def _launch(self) -> _Child:
        ours, theirs = socket.socketpair()
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "api.eligibility.worker", str(theirs.fileno()), str(os.getpid())],
                pass_fds=(theirs.fileno(),), cwd=ROOT, env=env, stdin=subprocess.DEVNULL)
        finally:
            theirs.close()
        connection = Connection(ours.detach())
        connection.send((self.period, self.warm_up, self.parameters_dir))
        log.info("Simulation process %d started", process.pid)
        return _Child(process, connection)

    def _read(self) -> None:
        """Reader thread: the start-up message, then results in order; restarts a failed child."""
        while True:
            with self._lock:
                if self._state == "closed":
                    return
                child = self._child
                starting = self._state in ("starting", "restarting")
            failure = self._read_child(child, starting)
            with self._lock:
                if self._state == "closed":
                    return
                first_start = self._state == "starting"
                self._state = "restarting"
                pending, self._pending = self._pending, {}
                self._child = None
            log.error("Simulation process %d failed (%s); %d batches answered 503; restarting",
                      child.process.pid, failure, len(pending))
            _stop(child, 1.0)
            _fail(pending, EngineUnavailable(f"simulation process failed: {failure}"))
            if first_start:  # never started: start() reports it
                self._start_error = failure
                self._ready.set()
                return
            self._restart()

    def _restart(self) -> None:
        delay = self.restart_delay
        while not self._closing.wait(delay):
            with self._lock:
                if self._state == "closed":
                    return
                try:
                    self._child = self._launch()
                    self.restarts += 1
                    return
                except OSError:
                    log.exception("Cannot start a simulation process")
            delay = min(delay * 2, 60.0)

    def _read_child(self, child: _Child, starting: bool) -> str:
        """Read until this child fails; return why."""
        connection = child.connection
        start_deadline = time.monotonic() + self.start_timeout
        while True:
            now = time.monotonic()
            with self._lock:
                if self._state == "closed":
                    return "closed"
                deadline = start_deadline if starting else min(
                    (deadline for _, deadline, _ in self._pending.values()), default=now + 1.0)
            if now > deadline:
                return "no answer in time" if not starting else "start-up too long"
            try:
                if not connection.poll(min(max(deadline - now, 0.0), 1.0)):
                    if child.process.poll() is not None:
                        return f"exit code {child.process.returncode}"
                    continue
                message = connection.recv()
            except (EOFError, OSError) as error:
                return f"connection lost ({type(error).__name__})" if child.process.poll() is None else \
                    f"exit code {child.process.returncode}"
            if starting:
                kind, value = message
                if kind != "ready":
                    return f"start-up error: {value}"
                with self._lock:
                    if self._state == "closed":
                        return "closed"
                    self._state = "ready"
                self.versions = child.versions = value[0]
                self._facts[value[1].period] = value[1]
                starting = False
                self._ready.set()
                log.info("Simulation process %d ready", child.process.pid)
                continue
            number, ok, value, seconds, facts = message
            if facts is not None:  # before the results: their answers need them
                self._facts[facts.period] = facts
            with self._lock:
                entry = self._pending.pop(number, None)
            if entry is not None:
                future, _, sent = entry
                self.stats.batches += 1
                self.stats.computing_seconds += seconds
                self.stats.waiting_seconds += time.monotonic() - sent
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(SimulationError(value))


def _fail(pending: dict, error: Exception) -> None:
    for future, *_ in pending.values():
        if not future.done():
            future.set_exception(error)


def _stop(child: _Child, timeout: float) -> None:
    """Wait for the child to exit, then terminate it, then kill it; always reaped."""
    process = child.process
    for step in (None, process.terminate, process.kill):
        if step is not None:
            try:
                step()
            except OSError:
                pass
        try:
            process.wait(timeout)
            break
        except subprocess.TimeoutExpired:
            continue
    try:
        child.connection.close()
    except OSError:
        pass


# ----- child side -----
def _watch_parent(parent_pid: int) -> None:
    """Exit when the parent is gone (even while busy loading or computing)."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent_pid:
            os._exit(0)


def serve(fd: int, parent_pid: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the parent stops us
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s simulation process: %(message)s")
    connection = Connection(fd)
    try:
        period, warm_up, parameters_dir = connection.recv()
        from api.eligibility.engine import Engine

        engine = Engine(parameters_dir)
        engine.load(period)
        if warm_up:
            engine.simulate(warm_up)
    except (EOFError, OSError):
        return
    except Exception as error:  # noqa: BLE001 - reported to the parent
        connection.send(("failed", f"{type(error).__name__}: {error}"))
        return
    connection.send(("ready", (engine.versions, engine.facts(period))))
    facts_sent = {period}
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        number, kind, payload = message
        started = time.perf_counter()
        try:
            facts = None
            if kind == "facts":
                value = engine.facts(payload)
            else:
                value = engine.simulate(payload)
                month = payload[0].period
                if month not in facts_sent:
                    facts = engine.facts(month)
                    facts_sent.add(month)
            reply = (number, True, value, time.perf_counter() - started, facts)
        except Exception as error:  # noqa: BLE001 - the batch fails, the process serves on
            log.exception("%s request failed", kind)
            reply = (number, False, f"{type(error).__name__}: {error}", time.perf_counter() - started, None)
        try:
            connection.send(reply)
        except (OSError, ValueError):
            return


if __name__ == "__main__":
    serve(int(sys.argv[1]), int(sys.argv[2]))
