"""The core never loads Textual or Rich: proven in a fresh interpreter."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import selfhelp


def core_modules() -> list[str]:
    """Every module of the package outside selfhelp.tui."""
    names = [m.name for m in pkgutil.walk_packages(selfhelp.__path__, "selfhelp.")]
    return sorted(n for n in names if not n.startswith("selfhelp.tui") and n != "selfhelp.__main__")


def test_core_modules_are_found() -> None:
    found = core_modules()
    assert {"selfhelp.flow.models", "selfhelp.session.engine", "selfhelp.flow.validate", "selfhelp.cli"} <= set(found)


def test_core_imports_without_textual_or_rich() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {core_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"core imported: {out.stdout.strip()}"


def test_cli_help_does_not_load_textual() -> None:
    code = (
        "import sys\n"
        "from selfhelp.cli import main\n"
        "try:\n    main(['list'])\nexcept SystemExit:\n    pass\n"
        "print(any(m.split('.')[0] in ('textual', 'rich') for m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "False"


def test_a_session_loads_the_matcher_and_examples_only_when_a_paste_needs_them() -> None:
    # Start-up: loading the flows and opening a session must not pay for the matcher or the examples file.
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from selfhelp.flow.validate import check_file\n"
        "from selfhelp.session.engine import Session\n"
        "flow = check_file(Path('flows/cpor-customer-association.yaml')).flow\n"
        "session = Session(flow)\n"
        "session.step()\n"
        "before = [m for m in ('selfhelp.matcher.matcher', 'selfhelp.flow.examples') if m in sys.modules]\n"
        "session.choose_label('I have an error message to paste')\n"
        "session.submit('The subscription has already been claimed')\n"
        "after = [m for m in ('selfhelp.matcher.matcher', 'selfhelp.flow.examples') if m in sys.modules]\n"
        "print(before, after, session.current.node)\n"
    )
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root)
    assert out.stdout.split() == [
        "[]",
        "['selfhelp.matcher.matcher',",
        "'selfhelp.flow.examples']",
        "subscription-already-claimed",
    ]
