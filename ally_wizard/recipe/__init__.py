"""The integration recipe as data: environments, redirect template, key settings and scopes by section."""

from ally_wizard.recipe.loader import RecipeError, default_recipe, load_recipe, parse_recipe
from ally_wizard.recipe.model import Environment, KeySettings, Recipe, Scope, Section, Steps

__all__ = [
    "Environment",
    "KeySettings",
    "Recipe",
    "RecipeError",
    "Scope",
    "Section",
    "Steps",
    "default_recipe",
    "load_recipe",
    "parse_recipe",
]
