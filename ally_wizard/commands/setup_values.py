"""The setup a command works on: a saved profile's values with the command-line flags on top.

Shared by `check` and `audit`, which take the same `PROFILE --canvas --key-id --environment
--ally-client-id` and must say the same thing when one is missing.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ally_wizard.store import Loaded


@dataclass(frozen=True, slots=True)
class SetupValues:
    """What the flags and the profile say (flags win); `loaded` is the profile, to save results into."""

    canvas: str
    key_id: str
    environment: str
    client_id: str
    loaded: Loaded | None


def setup_values(args: argparse.Namespace, *, key_id_needed: bool = True) -> SetupValues:
    """The values from `args.profile` (if named) with the flags on top; `UsageError` names what is missing."""
    from ally_wizard.errors import UsageError

    loaded = None
    if args.profile:
        from ally_wizard.store import ProfileError, ProfileStore

        try:
            loaded = ProfileStore().load(args.profile)
        except (ProfileError, ValueError) as exc:
            raise UsageError(f"{exc} Run 'ally-wizard profiles' to see the saved ones.") from None
    profile = loaded.profile if loaded else None
    values = SetupValues(
        canvas=args.canvas or (profile.canvas_url if profile else ""),
        key_id=args.key_id or (profile.key_id if profile else ""),
        environment=args.environment or (profile.environment if profile else ""),
        client_id=args.ally_client_id or (profile.client_id if profile else ""),
        loaded=loaded,
    )
    needed = [
        (values.canvas, "--canvas URL"),
        *([(values.key_id, "--key-id ID")] if key_id_needed else []),
        (values.environment, "--environment"),
        (values.client_id, "--ally-client-id N"),
    ]
    missing = [flag for value, flag in needed if not value]
    if missing:
        source = f"Profile {args.profile!r} does not say" if args.profile else "Without a profile, give"
        raise UsageError(f"{source} {', '.join(missing)}. Add {'it' if len(missing) == 1 else 'them'} as flags.")
    return values
