"""Fixtures of plain mode's tests: a store in the test's private ALLY_WIZARD_HOME."""

from __future__ import annotations

import pytest

from ally_wizard.store import ProfileStore


@pytest.fixture
def store(_private_home: object) -> ProfileStore:
    """The profiles store the wizard uses (ALLY_WIZARD_HOME points at a fresh folder)."""
    return ProfileStore()
