"""selfhelp: a self-help diagnostic assistant for the terminal.

The package root stays cheap to import: the core lives in plain-Python modules
(models, validate, engine, matching, ...) and the Textual interface in
``selfhelp.tui``, which is only imported when the app runs.
"""

__version__ = "0.1.0"
