"""The ``paperboy`` command line."""

from paperboy.cli.main import cli, main

__all__ = ["cli", "main"]
