"""The Insights screen (agent mode, F3): what the saved sessions show, drawn with Textual's own widgets.

The figures are :mod:`selfhelp.authoring.insights`'s, worked out in a thread (a
hundred thousand sessions take seconds); pasted text is always shown masked here
(``selfhelp report --unmasked`` is the only way to see it as pasted).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, LoadingIndicator, ProgressBar, Sparkline, Static
from textual.worker import Worker, WorkerState

from selfhelp.base.text import shown

if TYPE_CHECKING:
    from selfhelp.authoring.insights import Report
    from selfhelp.flow.models import Flow

#: Rows per table.
TOP = 10
#: The longest bar in a table, in cells.
BAR_WIDTH = 24
#: Outcome kinds as the screen names them.
RESULT_NAMES = {"resolved": "resolved", "contact_support": "contact support", "wait": "wait", "redirect": "redirect"}


def bar(count: int, most: int, width: int = BAR_WIDTH) -> str:
    """A bar of ``count`` against ``most`` (the longest), in block characters; at least one for any count."""
    if count <= 0 or most <= 0:
        return ""
    return "█" * max(1, round(width * count / most))


class InsightsScreen(Screen[None]):
    """Outcomes, the deflection rate, drop-off, causes, matching and unmatched pastes of the saved sessions."""

    DEFAULT_CSS = """
    InsightsScreen #insights { padding: 0 1; }
    InsightsScreen .heading { text-style: bold; margin-top: 1; }
    InsightsScreen DataTable { height: auto; max-height: 14; }
    InsightsScreen Sparkline { height: 3; margin: 0 0 1 0; }
    InsightsScreen #privacy { color: $text-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f3", "close", "Close", id="close-insights", tooltip="Back to the conversation"),
    ]

    def __init__(self, folder: Path, flows: Mapping[str, Flow]) -> None:
        super().__init__()
        self.folder = folder
        """The saved sessions' folder."""
        self.flows = dict(flows)
        self.report: Report | None = None
        """The figures, once worked out."""

    def compose(self) -> ComposeResult:
        yield Static(Content(f"Insights: saved sessions in {shown(str(self.folder))}"), classes="heading")
        yield LoadingIndicator(id="insights-loading")
        with VerticalScroll(id="insights"):
            yield Static(id="summary")
            yield Static("Deflection rate (resolved, of finished sessions)", classes="heading")
            yield ProgressBar(total=100, show_eta=False, id="deflection")
            yield Static("Sessions started per day", classes="heading")
            yield Sparkline([], id="timeline")
            for table_id, title in (
                ("outcomes", "Outcomes"),
                ("funnel", "Drop-off funnel: sessions that gave at least so many answers"),
                ("dropoff", "Where unfinished sessions stopped"),
                ("causes", "Causes reached, and how"),
                ("verdicts", "Matching: the verdicts on pasted messages"),
                ("unmatched", "Unmatched pastes, clustered (masked)"),
            ):
                yield Static(title, classes="heading")
                yield DataTable(id=table_id, cursor_type="row", zebra_stripes=True)
            yield Static(id="privacy")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#insights").display = False
        self.work_out()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def work_out(self) -> None:
        """Read the sessions (in a thread: the app stays responsive), then show the figures."""
        from selfhelp.authoring.insights import build_insights

        folders = [self.folder] if self.folder.is_dir() else []
        report = build_insights(folders, self.flows).report(folders)
        self.app.call_from_thread(self.show_report, report)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failure to read the sessions is said on the screen, not left as a spinner."""
        if event.state is WorkerState.ERROR:
            self.query_one("#insights-loading").display = False
            self.query_one("#summary", Static).update(
                Content(f"Could not read the saved sessions: {event.worker.error}")
            )
            self.query_one("#insights").display = True

    def show_report(self, report: Report) -> None:
        """Fill the widgets with ``report``."""
        from selfhelp.authoring.insights.model import duration, median_steps, pct, timeline_buckets

        self.report = report
        self.query_one("#insights-loading").display = False
        self.query_one("#insights").display = True
        skipped = sum(report.files.skipped.values())
        m = report.matching
        self.query_one("#summary", Static).update(
            Content(
                f"{report.sessions} sessions: {report.finished} finished, {report.abandoned} abandoned; "
                f"{skipped} files skipped (not readable sessions).\n"
                f"Deflection rate: {pct(report.deflection_rate)}.  "
                f"'Did you mean' answered 'None of these': {pct(m.none_of_these_rate)} of {m.did_you_mean_answered}."
            )
        )
        self.query_one("#deflection", ProgressBar).update(progress=100 * (report.deflection_rate or 0.0))
        self.query_one("#timeline", Sparkline).data = [sum(c.values()) for _, c in timeline_buckets(report)]
        most = max((o.count for o in report.outcomes), default=0)
        self._fill(
            "outcomes",
            ("outcome", "sessions", "share", "", "median answers", "median time"),
            [
                (
                    RESULT_NAMES[o.result],
                    o.count,
                    pct(o.share),
                    bar(o.count, most),
                    median_steps(p.median_steps),
                    duration(p.median_seconds),
                )
                for o, p in zip(report.outcomes, report.paths, strict=True)
            ],
        )
        top = report.funnel[0] if report.funnel else 0
        self._fill("funnel", ("answers", "sessions", ""), [(k, n, bar(n, top)) for k, n in enumerate(report.funnel)])
        most = report.dropoff[0].count if report.dropoff else 0
        self._fill(
            "dropoff",
            ("flow", "step", "sessions", "share", ""),
            [
                (
                    d.flow,
                    d.title + (" (at 'did you mean')" if d.waiting_pick else ""),
                    d.count,
                    pct(d.share),
                    bar(d.count, most),
                )
                for d in report.dropoff[:TOP]
            ],
        )
        self._fill(
            "causes",
            ("flow", "cause", "sessions", "paste", "did you mean", "questions", "jump"),
            [(c.flow, c.title, c.total, *c.routes.values()) for c in report.causes[:TOP]],
        )
        most = max(m.verdicts.values(), default=0)
        self._fill(
            "verdicts",
            ("verdict", "pastes", "share", ""),
            [(v, n, pct(m.rates.get(v)), bar(n, most)) for v, n in m.verdicts.items()],
        )
        self._fill("unmatched", ("pastes", "example"), [(c.count, c.example) for c in report.unmatched[:TOP]])
        self.query_one("#privacy", Static).update(Content(f"Privacy: {report.privacy}"))

    def _fill(self, table_id: str, header: tuple[str, ...], rows: list[tuple[object, ...]]) -> None:
        table = self.query_one(f"#{table_id}", DataTable)
        table.clear(columns=True)
        table.add_columns(*header)
        # Text from session files reaches the terminal: made safe, and never read as markup (a plain str would be).
        table.add_rows([tuple(Text(shown(c)) if isinstance(c, str) else c for c in row) for row in rows])
        if not rows:
            table.add_row(*(["(none)"] + [""] * (len(header) - 1)))

    def action_close(self) -> None:
        """Back to the conversation."""
        self.dismiss()
