"""The simulated Canvas: a real aiohttp server on loopback that answers as Canvas does, for demos,
training and tests. See `server.py` for how a request flows and `scenarios/` for the situations.
"""

from ally_wizard.sandbox.recorder import RecordedRequest
from ally_wizard.sandbox.scenario import Scenario, ScenarioError, load_scenario, scenario_names
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
