"""Training sessions: the wizard against a simulated Canvas, in a throwaway profile folder.

A trainer runs `ally-wizard demo` on a laptop with no real Canvas. This module owns what such a session
is, apart from any screen: the simulated Canvas (started here, or one already run by `ally-wizard serve
--demo` and attached to by URL), a fresh temporary folder used as the profile store's home (never the
user's real profiles, whatever ALLY_WIZARD_HOME says), the demo profile with the Canvas address filled in,
the practice values a trainee is given, and switching scenario. No Textual here.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ally_wizard.profile import Profile, StepId, StepState
from ally_wizard.recipe import default_recipe
from ally_wizard.sandbox.names import has_vanity_redirect, scenario_names
from ally_wizard.store import ProfileNotFound, ProfileStore

if TYPE_CHECKING:
    from ally_wizard.sandbox.scenario import Scenario
    from ally_wizard.sandbox.server import RunningSandbox

DEMO_PROFILE = "practice"
FOLDER_PREFIX = "ally-wizard-demo-"
PRACTICE_KEYS_PATH = "/accounts/1/developer_keys"


class PracticeCanvas(Protocol):
    """A simulated Canvas this process runs (`ally_wizard.sandbox.RunningSandbox` is one)."""

    @property
    def base_url(self) -> str:
        """Where it listens."""
        ...

    @property
    def canvas_url(self) -> str:
        """The address an admin would type: a redirecting one in front of `base_url` when the scenario has it."""
        ...

    @property
    def scenario(self) -> Scenario:
        """The scenario it plays."""
        ...

    @property
    def admin_token(self) -> str:
        """An unscoped admin API token (a practice value)."""
        ...

    @property
    def key_id(self) -> str:
        """The key ID handed to the admin."""
        ...

    @property
    def key_secret(self) -> str:
        """The secret handed to the admin."""
        ...

    def reset(self, scenario: str | Scenario | None = None, latency_ms: int | None = None) -> None:
        """Re-seed everything for a scenario."""
        ...

    def stop(self) -> None:
        """Stop serving."""
        ...


class BackgroundCanvas:
    """A simulated Canvas whose address is known at once and whose server starts in a background thread.

    The listening socket is bound here, before any server code is loaded, so the address can go into the
    demo profile and onto the first screen; requests that arrive before the server is up wait in the
    socket's backlog. The server (aiohttp, a quarter of a second to import) is started by `begin`, or by
    the first read that needs it, which then waits for it. The scenario is named, and parsed only when
    the server starts or someone asks for it.
    """

    def __init__(self, scenario: str, host: str = "127.0.0.1") -> None:
        self._scenario_name = scenario
        self._socket = socket.create_server((host, 0))
        self.base_url = f"http://{host}:{self._socket.getsockname()[1]}"
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._started = threading.Event()
        self._running: RunningSandbox | None = None
        self._error: BaseException | None = None
        self._stopped = False

    def begin(self) -> None:
        """Start the server in a background thread (once; later calls, and calls after `stop`, do nothing)."""
        with self._lock:
            if self._thread is None and not self._stopped:
                self._thread = threading.Thread(target=self._start, name="canvas-start", daemon=True)
                self._thread.start()

    def _start(self) -> None:
        try:
            from ally_wizard.sandbox.server import RunningSandbox

            self._running = RunningSandbox(self._scenario_name, sock=self._socket).start()
        except BaseException as exc:  # reported to whoever waits for the server
            self._error = exc
        finally:
            self._started.set()

    def wait(self) -> RunningSandbox:
        """The running server, once it listens (started now if `begin` was not called); raises `OSError`
        (or what else stopped it) if it could not start."""
        self.begin()
        if self._thread is None:
            raise RuntimeError("The simulated Canvas was stopped before it started.")
        self._started.wait()
        if self._error is not None:
            raise self._error
        assert self._running is not None
        return self._running

    def __getattr__(self, name: str) -> Any:
        """Whatever else the running server offers (its records, its redirecting address), once it runs."""
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.wait(), name)

    @property
    def canvas_url(self) -> str:
        """The address the admin types: the redirecting one in a scenario with a vanity address, which
        only the running server knows (so it is waited for)."""
        if self._running is None and not has_vanity_redirect(self._scenario_name):
            return self.base_url
        return self.wait().canvas_url

    @property
    def scenario(self) -> Scenario:
        """The scenario being played (known before the server is up)."""
        from ally_wizard.sandbox.scenario import load_scenario

        return self._running.scenario if self._running is not None else load_scenario(self._scenario_name)

    @property
    def admin_token(self) -> str:
        """An unscoped admin API token (waits for the server)."""
        return self.wait().admin_token

    @property
    def key_id(self) -> str:
        """The key ID handed to the admin (waits for the server)."""
        return self.wait().key_id

    @property
    def key_secret(self) -> str:
        """The secret handed to the admin (waits for the server)."""
        return self.wait().key_secret

    def reset(self, scenario: str | Scenario | None = None, latency_ms: int | None = None) -> None:
        """Re-seed everything for a scenario (waits for the server)."""
        self.wait().reset(scenario, latency_ms)

    def stop(self) -> None:
        """Stop serving: wait for a server still starting, stop it, and close the socket."""
        with self._lock:
            self._stopped = True
            thread = self._thread
        if thread is not None:
            thread.join(timeout=30)
        if self._running is not None:
            self._running.stop()
        self._socket.close()


@dataclass(frozen=True, slots=True)
class ScenarioChoice:
    """A scenario as the picker lists it: its name and the one-line lesson."""

    name: str
    goal: str


def scenario_choices() -> list[ScenarioChoice]:
    """Every scenario with its teaching goal, `ready` first."""
    from ally_wizard.sandbox.scenario import load_scenario

    names = sorted(scenario_names(), key=lambda name: (name != "ready", name))
    return [ScenarioChoice(name, load_scenario(name).goal) for name in names]


@dataclass(frozen=True, slots=True)
class Handout:
    """A key ID and secret a colleague "handed" the trainee; shown only when the scenario's lesson is that
    they are wrong (`wrong-secret`, `unknown-key`, `lti-key`). Otherwise the trainee finds them on the
    practice page."""

    key_id: str
    secret: str


class DemoSession:
    """One training session: the Canvas to practise on, the throwaway profile store, and what to tell.

    `canvas` is the simulated Canvas this process owns (stopped by `close`); `attached_url` instead points
    at one another process owns (`ally-wizard serve --demo`), which this session neither resets nor stops.
    """

    def __init__(
        self,
        scenario: str | Scenario,
        *,
        canvas: PracticeCanvas | None = None,
        attached_url: str | None = None,
        folder: Path | None = None,
    ) -> None:
        if (canvas is None) == (attached_url is None):
            raise ValueError("A demo needs either its own simulated Canvas or the URL of one to attach to.")
        self.canvas = canvas
        self._attached_url = attached_url.rstrip("/") if attached_url else None
        self._scenario_name = scenario if isinstance(scenario, str) else scenario.name  # parsed when first needed
        self.folder = folder if folder is not None else Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX))
        self.store = ProfileStore(self.folder)
        self.closed = False

    @classmethod
    def start(
        cls,
        scenario_name: str = "ready",
        *,
        attach_url: str | None = None,
        temp_parent: Path | None = None,
        begin: bool = True,
    ) -> DemoSession:
        """Bind the simulated Canvas's address (unless attaching), make the throwaway folder and the demo profile.

        The Canvas's server starts in a background thread (`BackgroundCanvas`), at once, or with
        `begin=False` when `canvas.begin()` is called (the wizard calls it after its first frame, so
        loading the server does not delay it); anything that needs the server waits for it. Raises
        `ScenarioError` for an unknown scenario before anything is started, `OSError` if no address can
        be bound.
        """
        # Only the name is checked here; the scenario is parsed after the wizard's first frame.
        has_vanity_redirect(scenario_name)
        folder = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX, dir=temp_parent))
        canvas: BackgroundCanvas | None = None
        try:
            if attach_url is None:
                canvas = BackgroundCanvas(scenario_name)
            session = cls(scenario_name, canvas=canvas, attached_url=attach_url, folder=folder)
            session.new_profile()
            if canvas is not None and begin:
                canvas.begin()
        except BaseException:
            if canvas is not None:
                canvas.stop()
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return session

    # -- what the trainee is told ---------------------------------------------------------------------

    @property
    def scenario(self) -> Scenario:
        """The scenario being played."""
        from ally_wizard.sandbox.scenario import load_scenario

        return self.canvas.scenario if self.canvas is not None else load_scenario(self._scenario_name)

    @property
    def marker(self) -> str:
        """The marker on every screen: DEMO and the scenario."""
        return f"DEMO · {self._scenario_name}"  # the name alone: the scenario is parsed after the first frame

    @property
    def canvas_url(self) -> str:
        """The simulated Canvas's address."""
        if self.canvas is not None:
            return self.canvas.base_url
        assert self._attached_url is not None
        return self._attached_url

    @property
    def typed_url(self) -> str:
        """The Canvas address the trainee starts from: in `vanity-redirect` the institution's own name, which
        only redirects to the simulated Canvas (the wizard finds the real host itself)."""
        return self.canvas.canvas_url if self.canvas is not None else self.canvas_url

    @property
    def practice_page_url(self) -> str:
        """The practice Developer Keys page (Admin > Developer Keys in a real Canvas)."""
        return f"{self.canvas_url}{PRACTICE_KEYS_PATH}"

    @property
    def admin_username(self) -> str:
        """The practice admin's login."""
        from ally_wizard.sandbox.state import ADMIN_LOGIN  # the simulated Canvas's records: after the first frame

        return ADMIN_LOGIN

    @property
    def admin_password(self) -> str:
        """The practice admin's password."""
        from ally_wizard.sandbox.state import PRACTICE_PASSWORD

        return PRACTICE_PASSWORD

    @property
    def admin_token(self) -> str | None:
        """An admin API token, known only when this process runs the Canvas."""
        return self.canvas.admin_token if self.canvas is not None else None

    @property
    def ally_environment(self) -> str:
        """The Ally environment the practice key was made for."""
        return self.scenario.ally_environment

    @property
    def ally_client_id(self) -> str:
        """The Ally Client ID the practice key was made for."""
        return self.scenario.ally_client_id

    def handout(self) -> Handout | None:
        """The wrong key ID or secret a scenario hands out, for the trainee to discover (else None)."""
        key = self.scenario.key
        # another root account's key is not on the practice page at all: only a colleague can hand it over
        handed = key.hand_out_wrong_secret or key.hand_out_unknown_key or key.hand_out_lti_key
        if self.canvas is None or not (handed or key.owner == "other_root"):
            return None
        return Handout(self.canvas.key_id, self.canvas.key_secret)

    @property
    def can_switch(self) -> bool:
        """Only the process that runs the Canvas may reset it (a served demo is shared by every tab)."""
        return self.canvas is not None

    # -- changing the session -------------------------------------------------------------------------

    def new_profile(self) -> Profile:
        """(Re)make the demo profile: the Canvas address filled in, everything else for the trainee."""
        with contextlib.suppress(ProfileNotFound):
            self.store.delete(DEMO_PROFILE)
        profile = Profile(name=DEMO_PROFILE, canvas_url=self.typed_url, recipe_version=default_recipe().version)
        # The wizard opens it at step 2: marked started here, so that opening writes nothing more.
        profile.mark(StepId.CANVAS, StepState.IN_PROGRESS)
        return self.store.create(profile).profile

    def switch(self, name: str) -> str:
        """Reset the Canvas to another scenario and start the demo profile over; say what changed.

        Raises `ScenarioError` for an unknown name and `RuntimeError` when this session cannot reset.
        """
        if self.canvas is None:
            raise RuntimeError(
                "This demo shares its simulated Canvas with the other browser tabs; the trainer chooses the "
                "scenario with `ally-wizard serve --demo --scenario NAME`."
            )
        from ally_wizard.sandbox.scenario import load_scenario

        scenario = load_scenario(name)
        self.canvas.reset(scenario)
        self._scenario_name = scenario.name
        self.new_profile()
        return (
            f"The simulated Canvas was reset to the scenario {scenario.name!r}: {scenario.goal} "
            "Its keys were made again, so the key's secret is new: find the ID and Show Key on the practice "
            "Developer Keys page. The demo setup starts over at step 2."
        )

    def close(self) -> None:
        """Stop the Canvas this process runs and remove the throwaway folder (safe to call twice)."""
        if self.closed:
            return
        self.closed = True
        try:
            if self.canvas is not None:
                self.canvas.stop()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
