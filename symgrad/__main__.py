"""``python -m symgrad``: the same as the ``symgrad`` command."""

from symgrad.cli import run

if __name__ == "__main__":
    run()
