"""The web server behind ``selfhelp serve``: textual-serve, guarded.

textual-serve runs one app process per WebSocket and checks nothing, so any
web page the user visits could open sessions on a local server, as many as it
liked. :class:`GuardedServer` wraps it (a subclass plus an aiohttp middleware,
no fork) and adds:

* an Origin check: a browser's WebSocket is accepted only from a page of this
  very server (see :func:`origin_allowed`);
* an access token, like a notebook server's: printed at start as a URL, then
  kept in a cookie; the page's WebSocket URL carries it in its path;
* a cap on concurrent sessions, with a plain page (HTTP 503) when it is reached;
* a page with no third-party resource: textual-serve's template loads Roboto Mono
  from Google Fonts, here it comes from the copy textual-serve ships.

This module loads aiohttp and rich (through textual-serve), so only
``selfhelp serve`` imports it, and only when it runs.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import re
import secrets
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp_jinja2
import jinja2
from aiohttp import web
from textual_serve.server import Server

#: Hosts that mean "every interface": the browser's address cannot be known in advance.
WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
_WEBSOCKET_ROUTES = frozenset({"websocket", "websocket-token"})

# textual-serve ships Roboto Mono (static/fonts) but its page asks Google Fonts for it.
_FONT_FACES = """<style>
      @font-face {
        font-family: "Roboto Mono";
        src: url("{{ config.static.url }}fonts/RobotoMono-VariableFont_wght.ttf") format("truetype");
        font-weight: 100 700;
        font-style: normal;
      }
      @font-face {
        font-family: "Roboto Mono";
        src: url("{{ config.static.url }}fonts/RobotoMono-Italic-VariableFont_wght.ttf") format("truetype");
        font-weight: 100 700;
        font-style: italic;
      }
    </style>
  </head>"""
_EXTERNAL_LINK = re.compile(r"""<link\b[^>]*\bhref=["']https?://[^>]*>""", re.IGNORECASE)


@dataclass(frozen=True)
class ServeOptions:
    """How ``selfhelp serve`` was asked to serve."""

    command: str
    """The shell command each session runs."""
    host: str
    """The address to listen on."""
    port: int
    """The port to listen on."""
    public_url: str | None
    """The address browsers use (behind a proxy); ``None``: the address the browser used."""
    token: str | None
    """The access token (letters, digits, ``._~-``); ``None`` serves anyone who can connect (``--no-token``)."""
    max_sessions: int
    """How many sessions (app processes) may run at once (at least 1)."""


def new_token() -> str:
    """A fresh access token: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (``localhost``, 127.0.0.0/8, ::1)."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _origin_of(url: str) -> tuple[str, str, int] | None:
    """``(scheme, host, port)`` of an http(s) URL, the port filled in; ``None`` for anything else."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return parts.scheme, parts.hostname, port or _DEFAULT_PORTS[parts.scheme]


def _host_of(host_header: str, scheme: str) -> tuple[str, int] | None:
    """``(host, port)`` of a Host header; the port a browser leaves out is the scheme's own."""
    try:
        parts = urlsplit(f"//{host_header}")
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname:
        return None
    return parts.hostname, port or _DEFAULT_PORTS[scheme]


def origin_allowed(origin: str | None, *, host_header: str, bound_host: str, public_url: str | None) -> bool:
    """Whether a WebSocket with this ``Origin`` may start a session.

    Accepted: no Origin at all (browsers always send one with a WebSocket, so
    its absence means a program such as a script or a test, which no web page
    can drive; the token still applies); the origin of ``public_url``; an
    origin equal to the server's own address as the browser wrote it (the Host
    header). When the server listens on loopback that address must be a
    loopback name too: a page of ``evil.example`` that re-points its own name
    at 127.0.0.1 (DNS rebinding) would otherwise look same-origin.
    Refused: every other origin, including ``null`` (sandboxed frames, files).
    """
    if origin is None:
        return True
    seen = _origin_of(origin)
    if seen is None:
        return False
    if public_url is not None and seen == _origin_of(public_url):
        return True
    scheme, host, port = seen
    if _host_of(host_header, scheme) != (host, port):
        return False
    return is_loopback(host) or not is_loopback(bound_host)


def _local_fonts(source: str) -> str:
    """textual-serve's page without its third-party stylesheet, Roboto Mono served from its own static files."""
    return _EXTERNAL_LINK.sub("", source).replace("</head>", _FONT_FACES, 1)


class _LocalFontLoader(jinja2.FileSystemLoader):
    """textual-serve's own templates, read through :func:`_local_fonts` (so they follow its upgrades)."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str | None, Any]:
        source, filename, uptodate = super().get_source(environment, template)
        return _local_fonts(source), filename, uptodate


def _page(title: str, message: str) -> str:
    """A bare HTML page for a refusal (``message`` is trusted text, written here)."""
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{title}</title></head><body style='font-family: sans-serif; margin: 3em'>"
        f"<h1>{title}</h1><p>{message}</p></body></html>"
    )


def display_url(options: ServeOptions) -> str:
    """The address to print at start: ``--public-url``, else ``http://HOST:PORT`` (loopback for "every interface")."""
    if options.public_url is not None:
        return options.public_url.rstrip("/")
    host = options.host
    if host in WILDCARD_HOSTS:
        host = "[::1]" if host == "::" else "127.0.0.1"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{options.port}"


class _RedactToken(logging.Filter):
    """Keep the token out of the access log (it is in the URLs of the page and the WebSocket)."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if self.token in text:
            record.msg, record.args = text.replace(self.token, "[token]"), ()
        return True


class GuardedServer(Server):
    """textual-serve's :class:`Server` with an Origin check, an access token and a cap on sessions."""

    def __init__(self, options: ServeOptions) -> None:
        super().__init__(
            options.command,
            host=options.host,
            port=options.port,
            title="selfhelp",
            public_url=options.public_url,
        )
        self.options = options
        self.sessions = 0
        """Sessions (WebSockets, each with its app process) running now."""
        # Cookies ignore ports: one name per port keeps two servers on one machine apart.
        self.cookie_name = f"selfhelp-token-{options.port}"

    def initialize_logging(self) -> None:
        super().initialize_logging()
        if self.options.token is not None:
            logging.getLogger("aiohttp.access").addFilter(_RedactToken(self.options.token))

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        # Autoescape: the page now quotes the browser's Host header back.
        aiohttp_jinja2.setup(app, loader=_LocalFontLoader(self.templates_path), autoescape=True)
        app.router.add_get("/ws/{token}", self.handle_websocket, name="websocket-token")
        app.middlewares.append(self._guard)
        return app

    def _base_url(self, request: web.Request) -> str:
        """Where the page's own URLs point: ``--public-url``, else back where the browser came from."""
        if self.options.public_url is not None:
            return self.options.public_url.rstrip("/")
        return f"{request.scheme}://{request.host}"

    @aiohttp_jinja2.template("app_index.html")
    async def handle_index(self, request: web.Request) -> dict[str, Any]:
        """The page: textual-serve's, with the WebSocket URL on the browser's host and carrying the token."""
        base = self._base_url(request)
        ws_path = "/ws" if self.options.token is None else f"/ws/{self.options.token}"
        try:
            font_size = int(request.query.get("fontsize", "16"))
        except ValueError:
            font_size = 16
        return {
            "font_size": font_size,
            "app_websocket_url": "ws" + base.removeprefix("http") + ws_path,
            "config": {"static": {"url": f"{base}/static/"}},
            "application": {"name": self.title},
        }

    def _token_given(self, request: web.Request) -> tuple[bool, bool]:
        """Whether the request carries the right token, and whether it came in the query (to keep in a cookie)."""
        token = self.options.token
        if token is None:
            return True, False
        given = {
            "path": request.match_info.get("token"),  # the page's WebSocket URL
            "query": request.query.get("token"),  # the address printed at start
            "cookie": request.cookies.get(self.cookie_name),  # set by the first visit
        }
        for where, value in given.items():
            if value is not None and hmac.compare_digest(value.encode(), token.encode()):
                return True, where == "query"
        return False, False

    @web.middleware
    async def _guard(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        """Check every request but the static files (textual-serve's own, public, assets)."""
        route = request.match_info.route.name
        if route in (None, "static"):
            return await handler(request)
        authorised, from_query = self._token_given(request)
        if not authorised:
            return web.Response(
                status=403,
                content_type="text/html",
                text=_page(
                    "Access token needed",
                    "This selfhelp server needs its access token: open the address that "
                    "<code>selfhelp serve</code> printed when it started (it ends with <code>?token=</code>).",
                ),
            )
        if route in _WEBSOCKET_ROUTES:
            return await self._session(request, handler)
        if route == "index" and self.sessions >= self.options.max_sessions:
            return self._full()
        response = await handler(request)
        if from_query:
            response.set_cookie(self.cookie_name, self.options.token or "", httponly=True, samesite="Strict")
        return response

    async def _session(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        """A WebSocket, that is an app process: from this server's pages only, and no more than the cap."""
        origin = request.headers.get("Origin")
        if not origin_allowed(
            origin, host_header=request.host, bound_host=self.host, public_url=self.options.public_url
        ):
            return web.Response(status=403, text=f"WebSocket refused: origin {origin!r} is not this server's\n")
        if self.sessions >= self.options.max_sessions:
            return self._full()
        self.sessions += 1  # no await since the check: no other request can slip in between
        try:
            return await handler(request)
        finally:
            self.sessions -= 1

    def _full(self) -> web.Response:
        limit = self.options.max_sessions
        return web.Response(
            status=503,
            content_type="text/html",
            headers={"Retry-After": "30"},
            text=_page(
                "All sessions are in use",
                f"This selfhelp server runs at most {limit} session{'s' if limit != 1 else ''} at once, "
                "and all are in use. Close another tab of it, then reload this page.",
            ),
        )

    async def on_startup(self, app: web.Application) -> None:
        """Say where to point the browser (with the token), or plainly that there is none."""
        url = display_url(self.options)
        limit = self.options.max_sessions
        print(f"selfhelp is served at {url}/ (at most {limit} session{'s' if limit != 1 else ''} at once).")
        if self.options.token is not None:
            print(f"Open it in a web browser with its access token:\n    {url}/?token={self.options.token}")
        print("Press Ctrl+C to stop.", flush=True)


def startup_warnings(options: ServeOptions) -> list[str]:
    """What to say on stderr before serving: no token, or an address others can reach."""
    warnings = []
    reach = "every user and program on this computer" if is_loopback(options.host) else "anyone on the network"
    if options.token is None:
        warnings.append(
            f"selfhelp: warning: running without an access token (--no-token): {reach} can use the app "
            "(web pages cannot: their WebSockets are refused)"
        )
    if not is_loopback(options.host):
        detail = "no authentication" if options.token is None else "the token and every answer cross it unencrypted"
        warnings.append(
            f"selfhelp: warning: serving on {options.host}: {detail}; keep 127.0.0.1 unless the network is trusted"
        )
    return warnings


def serve(options: ServeOptions) -> int:
    """Serve until Ctrl+C; exit status 1 with a message when the address cannot be listened on."""
    for line in startup_warnings(options):
        print(line, file=sys.stderr)
    try:
        GuardedServer(options).serve()
    except OSError as exc:
        print(
            f"selfhelp: error: cannot listen on {options.host}:{options.port}: {exc.strerror or exc}", file=sys.stderr
        )
        return 1
    return 0
