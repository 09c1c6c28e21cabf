"""Image hashing: MD5 and SHA-256 of the bytes, PDQ hash and quality (Meta's PDQ through the
``pdqhash`` bindings), and on request the 8 dihedral PDQ variants (PDQ itself is not mirror- or
rotation-invariant).

Bad input is refused with a reason before any pixel is decoded where possible: empty files, files
over the byte cap, data that is not an image of an allowed format, absurd dimensions and
decompression bombs (more pixels than the cap), truncated or corrupt data.
"""

from __future__ import annotations

import hashlib
import io
import warnings

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
    """An input that cannot be hashed; the message is the reason."""


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


def bits_to_hex(bits: np.ndarray) -> str:
    return np.packbits(bits.astype(np.uint8)).tobytes().hex()


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def decode_image(data: bytes, max_pixels: int = MAX_PIXELS) -> tuple[Image.Image, tuple[int, int], str]:
    """Open and decode an image (a large JPEG at reduced scale), or raise MediaError with the reason.
    Returns the image, its size as stored and its format."""
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
    if fmt == "JPEG" and max(w, h) > 2 * HASH_SIDE:
        img.draft("RGB", (HASH_SIDE, HASH_SIDE))  # let the JPEG decoder scale down (DCT scaling)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img.load()
    except Exception as exc:  # noqa: BLE001
        raise MediaError(f"corrupt or truncated image: {exc}") from None
    return img, (w, h), fmt


def _rgb_array(img: Image.Image) -> np.ndarray:
    """RGB pixels at most HASH_SIDE on a side: PDQ works from a 64x64 reduction, and hashing the
    downscaled image reproduces the reference hashes as closely as the full one, several times faster."""
    if max(img.size) > HASH_SIDE:
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


def hash_bytes(data: bytes, dihedral: bool = False, max_pixels: int = MAX_PIXELS) -> MediaHashes:
    """All hashes of one image's bytes."""
    md5 = hashlib.md5(data, usedforsecurity=False).hexdigest() if data else ""
    sha = hashlib.sha256(data).hexdigest() if data else ""
    img, (width, height), fmt = decode_image(data, max_pixels)
    arr = _rgb_array(img)
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
    )
