"""Image hashing: MD5 and SHA-256 of the bytes, PDQ hash and quality (Meta's PDQ through the
``pdqhash`` bindings), and on request the 8 dihedral PDQ variants (PDQ itself is not mirror- or
rotation-invariant).

Bad input is refused with a reason before any pixel is decoded where possible: empty files, files
over the byte cap, data that is not an image of an allowed format, absurd dimensions and
decompression bombs (more pixels than the cap), truncated or corrupt data.

Files are hashed through ``hash_file``: the size is checked first (stat), MD5 and SHA-256 are taken
in 1 MiB chunks (constant memory whatever the size), and only a file under the byte cap is read and
decoded. A file over the cap is refused with a reason, and the refusal carries its MD5 and SHA-256
(``MediaError.hashes``) so exact-hash banks still match it (a large video, say).

High bit depth: 16-bit greyscale/RGB PNG and TIFF (Pillow modes ``I;16*``, ``I``, ``F``) are scaled
to 8 bits (divided by 257), not clipped, so a 16-bit copy hashes like its 8-bit original.

PDQ equals the reference: by default the full decoded image (RGB) goes to ``pdqhash`` exactly as the
reference does (``pdqhash.compute`` on the whole image), so hashes agree bit for bit with bare
``pdqhash``. A faster mode (``fast=True`` or ``CSEWATCH_PDQ_FAST=1``) decodes large JPEGs at reduced
scale (DCT scaling) and hashes a thumbnail of at most ``HASH_SIDE`` pixels a side: several times
faster, a few bits of drift (``benchmarks/bench_media.py`` prints the figures). Transparent images are
composited on white first (a viewer's rendering; the colour under transparent pixels is arbitrary).

Videos (MP4/MOV, WebM/Matroska, AVI, FLV, recognised by their header) are hashed with vPDQ
(``csewatch.media.video``): ``kind`` is ``video``, ``vpdq`` the frame hashes as text, ``frames`` their
count; MD5/SHA-256 as for any file.

Animated images (GIF, WebP, APNG): the PDQ hash is that of the first frame, by choice: it is the
frame a platform shows as the still/thumbnail and the one hash banks are usually built from. The
result says so (``frame`` = 0, ``frames`` = the frame count), so a reviewer knows a later frame was
not looked at.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import warnings
from pathlib import Path

import msgspec
import numpy as np
import pdqhash
from PIL import Image, UnidentifiedImageError

ALLOWED_FORMATS = frozenset({"JPEG", "PNG", "GIF", "WEBP", "BMP", "TIFF"})
MAX_BYTES = 50 * 1024 * 1024
MAX_PIXELS = 50_000_000  # decompression-bomb cap
MAX_SIDE = 30_000
HASH_SIDE = 512
Image.MAX_IMAGE_PIXELS = None  # we check the size ourselves, with a clear reason


class MediaError(ValueError):
    """An input that cannot be hashed; the message is the reason. ``hashes`` carries what could be
    hashed anyway (MD5/SHA-256 of a file over the byte cap), else None."""

    def __init__(self, reason: str, hashes: MediaHashes | None = None):
        super().__init__(reason)
        self.hashes = hashes


class MediaHashes(msgspec.Struct, frozen=True):
    md5: str
    sha256: str
    size: int
    pdq: str | None = None  # 64 hex digits, bits in order
    quality: int | None = None
    width: int | None = None
    height: int | None = None
    format: str | None = None
    dihedral: list[str] | None = None  # original, rot90, rot180, rot270, flipx, flipy, flip+1, flip-1
    frame: int | None = None  # which frame was PDQ-hashed (animated images: 0, the first)
    frames: int | None = None  # frame count of an animated image, or vPDQ frame hashes of a video; None for a still
    kind: str = "image"  # image | video
    vpdq: str | None = None  # video: vPDQ frame hashes as text (csewatch.media.video)


def bits_to_hex(bits: np.ndarray) -> str:
    return np.packbits(bits.astype(np.uint8)).tobytes().hex()


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def fast_default() -> bool:
    """The opt-in fast PDQ mode from the environment (``CSEWATCH_PDQ_FAST=1``); off by default."""
    return os.environ.get("CSEWATCH_PDQ_FAST", "").lower() in ("1", "true", "yes", "on")


def decode_image(
    data: bytes, max_pixels: int = MAX_PIXELS, fast: bool = False
) -> tuple[Image.Image, tuple[int, int], str]:
    """Open and decode an image in full (in fast mode a large JPEG at reduced scale), or raise
    MediaError with the reason. Returns the image, its size as stored and its format."""
    if not data:
        raise MediaError("empty file")
    if len(data) > MAX_BYTES:
        raise MediaError(f"{len(data)} bytes, over the cap of {MAX_BYTES}")
    try:
        img = Image.open(io.BytesIO(data))
    except UnidentifiedImageError:
        raise MediaError("not an image (no known image format)") from None
    except Exception as exc:  # noqa: BLE001 - Pillow raises many kinds on hostile input
        raise MediaError(f"corrupt or truncated image: {type(exc).__name__}: {exc}") from None
    fmt = img.format or "?"
    if fmt not in ALLOWED_FORMATS:
        raise MediaError(f"unsupported image format {fmt}")
    w, h = img.size
    if w <= 0 or h <= 0 or w > MAX_SIDE or h > MAX_SIDE:
        raise MediaError(f"absurd dimensions {w}x{h}")
    if w * h > max_pixels:
        raise MediaError(f"{w}x{h} = {w * h} pixels, over the cap of {max_pixels} (decompression bomb?)")
    if fast and fmt == "JPEG" and max(w, h) > 2 * HASH_SIDE:
        img.draft("RGB", (HASH_SIDE, HASH_SIDE))  # let the JPEG decoder scale down (DCT scaling)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img.load()
    except Exception as exc:  # noqa: BLE001
        raise MediaError(f"corrupt or truncated image: {exc}") from None
    return img, (w, h), fmt


_HIGH_DEPTH_MODES = ("I;16", "I;16L", "I;16B", "I;16N", "I", "F")


def _to_8bit(img: Image.Image) -> Image.Image:
    """A high-bit-depth image (16-bit or 32-bit integer, float) as 8-bit greyscale, scaled, not
    clipped: Pillow's own conversion clips everything over 255 to white."""
    arr = np.asarray(img)
    if img.mode.startswith("I;16"):
        scale = 65535.0
    elif img.mode == "F":
        top = float(np.nanmax(arr)) if arr.size else 1.0
        scale = 1.0 if top <= 1.0 else (255.0 if top <= 255.0 else 65535.0)
    else:  # "I": 32-bit ints, but 16-bit PNG/TIFF data in practice
        top = int(arr.max()) if arr.size else 0
        scale = 255.0 if top <= 255 else (65535.0 if top <= 65535 else float(2**32 - 1))
    arr = np.nan_to_num(arr.astype(np.float64), nan=0.0)
    out = np.clip(np.rint(arr * (255.0 / scale)), 0, 255).astype(np.uint8)
    return Image.fromarray(out, "L")


def _rgb_array(img: Image.Image, fast: bool = False) -> np.ndarray:
    """RGB pixels of the whole image (the reference's input); in fast mode at most HASH_SIDE on a side."""
    if img.mode in _HIGH_DEPTH_MODES:
        img = _to_8bit(img)
    if fast and max(img.size) > HASH_SIDE:
        img = img.copy() if img.mode == "RGB" else img
        img.thumbnail((HASH_SIDE, HASH_SIDE), Image.Resampling.BILINEAR)
    if img.mode != "RGB":
        if img.mode in ("RGBA", "LA", "P"):
            base = Image.new("RGB", img.size, (255, 255, 255))
            rgba = img.convert("RGBA")
            base.paste(rgba, mask=rgba.getchannel("A"))
            img = base
        else:
            img = img.convert("RGB")
    return np.asarray(img)


def sniff_video(head: bytes) -> str | None:
    """The container of a video from its first bytes (MP4/MOV, WebM/Matroska, AVI, FLV), else None."""
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return "MP4"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "MATROSKA"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "AVI"
    if head[:3] == b"FLV":
        return "FLV"
    return None


def _hash_video_path(path: Path, md5: str, sha: str, size: int, fmt: str) -> MediaHashes:
    from csewatch.media.video import VideoError, hash_video, to_text

    try:
        frames = hash_video(path)
    except VideoError as exc:
        raise MediaError(str(exc), MediaHashes(md5=md5, sha256=sha, size=size, kind="video", format=fmt)) from None
    return MediaHashes(
        md5=md5, sha256=sha, size=size, format=fmt, frames=len(frames), kind="video", vpdq=to_text(frames)
    )


def _file_digests(path: Path) -> tuple[str, str]:
    """MD5 and SHA-256 of a file, read in chunks (never whole)."""
    md5 = hashlib.md5(usedforsecurity=False)
    sha = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            md5.update(chunk)
            sha.update(chunk)
    return md5.hexdigest(), sha.hexdigest()


def hash_bytes(
    data: bytes, dihedral: bool = False, max_pixels: int = MAX_PIXELS, fast: bool | None = None
) -> MediaHashes:
    """All hashes of one image's (or video's) bytes; ``fast`` None means the environment's choice."""
    md5 = hashlib.md5(data, usedforsecurity=False).hexdigest() if data else ""
    sha = hashlib.sha256(data).hexdigest() if data else ""
    fast = fast_default() if fast is None else fast
    video = sniff_video(data[:16])
    if video and len(data) <= MAX_BYTES:
        with tempfile.TemporaryDirectory(prefix="csewatch-video-") as tmp:
            path = Path(tmp) / "media"
            path.write_bytes(data)
            return _hash_video_path(path, md5, sha, len(data), video)
    img, (width, height), fmt = decode_image(data, max_pixels, fast)
    n_frames = int(getattr(img, "n_frames", 1) or 1)
    if n_frames > 1:
        img.seek(0)
    arr = _rgb_array(img, fast)
    variants = None
    if dihedral:
        hashes, quality = pdqhash.compute_dihedral(arr)
        variants = [bits_to_hex(h) for h in hashes]
        pdq = variants[0]
    else:
        bits, quality = pdqhash.compute(arr)
        pdq = bits_to_hex(bits)
    return MediaHashes(
        md5=md5,
        sha256=sha,
        size=len(data),
        pdq=pdq,
        quality=int(quality),
        width=width,
        height=height,
        format=fmt,
        dihedral=variants,
        frame=0 if n_frames > 1 else None,
        frames=n_frames if n_frames > 1 else None,
    )


CHUNK = 1024 * 1024


def hash_file(
    path: str | Path,
    dihedral: bool = False,
    max_pixels: int = MAX_PIXELS,
    max_bytes: int = MAX_BYTES,
    fast: bool | None = None,
) -> MediaHashes:
    """All hashes of one image file, checking its size before reading it: MD5 and SHA-256 are taken
    in chunks; a file over ``max_bytes`` is refused (MediaError, with those digests in ``.hashes``)
    and never read whole nor decoded."""
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise MediaError("empty file")
    if size > max_bytes:
        md5, sha = _file_digests(path)
        digests = MediaHashes(md5=md5, sha256=sha, size=size)
        raise MediaError(f"{size} bytes, over the cap of {max_bytes} (not decoded)", digests)
    with open(path, "rb") as fh:
        video = sniff_video(fh.read(16))
    if video:  # hashed from the file itself (decoded by the vPDQ bindings or ffmpeg), never read whole
        return _hash_video_path(path, *_file_digests(path), size, video)
    return hash_bytes(path.read_bytes(), dihedral=dihedral, max_pixels=max_pixels, fast=fast)
