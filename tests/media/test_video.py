"""Video known-media matching with vPDQ, on benign videos generated here from ffmpeg's test sources
(mandelbrot, testsrc, smptebars), re-encoded, resized and trimmed with ffmpeg."""

import json
import shutil
import subprocess

import pytest

from csewatch.media import video as V
from csewatch.media.bank import Banks
from csewatch.media.hashing import MediaError, hash_file
from csewatch.media.matcher import MediaMatcher
from csewatch.store import Store

pytestmark = pytest.mark.skipif(
    not (shutil.which("ffmpeg") and shutil.which("ffprobe")), reason="ffmpeg is not installed (tests make videos)"
)


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-nostdin", *args], check=True, timeout=120)


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    d = tmp_path_factory.mktemp("clips")
    enc = ["-pix_fmt", "yuv420p", "-c:v", "libx264"]
    _ffmpeg("-f", "lavfi", "-i", "mandelbrot=size=320x240:rate=25", "-t", "8", *enc, str(d / "orig.mp4"))
    _ffmpeg("-i", str(d / "orig.mp4"), *enc, "-crf", "35", str(d / "reencoded.mp4"))
    _ffmpeg("-i", str(d / "orig.mp4"), "-vf", "scale=480:360", *enc, str(d / "resized.mp4"))
    _ffmpeg("-ss", "2", "-i", str(d / "orig.mp4"), "-t", "4", *enc, str(d / "trimmed.mp4"))
    _ffmpeg("-i", str(d / "orig.mp4"), "-c:v", "libvpx-vp9", "-b:v", "300k", str(d / "orig.webm"))
    _ffmpeg("-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-t", "8", *enc, str(d / "other.mp4"))
    _ffmpeg("-f", "lavfi", "-i", "smptebars=size=320x240:rate=25", "-t", "8", *enc, str(d / "bars.mp4"))
    return d


def _bank(tmp_path, value: str) -> Banks:
    banks = Banks(Store(str(tmp_path / "s.db")))
    banks.add(
        "internal",
        [dict(hash_type="vpdq", value=value, category="test_known", source="unit-test", added_at=1.0)],
    )
    return banks


def test_a_video_hashes_into_vpdq_frames(clips):
    h = hash_file(clips / "orig.mp4")
    frames = V.parse(h.vpdq)
    assert h.kind == "video" and h.pdq is None and len(h.sha256) == 64
    assert h.frames == len(frames) == 8  # one frame a second
    assert [f.timestamp for f in frames] == [float(i) for i in range(8)]
    assert all(f.quality >= V.QUALITY_THRESHOLD for f in frames)
    assert len({f.pdq for f in frames}) > 4  # the frames differ (a zooming fractal)


def test_transformed_copies_match_and_unrelated_videos_do_not(clips, tmp_path):
    banks = _bank(tmp_path, hash_file(clips / "orig.mp4").vpdq)
    matcher = MediaMatcher(banks)
    for name in ("orig.mp4", "reencoded.mp4", "resized.mp4", "trimmed.mp4", "orig.webm"):
        matches = matcher.match_hashes(hash_file(clips / name))
        assert [m.hash_type for m in matches] == ["vpdq"], name
        assert matches[0].query_match >= V.QUERY_MATCH_PERCENT, name
    trimmed = matcher.match_hashes(hash_file(clips / "trimmed.mp4"))[0]
    assert trimmed.query_match == 100.0 and 40 <= trimmed.compare_match <= 60  # 4 s of 8: half the banked frames
    for name in ("other.mp4", "bars.mp4"):
        assert matcher.match_hashes(hash_file(clips / name)) == [], name
    # the published criterion also bounds the compared side: asking for 80% of the banked frames drops the clip
    strict = MediaMatcher(banks, video_compare_percent=80.0)
    assert strict.match_hashes(hash_file(clips / "trimmed.mp4")) == []
    assert strict.match_hashes(hash_file(clips / "reencoded.mp4"))


def test_match_percent_is_the_brute_force_criterion(clips):
    orig = V.parse(hash_file(clips / "orig.mp4").vpdq)
    trimmed = V.parse(hash_file(clips / "trimmed.mp4").vpdq)
    assert V.match_percent(trimmed, orig) == (100.0, 50.0)
    assert V.match_percent(orig, trimmed) == (50.0, 100.0)
    ok, qm, _cm = V.is_match(orig, trimmed)
    assert not ok and qm == 50.0  # the whole video is not "in" the clip: only half its frames are
    low = [V.VPDQFrame(f.frame, f.pdq, 10, f.timestamp) for f in orig]
    assert V.match_percent(low, orig) == (0.0, 0.0)  # frames under the quality floor are not compared


def test_the_ffmpeg_fallback_hashes_like_the_bindings(clips, monkeypatch):
    native = V.hash_video(clips / "orig.mp4")
    monkeypatch.setenv("CSEWATCH_VPDQ_BACKEND", "ffmpeg")
    assert V.backend() == "ffmpeg"
    fallback = V.hash_video(clips / "orig.mp4")
    assert [f.frame for f in fallback] == [f.frame for f in native]
    assert V.match_percent(fallback, native) == (100.0, 100.0)
    assert V.is_match(V.hash_video(clips / "reencoded.mp4"), native)[0]


def test_a_broken_video_is_refused_with_a_reason_and_keeps_its_digests(tmp_path):
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"\0\0\0\x18ftypisom" + b"\x13" * 4000)
    with pytest.raises(MediaError) as info:
        hash_file(bad)
    assert str(info.value) and info.value.hashes is not None and len(info.value.hashes.sha256) == 64


def test_cli_hash_bank_match_and_scan_a_video(clips, tmp_path):
    from typer.testing import CliRunner

    from csewatch.cli import app

    runner = CliRunner()
    db = str(tmp_path / "v.db")
    r = runner.invoke(app, ["hash", "--json", str(clips / "orig.mp4")])
    assert r.exit_code == 0, r.output
    row = json.loads(r.output)[0]
    assert row["kind"] == "video" and "vpdq" in row["types"] and row["frames"] == 8
    assert [f["frame"] for f in row["vpdq_frames"]] == [i * 25 for i in range(8)]
    bank_file = tmp_path / "bank.jsonl"
    bank_file.write_text(json.dumps({"signal_type": "vpdq", "signal_value": row["vpdq"], "tags": "test_known"}) + "\n")
    r = runner.invoke(app, ["bank", "import", str(bank_file), "--bank", "internal", "--db", db, "--create", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["added"] == 1
    r = runner.invoke(app, ["match", "--json", "--db", db, str(clips / "resized.mp4"), str(clips / "other.mp4")])
    assert r.exit_code == 0, r.output
    resized, other = json.loads(r.output)
    assert [m["hash_type"] for m in resized["matches"]] == ["vpdq"] and resized["matches"][0]["query_match"] >= 80
    assert other["matches"] == []
    r = runner.invoke(app, ["bank", "import", str(bank_file), "--bank", "x", "--type", "photodna", "--db", db])
    assert r.exit_code == 2 and "not a registered hash type" in r.output
    media = tmp_path / "media"
    media.mkdir()
    shutil.copy(clips / "trimmed.mp4", media / "v1.mp4")
    shutil.copy(clips / "other.mp4", media / "v2.mp4")
    stream = tmp_path / "s.jsonl"
    stream.write_text(
        '{"type":"post","id":"1","author_id":"a","text":"new clip","media":[{"id":"v1","kind":"video"}]}\n'
        '{"type":"post","id":"2","author_id":"b","text":"my clip","media":[{"id":"v2","kind":"video"}]}\n'
    )
    r = runner.invoke(app, ["scan", str(stream), "--db", db, "--media", str(media), "--json"])
    assert r.exit_code == 0, r.output
    summary = json.loads(r.output)
    assert summary["categories"] == {"known_material": 1} and summary["media"]["matched"] == 1
