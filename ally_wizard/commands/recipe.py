"""`ally-wizard recipe`: print the Ally procedure the wizard follows, as text or JSON."""

from __future__ import annotations

import argparse
import json

from ally_wizard.recipe import Recipe, default_recipe


def recipe_as_dict(recipe: Recipe) -> dict[str, object]:
    """The recipe in a JSON-friendly shape (sections keep the help page's order)."""
    return {
        "id": recipe.id,
        "name": recipe.name,
        "version": recipe.version,
        "help_page": recipe.help_page,
        "help_url": recipe.help_url,
        "checked": recipe.checked.isoformat(),
        "redirect_uri_template": recipe.redirect_uri_template,
        "settings": {
            "enforce_scopes": recipe.settings.enforce_scopes,
            "allow_includes": recipe.settings.allow_includes,
            "key_on": recipe.settings.key_on,
        },
        "environments": [{"id": e.id, "label": e.label, "host": e.host} for e in recipe.environments],
        "sections": [{"name": s.name, "scopes": [sc.string for sc in s.scopes]} for s in recipe.sections],
        "scopes": [{"scope": sc.string, "section": sc.section} for sc in recipe.scopes],
    }


def run(args: argparse.Namespace) -> int:
    """Print the recipe."""
    recipe = default_recipe()
    if args.json:
        print(json.dumps(recipe_as_dict(recipe), indent=2))
        return 0
    on_off = {True: "on", False: "off"}
    lines = [
        f"{recipe.name} developer key, recipe {recipe.version} (checked {recipe.checked.isoformat()})",
        f"Follows: {recipe.help_page}",
        "",
        f"{recipe.environment_label}s:",
        *(f"  {e.id}  {e.label:<24} {e.host}" for e in recipe.environments),
        "",
        f"Redirect URI: {recipe.redirect_uri_template}",
        "",
        "Key settings:",
        f"  Enforce Scopes: {on_off[recipe.settings.enforce_scopes]}",
        f"  Allow Include Parameters: {on_off[recipe.settings.allow_includes]}",
        f"  Key state: {'ON' if recipe.settings.key_on else 'OFF'}",
        "",
        f"Scopes ({len(recipe.scopes)}):",
    ]
    for section in recipe.sections:
        lines.append(f"  {section.name}")
        lines.extend(f"    {scope.string}" for scope in section.scopes)
    print("\n".join(lines))
    return 0
