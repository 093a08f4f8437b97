"""Widgets shared by the step screens."""
