"""The app's settings file: key remaps by binding id.

The file is YAML, at ``$SELFHELP_CONFIG`` or ``config.yaml`` in the user's
config folder (platformdirs)::

    keymap:
      back: ctrl+z
      restart: f5

Binding ids are listed in the help screen (F1). A broken file never stops the
app: it starts with the default keys and says what was wrong.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

CONFIG_ENV = "SELFHELP_CONFIG"


class UIConfig(BaseModel):
    """Settings of the terminal app."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    keymap: dict[str, str] = {}
    """Binding id -> keys (comma-separated for several), overriding the defaults."""


def config_path(environ: dict[str, str] | None = None) -> Path:
    """Where the settings file is read from."""
    env = os.environ if environ is None else environ
    override = env.get(CONFIG_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    import platformdirs

    return platformdirs.user_config_path("selfhelp", appauthor=False) / "config.yaml"


def load_config(path: Path | None = None) -> tuple[UIConfig, str | None]:
    """Read the settings; returns them and a problem to tell the user about (``None`` when all is well)."""
    path = path or config_path()
    if not path.is_file():
        return UIConfig(), None
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        return UIConfig(), f"Settings file {path} ignored: {str(exc).splitlines()[0]}"
    try:
        return UIConfig.model_validate(data), None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "top level"
        return UIConfig(), f"Settings file {path} ignored: {where}: {first['msg']}"
