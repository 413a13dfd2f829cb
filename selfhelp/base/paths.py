"""Where selfhelp keeps its files in the user's folders, each kind with an environment override.

``platformdirs`` is imported only when no override is set: tests, benchmarks and
portable installs that set the variables never pay for it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

APP_NAME = "selfhelp"

#: The kinds of user folder selfhelp uses: saved sessions and summaries, settings, the start-up cache.
Kind = Literal["data", "config", "cache"]


def user_path(
    kind: Kind,
    env: str,
    name: str | None = None,
    *,
    env_names_file: bool = False,
    environ: Mapping[str, str] | None = None,
) -> Path:
    """selfhelp's user folder of ``kind``, or the file ``name`` in it.

    The variable ``env`` (read from ``environ``, default the process environment)
    overrides the platform's folder when it is set and not blank; ``~`` is expanded.
    It names the folder, or with ``env_names_file`` the file itself.
    """
    values = os.environ if environ is None else environ
    override = values.get(env, "").strip()
    if override:
        given = Path(override).expanduser()
        return given if env_names_file or name is None else given / name
    import platformdirs  # only needed when no override is given

    finders = {
        "data": platformdirs.user_data_path,
        "config": platformdirs.user_config_path,
        "cache": platformdirs.user_cache_path,
    }
    folder = finders[kind](APP_NAME, appauthor=False)
    return folder if name is None else folder / name
