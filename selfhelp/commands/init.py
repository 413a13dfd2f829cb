"""``selfhelp init [DIR]``: scaffold a flows folder (sample flow and test, project file, schema, CI snippet)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from selfhelp.authoring.scaffold import scaffold_files
from selfhelp.base.atomic import write_atomic
from selfhelp.commands.common import UsageError


def run(args: argparse.Namespace) -> int:
    folder: Path = args.dir
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is a file, not a folder")
    files = scaffold_files(folder.as_posix())
    existing = [name for name in files if (folder / name).exists()]
    if existing and not args.force:
        raise UsageError(f"{folder} already has {', '.join(existing)}; pass --force to overwrite them")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            write_atomic(folder / name, text)
    except OSError as exc:
        raise UsageError(f"cannot write into {folder}: {exc.strerror or exc}") from None
    for name in files:
        print(f"wrote {folder / name}", file=sys.stderr)
    print(
        f"selfhelp: next, 'selfhelp validate {folder}' and 'selfhelp test {folder}'; "
        f"draft a flow from an article with 'selfhelp import ARTICLE.md -o {folder}/NAME.yaml'",
        file=sys.stderr,
    )
    return 0
