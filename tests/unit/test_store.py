"""Profiles on disk: round trip, atomic writes, private modes, corrupt files, concurrent edits."""

from __future__ import annotations

import datetime as dt
import os
import stat
import tomllib
from pathlib import Path

import pytest

from ally_wizard.canvas.report import Check, CheckStatus, Evidence, Report
from ally_wizard.profile import Profile, ScopeStatus, StepId, StepState
from ally_wizard.store import CorruptProfile, ProfileConflict, ProfileError, ProfileNotFound, ProfileStore, default_home

ACCOUNTS = "url:GET|/api/v1/accounts"


@pytest.fixture
def store(tmp_path: Path) -> ProfileStore:
    return ProfileStore(tmp_path / "home")


def _full_profile() -> Profile:
    profile = Profile(
        "production",
        canvas_url="https://canvas.school.edu",
        environment="eu",
        client_id="1234",
        key_name="Anthology Ally",
        owner_email="lms-admin@school.edu",
        key_id="170000000000123",
        recipe_version="2026.11.1",
    )
    profile.mark(StepId.CANVAS, StepState.DONE)
    profile.mark(StepId.CREATE_KEY, StepState.IN_PROGRESS)
    profile.scopes[ACCOUNTS] = ScopeStatus.VERIFIED
    profile.scopes["url:PUT|/api/v1/files/:id"] = ScopeStatus.MISSING
    profile.create_checklist = [0, 2]
    when = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)
    profile.last_verification = Report(
        started_at=when,
        finished_at=when + dt.timedelta(seconds=3),
        authorized_by="Ada Admin",
        checks=[
            Check("key.exists", "Key exists", CheckStatus.PASS, "Canvas knows the key.", Evidence(302, "ok"), when),
            Check("key.on", "Key is ON", CheckStatus.FAIL, "Turn the key ON.", Evidence(302, "unauthorized_client")),
        ],
    )
    return profile


def test_profile_round_trips(store: ProfileStore) -> None:
    original = _full_profile()
    store.create(original)
    loaded = store.load("production").profile
    assert loaded.canvas_url == original.canvas_url
    assert (loaded.environment, loaded.client_id, loaded.key_id) == ("eu", "1234", "170000000000123")
    assert (loaded.key_name, loaded.owner_email, loaded.recipe_version) == (
        "Anthology Ally",
        "lms-admin@school.edu",
        "2026.11.1",
    )
    assert loaded.steps[StepId.CANVAS].state is StepState.DONE
    assert loaded.steps[StepId.CANVAS].done_at == original.steps[StepId.CANVAS].done_at
    assert loaded.steps[StepId.CREATE_KEY].state is StepState.IN_PROGRESS
    assert loaded.scopes == original.scopes
    assert loaded.create_checklist == [0, 2]
    assert loaded.first_unfinished is StepId.CREATE_KEY
    report = loaded.last_verification
    assert report is not None and report.authorized_by == "Ada Admin"
    assert [(c.id, c.status, c.message) for c in report] == [
        ("key.exists", CheckStatus.PASS, "Canvas knows the key."),
        ("key.on", CheckStatus.FAIL, "Turn the key ON."),
    ]
    assert report.checks[0].evidence == Evidence(302, "ok")
    assert report.overall is CheckStatus.FAIL


def test_files_are_private(store: ProfileStore) -> None:
    store.create(_full_profile())
    assert stat.S_IMODE(store.path("production").stat().st_mode) == 0o600
    assert stat.S_IMODE(store.folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(store.home.stat().st_mode) == 0o700


def test_a_loosened_folder_is_tightened(store: ProfileStore) -> None:
    store.ensure_folder()
    store.folder.chmod(0o755)
    store.create(_full_profile())
    assert stat.S_IMODE(store.folder.stat().st_mode) == 0o700


def test_profile_never_holds_a_secret_field() -> None:
    fields = set(Profile.__dataclass_fields__)
    assert not {f for f in fields if "secret" in f or "token" in f}


def test_crash_before_rename_leaves_the_old_profile(store: ProfileStore, monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = store.create(_full_profile())
    before = store.path("production").read_bytes()
    loaded.profile.canvas_url = "https://other.school.edu"

    def crash(src: object, dst: object) -> None:
        raise OSError("power cut")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="power cut"):
        store.save(loaded)
    monkeypatch.undo()
    assert store.path("production").read_bytes() == before
    assert [p.name for p in store.folder.iterdir() if p.suffix == ".tmp"] == []
    assert store.load("production").profile.canvas_url == "https://canvas.school.edu"


def test_a_leftover_temp_file_is_not_listed(store: ProfileStore) -> None:
    store.create(_full_profile())
    (store.folder / ".production.toml.abc123.tmp").write_text("half")
    assert store.names() == ["production"]


def test_corrupt_file_is_moved_aside_and_reported_with_its_line(store: ProfileStore) -> None:
    store.ensure_folder()
    store.path("broken").write_text('schema = 1\n[canvas]\nurl = "https://x.edu\n')
    with pytest.raises(CorruptProfile) as caught:
        store.load("broken")
    problem = caught.value
    assert problem.line == 3
    assert "not valid TOML" in str(problem)
    assert problem.kept_at is not None and problem.kept_at.name.startswith("broken.toml.corrupt-")
    assert problem.kept_at.read_text().endswith('"https://x.edu\n')
    assert not store.path("broken").exists()


def test_listing_goes_on_past_a_corrupt_profile(store: ProfileStore) -> None:
    store.create(_full_profile())
    store.path("broken").write_bytes(b"\xff\xfe not text")
    listings = store.list()
    assert [(item.name, item.summary is not None, item.problem is not None) for item in listings] == [
        ("broken", False, True),
        ("production", True, False),
    ]
    # The bad file is kept aside, and a new profile of that name does not overwrite it.
    kept = [p for p in store.folder.iterdir() if ".corrupt-" in p.name]
    assert len(kept) == 1 and kept[0].read_bytes() == b"\xff\xfe not text"
    store.create(Profile("broken"))
    assert kept[0].read_bytes() == b"\xff\xfe not text"


def test_wrong_shape_is_corrupt_not_a_crash(store: ProfileStore) -> None:
    store.ensure_folder()
    store.path("odd").write_text('canvas = "not a table"\n')
    with pytest.raises(CorruptProfile, match=r"\[canvas\] must be a table"):
        store.load("odd")


def test_unknown_keys_from_a_newer_version_survive_a_rewrite(store: ProfileStore) -> None:
    store.create(_full_profile())
    path = store.path("production")
    path.write_text(
        path.read_text().replace("schema = 1", "schema = 2\nfuture_flag = true") + "\n[future_table]\nanswer = 42\n"
    )
    loaded = store.load("production")
    loaded.profile.client_id = "5678"
    store.save(loaded)
    data = tomllib.loads(path.read_text())
    assert data["future_flag"] is True and data["future_table"] == {"answer": 42}
    assert data["schema"] == 2
    assert data["vendor"]["client_id"] == "5678"


def test_a_change_by_another_process_is_detected_not_lost(store: ProfileStore) -> None:
    store.create(_full_profile())
    mine = store.load("production")
    theirs = store.load("production")
    theirs.profile.client_id = "9999"
    store.save(theirs)
    mine.profile.key_name = "Ally (mine)"
    with pytest.raises(ProfileConflict, match="changed by another ally-wizard"):
        store.save(mine)
    assert store.load("production").profile.client_id == "9999"


def test_saving_twice_from_one_reader_is_fine(store: ProfileStore) -> None:
    loaded = store.create(_full_profile())
    loaded.profile.client_id = "1"
    loaded = store.save(loaded)
    loaded.profile.client_id = "2"
    store.save(loaded)
    assert store.load("production").profile.client_id == "2"


def test_create_refuses_an_existing_name(store: ProfileStore) -> None:
    store.create(_full_profile())
    with pytest.raises(ProfileConflict, match="already exists"):
        store.create(Profile("production"))


def test_delete_and_missing(store: ProfileStore) -> None:
    store.create(_full_profile())
    store.delete("production")
    with pytest.raises(ProfileNotFound):
        store.load("production")
    with pytest.raises(ProfileNotFound):
        store.delete("production")


@pytest.mark.parametrize("name", ["", "../etc", "a/b", ".hidden", "name with space", "x" * 65, "é"])
def test_bad_profile_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="cannot be a profile name"):
        Profile(name)


def test_home_follows_the_environment_variable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ALLY_WIZARD_HOME", str(tmp_path / "elsewhere"))
    assert default_home() == tmp_path / "elsewhere"
    assert ProfileStore().folder == tmp_path / "elsewhere" / "profiles"


@pytest.mark.parametrize("name", ["prod\n", "CON", "nul", "com1", "LPT9", "aux.backup", "Con.2026"])
def test_profile_name_refuses_trailing_newline_and_windows_device_names(store: ProfileStore, name: str) -> None:
    with pytest.raises(ValueError, match="cannot be a profile name"):
        store.path(name)


def test_profile_name_may_contain_a_device_name_inside_it(store: ProfileStore) -> None:
    assert store.path("console").name == "console.toml"
    assert store.path("prod-con").name == "prod-con.toml"


@pytest.mark.parametrize(
    "body",
    [
        "x = " + "[" * 100_000 + "]" * 100_000 + "\n",  # deep enough for RecursionError inside tomllib
        "x = " + "[" * 400 + "]" * 400 + "\n",  # loads, but deepcopy and tomli_w would recurse too deep
        "x = " + "{a = " * 200 + "1" + "}" * 200 + "\n",
    ],
    ids=["arrays-100k", "arrays-400", "inline-tables-200"],
)
def test_deeply_nested_toml_is_a_corrupt_profile_moved_aside(store: ProfileStore, body: str) -> None:
    store.ensure_folder()
    store.path("deep").write_text(body, encoding="utf-8")
    with pytest.raises(CorruptProfile, match="nested more than") as caught:
        store.load("deep")
    assert caught.value.kept_at is not None and caught.value.kept_at.exists()
    assert not store.path("deep").exists()
    store.create(Profile("deep"))  # the name is free again and saves work


def test_listing_reports_a_deeply_nested_profile_as_a_problem(store: ProfileStore) -> None:
    store.create(_full_profile())
    store.path("deep").write_text("x = " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    listed = {entry.name: entry for entry in store.list()}
    assert listed["production"].summary is not None
    assert listed["deep"].problem is not None


def test_a_save_removes_temp_files_a_killed_save_left(store: ProfileStore) -> None:
    loaded = store.create(_full_profile())
    folder = store.folder
    stale = [folder / ".production.toml.abcd_123.tmp", folder / ".production.toml.zz99yy88.tmp"]
    other = folder / ".production.toml.b.toml.abcd1234.tmp"  # a temp file of another profile ("production.toml.b")
    unrelated = folder / "notes.tmp"
    for path in (*stale, other, unrelated):
        path.write_bytes(b"half a profile")
    loaded.profile.client_id = "5678"  # an unchanged profile is not written at all
    store.save(loaded)
    assert not any(path.exists() for path in stale)
    assert other.exists() and unrelated.exists()


@pytest.mark.skipif(os.name == "nt", reason="POSIX locks and symlinks")
def test_lock_file_planted_as_a_symlink_is_not_followed(store: ProfileStore, tmp_path: Path) -> None:
    loaded = store.create(_full_profile())
    target = tmp_path / "victim"
    lock = store.folder / ".production.toml.lock"
    lock.unlink()
    lock.symlink_to(target)
    loaded.profile.client_id = "5678"  # an unchanged profile is not written at all
    with pytest.raises(ProfileError, match="lock file"):
        store.save(loaded)
    assert not target.exists()


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes and symlinks")
def test_folder_mode_is_not_changed_through_a_symlink(tmp_path: Path) -> None:
    elsewhere = tmp_path / "shared"
    elsewhere.mkdir(mode=0o755)
    elsewhere.chmod(0o755)
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    (home / "profiles").symlink_to(elsewhere)
    ProfileStore(home).ensure_folder()
    assert stat.S_IMODE(elsewhere.stat().st_mode) == 0o755


def _refuse_full_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: ProfileStore, name: str) -> object:
        raise AssertionError(f"{name} was read in full")

    monkeypatch.setattr(ProfileStore, "load", refuse)


def test_a_listing_shows_what_the_profile_says(store: ProfileStore) -> None:
    original = _full_profile()
    store.create(original)
    [listing] = store.list()
    summary = listing.summary
    assert summary is not None and summary == store.load("production").profile.summary()
    assert (summary.canvas_url, summary.environment, summary.steps_done) == ("https://canvas.school.edu", "eu", 2)
    assert summary.next_step is StepId.CREATE_KEY
    assert summary.scopes_verified((ACCOUNTS, "url:PUT|/api/v1/files/:id", "url:GET|/api/v1/users")) == 1
    assert summary.last_check == dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)
    assert summary.last_result is CheckStatus.FAIL


def test_a_second_listing_reads_no_profile_in_full(store: ProfileStore, monkeypatch: pytest.MonkeyPatch) -> None:
    store.create(_full_profile())
    store.create(Profile("test-2026", canvas_url="https://school.test.instructure.com"))
    first = store.list()
    _refuse_full_reads(monkeypatch)
    assert store.list() == first


def test_a_saved_change_shows_in_the_next_listing(store: ProfileStore) -> None:
    loaded = store.create(_full_profile())
    store.list()
    loaded.profile.canvas_url = "https://new.school.edu"
    loaded.profile.mark(StepId.CREATE_KEY, StepState.DONE)
    store.save(loaded)
    [listing] = store.list()
    assert listing.summary is not None
    assert (listing.summary.canvas_url, listing.summary.steps_done) == ("https://new.school.edu", 3)


def test_a_profile_corrupted_after_a_listing_is_still_found_and_moved_aside(store: ProfileStore) -> None:
    store.create(_full_profile())
    store.list()
    store.path("production").write_text("not = = toml")
    [listing] = store.list()
    assert listing.summary is None and listing.problem is not None
    assert not store.path("production").exists()
    assert store.list() == []


def test_deleted_and_added_profiles_are_listed_as_they_are(store: ProfileStore) -> None:
    store.create(_full_profile())
    store.list()
    store.delete("production")
    store.create(Profile("test-2026"))
    assert [listing.name for listing in store.list()] == ["test-2026"]


@pytest.mark.parametrize(
    "content",
    [b"\xff not json", b"[]", b'{"version": 99, "profiles": {}}', b'{"version": 1, "profiles": {"production": 7}}'],
)
def test_an_unreadable_summaries_file_is_rebuilt(store: ProfileStore, content: bytes) -> None:
    store.create(_full_profile())
    expected = store.list()
    (store.folder / ".summaries.json").write_bytes(content)
    assert store.list() == expected
    assert (store.folder / ".summaries.json").read_bytes() != content


def test_a_summary_naming_another_profile_is_not_used(store: ProfileStore) -> None:
    store.create(_full_profile())
    store.list()
    path = store.folder / ".summaries.json"
    text = path.read_text()
    assert '"name":"production"' in text
    path.write_text(text.replace('"name":"production"', '"name":"elsewhere"'))
    [listing] = store.list()
    assert listing.summary is not None and listing.summary.name == "production"


def test_the_summaries_file_is_private_and_not_a_profile(store: ProfileStore) -> None:
    store.create(_full_profile())
    store.list()
    assert stat.S_IMODE((store.folder / ".summaries.json").stat().st_mode) == 0o600
    assert store.names() == ["production"]


def test_saving_what_was_read_writes_nothing(store: ProfileStore) -> None:
    store.create(_full_profile())
    before = store.path("production").stat()
    loaded = store.load("production")
    assert store.save(loaded) is loaded
    after = store.path("production").stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    loaded.profile.client_id = "5678"
    store.save(loaded)
    assert store.path("production").stat().st_ino != before.st_ino
    assert store.load("production").profile.client_id == "5678"


def test_saving_twice_without_a_change_writes_once(store: ProfileStore) -> None:
    loaded = store.create(_full_profile())
    loaded.profile.key_name = "Ally"
    saved = store.save(loaded)
    inode = store.path("production").stat().st_ino
    assert store.save(saved) is saved
    assert store.path("production").stat().st_ino == inode


@pytest.mark.parametrize(
    "cache",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"version": 1, "profiles": {"production": {"stamp": [1,2,3,4], "summary": 7}}}',
        "\xff",
    ],
    ids=["deep", "mistyped", "not-utf8"],
)
def test_a_hostile_summaries_cache_is_only_a_cache_miss(store: ProfileStore, cache: str) -> None:
    store.create(_full_profile())
    (store.folder / ".summaries.json").write_text(cache, encoding="latin-1")
    assert [entry.name for entry in store.list()] == ["production"]
