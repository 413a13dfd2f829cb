"""What ``selfhelp init`` writes: a flows folder that works outside this repository.

The folder holds a sample flow and its scenario test, a project file (``.selfhelp.yaml``), the flow
format's JSON Schema (generated from the models, so it matches the installed selfhelp) and a CI snippet.
The sample's modeline names the schema beside it, so editors resolve it wherever the folder lives.
"""

from __future__ import annotations

from pathlib import Path

from selfhelp.flow.schema import flow_schema_text

#: The schema's file name in a scaffolded folder; drafts written into such a folder point at it.
SCHEMA_NAME = "flow.schema.json"
#: How many folders up a draft looks for the schema to point its modeline at.
SCHEMA_SEARCH_DEPTH = 4

_SAMPLE_FLOW = """\
# yaml-language-server: $schema=flow.schema.json
# A sample flow: edit it, or draft one from an article with 'selfhelp import ARTICLE.md -o FILE.yaml'.
id: sample-printer
title: "Sample: the printer does not print"
version: 1.0.0
start: start
nodes:
  start:
    kind: question
    title: What do you see?
    text: "**What do you see?**"
    choices:
      - label: The printer says it is offline
        goto: offline
      - label: Something else
        goto: contact-support

  offline:
    kind: cause
    title: The printer is offline
    errors: ["printer is offline"]
    text: |
      Turn the printer on, wait for its light to stop blinking, then print again.

      **Did this solve it?**
    choices:
      - label: Yes, that fixed it
        goto: resolved
      - label: No, I still need help
        goto: contact-support

  resolved:
    kind: outcome
    result: resolved
    title: Resolved
    text: Glad that solved it.

  contact-support:
    kind: outcome
    result: contact_support
    title: Still not solved
    text: Please contact the support team.
"""

_SAMPLE_TEST = """\
# Scenario tests for sample-printer.yaml: run them with 'selfhelp test .'
flow: sample-printer.yaml

scenarios:
  - name: an offline printer is fixed
    steps:
      - choose: The printer says it is offline
        expect: {node: offline}
      - choose: Yes, that fixed it
        expect: {node: resolved, outcome: resolved}

  - name: an offline printer that stays offline goes to support
    steps:
      - choose: The printer says it is offline
      - choose: No, I still need help
        expect: {node: contact-support, outcome: contact_support}

  - name: something else goes to support
    steps:
      - choose: Something else
        expect: {node: contact-support, outcome: contact_support}
"""

_PROJECT = """\
# selfhelp project settings for the flows in this folder and below.
# Switch a lint rule off with the reason why, for example:
#   lint:
#     disable:
#       unreachable-node: Draft branches for the article's next revision.
lint:
  disable: {}
"""

_CI = """\
# Checking these flows in CI

Copy this into `.github/workflows/selfhelp.yml` (GitHub Actions), with `{folder}` the path of this
folder from the repository's root:

```yaml
name: flows
on: [push, pull_request]
jobs:
  flows:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: pip install selfhelp
      - run: selfhelp validate {folder}
      - run: selfhelp schema --check {folder}/flow.schema.json
      - run: selfhelp test {folder} --min-coverage 100
```

`selfhelp schema --check` fails when the schema beside the flows is older than the installed
selfhelp; refresh it with `selfhelp schema --output {folder}/flow.schema.json`.
"""


def scaffold_files(folder_name: str) -> dict[str, str]:
    """The files ``selfhelp init`` writes, by name, for a folder called ``folder_name``."""
    return {
        "sample-printer.yaml": _SAMPLE_FLOW,
        "sample-printer.test.yaml": _SAMPLE_TEST,
        ".selfhelp.yaml": _PROJECT,
        SCHEMA_NAME: flow_schema_text(),
        "CI.md": _CI.replace("{folder}", folder_name or "."),
    }


def schema_for(flow_file: Path) -> str | None:
    """The schema a flow file at ``flow_file`` should point at: a ``flow.schema.json`` in its folder or one
    of the few above it, as a relative path; ``None`` when there is none."""
    folder = flow_file.resolve().parent
    for up, candidate in enumerate([folder, *folder.parents][: SCHEMA_SEARCH_DEPTH + 1]):
        if (candidate / SCHEMA_NAME).is_file():
            return "/".join([".."] * up + [SCHEMA_NAME])
    return None
