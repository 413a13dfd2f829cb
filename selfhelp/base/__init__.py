"""The base layer: plain utilities that know nothing of flows (text safety, files, safe YAML, diagnostics)."""
