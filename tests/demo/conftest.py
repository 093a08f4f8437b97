"""Fixtures of the demo tests: a demo session whose throwaway folder lives under the test's tmp_path."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ally_wizard.demo import DemoSession

DemoFactory = Callable[..., DemoSession]


@pytest.fixture
def demo_session(tmp_path: Path) -> Iterator[DemoFactory]:
    """A factory: `demo_session("ready")` starts a demo; every one started is closed at the end."""
    started: list[DemoSession] = []

    def start(scenario: str = "ready", **kwargs: object) -> DemoSession:
        kwargs.setdefault("temp_parent", tmp_path)
        session = DemoSession.start(scenario, **kwargs)  # type: ignore[arg-type]
        started.append(session)
        return session

    yield start
    for session in started:
        session.close()
