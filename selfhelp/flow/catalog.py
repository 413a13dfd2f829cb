"""Finding and loading flows: the shipped ones, extra folders, and an environment variable."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from selfhelp.base.diagnostics import Diagnostic
from selfhelp.base.safe_yaml import top_level_text
from selfhelp.flow.models import Flow
from selfhelp.flow.sources import FLOWS_ENV, FlowSource, flow_files, flow_sources, shipped_flows_dir
from selfhelp.flow.validate import FileReport, check_file, check_files

__all__ = [
    "FLOWS_ENV",
    "Catalog",
    "FlowSource",
    "LoadedFlow",
    "declared_id",
    "flow_sources",
    "load_catalog",
    "load_one",
    "shipped_flows_dir",
]


@dataclass
class LoadedFlow:
    """A usable flow and where it came from."""

    flow: Flow
    path: Path
    origin: str


@dataclass
class Catalog:
    """Every flow found, with the problems of the files that could not be used."""

    flows: dict[str, LoadedFlow] = field(default_factory=dict)
    reports: list[FileReport] = field(default_factory=list)

    @property
    def problems(self) -> list[Diagnostic]:
        """Every diagnostic of every file (warnings included)."""
        return [d for r in self.reports for d in r.diagnostics]

    @property
    def broken(self) -> list[FileReport]:
        """The files that could not be loaded."""
        return [r for r in self.reports if not r.ok]

    def get(self, flow_id: str) -> LoadedFlow | None:
        return self.flows.get(flow_id)


def load_catalog(sources: list[FlowSource]) -> Catalog:
    """Load every flow file below the sources; same-id flows are reported as errors naming both files."""
    files, origin_of = _roots(sources)
    reports = check_files(files)
    catalog = Catalog(reports=reports)
    for report in reports:
        if report.ok and report.flow is not None:
            catalog.flows[report.flow.id] = LoadedFlow(report.flow, report.path, _origin(report.path, origin_of))
    return catalog


def load_one(sources: list[FlowSource], flow_id: str) -> LoadedFlow | None:
    """The flow ``flow_id`` exactly as :func:`load_catalog` would load it, loading and checking its file alone.

    The app's cold start paints the first question from it and loads the whole
    catalog behind the paint. The files are read in the catalog's order, each
    only as far as to tell the id it declares (:func:`declared_id`), up to the
    first that declares ``flow_id``: as in the catalog, that one is the flow,
    and a later file with the same id is the one reported. ``None`` whenever the
    whole catalog must decide: an earlier file whose id cannot be told that way,
    no file declaring ``flow_id``, or one that is not a usable flow. The caller
    then loads the catalog, whose errors and suggestions say what is wrong.
    """
    files, origin_of = _roots(sources)
    for path in flow_files(files):
        declared = declared_id(path)
        if declared is None:
            return None
        if declared == flow_id:
            report = check_file(path)
            if not report.ok or report.flow is None or report.flow.id != flow_id:
                return None
            return LoadedFlow(report.flow, report.path, _origin(report.path, origin_of))
    return None


def declared_id(path: Path) -> str | None:
    """The flow id ``path`` declares, read only as far as its top-level ``id`` (see :func:`top_level_text`).

    ``None`` unless it is certain that loading the file would give that id, or none.
    """
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    return top_level_text(raw, "id")


def _roots(sources: list[FlowSource]) -> tuple[list[Path], dict[Path, str]]:
    """The sources that exist, and the origin of each (by resolved path)."""
    origin_of: dict[Path, str] = {}
    files: list[Path] = []
    for source in sources:
        if source.path.is_dir() or source.path.is_file():
            files.append(source.path)
            origin_of[source.path.resolve()] = source.origin
    return files, origin_of


def _origin(path: Path, origin_of: dict[Path, str]) -> str:
    resolved = path.resolve()
    for folder, origin in origin_of.items():
        if resolved == folder or folder in resolved.parents:
            return origin
    return "option"
