"""Shared helpers of the wizard's Pilot and snapshot tests: fixed profiles, waiting, reading the screen."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

from textual.pilot import Pilot

from ally_wizard.profile import Profile, ScopeStatus
from ally_wizard.recipe import default_recipe
from ally_wizard.store import ProfileStore
from ally_wizard.tui.app import WizardApp
from tools.demo_walk import text_of as text_of
from tools.demo_walk import wait_for as wait_for
from tools.samples import FIXED as FIXED  # the shared sample data, re-exported for the wizard's tests
from tools.samples import KEY_ID as KEY_ID
from tools.samples import STOPPED_REASON as STOPPED_REASON
from tools.samples import sample_profile as sample_profile
from tools.samples import sample_report as sample_report
from tools.samples import sandbox_profile as sandbox_profile
from tools.samples import stopped_report as stopped_report

SECRET = "s" * 60 + "9f3a"


@asynccontextmanager
async def wizard_on(
    store: ProfileStore, screen: str, name: str = "production", size: tuple[int, int] = (100, 32)
) -> AsyncIterator[tuple[WizardApp, Pilot[None]]]:
    """The wizard opened on the saved setup `name`, under Pilot, once it shows the step screen `screen`."""
    app = WizardApp(store, name)
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == screen)
        yield app, pilot


def save_profile(store: ProfileStore, profile: Profile) -> None:
    """Write a profile as the wizard would."""
    store.create(profile)


def all_scopes(status: ScopeStatus) -> dict[str, ScopeStatus]:
    """Every recipe scope at one status."""
    return {scope: status for scope in default_recipe().scope_strings}


SNAPSHOT_HOMES = Path("/tmp/ally-wizard-snapshots")


@contextmanager
def fixed_homes_held() -> Iterator[None]:
    """Hold the fixed folders for one test: every checkout on this machine uses the same paths, and two test
    runs at once would otherwise delete each other's folder mid-test (an exclusive lock, released at the end)."""
    try:
        import fcntl
    except ImportError:  # Windows: no second run shares the folder there in practice
        yield
        return
    SNAPSHOT_HOMES.mkdir(parents=True, exist_ok=True)
    with (SNAPSHOT_HOMES / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def fixed_home(name: str) -> Path:
    """A folder at a fixed path (snapshots show the profiles folder, so it must not vary, even with $TMPDIR);
    hold `fixed_homes_held` while it is in use."""
    import shutil

    home = SNAPSHOT_HOMES / name
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    return home
