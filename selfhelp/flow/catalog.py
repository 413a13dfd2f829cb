"""Finding and loading flows: the shipped ones, extra folders, and an environment variable."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from selfhelp.base.diagnostics import Diagnostic
from selfhelp.flow.models import Flow
from selfhelp.flow.sources import FLOWS_ENV, FlowSource, flow_sources, shipped_flows_dir
from selfhelp.flow.validate import FileReport, check_files

__all__ = ["FLOWS_ENV", "Catalog", "FlowSource", "LoadedFlow", "flow_sources", "load_catalog", "shipped_flows_dir"]


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
    origin_of: dict[Path, str] = {}
    files: list[Path] = []
    for source in sources:
        if source.path.is_dir() or source.path.is_file():
            files.append(source.path)
            origin_of[source.path.resolve()] = source.origin
    reports = check_files(files)
    catalog = Catalog(reports=reports)
    for report in reports:
        if report.ok and report.flow is not None:
            catalog.flows[report.flow.id] = LoadedFlow(report.flow, report.path, _origin(report.path, origin_of))
    return catalog


def _origin(path: Path, origin_of: dict[Path, str]) -> str:
    resolved = path.resolve()
    for folder, origin in origin_of.items():
        if resolved == folder or folder in resolved.parents:
            return origin
    return "option"
