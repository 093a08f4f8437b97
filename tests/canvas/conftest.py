"""Fixtures for the engine's unit tests: a fake Canvas behind httpx.MockTransport and a client on it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from fake_canvas import BASE, KEY_ID, REDIRECT, ClientFactory, FakeCanvas, NoSleep

from ally_wizard.canvas.client import Backoff, CanvasClient
from ally_wizard.canvas.verify import KeyTarget


@pytest.fixture
def fake() -> FakeCanvas:
    return FakeCanvas()


@pytest.fixture
def no_sleep() -> NoSleep:
    return NoSleep()


@pytest.fixture
def target() -> KeyTarget:
    return KeyTarget.from_recipe(BASE, KEY_ID, REDIRECT)


@pytest.fixture
def make_client(fake: FakeCanvas, no_sleep: NoSleep) -> ClientFactory:
    def factory(**options: object) -> CanvasClient:
        settings: dict[str, object] = {"transport": fake.transport(), "sleep": no_sleep, "backoff": Backoff(0.01, 0.1)}
        settings.update(options)
        return CanvasClient(BASE, **settings)  # type: ignore[arg-type]

    return factory


@pytest.fixture
async def client(make_client: ClientFactory) -> AsyncIterator[CanvasClient]:
    async with make_client() as canvas:
        yield canvas
