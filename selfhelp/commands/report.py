"""``selfhelp report [DIR...]``: what saved sessions show, for the people who own the flows.

A table on the terminal, ``--json`` for tools, ``--html FILE`` for a page to open or
mail (one file: inline styles and SVG charts, nothing fetched), or ``--suggest-patterns
FLOW`` for a YAML snippet of candidate error patterns. The figures come from
:mod:`selfhelp.authoring.insights`; this module only renders them.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from selfhelp.authoring.insights.model import duration, median_steps, pct, timeline_buckets
from selfhelp.commands.common import UsageError, catalog_from_args, printable, write_output

if TYPE_CHECKING:
    from selfhelp.authoring.insights import Report

#: Worker processes reading session files at most.
MAX_JOBS = 4
#: Rows listed per table on the terminal and the page.
TOP = 10
#: Colours of the outcome kinds in the page's charts (each is also labelled: meaning never rests on colour).
COLOURS = {
    "resolved": "#2e7d32",
    "contact_support": "#c62828",
    "wait": "#f9a825",
    "redirect": "#1565c0",
    "abandoned": "#9e9e9e",
}
ROUTE_NAMES = {"paste": "paste", "did_you_mean": "did you mean", "questions": "questions", "jump": "jump"}


def run(args: argparse.Namespace) -> int:
    from selfhelp.authoring.insights import Filters, build_insights, session_folders, suggest_patterns
    from selfhelp.session.store import SESSIONS_DIR, data_dir

    if args.since and args.until and args.since > args.until:
        raise UsageError(f"--since {args.since} is after --until {args.until}")
    try:
        folders = session_folders(args.dirs) if args.dirs else _default_folders(data_dir() / SESSIONS_DIR)
    except FileNotFoundError as exc:
        raise UsageError(str(exc)) from None
    catalog = catalog_from_args(args)
    flows = {flow_id: loaded.flow for flow_id, loaded in catalog.flows.items()}
    wanted = set(args.flow_ids or [])
    if args.suggest_patterns:
        if args.suggest_patterns not in flows:
            raise UsageError(f"no loaded flow {args.suggest_patterns!r} (see 'selfhelp list'; --flows DIR adds some)")
        wanted = {args.suggest_patterns}
    filters = Filters(flows=frozenset(wanted), since=args.since, until=args.until)
    # Two cores read twice as fast; more share the one disk, and the machine with others.
    jobs = min(MAX_JOBS, os.cpu_count() or 1)
    insights = build_insights(folders, flows, filters=filters, unmasked=args.unmasked, jobs=jobs)
    if args.suggest_patterns:
        sys.stdout.write(printable(suggest_patterns(insights, flows[args.suggest_patterns])))
        return 0
    report = insights.report(folders)
    if args.json:
        sys.stdout.write(printable(json_text(report)))
    elif args.html:
        write_output(args.html, printable(html_page(report)))
        print(f"wrote {args.html}", file=sys.stderr)
    else:
        sys.stdout.write(printable(table(report)))
    return 0


def _default_folders(folder: Path) -> list[Path]:
    """The data folder's sessions (none yet: nothing to read, which is no error)."""
    return [folder] if folder.is_dir() else []


# --- the terminal table --------------------------------------------------------------------


def _columns(header: Sequence[str], rows: Iterable[Sequence[object]], right: Sequence[int] = ()) -> list[str]:
    """Rows in aligned columns under a header; the columns numbered in ``right`` aligned right."""
    from selfhelp.base.text import shown

    cells = [[shown(str(c)).replace("\n", " ") for c in row] for row in [header, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    out = []
    for row in cells:
        parts = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        out.append("  " + "  ".join(parts).rstrip())
    return out


def table(report: Report) -> str:
    """The report as text for a terminal."""
    files = report.files
    skipped = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in files.skipped.items() if n) or "none"
    lines = [
        f"Sessions: {report.sessions}  (finished {report.finished}, abandoned {report.abandoned})",
        f"Files read: {files.read}  (skipped: {skipped}; left out by filters: {files.filtered_out})",
        f"Folders: {', '.join(report.folders) or '(none: no saved sessions yet)'}",
        *(_filters_line(report)),
        f"Privacy: {report.privacy}",
        "",
        f"Deflection rate (resolved, of finished sessions): {pct(report.deflection_rate)}",
        "",
        "Outcomes",
        *_columns(
            ["outcome", "sessions", "share", "median answers", "median time"],
            [
                [o.result, o.count, pct(o.share), median_steps(p.median_steps), duration(p.median_seconds)]
                for o, p in zip(report.outcomes, report.paths, strict=True)
            ],
            right=(1, 2, 3, 4),
        ),
    ]
    lines += _section(
        "Drop-off: where unfinished sessions stopped",
        ["flow", "step", "sessions", "share"],
        [[d.flow, _step_label(d.title, d.waiting_pick), d.count, pct(d.share)] for d in report.dropoff[:TOP]],
        right=(2, 3),
    )
    for paths in report.paths:
        lines += _section(
            f"Commonest paths to {paths.result}",
            ["sessions", "path"],
            [[p.count, " > ".join(p.nodes)] for p in paths.top],
            right=(0,),
        )
    lines += _section(
        "Causes reached",
        ["flow", "cause", "sessions", *ROUTE_NAMES.values()],
        [[c.flow, c.title, c.total, *(c.routes[r] for r in ROUTE_NAMES)] for c in report.causes[:TOP]],
        right=(2, 3, 4, 5, 6),
    )
    lines += ["", *_matching_lines(report)]
    lines += _section(
        f"Unmatched pastes, clustered ({report.unmatched_total} in all)",
        ["pastes", "example"],
        [[c.count, c.example] for c in report.unmatched[:TOP]],
        right=(0,),
    )
    if files.examples:
        lines += ["", "Skipped files"] + [f"  {e.path}: {e.kind.replace('_', ' ')}: {e.reason}" for e in files.examples]
    return "\n".join(lines) + "\n"


def _filters_line(report: Report) -> list[str]:
    parts = []
    if report.flows:
        parts.append("flows " + ", ".join(report.flows))
    if report.since or report.until:
        parts.append(f"started {report.since or '...'} to {report.until or '...'}")
    return [f"Only: {'; '.join(parts)}"] if parts else []


def _step_label(title: str, waiting_pick: bool) -> str:
    return f"{title} (at 'did you mean')" if waiting_pick else title


def _section(title: str, header: list[str], rows: list[list[object]], right: Sequence[int] = ()) -> list[str]:
    if not rows:
        return ["", title, "  (none)"]
    return ["", title, *_columns(header, rows, right)]


def _matching_lines(report: Report) -> list[str]:
    m = report.matching
    verdicts = ", ".join(
        f"{v} {m.verdicts.get(v, 0)} ({pct(m.rates.get(v, 0.0))})" for v in ("match", "ambiguous", "none")
    )
    return [
        "Matching",
        f"  Pastes: {m.pastes}  ({verdicts})",
        f"  'Did you mean' answered: {m.did_you_mean_answered}, of which 'None of these': {m.none_of_these} "
        f"({pct(m.none_of_these_rate)}); left unanswered: {m.did_you_mean_unanswered}",
        f"  Paste steps answered with questions instead: {m.skipped_paste}",
    ]


# --- the HTML page -----------------------------------------------------------------------------


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def html_page(report: Report) -> str:
    """The report as one self-contained HTML page: inline styles and SVG charts, no scripts, nothing fetched."""
    files = report.files
    body = [
        "<h1>selfhelp report</h1>",
        f"<p class=privacy><strong>Privacy:</strong> {_e(report.privacy)}</p>",
        f"<p>{report.sessions} sessions (finished {report.finished}, abandoned {report.abandoned}); "
        f"{files.read} files read, {sum(files.skipped.values())} skipped, {files.filtered_out} left out by filters. "
        f"Folders: {_e(', '.join(report.folders) or 'none')}.</p>",
        *(f"<p>{_e(line)}</p>" for line in _filters_line(report)),
        f"<p class=big>Deflection rate: <strong>{pct(report.deflection_rate)}</strong> "
        "<small>(resolved, of finished sessions)</small></p>",
        "<h2>Outcomes</h2>",
        _bars_svg([(o.result.replace("_", " "), o.count, COLOURS[o.result]) for o in report.outcomes]),
        _html_table(
            ["outcome", "sessions", "share", "median answers", "median time"],
            [
                [o.result, o.count, pct(o.share), median_steps(p.median_steps), duration(p.median_seconds)]
                for o, p in zip(report.outcomes, report.paths, strict=True)
            ],
        ),
        "<h2>Sessions over time</h2>",
        _timeline_svg(report),
        "<h2>Drop-off</h2>",
        "<p>How many sessions gave at least so many answers:</p>",
        _bars_svg([(f"{k} answers", n, "#5c6bc0") for k, n in enumerate(report.funnel)]),
        "<p>Where unfinished sessions stopped:</p>",
        _html_table(
            ["flow", "step", "sessions", "share"],
            [[d.flow, _step_label(d.title, d.waiting_pick), d.count, pct(d.share)] for d in report.dropoff[:TOP]],
        ),
        "<h2>Paths to each outcome</h2>",
    ]
    for paths in report.paths:
        body.append(f"<h3>{_e(paths.result.replace('_', ' '))}</h3>")
        body.append(_html_table(["sessions", "path"], [[p.count, " › ".join(p.nodes)] for p in paths.top]))
    m = report.matching
    body += [
        "<h2>Causes reached</h2>",
        _html_table(
            ["flow", "cause", "sessions", *ROUTE_NAMES.values()],
            [[c.flow, c.title, c.total, *(c.routes[r] for r in ROUTE_NAMES)] for c in report.causes[:TOP]],
        ),
        "<h2>Matching</h2>",
        _bars_svg(
            [
                (v, m.verdicts.get(v, 0), c)
                for v, c in (("match", "#2e7d32"), ("ambiguous", "#f9a825"), ("none", "#c62828"))
            ]
        ),
        *(f"<p>{_e(line.strip())}</p>" for line in _matching_lines(report)[1:]),
        f"<h2>Unmatched pastes ({report.unmatched_total} in all), clustered</h2>",
        _html_table(["pastes", "example"], [[c.count, c.example] for c in report.unmatched]),
    ]
    if files.examples:
        body.append("<h2>Skipped files</h2>")
        body.append(_html_table(["file", "kind", "reason"], [[e.path, e.kind, e.reason] for e in files.examples]))
    return _PAGE.format(body="\n".join(body))


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>selfhelp report</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #212121; }}
table {{ border-collapse: collapse; margin: .5rem 0 1rem; }}
th, td {{ border-bottom: 1px solid #ddd; padding: .25rem .6rem; text-align: left; vertical-align: top; }}
td.n {{ text-align: right; font-variant-numeric: tabular-nums; }}
.privacy {{ background: #fff8e1; padding: .5rem; border-left: 4px solid #f9a825; }}
.big {{ font-size: 1.3rem; }}
svg text {{ font-size: 12px; fill: #212121; }}
</style>
</head>
<body>
{body}
</body>
</html>
"""


def _html_table(header: list[str], rows: list[list[object]]) -> str:
    if not rows:
        return "<p><em>None.</em></p>"
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td class=n>{c}</td>" if isinstance(c, int) else f"<td>{_e(c)}</td>" for c in row) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _bars_svg(bars: list[tuple[str, int, str]]) -> str:
    """Horizontal bars, each labelled with its name and count."""
    if not bars:
        return "<p><em>None.</em></p>"
    top = max(n for _, n, _ in bars) or 1
    height = 22 * len(bars) + 4
    parts = [f'<svg role="img" width="640" height="{height}" viewBox="0 0 640 {height}">']
    for i, (label, n, colour) in enumerate(bars):
        y = 4 + 22 * i
        width = round(380 * n / top)
        parts.append(f'<text x="0" y="{y + 14}">{_e(label)}</text>')
        parts.append(
            f'<rect x="160" y="{y}" width="{width}" height="16" fill="{colour}"><title>{_e(label)}: {n}</title></rect>'
        )
        parts.append(f'<text x="{166 + width}" y="{y + 14}">{n}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _timeline_svg(report: Report) -> str:
    """Stacked bars of the sessions started each day (or group of days), by how they ended."""
    buckets = timeline_buckets(report)
    if not buckets:
        return "<p><em>None.</em></p>"
    kinds = list(COLOURS)
    top = max(sum(counts.values()) for _, counts in buckets) or 1
    width = max(4, 600 // len(buckets))
    full = width * len(buckets) + 40
    parts = [f'<svg role="img" width="{full}" height="200" viewBox="0 0 {full} 200">']
    for i, (label, counts) in enumerate(buckets):
        y = 170.0
        for kind in kinds:
            h = 160 * counts.get(kind, 0) / top
            if h:
                y -= h
                parts.append(
                    f'<rect x="{i * width}" y="{y:.1f}" width="{width - 1}" height="{h:.1f}" fill="{COLOURS[kind]}">'
                    f"<title>{_e(label)}: {counts[kind]} {kind.replace('_', ' ')}</title></rect>"
                )
    parts.append(f'<text x="0" y="190">{_e(buckets[0][0])}</text>')
    parts.append(f'<text x="{width * len(buckets)}" y="190" text-anchor="end">{_e(buckets[-1][0])}</text>')
    parts.append("</svg>")
    legend = " ".join(f'<span style="color:{c}">■</span> {_e(k.replace("_", " "))}' for k, c in COLOURS.items())
    return "".join(parts) + f"<p>{legend}; the most in one bar: {top} sessions.</p>"


def json_text(report: Report) -> str:
    """The report as indented JSON (what ``--json`` prints)."""
    return json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
