"""The demo's Export writes where it lasts: the current folder, not the throwaway demo folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from ally_wizard.tui.demo_app import DemoWizardApp
from tests.tui.helpers import text_of, wait_for

from .conftest import DemoFactory


async def test_the_demo_exports_into_the_current_folder_and_says_so(
    demo_session: DemoFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    demo = demo_session("ready")
    app = DemoWizardApp(demo)
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "PracticeScreen")
        await pilot.press("escape")
        app.go_to(7)
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HandoffScreen")
        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: text_of(pilot, "#export-message").startswith("✓"))
        message = text_of(pilot, "#export-message")
    written = list(tmp_path.glob("*-summary.md"))
    assert len(written) == 1
    assert not str(written[0]).startswith(str(demo.folder))
    assert "the current folder" in message
