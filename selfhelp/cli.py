"""The ``selfhelp`` command line: flags common to every subcommand, and the table of subcommands.

Each subcommand is a row of :data:`COMMANDS`: its name, help, description and
arguments as data, and the module whose ``run(args)`` carries it out. The parser
is built from the table alone, so ``selfhelp --help`` or ``selfhelp CMD --help``
imports no command module, and running a command imports only its own module.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from selfhelp import __version__
from selfhelp.commands.common import UsageError
from selfhelp.flow.check_specs import CHECK_SPECS
from selfhelp.flow.sources import FLOWS_ENV, shipped_flows_dir


@dataclass(frozen=True)
class Arg:
    """One argument of a subcommand, in the terms of :meth:`argparse.ArgumentParser.add_argument`."""

    flags: tuple[str, ...]
    """A positional's name, or an option's spellings (``("--output", "-o")``)."""
    options: Mapping[str, Any]
    """The keywords of ``add_argument``: ``help``, ``type``, ``choices``, ``default``, ``metavar``..."""
    exclusive: str | None = None
    """Arguments naming the same group here are mutually exclusive."""


def arg(*flags: str, exclusive: str | None = None, **options: Any) -> Arg:
    """An :class:`Arg`, written as the ``add_argument`` call it stands for."""
    return Arg(flags, options, exclusive)


@dataclass(frozen=True)
class Command:
    """One subcommand: what ``--help`` says about it, what it takes, and which module runs it."""

    name: str
    """The word typed after ``selfhelp``."""
    help: str
    """The one line in ``selfhelp --help``."""
    description: str | None = None
    """The paragraph at the top of ``selfhelp NAME --help`` (none: argparse prints no paragraph), written across
    lines as it reads best: its white space is folded to single spaces."""
    args: tuple[Arg, ...] = ()
    """The command's own arguments, in the order ``--help`` lists them."""
    module_name: str | None = None
    """The module of :mod:`selfhelp.commands` that runs it, when it is not named after the command."""

    @property
    def module(self) -> str:
        """The module whose ``run(args) -> int`` runs it; imported only when this command is chosen."""
        return f"selfhelp.commands.{self.module_name or self.name}"


#: What a serve token may contain: it travels in a URL path, a query and a cookie, unescaped.
_TOKEN_CHARACTERS = re.compile(r"[A-Za-z0-9._~-]+")


def _positive(text: str) -> int:
    """argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _day(text: str) -> str:
    """argparse type: a day, YYYY-MM-DD."""
    from datetime import date

    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a day (YYYY-MM-DD): {text!r}") from None


def _url_token(text: str) -> str:
    """argparse type: a token that fits a URL and a cookie as it is."""
    if not _TOKEN_CHARACTERS.fullmatch(text):
        raise argparse.ArgumentTypeError(
            "a token is letters, digits and . _ ~ - only (for no token at all, use --no-token)"
        )
    return text


def _shipped_eval_set() -> Path:
    """The labelled set ``match --evaluate`` scores by default: ``evals/`` beside the shipped flows."""
    return shipped_flows_dir().parent / "evals" / "cpor-match.yaml"


#: Every subcommand, in the order ``selfhelp --help`` lists them.
COMMANDS: tuple[Command, ...] = (
    Command(
        "run",
        module_name="run_app",
        help="open the app at a flow's first question",
        description="""
            Open the app at the first question of a flow ('selfhelp list' shows the ids).
            Your answers are saved after every step; when you quit, the session's id is printed: continue it with
            'selfhelp resume ID', print its case summary with 'selfhelp summary ID'.
        """,
        args=(arg("flow_id", help="the flow's id (see 'selfhelp list')"),),
    ),
    Command(
        "resume",
        help="list unfinished sessions, or continue one",
        description="""
            With no id, list the unfinished sessions (newest first).
            With an id (or a unique start of one), continue that session in the app.
            Sessions are saved in $SELFHELP_DATA_DIR, else the user data folder.
        """,
        args=(
            arg("session_id", nargs="?", metavar="ID", help="the session to continue"),
            arg("--all", action="store_true", help="list finished sessions too"),
            arg("--json", action="store_true", help="print the list as JSON for tools"),
        ),
    ),
    Command(
        "summary",
        help="print a saved session's case summary (for support, agents and tools)",
        description="""
            Print the case summary of a saved session: the issue, the steps taken and answers, the matched error,
            the outcome, notes and the support form's fields pre-filled.
            To a terminal it is printed as plain text; to a file or a pipe, as Markdown (--format chooses).
        """,
        args=(
            arg("session_id", metavar="ID", help="the session (or a unique start of its id)"),
            arg(
                "--format",
                choices=["markdown", "text", "json"],
                help="output format (default: text to a terminal, else markdown)",
            ),
            arg(
                "--save",
                action="store_true",
                help="also save it as Markdown and JSON in the data folder (paths on stderr)",
            ),
        ),
    ),
    Command(
        "list",
        module_name="list_flows",
        help="list the flows found, with ids, titles and where they came from",
        description="""
            List every flow found (the shipped ones, $SELFHELP_FLOWS and --flows folders): its id for
            'selfhelp run ID', its title and version, and the file it came from.
        """,
        args=(arg("--json", action="store_true", help="print JSON for tools"),),
    ),
    Command(
        "validate",
        help="check flow files and report every problem (exit 0 clean, 1 errors, 2 usage)",
        description="""
            Check flow files: YAML safety, the schema and the graph rules.
            With no paths, checks every flow selfhelp would load.
        """,
        args=(
            arg("paths", nargs="*", type=Path, help="flow files or folders (default: every loaded folder)"),
            arg("--format", choices=["text", "json"], default="text", help="output format"),
            arg(
                "--show-suppressed",
                action="store_true",
                help="also list problems switched off by .selfhelp.yaml or lint_off",
            ),
        ),
    ),
    Command(
        "match",
        help="match an error message to a flow's cause (or --evaluate the matcher)",
        description="""
            Match pasted error messages to causes: one TEXT, or '-' to read one message a line from standard input.
            With --evaluate, score a labelled evaluation set, print the confusion table and suggest thresholds.
        """,
        args=(
            arg("text", nargs="?", metavar="TEXT", help="the message, or - to read one a line from stdin"),
            arg("--flow", metavar="ID", help="match within this flow only (default: every loaded flow)"),
            # After the command too; merged with the global --flows by the command.
            arg(
                "--flows",
                metavar="DIR",
                dest="match_flows",
                action="append",
                default=[],
                help="an extra folder of flows",
            ),
            arg("--json", action="store_true", help="print one JSON object per message"),
            arg(
                "--evaluate",
                metavar="FILE",
                nargs="?",
                type=Path,
                const=_shipped_eval_set(),
                help="score an evaluation set (default: the shipped CPOR set) and suggest thresholds",
            ),
            arg(
                "--split",
                choices=["tune", "heldout", "blind", "all"],
                default="all",
                help="with --evaluate: which items to report",
            ),
        ),
    ),
    Command(
        "serve",
        help="run the app in a web browser (textual-serve; access token, 127.0.0.1 by default)",
        description="""
            Serve the app over HTTP for a web browser.
            The address to open, with its access token, is printed at start;
            WebSockets from other sites' pages are refused.
            Keep the default 127.0.0.1 unless the network is trusted: plain HTTP is not encrypted.
        """,
        args=(
            arg("--host", default="127.0.0.1", help="address to listen on (default %(default)s)"),
            arg("--port", type=int, default=8000, help="port to listen on (default %(default)s)"),
            arg("--flow", metavar="FLOW_ID", help="open this flow in every browser session"),
            arg("--public-url", help="the address browsers use, when behind a proxy"),
            arg(
                "--max-sessions",
                type=_positive,
                # Each session is a whole app process: a handful at once is plenty for one person's browser tabs.
                default=4,
                metavar="N",
                help="sessions (app processes) at once; more get a 'sessions in use' page (default %(default)s)",
            ),
            arg(
                "--token",
                type=_url_token,
                metavar="VALUE",
                exclusive="access",
                help="the access token (default: a new random one; a given one shows in the process list)",
            ),
            arg(
                "--no-token",
                action="store_true",
                exclusive="access",
                help="no access token: anyone who can connect can use the app",
            ),
        ),
    ),
    Command(
        "test",
        help="run flow tests (*.test.yaml) and report coverage (exit 0 pass, 1 fail, 2 usage)",
        description="""
            Run the scenarios of flow test files (*.test.yaml) through the session engine, then report the nodes and
            edges of each flow they never exercised.
            With no paths, runs the tests beside every flow selfhelp would load.
        """,
        args=(
            arg("paths", nargs="*", type=Path, help="test files, flow files or folders"),
            arg(
                "--min-coverage",
                type=float,
                metavar="PERCENT",
                help="fail when a flow's node-and-edge coverage is below PERCENT",
            ),
            arg("--no-missed", action="store_true", help="print coverage totals only, not what was missed"),
        ),
    ),
    Command(
        "record",
        help="print a flow test scenario that replays a saved session",
        description="""
            Read a saved session (JSON) and print a scenario file that replays its path, checking each node reached,
            the values kept, the match verdicts and the outcome.
        """,
        args=(
            arg("session_file", type=Path, help="a saved session (.json)"),
            arg("--name", help="the scenario's name (default: from the session's path)"),
            arg("--flow", dest="flow_file", type=Path, help="the flow file (default: find it by id)"),
        ),
    ),
    Command(
        "report",
        help="what saved sessions show: outcomes, drop-off, paths, causes, unmatched pastes",
        description="""
            Report on saved sessions (the data folder's, or those in each DIR): outcomes and the deflection rate,
            where unfinished sessions stopped, the commonest paths to each outcome, the causes reached and how, the
            matcher's verdicts and the unmatched pastes, clustered.
            Pasted text is masked unless --unmasked.
            Files that are not readable sessions are counted and skipped.
        """,
        args=(
            arg(
                "dirs",
                nargs="*",
                type=Path,
                metavar="DIR",
                help="folders of session files (default: the data folder's)",
            ),
            arg(
                "--flow", dest="flow_ids", action="append", metavar="ID", help="only sessions of this flow (repeatable)"
            ),
            arg("--since", type=_day, metavar="YYYY-MM-DD", help="only sessions started on or after this day (UTC)"),
            arg("--until", type=_day, metavar="YYYY-MM-DD", help="only sessions started on or before this day (UTC)"),
            arg("--json", action="store_true", exclusive="output", help="print the report as JSON"),
            arg("--html", type=Path, metavar="FILE", exclusive="output", help="write the report as one HTML page"),
            arg(
                "--suggest-patterns",
                metavar="FLOW",
                exclusive="output",
                help="print candidate errors: patterns for FLOW's causes, from the pastes (YAML, never applied)",
            ),
            arg("--unmasked", action="store_true", help="show pasted text as pasted (GUIDs, e-mails, numbers...)"),
        ),
    ),
    Command(
        "graph",
        help="print a flow's graph as Mermaid or Graphviz DOT",
        description="Print every node and edge of a flow once, edges labelled with choice text, outcomes marked.",
        args=(
            arg("flow", help="a flow file, or the id of a loaded flow"),
            arg("--format", choices=["mermaid", "dot"], default="mermaid", help="output format"),
        ),
    ),
    Command(
        "schema",
        help="print the JSON Schema of flow files, for editors",
        description="""
            Print the JSON Schema generated from the flow models.
            Flow files point editors at it with a first line
            '# yaml-language-server: $schema=../docs/flow.schema.json'.
        """,
        args=(
            arg("--output", "-o", type=Path, metavar="FILE", exclusive="target", help="write the schema to FILE"),
            arg(
                "--check",
                type=Path,
                metavar="FILE",
                exclusive="target",
                help="exit 1 when FILE differs from the generated schema",
            ),
        ),
    ),
    Command(
        "import",
        module_name="import_article",
        help="draft a flow from a self-help article (Markdown with a <properties> header)",
        description="""
            Read a self-help article and print a draft flow that validates clean: each sub-heading becomes a branch,
            each bullet or paragraph a node of its own told apart by a question, numbered steps a procedure walked
            in order, guidance to wait a wait outcome, documents links.
            Every node cites the block it mirrors (for 'selfhelp drift').
            What cannot be mapped is reported on stderr.
        """,
        args=(
            arg("article", type=Path, help="the article (.md)"),
            arg("--output", "-o", type=Path, metavar="FILE", help="write the draft to FILE, not stdout"),
            arg("--force", action="store_true", help="overwrite FILE if it exists"),
            arg(
                "--report",
                action="store_true",
                help="on stderr: what each part of the article became, and what needs review, by article line",
            ),
            arg(
                "--form",
                type=Path,
                metavar="SCOPING.md",
                help="a support scoping form: its fields become the contact-support outcome's collect list",
            ),
        ),
    ),
    Command(
        "drift",
        help="list the nodes whose source text in the article changed (exit 0 none, 1 some, 2 usage)",
        description="""
            Hash each cited block (or section) of the flow's article again and compare with the nodes' source_hash;
            --accept or --all writes the new hashes after showing the changed text.
            The article is --article, else the flow's source.path beside the flow file, in --articles, or in the
            working folder.
        """,
        args=(
            arg("flow", type=Path, help="a flow file, or the id of a loaded flow"),
            arg("--article", type=Path, help="the article file"),
            arg("--articles", type=Path, metavar="DIR", help="a folder of articles to find source.path in"),
            arg("--hashes", action="store_true", help="also print each section's current hash"),
            arg(
                "--accept",
                nargs="+",
                metavar="NODE",
                default=[],
                exclusive="accept",
                help="after review: show each node's changed text and write its new hash into the flow file",
            ),
            arg(
                "--all",
                dest="accept_all",
                action="store_true",
                exclusive="accept",
                help="accept the new hashes of every changed node (shown first)",
            ),
        ),
    ),
    Command(
        "init",
        help="scaffold a flows folder: a sample flow and its test, .selfhelp.yaml, the schema, a CI snippet",
        description="""
            Write a folder of flows that works outside this repository: the sample flow's modeline points at the
            schema written beside it, and drafts imported into the folder point at it too.
        """,
        args=(
            arg("dir", type=Path, nargs="?", default=Path("flows"), help="the folder (default: ./flows)"),
            arg("--force", action="store_true", help="overwrite files the folder already has"),
        ),
    ),
    Command(
        "check",
        help="run a built-in check now (exit 0 answered, 1 unavailable, 2 usage)",
        description="""
            Run one of the checks flows use, here and now: running it is the consent to send what it sends.
            tenant-domain sends only the domain to Microsoft's sign-in service ($SELFHELP_LOGIN_AUTHORITY, else
            https://login.microsoftonline.com) and says whether the domain belongs to the tenant: match, mismatch,
            unknown-domain or unavailable.
        """,
        args=(
            arg("check", choices=sorted(CHECK_SPECS), help="the check to run"),
            arg("--tenant", required=True, metavar="GUID", help="the tenant ID (Directory ID), a GUID"),
            arg("--domain", required=True, metavar="DOMAIN", help="the domain, such as contoso.onmicrosoft.com"),
            arg("--json", action="store_true", help="print the answer as JSON for tools"),
        ),
    ),
)

#: What plain ``selfhelp`` runs: the app, with the flow picker.
DEFAULT_COMMAND = "run"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # argparse's own exit status for usage errors is 2, as ours; only the wording differs.
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The whole command line, from :data:`COMMANDS`; imports no command module."""
    parser = _Parser(
        prog="selfhelp",
        description="A self-help diagnostic assistant: walk a troubleshooting flow, paste an error, get an answer.",
        epilog=f"Extra flow folders can also be listed in ${FLOWS_ENV} (separated like PATH).",
    )
    parser.add_argument("--version", action="version", version=f"selfhelp {__version__}")
    parser.add_argument(
        "--flows", metavar="DIR", action="append", default=[], help="an extra folder of flows (repeatable)"
    )
    parser.add_argument("--agent", action="store_true", help="open in agent mode (flow tree, jumps, notes)")
    parser.add_argument(
        "--online",
        action="store_true",
        help="let check steps look things up online without asking (see 'checks: online' in config.yaml)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for command in COMMANDS:
        _add_command(sub, command)
    return parser


def _add_command(sub: argparse._SubParsersAction, command: Command) -> None:
    """One subparser from one row of the table."""
    description = " ".join(command.description.split()) if command.description else None
    parser = sub.add_parser(command.name, help=command.help, description=description)
    groups: dict[str, argparse._MutuallyExclusiveGroup] = {}
    for argument in command.args:
        target: argparse._ActionsContainer = parser
        if argument.exclusive is not None:
            if argument.exclusive not in groups:
                groups[argument.exclusive] = parser.add_mutually_exclusive_group()
            target = groups[argument.exclusive]
        target.add_argument(*argument.flags, **argument.options)


def command_named(name: str) -> Command:
    """The row of :data:`COMMANDS` for ``name`` (a name argparse accepted, so always there)."""
    return next(c for c in COMMANDS if c.name == name)


def runner(command: Command) -> Callable[[argparse.Namespace], int]:
    """The ``run`` function of the command's module, importing that module (and only that one) now."""
    return importlib.import_module(command.module).run


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``selfhelp ARGV``; the exit status: 2 for usage errors, else the command's own."""
    args = build_parser().parse_args(argv)
    try:
        return runner(command_named(args.command or DEFAULT_COMMAND))(args)
    except UsageError as exc:
        print(f"selfhelp: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
