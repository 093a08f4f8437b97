"""Profiles on disk: one TOML file per profile, written atomically, kept private, never lost.

- Writes go to a temp file in the same folder, are fsynced, then renamed over the old file, so a crash
  leaves either the old profile or the new one, never half of one.
- Files are 0600 in a 0700 folder: a profile names the institution's Canvas and key.
- A corrupt file is moved aside (`NAME.toml.corrupt-<timestamp>`) and reported, never overwritten; a file
  nested deeper than any profile is counts as corrupt, so no reader or writer can hit Python's recursion limit.
- Temp files left by a save that was killed are removed by the next save of that profile (under its lock).
- No symbolic link is followed for the lock file or when tightening a folder's mode.
- Keys written by a newer ally-wizard are kept on rewrite.
- Each load remembers the file's digest; saving over a file that changed since then raises
  `ProfileConflict` instead of silently dropping the other process's changes.
- Listing reads a summary of each profile from one file beside them (`.summaries.json`), so it does not
  parse every stored report. The summaries are only a cache: each is kept with the identity of the profile
  file it came from (inode, size, modification and change times, taken before the file was read), and a
  profile whose file no longer matches is read in full again, which is also where a corrupt one is found.
  The profile files stay the only record; deleting the summaries file loses nothing.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import hashlib
import json
import os
import re
import stat
import sys
import tempfile
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomli_w

from ally_wizard.canvas.report import Report
from ally_wizard.profile import (
    SCHEMA_VERSION,
    Profile,
    ProfileSummary,
    ScopeStatus,
    StepId,
    StepProgress,
    StepState,
    check_profile_name,
    utcnow,
)
from ally_wizard.toml_errors import describe_toml_error

HOME_ENV = "ALLY_WIZARD_HOME"
APP_NAME = "ally-wizard"
SUFFIX = ".toml"
SUMMARIES = ".summaries.json"
SUMMARIES_VERSION = 1
_EMPTY_DIGEST = "absent"
# A profile's deepest value sits 4 levels down (last_verification.checks[n].evidence); 32 leaves room for keys
# a newer version may add, and is far below the depth where tomllib, deepcopy or tomli_w recurse too deep.
MAX_DEPTH = 32

if sys.platform != "win32":  # POSIX advisory locks serialize the check-then-rename of two processes.
    import fcntl


def default_home() -> Path:
    """The folder holding everything ally-wizard keeps: `$ALLY_WIZARD_HOME`, else the user config path."""
    override = os.environ.get(HOME_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs  # Imported here: only commands that touch profiles pay for it.

    return platformdirs.user_config_path(APP_NAME, appauthor=False)


class ProfileError(Exception):
    """A profile problem the admin must hear about, in plain words."""


class ProfileNotFound(ProfileError):
    """No profile of that name."""


class ProfileConflict(ProfileError):
    """The file changed on disk since it was read (another ally-wizard is editing it)."""


class CorruptProfile(ProfileError):
    """A profile that could not be read; it has been moved aside to `kept_at`."""

    def __init__(self, name: str, reason: str, line: int | None, kept_at: Path | None) -> None:
        self.name = name
        self.reason = reason
        self.line = line
        self.kept_at = kept_at
        where = f" (line {line})" if line else ""
        kept = f" It was kept as {kept_at.name}; fix or delete that file." if kept_at else ""
        super().__init__(f"Profile {name!r} could not be read: {reason}{where}.{kept}")


@dataclass(slots=True)
class Loaded:
    """A profile as read, with what is needed to write it back safely."""

    profile: Profile
    digest: str
    raw: dict[str, Any]


@dataclass(slots=True)
class Listing:
    """One entry of `ProfileStore.list`: a profile's summary, or the problem that kept it from loading."""

    name: str
    summary: ProfileSummary | None = None
    problem: CorruptProfile | None = None


def _depth_exceeds(value: object, limit: int) -> bool:
    """True when tables or arrays nest more than `limit` levels deep (walked without recursion)."""
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        children: Iterator[object]
        if isinstance(item, dict):
            children = iter(item.values())
        elif isinstance(item, list):
            children = iter(item)
        else:
            continue
        if depth >= limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


# What identifies one version of a profile file: inode, size, modification and change times (ns). Every
# save renames a new file into place, so it changes at least the inode and the change time.
_Stamp = tuple[int, int, int, int]


def _stamp(info: os.stat_result) -> _Stamp:
    return (info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def _digest(data: bytes | None) -> str:
    return _EMPTY_DIGEST if data is None else hashlib.sha256(data).hexdigest()


def _iso(value: object) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    return None


def _text(table: object, key: str) -> str:
    if isinstance(table, dict):
        value = table.get(key, "")
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            return str(value)
    return ""


def profile_from_dict(name: str, data: dict[str, Any]) -> Profile:
    """Build a profile from parsed TOML; raise `ValueError` with the reason if the shape is wrong."""
    schema = data.get("schema", SCHEMA_VERSION)
    if not isinstance(schema, int) or isinstance(schema, bool):
        raise ValueError("schema must be a whole number")
    canvas = data.get("canvas", {})
    vendor = data.get("vendor", {})
    for table_name, table in (("canvas", canvas), ("vendor", vendor)):
        if not isinstance(table, dict):
            raise ValueError(f"[{table_name}] must be a table")
    profile = Profile(
        name=name,
        canvas_url=_text(canvas, "url"),
        key_id=_text(canvas, "key_id"),
        key_name=_text(canvas, "key_name"),
        owner_email=_text(canvas, "owner_email"),
        environment=_text(vendor, "environment"),
        client_id=_text(vendor, "client_id"),
        recipe_id=_text(data, "recipe") or "ally",
        recipe_version=_text(data, "recipe_version"),
        created_at=_iso(data.get("created_at")) or utcnow(),
        updated_at=_iso(data.get("updated_at")) or utcnow(),
    )
    steps = data.get("steps", {})
    if not isinstance(steps, dict):
        raise ValueError("[steps] must be a table")
    for step in StepId:
        entry = steps.get(step.value)
        if isinstance(entry, dict):
            try:
                state = StepState(str(entry.get("state", StepState.NOT_STARTED.value)))
            except ValueError:
                state = StepState.NOT_STARTED
            profile.steps[step] = StepProgress(state, _iso(entry.get("started_at")), _iso(entry.get("done_at")))
    scopes = data.get("scopes", {})
    if not isinstance(scopes, dict):
        raise ValueError("[scopes] must be a table")
    for scope, status in scopes.items():
        try:
            profile.scopes[str(scope)] = ScopeStatus(str(status))
        except ValueError:
            profile.scopes[str(scope)] = ScopeStatus.UNKNOWN
    checklist = data.get("create_checklist", {})
    if isinstance(checklist, dict):
        ticks = checklist.get("done", [])
        if isinstance(ticks, list):
            profile.create_checklist = sorted({t for t in ticks if isinstance(t, int) and t >= 0})
    verification = data.get("last_verification")
    if isinstance(verification, dict):
        profile.last_verification = Report.from_dict(verification)
    return profile


def profile_to_dict(profile: Profile) -> dict[str, Any]:
    """The TOML tables of a profile (no secret or token: the profile has none to give)."""
    data: dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "name": profile.name,
        "recipe": profile.recipe_id,
        "recipe_version": profile.recipe_version,
        "created_at": profile.created_at,
        "updated_at": profile.updated_at,
        "canvas": {
            "url": profile.canvas_url,
            "key_id": profile.key_id,
            "key_name": profile.key_name,
            "owner_email": profile.owner_email,
        },
        "vendor": {"environment": profile.environment, "client_id": profile.client_id},
        "steps": {},
        "scopes": {scope: status.value for scope, status in profile.scopes.items()},
        "create_checklist": {"done": list(profile.create_checklist)},
    }
    for step, progress in profile.steps.items():
        entry: dict[str, Any] = {"state": progress.state.value}
        if progress.started_at:
            entry["started_at"] = progress.started_at
        if progress.done_at:
            entry["done_at"] = progress.done_at
        data["steps"][step.value] = entry
    if profile.last_verification is not None:
        data["last_verification"] = profile.last_verification.as_dict()
    return data


def _unchanged(merged: dict[str, Any], raw: dict[str, Any]) -> bool:
    """True when writing `merged` over `raw` would change nothing but the time of the write."""
    return {**merged, "updated_at": None} == {**raw, "updated_at": None}


def _merge(base: dict[str, Any], known: dict[str, Any]) -> dict[str, Any]:
    """Overlay what this version knows onto what the file held, keeping keys a newer version wrote."""
    merged = copy.deepcopy(base)
    for key, value in known.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    if isinstance(base.get("schema"), int) and base["schema"] > SCHEMA_VERSION:
        merged["schema"] = base["schema"]
    return merged


class ProfileStore:
    """The profiles folder: list, load, save, delete."""

    def __init__(self, home: Path | None = None) -> None:
        self.home = home if home is not None else default_home()
        self.folder = self.home / "profiles"

    def path(self, name: str) -> Path:
        """The file of a profile."""
        return self.folder / f"{check_profile_name(name)}{SUFFIX}"

    def ensure_folder(self) -> None:
        """Create the folders 0700, and tighten them if someone loosened them."""
        for folder in (self.home, self.folder):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            mode = folder.lstat().st_mode
            # A symlinked folder is left as it is: chmod would change the mode of whatever the link points at.
            if not stat.S_ISLNK(mode) and mode & 0o077:
                folder.chmod(0o700)

    def names(self) -> list[str]:
        """Profile names on disk, sorted."""
        return sorted(self._scan())

    def _scan(self) -> dict[str, _Stamp]:
        """Each profile file's name and stamp, in one pass over the folder."""
        found: dict[str, _Stamp] = {}
        try:
            entries = os.scandir(self.folder)
        except (FileNotFoundError, NotADirectoryError):
            return found
        with entries:
            for entry in entries:
                if not entry.name.endswith(SUFFIX) or entry.name.startswith("."):
                    continue
                try:
                    if entry.is_file():
                        found[entry.name[: -len(SUFFIX)]] = _stamp(entry.stat())
                except OSError:
                    continue
        return found

    def exists(self, name: str) -> bool:
        """True when a profile of this name is on disk."""
        return self.path(name).is_file()

    def list(self) -> list[Listing]:
        """Every profile's summary, by name; a corrupt one is moved aside and listed with its problem.

        A summary comes from the summaries file when the profile file is the one it was taken from;
        otherwise the profile is read in full, and the summaries file is rewritten.
        """
        files = self._scan()
        kept = self._read_summaries()
        result = []
        summaries: dict[str, tuple[_Stamp, ProfileSummary]] = {}
        read = False  # whether a profile was read in full (else `summaries` is `kept` less removed files)
        for name in sorted(files):
            stamp = files[name]
            cached = kept.get(name)
            if cached is not None and cached[0] == stamp:
                summaries[name] = cached
                result.append(Listing(name, summary=cached[1]))
                continue
            read = True
            try:
                summary = self.load(name).profile.summary()
            except CorruptProfile as problem:
                result.append(Listing(name, problem=problem))
                continue
            except (ProfileNotFound, ValueError):
                continue
            # The stamp was taken before the read: if the file changed in between, the summary is of
            # the newer file but the stamp of the older one, so the next listing reads it again.
            summaries[name] = (stamp, summary)
            result.append(Listing(name, summary=summary))
        # Compared by counts, not `summaries != kept`: that compares a thousand summaries field by field.
        if read or len(summaries) != len(kept):
            self._write_summaries(summaries)
        return result

    def _read_summaries(self) -> dict[str, tuple[_Stamp, ProfileSummary]]:
        """The kept summaries; an unreadable file or entry is only a cache miss."""
        try:
            data = json.loads((self.folder / SUMMARIES).read_bytes())
        except (OSError, ValueError, RecursionError):  # RecursionError: JSON nested too deep for the parser
            return {}
        if not isinstance(data, dict) or data.get("version") != SUMMARIES_VERSION:
            return {}
        entries = data.get("profiles")
        kept: dict[str, tuple[_Stamp, ProfileSummary]] = {}
        for name, entry in entries.items() if isinstance(entries, dict) else ():
            try:
                stamp = entry["stamp"]
                if not (isinstance(stamp, list) and len(stamp) == 4 and all(type(n) is int for n in stamp)):
                    continue
                summary = ProfileSummary.from_dict(entry["summary"])
            except (KeyError, TypeError, ValueError):
                continue
            if summary.name == name:
                kept[name] = ((stamp[0], stamp[1], stamp[2], stamp[3]), summary)
        return kept

    def _write_summaries(self, summaries: dict[str, tuple[_Stamp, ProfileSummary]]) -> None:
        """Replace the summaries file; failing to is harmless (the next listing reads the profiles)."""
        payload = {
            "version": SUMMARIES_VERSION,
            "profiles": {
                name: {"stamp": list(stamp), "summary": summary.as_dict()}
                for name, (stamp, summary) in summaries.items()
            },
        }
        with contextlib.suppress(OSError):
            atomic_write(self.folder / SUMMARIES, json.dumps(payload, separators=(",", ":")).encode("utf-8"))

    def load(self, name: str) -> Loaded:
        """Read a profile. A corrupt file is moved aside and `CorruptProfile` raised."""
        path = self.path(name)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise ProfileNotFound(f"There is no profile named {name!r}.") from None
        except OSError as exc:
            raise CorruptProfile(name, f"the file cannot be read ({exc.strerror})", None, None) from None
        try:
            raw = tomllib.loads(data.decode("utf-8"))
        except UnicodeDecodeError:
            raise CorruptProfile(name, "the file is not UTF-8 text", None, self._move_aside(path)) from None
        except tomllib.TOMLDecodeError as exc:
            reason, line = describe_toml_error(exc)
            raise CorruptProfile(name, f"not valid TOML: {reason}", line, self._move_aside(path)) from None
        except RecursionError:
            raw = None
        if raw is None or _depth_exceeds(raw, MAX_DEPTH):
            reason = f"its tables or arrays are nested more than {MAX_DEPTH} levels deep"
            raise CorruptProfile(name, reason, None, self._move_aside(path))
        try:
            profile = profile_from_dict(name, raw)
        except ValueError as exc:
            raise CorruptProfile(name, str(exc), None, self._move_aside(path)) from None
        return Loaded(profile, _digest(data), raw)

    def create(self, profile: Profile) -> Loaded:
        """Save a new profile; refuses to replace one that already exists."""
        if self.exists(profile.name):
            raise ProfileConflict(f"A profile named {profile.name!r} already exists. Choose another name.")
        return self.save(Loaded(profile, _EMPTY_DIGEST, {}))

    def save(self, loaded: Loaded) -> Loaded:
        """Write a profile atomically; raise `ProfileConflict` if the file changed since it was read.

        A profile that holds what was last read or written is not written again (screens save on every
        change event, and opening a step sends some that change nothing).
        """
        if loaded.raw and _unchanged(_merge(loaded.raw, profile_to_dict(loaded.profile)), loaded.raw):
            return loaded
        self.ensure_folder()
        path = self.path(loaded.profile.name)
        with self._locked(path):
            current = path.read_bytes() if path.exists() else None
            if _digest(current) != loaded.digest:
                raise ProfileConflict(
                    f"Profile {loaded.profile.name!r} was changed by another ally-wizard since it was opened. "
                    "Nothing was overwritten; open the profile again to see both sets of changes."
                )
            _remove_stale_temp_files(path)
            loaded.profile.updated_at = utcnow()
            merged = _merge(loaded.raw, profile_to_dict(loaded.profile))
            payload = tomli_w.dumps(merged).encode("utf-8")
            atomic_write(path, payload)
        return Loaded(loaded.profile, _digest(payload), merged)

    def delete(self, name: str) -> None:
        """Remove a profile's file."""
        try:
            self.path(name).unlink()
        except FileNotFoundError:
            raise ProfileNotFound(f"There is no profile named {name!r}.") from None

    def _move_aside(self, path: Path) -> Path | None:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        target = path.with_name(f"{path.name}.corrupt-{stamp}")
        try:
            os.replace(path, target)
        except OSError:
            return None
        return target

    @contextlib.contextmanager
    def _locked(self, path: Path) -> Iterator[None]:
        if sys.platform == "win32":  # pragma: no cover - the digest check still catches most conflicts
            yield
            return
        lock_path = path.with_name(f".{path.name}.lock")
        try:
            # O_NOFOLLOW: a lock file planted as a symlink must not make us create or open its target.
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        except OSError as exc:
            raise ProfileError(
                f"The lock file {lock_path.name} cannot be opened ({exc.strerror}); "
                "if it is a symbolic link, delete it and save again."
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def release(self, name: str) -> None:
        """Remove the profile's lock file when no other process holds or waits on it (a clean quit).

        The lock is taken without waiting and the file removed while it is held; one that is busy stays.
        """
        if sys.platform == "win32":  # pragma: no cover - no lock files there
            return
        lock_path = self.path(name).with_name(f".{self.path(name).name}.lock")
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_NOFOLLOW)
        except OSError:
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return
        try:
            with contextlib.suppress(OSError):
                lock_path.unlink()
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


def _remove_stale_temp_files(path: Path) -> None:
    """Delete temp files a killed save of this profile left behind.

    Called with the profile's lock held: every save writes its temp file under that lock, so any temp file
    of this profile seen now belongs to a save that died. The pattern is `atomic_write`'s exact name
    (`.NAME.toml.<8 random>.tmp`), so another profile's temp files never match.
    """
    pattern = re.compile(rf"\.{re.escape(path.name)}\.[A-Za-z0-9_]{{8}}\.tmp\Z")
    try:
        entries = list(path.parent.iterdir())
    except OSError:
        return
    for entry in entries:
        if pattern.match(entry.name):
            with contextlib.suppress(OSError):
                entry.unlink()


def atomic_write(path: Path, payload: bytes) -> None:
    """Write `payload` to `path` so that a crash leaves the old file or the new one, never a mix.

    The temp file is created 0600 in the same folder (so the rename stays on one file system), fsynced,
    renamed over the target, and the folder fsynced so the rename itself survives a power cut.
    """
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, 0o600)
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    with contextlib.suppress(OSError):
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
