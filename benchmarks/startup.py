"""Start-up: the first question on screen, against a bare Textual app with the same widgets.

Each sample is a fresh process (cold imports, as a user gets them), timed from
spawn to exit, where both apps exit right after their first paint:

- ``selfhelp``: ``selfhelp run cpor-customer-association`` through the real
  command line (catalog loading, validation, session, first save), exiting
  once the first question is on screen;
- ``bare``: a plain Textual app composing the same widgets (breadcrumb,
  Markdown messages, hint, Input, TextArea, OptionList, Footer) with the same
  text hard-coded, exiting after its first paint.

The goal (issue 4) is a ratio of at most 1.25. Run::

    .venv/bin/python benchmarks/startup.py [--runs 7] [--json]

With ``--json`` the last line is a JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

SELFHELP_CHILD = """
import sys
from selfhelp.tui import app as tui_app

real_run = tui_app.SelfHelpApp.run

def run_until_first_step(self, *args, **kwargs):
    self.on_first_step = self.exit
    return real_run(self, headless=True)

tui_app.SelfHelpApp.run = run_until_first_step
from selfhelp.cli import main
sys.exit(main(["run", "cpor-customer-association"]))
"""

BARE_CHILD = """
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

    def on_mount(self):
        self.call_after_refresh(self.exit)

Bare().run(headless=True)
"""


def sample(code: str, env: dict[str, str]) -> float:
    """Seconds from spawning a fresh interpreter running ``code`` to its exit."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="samples of each app (default 7)")
    parser.add_argument("--json", action="store_true", help="end with a JSON line of the figures")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data:
        # Sessions are saved after the first step: keep them out of the user's folder.
        env = {**os.environ, "SELFHELP_DATA_DIR": data, "SELFHELP_CONFIG": os.path.join(data, "none.yaml")}
        sample(BARE_CHILD, env)  # warm the file cache (.pyc) for both, uncounted
        sample(SELFHELP_CHILD, env)
        bare, selfhelp = [], []
        for _ in range(args.runs):  # interleaved, so load changes hit both alike
            bare.append(sample(BARE_CHILD, env))
            selfhelp.append(sample(SELFHELP_CHILD, env))
    figures = {
        "runs": args.runs,
        "bare_median_s": round(statistics.median(bare), 4),
        "selfhelp_median_s": round(statistics.median(selfhelp), 4),
        "ratio": round(statistics.median(selfhelp) / statistics.median(bare), 3),
        "goal": 1.25,
    }
    print(f"bare Textual app, same widgets: median {figures['bare_median_s']:.3f} s over {args.runs} runs")
    print(f"selfhelp to first question:     median {figures['selfhelp_median_s']:.3f} s over {args.runs} runs")
    print(f"ratio: {figures['ratio']:.3f} (goal <= 1.25)")
    if args.json:
        print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
