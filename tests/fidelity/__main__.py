"""Fidelity harness: is the household sent to the eligibility service the household the person described?

    .venv-svc/bin/python -m tests.fidelity                      # 500 personas, seed 1 (make fidelity)
    .venv-svc/bin/python -m tests.fidelity --count 40 --seed 7 --concurrency 3
    .venv-svc/bin/python -m tests.fidelity --show 5             # print 5 truths and openers, play nothing
    # against a stack already running whose action server has API_URL=http://127.0.0.1:8765:
    .venv-svc/bin/python -m tests.fidelity --api http://127.0.0.1:8000 --listen 8765

Starts the real stack (tests/stack.py) with the action server's API_URL pointed at a recording proxy,
plays the personas through the web chat API, compares the last household each conversation sent with
the truth, writes var/fidelity/report.json and prints the summary."""
from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from tests.fidelity.persona import Persona
from tests.fidelity.player import play_all
from tests.fidelity.proxy import RecordingProxy
from tests.fidelity.report import commit, markdown, model, summarise, table, write_json
from tests.fidelity.truth import generate

ROOT = Path(__file__).resolve().parents[2]


def stack_errors(workdir: Path, top: int = 6) -> dict[str, int]:
    """The most frequent ERROR lines of the stack's logs, without their time (a model that does not match
    the actions' slots shows here first)."""
    import re
    from collections import Counter
    found: Counter = Counter()
    for name in ("rasa", "actions", "api"):
        path = workdir / f"{name}.log"
        if path.exists():
            for line in path.read_text(errors="replace").splitlines():
                if " ERROR " in line or line.startswith(("Traceback", "ERROR")):
                    found[f"{name}: " + re.sub(r"^[\d\- :,.]+", "", line)[:160]] += 1
    return dict(found.most_common(top))


def run(count: int, seed: int, concurrency: int, max_messages: int, report: Path, minutes: float,
        api: str | None = None, listen: int = 0, quiet: bool = False) -> dict:
    truths = generate(count, seed)
    proxy = RecordingProxy(upstream=api, port=listen).start()
    stack = None
    started = time.monotonic()
    meta = {"seed": seed, "count": count, "commit": commit(), "model": model(),
            "date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "concurrency": concurrency,
            "max_messages": max_messages}
    try:
        if api is None:
            from tests.stack import start_stack
            stack = start_stack(process_env={"actions": {"API_URL": proxy.url}})
            proxy.upstream = stack.api_url
            meta["stack_start_s"] = round(time.monotonic() - started, 1)
        api_url = api or stack.api_url
        playing = time.monotonic()

        def progress(done: int, total: int, played) -> None:  # noqa: ANN001
            if not quiet and (done % 25 == 0 or done == total):
                print(f"  {done}/{total} played ({time.monotonic() - playing:.0f} s)", file=sys.stderr, flush=True)
        played, skipped = play_all(truths, api_url, proxy.recorder, concurrency, max_messages,
                                   deadline=playing + minutes * 60, progress=progress)
        meta["duration_s"] = round(time.monotonic() - started, 1)
        meta["playing_s"] = round(time.monotonic() - playing, 1)
        meta["not_played"] = len(skipped)
        meta["requests_without_conversation_id"] = proxy.recorder.without_id
        if stack is not None:
            meta["stack_errors"] = stack_errors(stack.workdir)
        summary = summarise(played)
        write_json(report, meta, summary, played, skipped)
        if not quiet:
            print(table(summary, meta))
            if skipped:
                print(f"  {len(skipped)} personas not played: the time limit ({minutes} min) was reached")
            print(f"  report: {report}")
        return {"meta": meta, "summary": summary, "played": played}
    finally:
        if stack is not None:
            stack.stop()
        proxy.stop()


def recompare(path: Path) -> int:
    """The comparison and the figures again, from a stored report (after a change of the comparison)."""
    from tests.fidelity.player import Played
    stored = json.loads(path.read_text())
    played = [Played.from_report(e) for e in stored["failing"] + stored["exact"]]
    played.sort(key=lambda p: p.truth.id)
    summary = summarise(played)
    write_json(path, stored["meta"], summary, played, stored.get("not_played", []))
    print(table(summary, stored["meta"]))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fidelity", description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--max-messages", type=int, default=40, help="per conversation: a loop is caught")
    parser.add_argument("--minutes", type=float, default=40, help="stop starting new conversations after this")
    parser.add_argument("--report", type=Path, default=ROOT / "var" / "fidelity" / "report.json")
    parser.add_argument("--api", help="a running API (its action server's API_URL must be this proxy)")
    parser.add_argument("--listen", type=int, default=0, help="the proxy's port, with --api")
    parser.add_argument("--show", type=int, default=0, help="print this many truths and openers, play nothing")
    parser.add_argument("--recompare", type=Path, help="compare again the conversations of a stored report")
    parser.add_argument("--markdown", type=Path, help="print a stored report's figures for docs/benchmarks.md")
    args = parser.parse_args(argv)
    if args.markdown:
        stored = json.loads(args.markdown.read_text())
        print(markdown(stored["summary"], stored["meta"]))
        return 0
    if args.recompare:
        return recompare(args.recompare)
    if args.show:
        for truth in generate(args.show, args.seed):
            print(json.dumps(truth.as_dict(), ensure_ascii=False))
            print("  opener:", Persona(truth).opener())
        return 0
    run(args.count, args.seed, args.concurrency, args.max_messages, args.report, args.minutes, args.api, args.listen)
    return 0


if __name__ == "__main__":
    sys.exit(main())
