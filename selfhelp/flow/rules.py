"""Every rule a flow file is checked against, with its stable id and default severity.

The ids appear in reports and in ``docs/rules.md``; a test keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass

from selfhelp.base.diagnostics import Severity


@dataclass(frozen=True)
class Rule:
    """One check: its id, how bad breaking it is, and a one-line summary."""

    id: str
    severity: Severity
    summary: str
    switchable: bool = False
    """Whether a project or a node may switch it off: only rules a runnable flow can break."""


_E, _W = Severity.error, Severity.warning

RULES: dict[str, Rule] = {
    r.id: r
    for r in [
        # The file itself
        Rule("unreadable-file", _E, "The file cannot be read."),
        Rule("file-too-large", _E, "The file is larger than 1 MiB."),
        Rule("binary-file", _E, "The file holds NUL bytes."),
        Rule("not-utf8", _E, "The file is not valid UTF-8."),
        Rule("empty-file", _E, "The file holds no YAML document."),
        Rule("yaml-syntax", _E, "The file is not well-formed YAML."),
        Rule("too-deep", _E, "The YAML nests more than 40 levels deep."),
        Rule("alias-expansion", _E, "Anchors and aliases expand past 100,000 values."),
        Rule("unsafe-tag", _E, "A YAML tag other than the plain ones (or a merge key) is used."),
        Rule("yaml-key", _E, "A mapping key is not a plain scalar."),
        Rule("duplicate-key", _E, "A mapping gives the same key twice."),
        # The schema
        Rule("not-a-flow", _E, "The document is not a mapping of flow fields."),
        Rule("unknown-field", _E, "A field the flow format does not define."),
        Rule("missing-field", _E, "A required field is missing."),
        Rule("invalid-value", _E, "A value has the wrong type or breaks a constraint."),
        Rule("unknown-kind", _E, "A node's kind is missing or not one of the node kinds."),
        Rule("regex-unsupported", _E, "A regex validator's pattern uses what RE2 cannot run (backreferences, ...)."),
        # The graph
        Rule("start-missing", _E, "The flow names no start node."),
        Rule("start-unknown", _E, "The start node does not exist."),
        Rule("duplicate-node-id", _E, "Two nodes share an id."),
        Rule("dangling-target", _E, "A node leads to a node that does not exist."),
        Rule("choice-without-target", _E, "A choice leads nowhere.", switchable=True),
        Rule("dead-end", _E, "A node that is not an outcome has no way on.", switchable=True),
        Rule("trap-cycle", _E, "A cycle from which no outcome can be reached.", switchable=True),
        Rule("unreachable-node", _W, "No path from the start reaches the node.", switchable=True),
        Rule("value-used-not-set", _E, "A kept value is used but no node keeps it.", switchable=True),
        Rule("match-no-fallback", _E, "A match step has no no_match way on.", switchable=True),
        Rule("match-no-patterns", _E, "A match step has no cause with error patterns to match.", switchable=True),
        Rule("candidate-not-cause", _E, "A match step's candidate is not a cause node.", switchable=True),
        # What nodes say
        Rule("duplicate-choice-label", _E, "Two choices of a node have the same label.", switchable=True),
        Rule("cause-no-text", _E, "A cause node has no text.", switchable=True),
        Rule(
            "next-no-fallback",
            _W,
            "Every branch of a next: list has a condition: some answers lead nowhere.",
            switchable=True,
        ),
        Rule("choices-same-target", _W, "Every answer of a question leads to the same node.", switchable=True),
        Rule("source-unknown", _W, "A node's source names a section its article does not have.", switchable=True),
        # Configuration
        Rule("lint-config", _E, "A lint setting (.selfhelp.yaml or a node's lint_off) is malformed."),
        # Across files
        Rule("duplicate-flow-id", _E, "Two flow files declare the same flow id."),
        Rule("redirect-unknown-flow", _W, "A redirect outcome's redirect_flow names no flow loaded with it."),
        # A flow's examples file (matching: examples:)
        Rule("examples-file", _E, "The flow's examples file is missing or malformed."),
        Rule("example-unknown-cause", _E, "An example names a node that is not a cause with errors: of the flow."),
    ]
}


def severity_of(rule_id: str) -> Severity:
    """The default severity of a rule."""
    return RULES[rule_id].severity
