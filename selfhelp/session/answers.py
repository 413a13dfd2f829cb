"""Checks of free-text answers against an input node's validators."""

from __future__ import annotations

import re

from selfhelp.base import safe_regex
from selfhelp.flow.models import InputValidator, ValidatorKind

#: The longest answer kept when a node sets no max_length: a paste larger than this is a mistake.
DEFAULT_MAX_CHARS = 10_000

GUID_RE = re.compile(r"^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$")
DOMAIN_RE = re.compile(r"^(?=.{1,253}$)(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,63}$")

_DEFAULT_MESSAGES = {
    ValidatorKind.required: "An answer is needed here.",
    ValidatorKind.guid: "That is not a GUID: a GUID looks like 0f8fad5b-d9cb-469f-a165-70867728950e.",
    ValidatorKind.domain: "That is not a domain name: it looks like contoso.onmicrosoft.com.",
    ValidatorKind.regex: "That answer is not in the expected form.",
    ValidatorKind.max_length: "That answer is too long.",
}


def describe(validator: InputValidator) -> str:
    """A short human description of what a validator expects, for input hints."""
    match validator.type:
        case ValidatorKind.required:
            return "required"
        case ValidatorKind.guid:
            return "a GUID"
        case ValidatorKind.domain:
            return "a domain name"
        case ValidatorKind.max_length:
            return f"at most {validator.max} characters"
        case ValidatorKind.regex:
            return "in the expected form"


def check(text: str, validators: list[InputValidator]) -> str | None:
    """The reason the answer (cleaned: :func:`selfhelp.base.text.clean`) fails, or ``None`` when it passes.

    An empty answer passes every check but ``required``: optional fields may be left blank.
    """
    limits = [v.max for v in validators if v.type is ValidatorKind.max_length and v.max]
    if not limits and len(text) > DEFAULT_MAX_CHARS:
        return f"That answer is too long ({len(text):,} characters; at most {DEFAULT_MAX_CHARS:,})."
    for validator in validators:
        if not _passes(text, validator):
            return validator.message or _DEFAULT_MESSAGES[validator.type]
    return None


def _passes(text: str, validator: InputValidator) -> bool:
    if validator.type is ValidatorKind.required:
        return bool(text)
    if not text:
        return True
    match validator.type:
        case ValidatorKind.guid:
            return bool(GUID_RE.match(text))
        case ValidatorKind.domain:
            return bool(DOMAIN_RE.match(text))
        case ValidatorKind.max_length:
            return len(text) <= (validator.max or 0)
        case ValidatorKind.regex:
            # RE2, never Python's backtracking re: a flow's pattern cannot make an answer take long to judge.
            return safe_regex.fullmatch(validator.pattern or "", text)
    return True
