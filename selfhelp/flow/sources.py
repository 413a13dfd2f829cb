"""Where flows are read from: the shipped folder, ``$SELFHELP_FLOWS`` and ``--flows`` folders.

Plain standard library on purpose: the command line and the first-paint cache
(:mod:`selfhelp.tui.first_paint`) need these answers before pydantic or the
validator are imported. :mod:`selfhelp.flow.catalog` re-exports every name here.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from selfhelp.base.unique import unique_by

#: Extra flow folders, separated like PATH (``:`` on POSIX, ``;`` on Windows).
FLOWS_ENV = "SELFHELP_FLOWS"
#: The project file that switches lint rules off (see :mod:`selfhelp.flow.lint_config`).
CONFIG_NAME = ".selfhelp.yaml"


def shipped_flows_dir() -> Path:
    """The folder of the flows shipped with selfhelp.

    An installed wheel carries them as ``selfhelp/_flows``; a source checkout
    (or an editable install) reads the repository's ``flows/`` folder.
    """
    package = Path(__file__).resolve().parent.parent
    packaged = package / "_flows"
    return packaged if packaged.is_dir() else package.parent / "flows"


@dataclass(frozen=True)
class FlowSource:
    """A folder flows are read from, and why it is read."""

    path: Path
    origin: str
    """``shipped``, ``env`` (from SELFHELP_FLOWS) or ``option`` (from --flows)."""


def flow_sources(
    extra: Iterable[Path] = (), *, include_shipped: bool = True, environ: dict[str, str] | None = None
) -> list[FlowSource]:
    """The folders to read, in order: shipped, then SELFHELP_FLOWS, then ``extra``."""
    env = os.environ if environ is None else environ
    sources = [FlowSource(shipped_flows_dir(), "shipped")] if include_shipped else []
    sources += [FlowSource(Path(p), "env") for p in env.get(FLOWS_ENV, "").split(os.pathsep) if p.strip()]
    sources += [FlowSource(Path(p), "option") for p in extra]
    return unique_by(sources, lambda source: source.path.resolve())


def flow_files(paths: Iterable[Path]) -> list[Path]:
    """Expand folders into their ``*.yaml``/``*.yml`` flow files (sorted); keep files as given, each once.

    Scenario files (``*.test.yaml``), examples files (``*.examples.yaml``) and the project file
    (``.selfhelp.yaml``) are not flows.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                p
                for p in path.rglob("*")
                if p.suffix in (".yaml", ".yml")
                and p.is_file()
                and not p.name.endswith((".test.yaml", ".test.yml", ".examples.yaml", ".examples.yml"))
                and p.name != CONFIG_NAME
            )
        else:
            found.append(path)
    # A file named twice (a folder and a file in it) must not clash with itself as a duplicate flow id.
    return unique_by(found, Path.resolve)


def find_config(start: Path) -> Path | None:
    """The nearest ``.selfhelp.yaml`` in ``start`` or a parent, not looking past a repository's root."""
    folder = start.resolve()
    for candidate in (folder, *folder.parents):
        config = candidate / CONFIG_NAME
        if config.is_file():
            return config
        if (candidate / ".git").exists():
            return None
    return None
