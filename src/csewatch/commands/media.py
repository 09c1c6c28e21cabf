"""``csewatch hash`` and ``match``: hashes of media files, and their matches in the banks in force."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from csewatch.commands.common import DbOpt, JsonOpt, console
from csewatch.store import Store

commands = typer.Typer()  # top-level commands, merged into the main app by csewatch.cli


def media_detector(store: Store, media_dir: Path, index_dir: Path | None, dihedral: bool = False):
    from csewatch.detect.media import MediaDetector
    from csewatch.media.bank import Banks
    from csewatch.media.matcher import MediaMatcher
    from csewatch.media.store import LocalMediaStore

    return MediaDetector(LocalMediaStore(media_dir), MediaMatcher(Banks(store), index_dir=index_dir), dihedral)


@commands.command("hash")
def hash_cmd(
    files: list[Path] = typer.Argument(..., exists=True, dir_okay=False),
    dihedral: bool = typer.Option(False, "--dihedral", help="Also the 8 rotations/mirrors"),
    fast: bool = typer.Option(False, "--fast", help="Fast PDQ (reduced-scale decode; a few bits off the reference)"),
    as_json: bool = JsonOpt,
) -> None:
    """Hashes of media files, every registered type that applies (images: PDQ and quality; videos: vPDQ
    frame hashes; any file: MD5, SHA-256); bad files get a reason."""
    import msgspec

    from csewatch.media.hashing import MediaError, hash_file
    from csewatch.media.hashtypes import REGISTRY
    from csewatch.media.video import parse as parse_vpdq

    rows = []
    for f in files:  # size checked before reading; digests streamed; over the cap: refused, never decoded
        try:
            h = msgspec.to_builtins(hash_file(f, dihedral=dihedral, fast=fast or None))
            h["types"] = [name for name in REGISTRY if h.get(name)]
            if h.get("vpdq"):  # the video's frame hashes, one object per sampled frame
                h["vpdq_frames"] = [vars(fr) for fr in parse_vpdq(h["vpdq"])]
            rows.append({"file": str(f), **h})
        except MediaError as exc:
            known = msgspec.to_builtins(exc.hashes) if exc.hashes is not None else {}
            rows.append({"file": str(f), **{k: v for k, v in known.items() if v is not None}, "error": str(exc)})
    if as_json:
        print(json.dumps(rows))
        return
    t = Table(title="hashes")
    for col in ("file", "pdq", "quality", "size", "sha256", "error"):
        t.add_column(col, overflow="fold")
    for r in rows:
        t.add_row(
            r["file"],
            r.get("pdq") or (f"vpdq: {r['frames']} frames" if r.get("vpdq") else ""),
            "" if r.get("quality") is None else str(r["quality"]),
            f"{r['width']}x{r['height']}" if r.get("width") else "",
            r.get("sha256", ""),
            r.get("error", ""),
        )
    console.print(t)


@commands.command()
def match(
    files: list[Path] = typer.Argument(..., exists=True, dir_okay=False),
    db: str = DbOpt,
    radius: int = typer.Option(31, "--radius", min=0, max=128),
    dihedral: bool = typer.Option(False, "--dihedral", help="Match rotated and mirrored copies too"),
    as_json: bool = JsonOpt,
) -> None:
    """Match image and video files against every bank in force (every registered hash type)."""
    import msgspec

    from csewatch.media.bank import Banks
    from csewatch.media.hashing import MediaError, hash_file
    from csewatch.media.matcher import MediaMatcher

    matcher = MediaMatcher(Banks(Store(db)), radius=radius)
    rows = []
    for f in files:
        try:
            h = hash_file(f, dihedral=dihedral)
            matches = matcher.match_hashes(h)
            rows.append(
                {
                    "file": str(f),
                    "kind": h.kind,
                    "pdq": h.pdq,
                    "frames": h.frames if h.kind == "video" else None,
                    "quality": h.quality,
                    "low_quality": h.kind == "image" and (h.quality or 0) < matcher.quality_floor,
                    "matches": [msgspec.to_builtins(m) for m in matches],
                }
            )
        except MediaError as exc:  # over the byte cap: the streamed digests still meet the exact-hash banks
            exact = matcher.match_hashes(exc.hashes) if exc.hashes is not None else []
            rows.append({"file": str(f), "error": str(exc), "matches": [msgspec.to_builtins(m) for m in exact]})
    if as_json:
        print(json.dumps(rows))
        return
    t = Table(title=f"matches (radius {radius})")
    for col in ("file", "quality", "bank@version", "type", "distance", "category", "variant"):
        t.add_column(col, overflow="fold")
    for r in rows:
        if r.get("error"):
            t.add_row(r["file"], "", f"error: {r['error']}", "", "", "", "")
        elif not r["matches"]:
            t.add_row(
                r["file"],
                str(r["quality"]),
                "no match" + (" (low quality)" if r["low_quality"] else ""),
                "",
                "",
                "",
                "",
            )
        for m in r["matches"]:
            t.add_row(
                r["file"],
                str(r.get("quality", "")),
                f"{m['bank']}@v{m['bank_version']}",
                m["hash_type"],
                str(m["distance"]),
                m["category"],
                m["variant"],
            )
    console.print(t)
