"""Scenarios of the simulated Canvas: data files that say how the institution's key was made and how
Canvas answers, each with the lesson it teaches.

A scenario is read from `scenarios/<name>.toml` inside the package, so a trainer can add one without
touching code; every field has a default taken from `ready`, so a file only names what differs.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from ally_wizard.recipe import default_recipe
from ally_wizard.sandbox.catalogue import catalogue_scope_strings
from ally_wizard.sandbox.names import ScenarioError, scenario_text
from ally_wizard.sandbox.names import scenario_names as scenario_names  # where callers have always found it


@dataclass(frozen=True, slots=True)
class KeySetup:
    """How the admin made the Ally developer key, and what was handed to them afterwards."""

    name: str = "Anthology Ally"
    binding_state: str = "on"  # on | off | allow: the key's State toggle on the root account
    workflow_state: str = "active"  # the key's own state (inactive/deleted -> "unknown client")
    require_scopes: bool = True
    allow_includes: bool = True
    missing_scopes: tuple[str, ...] = ()  # Ally scopes left unticked
    redirect_uri: str = ""  # "" = the correct one for the environment and Client ID
    hand_out_wrong_secret: bool = False
    hand_out_unknown_key: bool = False
    hand_out_lti_key: bool = False  # the ID and secret of the institution's Ally LTI 1.3 key instead
    owner: str = "root"  # root | site_admin (an inherited key) | other_root (another institution's key)
    site_admin_binding: str = ""  # "" none | on | off | allow: Site Admin's binding, which wins when on or off
    test_cluster_only: bool = False  # usable only on test and beta; this Canvas is production
    auto_expire_tokens: bool = True  # false: tokens without expires_in or refresh_token (docs/canvas.md 12)
    hand_out_local_id: bool = False  # the local form of the key ID (`102`), which Canvas also accepts
    extra_scopes: tuple[str, ...] = ()  # catalogue scopes beyond Ally's, ticked as well
    ally_tokens: int = 1  # tokens Ally holds for the key (0: Ally was never authorized)


@dataclass(frozen=True, slots=True)
class InstanceSetup:
    """The rest of the institution's Canvas: other keys, and the theme's Ally settings."""

    ally_key: bool = True  # false: no Ally key was ever made
    stale_ally_key: bool = False  # a second, deactivated Ally key from an earlier setup
    other_keys: int = 0  # more keys of other integrations (pagination)
    theme: str = "match"  # match | mismatch | none: the theme's ALLY_CFG


@dataclass(frozen=True, slots=True)
class CanvasQuirks:
    """Release-dependent answers (docs/canvas.md lists every form)."""

    invalid_scope_style: str = "redirect"  # redirect (current) | json400 (2019-era, no list)
    json_prefix: bool = False  # `while(1);` before JSON bodies of API GETs (very old releases)
    legacy_token_response: bool = False  # no canvas_region, no fake_student
    legacy_expired_token: bool = False  # expired tokens answer "Invalid access token."
    token_endpoint_extra_cost: float = 0.0  # older releases add 200 to each /login/oauth2/token call
    prompt_support: bool = True  # false: an old release that ignores prompt and sends the browser to /login
    old_pages_scopes: bool = False  # the scope catalogue before May 2022: `.../pages/:url`
    regenerate_secret: bool = False  # feature developer_key_regenerate_secret: lists show only a secret hint


@dataclass(frozen=True, slots=True)
class AccountSettings:
    """Settings of the root account that decide who may authorize (docs/canvas.md 12)."""

    limit_personal_access_tokens: bool = False  # only users with the manage-tokens right get tokens
    admin_manages_tokens: bool = True  # the practice admin's role has that right


@dataclass(frozen=True, slots=True)
class ThrottleSettings:
    """Canvas's leaky bucket per access token (request_throttle.rb defaults unless a scenario says)."""

    maximum: float = 800.0
    outflow: float = 10.0  # units leaked per second
    up_front_cost: float = 50.0  # reserved while a request runs
    fixed_cost: float = 0.0  # 0: charge the measured handler time in seconds, as Canvas does
    status: int = 403  # 403, or 429 with request_throttle.send_429_response


@dataclass(frozen=True, slots=True)
class FaultSettings:
    """Gateway faults on API and token requests: 502s and stalls, seeded so tests are repeatable."""

    rate: float = 0.0
    seed: int = 0
    stall_seconds: float = 1.5
    max_consecutive: int = 2  # a client with bounded retries always gets through


@dataclass(frozen=True, slots=True)
class Scenario:
    """One practice situation: the lesson, what the admin sees, the fix, and how Canvas is set up."""

    name: str
    goal: str
    what_you_see: str
    fix: str
    ally_environment: str = "us"
    ally_client_id: str = "1234"
    latency_ms: int = 0
    vanity_redirect: bool = False  # the address the admin knows answers 301 to this Canvas (docs/canvas.md 12)
    key: KeySetup = field(default_factory=KeySetup)
    instance: InstanceSetup = field(default_factory=InstanceSetup)
    canvas: CanvasQuirks = field(default_factory=CanvasQuirks)
    account: AccountSettings = field(default_factory=AccountSettings)
    throttle: ThrottleSettings = field(default_factory=ThrottleSettings)
    faults: FaultSettings = field(default_factory=FaultSettings)

    def with_latency(self, latency_ms: int | None) -> Scenario:
        """The same scenario with another per-request latency (None keeps the scenario's own)."""
        if latency_ms is None:
            return self
        if latency_ms < 0:
            raise ScenarioError("The latency must be 0 ms or more.")
        return replace(self, latency_ms=latency_ms)


def _table(data: dict[str, Any], name: str, source: str) -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise ScenarioError(f"{source}: [{name}] must be a table")
    return value


def _build(cls: Any, table: dict[str, Any], source: str, section: str) -> Any:
    """A settings dataclass from a TOML table, refusing unknown keys and wrong types by name."""
    defaults = cls()
    values: dict[str, Any] = {}
    for key, raw in table.items():
        if not hasattr(defaults, key):
            raise ScenarioError(f"{source}: [{section}] has no setting {key!r}")
        expected = getattr(defaults, key)
        value: Any = raw
        if isinstance(expected, tuple):
            if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
                raise ScenarioError(f"{source}: [{section}] {key} must be a list of texts")
            value = tuple(raw)
        elif isinstance(expected, bool):
            if not isinstance(raw, bool):
                raise ScenarioError(f"{source}: [{section}] {key} must be true or false")
        elif isinstance(expected, float):
            if not isinstance(raw, int | float) or isinstance(raw, bool):
                raise ScenarioError(f"{source}: [{section}] {key} must be a number")
            value = float(raw)
        elif not isinstance(raw, type(expected)) or isinstance(raw, bool):
            raise ScenarioError(f"{source}: [{section}] {key} must be a {type(expected).__name__}")
        values[key] = value
    return cls(**values)


def parse_scenario(text: str, source: str = "<scenario>") -> Scenario:
    """Parse and validate a scenario file's text."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{source}: not valid TOML ({exc})") from None
    head = _table(data, "scenario", source)
    for name in ("name", "goal", "what_you_see", "fix"):
        if not isinstance(head.get(name), str) or not head[name].strip():
            raise ScenarioError(f"{source}: [scenario] needs a non-empty text {name!r}")
    recipe = default_recipe()
    environment = str(head.get("ally_environment", "us"))
    try:
        recipe.environment(environment)
    except KeyError as exc:
        raise ScenarioError(f"{source}: {exc.args[0]}") from None
    latency = head.get("latency_ms", 0)
    if not isinstance(latency, int) or latency < 0:
        raise ScenarioError(f"{source}: [scenario] latency_ms must be a whole number of 0 or more")
    vanity = head.get("vanity_redirect", False)
    if not isinstance(vanity, bool):
        raise ScenarioError(f"{source}: [scenario] vanity_redirect must be true or false")
    key: KeySetup = _build(KeySetup, _table(data, "key", source), source, "key")
    unknown = [scope for scope in key.missing_scopes if scope not in recipe.scope_strings]
    if unknown:
        raise ScenarioError(f"{source}: [key] missing_scopes names scopes not in the recipe: {unknown}")
    if key.binding_state not in ("on", "off", "allow"):
        raise ScenarioError(f"{source}: [key] binding_state must be on, off or allow")
    if key.workflow_state not in ("active", "inactive", "deleted"):
        raise ScenarioError(f"{source}: [key] workflow_state must be active, inactive or deleted")
    if key.owner not in ("root", "site_admin", "other_root"):
        raise ScenarioError(f"{source}: [key] owner must be root, site_admin or other_root")
    if key.site_admin_binding not in ("", "on", "off", "allow"):
        raise ScenarioError(f"{source}: [key] site_admin_binding must be on, off or allow (or left out)")
    if key.site_admin_binding and key.owner != "site_admin":
        raise ScenarioError(f'{source}: [key] site_admin_binding needs owner = "site_admin"')
    unknown_extra = [scope for scope in key.extra_scopes if scope not in catalogue_scope_strings()]
    if unknown_extra:
        raise ScenarioError(f"{source}: [key] extra_scopes names scopes not in the catalogue: {unknown_extra}")
    if key.ally_tokens < 0:
        raise ScenarioError(f"{source}: [key] ally_tokens must be 0 or more")
    instance: InstanceSetup = _build(InstanceSetup, _table(data, "instance", source), source, "instance")
    if instance.theme not in ("match", "mismatch", "none"):
        raise ScenarioError(f"{source}: [instance] theme must be match, mismatch or none")
    if not 0 <= instance.other_keys <= 1000:
        raise ScenarioError(f"{source}: [instance] other_keys must be between 0 and 1000")
    canvas: CanvasQuirks = _build(CanvasQuirks, _table(data, "canvas", source), source, "canvas")
    if canvas.invalid_scope_style not in ("redirect", "json400"):
        raise ScenarioError(f"{source}: [canvas] invalid_scope_style must be redirect or json400")
    account: AccountSettings = _build(AccountSettings, _table(data, "account", source), source, "account")
    throttle: ThrottleSettings = _build(ThrottleSettings, _table(data, "throttle", source), source, "throttle")
    if throttle.status not in (403, 429):
        raise ScenarioError(f"{source}: [throttle] status must be 403 or 429")
    faults: FaultSettings = _build(FaultSettings, _table(data, "faults", source), source, "faults")
    if not 0.0 <= faults.rate < 1.0 or faults.max_consecutive < 1:
        raise ScenarioError(f"{source}: [faults] rate must be in [0, 1) and max_consecutive at least 1")
    return Scenario(
        name=head["name"],
        goal=head["goal"].strip(),
        what_you_see=head["what_you_see"].strip(),
        fix=head["fix"].strip(),
        ally_environment=environment,
        ally_client_id=str(head.get("ally_client_id", "1234")),
        latency_ms=latency,
        vanity_redirect=vanity,
        key=key,
        instance=instance,
        canvas=canvas,
        account=account,
        throttle=throttle,
        faults=faults,
    )


@cache
def load_scenario(name: str) -> Scenario:
    """The named scenario; `ScenarioError` lists the valid names."""
    source = f"{name}.toml"
    scenario = parse_scenario(scenario_text(name), source)
    if scenario.name != name:
        raise ScenarioError(f"{source}: [scenario] name is {scenario.name!r}, expected {name!r}")
    return scenario
