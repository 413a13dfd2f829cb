"""Benchmark of the error matcher against the naive rapidfuzz baseline, in the same run.

For each size (10, 1,000, 10,000 and 100,000 patterns of generated, realistic
Partner Center error sentences) it builds the matcher's index, runs a few hundred
queries (pasted variants of the patterns: typos, chatter, GUIDs, fragments, plus
unrelated messages) and times, on the same strings:

- ours: noise stripped, the paste's parts normalised, masked and searched, verdict, as ``selfhelp match`` does;
- baselines, on the same strings (patterns pre-processed once where a processor applies):
  ``process.extractOne`` with ``fuzz.WRatio`` (no processor), with ``fuzz.ratio`` and with
  ``fuzz.token_set_ratio`` under ``utils.default_process``, and ``process.cdist(scorer=token_set_ratio,
  workers=-1)`` over all the queries at once (per-query time = total / queries; needs numpy, else skipped).
  The speed-up is reported against the fastest of them at each size.

From 1,000 patterns up, the real CPOR flow's patterns are part of the mix, and its tune
evaluation items are among the queries (``flow_top1``: their top cause right, verdict not none).
From 10,000 up, its labelled examples are too (about a thousand, as patterns and, one by one, as
the neighbours whose agreement the matcher counts), so the timed path is the shipped flow's.

It also checks the index against scoring every pattern (``exact``: the index and
its pruning lose nothing) and reports top-1 accuracy of both on the variants.

    python benchmarks/match.py            # table
    python benchmarks/match.py --json     # table, then one JSON object as the last line
    python benchmarks/match.py --quick    # smaller query counts, for a smoke run
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import resource
import sys
import time
from pathlib import Path

from rapidfuzz import fuzz, process, utils

from selfhelp.flow.validate import check_file
from selfhelp.matcher.evaluate import load_eval
from selfhelp.matcher.index import Pattern, PatternIndex
from selfhelp.matcher.matcher import FLOOR, Thresholds, best_hits, decide, flow_patterns
from selfhelp.matcher.neighbours import Neighbours, neighbours
from selfhelp.matcher.normalize import Vocabulary
from selfhelp.matcher.results import truncate

ROOT = Path(__file__).resolve().parent.parent
FLOW = ROOT / "flows" / "cpor-customer-association.yaml"
EVAL = ROOT / "evals" / "cpor-match.yaml"

SIZES = [10, 1_000, 10_000, 100_000]


def _choices(text: str) -> list[str]:
    """The |-separated phrases of ``text``, spaces joined."""
    return [" ".join(part.split()) for part in text.split("|")]


PATTERNS_PER_CAUSE = 5

SUBJECTS = _choices(
    """customer tenant ID|subscription|selected product|customer subdomain|partner location|MPN ID|claim|invoice
|billing profile|reseller relationship|Azure plan|user account|customer domain|workload|license|order|payout
|tax profile|bank account|proof of execution|customer association|Directory ID|customer agreement|price list
|partner ID|admin link|incentive program|enrollment|earning period|payment|credit note|reconciliation file
|purchase order|offer|SKU|seat count|reservation|support request|service principal|app registration
|security group|global admin|domain verification|DNS record|tenant|role assignment|access token|certificate
|contract|renewal|trial|add-on|quote|sales play|solution area|activity|partner profile|legal entity"""
)
PREDICATES = _choices(
    """does not match|has already been claimed|is not active|could not be found|is not eligible|has expired
|is missing|is invalid|was rejected|is under review|belongs to another partner|has not been provisioned
|cannot be verified|exceeds the allowed limit|is not supported|was cancelled|is suspended|is pending approval
|is not in the correct format|is already associated|is not available in this market|has been disabled
|requires additional information|is not linked|failed validation|is blocked|is not enrolled|is duplicated
|was declined by the customer|is outside the earning period|is not authorized|could not be processed
|has a different currency|is not for Dynamics 365|was purchased through CSP|is not in active or in grace status
|is locked|was not accepted|timed out|is not configured"""
)
COMPLEMENTS = _choices(
    """for this customer|on the customer's tenant|in Partner Center|for the selected program|in the current
earning period|for Dynamics 365 Sales|for Microsoft 365 E5|with the partner ID|in the billing account|for Business
Central|for Power BI Pro|for Teams Phone|for Azure SQL|for the location MPN ID|for the reseller|in the claim
|for the workload|in the dashboard|for the customer association|for the incentive payout|in the EU region
|in the US region|for the indirect provider|for the direct bill partner|for the Azure plan|on the invoice
|in the reconciliation file|for the support case|for the global admin|for the PoE document"""
)
PRODUCTS = _choices(
    """Dynamics 365 Sales|Dynamics 365 Customer Service|Dynamics 365 Field Service|Dynamics 365 Finance
|Dynamics 365 Supply Chain Management|Dynamics 365 Business Central|Dynamics 365 Commerce|Dynamics 365 Human Resources
|Dynamics 365 Marketing|Dynamics 365 Project Operations|Power BI Pro|Power BI Premium|Power Apps|Power Automate
|Power Pages|Copilot Studio|Microsoft 365 E3|Microsoft 365 E5|Microsoft 365 Business Premium|Office 365 E1
|Exchange Online|SharePoint Online|OneDrive for Business|Microsoft Teams|Teams Phone|Teams Rooms|Intune
|Entra ID P1|Entra ID P2|Defender for Endpoint|Defender for Office 365|Defender for Identity|Purview
|Windows 365|Azure Virtual Desktop|Azure SQL Database|Azure Kubernetes Service|Azure Arc|Azure Monitor
|Azure Backup|Azure Site Recovery|Azure OpenAI|Azure AI Search|Azure Synapse|Azure Databricks|Azure Stack HCI
|Viva Insights|Viva Learning|Project Online|Visio Plan 2|Minecraft Education|Surface Hub"""
)
REASONS = _choices(
    """because the tenant was moved|because the customer changed their domain|because the claim window closed
|because the offer was retired|because the seats were reduced|because the agreement was not signed
|because the partner left the program|because the payment method was declined|because the region is not supported
|because the reseller is not authorized|because the order was refunded|because the license was reassigned
|because the subscription was transferred|because the enrollment lapsed|because the document was unreadable
|because the signature is missing|because the dates are outside the period|because the admin consent was revoked
|because the service is in preview|because the quota was exceeded"""
)
PREFIXES = ["", "", "", "Error: ", "Validation failed: ", "Claim submission error - ", "Warning: "]
UNRELATED = [
    "How do I reset my password for the portal",
    "The page is blank after I sign in",
    "Where can I change the language of the dashboard",
    "Our company moved offices and the address is outdated",
    "The training voucher did not arrive by email",
    "Can I export the report to Excel",
    "The website is very slow today",
    "Who is our partner development manager",
    "The marketing campaign assets are not downloadable",
    "Meeting invite for the quarterly business review",
]
CHATTER = ["hi team, I get this:", "when I submit it says", "please help,", "getting the following:", "FYI"]


def make_patterns(n: int, rng: random.Random) -> list[str]:
    """``n`` distinct generated error sentences."""
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < n:
        subject = rng.choice(SUBJECTS).strip()
        if rng.random() < 0.6:
            subject = f"{subject} for {rng.choice(PRODUCTS).strip()}"
        text = f"{rng.choice(PREFIXES)}The {subject} {rng.choice(PREDICATES).strip()}"
        if rng.random() < 0.7:
            text += f" {' '.join(rng.choice(COMPLEMENTS).split())}"
        if rng.random() < 0.4:
            text += f" {' '.join(rng.choice(REASONS).split())}"
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out


def typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def make_query(pattern: str, rng: random.Random) -> str:
    """What a partner would paste for ``pattern``: a typo, chatter, a GUID, or a fragment."""
    words = pattern.split()
    kind = rng.randrange(4)
    if kind == 0:
        j = rng.randrange(len(words))
        words[j] = typo(words[j], rng)
    elif kind == 1:
        words = [*rng.choice(CHATTER).split(), *words]
    elif kind == 2:
        words.insert(rng.randrange(len(words)), "3f2504e0-4f89-11d3-9a0c-0305e82c3301")
    else:
        keep = max(3, len(words) * 2 // 3)
        start = rng.randrange(len(words) - keep + 1)
        words = words[start : start + keep]
    return " ".join(words)


def rss_mb() -> float:
    """The process's resident memory now (Linux), or its peak elsewhere."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)


def ms(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def ours(index: PatternIndex, query: str, near: Neighbours | None = None) -> str | None:
    """The top cause's node (or None), the way the matcher decides it."""
    text, _ = truncate(query)
    hits = best_hits(index, text, None, near).hits
    verdict, shown = decide(hits, Thresholds())
    return shown[0].pattern.node if verdict != "none" and shown else None


def real_flow(*, examples: bool) -> tuple[list[Pattern], Vocabulary, list[tuple[str, str]]]:
    """The CPOR flow's patterns (with its examples or not) and vocabulary, and its tune items in scope as queries."""
    flow = check_file(FLOW).flow
    assert flow is not None, f"{FLOW} does not load"
    items = [(i.text, i.expect) for i in load_eval(EVAL).items if i.split == "tune" and i.expect]
    patterns = flow_patterns(flow) if examples else flow_patterns(flow, examples=())
    return patterns, Vocabulary(flow.matching.vocabulary), items


def baselines(texts: list[str], queries: list[str]) -> dict[str, tuple[list[float], list[int | None]]]:
    """Per baseline: the time of each query (seconds) and the index of its best pattern."""
    processed = [utils.default_process(t) for t in texts]
    out: dict[str, tuple[list[float], list[int | None]]] = {}
    runs = {
        "extractOne WRatio": lambda q: process.extractOne(q, texts, scorer=fuzz.WRatio),
        "extractOne ratio+default_process": lambda q: process.extractOne(
            utils.default_process(q), processed, scorer=fuzz.ratio, processor=None
        ),
        "extractOne token_set_ratio+default_process": lambda q: process.extractOne(
            utils.default_process(q), processed, scorer=fuzz.token_set_ratio, processor=None
        ),
    }
    for name, run in runs.items():
        times: list[float] = []
        found: list[int | None] = []
        for query in queries:
            t0 = time.perf_counter()
            best = run(query)
            times.append(time.perf_counter() - t0)
            found.append(best[2] if best is not None else None)
        out[name] = (times, found)
    try:
        import numpy  # noqa: F401  (rapidfuzz's cdist returns a numpy array)
    except ImportError:
        return out
    t0 = time.perf_counter()
    matrix = process.cdist(
        [utils.default_process(q) for q in queries], processed, scorer=fuzz.token_set_ratio, workers=-1
    )
    per_query = (time.perf_counter() - t0) / max(len(queries), 1)
    out["cdist token_set_ratio workers=-1"] = ([per_query] * len(queries), [int(i) for i in matrix.argmax(axis=1)])
    return out


def run_size(n: int, n_queries: int, n_baseline: int, n_exact: int, seed: int) -> dict[str, object]:
    rng = random.Random(seed + n)
    real, vocabulary, real_queries = real_flow(examples=n >= 10_000) if n >= 1_000 else ([], Vocabulary(), [])
    texts = make_patterns(n - len(real), rng)
    patterns = [Pattern("bench", f"cause-{i // PATTERNS_PER_CAUSE}", "", t) for i, t in enumerate(texts)] + real
    texts = [p.text for p in patterns]
    gc.collect()
    start = time.perf_counter()
    index = PatternIndex(patterns, vocabulary)
    near = neighbours((p for p in real if p.kind == "example"), vocabulary)
    build_ms = (time.perf_counter() - start) * 1000
    sources = [rng.randrange(n - len(real)) for _ in range(n_queries)]
    queries = [make_query(texts[i], rng) for i in sources]
    queries += [rng.choice(UNRELATED) for _ in range(n_queries // 4)]
    expected: list[str | None] = [patterns[i].node for i in sources] + [None] * (n_queries // 4)
    # The real flow's messages come last, so the baselines' subset (the first n_baseline) is unchanged.
    queries += [text for text, _ in real_queries]
    expected += [node for _, node in real_queries]
    n_generated = len(queries) - len(real_queries)

    times: list[float] = []
    right = right_subset = flow_right = 0
    for k, (query, want) in enumerate(zip(queries, expected, strict=True)):
        t0 = time.perf_counter()
        got = ours(index, query, near)
        times.append(time.perf_counter() - t0)
        if k >= n_generated:
            flow_right += got == want
            continue
        right += want is not None and got == want
        right_subset += k < n_baseline and want is not None and got == want
    base = baselines(texts, queries[: min(n_baseline, n_generated)])
    base_rows = {}
    for name, (base_times, found) in base.items():
        hits = sum(
            1
            for i, want in zip(found, expected, strict=False)
            if want is not None and i is not None and patterns[i].node == want
        )
        base_rows[name] = {
            "p50_ms": round(ms(base_times, 0.50), 3),
            "p99_ms": round(ms(base_times, 0.99), 3),
            "top1": round(hits / max(sum(1 for w in expected[: len(found)] if w is not None), 1), 3),
        }
    fastest = min(base_rows, key=lambda name: base_rows[name]["p50_ms"])
    exact = True
    for query in queries[:n_exact]:
        fast = [(h.pattern.key, round(h.score, 6)) for h in index.search(query, floor=FLOOR)]
        slow = [(h.pattern.key, round(h.score, 6)) for h in index.search_exhaustive(query, floor=FLOOR)]
        exact = exact and fast == slow
    in_scope = sum(1 for w in expected[:n_generated] if w is not None)
    in_scope_base = sum(1 for w in expected[: min(n_baseline, n_generated)] if w is not None)
    return {
        "patterns": n,
        "queries": len(queries),
        "p50_ms": round(ms(times, 0.50), 3),
        "p99_ms": round(ms(times, 0.99), 3),
        "baseline_queries": min(n_baseline, n_generated),
        "baselines": base_rows,
        "fastest_baseline": fastest,
        "baseline_p50_ms": base_rows[fastest]["p50_ms"],
        "speedup_p50": round(base_rows[fastest]["p50_ms"] / max(ms(times, 0.50), 1e-9), 1),
        "build_ms": round(build_ms, 1),
        "rss_mb": round(rss_mb(), 1),
        "top1": round(right / max(in_scope, 1), 3),
        "top1_on_baseline_queries": round(right_subset / max(in_scope_base, 1), 3),
        "flow_queries": len(real_queries),
        "flow_top1": round(flow_right / len(real_queries), 3) if real_queries else None,
        "exact": exact,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    parser.add_argument("--quick", action="store_true", help="fewer queries (a smoke run)")
    parser.add_argument("--sizes", type=int, nargs="+", default=SIZES, help="pattern counts")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    n_queries = 60 if args.quick else 300
    results = []
    header = (
        f"{'patterns':>9} {'p50 ms':>8} {'p99 ms':>8} {'base p50':>9} {'speedup':>8} {'build ms':>9} {'rss MB':>7} "
        f"{'top1':>6} {'top1*':>6} {'flow top1':>9} {'exact':>6}"
    )
    print(header)
    for n in args.sizes:
        # The baseline is linear in the pattern count: fewer of its queries at the largest size keep the run short.
        n_baseline = n_queries if n <= 10_000 else max(30, n_queries // 6)
        row = run_size(n, n_queries, n_baseline, n_exact=20 if n >= 100_000 else 60, seed=args.seed)
        results.append(row)
        flow_top1 = "-" if row["flow_top1"] is None else f"{row['flow_top1']:.3f}"
        print(
            f"{row['patterns']:>9,} {row['p50_ms']:>8.3f} {row['p99_ms']:>8.3f} {row['baseline_p50_ms']:>9.3f} "
            f"{row['speedup_p50']:>7.1f}x {row['build_ms']:>9.0f} {row['rss_mb']:>7.1f} {row['top1']:>6.3f} "
            f"{row['top1_on_baseline_queries']:>6.3f} {flow_top1:>9} {row['exact']!s:>6}",
            flush=True,
        )
        for name, base_row in row["baselines"].items():
            print(
                f"{'':>9} {name}: p50 {base_row['p50_ms']:.3f} ms, p99 {base_row['p99_ms']:.3f} ms, "
                f"top1* {base_row['top1']:.3f}"
            )
    print("top1*: on the queries the baselines also ran (all generated ones up to 10,000 patterns).")
    print("speedup: against the fastest baseline (by p50) at that size.")
    if args.json:
        print(json.dumps({"results": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
