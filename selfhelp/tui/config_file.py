"""What may be written in the app's settings file (``config.yaml``): its pydantic model.

Kept apart from :mod:`selfhelp.tui.config` so that importing the app does not import
pydantic: this module is imported only when a settings file exists and is read.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator


class ChecksSettings(BaseModel):
    """Settings of the automated checks flows may run (such as tenant-domain)."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    online: bool = False
    """true: check steps look things up online without asking first (the step still says what is sent where)."""


class ConfigFile(BaseModel):
    """The settings file of the terminal app."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    keymap: dict[str, str] = {}
    """Binding id (F1 lists them) -> keys such as ctrl+z (comma-separated for several), replacing the default keys."""

    checks: ChecksSettings = ChecksSettings()
    """The automated checks: ``online: true`` lets them use the network without asking each session."""

    @field_validator("checks", mode="before")
    @classmethod
    def _empty_checks(cls, value: Any) -> Any:
        return {} if value is None else value

    @field_validator("keymap", mode="before")
    @classmethod
    def _empty_keymap(cls, value: Any) -> Any:
        # `keymap:` with every remap below it commented out is a file in use, not a mistake.
        return {} if value is None else value
