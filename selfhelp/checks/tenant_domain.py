"""The ``tenant-domain`` check: does a domain belong to a Microsoft Entra tenant?

Microsoft's sign-in service publishes an OpenID discovery document for every
domain a tenant owns, at ``{authority}/{domain}/.well-known/openid-configuration``;
its ``issuer`` and ``token_endpoint`` name the tenant (a GUID in the path). For a
domain no tenant owns it answers HTTP 400 with ``error: invalid_tenant``. No
sign-in is needed, and only the domain is sent: the tenant ID entered is
compared here, never sent.

One request, no retries, at most :data:`MAX_BODY` bytes read, no redirects
followed, and an overall deadline: whatever else happens is ``unavailable``.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from http.client import HTTPException, HTTPResponse
from typing import Any

from selfhelp.checks import CheckOutcome, CheckRequest, now, unavailable

#: Where the sign-in service is; tests point it at a fake server on 127.0.0.1.
AUTHORITY_ENV = "SELFHELP_LOGIN_AUTHORITY"
DEFAULT_AUTHORITY = "https://login.microsoftonline.com"
#: The largest discovery document read; a real one is about 2 KB.
MAX_BODY = 64 * 1024
_CHUNK = 8 * 1024

GUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
#: A host name: dot-separated labels of letters, digits and inner hyphens, ending in a letter label.
DOMAIN_RE = re.compile(r"(?=.{4,253}$)(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,63}")


def authority(environ: Mapping[str, str] | None = None) -> str:
    """The sign-in service's address: ``$SELFHELP_LOGIN_AUTHORITY``, else Microsoft's."""
    env = os.environ if environ is None else environ
    return (env.get(AUTHORITY_ENV) or DEFAULT_AUTHORITY).rstrip("/")


def full_domain(text: str) -> str:
    """The domain a partner means: a bare subdomain (``contoso``) is the tenant's initial domain,
    ``contoso.onmicrosoft.com``, as Partner Center's claim form asks for it; a domain stays as it is."""
    text = text.strip().lower()
    return text if "." in text or not text else f"{text}.onmicrosoft.com"


def input_problem(inputs: Mapping[str, str]) -> str | None:
    """Why these inputs cannot be checked, or ``None`` when the tenant is a GUID and the domain a domain."""
    tenant, domain = inputs.get("tenant", "").strip(), full_domain(inputs.get("domain", ""))
    if not GUID_RE.fullmatch(tenant.strip("{}")):
        return f"the tenant ID {tenant!r} is not a GUID (like 0f8fad5b-d9cb-469f-a165-70867728950e)"
    if not DOMAIN_RE.fullmatch(domain):
        return f"{domain!r} is not a domain name (like contoso.onmicrosoft.com)"
    return None


def discovery_url(domain: str, base: str | None = None) -> str:
    """The address of the domain's discovery document."""
    return f"{base or authority()}/{urllib.parse.quote(domain.lower())}/.well-known/openid-configuration"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Refuse redirects: the document is served where it is asked for, and nowhere else is asked."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _is_loopback(url: str) -> bool:
    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _opener(url: str) -> urllib.request.OpenerDirector:
    handlers: list[urllib.request.BaseHandler] = [_NoRedirect()]
    if _is_loopback(url):  # a local (test) service is never reached through a proxy
        handlers.append(urllib.request.ProxyHandler({}))
    return urllib.request.build_opener(*handlers)


class _TooLarge(Exception):
    pass


class _TooSlow(Exception):
    pass


def _read(response: HTTPResponse | urllib.error.HTTPError, deadline: float) -> bytes:
    """The body, at most :data:`MAX_BODY` bytes, read before ``deadline`` (a slow drip is a timeout too)."""
    body = b""
    while True:
        if time.monotonic() > deadline:
            raise _TooSlow
        chunk = response.read(_CHUNK)
        if not chunk:
            return body
        body += chunk
        if len(body) > MAX_BODY:
            raise _TooLarge


def _fetch(url: str, timeout: float) -> tuple[int, bytes]:
    """One GET: the status and the body; raises for what is not an answer."""
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": "selfhelp"})
    try:
        with _opener(url).open(request, timeout=timeout) as response:
            return response.status, _read(response, deadline)
    except urllib.error.HTTPError as exc:  # 4xx/5xx (and a refused redirect) still carry a body
        with exc:
            return exc.code, _read(exc, deadline)


def _tenant_in(url: object) -> str | None:
    """The tenant GUID in the first segment of an address's path (``https://sts.windows.net/GUID/``)."""
    if not isinstance(url, str):
        return None
    parts = [p for p in urllib.parse.urlsplit(url).path.split("/") if p]
    return parts[0].lower() if parts and GUID_RE.fullmatch(parts[0]) else None


def _tenant_of(document: Any) -> str | None:
    """The tenant a discovery document names, when its issuer and token endpoint agree on one."""
    if not isinstance(document, dict):
        return None
    found = {_tenant_in(document.get("issuer")), _tenant_in(document.get("token_endpoint"))} - {None}
    return found.pop() if len(found) == 1 else None


def _json(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None


def judge(request: CheckRequest, status: int, body: bytes, sent_to: str) -> CheckOutcome:
    """The outcome for the service's answer (status and body)."""
    tenant = request.inputs["tenant"].strip().strip("{}").lower()
    domain = full_domain(request.inputs["domain"])
    document = _json(body)
    if status == 400 and isinstance(document, dict) and document.get("error") == "invalid_tenant":
        message = f"No tenant uses the domain {domain}: Microsoft's sign-in service does not know it."
        return _answer(request, "unknown-domain", message, sent_to)
    if status != 200:
        return unavailable(request, f"the sign-in service answered HTTP {status}", sent_to=sent_to)
    owner = _tenant_of(document)
    if owner is None:
        return unavailable(request, "the sign-in service's answer names no tenant", sent_to=sent_to)
    if owner == tenant:
        message = f"{domain} belongs to tenant {owner}, the one you entered: the two match."
        return _answer(request, "match", message, sent_to, owner)
    message = f"{domain} belongs to tenant {owner}, not the one you entered ({tenant})."
    return _answer(request, "mismatch", message, sent_to, owner)


def _answer(
    request: CheckRequest, result: str, message: str, sent_to: str, owner: str | None = None
) -> CheckOutcome:
    return CheckOutcome(
        check=request.check,
        result=result,
        inputs=dict(request.inputs),
        message=message,
        checked_at=now(),
        sent_to=sent_to,
        tenant_of_domain=owner,
    )


def run(request: CheckRequest, timeout: float) -> CheckOutcome:
    """Look the domain up once; see the module docstring."""
    url = discovery_url(full_domain(request.inputs["domain"]))
    try:
        status, body = _fetch(url, timeout)
    except (_TooSlow, TimeoutError):
        return unavailable(request, f"the sign-in service did not answer within {timeout:g} s", sent_to=url)
    except _TooLarge:
        return unavailable(request, "the sign-in service's answer was too large", sent_to=url)
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, (TimeoutError, socket.timeout)):
            return unavailable(request, f"the sign-in service did not answer within {timeout:g} s", sent_to=url)
        return unavailable(request, f"the sign-in service could not be reached ({exc.reason})", sent_to=url)
    except (OSError, ValueError, HTTPException) as exc:  # a reset connection, a malformed answer, a bad address
        return unavailable(request, f"the sign-in service could not be reached ({exc})", sent_to=url)
    return judge(request, status, body, url)
