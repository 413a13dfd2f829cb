"""What ``selfhelp report`` finds in saved sessions: the report's models (its JSON is their dump)."""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict

#: The outcome kinds, in the order every report lists them.
RESULTS: tuple[str, ...] = ("resolved", "contact_support", "wait", "redirect")
#: How a cause was reached, in the order reports list them.
ROUTES: tuple[str, ...] = ("paste", "did_you_mean", "questions", "jump")
#: Bars at most in a chart of sessions over time (days are grouped beyond this).
MAX_BARS = 60
#: Why a file was skipped, in the order reports list them.
SKIP_KINDS: tuple[str, ...] = ("damaged", "foreign", "future_format", "unreadable")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)


class SkippedExample(_Model):
    """One skipped file, named with the reason (reports list the first few)."""

    path: str
    """The file."""
    kind: str
    """damaged, foreign, future_format or unreadable."""
    reason: str
    """Why, briefly."""


class Files(_Model):
    """The files read, and those skipped."""

    read: int = 0
    """Session files looked at (``*.json`` in the folders)."""
    filtered_out: int = 0
    """Readable sessions left out by the flow or date filters."""
    skipped: dict[str, int] = {}
    """Files that are not readable sessions, by kind (see :data:`SKIP_KINDS`)."""
    examples: list[SkippedExample] = []
    """The first skipped files, with the reason."""


class OutcomeCount(_Model):
    """How many sessions ended in one kind of outcome."""

    result: str
    """resolved, contact_support, wait or redirect."""
    count: int
    """Sessions that reached it."""
    share: float
    """Its share of the finished sessions (0-1; 0 without any)."""


class StepCount(_Model):
    """A step of a flow and how many sessions stopped there."""

    flow: str
    """The flow's id."""
    node: str
    """The step's id."""
    title: str
    """The step's title (its id when the flow is not loaded or the step has none)."""
    waiting_pick: bool = False
    """Stopped at the "did you mean" question of this (paste) step."""
    count: int
    """Sessions that stopped here."""
    share: float
    """Their share of the unfinished sessions (0-1)."""


class PathCount(_Model):
    """One path through a flow, and how many sessions took it."""

    flow: str
    """The flow's id."""
    nodes: list[str]
    """The steps, first to last (the outcome)."""
    count: int
    """Sessions that took exactly this path."""


class OutcomePaths(_Model):
    """The sessions that reached one kind of outcome: how long it took, and the commonest paths."""

    result: str
    """resolved, contact_support, wait or redirect."""
    sessions: int
    """Sessions that reached it."""
    median_steps: float | None
    """The median number of answers given to reach it."""
    median_seconds: float | None
    """The median time from the first step to the outcome, in seconds (see docs: rounded beyond 10 minutes)."""
    top: list[PathCount]
    """The commonest paths, commonest first."""


class CauseCount(_Model):
    """A cause and how sessions reached it."""

    flow: str
    """The flow's id."""
    node: str
    """The cause's id."""
    title: str
    """The cause's title."""
    total: int
    """Sessions that reached it."""
    routes: dict[str, int]
    """By how: paste (a confident match), did_you_mean (picked from the suggestions), questions, jump (an agent)."""


class Matching(_Model):
    """What the matcher said to the pastes, and what partners answered to "did you mean"."""

    pastes: int = 0
    """Error messages pasted."""
    verdicts: dict[str, int] = {}
    """Pastes by verdict: match, ambiguous, none."""
    rates: dict[str, float] = {}
    """The same as shares of the pastes (0-1)."""
    did_you_mean_answered: int = 0
    """"Did you mean" questions answered (a suggestion picked, or "None of these")."""
    none_of_these: int = 0
    """Of those, answered "None of these"."""
    none_of_these_rate: float | None = None
    """``none_of_these / did_you_mean_answered`` (``None`` when none was answered)."""
    did_you_mean_unanswered: int = 0
    """Sessions left at a "did you mean" question."""
    skipped_paste: int = 0
    """Paste steps answered with "I don't have the message" (questions instead)."""


class PasteCluster(_Model):
    """Pastes the matcher did not place, alike enough to be one message (rapidfuzz)."""

    count: int
    """Unmatched pastes in the cluster (verdict none, or "None of these" answered)."""
    example: str
    """One of them, masked unless the report is unmasked."""
    flows: list[str]
    """The flows they were pasted in."""


class DayCount(_Model):
    """The sessions started on one day (UTC), by how they ended."""

    day: str
    """YYYY-MM-DD."""
    counts: dict[str, int]
    """By outcome kind, and ``abandoned`` for the unfinished."""


class Report(_Model):
    """Everything ``selfhelp report`` says about a set of saved sessions."""

    folders: list[str]
    """The folders read."""
    flows: list[str] = []
    """Only these flows (none: every flow)."""
    since: str | None = None
    """Only sessions started on or after this day (UTC)."""
    until: str | None = None
    """Only sessions started on or before this day (UTC)."""
    masked: bool = True
    """Whether pasted text is shown masked."""
    privacy: str
    """What the report shows of what partners typed, said in words."""
    files: Files
    """The files read and skipped."""
    sessions: int = 0
    """Sessions reported on."""
    finished: int = 0
    """Of those, sessions that reached an outcome."""
    abandoned: int = 0
    """Of those, sessions left before an outcome."""
    outcomes: list[OutcomeCount] = []
    """Finished sessions by outcome kind (every kind listed)."""
    deflection_rate: float | None = None
    """Resolved sessions as a share of the finished ones: solved without support (``None`` without any)."""
    dropoff: list[StepCount] = []
    """Where unfinished sessions stopped, most first."""
    funnel: list[int] = []
    """``funnel[k]``: sessions that gave at least k answers."""
    timeline: list[DayCount] = []
    """Sessions by the day they started, oldest first."""
    paths: list[OutcomePaths] = []
    """By outcome kind: medians and the commonest paths."""
    causes: list[CauseCount] = []
    """Causes reached, most first."""
    matching: Matching = Matching()
    """Verdicts and "did you mean" answers."""
    unmatched: list[PasteCluster] = []
    """Unmatched pastes, clustered, largest first."""
    unmatched_total: int = 0
    """Unmatched pastes in all (also those beyond the clusters listed)."""
    unclustered: int = 0
    """Pastes not clustered: unlike every cluster once the most clusters a report keeps existed."""
    other: dict[str, int] = {}
    """Sessions counted only in the totals, by table, when a table held the most rows a report keeps (rare)."""


# --- figures as people read them (the command's table and page, the app's screen) ---------------


def pct(share: float | None) -> str:
    """A share (0-1) as a percentage with one decimal; a dash when there is none."""
    return "-" if share is None else f"{share * 100:.1f}%"


def duration(seconds: float | None) -> str:
    """Seconds as ``1h 02m``, ``3m 05s`` or ``42s``; a dash when there are none."""
    if seconds is None:
        return "-"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"


def median_steps(value: float | None) -> str:
    """A median number of answers (a half when the two middle sessions differ); a dash when there is none."""
    return "-" if value is None else f"{value:g}"


def timeline_buckets(report: Report, max_bars: int = MAX_BARS) -> list[tuple[str, dict[str, int]]]:
    """The sessions over time, every day from the first to the last (days without any count 0), grouped
    into at most ``max_bars`` bars of as many days each; each bar is named by its first day."""
    if not report.timeline:
        return []
    by_day = {d.day: d.counts for d in report.timeline}
    first, last = date.fromisoformat(report.timeline[0].day), date.fromisoformat(report.timeline[-1].day)
    days = (last - first).days + 1
    size = -(-days // max_bars)
    buckets: list[tuple[str, dict[str, int]]] = []
    for start in range(0, days, size):
        counts: dict[str, int] = {}
        for offset in range(start, min(start + size, days)):
            for kind, n in by_day.get((first + timedelta(days=offset)).isoformat(), {}).items():
                counts[kind] = counts.get(kind, 0) + n
        buckets.append(((first + timedelta(days=start)).isoformat(), counts))
    return buckets
