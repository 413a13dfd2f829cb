"""The flow format: models, safe loading, validation, the graph of a flow, lint settings and the schema."""
