"""Built-in checks: small lookups selfhelp does for the user, instead of asking them.

A flow's ``check`` step names one (:mod:`selfhelp.flow.check_specs` lists them
with their inputs and results); this package runs it. Checks are code in the
core, never loaded from flow files. Running one may use the network, so it is
never done without consent and never on a user interface's thread: the session
engine only says which check is due (:class:`CheckRequest`) and takes its answer
(:class:`CheckOutcome`); the app runs :func:`run_check` in a worker, the command
line and tests run it directly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict

from selfhelp.base.text import md_escape
from selfhelp.flow.check_specs import CHECK_SPECS, UNAVAILABLE

#: How long a check may take before it counts as ``unavailable``, in seconds.
DEFAULT_TIMEOUT = 5.0


class CheckOutcome(BaseModel):
    """What one run of a check found; kept in the session and in the case summary."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    check: str
    """The check's name (``tenant-domain``)."""
    result: str
    """One of the check's results (``match``, ``mismatch``, ``unknown-domain``, ``unavailable``)."""
    inputs: dict[str, str]
    """The inputs it was run on."""
    message: str
    """The answer in one sentence, as shown to the user."""
    checked_at: str
    """When it ran (ISO 8601, UTC)."""
    sent_to: str | None = None
    """Where a request went (an address), or ``None`` when nothing was sent."""
    tenant_of_domain: str | None = None
    """For ``tenant-domain``: the tenant the domain belongs to, when the service named one."""
    reason: str | None = None
    """For ``unavailable``: why there is no answer (offline, switched off, timed out, odd answer)."""


@dataclass(frozen=True)
class CheckRequest:
    """A check that is due: which one, on what, and what running it sends where."""

    check: str
    """The check's name."""
    inputs: dict[str, str] = field(default_factory=dict)
    """Input name -> value, read from the session's kept values."""

    @property
    def results(self) -> tuple[str, ...]:
        """Every result the check can give."""
        return CHECK_SPECS[self.check].results


def now() -> str:
    """The time now, as outcomes record it."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def unavailable(request: CheckRequest, reason: str, *, sent_to: str | None = None) -> CheckOutcome:
    """The outcome of a check that could not answer, saying why."""
    return _outcome(request, UNAVAILABLE, f"Not checked: {reason}.", sent_to=sent_to, reason=reason)


def declined(request: CheckRequest) -> CheckOutcome:
    """The outcome when the user chose not to run the check (nothing was sent)."""
    return unavailable(request, "the check was skipped (online checks are off)")


def given(request: CheckRequest, result: str) -> CheckOutcome:
    """An outcome given by hand (a scenario file's ``check:`` step), without running anything."""
    return _outcome(request, result, f"The {request.check} check gave {result} (given by the scenario, not looked up).")


def _outcome(request: CheckRequest, result: str, message: str, **details: str | None) -> CheckOutcome:
    """The outcome of ``request``, recorded now."""
    return CheckOutcome(
        check=request.check, result=result, inputs=dict(request.inputs), message=message, checked_at=now(), **details
    )


def disclosure(request: CheckRequest) -> str:
    """What running the check sends where, in one sentence shown at the step (before asking)."""
    if request.check == "tenant-domain":
        from selfhelp.checks import tenant_domain

        domain = md_escape(tenant_domain.full_domain(request.inputs.get("domain", "")) or "the domain")
        return (
            f"**What is sent:** checking sends only the domain ({domain}) to Microsoft's sign-in service at "
            f"{tenant_domain.authority()}; the tenant ID stays here. No sign-in is needed."
        )
    return f"**What is sent:** {CHECK_SPECS[request.check].sends}."


def _registry() -> Mapping[str, Callable[[CheckRequest, float], CheckOutcome]]:
    # Imported when a check runs: most sessions never run one, and urllib is not free to import.
    from selfhelp.checks import tenant_domain

    return {"tenant-domain": tenant_domain.run}


def input_problem(request: CheckRequest) -> str | None:
    """Why the request's inputs cannot be checked (not a GUID, not a domain...), or ``None``."""
    if request.check not in CHECK_SPECS:
        return f"unknown check {request.check!r}"
    if request.check == "tenant-domain":
        from selfhelp.checks import tenant_domain

        return tenant_domain.input_problem(request.inputs)
    return None


def run_check(request: CheckRequest, *, timeout: float = DEFAULT_TIMEOUT) -> CheckOutcome:
    """Run the check once (no retries); never raises: what goes wrong is an ``unavailable`` outcome.

    Blocks for up to ``timeout`` seconds: call it from a worker thread in a user interface.
    """
    problem = input_problem(request)
    if problem is not None:
        return unavailable(request, problem)
    return _registry()[request.check](request, timeout)
