"""The Textual wizard: one screen per step, a thin App, and helpers that never import Textual.

Importing this package imports nothing heavy; `ally_wizard.tui.app` brings in Textual, and the
Canvas client is imported only when a check runs.
"""
