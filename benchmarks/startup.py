"""Start-up: the first question on screen, against a bare Textual app with the same widgets.

Each sample is a fresh process (cold imports, as a user gets them). The time is
from just before the process is spawned to the moment the first question has
been painted (the callback Textual runs after the first refresh), read from the
wall clock by the child and printed; interpreter teardown is left out for both.

- ``bare``: a plain Textual app with the same widgets as selfhelp's first
  screen, and no logic: the same tree (breadcrumb; a hidden side panel; the
  conversation's two Markdown messages; the answer box with hint, Input,
  TextArea, error line and OptionList), the same keys in the Footer, on a
  screen of its own, with the same text hard-coded. It is timed, like
  selfhelp, once the question's Markdown is laid out and painted. This is the
  baseline of the goal.
- ``bare, minimal``: the earlier, smaller baseline (fewer containers, only the
  palette key in the Footer), still reported for comparison.
- ``selfhelp, warm cache``: ``selfhelp run cpor-customer-association`` through
  the real command line, with the first-paint cache (``selfhelp.tui.first_paint``)
  filled by an earlier run, as on every start after the first one: the first
  question is painted from the cache, then the flows load in a thread behind it. Also reported: when that
  load has finished and the real session has replaced the cached view
  (``ready``), the moment an answer is acted on.
- ``selfhelp, cold cache``: the same with an empty cache folder each time (the
  first start ever, or after any flow file changed): only the requested flow's
  file is loaded and validated before the first paint (the other files are read
  only as far as their ``id``), and the rest of the catalog is loaded behind the
  painted question, as on a warm start; the cache is written behind the paint.
  ``ready`` is again when the real session has replaced the painted view.

The goals: a ratio of at most 1.25 on a warm cache (issue 4); on a cold cache,
below 1.97 and aiming at 1.5 (issue 8). Run::

    .venv/bin/python benchmarks/startup.py [--runs 7] [--json]

With ``--json`` the last line is a JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

SELFHELP_CHILD = """
import json, sys, time
from selfhelp.tui import app as tui_app
from selfhelp.tui.screens.conversation import ConversationScreen

from selfhelp.tui import first_paint

times = {"cached": False}
real_run = tui_app.SelfHelpApp.run
real_attach = ConversationScreen.attach
real_lookup = first_paint.lookup

def lookup(*args, **kwargs):
    hit = real_lookup(*args, **kwargs)
    times["cached"] = hit is not None
    return hit

def run_until_ready(self, *args, **kwargs):
    def painted():
        times["paint"] = time.time()
        if self.preview is None:  # loaded before painting: the session is already there
            times["ready"] = times["paint"]
            self.exit()
    self.on_first_step = painted
    return real_run(self, headless=True)

def attach(self, session):
    real_attach(self, session)
    times["ready"] = time.time()
    self.app.exit()

tui_app.SelfHelpApp.run = run_until_ready
ConversationScreen.attach = attach
first_paint.lookup = lookup
from selfhelp.commands import common
common.terminal_missing = lambda: None  # the app runs headless here: no terminal is needed to measure it
from selfhelp.cli import main
status = main(["run", "cpor-customer-association"])
print(json.dumps(times))
sys.exit(status)
"""

BARE_CHILD = """
import json, time
from textual.app import App
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Input, Markdown, OptionList, Static, TextArea

INTRO = (
    "**Customer association issues**\\n\\n"
    "Common problems when submitting Partner Center customer association (CPOR) claims: a customer tenant ID "
    "and subdomain that don't match, subscription errors, competing claims under review, and requests for more "
    "proof of execution (PoE)."
)
QUESTION = (
    "### Your CPOR claim\\n\\nBelow are some of the more common issues that you may encounter when submitting "
    "customer association (CPOR) claims.\\n\\n**What is happening with your CPOR claim?**"
)
CHOICES = [
    "1. I get an error about the customer tenant ID or subdomain",
    "2. I get an error about the subscription",
    "3. My claim is Under Review, or another partner claimed the same customer and product",
    "4. I was asked for more information or proof of execution (PoE) in the claim's comments",
    "5. I have an error message to paste",
    "6. Something else",
]
times = {}

class Conversation(Screen):
    BINDINGS = [Binding("escape", "back", "Back"), Binding("ctrl+r", "restart", "Restart"), Binding("f2", "map", "Map")]

    def compose(self):
        yield Static("Path: Your CPOR claim", id="breadcrumb")
        with Horizontal(id="body"):
            with Vertical(id="agent-panel"):
                yield Static("Flow map", id="map-title")
                yield Static(id="notes")
            with Vertical(id="main"):
                with VerticalScroll(id="conversation"):
                    yield Markdown(INTRO)
                    self.question = Markdown(QUESTION)
                    yield self.question
                with Vertical(id="answer"):
                    yield Static("Pick an answer: ↑↓ and Enter, a number, or click.", id="hint")
                    yield Input(id="answer-input")
                    yield TextArea(id="paste")
                    yield Static(id="error")
                    yield OptionList(*CHOICES, id="choices")
        yield Footer()

    def on_markdown_table_of_contents_updated(self, event):
        if event.markdown is self.question:
            self.call_after_refresh(self.app.painted)

class Bare(App):
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", priority=True), Binding("f1", "help", "Help")]
    CSS = (
        "#conversation { height: 1fr; } #agent-panel, #answer-input, #paste, #error { display: none; } "
        "#answer { height: auto; } #choices { height: auto; }"
    )

    def get_default_screen(self):
        return Conversation()

    def painted(self):
        times["paint"] = times["ready"] = time.time()
        self.exit()

Bare().run(headless=True)
print(json.dumps(times))
"""

BARE_MINIMAL_CHILD = """
import json, time
from textual.app import App
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Input, Markdown, OptionList, Static, TextArea

INTRO = (
    "**Customer association issues**\\n\\n"
    "Common problems when submitting Partner Center customer association (CPOR) claims."
)
QUESTION = (
    "### Your CPOR claim\\n\\nBelow are some of the more common issues that you may encounter when submitting "
    "customer association (CPOR) claims.\\n\\n**What is happening with your CPOR claim?**"
)
CHOICES = [
    "1. I get an error about the customer tenant ID or subdomain",
    "2. I get an error about the subscription",
    "3. My claim is Under Review, or another partner claimed the same customer and product",
    "4. I was asked for more information or proof of execution (PoE) in the claim's comments",
    "5. I have an error message to paste",
    "6. Something else",
]
times = {}

class Bare(App):
    CSS = "#conversation { height: 1fr; } Input, TextArea { display: none; } OptionList { height: auto; }"

    def compose(self):
        yield Static("Path: Your CPOR claim")
        with Horizontal():
            with Vertical():
                with VerticalScroll(id="conversation"):
                    yield Markdown(INTRO)
                    yield Markdown(QUESTION)
                yield Static("Pick an answer")
                yield Input()
                yield TextArea()
                yield OptionList(*CHOICES)
        yield Footer()

    def on_markdown_table_of_contents_updated(self, event):
        times["rendered"] = times.get("rendered", 0) + 1
        if times["rendered"] == 2:  # both messages laid out
            self.call_after_refresh(self.painted)

    def painted(self):
        times["paint"] = times["ready"] = time.time()
        self.exit()

Bare().run(headless=True)
del times["rendered"]
print(json.dumps(times))
"""


def sample(code: str, env: dict[str, str]) -> dict[str, float]:
    """Seconds from spawning a fresh interpreter running ``code`` to its first paint (and to ``ready``)."""
    start = time.time()
    out = subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True, text=True)
    times = json.loads(out.stdout.strip().splitlines()[-1])
    return {"paint": times["paint"] - start, "ready": times["ready"] - start, "cached": times.get("cached", False)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="samples of each app (default 7)")
    parser.add_argument("--json", action="store_true", help="end with a JSON line of the figures")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        warm_cache, cold_cache = (os.path.join(scratch, name) for name in ("warm", "cold"))
        # The user's folders are moved to scratch ones through the XDG variables rather than selfhelp's own
        # overrides, so that selfhelp finds them as for a user (through platformdirs, whose import is counted).
        base = {k: v for k, v in os.environ.items() if not k.startswith("SELFHELP_")}
        base |= {f"XDG_{kind}_HOME": os.path.join(scratch, kind.lower()) for kind in ("DATA", "CONFIG", "STATE")}
        warm_env = {**base, "XDG_CACHE_HOME": warm_cache}
        cold_env = {**base, "XDG_CACHE_HOME": cold_cache}
        # Uncounted: warm the file cache (.pyc) for all; the first selfhelp run also fills warm_cache.
        sample(BARE_CHILD, base)
        sample(SELFHELP_CHILD, warm_env)
        sample(BARE_MINIMAL_CHILD, base)
        bare, minimal, warm, cold = [], [], [], []
        for _ in range(args.runs):  # interleaved, so load changes hit all alike
            bare.append(sample(BARE_CHILD, base))
            minimal.append(sample(BARE_MINIMAL_CHILD, base))
            warm.append(sample(SELFHELP_CHILD, warm_env))
            shutil.rmtree(cold_cache, ignore_errors=True)
            cold.append(sample(SELFHELP_CHILD, cold_env))
    if not all(s["cached"] for s in warm) or any(s["cached"] for s in cold):
        print("startup.py: the warm runs did not all paint from the cache (or a cold one did)", file=sys.stderr)
        return 1

    def median(samples: list[dict[str, float]], key: str = "paint") -> float:
        return round(statistics.median(s[key] for s in samples), 4)

    figures = {
        "runs": args.runs,
        "bare_median_s": median(bare),
        "bare_minimal_median_s": median(minimal),
        "selfhelp_warm_median_s": median(warm),
        "selfhelp_warm_ready_median_s": median(warm, "ready"),
        "selfhelp_cold_median_s": median(cold),
        "selfhelp_cold_ready_median_s": median(cold, "ready"),
        "ratio": round(median(warm) / median(bare), 3),
        "ratio_cold": round(median(cold) / median(bare), 3),
        "ratio_to_minimal": round(median(warm) / median(minimal), 3),
        "goal": 1.25,
    }
    print(f"bare Textual app, same widgets:             median {figures['bare_median_s']:.3f} s over {args.runs} runs")
    print(f"bare Textual app, minimal (earlier one):    median {figures['bare_minimal_median_s']:.3f} s")
    print(f"selfhelp first question, warm cache:        median {figures['selfhelp_warm_median_s']:.3f} s")
    print(f"  ... session ready behind it (warm cache): median {figures['selfhelp_warm_ready_median_s']:.3f} s")
    print(f"selfhelp first question, cold cache:        median {figures['selfhelp_cold_median_s']:.3f} s")
    print(f"  ... session ready behind it (cold cache): median {figures['selfhelp_cold_ready_median_s']:.3f} s")
    print(f"ratio, warm cache: {figures['ratio']:.3f} (goal <= 1.25); cold cache: {figures['ratio_cold']:.3f}")
    print(f"ratio, warm cache, to the minimal bare app: {figures['ratio_to_minimal']:.3f}")
    if args.json:
        print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
