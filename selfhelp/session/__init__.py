"""Walking a flow: the session engine, answer checks, saved sessions and the case summary handed to support."""
