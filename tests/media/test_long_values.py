"""Bank values of any length on both backends: a vPDQ hash of many frames (about 50 KB of text, more than
PostgreSQL takes in a btree index row) is banked, looked up, matched and removed; entries are keyed on
the value's SHA-256, so two long values that differ only at the end are two entries. Frame hashes are
random numbers, not hashes of any media."""

import numpy as np
from sqlalchemy import select

from csewatch.media import video as V
from csewatch.media.bank import Banks, normalize_hash
from csewatch.media.hashing import MediaHashes
from csewatch.media.matcher import MediaMatcher
from csewatch.store import Store
from csewatch.store import schema as S
from csewatch.store.banks import value_digest


def _long_vpdq(seed: int, frames: int = 640) -> str:
    rng = np.random.default_rng(seed)
    hashes = [rng.integers(0, 256, 32, dtype=np.uint8).tobytes().hex() for _ in range(frames)]
    return V.to_text([V.VPDQFrame(i * 25, h, 100, float(i)) for i, h in enumerate(hashes)])


def _video(value: str) -> MediaHashes:
    return MediaHashes(md5="0" * 32, sha256="0" * 64, size=0, kind="video", vpdq=value)


def test_a_50kb_vpdq_value_is_banked_matched_and_removed(db_url):
    value = _long_vpdq(7)
    assert len(value) > 50_000 and normalize_hash(value, "vpdq") == value
    # the same video but its last frame: as long, the same first 50 KB
    last = value.rsplit(";", 1)[0] + ";15975," + "ab" * 32 + ",100,639.000"
    assert last[:50_000] == value[:50_000] and last != value
    entry = {"hash_type": "vpdq", "category": "test_known", "source": "unit-test", "added_at": 1.0}
    store = Store(db_url)
    banks = Banks(store)
    assert banks.add("internal", [{**entry, "value": value}]) == (1, 1, 0)
    assert banks.add("internal", [{**entry, "value": value}, {**entry, "value": last}]) == (2, 1, 1)
    assert sorted(e["value"] for e in banks.active("internal", "vpdq")) == sorted([value, last])  # stored whole
    assert [e["added_version"] for e in banks.lookup("vpdq", value)] == [1]
    with store.engine.connect() as conn:
        digests = conn.execute(select(S.bank_entries.c.value, S.bank_entries.c.value_digest)).all()
    assert sorted(digests) == sorted([(value, value_digest(value)), (last, value_digest(last))])

    matches = MediaMatcher(banks).match_hashes(_video(value))
    assert [m.value for m in matches] == [value, last]  # the exact one first, then the near-duplicate
    assert (matches[0].query_match, matches[0].compare_match, matches[0].bank_version) == (100.0, 100.0, 2)
    assert matches[1].compare_match < 100.0

    assert banks.remove("internal", [value.upper()]) == (3, 1)  # values are compared in normal (lower) case
    assert banks.lookup("vpdq", value) == [] and banks.stats()[0]["vpdq"] == 1
    assert [m.value for m in MediaMatcher(banks).match_hashes(_video(value))] == [last]
    assert banks.add("internal", [{**entry, "value": value}]) == (4, 1, 0)  # a removed entry comes back
    assert [e["added_version"] for e in banks.lookup("vpdq", value)] == [4]
    store.close()

