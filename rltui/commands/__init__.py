"""The ``rltui`` subcommands, one module each. Each imports what it needs when it runs."""
