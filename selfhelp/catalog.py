"""Finding and loading flows: the shipped ones, extra folders, and an environment variable."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from selfhelp.diagnostics import Diagnostic
from selfhelp.models import Flow
from selfhelp.validate import FileReport, check_files

#: Extra flow folders, separated like PATH (``:`` on POSIX, ``;`` on Windows).
FLOWS_ENV = "SELFHELP_FLOWS"


def shipped_flows_dir() -> Path:
    """The folder of the flows shipped with selfhelp.

    An installed wheel carries them as ``selfhelp/_flows``; a source checkout
    (or an editable install) reads the repository's ``flows/`` folder.
    """
    here = Path(__file__).resolve().parent
    packaged = here / "_flows"
    return packaged if packaged.is_dir() else here.parent / "flows"


@dataclass(frozen=True)
class FlowSource:
    """A folder flows are read from, and why it is read."""

    path: Path
    origin: str
    """``shipped``, ``env`` (from SELFHELP_FLOWS) or ``option`` (from --flows)."""


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


def flow_sources(
    extra: Iterable[Path] = (), *, include_shipped: bool = True, environ: dict[str, str] | None = None
) -> list[FlowSource]:
    """The folders to read, in order: shipped, then SELFHELP_FLOWS, then ``extra``."""
    env = os.environ if environ is None else environ
    sources = [FlowSource(shipped_flows_dir(), "shipped")] if include_shipped else []
    sources += [FlowSource(Path(p), "env") for p in env.get(FLOWS_ENV, "").split(os.pathsep) if p.strip()]
    sources += [FlowSource(Path(p), "option") for p in extra]
    unique: list[FlowSource] = []
    seen: set[Path] = set()
    for source in sources:
        key = source.path.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(source)
    return unique


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
