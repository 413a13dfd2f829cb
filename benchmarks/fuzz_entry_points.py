"""A longer fuzzing campaign over every text entry point (issue 9, "Keep it out"); not part of the suite.

Runs each check of ``tests/test_fuzz_entry_points.py`` (its ``ENTRY_POINTS`` table) on many more
random inputs than the suite does, with bigger huge strings, and reports per entry point: inputs
tried, failures (an exception, or a wrong kind of answer: a failed check), and the slowest input
with its size and time. Failures are counted and the campaign goes on (no shrinking).

    .venv/bin/python benchmarks/fuzz_entry_points.py                  # table
    .venv/bin/python benchmarks/fuzz_entry_points.py --examples 200   # a smoke run
    .venv/bin/python benchmarks/fuzz_entry_points.py --json           # table, then one JSON object as the last line
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository root: `tests` is a package

from tests import test_fuzz_entry_points as fuzz

#: Entry points that start a whole command (loading flows) per input get fewer inputs.
SLOW = {"cli: selfhelp match": 0.15, "store: tampered file": 0.5, "scenarios: load_scenarios": 0.5}


@dataclass
class Tally:
    """What one entry point did with the campaign's inputs."""

    name: str
    tried: int = 0
    failures: list[str] = field(default_factory=list)
    slowest_s: float = 0.0
    slowest_len: int = 0
    slowest_start: str = ""
    total_s: float = 0.0

    def row(self) -> dict[str, object]:
        return {
            "entry_point": self.name,
            "tried": self.tried,
            "failures": len(self.failures),
            "slowest_ms": round(self.slowest_s * 1000, 1),
            "slowest_len": self.slowest_len,
            "slowest_input_start": self.slowest_start,
            "mean_ms": round(self.total_s / max(self.tried, 1) * 1000, 2),
            "first_failures": self.failures[:3],
        }


def campaign(name: str, check: Callable[[str], None], strategy: st.SearchStrategy[str], examples: int) -> Tally:
    """Run ``check`` on ``examples`` generated inputs, timing each; failures are recorded, not raised."""
    tally = Tally(name)

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def run(text: str) -> None:
        start = time.perf_counter()
        try:
            check(text)
        except Exception as exc:  # a campaign counts every failure and goes on
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            where = f"{Path(frame.filename).name}:{frame.lineno}"
            tally.failures.append(f"{type(exc).__name__} at {where} on {text[:80]!r} (len {len(text)})")
        elapsed = time.perf_counter() - start
        tally.tried += 1
        tally.total_s += elapsed
        if elapsed > tally.slowest_s:
            tally.slowest_s, tally.slowest_len, tally.slowest_start = elapsed, len(text), ascii(text[:16])

    run()
    return tally


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=2000, help="inputs per entry point (default 2000)")
    parser.add_argument("--huge", type=int, default=300_000, help="the longest huge string (default 300000)")
    parser.add_argument("--only", help="run the entry points whose name contains this")
    parser.add_argument("--json", action="store_true", help="end with one JSON object")
    args = parser.parse_args()
    text = fuzz.text_strategy(args.huge)
    rows = []
    for name, check, strategy in fuzz.ENTRY_POINTS:
        if args.only and args.only not in name:
            continue
        examples = max(1, int(args.examples * SLOW.get(name, 1.0)))
        # The suite's strategies, with the huge strings made bigger (the importer keeps its Markdown).
        tally = campaign(name, check, strategy if name.startswith("importer") else text, examples)
        row = tally.row()
        rows.append(row)
        print(
            f"{name:40} tried {row['tried']:6}  failures {row['failures']:3}  mean {row['mean_ms']:8} ms"
            f"  slowest {row['slowest_ms']:9} ms (len {row['slowest_len']}, {row['slowest_input_start']})",
            flush=True,
        )
        for failure in row["first_failures"]:  # type: ignore[union-attr]
            print(f"    {failure}", flush=True)
    if args.json:
        print(json.dumps({"examples": args.examples, "huge": args.huge, "rows": rows}))
    return 1 if any(r["failures"] for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
