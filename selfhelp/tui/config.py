"""The app's settings file: key remaps by binding id.

The file is YAML, at ``$SELFHELP_CONFIG`` or ``config.yaml`` in the user's
config folder (platformdirs)::

    keymap:
      back: ctrl+z
      restart: f5
    checks:
      online: true   # check steps may look things up online without asking

Binding ids are listed in the help screen (F1). The file is read by
:func:`selfhelp.base.settings.load_settings` against
:class:`selfhelp.tui.config_file.ConfigFile`. A broken file never stops the
app: it starts with the default keys and says, in one notice, what was wrong
and where (line and column, with a hint).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from selfhelp.base.paths import user_path

if TYPE_CHECKING:
    from selfhelp.base.diagnostics import Diagnostic

CONFIG_ENV = "SELFHELP_CONFIG"
CONFIG_NAME = "config.yaml"
#: Problems listed in the notice; more are counted, not listed (a toast is small).
MAX_LISTED = 3


# A plain dataclass rather than the pydantic model: the app imports this module before its first
# paint, and importing pydantic there would cost more than the whole rest of the start-up.
@dataclass(frozen=True)
class UIConfig:
    """Settings of the terminal app (as :class:`selfhelp.tui.config_file.ConfigFile` reads them)."""

    keymap: dict[str, str] = field(default_factory=dict)
    """Binding id -> keys (comma-separated for several), overriding the defaults."""
    checks_online: bool = False
    """Whether check steps may use the network without asking (``checks: online: true``)."""


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    """Where the settings file is read from: ``$SELFHELP_CONFIG``, else ``config.yaml`` in the user config folder."""
    return user_path("config", CONFIG_ENV, CONFIG_NAME, env_names_file=True, environ=environ)


def load_config(path: Path | None = None) -> tuple[UIConfig, str | None]:
    """Read the settings; returns them and a problem to tell the user about (``None`` when all is well).

    Without a settings file (the usual case) this imports nothing; reading one imports
    pydantic, PyYAML and :mod:`selfhelp.base.settings`.
    """
    path = path or config_path()
    if not path.is_file():
        return UIConfig(), None
    from selfhelp.base.settings import load_settings
    from selfhelp.tui.config_file import ConfigFile

    loaded = load_settings(path, ConfigFile, rule="settings", display=str(path))
    if loaded.diagnostics:
        return UIConfig(), notice(loaded.diagnostics)
    return UIConfig(keymap=dict(loaded.settings.keymap), checks_online=loaded.settings.checks.online), None


def notice(problems: Sequence[Diagnostic]) -> str:
    """The one notice for a settings file that was not used: each problem at its place, with its hint."""
    lines = ["Settings file ignored, the default keys are used:"]
    for diag in problems[:MAX_LISTED]:
        where = f"{diag.file}:{diag.line}:{diag.column}" if diag.line else diag.file
        lines.append(f"{where}: {diag.message}")
        if diag.hint:
            lines.append(f"    hint: {diag.hint}")
    if len(problems) > MAX_LISTED:
        lines.append(f"... and {len(problems) - MAX_LISTED} more")
    return "\n".join(lines)
