"""Edits of a policy pack by leads: promote a candidate hashtag to watch or blocked, add a term to
an indicator list. The bundled default pack is never edited in place.

Each edit is atomic and serialised: under an exclusive lock file in the pack directory it reads the
pack, refuses a stale edit (``expected_version`` given and no longer current: PolicyConflict), applies
the change with a round-trip YAML parser (comments, order and quoting survive), bumps the pack's
version, validates the result in a scratch copy, keeps the files it replaces under ``.history/`` for
rollback, and only then moves each new file into place (temp file in the same directory, fsync,
``os.replace``), so a reader sees either the old file or the new one, never half of one."""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from csewatch.policy import DEFAULT_DIR, FILES, PolicyError, load_policy

STATES = ("candidate", "watch", "blocked")
LOCK_FILE = ".edit.lock"
HISTORY_DIR = ".history"
KEEP_HISTORY = 100


class PolicyConflict(PolicyError):
    """The pack changed since the editor read it (a stale edit): reload and retry."""


def _check_dir(directory: str | Path) -> Path:
    d = Path(directory).resolve()
    if d == DEFAULT_DIR.resolve():
        raise PolicyError("the bundled default pack is read-only: copy it and serve with --policy DIR")
    return d


def bump_version(version: str) -> str:
    """2026.11.1 -> 2026.11.2; anything else gets '.1' appended."""
    m = re.match(r"^(.*?)(\d+)$", version)
    return f"{m.group(1)}{int(m.group(2)) + 1}" if m else f"{version}.1"


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096  # never re-wrap long lines
    y.indent(mapping=2, sequence=4, offset=2)  # the packs' style: "  - item" under a key
    return y


def _load(text: str, name: str) -> Any:
    try:
        return _yaml().load(text)
    except YAMLError as exc:
        raise PolicyError(f"{name}: not valid YAML: {exc}") from exc


def _dump(data: Any) -> str:
    buf = io.StringIO()
    _yaml().dump(data, buf)
    return buf.getvalue()


@contextlib.contextmanager
def _locked(d: Path) -> Iterator[None]:
    """The pack's edit lock (one editor at a time, across threads and processes)."""
    fd = os.open(d / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        with contextlib.suppress(OSError):
            os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _validate(d: Path, new_texts: dict[str, str]) -> None:
    """Load the pack as it would be after the edit, in a scratch copy; PolicyError when invalid."""
    with tempfile.TemporaryDirectory(prefix=".validate-", dir=d) as scratch:
        s = Path(scratch)
        for src in d.iterdir():  # every file of the pack (it may hold more than FILES), hidden ones aside
            if src.is_file() and not src.name.startswith(".") and src.name not in new_texts:
                shutil.copyfile(src, s / src.name)
        for name, text in new_texts.items():
            (s / name).write_text(text, encoding="utf-8")
        try:
            load_policy(s)
        except PolicyError as exc:
            raise PolicyError(str(exc).replace(str(s), str(d))) from None


def _snapshot(d: Path, version: str, texts: dict[str, str]) -> Path:
    """Keep the files an edit replaces, for rollback: .history/<time>-<version>/."""
    h = d / HISTORY_DIR
    h.mkdir(exist_ok=True)
    snap = h / f"{time.time_ns():020d}-{re.sub(r'[^A-Za-z0-9._-]', '_', version)}"
    snap.mkdir()
    for name, text in texts.items():
        (snap / name).write_text(text, encoding="utf-8")
    old = sorted(p for p in h.iterdir() if p.is_dir())
    for p in old[:-KEEP_HISTORY]:
        shutil.rmtree(p, ignore_errors=True)
    return snap


def history(directory: str | Path) -> list[tuple[str, Path]]:
    """Kept versions, oldest first: (pack version, snapshot directory)."""
    h = Path(directory) / HISTORY_DIR
    if not h.is_dir():
        return []
    return [(p.name.split("-", 1)[1], p) for p in sorted(h.iterdir()) if p.is_dir()]


def current_version(directory: str | Path) -> str:
    return str(_load((Path(directory) / "pack.yaml").read_text(encoding="utf-8"), "pack.yaml")["version"])


def _edit(
    directory: str | Path,
    names: list[str],
    change: Callable[[dict[str, Any]], None],
    expected_version: str | None,
    new_texts: Callable[[dict[str, Any]], dict[str, str]] | None = None,
) -> str:
    """Apply ``change`` to the parsed files ``names`` (and pack.yaml) under the lock; returns the new version."""
    d = _check_dir(directory)
    with _locked(d):
        texts = {name: (d / name).read_text(encoding="utf-8") for name in [*names, "pack.yaml"]}
        docs = {name: _load(text, name) for name, text in texts.items()}
        version = str(docs["pack.yaml"]["version"])
        if expected_version is not None and str(expected_version) != version:
            raise PolicyConflict(
                f"the pack changed since you read it (version {expected_version}, now {version}): reload and retry"
            )
        change(docs)
        new_version = bump_version(version)
        docs["pack.yaml"]["version"] = DoubleQuotedScalarString(new_version)
        out = {name: _dump(doc) for name, doc in docs.items()}
        if new_texts is not None:
            out.update(new_texts(docs))
        _validate(d, out)
        _snapshot(d, version, texts)
        for name in [*names, "pack.yaml"]:  # the version last: it names content already in place
            _atomic_write(d / name, out[name])
    return new_version


def set_hashtag_state(directory: str | Path, tag: str, state: str, expected_version: str | None = None) -> str:
    """Move ``tag`` to ``state`` (removing it from the other lists); returns the new pack version."""
    if state not in STATES:
        raise PolicyError(f"state must be one of {', '.join(STATES)}")
    tag = tag.lstrip("#").strip()
    if not tag:
        raise PolicyError("empty hashtag")

    def change(docs: dict[str, Any]) -> None:
        data = docs["hashtags.yaml"]
        for s in STATES:
            items = data.get(s)
            if items is None:
                continue
            for i in reversed(range(len(items))):  # in place: the list keeps its comments
                if str(items[i]).lower() == tag.lower():
                    del items[i]
        if data.get(state) is None:
            data[state] = []
        data[state].append(tag)

    return _edit(directory, ["hashtags.yaml"], change, expected_version)


def add_term(
    directory: str | Path, indicator: str, term: str, ambiguous: bool = False, expected_version: str | None = None
) -> str:
    """Add ``term`` to the ``indicator`` list; returns the new pack version."""
    term = term.strip()
    if not term:
        raise PolicyError("empty term")

    def change(docs: dict[str, Any]) -> None:
        data = docs["terms.yaml"]
        if indicator not in data["indicators"]:
            raise PolicyError(f"unknown indicator {indicator!r}")
        items = data["indicators"][indicator]
        if items is None:
            items = data["indicators"][indicator] = []
        if ambiguous:
            from ruamel.yaml.comments import CommentedMap

            entry = CommentedMap([("term", term), ("ambiguous", True)])
            entry.fa.set_flow_style()  # like the pack's own {term: x, ambiguous: true}
            items.append(entry)
        else:
            items.append(term)

    return _edit(directory, ["terms.yaml"], change, expected_version)


def rollback(directory: str | Path, expected_version: str | None = None) -> str:
    """Restore the files the last edit replaced (the previous version's content) as a new version.
    The state rolled back from is kept in the history too: rolling back again undoes the rollback."""
    d = _check_dir(directory)
    kept = history(d)
    if not kept:
        raise PolicyError(f"{d}: no earlier version kept to roll back to")
    _old_version, snap = kept[-1]
    names = sorted(p.name for p in snap.iterdir() if p.name in FILES and p.name != "pack.yaml")
    restored = {name: (snap / name).read_text(encoding="utf-8") for name in names}

    def new_texts(docs: dict[str, Any]) -> dict[str, str]:
        out = dict(restored)
        if (snap / "pack.yaml").exists():  # the old pack settings, with a version after the current one
            pack = _load((snap / "pack.yaml").read_text(encoding="utf-8"), "pack.yaml")
            pack["version"] = docs["pack.yaml"]["version"]
            out["pack.yaml"] = _dump(pack)
        return out

    return _edit(d, names, lambda docs: None, expected_version, new_texts)


__all__ = [
    "STATES",
    "PolicyConflict",
    "add_term",
    "bump_version",
    "current_version",
    "history",
    "rollback",
    "set_hashtag_state",
]
