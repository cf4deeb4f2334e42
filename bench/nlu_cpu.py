"""Rasa's CPU per message, and how many times each message is read (issue 13, « Cheaper turns »).

    .venv-bot/bin/python bench/nlu_cpu.py [--model bot/models/current.tar.gz] [--messages 300]
                                         [--personas 100] [--rounds 3] [--profile]

Loads the trained model in-process (`rasa.core.agent.Agent.load`), as `rasa run` does, and parses
`--messages` messages of the held-out set nlu/test (a fixed sample) and `--personas` answers of the
fidelity harness's generated personas (tests/fidelity: SMS spellings, typos, numbers in words, several
facts in one message) with `Agent.parse_message`, the call behind `/model/parse` and every turn.

- CPU per message: `time.process_time()` around each parse (all threads of this process: spaCy, the
  TensorFlow of DIET, our parsers), after one warm-up pass; the mean of each round, and the median
  of the rounds' means. A 2-core machine shared with other jobs: compare runs made side by side.
- Reads per message: a profile hook counts, per message, the calls of the functions that read the
  whole text: spaCy's `Language.__call__`, `nlu.parsing.extract_entities` (every fact of the
  message), `normalise_with_offsets` (our parser's tokenisation, which every parser of nlu.parsing
  starts with, on the message or on parts of it; counted when computed, not when found in its
  cache), `parse_yes_no`, `is_dont_know`, `looks_like_gibberish`. Counted in a separate pass,
  since the hook slows the parse down.
- `--profile`: one more pass under cProfile, printing where the time of a parse goes.
Timings are printed, never asserted; the figures are kept in docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import logging
import os
import pstats
import random
import statistics
import sys
import threading
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ASKS = ["age", "couple", "partner_age", "children", "children_ages", "commune", "housing_status", "rent",
        "activity", "salary", "unemployment", "pension", "partner_income", "recap"]


def test_messages(count: int, seed: int = 13) -> list[str]:
    from rasa.shared.nlu.training_data.loading import load_data

    texts = sorted({m.get("text") for m in load_data(str(ROOT / "nlu" / "test")).intent_examples})
    random.Random(seed).shuffle(texts)
    return texts[:count]


def persona_messages(count: int, seed: int = 1) -> list[str]:
    """What generated personas say: their first message, then their answer to each question."""
    from tests.fidelity.persona import Persona
    from tests.fidelity.truth import generate

    texts: list[str] = []
    for truth in generate(max(1, count // 4), seed):
        persona = Persona(truth)
        texts.append(persona.opener())
        for ask in ASKS:
            try:
                reply = persona.answer(ask, {"text": "", "buttons": []})
            except (AttributeError, KeyError, IndexError, TypeError):
                continue  # a question this persona is never asked
            if reply.text:
                texts.append(reply.text)
    unique = list(dict.fromkeys(texts))
    random.Random(seed).shuffle(unique)
    return unique[:count]


def read_functions() -> dict[object, str]:
    """The code objects of the functions that read a whole message, by name."""
    import spacy.language

    from nlu.parsing import categories, extract, text

    functions = {
        "spacy nlp(text)": spacy.language.Language.__call__,
        "extract_entities": extract.extract_entities,
        "normalise_with_offsets": text.normalise_with_offsets,
        "parse_yes_no": categories.parse_yes_no,
        "is_dont_know": categories.is_dont_know,
        "looks_like_gibberish": text.looks_like_gibberish,
    }
    # a cached function (normalise_with_offsets since issue 13) counts when it really computes
    return {getattr(function, "__wrapped__", function).__code__: name for name, function in functions.items()}


class ReadCounter:
    """Counts the calls of `read_functions()` while active (a profile hook: catches every caller,
    whatever name it imported the function under)."""

    def __init__(self) -> None:
        self.codes = read_functions()
        self.counts: Counter[str] = Counter()

    def _hook(self, frame, event, arg):  # noqa: ANN001 - sys.setprofile's signature
        if event == "call":
            name = self.codes.get(frame.f_code)
            if name is not None:
                self.counts[name] += 1

    def __enter__(self) -> "ReadCounter":
        self.counts.clear()
        threading.setprofile(self._hook)
        sys.setprofile(self._hook)
        return self

    def __exit__(self, *exc) -> None:
        sys.setprofile(None)
        threading.setprofile(None)  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(ROOT / "bot" / "models" / "current.tar.gz"))
    parser.add_argument("--messages", type=int, default=300, help="messages of nlu/test")
    parser.add_argument("--personas", type=int, default=100, help="answers of generated personas")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one pass")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    try:  # Rasa logs every parse through structlog at debug level
        import structlog
        structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    except ImportError:  # pragma: no cover
        pass
    from rasa.core.agent import Agent

    texts = test_messages(args.messages) + persona_messages(args.personas)
    agent = Agent.load(args.model)
    loop = asyncio.new_event_loop()
    parse = lambda text: loop.run_until_complete(agent.parse_message(text))  # noqa: E731

    for text in texts:  # warm-up: TensorFlow's first calls, the communes index, caches
        parse(text)

    means, walls = [], []
    for _ in range(args.rounds):
        cpu = 0.0
        wall = time.perf_counter()
        for text in texts:
            start = time.process_time()
            parse(text)
            cpu += time.process_time() - start
        walls.append((time.perf_counter() - wall) / len(texts))
        means.append(cpu / len(texts))

    per_message: dict[str, list[int]] = {name: [] for name in read_functions().values()}
    counter = ReadCounter()
    for text in texts:
        with counter:
            parse(text)
        for name in per_message:
            per_message[name].append(counter.counts[name])

    print(f"model {Path(os.path.realpath(args.model)).name}; {len(texts)} messages "
          f"({args.messages} of nlu/test, {len(texts) - args.messages} of personas); {args.rounds} rounds; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print(f"CPU per message: {1000 * statistics.median(means):.1f} ms (median of the rounds' means; "
          f"rounds: {', '.join(f'{1000 * m:.1f}' for m in means)} ms); wall {1000 * statistics.median(walls):.1f} ms")
    print("reads per message (mean, min-max):")
    for name, counts in per_message.items():
        print(f"  {name:24s} {statistics.mean(counts):5.2f}  {min(counts)}-{max(counts)}")

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for text in texts:
            parse(text)
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
        total = sum(row[3] for key, row in stats.stats.items() if key[2] == "parse_message"
                    and "agent.py" in key[0])
        print(f"cProfile: parse_message {1000 * total / len(texts):.1f} ms per message under the profiler")
        for key, row in stats.stats.items():
            filename, _, function = key
            if function in {"extract_entities", "__call__", "process", "_featurize", "parse_flags",
                            "is_nonsense", "looks_like_gibberish"} and ("nlu" in filename or "spacy/language" in filename):
                print(f"  {Path(filename).parent.name}/{Path(filename).name}:{function:22s} calls {row[1]:5d}  "
                      f"cumulative {1000 * row[3] / len(texts):6.2f} ms per message")
        stats.print_stats(25)
        print(out.getvalue()[:6000])
    loop.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
