"""The app's settings file (config.yaml): remaps applied, every problem told in one notice, never a crash."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from selfhelp.tui.config import UIConfig, load_config
from tests.tui.conftest import CPOR, at, pick, toasts


def settings_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> Path:
    """Write ``text`` as the settings file the app reads (through ``$SELFHELP_CONFIG``, as a user sets it)."""
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("SELFHELP_CONFIG", str(path))
    return path


async def test_a_keymap_in_the_file_is_applied(make_app, tmp_path, monkeypatch) -> None:
    settings_file(tmp_path, monkeypatch, "keymap:\n  back: ctrl+z\n")
    config, problem = load_config()
    assert (config, problem) == (UIConfig(keymap={"back": "ctrl+z"}), None)
    app = make_app(flow_id=CPOR, config=config, config_problem=problem)
    async with app.run_test(size=(100, 40)) as pilot:
        await pick(pilot, "Something else")
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert at(app) == "what-happening"


def test_no_file_and_an_empty_keymap_are_no_problem(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SELFHELP_CONFIG", str(tmp_path / "absent.yaml"))
    assert load_config() == (UIConfig(), None)
    settings_file(tmp_path, monkeypatch, "keymap:\n  # back: ctrl+z\n")
    assert load_config() == (UIConfig(), None)


def test_a_duplicate_key_is_reported(tmp_path, monkeypatch) -> None:
    path = settings_file(tmp_path, monkeypatch, "keymap:\n  back: ctrl+z\n  back: f5\n")
    assert load_config() == (
        UIConfig(),
        "Settings file ignored, the default keys are used:\n"
        f"{path}:3:3: 'back' is given twice (first at line 2)\n"
        "    hint: remove or rename one of them; YAML would silently keep only the last",
    )


def test_five_thousand_levels_of_nesting_give_a_notice_not_a_crash(tmp_path, monkeypatch) -> None:
    # `keymap:` is level 1; the 40th '{' (column 9 + 39 * 4 = 165) opens level 41.
    path = settings_file(tmp_path, monkeypatch, "keymap: " + "{a: " * 5000 + "x" + "}" * 5000 + "\n")
    assert load_config() == (
        UIConfig(),
        "Settings file ignored, the default keys are used:\n"
        f"{path}:1:165: the file nests more than 40 levels deep\n"
        "    hint: settings need only a few levels of nesting",
    )


def test_an_unknown_setting_gets_a_did_you_mean(tmp_path, monkeypatch) -> None:
    path = settings_file(tmp_path, monkeypatch, "# my keys\nkeympa:\n  back: ctrl+z\n")
    assert load_config() == (
        UIConfig(),
        f"Settings file ignored, the default keys are used:\n{path}:2:1: keympa: unknown setting\n"
        "    hint: did you mean 'keymap'?",
    )


def test_many_problems_make_one_short_notice(tmp_path, monkeypatch) -> None:
    path = settings_file(tmp_path, monkeypatch, "keymap:\n  back: 5\n  quit: yes\nfoo: 1\nbar: 2\n")
    keymap_hint = (
        "    hint: keymap: Binding id (F1 lists them) -> keys such as ctrl+z (comma-separated for several), "
        "replacing the default keys."
    )
    assert load_config() == (
        UIConfig(),
        "\n".join(
            [
                "Settings file ignored, the default keys are used:",
                f"{path}:2:3: keymap.back: expected text, got the number 5",
                keymap_hint,
                f"{path}:3:3: keymap.quit: expected text, got true (a yes/no value)",
                keymap_hint,
                f"{path}:4:1: foo: unknown setting",
                "    hint: known settings here: checks, keymap",
                "... and 1 more",
            ]
        ),
    )


async def test_a_broken_file_starts_the_app_with_default_keys_and_a_notice(make_app, tmp_path, monkeypatch) -> None:
    settings_file(tmp_path, monkeypatch, "keymap:\n  back: ctrl+z\n  back: f5\n")
    config, problem = load_config()
    assert config == UIConfig() and problem is not None and problem.startswith("Settings file ignored")
    app = make_app(flow_id=CPOR, config=config, config_problem=problem)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.pause()
        assert toasts(app) == [problem]
        await pick(pilot, "Something else")
        await pilot.press("escape")  # the default key for back
        await pilot.pause()
        assert at(app) == "what-happening"


def test_reading_no_settings_file_imports_neither_pydantic_nor_yaml(tmp_path) -> None:
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from selfhelp.tui.config import load_config\n"
        f"assert load_config(Path({str(tmp_path / 'absent.yaml')!r})) [1] is None\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pydantic', 'yaml', 'platformdirs'}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
