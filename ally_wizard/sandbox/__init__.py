"""The simulated Canvas: a real aiohttp server on loopback that answers as Canvas does, for demos,
training and tests. See `server.py` for how a request flows and `scenarios/` for the situations.

The server's names are imported on first use (PEP 562): reading a scenario (`ally_wizard.sandbox.scenario`)
must not import aiohttp, which alone costs a demo a quarter of a second before its first frame, and
checking a scenario's name (`ally_wizard.sandbox.names`) must not import the scenario's parser either.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ally_wizard.sandbox.names import ScenarioError, scenario_names

if TYPE_CHECKING:
    from ally_wizard.sandbox.recorder import RecordedRequest
    from ally_wizard.sandbox.scenario import Scenario, load_scenario
    from ally_wizard.sandbox.server import LiveToken, RunningSandbox, Sandbox

__all__ = [
    "LiveToken",
    "RecordedRequest",
    "RunningSandbox",
    "Sandbox",
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "scenario_names",
]

_LAZY = {
    "LiveToken": "ally_wizard.sandbox.server",
    "RunningSandbox": "ally_wizard.sandbox.server",
    "Sandbox": "ally_wizard.sandbox.server",
    "RecordedRequest": "ally_wizard.sandbox.recorder",
    "Scenario": "ally_wizard.sandbox.scenario",
    "load_scenario": "ally_wizard.sandbox.scenario",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
