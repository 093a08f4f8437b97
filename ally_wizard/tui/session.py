"""The wizard's working state for one run: the open profile, how to save it, and the secret in memory.

Kept apart from Textual so the rules (save on every change, never write the secret, report a conflict
in plain words) can be read and tested on their own.
"""

from __future__ import annotations

from ally_wizard.profile import Profile, StepId, StepState
from ally_wizard.store import Loaded, ProfileConflict, ProfileError, ProfileStore


class WizardSession:
    """One profile being worked on, saved through `ProfileStore` as each change is made.

    The key secret lives only in `secret`, for this process: no method here writes it anywhere.
    """

    def __init__(self, store: ProfileStore) -> None:
        self.store = store
        self.loaded: Loaded | None = None
        self.secret = ""
        self.last_save_error: str | None = None

    @property
    def profile(self) -> Profile | None:
        """The open profile, if any."""
        return self.loaded.profile if self.loaded else None

    def require(self) -> Profile:
        """The open profile; the step screens are only reachable with one."""
        if self.loaded is None:
            raise RuntimeError("No profile is open.")
        return self.loaded.profile

    def open(self, name: str) -> Profile:
        """Load a saved profile (raises `ProfileError` subclasses with readable messages)."""
        self.loaded = self.store.load(name)
        self.secret = ""
        self.last_save_error = None
        return self.loaded.profile

    def create(self, name: str, recipe_version: str = "") -> Profile:
        """Start a new profile and write it at once, so it shows on the start screen from now on."""
        self.loaded = self.store.create(Profile(name=name, recipe_version=recipe_version))
        self.secret = ""
        self.last_save_error = None
        return self.loaded.profile

    def close(self) -> None:
        """Forget the open profile and the secret (back on the start screen, or quitting); its lock file goes."""
        if self.loaded is not None:
            self.store.release(self.loaded.profile.name)
        self.loaded = None
        self.secret = ""

    def save(self) -> str | None:
        """Write the profile now; return a readable message when it could not be written."""
        if self.loaded is None:
            return None
        try:
            self.loaded = self.store.save(self.loaded)
        except ProfileConflict as exc:
            self.last_save_error = str(exc)
            return self.last_save_error
        except (ProfileError, OSError) as exc:
            self.last_save_error = f"The profile could not be saved: {exc}"
            return self.last_save_error
        self.last_save_error = None
        return None

    def mark(self, step: StepId, state: StepState) -> str | None:
        """Move a step to a state and save; a step that is done stays done when revisited."""
        profile = self.require()
        current = profile.steps[step].state
        if state is StepState.IN_PROGRESS and current is not StepState.NOT_STARTED:
            return None
        profile.mark(step, state)
        return self.save()
