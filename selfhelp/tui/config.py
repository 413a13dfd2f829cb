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
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

CONFIG_ENV = "SELFHELP_CONFIG"


# A plain dataclass rather than a pydantic model: the settings are read before the first paint,
# and importing pydantic there would cost more than the whole rest of reading them.
@dataclass(frozen=True)
class UIConfig:
    """Settings of the terminal app."""

    keymap: dict[str, str] = field(default_factory=dict)
    """Binding id -> keys (comma-separated for several), overriding the defaults."""

    @classmethod
    def from_data(cls, data: object) -> UIConfig:
        """The settings in a parsed file; ``ValueError("where: what")`` when they are not valid."""
        if not isinstance(data, Mapping):
            raise ValueError(f"top level: expected a mapping, got {type(data).__name__}")
        unknown = [str(key) for key in data if key != "keymap"]
        if unknown:
            raise ValueError(f"{unknown[0]}: unknown setting (known: keymap)")
        keymap = data.get("keymap") or {}
        if not isinstance(keymap, Mapping):
            raise ValueError(f"keymap: expected a mapping of binding id to keys, got {type(keymap).__name__}")
        for key, keys in keymap.items():
            if not isinstance(key, str) or not isinstance(keys, str):
                raise ValueError(f"keymap.{key}: expected text (keys such as ctrl+z), got {type(keys).__name__}")
        return cls(keymap=dict(keymap))


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
        return UIConfig.from_data(data), None
    except ValueError as exc:
        return UIConfig(), f"Settings file {path} ignored: {exc}"
