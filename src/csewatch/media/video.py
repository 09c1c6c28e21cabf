"""Video hashing and matching with vPDQ (Meta's video PDQ): a video is sampled at one frame per
second, each sampled frame is PDQ-hashed, and the hash of the video is the list of those frame
hashes with their frame number, quality and timestamp.

Hashing uses the ``vpdq`` bindings (the ``video`` extra; they build against FFmpeg's development
libraries). Without them, or with ``CSEWATCH_VPDQ_BACKEND=ffmpeg``, frames are decoded by the
``ffmpeg`` program (a subprocess, one frame per second as raw RGB) and hashed with ``pdqhash``: the
same algorithm, though frame choice and scaling may differ from the bindings by a few bits.

Matching follows the published vPDQ criterion: both hashes are quality-filtered (frames below the
quality floor are dropped) and de-duplicated (identical frame hashes count once); the query-match
percentage is the share of the query's frames within the distance threshold of some frame of the
compared video, the compare-match percentage the share of the compared video's frames within the
threshold of some query frame. A pair matches when both reach their thresholds (defaults: 80% of the
query, 0% of the compared video, so a trimmed clip of a banked video matches).

Text form (what banks store): frames separated by ``;``, each ``frame,pdqhex,quality,timestamp``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pdqhash

DISTANCE_THRESHOLD = 31  # PDQ bits, inclusive, as for images
QUALITY_THRESHOLD = 50
QUERY_MATCH_PERCENT = 80.0
COMPARE_MATCH_PERCENT = 0.0
SECONDS_PER_HASH = 1.0
MAX_FRAMES = 36_000  # ten hours at one frame per second


class VideoError(ValueError):
    """A video that cannot be hashed; the message is the reason."""


@dataclass(frozen=True)
class VPDQFrame:
    frame: int
    pdq: str  # 64 hex digits
    quality: int
    timestamp: float


def backend() -> str:
    """``vpdq`` when the bindings import (and are not switched off), else ``ffmpeg``, else ``none``."""
    if os.environ.get("CSEWATCH_VPDQ_BACKEND", "").lower() != "ffmpeg":
        try:
            import vpdq  # noqa: F401

            return "vpdq"
        except ImportError:
            pass
    return "ffmpeg" if shutil.which("ffmpeg") and shutil.which("ffprobe") else "none"


def to_text(frames: list[VPDQFrame]) -> str:
    return ";".join(f"{f.frame},{f.pdq},{f.quality},{f.timestamp:.3f}" for f in frames)


def parse(value: str) -> list[VPDQFrame]:
    """Frames of a vPDQ text value; ValueError with the reason when it is malformed."""
    v = value.strip().lower()
    if not v:
        raise ValueError("empty vPDQ hash")
    out = []
    for i, part in enumerate(v.split(";")):
        fields = part.strip().split(",")
        if len(fields) != 4:
            raise ValueError(f"vPDQ frame {i}: expected frame,pdq,quality,timestamp, got {part[:80]!r}")
        num, hx, q, ts = fields
        if len(hx) != 64 or any(c not in "0123456789abcdef" for c in hx):
            raise ValueError(f"vPDQ frame {i}: not a PDQ hash (64 hex digits): {hx[:80]!r}")
        try:
            frame, quality, timestamp = int(num), int(q), float(ts)
        except ValueError:
            raise ValueError(f"vPDQ frame {i}: frame, quality and timestamp must be numbers: {part[:80]!r}") from None
        if frame < 0 or not 0 <= quality <= 100 or not timestamp >= 0:
            raise ValueError(f"vPDQ frame {i}: frame, quality (0-100) or timestamp out of range: {part[:80]!r}")
        out.append(VPDQFrame(frame, hx, quality, timestamp))
    if len(out) > MAX_FRAMES:
        raise ValueError(f"{len(out)} frames, over the cap of {MAX_FRAMES}")
    return out


def _probe(path: Path) -> tuple[int, int, float]:
    cmd = ["ffprobe", "-v", "error", "-select_streams", "v:0"]
    cmd += ["-show_entries", "stream=width,height,avg_frame_rate", "-of", "json", str(path)]
    r = subprocess.run(cmd, capture_output=True, timeout=60, check=False)
    streams = json.loads(r.stdout or b"{}").get("streams") or []
    if r.returncode != 0 or not streams:
        why = r.stderr.decode(errors="replace").strip()[:120] or "no video stream"
        raise VideoError(f"not a video (ffprobe: {why})")
    s = streams[0]
    num, _, den = str(s.get("avg_frame_rate") or "0/1").partition("/")
    fps = float(num) / float(den or 1) if float(den or 1) else 0.0
    return int(s["width"]), int(s["height"]), fps


def _hash_ffmpeg(path: Path, seconds_per_hash: float) -> list[VPDQFrame]:
    w, h, fps = _probe(path)
    if w <= 0 or h <= 0 or w * h > 50_000_000:
        raise VideoError(f"absurd video dimensions {w}x{h}")
    # every step-th decoded frame, as the vPDQ bindings pick them (frame 0, then one per seconds_per_hash)
    step = max(1, int(round(fps * seconds_per_hash))) if fps > 0 else 0
    pick = [f"select=not(mod(n\\,{step}))", "-vsync", "0"] if step else [f"fps=1/{seconds_per_hash}"]
    cmd = ["ffmpeg", "-v", "error", "-nostdin", "-i", str(path), "-map", "0:v:0", "-vf", *pick]
    cmd += ["-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    size = w * h * 3
    out: list[VPDQFrame] = []
    assert proc.stdout is not None
    try:
        while len(out) < MAX_FRAMES:
            buf = proc.stdout.read(size)
            if len(buf) < size:
                break
            bits, quality = pdqhash.compute(np.frombuffer(buf, dtype=np.uint8).reshape(h, w, 3))
            i = len(out)
            frame = i * step if step else i
            hx = np.packbits(bits.astype(np.uint8)).tobytes().hex()
            out.append(VPDQFrame(frame, hx, int(quality), frame / fps if step else i * seconds_per_hash))
    finally:
        proc.stdout.close()
        proc.kill()
        stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        proc.wait()
    if not out:
        raise VideoError(f"no frames decoded ({stderr.strip()[:120] or 'empty video'})")
    return out


def _hash_vpdq(path: Path, seconds_per_hash: float) -> list[VPDQFrame]:
    import vpdq

    try:
        feats = vpdq.computeHash(str(path), seconds_per_hash=seconds_per_hash, thread_count=1)
    except Exception as exc:  # noqa: BLE001 - the bindings raise plain errors on undecodable input
        raise VideoError(f"not a decodable video: {type(exc).__name__}: {exc}") from None
    if not feats:
        raise VideoError("no frames decoded")
    seen: set[tuple[int, str]] = set()
    out = []
    for f in feats:  # the bindings can repeat the first frame; keep one of each (frame, hash)
        key = (int(f.frame_number), f.hex)
        if key not in seen:
            seen.add(key)
            out.append(VPDQFrame(int(f.frame_number), f.hex.lower(), int(f.quality), float(f.timestamp)))
    return out[:MAX_FRAMES]


def hash_video(path: str | Path, seconds_per_hash: float = SECONDS_PER_HASH) -> list[VPDQFrame]:
    """vPDQ frame hashes of a video file (VideoError with the reason when it cannot be hashed)."""
    which = backend()
    if which == "none":
        raise VideoError("video hashing needs the vpdq bindings (the video extra) or ffmpeg; neither is here")
    return _hash_vpdq(Path(path), seconds_per_hash) if which == "vpdq" else _hash_ffmpeg(Path(path), seconds_per_hash)


def _prepared(frames: list[VPDQFrame], quality: int) -> np.ndarray:
    """Quality-filtered, de-duplicated frame hashes as an (N, 32) uint8 array."""
    unique = sorted({f.pdq for f in frames if f.quality >= quality})
    if not unique:
        return np.zeros((0, 32), dtype=np.uint8)
    return np.frombuffer(bytes.fromhex("".join(unique)), dtype=np.uint8).reshape(-1, 32)


def match_percent(
    query: list[VPDQFrame],
    compared: list[VPDQFrame],
    distance: int = DISTANCE_THRESHOLD,
    quality: int = QUALITY_THRESHOLD,
) -> tuple[float, float]:
    """(query-match %, compare-match %) of two vPDQ hashes, as published for vPDQ."""
    q, c = _prepared(query, quality), _prepared(compared, quality)
    if not len(q) or not len(c):
        return 0.0, 0.0
    q_hit = np.zeros(len(q), dtype=bool)
    c_hit = np.zeros(len(c), dtype=bool)
    for start in range(0, len(q), 256):  # blocks of query frames: memory stays bounded on long videos
        block = q[start : start + 256]
        d = np.bitwise_count(np.bitwise_xor(block[:, None, :], c[None, :, :])).sum(axis=2, dtype=np.int32)
        close = d <= distance
        q_hit[start : start + len(block)] = close.any(axis=1)
        c_hit |= close.any(axis=0)
    return 100.0 * q_hit.mean(), 100.0 * c_hit.mean()


def is_match(
    query: list[VPDQFrame],
    compared: list[VPDQFrame],
    query_percent: float = QUERY_MATCH_PERCENT,
    compare_percent: float = COMPARE_MATCH_PERCENT,
    distance: int = DISTANCE_THRESHOLD,
    quality: int = QUALITY_THRESHOLD,
) -> tuple[bool, float, float]:
    qm, cm = match_percent(query, compared, distance, quality)
    return (qm >= query_percent and cm >= compare_percent and qm > 0), qm, cm
