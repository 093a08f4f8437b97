"""The practice values of a training session as plain lines, for `ally-wizard demo --plain`.

The same values as the wizard's practice dialog (F3): where the simulated Canvas and its practice Developer
Keys page are, the admin login, and the Ally environment and Client ID the key was made for. Each address is
alone on its line, after a line naming it, so it can be selected or read character by character.
"""

from __future__ import annotations

from ally_wizard.demo import DemoSession
from ally_wizard.recipe import Recipe


def practice_lines(demo: DemoSession, recipe: Recipe) -> list[str]:
    """The practice values, one idea per line."""
    scenario = demo.scenario
    env = next((e for e in recipe.environments if e.id == demo.ally_environment), None)
    env_text = f"{env.label}, {env.host}" if env is not None else demo.ally_environment
    lines = [
        f"Demo, scenario {scenario.name}: {scenario.goal}",
        "Practice values of a throwaway simulated Canvas:",
        "The simulated Canvas, on the next line:",
        demo.canvas_url,
        "Its Developer Keys page, on the next line:",
        demo.practice_page_url,
        f"Admin login: {demo.admin_username}",
        f"Admin password: {demo.admin_password}",
        f"{recipe.environment_label}: {env_text}",
        f"{recipe.client_id_label}: {demo.ally_client_id}",
        "Key ID and secret: on the Developer Keys page, as in a real Canvas: "
        "the Details column shows the ID, Show Key the secret.",
    ]
    handout = demo.handout()
    if handout is not None:
        lines.append(
            f"A colleague handed you these instead: key ID {handout.key_id}, secret {handout.secret}. "
            "Try them, and see what the wizard says."
        )
    lines.append(f"Profiles of this demo are kept in {demo.folder} and removed when the demo stops.")
    return lines
