"""The ``selfhelp`` subcommands, one module each; every module has ``register`` and ``run``."""
