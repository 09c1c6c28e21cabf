"""Edits of a policy pack by leads: promote a candidate hashtag to watch or blocked, add a term to
an indicator list. Each edit rewrites the YAML, bumps the pack's version, and must leave a pack that
validates; otherwise nothing is written. The bundled default pack is never edited in place."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from csewatch.policy import DEFAULT_DIR, PolicyError, load_policy

STATES = ("candidate", "watch", "blocked")


def _check_dir(directory: str | Path) -> Path:
    d = Path(directory).resolve()
    if d == DEFAULT_DIR.resolve():
        raise PolicyError("the bundled default pack is read-only: copy it and serve with --policy DIR")
    return d


def bump_version(version: str) -> str:
    """2026.11.1 -> 2026.11.2; anything else gets '.1' appended."""
    m = re.match(r"^(.*?)(\d+)$", version)
    return f"{m.group(1)}{int(m.group(2)) + 1}" if m else f"{version}.1"


def _write_validated(d: Path, files: dict[str, dict]) -> str:
    """Write the changed files plus a bumped pack.yaml; restore everything if the result is invalid."""
    pack_path = d / "pack.yaml"
    old = {name: (d / name).read_text() for name in [*files, "pack.yaml"]}
    pack = yaml.safe_load(old["pack.yaml"])
    pack["version"] = bump_version(str(pack["version"]))
    try:
        for name, data in files.items():
            (d / name).write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
        pack_path.write_text(yaml.safe_dump(pack, sort_keys=False, allow_unicode=True))
        load_policy(d)
    except Exception:
        for name, text in old.items():
            (d / name).write_text(text)
        raise
    return pack["version"]


def set_hashtag_state(directory: str | Path, tag: str, state: str) -> str:
    """Move ``tag`` to ``state`` (removing it from the other lists); returns the new pack version."""
    if state not in STATES:
        raise PolicyError(f"state must be one of {', '.join(STATES)}")
    d = _check_dir(directory)
    data = yaml.safe_load((d / "hashtags.yaml").read_text())
    tag = tag.lstrip("#").strip()
    if not tag:
        raise PolicyError("empty hashtag")
    for s in STATES:
        data[s] = [t for t in (data.get(s) or []) if t.lower() != tag.lower()]
    data[state].append(tag)
    return _write_validated(d, {"hashtags.yaml": data})


def add_term(directory: str | Path, indicator: str, term: str, ambiguous: bool = False) -> str:
    d = _check_dir(directory)
    data = yaml.safe_load((d / "terms.yaml").read_text())
    if indicator not in data["indicators"]:
        raise PolicyError(f"unknown indicator {indicator!r}")
    term = term.strip()
    if not term:
        raise PolicyError("empty term")
    data["indicators"][indicator].append({"term": term, "ambiguous": True} if ambiguous else term)
    return _write_validated(d, {"terms.yaml": data})
