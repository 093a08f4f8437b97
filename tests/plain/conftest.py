"""Fixtures of plain mode's tests: a store in the test's private ALLY_WIZARD_HOME."""

from __future__ import annotations

import sys

import pytest

from ally_wizard.store import ProfileStore


@pytest.fixture
def store(_private_home: object) -> ProfileStore:
    """The profiles store the wizard uses (ALLY_WIZARD_HOME points at a fresh folder)."""
    return ProfileStore()


# pexpect drives a POSIX pseudo-terminal, which Windows does not have.
collect_ignore_glob = ["test_plain_pty.py", "test_plain_agrees.py"] if sys.platform == "win32" else []
