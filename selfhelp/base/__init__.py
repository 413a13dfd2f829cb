"""The base layer: plain utilities that know nothing of flows.

Text safety, files (``atomic``), the user folders (``paths``), safe YAML, settings files
(``settings``), did-you-mean hints (``suggest``) and diagnostics.
"""
