"""Known-media matching on benign images only: PDQ's public reference images and generated ones."""

import csv
import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from csewatch.detect import StreamState
from csewatch.detect.media import MediaDetector
from csewatch.media.bank import BankError, Banks, read_bank_file
from csewatch.media.hashing import MediaError, hamming, hash_bytes
from csewatch.media.index import PDQIndex, brute_force
from csewatch.media.matcher import MediaMatcher
from csewatch.media.store import LocalMediaStore
from csewatch.model import MediaRef, Post
from csewatch.pipeline import DetectionEngine
from csewatch.store import Store
from csewatch.triage import CaseBook

PDQ = Path(__file__).resolve().parents[1] / "data" / "pdq"
TOLERANCE = 16  # documented: implementations differ by "a few" bits (decoders); far inside 31


def _expected(name: str) -> list[tuple[str, int, str]]:
    with open(PDQ / name) as fh:
        return [(h, int(q), p) for h, q, p in csv.reader(fh)]


@pytest.mark.parametrize("csv_name", ["expected-python-bridge-mods.csv", "expected-java-dih.csv"])
def test_reference_hashes_reproduce_within_tolerance(csv_name):
    distances = {}
    for expected, quality, path in _expected(csv_name):
        h = hash_bytes((PDQ / path).read_bytes())
        distances[path] = hamming(h.pdq, expected)
        assert h.quality == quality
    assert max(distances.values()) <= TOLERANCE, distances
    assert sum(distances.values()) / len(distances) <= 8, distances


def test_dihedral_variants_match_the_rotated_references():
    original = hash_bytes((PDQ / "dih" / "bridge-1-original.jpg").read_bytes(), dihedral=True)
    assert len(original.dihedral) == 8 and original.dihedral[0] == original.pdq
    for expected, _q, path in _expected("expected-java-dih.csv"):
        best = min(hamming(v, expected) for v in original.dihedral)
        assert best <= TOLERANCE, path
    rotated = [e for e, _q, p in _expected("expected-java-dih.csv") if "rotate-90" in p][0]
    assert hamming(original.pdq, rotated) > 31  # PDQ alone is not rotation-invariant


def _image(seed: int, size=(320, 240)) -> Image.Image:
    rng = np.random.default_rng(seed)
    img = Image.new("RGB", size, tuple(int(x) for x in rng.integers(0, 255, 3)))
    d = ImageDraw.Draw(img)
    for _ in range(12):
        x0, y0 = rng.integers(0, size[0]), rng.integers(0, size[1])
        x1, y1 = x0 + rng.integers(20, 160), y0 + rng.integers(20, 160)
        d.ellipse([x0, y0, x1, y1], fill=tuple(int(x) for x in rng.integers(0, 255, 3)))
    return img


def _jpeg(img: Image.Image, quality: int = 90) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png_header(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims the given size (a decompression bomb's shape, without the bomb)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", zlib.compress(b"\0" * 16)) + _chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    "data,reason",
    [
        (b"", "empty file"),
        (b"hello, this is text", "not an image"),
        (_jpeg(_image(1))[:600], "corrupt or truncated"),
        (_png_header(20_000, 20_000), "over the cap"),
        (_png_header(40_000, 10), "absurd dimensions"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "not an image"),
    ],
)
def test_bad_media_is_refused_with_a_reason(data, reason):
    with pytest.raises(MediaError, match=reason):
        hash_bytes(data)


def test_unsupported_format_and_pixel_cap():
    buf = io.BytesIO()
    _image(2, (64, 64)).save(buf, "ICO")
    with pytest.raises(MediaError, match="unsupported image format ICO"):
        hash_bytes(buf.getvalue())
    with pytest.raises(MediaError, match="decompression bomb"):
        hash_bytes(_jpeg(_image(3, (400, 400))), max_pixels=100_000)


def test_index_equals_brute_force_on_random_data():
    rng = np.random.default_rng(11)
    db = rng.integers(0, 256, size=(3000, 32), dtype=np.uint8)
    queries = db[rng.choice(3000, 200, replace=False)].copy()
    bits = np.unpackbits(queries, axis=1)
    for row in bits:  # plant near neighbours at 0..40 bits
        flip = rng.choice(256, size=rng.integers(0, 41), replace=False)
        row[flip] ^= 1
    queries = np.packbits(bits, axis=1)
    expected = brute_force(db, queries, 31)
    assert sum(len(r) for r in expected) > 100  # the test is not vacuous
    for method in ("numpy", "mih", "faiss"):
        index = PDQIndex(radius=31, method=method)
        index.add(db)
        assert index.kind == method
        assert index.search(queries) == expected, method
    from csewatch.media import mih

    for bits in (16, 20, 23):  # every table shape keeps the pigeonhole guarantee
        assert mih.MIHTable(db, 31, bits=bits).search(queries) == expected, bits
    # the compiled kernel and the NumPy gathers agree, with duplicates in the bank and a query with
    # more neighbours than the kernel's buffer (100 copies of one hash: the NumPy path takes over)
    dup = np.concatenate([db, np.repeat(db[:1], 100, axis=0)])
    queries = np.concatenate([queries, dup[:1]])
    expected = brute_force(dup, queries, 31)
    assert len(expected[-1]) == 101
    table = mih.MIHTable(dup, 31, bits=16)
    try:
        for force in (False, True):
            mih._FORCE_NUMPY = force
            assert table.search(queries) == expected, force
    finally:
        mih._FORCE_NUMPY = False
    assert mih._KERNEL is not None  # numba is a dependency: the compiled path is the one tested first


def test_mih_radius_split_and_any_search_radius():
    from csewatch.media import mih

    # r = s*m + a: s flips on the first a+1 chunks, s-1 on the rest; the sum over chunks exceeds r,
    # so a hash with more flips than that on every chunk is more than r bits away
    for r, m in ((31, 11), (31, 12), (5, 11), (0, 11), (40, 16)):
        radii = mih.chunk_radii(r, m)
        assert sum(int(x) + 1 for x in radii) == r + 1
    assert list(mih.chunk_radii(31, 11)) == [2] * 10 + [1]
    rng = np.random.default_rng(5)
    db = rng.integers(0, 256, size=(4000, 32), dtype=np.uint8)
    bits = np.unpackbits(db[:300], axis=1)
    for row in bits:
        row[rng.choice(256, size=rng.integers(0, 45), replace=False)] ^= 1
    queries = np.packbits(bits, axis=1)
    table = mih.MIHTable(db, 31, bits=18)
    for r in (0, 7, 20, 31, 40):  # the probes follow the search radius, not the build radius
        expected = brute_force(db, queries, r)
        assert table.search(queries, r) == expected, r
        mih._FORCE_NUMPY = True
        try:
            assert table.search(queries, r) == expected, r
        finally:
            mih._FORCE_NUMPY = False
    assert sum(len(x) for x in brute_force(db, queries, 40)) > sum(len(x) for x in brute_force(db, queries, 31))


def test_mih_kernel_candidate_buffer_overflow():
    """More candidates than the kernel's buffer in one bucket (real banks repeat chunks: blank or
    near-identical images): the buffer is checked and refilled mid-bucket, nothing is lost."""
    from csewatch.media import mih

    rng = np.random.default_rng(8)
    n = mih._BUF + 1500
    db = rng.integers(0, 256, size=(n, 32), dtype=np.uint8)
    # the first 112 bits shared by every hash: the first 16-bit chunk and the 96-bit fingerprint after
    # it, so every hash passes the fingerprint and is a candidate; the other 144 bits tell them apart
    db[:, :14] = 0
    queries = db[rng.choice(n, 20, replace=False)].copy()
    queries[:, 20] ^= 0xFF  # 8 bits away from their source
    expected = brute_force(db, queries, 31)
    assert all(len(e) >= 1 for e in expected) and sum(len(e) for e in expected) < 100
    assert mih.MIHTable(db, 31, bits=16).search(queries) == expected


def test_index_persistence_and_incremental_add(tmp_path):
    rng = np.random.default_rng(3)
    db = rng.integers(0, 256, size=(500, 32), dtype=np.uint8)
    idx = PDQIndex(method="mih")
    idx.add(db)
    idx.save(tmp_path / "ix", {"versions": {"b": 1}})
    loaded, info = PDQIndex.load(tmp_path / "ix")
    assert info["versions"] == {"b": 1} and isinstance(loaded.hashes, np.memmap)
    assert loaded.search(db[:3]) == idx.search(db[:3])
    extra = rng.integers(0, 256, size=(5, 32), dtype=np.uint8)
    loaded.add(extra)  # goes to the delta, no rebuild
    assert loaded.built == 500
    assert [r[0] for r in loaded.search(extra)] == [(500 + i, 0) for i in range(5)]
    assert loaded.search(db[:3]) == idx.search(db[:3])


def test_index_saves_and_reloads_its_tables(tmp_path):
    rng = np.random.default_rng(4)
    db = rng.integers(0, 256, size=(2000, 32), dtype=np.uint8)
    queries = db[:50].copy()
    queries[:, 7] ^= 0x0F
    idx = PDQIndex(method="mih")
    idx.add(db)
    expected = idx.search(queries)
    idx.save(tmp_path / "ix")
    for mmap_tables in (False, True):
        loaded, _info = PDQIndex.load(tmp_path / "ix", mmap_tables=mmap_tables)
        assert loaded._table is not None and loaded.built == 2000  # no rebuild needed
        assert isinstance(loaded._table.tables()[0], np.memmap) == mmap_tables
        assert loaded.search(queries) == expected == brute_force(db, queries, 31)
    # tables that do not fit the hashes (another build's) are dropped and rebuilt on first search
    np.save(tmp_path / "ix" / "mih_offsets.npy", np.zeros((3, 9), dtype=np.int32))
    loaded, _info = PDQIndex.load(tmp_path / "ix")
    assert loaded._table is None
    assert loaded.search(queries) == expected


def test_bank_import_formats_and_rejects(tmp_path):
    pdq = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
    (tmp_path / "a.csv").write_text(
        f"hash,type,category,source\n{pdq},pdq,test_cat,hotline\nzz,pdq,x,y\n{'a' * 32},md5,c,s\n"
    )
    (tmp_path / "b.tsv").write_text(f"signal_type\tsignal_value\ttags\nHASH_PDQ\t{pdq.upper()}\tx\n")
    (tmp_path / "c.jsonl").write_text(
        f'{{"signal_type": "sha256", "signal_value": "{"b" * 64}", "category": "c"}}\nnot json\n'
    )
    rows, rejects = read_bank_file(tmp_path / "a.csv")
    assert [r["hash_type"] for _n, r in rows] == ["pdq", "md5"] and rows[0][1]["source"] == "hotline"
    assert rejects == [(3, "not a pdq hash: expected 64 hex digits, got 'zz'")]
    rows, _ = read_bank_file(tmp_path / "b.tsv")
    assert rows[0][1]["value"] == pdq and rows[0][1]["hash_type"] == "pdq"
    rows, rejects = read_bank_file(tmp_path / "c.jsonl")
    assert rows[0][1]["hash_type"] == "sha256" and rejects[0][0] == 2
    (tmp_path / "d.csv").write_text(f"hash\n{pdq}\n")
    _rows, rejects = read_bank_file(tmp_path / "d.csv")
    assert "give a type column" in rejects[0][1]
    (tmp_path / "e.csv").write_text("name,foo\nx,y\n")
    with pytest.raises(BankError, match="header needs a hash column"):
        read_bank_file(tmp_path / "e.csv")


def test_bank_versions_and_matches_record_them(tmp_path):
    store = Store(str(tmp_path / "b.db"))
    banks = Banks(store)
    a = hash_bytes(_jpeg(_image(10))).pdq
    b = hash_bytes(_jpeg(_image(20))).pdq
    v1, added, _ = banks.add("internal", [dict(hash_type="pdq", value=a, category="c1", source="s", added_at=1.0)])
    assert (v1, added) == (1, 1)
    v2, added, unchanged = banks.add(
        "internal",
        [
            dict(hash_type="pdq", value=a, category="c1", source="s", added_at=1.0),
            dict(hash_type="pdq", value=b, category="c2", source="s", added_at=2.0),
        ],
    )
    assert (v2, added, unchanged) == (2, 1, 1)
    m = MediaMatcher(banks).match_hashes(hash_bytes(_jpeg(_image(20), 60)))
    assert [(x.bank, x.bank_version, x.category) for x in m] == [("internal", 2, "c2")]
    v3, removed = banks.remove("internal", [b])
    assert (v3, removed) == (3, 1)
    assert MediaMatcher(banks).match_hashes(hash_bytes(_jpeg(_image(20), 60))) == []
    assert banks.stats() == [{"bank": "internal", "version": 3, "pdq": 1, "md5": 0, "sha256": 0, "vpdq": 0}]
    # expired entries are not in force
    banks.add("iwf", [dict(hash_type="sha256", value="c" * 64, category="c", source="s", added_at=1.0, expires_at=5.0)])
    assert banks.active("iwf") == []


def test_low_quality_hashes_are_not_matched(tmp_path):
    store = Store(str(tmp_path / "q.db"))
    flat = Image.new("RGB", (200, 200), (120, 120, 120))
    h = hash_bytes(_jpeg(flat))
    assert h.quality < 50
    Banks(store).add("internal", [dict(hash_type="pdq", value=h.pdq, category="c", source="s", added_at=1.0)])
    assert MediaMatcher(Banks(store)).match_hashes(h) == []


def test_pipeline_transformed_copy_of_banked_image_is_a_top_case(tmp_path, policy):
    store = Store(str(tmp_path / "p.db"))
    banked = (PDQ / "labelme-subset" / "q0291.jpg").read_bytes()
    Banks(store).add(
        "internal",
        [dict(hash_type="pdq", value=hash_bytes(banked).pdq, category="test_known", source="unit-test", added_at=1.0)],
    )
    img = Image.open(io.BytesIO(banked)).convert("RGB")
    w, h = img.size
    copy = img.resize((w // 2, h // 2))  # downscaled and re-encoded at JPEG quality 45
    media = LocalMediaStore(tmp_path / "media")
    sha = media.put(_jpeg(copy, 45), "jpg")
    other = media.put(_jpeg(_image(99)), "jpg")
    detector = MediaDetector(media, MediaMatcher(Banks(store)))
    engine = DetectionEngine(policy, detector)
    book = CaseBook(engine.triage)
    state = StreamState()
    posts = [
        Post(id="1", platform="native", author_id="a", text="nice day", media=[MediaRef(id="m1", sha256=sha)]),
        Post(id="2", platform="native", author_id="b", text="selling cp vids dm 20$"),
        Post(id="3", platform="native", author_id="c", text="my cat", media=[MediaRef(id="m2", sha256=other)]),
    ]
    for post in posts:
        _signals, verdict = engine.process(post, None, state)
        if verdict:
            book.add(verdict, post, None)
    cases = book.finalize()
    assert cases[0].id == "native:account:a" and cases[0].category == "known_material" and cases[0].severity == 5
    assert [c.subject_id for c in cases] == ["a", "b"]
    assert detector.counts["matched"] == 1 and detector.counts["hashed"] == 2


def test_exact_md5_and_sha256_matches(tmp_path):
    store = Store(str(tmp_path / "x.db"))
    data = _jpeg(_image(5))
    h = hash_bytes(data)
    Banks(store).add("ncmec", [dict(hash_type="md5", value=h.md5, category="c", source="s", added_at=1.0)])
    Banks(store).add("iwf", [dict(hash_type="sha256", value=h.sha256, category="c", source="s", added_at=1.0)])
    got = sorted((m.bank, m.hash_type, m.distance) for m in MediaMatcher(Banks(store)).match_hashes(h))
    assert got == [("iwf", "sha256", 0), ("ncmec", "md5", 0)]
    assert MediaMatcher(Banks(store)).match_hashes(hash_bytes(_jpeg(_image(5), 70))) == []  # bytes differ


# --- robustness: size checked before reading, high bit depth, animated images (hardening items 5, 6) ---


def _sparse(path: Path, size: int) -> Path:
    with open(path, "wb") as fh:
        fh.truncate(size)  # sparse: no disk used, but every byte must be read to hash it
    return path


def test_a_file_over_the_cap_is_refused_without_being_read_whole(tmp_path):
    import hashlib
    import tracemalloc

    from csewatch.media.hashing import MAX_BYTES, hash_file

    big = _sparse(tmp_path / "big.mp4", MAX_BYTES + 8 * 1024 * 1024)
    tracemalloc.start()
    try:
        with pytest.raises(MediaError, match="over the cap") as info:
            hash_file(big)
        _cur, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024, peak  # streamed in chunks, not read whole (58 MB)
    zeros = hashlib.sha256()
    for _ in range(big.stat().st_size // (1024 * 1024)):
        zeros.update(bytes(1024 * 1024))
    assert info.value.hashes.sha256 == zeros.hexdigest() and info.value.hashes.size == big.stat().st_size


def test_cli_hash_of_an_oversized_file_streams_and_gives_a_reason(tmp_path):
    import json
    import tracemalloc

    from typer.testing import CliRunner

    from csewatch.cli import app
    from csewatch.media.hashing import MAX_BYTES

    big = _sparse(tmp_path / "big.bin", MAX_BYTES + 4 * 1024 * 1024)
    tracemalloc.start()
    try:
        r = CliRunner().invoke(app, ["hash", str(big), "--json"])
        _cur, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert r.exit_code == 0, r.output
    row = json.loads(r.output)[0]
    assert "over the cap" in row["error"] and len(row["sha256"]) == 64 and "pdq" not in row
    assert peak < 8 * 1024 * 1024, peak


def test_media_detector_streams_a_large_video_and_still_matches_its_sha256(tmp_path):
    from csewatch.media.hashing import MAX_BYTES, hash_file

    media = tmp_path / "media"
    media.mkdir()
    big = _sparse(media / "v1.mp4", MAX_BYTES + 1024 * 1024)
    with pytest.raises(MediaError) as info:
        hash_file(big)
    store = Store(str(tmp_path / "s.db"))
    banks = Banks(store)
    bank_file = tmp_path / "bank.csv"
    bank_file.write_text(f"hash,category\n{info.value.hashes.sha256},test_known\n")
    banks.import_file("internal", bank_file, default_type="sha256")
    det = MediaDetector(LocalMediaStore(media), MediaMatcher(banks))
    h, matches = det._check(MediaRef(id="v1", kind="video"))
    assert det.counts["rejected: over the byte cap"] == 1
    assert [m.hash_type for m in matches] == ["sha256"] and h.pdq is None


def _gradient(size=(256, 192)) -> np.ndarray:
    """A benign test card: two gradients and a few rectangles, 8-bit RGB."""
    w, h = size
    x = np.linspace(0, 255, w)[None, :].repeat(h, 0)
    y = np.linspace(0, 255, h)[:, None].repeat(w, 1)
    arr = np.stack([x, y, (x + y) / 2], axis=-1)
    arr[40:90, 30:120] = (250, 20, 20)
    arr[120:170, 150:230] = (10, 10, 200)
    return arr.astype(np.uint8)


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


@pytest.mark.parametrize("fmt", ["PNG", "TIFF"])
def test_a_16_bit_copy_hashes_like_its_8_bit_original(fmt):
    grey8 = Image.fromarray(_gradient()).convert("L")
    original = hash_bytes(_png(grey8))
    wide = (np.asarray(grey8).astype(np.uint16) * 257).astype(np.uint16)  # the same picture at 16 bits
    img16 = Image.fromarray(wide)
    assert img16.mode.startswith("I;16")
    buf = io.BytesIO()
    img16.save(buf, fmt)
    copy = hash_bytes(buf.getvalue())
    assert copy.quality > 0 and copy.quality >= original.quality - 10, (copy.quality, original.quality)
    assert hamming(copy.pdq, original.pdq) <= 8


def test_a_16_bit_rgb_png_hashes_like_its_8_bit_original():
    rgb8 = _gradient()
    original = hash_bytes(_png(Image.fromarray(rgb8)))
    rgb16 = rgb8.astype(np.uint16) * 257
    # a 48-bit RGB PNG written by hand (Pillow cannot write one): IHDR bit depth 16, colour type 2
    h, w = rgb16.shape[:2]
    raw = b"".join(b"\x00" + rgb16[r].astype(">u2").tobytes() for r in range(h))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    data = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    copy = hash_bytes(data)
    assert copy.quality > 0 and hamming(copy.pdq, original.pdq) <= 8


def test_an_animated_image_says_which_frame_was_hashed():
    frames = [Image.fromarray(_gradient()), Image.fromarray(255 - _gradient())]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], duration=100)
    h = hash_bytes(buf.getvalue())
    assert (h.frame, h.frames) == (0, 2)
    first = hash_bytes(_png(frames[0].convert("P").convert("RGB")))
    assert hamming(h.pdq, first.pdq) <= 16
    still = hash_bytes(_png(frames[0]))
    assert (still.frame, still.frames) == (None, None)
