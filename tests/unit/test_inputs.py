"""What the admin types: Canvas URLs, Client IDs, key IDs and the redirect URI, on good and hostile input."""

from __future__ import annotations

import pytest

from ally_wizard.inputs import (
    InputError,
    normalize_canvas_url,
    parse_client_id,
    parse_key_id,
    redirect_uri,
)
from ally_wizard.inputs import (
    test_or_beta_warning as warning_for_host,
)
from ally_wizard.recipe import default_recipe


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("canvas.school.edu", "https://canvas.school.edu"),
        ("  canvas.school.edu  ", "https://canvas.school.edu"),
        ("https://canvas.school.edu/", "https://canvas.school.edu"),
        ("https://Canvas.School.EDU", "https://canvas.school.edu"),
        ("https://canvas.school.edu/courses/12", "https://canvas.school.edu"),
        ("https://canvas.school.edu/api/v1", "https://canvas.school.edu"),
        ("https://canvas.school.edu/accounts/1/developer_keys", "https://canvas.school.edu"),
        ("canvas.school.edu/courses/12?module_item_id=3#x", "https://canvas.school.edu"),
        ("https://canvas.school.edu:443/", "https://canvas.school.edu"),
        ("https://canvas.school.edu:8443/", "https://canvas.school.edu:8443"),
        ("school.instructure.com.", "https://school.instructure.com"),
        ("http://127.0.0.1:8123/login", "http://127.0.0.1:8123"),
        ("http://localhost:3000", "http://localhost:3000"),
        ("http://[::1]:8000/", "http://[::1]:8000"),
    ],
)
def test_canvas_url_is_normalized(typed: str, expected: str) -> None:
    assert normalize_canvas_url(typed) == expected


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "is empty"),
        ("   ", "is empty"),
        ("http://canvas.school.edu", "unencrypted"),
        ("ftp://canvas.school.edu", "ftp://"),
        ("canvas school.edu", "contains a space"),
        ("canvаs.school.edu", "Cyrillic"),  # a Cyrillic a
        ("canvas.school.edu\u200b", "Zero Width Space"),
        ("https://[AllyEnvironment]/", "placeholder"),
        ("localhostx", "not a full host name"),
        ("canvas", "not a full host name"),
        ("https://user:pw@canvas.school.edu", "user name or password"),
        ("10.1.2.3", "IP address"),
        ("canvas..school.edu", "not a host name"),
        ("-canvas.school.edu", "not a host name"),
        ("canvas_school.edu", "not a host name"),
        ("/courses/12", "starts with a path"),
        ("https://", "no host name"),
        ("https://canvas.school.edu:99999/", "not a valid URL"),
        ("a" * 64 + ".edu", "not a host name"),
        ("x" * 5000, "cannot be right"),
        (".".join(["abc"] * 70) + ".edu", "longer than 253"),
    ],
)
def test_bad_canvas_url_is_refused_with_a_reason(typed: str, reason: str) -> None:
    with pytest.raises(InputError, match=reason):
        normalize_canvas_url(typed)


def test_test_and_beta_instances_are_warned_about() -> None:
    assert "test instance" in (warning_for_host("https://school.test.instructure.com") or "")
    assert "beta instance" in (warning_for_host("https://school.beta.instructure.com") or "")
    assert "production" in (warning_for_host("https://school.beta.instructure.com") or "")
    assert warning_for_host("https://school.instructure.com") is None
    assert warning_for_host("https://test.school.edu") is None


@pytest.mark.parametrize(("env", "host"), [("us", "prod.ally.ac"), ("au", "prod-ap-southeast-2.ally.ac")])
def test_redirect_uri_is_built_exactly(env: str, host: str) -> None:
    assert redirect_uri(default_recipe(), env, " 1234 ") == f"https://{host}/api/v2/1234/auth/canvas/callback"


def test_redirect_uri_refuses_an_unknown_environment() -> None:
    with pytest.raises(InputError, match="choose one of us, ca, eu, sg, au"):
        redirect_uri(default_recipe(), "mars", "1234")


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("[ClientId]", "placeholder"),
        ("[ClientID]", "placeholder"),
        ("12 34", "contains a space"),
        ("12/34", "whole URI"),
        ("https://prod.ally.ac/api/v2/1234/auth/canvas/callback", r"here it is 1234"),
        ("abc", "whole number"),
        ("-5", "whole number"),
        ("12.5", "whole number"),
        ("0", "positive"),
        ("007", "must not start with 0"),
        ("١٢٣", "Arabic-Indic"),  # digits that int() would accept
        ("１２３", "Fullwidth"),
        ("9" * 40, "digits long"),
        ("", "is empty"),
    ],
)
def test_bad_client_id_is_refused_with_a_reason(typed: str, reason: str) -> None:
    with pytest.raises(InputError, match=reason):
        parse_client_id(typed)


@pytest.mark.parametrize("typed", ["170000000000123", "10000000000001", " 170000000000123 "])
def test_key_id_is_a_canvas_global_id(typed: str) -> None:
    assert parse_key_id(typed) == int(typed)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("123", "local key ID"),
        ("10000000000000", "14 or more digits"),
        ("170000000000000", "14 or more digits"),
        ("17000000000012a", "must be a number"),
        ("1700 0000 0000 123", "contains a space"),
        (str(2**53), "too large"),
        ("", "is empty"),
    ],
)
def test_bad_key_id_is_refused(typed: str, reason: str) -> None:
    with pytest.raises(InputError, match=reason):
        parse_key_id(typed)


def test_a_secret_pasted_into_the_wrong_field_is_not_repeated_in_the_error() -> None:
    secret = "Hhm3X00WFDvKsJDwbcMhucck58nkKJroZehq2M96t1lWyuKIoLLhudgYOMBdJLFS"
    for parse in (parse_client_id, parse_key_id):
        with pytest.raises(InputError) as caught:
            parse(secret)
        assert secret[:8] not in str(caught.value)
        assert "64 characters typed" in str(caught.value)


@pytest.mark.parametrize("typed", ["canvas.school.edu:0", "https://canvas.school.edu:0/", "http://127.0.0.1:0"])
def test_port_zero_is_refused(typed: str) -> None:
    with pytest.raises(InputError, match="port 0"):
        normalize_canvas_url(typed)


@pytest.mark.parametrize(
    "copied", ["ID 170000000000102", "ID: 170000000000102", "Key ID\n170000000000102", "id 170000000000102"]
)
def test_key_id_accepts_the_text_copied_from_the_details_cell(copied: str) -> None:
    assert parse_key_id(copied) == 170000000000102


def test_a_local_key_id_is_refused_with_the_global_form_to_copy_instead() -> None:
    """Canvas resolves a local ID on the root account's shard, but Ally's page, the Details column and the
    key list all use the global ID, and the shard is unknown here: the message names what to copy."""
    with pytest.raises(InputError) as caught:
        parse_key_id("102")
    message = str(caught.value)
    assert message.startswith("102 looks like a local key ID")
    assert "Details column" in message and "on shard 17 is 170000000000102" in message
