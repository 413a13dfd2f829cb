"""The one settings loader: safe YAML, a pydantic model, every problem at its place with a hint."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from selfhelp.base.settings import load_settings


class Inner(BaseModel):
    """A nested section."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    colour: str = "blue"
    """The colour of the thing."""


class Sample(BaseModel):
    """A settings file with a section and a number."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    inner: Inner = Field(default_factory=Inner)
    """The nested section."""
    count: int = 1
    """How many."""


def load(tmp_path: Path, text: str) -> tuple[Sample, list[tuple[str, int, int, str, str | None]]]:
    path = tmp_path / "settings.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = load_settings(path, Sample, rule="settings", display="settings.yaml")
    return loaded.settings, [(d.rule, d.line, d.column, d.message, d.hint) for d in loaded.diagnostics]


def test_a_valid_file_is_read(tmp_path: Path) -> None:
    settings, problems = load(tmp_path, "inner:\n  colour: red\ncount: 3\n")
    assert settings == Sample(inner=Inner(colour="red"), count=3)
    assert problems == []


def test_a_missing_or_empty_file_means_the_defaults(tmp_path: Path) -> None:
    missing = load_settings(tmp_path / "absent.yaml", Sample, rule="settings")
    assert (missing.settings, missing.diagnostics) == (Sample(), ())
    for text in ("", "\n\n", "# everything commented out\n", "null\n"):
        assert load(tmp_path, text) == (Sample(), []), text


def test_a_duplicate_key_is_reported_and_the_defaults_used(tmp_path: Path) -> None:
    settings, problems = load(tmp_path, "count: 2\ninner: {}\ncount: 3\n")
    assert settings == Sample()
    assert problems == [
        (
            "duplicate-key",
            3,
            1,
            "'count' is given twice (first at line 1)",
            "remove or rename one of them; YAML would silently keep only the last",
        )
    ]


def test_five_thousand_levels_of_nesting_are_a_problem_not_a_crash(tmp_path: Path) -> None:
    # The 41st '[' is the first too deep, at column 41.
    settings, problems = load(tmp_path, "[" * 5000 + "]" * 5000 + "\n")
    assert settings == Sample()
    assert problems == [
        ("too-deep", 1, 41, "the file nests more than 40 levels deep", "settings need only a few levels of nesting")
    ]


def test_an_unknown_setting_gets_a_did_you_mean_at_its_key(tmp_path: Path) -> None:
    _, problems = load(tmp_path, "count: 2\ninner:\n  colur: red\n")
    assert problems == [("settings", 3, 3, "inner.colur: unknown setting", "did you mean 'colour'?")]


def test_an_unknown_setting_far_from_any_lists_the_known_ones(tmp_path: Path) -> None:
    _, problems = load(tmp_path, "zebra: 1\n")
    assert problems == [("settings", 1, 1, "zebra: unknown setting", "known settings here: count, inner")]


def test_every_wrong_value_is_reported_with_what_the_setting_holds(tmp_path: Path) -> None:
    settings, problems = load(tmp_path, "inner:\n  colour: 5\ncount: many\n")
    assert settings == Sample()
    assert problems == [
        ("settings", 2, 3, "inner.colour: expected text, got the number 5", "inner.colour: The colour of the thing."),
        ("settings", 3, 1, "count: expected a whole number, got the text 'many'", "count: How many."),
    ]


def test_a_section_that_is_not_a_mapping(tmp_path: Path) -> None:
    _, problems = load(tmp_path, "inner: [a, b]\n")
    assert problems == [
        ("settings", 1, 1, "inner: expected a mapping (name: value lines), got a list", "inner: The nested section.")
    ]


def test_a_file_that_is_not_a_mapping(tmp_path: Path) -> None:
    _, problems = load(tmp_path, "- a\n- b\n")
    assert problems == [
        (
            "settings",
            1,
            1,
            "the file: expected a mapping (name: value lines), got a list",
            "known settings: count, inner",
        )
    ]


def test_yaml_syntax_errors_keep_their_rule_and_place(tmp_path: Path) -> None:
    _, problems = load(tmp_path, "inner:\n\tcolour: red\n")
    assert [(rule, line, col, hint) for rule, line, col, _, hint in problems] == [
        ("yaml-syntax", 2, 1, "YAML indents with spaces, never tabs")
    ]


def test_later_checks_place_their_problems_at_a_setting(tmp_path: Path) -> None:
    path = tmp_path / "settings.yaml"
    path.write_text("count: 2\ninner:\n  colour: red\n", encoding="utf-8")
    loaded = load_settings(path, Sample, rule="settings", display="s.yaml")
    diag = loaded.problem(("inner", "colour"), "red is not allowed", "pick another")
    assert (diag.file, diag.line, diag.column, diag.rule, diag.message, diag.hint) == (
        "s.yaml",
        3,
        3,
        "settings",
        "red is not allowed",
        "pick another",
    )
