"""The Textual interface of selfhelp: a triage conversation for partners and a cockpit for support agents.

Only :mod:`selfhelp.commands` imports this package, and only when the app really runs,
so the core and the other commands never load Textual.
"""
