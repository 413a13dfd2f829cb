"""The built-in checks a flow's ``check`` step may name: their inputs and results, as data.

A check step runs one of these by name; its code lives in :mod:`selfhelp.checks`
(a layer above the flow format). Flows stay data: a flow can name a check, never
bring one. This table is what the flow format knows of each check, so that a
flow naming an unknown check, or routing on a result the check never gives, is
refused when the flow is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The result every check can give: it could not answer (offline, switched off, timed out, odd answer).
UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class CheckSpec:
    """What the flow format knows of one built-in check."""

    name: str
    """The name a check step gives in ``check:``."""
    summary: str
    """What the check finds out, in one sentence."""
    inputs: tuple[str, ...]
    """The names of its inputs; a step maps each to a kept value."""
    results: tuple[str, ...]
    """Every result it can give; a step routes each one (``unavailable`` included)."""
    sends: str
    """What goes over the network, and where, in words shown before asking for consent."""


TENANT_DOMAIN = CheckSpec(
    name="tenant-domain",
    summary="Whether a domain belongs to a Microsoft Entra tenant, by the sign-in service's public discovery document.",
    inputs=("tenant", "domain"),
    results=("match", "mismatch", "unknown-domain", UNAVAILABLE),
    sends="the domain (not the tenant ID) is sent to Microsoft's sign-in service ({authority}); no sign-in is needed",
)

#: Every built-in check, by name.
CHECK_SPECS: dict[str, CheckSpec] = {spec.name: spec for spec in (TENANT_DOMAIN,)}
