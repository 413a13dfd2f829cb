"""Benchmark of ``selfhelp report`` over saved sessions, against a naive baseline, in the same run.

Sessions are made by driving the session engine through the shipped CPOR flow as
partners do: picking answers, pasting error messages (the flow's own patterns with
typos, chatter, GUIDs and domains in them, and messages no cause knows), typing
tenant IDs and domains, going back, answering "did you mean" (sometimes "None of
these"), an agent jumping now and then, and giving up part-way. A pool of such
sessions is driven through the engine and saved with ``SessionStore.file_text``;
each file written is one of them under its own id and start time (driving 100,000
sessions through the matcher would time the matcher, not the report).

For 1,000, 10,000 and 100,000 session files it times, each in a fresh process:

- ours: ``selfhelp report``'s work (read every file, add it up, the report, its table), as
  the command does it: the shipped flows loaded, files read by as many worker processes as
  there are cores (at most 4);
- baseline: the naive report: every file read with the store's pydantic model into
  a list, then the outcomes and stops counted from the list (a lower bound for a
  naive report: it computes a small part of ours).

    python benchmarks/report.py            # table
    python benchmarks/report.py --json     # table, then one JSON object as the last line
    python benchmarks/report.py --quick    # 1,000 and 10,000 files only
    python benchmarks/report.py --sizes 5000,20000
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from selfhelp.flow.catalog import load_catalog
from selfhelp.flow.models import Flow
from selfhelp.flow.sources import flow_sources
from selfhelp.session.engine import Session
from selfhelp.session.store import SessionStore

SIZES = [1_000, 10_000, 100_000]
#: Sessions driven through the engine; the files are copies of them under new ids and times.
POOL = 1_500
GOAL_SECONDS = 10.0
GOAL_FILES = 100_000
FLOW_ID = "cpor-customer-association"
SEED = 7

UNKNOWN_ERRORS = [
    "Payment profile for {email} is locked (code {n})",
    "We couldn't load your billing account {guid}. Try again later.",
    "Error {n}: the service is temporarily unavailable",
    "The partner location {n} is not enrolled in the incentive program",
    "Access denied for user {email} in tenant {guid}",
    "Request failed with status code {n}",
    "Your session has expired, sign in again at {domain}",
    "Invoice {n} could not be reconciled with the earning period",
]
CHATTER = ["", "", "hi, I get this: ", "Hello team, the portal says ", "please help!! ", "error: "]


def _guid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _fill(template: str, rng: random.Random) -> str:
    name = rng.choice(["jane", "bob", "li", "amir", "sofia"])
    org = rng.choice(["contoso", "fabrikam", "tailspin", "woodgrove", "adatum"])
    return template.format(
        guid=_guid(rng), email=f"{name}@{org}.com", domain=f"{org}.onmicrosoft.com", n=rng.randint(10, 99999)
    )


def _typo(text: str, rng: random.Random) -> str:
    if len(text) < 8:
        return text
    i = rng.randrange(1, len(text) - 1)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def paste_text(flow: Flow, rng: random.Random) -> str:
    """What a partner pastes: a known error (changed a little), or one no cause knows."""
    if rng.random() < 0.3:
        return rng.choice(CHATTER) + _fill(rng.choice(UNKNOWN_ERRORS), rng)
    patterns = [e for _, cause in flow.causes() for e in cause.errors]
    text = rng.choice(patterns)
    if rng.random() < 0.3:
        text = _typo(text, rng)
    if rng.random() < 0.3:
        text = f"{text} (tenant {_guid(rng)})"
    if rng.random() < 0.2:
        text = " ".join(text.split()[: max(2, len(text.split()) * 2 // 3)])
    return rng.choice(CHATTER) + text


def typed_answer(session: Session, rng: random.Random) -> bool:
    """Type an answer the step accepts (a GUID, a domain, an ID, words)."""
    candidates = [
        session.step().input.default if session.step().input else None,
        _guid(rng),
        f"{rng.choice(['contoso', 'fabrikam'])}.onmicrosoft.com",
        str(rng.randint(1_000_000, 9_999_999)),
        "The claim page shows an error after I submit it",
    ]
    return any(c and session.submit(c).ok for c in candidates)


def drive(flow: Flow, rng: random.Random) -> Session:
    """One partner's (or agent's) session, possibly abandoned part-way."""
    session = Session(flow)
    for _ in range(40):
        if session.finished or rng.random() < 0.07:  # giving up, a little at every step
            break
        step = session.step()
        if rng.random() < 0.05 and len(session.history) > 1:
            session.back()
            continue
        if rng.random() < 0.02:
            session.jump(rng.choice(list(flow.nodes)))
            continue
        if step.pending is not None:
            if rng.random() < 0.15:
                break  # left at "did you mean"
            labels = [c.label for c in step.choices]
            pick = labels[-1] if rng.random() < 0.3 else rng.choice(labels[:-1])
            session.choose_label(pick)
        elif step.input is not None and step.input.kind == "match":
            if step.choices and rng.random() < 0.15:
                session.choose(0)  # no message to paste: questions instead
            else:
                session.submit(paste_text(flow, rng))
        elif step.input is not None:
            if not typed_answer(session, rng):
                break
        elif step.choices:
            session.choose(rng.randrange(len(step.choices)))
        else:
            break
    return session


def make_pool(flow: Flow, folder: Path) -> list[str]:
    """:data:`POOL` sessions driven through the engine, as the store writes them."""
    rng = random.Random(SEED)
    store = SessionStore(folder)
    texts = []
    for _ in range(POOL):
        session = drive(flow, rng)
        texts.append(store.file_text(session))
        store.release(session.id)
    return texts


def write_sessions(pool: list[str], folder: Path, count: int) -> None:
    """``count`` session files: sessions of the pool, each under a new id and start time (over 90 days)."""
    rng = random.Random(SEED + count)
    folder.mkdir(parents=True)
    start = datetime(2026, 9, 1, tzinfo=UTC)
    for i in range(count):
        text = pool[i % len(pool)]
        data = json.loads(text)
        session_id = f"{rng.getrandbits(128):032x}"
        created = start + timedelta(seconds=rng.randrange(90 * 86_400))
        length = timedelta(seconds=int(rng.lognormvariate(5, 1)))
        text = text.replace(data["id"], session_id, 1)
        text = text.replace(data["created"], created.isoformat(timespec="seconds"), 1)
        text = text.replace(data["updated"], (created + length).isoformat(timespec="seconds"), 1)
        (folder / f"{session_id}.json").write_text(text, encoding="utf-8")


OURS = """
import json, resource, sys, time
from pathlib import Path
from selfhelp.flow.catalog import load_catalog
from selfhelp.flow.sources import flow_sources
from selfhelp.authoring.insights import build_insights
from selfhelp.commands.report import MAX_JOBS, table
import os
start = time.perf_counter()
cpu_before = resource.getrusage(resource.RUSAGE_SELF).ru_utime + resource.getrusage(resource.RUSAGE_SELF).ru_stime
catalog = load_catalog(flow_sources(environ={}))
flows = {flow_id: loaded.flow for flow_id, loaded in catalog.flows.items()}
jobs = min(MAX_JOBS, os.cpu_count() or 1)  # as the command does
report = build_insights([Path(sys.argv[1])], flows, jobs=jobs).report([Path(sys.argv[1])])
table(report)
seconds = time.perf_counter() - start
# The largest of this process and its workers (each worker's own peak).
rss = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024
usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
cpu = sum(u.ru_utime + u.ru_stime for u in usage) - cpu_before
skipped = sum(report.files.skipped.values())
figures = {"seconds": seconds, "cpu_seconds": cpu, "rss_mb": rss, "sessions": report.sessions}
print(json.dumps({**figures, "skipped": skipped}))
"""

BASELINE = """
import json, resource, sys, time
from collections import Counter
from pathlib import Path
from selfhelp.session.store import SavedFacts
from selfhelp.session.engine import SessionState
start = time.perf_counter()
cpu_before = resource.getrusage(resource.RUSAGE_SELF).ru_utime + resource.getrusage(resource.RUSAGE_SELF).ru_stime
loaded = []
for path in sorted(Path(sys.argv[1]).glob("*.json")):
    data = json.loads(path.read_text(encoding="utf-8"))
    facts = SavedFacts.model_validate(data.pop("saved", {}))
    loaded.append((SessionState.model_validate(data), facts))
outcomes = Counter(f.result for _, f in loaded if f.finished)
stops = Counter(s.history[-1].node for s, f in loaded if not f.finished)
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_SELF)
rss = usage.ru_maxrss / 1024
cpu = usage.ru_utime + usage.ru_stime - cpu_before
print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "rss_mb": rss, "sessions": len(loaded)}))
"""


def timed(code: str, folder: Path) -> dict[str, float]:
    """Run ``code`` on ``folder`` in a fresh Python; its JSON line of figures."""
    out = subprocess.run([sys.executable, "-c", code, str(folder)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="end with a JSON line of the figures")
    parser.add_argument("--quick", action="store_true", help="1,000 and 10,000 files only")
    parser.add_argument("--sizes", help="comma-separated numbers of files (default: 1000,10000,100000)")
    args = parser.parse_args()
    flow = load_catalog(flow_sources(environ={})).flows[FLOW_ID].flow
    root = Path(tempfile.mkdtemp(prefix="selfhelp-report-bench-"))
    try:
        began = time.perf_counter()
        pool = make_pool(flow, root / "pool")
        pool_seconds = time.perf_counter() - began
        print(f"{POOL:,} sessions driven through the engine in {pool_seconds:.1f} s", file=sys.stderr)
        rows = []
        sizes = [int(n) for n in args.sizes.split(",")] if args.sizes else SIZES[:2] if args.quick else SIZES
        for size in sizes:
            folder = root / f"sessions-{size}"
            write_sessions(pool, folder, size)
            ours = timed(OURS, folder)
            base = timed(BASELINE, folder)
            assert ours["sessions"] == base["sessions"] == size, (ours, base)
            rows.append(
                {
                    "files": size,
                    "seconds": round(ours["seconds"], 3),
                    "us_per_file": round(ours["seconds"] / size * 1e6, 1),
                    "cpu_seconds": round(ours["cpu_seconds"], 3),
                    "rss_mb": round(ours["rss_mb"], 1),
                    "baseline_seconds": round(base["seconds"], 3),
                    "baseline_cpu_seconds": round(base["cpu_seconds"], 3),
                    "baseline_rss_mb": round(base["rss_mb"], 1),
                    "speedup": round(base["seconds"] / ours["seconds"], 2),
                }
            )
            shutil.rmtree(folder)
            print_row(rows[-1], header=len(rows) == 1)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    at_goal = next((r for r in rows if r["files"] == GOAL_FILES), None)
    verdict = (
        "not measured (--quick)"
        if at_goal is None
        else f"{'met' if at_goal['seconds'] <= GOAL_SECONDS else 'MISSED'}: {at_goal['seconds']:.2f} s "
        f"for {GOAL_FILES:,} files (goal <= {GOAL_SECONDS:.0f} s; {at_goal['cpu_seconds']:.2f} s of CPU in all: "
        "on cores nothing else uses, it takes no longer)"
    )
    print(f"goal: {verdict}")
    if args.json:
        print(
            json.dumps(
                {"pool": POOL, "pool_seconds": round(pool_seconds, 1), "goal_seconds": GOAL_SECONDS, "rows": rows}
            )
        )
    return 0


def print_row(row: dict[str, float], *, header: bool) -> None:
    if header:
        names = (("files", 8), ("seconds", 8), ("us/file", 8), ("CPU s", 6), ("RSS MB", 7), ("baseline s", 10))
        names += (("base CPU s", 10), ("base RSS MB", 11))
        print("  ".join(f"{n:>{w}}" for n, w in names) + "  speedup")
    print(
        f"{row['files']:>8,}  {row['seconds']:>8.2f}  {row['us_per_file']:>8.1f}  {row['cpu_seconds']:>6.2f}  "
        f"{row['rss_mb']:>7.1f}  {row['baseline_seconds']:>10.2f}  {row['baseline_cpu_seconds']:>10.2f}  "
        f"{row['baseline_rss_mb']:>11.1f}  {row['speedup']:>6.1f}x",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
