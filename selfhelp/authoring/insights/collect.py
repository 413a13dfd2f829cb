"""Adding saved sessions up into a :class:`~selfhelp.authoring.insights.model.Report`, one at a time.

:class:`Insights` takes one session record at a time and keeps only counters, whose size
depends on the flows (their steps, paths and days), never on the number of sessions:
a hundred thousand files are read with flat memory. Where a count could grow with the
sessions (distinct paths, clusters of pastes), it is bounded, and what falls beyond the
bound is counted as "other".
"""

from __future__ import annotations

import multiprocessing
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from rapidfuzz import fuzz, process

from selfhelp.authoring.insights.model import (
    RESULTS,
    ROUTES,
    SKIP_KINDS,
    CauseCount,
    DayCount,
    Files,
    Matching,
    OutcomeCount,
    OutcomePaths,
    PasteCluster,
    PathCount,
    Report,
    SkippedExample,
    StepCount,
)
from selfhelp.authoring.insights.reading import SessionRecord, Skip, read_record, session_files
from selfhelp.base.text import fold
from selfhelp.flow.models import CauseNode, Flow, OutcomeNode
from selfhelp.matcher.normalize import mask, normal_text, normalize

#: Skipped files named in a report (the rest are counted).
MAX_EXAMPLES = 10
#: Distinct paths kept per outcome kind, and distinct steps kept where sessions stopped or causes were
#: reached; what is new once this many are kept is counted as "other" (flows have far fewer).
MAX_KEYS = 5_000
#: Paths listed per outcome kind.
TOP_PATHS = 5
#: Clusters of pastes kept; pastes unlike all of them once this many exist are counted, not clustered.
MAX_CLUSTERS = 2_000
#: Two pastes are one message when their words score at least this (rapidfuzz token_sort_ratio, 0-100).
CLUSTER_CUTOFF = 85.0
#: Ways each cluster keeps of writing its message (the commonest is the suggested pattern).
MAX_VARIANTS = 20
#: Answers counted one by one in the funnel; longer sessions count at this many.
MAX_DEPTH = 40
#: Pasted text shown is cut to this many characters.
MAX_SHOWN = 200

_TIGHT_BEFORE = re.compile(r" ([)\]},.;:!?])")
_TIGHT_AFTER = re.compile(r"([(\[{]) ")

PRIVACY_MASKED = (
    "Pasted messages are shown masked, as the matcher masks them: GUIDs, e-mail addresses, URLs, domains, "
    "dates, identifiers and numbers replaced by <guid>, <email>, <url>, <domain>, <date>, <id> and <number> "
    "(--unmasked shows them as pasted). Typed answers are never shown."
)
PRIVACY_UNMASKED = (
    "UNMASKED: pasted messages are shown as pasted, with the GUIDs, e-mail addresses, domains and numbers "
    "in them. Typed answers are never shown."
)


def shown_paste(text: str, *, unmasked: bool = False) -> str:
    """A pasted message as a report shows it: one line, masked unless ``unmasked``, cut to :data:`MAX_SHOWN`."""
    line = normal_text(text)
    if not unmasked:
        # The masks pad their placeholders with spaces; none belongs inside brackets or before punctuation.
        line = _TIGHT_AFTER.sub(r"\1", _TIGHT_BEFORE.sub(r"\1", mask(line)[0]))
    return line if len(line) <= MAX_SHOWN else line[: MAX_SHOWN - 1] + "…"


def seconds_bucket(seconds: float) -> int:
    """``seconds`` rounded so that the kinds of value are bounded: exact to 10 minutes, then to 10 s,
    beyond an hour to the minute, beyond a day to the hour."""
    for limit, step in ((600, 1), (3_600, 10), (86_400, 60)):
        if seconds < limit:
            return round(seconds / step) * step
    return round(seconds / 3_600) * 3_600


def median(counts: Counter[int] | Counter[float]) -> float | None:
    """The median of the values counted (``None`` when nothing is)."""
    total = sum(counts.values())
    if total == 0:
        return None
    wanted = [(total - 1) // 2, total // 2]  # the middle one, or the two middle ones
    found: list[float] = []
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        while wanted and wanted[0] < seen:
            wanted.pop(0)
            found.append(value)
    return sum(found) / len(found)


@dataclass(frozen=True)
class Filters:
    """Which sessions a report is about."""

    flows: frozenset[str] = frozenset()
    """Only these flows (empty: every flow)."""
    since: str | None = None
    """Only sessions started on or after this day (YYYY-MM-DD, UTC)."""
    until: str | None = None
    """Only sessions started on or before this day (YYYY-MM-DD, UTC)."""

    def keeps(self, record: SessionRecord) -> bool:
        """Whether the session is one the report is about."""
        if self.flows and record.flow_id not in self.flows:
            return False
        day = record.created[:10]  # ISO 8601 days compare as text
        return (self.since is None or day >= self.since) and (self.until is None or day <= self.until)


@dataclass
class _Cluster:
    key: str
    example: str
    unmatched: int = 0
    variants: Counter[str] = field(default_factory=Counter)
    flows: Counter[str] = field(default_factory=Counter)
    causes: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    """(flow, cause where the partner ended up, fate) -> pastes."""
    fates: Counter[str] = field(default_factory=Counter)


class PasteClusters:
    """Pastes grouped as they come: each joins the first cluster whose words are alike enough, or starts one."""

    def __init__(self, *, unmasked: bool = False, limit: int = MAX_CLUSTERS, cutoff: float = CLUSTER_CUTOFF) -> None:
        self.unmasked = unmasked
        self.limit = limit
        self.cutoff = cutoff
        self.clusters: list[_Cluster] = []
        self._keys: list[str] = []
        self._by_key: dict[str, int] = {}
        self.unclustered = 0
        """Pastes unlike every cluster once :attr:`limit` clusters existed."""

    def add(self, text: str, *, flow: str, fate: str, cause: tuple[str, str] | None) -> None:
        """Count one paste; ``cause`` is where the partner ended up (``None``: no cause reached)."""
        cluster = self._cluster_for(text)
        if cluster is None:
            self.unclustered += 1
            return
        if fate in ("no_match", "none_of_these"):
            cluster.unmatched += 1
        cluster.fates[fate] += 1
        cluster.flows[flow] += 1
        if cause is not None:
            cluster.causes[(*cause, fate)] += 1
        variant = shown_paste(text)  # the suggested pattern: masked, whatever the report shows
        if variant in cluster.variants or len(cluster.variants) < MAX_VARIANTS:
            cluster.variants[variant] += 1

    def _cluster_for(self, text: str) -> _Cluster | None:
        normalized = normalize(text)
        return self._cluster_by_key(" ".join(normalized.tokens) or normalized.masked, text)

    def _cluster_by_key(self, key: str, text: str) -> _Cluster | None:
        """The cluster of the words ``key`` (a new one for ``text``), ``None`` when no more may be made."""
        index = self._by_key.get(key)
        if index is None and self._keys:
            found = process.extractOne(key, self._keys, scorer=fuzz.token_sort_ratio, score_cutoff=self.cutoff)
            if found is not None:
                index = found[2]
        if index is None:
            if len(self.clusters) >= self.limit:
                return None
            index = len(self.clusters)
            self.clusters.append(_Cluster(key=key, example=shown_paste(text, unmasked=self.unmasked)))
            self._keys.append(key)
        self._by_key[key] = index  # the next identical paste skips the fuzzy search
        if len(self._by_key) > 20 * self.limit:
            self._by_key.clear()  # bounded: only a shortcut
        return self.clusters[index]

    def merge(self, other: PasteClusters) -> None:
        """Add the clusters of ``other`` (pastes counted elsewhere) to these, each as one of its pastes would be."""
        self.unclustered += other.unclustered
        for theirs in other.clusters:
            ours = self._cluster_by_key(theirs.key, theirs.example)
            if ours is None:
                self.unclustered += sum(theirs.fates.values())
                continue
            ours.unmatched += theirs.unmatched
            for name in ("fates", "flows", "causes"):
                getattr(ours, name).update(getattr(theirs, name))
            for variant, n in theirs.variants.items():
                if variant in ours.variants or len(ours.variants) < MAX_VARIANTS:
                    ours.variants[variant] += n


@dataclass(frozen=True)
class PatternCandidate:
    """A pattern the saved pastes suggest for a cause."""

    pattern: str
    """The commonest way of writing the message, masked."""
    count: int
    """Pastes of this message that ended at the cause."""
    unmatched: int
    """Of those, how many the matcher did not place (none, or "None of these")."""
    picked: int
    """Of those, how many were picked from "did you mean" suggestions."""


class Insights:
    """Saved sessions added up, one at a time; :meth:`report` says what they show."""

    def __init__(
        self, flows: Mapping[str, Flow] | None = None, *, filters: Filters | None = None, unmasked: bool = False
    ) -> None:
        """``flows`` (by id) give steps their titles and kinds; a session of a flow not given is still
        counted, but only the causes its pastes reached are known."""
        self.flows = dict(flows or {})
        self.filters = filters or Filters()
        self.unmasked = unmasked
        self.files = Counter[str]()
        self.examples: list[SkippedExample] = []
        self.results = Counter[str]()
        self.abandoned = 0
        self.stops = Counter[tuple[str, str, bool]]()
        self.depths = Counter[int]()
        self.days = Counter[tuple[str, str]]()
        self.paths: dict[str, Counter[tuple[str, tuple[str, ...]]]] = {r: Counter() for r in RESULTS}
        self.other = Counter[str]()
        """Sessions counted as "other" in a table that reached :data:`MAX_KEYS` rows, by table."""
        self.steps = {r: Counter[int]() for r in RESULTS}
        self.seconds = {r: Counter[int]() for r in RESULTS}
        self.causes: dict[tuple[str, str], Counter[str]] = {}
        self.verdicts = Counter[str]()
        self.fates = Counter[str]()
        self.skipped_paste = 0
        self.clusters = PasteClusters(unmasked=unmasked)

    # --- adding --------------------------------------------------------------------------

    def add_files(self, paths: Iterable[str | Path]) -> None:
        """Read and add each file; those that are not readable sessions are counted and skipped."""
        for path in paths:
            self.add_file(path)

    def add_file(self, path: str | Path) -> None:
        """Read and add one file (see :meth:`add_files`)."""
        self.files["read"] += 1
        try:
            record = read_record(path)
        except Skip as skip:
            self.files[skip.kind] += 1
            if len(self.examples) < MAX_EXAMPLES:
                self.examples.append(SkippedExample(path=str(path), kind=skip.kind, reason=skip.reason))
            return
        self.add(record)

    def add(self, record: SessionRecord) -> None:
        """Count one session (unless the filters leave it out)."""
        if not self.filters.keeps(record):
            self.files["filtered_out"] += 1
            return
        flow = self.flows.get(record.flow_id)
        result = self._result(record, flow)
        answered = len(record.nodes) - 1
        self.depths[min(answered, MAX_DEPTH)] += 1
        self.days[(record.created[:10], result or "abandoned")] += 1
        if result is None:
            self.abandoned += 1
            if not _count(self.stops, (record.flow_id, record.nodes[-1], record.pending)):
                self.other["stops"] += 1
        else:
            self._add_finished(record, result, answered)
        self._add_causes(record, flow)
        self._add_pastes(record, flow)

    def _result(self, record: SessionRecord, flow: Flow | None) -> str | None:
        """The outcome kind the session reached, ``None`` when unfinished."""
        if record.finished is not None:
            return record.result if record.finished else None
        node = flow.nodes.get(record.nodes[-1]) if flow is not None else None
        return node.result.value if isinstance(node, OutcomeNode) else None

    def _add_finished(self, record: SessionRecord, result: str, answered: int) -> None:
        self.results[result] += 1
        self.steps.setdefault(result, Counter())[answered] += 1
        self.seconds.setdefault(result, Counter())[seconds_bucket(record.seconds)] += 1
        paths = self.paths.setdefault(result, Counter())
        key = (record.flow_id, record.nodes)
        if not _count(paths, key):
            self.other[f"paths to {result}"] += 1

    def _add_causes(self, record: SessionRecord, flow: Flow | None) -> None:
        seen: set[str] = set()
        for node, how in zip(record.nodes[1:], record.arrivals, strict=True):
            if node in seen:
                continue
            is_cause = isinstance(flow.nodes.get(node), CauseNode) if flow is not None else how in ROUTES[:2]
            if is_cause:
                seen.add(node)
                route = how if how in ROUTES else "questions"  # after an unmatched paste, questions led there
                key = (record.flow_id, node)
                if key in self.causes or len(self.causes) < MAX_KEYS:
                    self.causes.setdefault(key, Counter())[route] += 1
                else:
                    self.other["causes"] += 1

    def _add_pastes(self, record: SessionRecord, flow: Flow | None) -> None:
        self.skipped_paste += record.skipped_paste
        for paste in record.pastes:
            self.verdicts[paste.verdict] += 1
            self.fates[paste.fate] += 1
            if paste.fate in ("match", "unanswered"):
                continue  # placed with confidence, or never settled: nothing to learn from it
            if paste.fate == "picked":
                cause: tuple[str, str] | None = (record.flow_id, record.nodes[paste.at + 1])
            else:
                cause = _ended_at(record, flow, paste.at)
            self.clusters.add(paste.text, flow=record.flow_id, fate=paste.fate, cause=cause)

    def merge(self, other: Insights) -> None:
        """Add what ``other`` counted (other files, read in another process) to this."""
        for mine, theirs in (
            (self.files, other.files),
            (self.results, other.results),
            (self.depths, other.depths),
            (self.days, other.days),
            (self.other, other.other),
            (self.verdicts, other.verdicts),
            (self.fates, other.fates),
        ):
            mine.update(theirs)
        self.examples += other.examples[: MAX_EXAMPLES - len(self.examples)]
        self.abandoned += other.abandoned
        self.skipped_paste += other.skipped_paste
        for key, n in other.stops.items():
            if not _count(self.stops, key, n):
                self.other["stops"] += n
        for result, paths in other.paths.items():
            for key, n in paths.items():
                if not _count(self.paths.setdefault(result, Counter()), key, n):
                    self.other[f"paths to {result}"] += n
        for result in other.steps:
            self.steps.setdefault(result, Counter()).update(other.steps[result])
            self.seconds.setdefault(result, Counter()).update(other.seconds[result])
        for key, routes in other.causes.items():
            if key in self.causes or len(self.causes) < MAX_KEYS:
                self.causes.setdefault(key, Counter()).update(routes)
            else:
                self.other["causes"] += sum(routes.values())
        self.clusters.merge(other.clusters)

    def __getstate__(self) -> dict[str, object]:
        # Sent back from a worker process: the flows stay behind (the parent has them).
        return {**self.__dict__, "flows": {}}

    # --- reading out ---------------------------------------------------------------------

    def title(self, flow_id: str, node_id: str) -> str:
        """A step's title, else its id."""
        flow = self.flows.get(flow_id)
        node = flow.nodes.get(node_id) if flow is not None else None
        return (node.title if node is not None else None) or node_id

    def report(self, folders: Iterable[Path] = ()) -> Report:
        """What the sessions added so far show."""
        finished = sum(self.results.values())
        sessions = finished + self.abandoned
        return Report(
            folders=[str(f) for f in folders],
            flows=sorted(self.filters.flows),
            since=self.filters.since,
            until=self.filters.until,
            masked=not self.unmasked,
            privacy=PRIVACY_UNMASKED if self.unmasked else PRIVACY_MASKED,
            files=Files(
                read=self.files["read"],
                filtered_out=self.files["filtered_out"],
                skipped={k: self.files[k] for k in SKIP_KINDS},
                examples=self.examples,
            ),
            sessions=sessions,
            finished=finished,
            abandoned=self.abandoned,
            outcomes=[
                OutcomeCount(result=r, count=self.results[r], share=_share(self.results[r], finished)) for r in RESULTS
            ],
            deflection_rate=self.results["resolved"] / finished if finished else None,
            dropoff=self._dropoff(),
            funnel=[
                sum(n for depth, n in self.depths.items() if depth >= k)
                for k in range(max(self.depths, default=-1) + 1)
            ],
            timeline=self._timeline(),
            paths=[self._outcome_paths(r) for r in RESULTS],
            causes=self._causes(),
            matching=self._matching(),
            unmatched=self._unmatched(),
            unmatched_total=self.fates["no_match"] + self.fates["none_of_these"],
            unclustered=self.clusters.unclustered,
            other=dict(sorted(self.other.items())),
        )

    def _dropoff(self) -> list[StepCount]:
        ranked = sorted(self.stops.items(), key=lambda item: (-item[1], item[0]))
        return [
            StepCount(
                flow=flow,
                node=node,
                title=self.title(flow, node),
                waiting_pick=pending,
                count=n,
                share=_share(n, self.abandoned),
            )
            for (flow, node, pending), n in ranked
        ]

    def _timeline(self) -> list[DayCount]:
        days: dict[str, dict[str, int]] = {}
        for (day, kind), n in sorted(self.days.items()):
            days.setdefault(day, {k: 0 for k in (*RESULTS, "abandoned")})[kind] = n
        return [DayCount(day=day, counts=counts) for day, counts in days.items()]

    def _outcome_paths(self, result: str) -> OutcomePaths:
        paths = self.paths.get(result, Counter())
        ranked = sorted(paths.items(), key=lambda item: (-item[1], item[0]))[:TOP_PATHS]
        return OutcomePaths(
            result=result,
            sessions=self.results[result],
            median_steps=median(self.steps.get(result, Counter())),
            median_seconds=median(self.seconds.get(result, Counter())),
            top=[PathCount(flow=flow, nodes=list(nodes), count=n) for (flow, nodes), n in ranked],
        )

    def _causes(self) -> list[CauseCount]:
        rows = [
            CauseCount(
                flow=flow,
                node=node,
                title=self.title(flow, node),
                total=sum(routes.values()),
                routes={r: routes[r] for r in ROUTES},
            )
            for (flow, node), routes in self.causes.items()
        ]
        return sorted(rows, key=lambda c: (-c.total, c.flow, c.node))

    def _matching(self) -> Matching:
        pastes = sum(self.verdicts.values())
        answered = self.fates["picked"] + self.fates["none_of_these"]
        verdicts = {v: self.verdicts[v] for v in ("match", "ambiguous", "none")}
        return Matching(
            pastes=pastes,
            verdicts=verdicts,
            rates={v: _share(n, pastes) for v, n in verdicts.items()},
            did_you_mean_answered=answered,
            none_of_these=self.fates["none_of_these"],
            none_of_these_rate=self.fates["none_of_these"] / answered if answered else None,
            did_you_mean_unanswered=self.fates["unanswered"],
            skipped_paste=self.skipped_paste,
        )

    def _unmatched(self, top: int = 20) -> list[PasteCluster]:
        found = [c for c in self.clusters.clusters if c.unmatched]
        found.sort(key=lambda c: (-c.unmatched, self._example(c)))
        return [PasteCluster(count=c.unmatched, example=self._example(c), flows=sorted(c.flows)) for c in found[:top]]

    def _example(self, cluster: _Cluster) -> str:
        """Masked, the cluster's commonest wording (ties: the first in order, so that reports repeat);
        unmasked, the first paste seen, as pasted."""
        if self.unmasked:
            return cluster.example
        return min(cluster.variants.items(), key=lambda item: (-item[1], item[0]))[0]

    def pattern_candidates(self, flow: Flow) -> dict[str, list[PatternCandidate]]:
        """For each cause of ``flow``: the messages pasted by partners who ended up there, though the
        matcher did not place them there with confidence (unmatched, or picked from suggestions), most
        first. A message the cause already has as a pattern is left out."""
        by_cause: dict[str, list[PatternCandidate]] = {}
        for cluster in self.clusters.clusters:
            fates: dict[str, Counter[str]] = {}
            for (flow_id, cause, fate), count in cluster.causes.items():
                if flow_id == flow.id:
                    fates.setdefault(cause, Counter())[fate] += count
            pattern = min(cluster.variants.items(), key=lambda item: (-item[1], item[0]))[0]
            for cause, counts in fates.items():
                node = flow.nodes.get(cause)
                known = {fold(e) for e in node.errors} if isinstance(node, CauseNode) else set()
                if fold(pattern) in known:
                    continue
                by_cause.setdefault(cause, []).append(
                    PatternCandidate(
                        pattern=pattern,
                        count=sum(counts.values()),
                        unmatched=counts["no_match"] + counts["none_of_these"],
                        picked=counts["picked"],
                    )
                )
        for found in by_cause.values():
            found.sort(key=lambda c: (-c.count, c.pattern))
        return dict(sorted(by_cause.items(), key=lambda item: (-sum(c.count for c in item[1]), item[0])))


def _ended_at(record: SessionRecord, flow: Flow | None, at: int) -> tuple[str, str] | None:
    """The last cause on the session's path after step ``at``: where the partner ended up (``None``: none,
    or the flow is not loaded, so its causes are unknown)."""
    if flow is None:
        return None
    for node in reversed(record.nodes[at + 1 :]):
        if isinstance(flow.nodes.get(node), CauseNode):
            return (record.flow_id, node)
    return None


def _count(counter: Counter, key: object, n: int = 1) -> bool:  # type: ignore[type-arg]
    """Count ``key`` (``n`` times) unless it is new and ``counter`` already holds :data:`MAX_KEYS` keys (``False``)."""
    if key in counter or len(counter) < MAX_KEYS:
        counter[key] += n
        return True
    return False


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def build_insights(
    folders: Iterable[Path],
    flows: Mapping[str, Flow] | None = None,
    *,
    filters: Filters | None = None,
    unmasked: bool = False,
    jobs: int = 1,
) -> Insights:
    """Read every session file in ``folders`` (see :func:`session_files`) into one :class:`Insights`.

    With ``jobs`` over 1 (and more than :data:`CHUNK` files), batches of files are read by that many
    worker processes (forked: only where the system forks, and only from a process without threads,
    such as the command's), a bounded number of batches at a time, and their counts merged.
    """
    insights = Insights(flows, filters=filters, unmasked=unmasked)
    files = session_files(folders)
    first = list(islice(files, CHUNK))
    insights.add_files(first)
    if len(first) < CHUNK:
        return insights
    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        insights.add_files(files)
        return insights
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_start_worker, initargs=(insights,)) as pool:
        running: set[Future[Insights]] = set()
        for batch in _batches(files):
            if len(running) >= 2 * jobs:  # a bounded number of batches in flight: memory stays flat
                done, running = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    insights.merge(future.result())
            running.add(pool.submit(_read_batch, batch))
        for future in running:
            insights.merge(future.result())
    return insights


#: Files a worker reads at a time.
CHUNK = 2_000
_worker: Insights | None = None


def _start_worker(template: Insights) -> None:
    global _worker
    _worker = template


def _read_batch(paths: list[str]) -> Insights:
    """In a worker: the counts of one batch of files (with the flows, filters and masking of the parent's)."""
    assert _worker is not None
    part = Insights(_worker.flows, filters=_worker.filters, unmasked=_worker.unmasked)
    part.add_files(paths)
    return part


def _batches(paths: Iterator[str]) -> Iterator[list[str]]:
    while batch := list(islice(paths, CHUNK)):
        yield batch
