"""The ``selfhelp`` subcommands, one module each with ``run(args) -> int``; :data:`selfhelp.cli.COMMANDS` lists them."""
