"""``selfhelp check CHECK ...``: run a built-in check now and print its answer.

Running the command is the consent to send what the check sends. Exit status:
0 for any answer (``match``, ``mismatch``, ``unknown-domain``), 1 when the check
could not answer (``unavailable``), 2 for a usage error (a tenant that is not a
GUID, a domain that is not a domain).
"""

from __future__ import annotations

import argparse
import json

from selfhelp.base.text import shown
from selfhelp.checks import CheckOutcome, CheckRequest, input_problem, run_check
from selfhelp.commands.common import UsageError
from selfhelp.flow.check_specs import UNAVAILABLE


def run(args: argparse.Namespace) -> int:
    request = CheckRequest(args.check, {"tenant": args.tenant.strip(), "domain": args.domain.strip()})
    problem = input_problem(request)
    if problem is not None:
        raise UsageError(problem)
    outcome = run_check(request)
    print(json.dumps(as_json(outcome), indent=2) if args.json else as_text(outcome))
    return 1 if outcome.result == UNAVAILABLE else 0


def as_json(outcome: CheckOutcome) -> dict[str, object]:
    """The answer as the JSON object tools read (``check``, ``result``, ``tenant_of_domain``, ``checked_at``...)."""
    return {
        "check": outcome.check,
        "result": outcome.result,
        "tenant_of_domain": outcome.tenant_of_domain,
        "checked_at": outcome.checked_at,
        "inputs": outcome.inputs,
        "message": outcome.message,
        "sent_to": outcome.sent_to,
        "reason": outcome.reason,
    }


def as_text(outcome: CheckOutcome) -> str:
    """The answer for a person: the result, the sentence, and where the request went."""
    lines = [f"{outcome.check}: {outcome.result}", shown(outcome.message)]
    if outcome.sent_to:
        lines.append(f"asked {shown(outcome.sent_to)} at {outcome.checked_at}")
    return "\n".join(lines)
