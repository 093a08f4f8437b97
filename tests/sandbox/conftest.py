"""Fixtures for the simulated Canvas's own tests: sandboxes in the test's loop and an httpx client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from ally_wizard.sandbox import Sandbox

SandboxMaker = Callable[..., Awaitable[Sandbox]]


@pytest.fixture
async def make_sandbox() -> AsyncIterator[SandboxMaker]:
    """Start sandboxes in the test's loop; all are stopped at the end."""
    started: list[Sandbox] = []

    async def make(
        scenario: object = "ready", latency_ms: int | None = None, vanity: bool | None = None, gate: bool = False
    ) -> Sandbox:
        sandbox = Sandbox(scenario, latency_ms=latency_ms, vanity=vanity, gate=gate)  # type: ignore[arg-type]
        await sandbox.start()
        started.append(sandbox)
        return sandbox

    yield make
    for sandbox in started:
        await sandbox.stop()


@pytest.fixture
async def sb(make_sandbox: SandboxMaker) -> Sandbox:
    """The `ready` scenario."""
    return await make_sandbox("ready")


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    """A client that does not follow redirects, so tests see Canvas's own answers."""
    async with httpx.AsyncClient(timeout=10, follow_redirects=False) as client:
        yield client
