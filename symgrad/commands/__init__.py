"""One module per ``symgrad`` command: ``HELP``, ``add_arguments(parser)``, ``run(args, out)``."""
