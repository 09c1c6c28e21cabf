"""Hash types as classes: the registry contract (every type against its own examples), PDQ equal to
the bare ``pdqhash`` reference, and the registry driving banks, NCMEC file details and graph links.
Benign images only: PDQ's public reference images and generated gradients/shapes."""

import io
from pathlib import Path

import numpy as np
import pdqhash
import pytest
from PIL import Image, ImageDraw

from csewatch.media.bank import BankError, Banks, normalize_hash, read_bank_file
from csewatch.media.hashing import bits_to_hex, hamming, hash_bytes
from csewatch.media.hashtypes import REGISTRY, HashType, InvalidHash, build_registry, media_link_value, resolve
from csewatch.store import Store

PDQ = Path(__file__).resolve().parents[1] / "data" / "pdq"


@pytest.mark.parametrize("name", list(REGISTRY))
def test_every_type_matches_its_examples_validates_its_values_and_refuses_malformed_ones(name):
    ht = REGISTRY[name]
    assert isinstance(ht, HashType) and ht.name == name and ht.content
    examples = ht.examples()
    assert examples, f"{name} has no examples"
    for content, expected in examples:
        assert ht.validate(expected) == expected  # its own values are valid and already normal
        assert ht.validate(expected.upper() if name != "vpdq" else expected) == expected
        assert ht.is_valid(expected) is None
        assert ht.distance(expected, expected) == 0 and ht.match(expected, expected)
        if content is not None:
            data = content() if callable(content) else content
            assert ht.hash_bytes(data) == [expected]
    for bad in ht.malformed_examples():
        with pytest.raises(InvalidHash) as info:
            ht.validate(bad)
        assert name in str(info.value) and len(str(info.value)) > len(name) + 5  # a reason, not a bare error
        assert ht.is_valid(bad)


def test_registry_names_aliases_and_manifest_paths():
    assert list(REGISTRY) == ["sha256", "md5", "pdq", "vpdq"]
    assert resolve("HASH_PDQ").name == "pdq" and resolve("video_vpdq").name == "vpdq" and resolve("nope") is None
    again = build_registry(["csewatch.media.hashtypes:SHA256", "csewatch.media.hashtypes:PDQ"])
    assert list(again) == ["sha256", "pdq"]
    with pytest.raises(ValueError, match="twice"):
        build_registry(["csewatch.media.hashtypes:PDQ", "csewatch.media.hashtypes:PDQ"])
    assert media_link_value({"pdq": "p", "sha256": "s"}) == "s" and media_link_value({"pdq": "p"}) == "p"
    assert media_link_value({"id": "x"}) is None


def test_banks_validate_through_the_registry(tmp_path):
    pdq_value = hash_bytes((PDQ / "bridge-mods" / "aaa-orig.jpg").read_bytes()).pdq
    frame = "0," + "ab" * 32 + ",100,0.000"
    assert normalize_hash(frame.upper(), "vpdq") == frame
    with pytest.raises(BankError, match="unknown hash type"):
        normalize_hash("ab" * 16, "photodna")
    f = tmp_path / "b.jsonl"
    f.write_text(
        f'{{"signal_type": "HASH_PDQ", "signal_value": "{pdq_value}"}}\n'
        f'{{"signal_type": "video_vpdq", "signal_value": "{frame};25,{"cd" * 32},90,1.000"}}\n'
        f'{{"signal_value": "{frame}"}}\n'  # the shape of a vPDQ value names its type
        '{"signal_type": "vpdq", "signal_value": "0,abc,100,0"}\n'
    )
    rows, rejects = read_bank_file(f)
    assert [r["hash_type"] for _n, r in rows] == ["pdq", "vpdq", "vpdq"]
    assert [n for n, _r in rejects] == [4] and "vpdq" in rejects[0][1]
    banks = Banks(Store(str(tmp_path / "s.db")))
    _v, added, _u = banks.add("internal", [r for _n, r in rows])
    assert added == 3 and banks.stats()[0]["vpdq"] == 2  # long values stored whole
    assert any(len(e["value"]) > 64 for e in banks.active("internal", "vpdq"))


def _reference(data: bytes) -> tuple[str, int]:
    """What bare pdqhash gives: the full decoded image as RGB."""
    bits, quality = pdqhash.compute(np.asarray(Image.open(io.BytesIO(data)).convert("RGB")))
    return bits_to_hex(bits), int(quality)


def test_pdq_equals_the_reference_on_the_public_reference_images():
    files = sorted(PDQ.glob("*/*.jpg"))
    assert len(files) >= 20
    for f in files:
        data = f.read_bytes()
        h = hash_bytes(data)
        assert (h.pdq, h.quality) == _reference(data), f.name


def _generated(seed: int, size=(1200, 900)) -> bytes:
    """A benign ~1-megapixel JPEG: a gradient with shapes."""
    rng = np.random.default_rng(seed)
    w, hgt = size
    t = np.linspace(0, 1, w)[None, :, None]
    c1, c2 = rng.integers(0, 255, 3), rng.integers(0, 255, 3)
    img = Image.fromarray(((c1 * (1 - t) + c2 * t) * np.ones((hgt, 1, 1))).astype(np.uint8), "RGB")
    d = ImageDraw.Draw(img)
    for _ in range(10):
        x, y = int(rng.integers(0, w - 100)), int(rng.integers(0, hgt - 100))
        box = [x, y, x + int(rng.integers(60, 400)), y + int(rng.integers(60, 400))]
        fill = tuple(int(c) for c in rng.integers(0, 255, 3))
        (d.ellipse if rng.random() < 0.5 else d.rectangle)(box, fill=fill)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=88)
    return buf.getvalue()


def test_pdq_equals_the_reference_on_generated_images_and_fast_mode_stays_close(monkeypatch):
    drift = []
    for seed in range(6):
        data = _generated(seed)
        ref, quality = _reference(data)
        h = hash_bytes(data)
        assert (h.pdq, h.quality) == (ref, quality)
        fast = hash_bytes(data, fast=True).pdq
        drift.append(hamming(fast, ref))
    assert max(drift) <= 31 and max(drift) > 0  # the fast mode is opt-in because it drifts
    monkeypatch.setenv("CSEWATCH_PDQ_FAST", "1")
    assert hash_bytes(_generated(0)).pdq == hash_bytes(_generated(0), fast=True).pdq
    monkeypatch.delenv("CSEWATCH_PDQ_FAST")
    assert hash_bytes(_generated(0)).pdq == _reference(_generated(0))[0]


def test_ncmec_file_details_and_sharing_take_their_types_from_the_registry():
    from csewatch.actions.ncmec import fileinfo_xml

    xml = fileinfo_xml("r1", "f1", {"media_id": "m1", "sha256": "a" * 64, "md5": "b" * 32, "vpdq": "0,x,1,0"})
    assert "<hashType>SHA256</hashType>" in xml and "<hashType>MD5</hashType>" in xml
    assert "vpdq" not in xml.lower()  # NCMEC has no vPDQ hash type: not sent
