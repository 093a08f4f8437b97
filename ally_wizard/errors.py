"""Errors every layer may raise and the exit codes they map to.

Kept apart from `cli.py` so that commands, the engine and the front ends never import the entry point.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """A mistake in how the command was called or what was typed; printed plainly, exit 2."""
