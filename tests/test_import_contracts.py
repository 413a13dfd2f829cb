"""The layers and the Textual-free core as import-linter contracts (``[tool.importlinter]`` in pyproject.toml)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def lint_imports() -> str:
    """The ``lint-imports`` executable of this environment (else of PATH); skips the test when there is none."""
    beside = Path(sys.executable).with_name("lint-imports")
    found = str(beside) if beside.is_file() else shutil.which("lint-imports")
    if found is None:
        pytest.skip("lint-imports is not installed: pip install -e '.[test]' brings import-linter")
    return found


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [lint_imports(), "--no-cache", "--no-logo", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_every_import_contract_is_kept() -> None:
    out = run()
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Contracts: 5 kept, 0 broken." in out.stdout
    for name in (
        "layers: each imports only its own layer and those below KEPT",
        "commands: independent of each other, sharing commands.common KEPT",
        "the core never imports textual or rich, even indirectly KEPT",
        "the package root never imports textual or rich KEPT",
        "cli and commands reach textual or rich only via selfhelp.tui KEPT",
    ):
        assert name in out.stdout


def test_a_broken_contract_fails(tmp_path: Path) -> None:
    """The control: the same tool on this package reports an import that a contract forbids."""
    config = tmp_path / "contract.toml"
    config.write_text(
        '[tool.importlinter]\nroot_package = "selfhelp"\n\n'
        '[[tool.importlinter.contracts]]\nname = "flow without base"\ntype = "forbidden"\n'
        'source_modules = ["selfhelp.flow"]\nforbidden_modules = ["selfhelp.base"]\n'
    )
    out = run(str(config))
    assert out.returncode == 1
    assert "flow without base BROKEN" in out.stdout
    assert "selfhelp.flow is not allowed to import selfhelp.base" in out.stdout
