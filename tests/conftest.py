"""Fixtures for every test: a private ALLY_WIZARD_HOME, and the simulated Canvas on a free port."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ally_wizard.sandbox import RunningSandbox, Scenario

SandboxFactory = Callable[..., RunningSandbox]


@pytest.fixture(autouse=True)
def _private_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test may touch the real config folder: point ALLY_WIZARD_HOME at a fresh folder."""
    home = tmp_path_factory.mktemp("ally-wizard-home")
    monkeypatch.setenv("ALLY_WIZARD_HOME", str(home))
    return home


@pytest.fixture
def sandbox() -> Iterator[SandboxFactory]:
    """A factory: `sandbox(scenario="ready", latency_ms=None, vanity=None)` starts a simulated Canvas in a
    thread (`vanity=True`: with a redirecting address in front of it, `canvas_url`; `gate=True`: with an
    address gated by another host's login, `gate_url`). `scenario` may be a name or a `Scenario`.

    Every sandbox started through it is stopped when the test ends.
    """
    started: list[RunningSandbox] = []

    def start(
        scenario: str | Scenario = "ready",
        latency_ms: int | None = None,
        vanity: bool | None = None,
        gate: bool = False,
    ) -> RunningSandbox:
        running = RunningSandbox(scenario=scenario, latency_ms=latency_ms, vanity=vanity, gate=gate).start()
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()
