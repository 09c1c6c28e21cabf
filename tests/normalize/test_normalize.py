import random

import pytest

from csewatch.normalize import Normalizer, extract_hashtags, segment, segments_contain


@pytest.fixture(scope="module")
def norm(policy):
    return Normalizer(policy.normalization.emoji_words, policy.normalization.lookalikes)


@pytest.mark.parametrize(
    "text",
    [
        "cp",
        "c*p",
        "c.p",
        "c p",
        "c_p",
        "c-p",
        "C·P",
        "ｃｐ",
        "𝐜𝐩",
        "сp",
        "cр",
        "c\u200bp",
        "cppp",
        "ccp",
        "c . p",
        "C|P",
    ],
)
def test_separator_lookalike_and_repeat_spellings_reach_cp(norm, text):
    assert any(v.text == "cp" for v in norm.fold_variants(text)), [v.text for v in norm.fold_variants(text)]


@pytest.mark.parametrize(
    "text,skeleton",
    [
        ("s3ll1ng", "seling"),
        ("p3d0", "pedo"),
        ("f0ld3r", "folder"),
        ("ѕеllіng", "seling"),
        ("ＳＥＬＬ", "sel"),
        ("prе-teen", "preten"),
        ("🧀🍕", "chese piza"),
        ("p.t.h.c", "pthc"),
        ("h0w 0ld", "how old"),
    ],
)
def test_folding_undoes_obfuscation(norm, text, skeleton):
    assert skeleton in {v.text.strip() for v in norm.fold_variants(text)}


def test_digits_outside_words_are_kept(norm):
    # prices and years are not leetspeak: no letter in the token
    assert norm.fold("price 90$ in 2026").text == "price 90$ in 2026"


def test_urls_are_masked_in_the_folded_view(norm):
    v = norm.fold("see https://example.com/cp/sale now")
    assert "cp" not in v.text and "sale" not in v.text
    assert v.text.startswith("se ") and v.text.endswith(" now")  # "see" collapses like its pattern


def test_evidence_span_points_at_the_original_text(norm):
    text = "NEW!! ѕеllllіng c*p f0ld3rs"
    v = norm.fold(text)
    i = v.text.index("cp")
    assert v.original_text(i, i + 2) == "c*p"
    j = v.text.index("seling")
    assert v.original_text(j, j + len("seling")) == "ѕеllllіng"


def _random_text(rng: random.Random) -> str:
    alphabet = list("abcdeilops tc.*_-|!@$01345 ") + list("ѕеіорсαο𝐜𝐩ｃｐ🍕🧀\u200b\n\t") + ["https://t.me/x "]
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))


def test_fast_and_tracked_folding_agree_on_random_text(norm):
    rng = random.Random(7)
    for _ in range(3000):
        text = _random_text(rng)
        views = norm.fold_variants(text)
        tracked, (starts, ends) = norm._fold_tracked(text)
        assert views[0].text == tracked, repr(text)
        assert len(starts) == len(ends) == len(tracked)
        assert all(0 <= s < e <= len(text) for s, e in zip(starts, ends, strict=True))


def test_segmentation_of_run_together_tags():
    assert segment("sellingcpfolder") == ("selling", "cp", "folder")
    assert segments_contain("cpvids", "cp")
    assert not segments_contain("tcp", "cp")
    assert not segments_contain("cpu", "cp")
    assert segments_contain("cheesepiza", "cheese piza") or segments_contain("chesepiza", "chese piza")


def test_extract_hashtags():
    assert extract_hashtags("a #One b #two_2 #One and&#not") == ["One", "two_2"]
