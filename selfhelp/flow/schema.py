"""The JSON Schema of the flow format, generated from the pydantic models.

Editors that speak the YAML language server read it from the first line of a
flow file (``# yaml-language-server: $schema=../docs/flow.schema.json``) to
complete and check fields. The copy kept in ``docs/flow.schema.json`` must equal
what :func:`flow_schema_text` generates; a test fails when it is stale.
"""

from __future__ import annotations

import json
from typing import Any

from selfhelp.flow.models import Flow

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
#: The schema's file in a source checkout, relative to the repository root.
SCHEMA_PATH = "docs/flow.schema.json"
#: The first line of a flow file kept in ``flows/``, pointing editors at the schema.
MODELINE = "# yaml-language-server: $schema=../docs/flow.schema.json"


def flow_schema() -> dict[str, Any]:
    """The schema of one flow file."""
    schema = Flow.model_json_schema(mode="validation")
    return {
        "$schema": SCHEMA_DIALECT,
        "$comment": "Generated from selfhelp.flow.models by 'selfhelp schema'; do not edit by hand.",
        **schema,
        "title": "selfhelp flow",
    }


def flow_schema_text() -> str:
    """The schema as the text kept in the repository: sorted keys would scramble field order, so none."""
    return json.dumps(flow_schema(), indent=2, ensure_ascii=False) + "\n"
