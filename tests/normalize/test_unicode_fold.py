"""Folding is Unicode-complete: every code point that Unicode's own data says reads as a Latin letter
or digit folds to it; bidi overrides read in visual order with offsets kept; invisibles vanish."""

import json
import random
import re
from importlib import resources

import pytest

from csewatch.normalize import AMBIG, UNICODE_VERSION, Normalizer, fold_letters, latin_sources, visual_order

try:
    import unicodedata2 as ud
except ImportError:  # pragma: no cover
    import unicodedata as ud

ALNUM = set("abcdefghijklmnopqrstuvwxyz0123456789")


@pytest.fixture(scope="module")
def norm(policy):
    return Normalizer(policy.normalization.emoji_words, policy.normalization.lookalikes)


def _reads(norm, ch: str) -> set[str]:
    return {v.text.strip() for v in norm.fold_variants(ch)}


def _assigned():
    for cp in range(0x80, 0x110000):
        ch = chr(cp)
        if ud.category(ch) not in ("Cn", "Cs", "Co"):
            yield ch


def test_unicode_version_is_recent():
    assert tuple(int(x) for x in UNICODE_VERSION.split(".")[:2]) >= (15, 0)


def test_every_nfkc_latin_letter_or_digit_folds_to_it(norm):
    """Every code point whose NFKC form (casefolded) is one ASCII letter or digit."""
    wrong, n = [], 0
    for ch in _assigned():
        target = ud.normalize("NFKC", ch).casefold()
        if len(target) != 1 or target not in ALNUM:
            continue
        n += 1
        if target not in _reads(norm, ch):
            wrong.append(f"U+{ord(ch):04X} {target}")
    assert n > 1000 and not wrong, wrong[:20]


DIGITS = "ZERO ONE TWO THREE FOUR FIVE SIX SEVEN EIGHT NINE".split()
# (name pattern, how many the family has at least) -- the families named in the folding contract
NAME_FAMILIES = [
    (r"NEGATIVE SQUARED LATIN CAPITAL LETTER ([A-Z])", 26),
    (r"NEGATIVE CIRCLED LATIN CAPITAL LETTER ([A-Z])", 26),
    (r"SQUARED LATIN CAPITAL LETTER ([A-Z])", 26),
    (r"CIRCLED LATIN (?:CAPITAL|SMALL) LETTER ([A-Z])", 52),
    (r"PARENTHESIZED LATIN (?:CAPITAL|SMALL) LETTER ([A-Z])", 52),
    (r"REGIONAL INDICATOR SYMBOL LETTER ([A-Z])", 26),
    (r"LATIN LETTER SMALL CAPITAL ([A-Z])", 15),
    (r"MODIFIER LETTER (?:SMALL|CAPITAL) ([A-Z])", 40),
    (r"(?:SUPERSCRIPT LATIN SMALL LETTER|LATIN SUBSCRIPT SMALL LETTER) ([A-Z])", 10),
    (r"MATHEMATICAL [A-Z\- ]*(?:CAPITAL|SMALL) ([A-Z])", 600),
    (r"MATHEMATICAL [A-Z\- ]*DIGIT (" + "|".join(DIGITS) + ")", 50),
    (
        r"(?:DINGBAT )?(?:NEGATIVE |DOUBLE )?CIRCLED (?:SANS-SERIF )?DIGIT (" + "|".join(DIGITS) + ")",
        30,
    ),
    (r"FULLWIDTH LATIN (?:CAPITAL|SMALL) LETTER ([A-Z])", 52),
]


@pytest.mark.parametrize("pattern,at_least", NAME_FAMILIES, ids=[p for p, _ in NAME_FAMILIES])
def test_every_member_of_a_named_letter_family_folds_to_its_letter(norm, pattern, at_least):
    rx = re.compile(f"^{pattern}$")
    wrong, n = [], 0
    for ch in _assigned():
        m = rx.match(ud.name(ch, ""))
        if not m:
            continue
        n += 1
        g = m.group(1)
        target = str(DIGITS.index(g)) if g in DIGITS else g.lower()
        got = _reads(norm, ch)
        if target not in got:
            wrong.append(f"U+{ord(ch):04X} {ud.name(ch)} -> {got}")
    assert n >= at_least and not wrong, wrong[:20]


def test_every_confusable_of_a_latin_letter_or_digit_folds_to_it(norm):
    """Every UTS #39 confusable (as shipped by confusable_homoglyphs) of an ASCII letter or digit,
    unless its NFKC form already spells a letter (NFKC is Unicode's normative equivalence: ſ is s)."""
    data = json.loads(resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text("utf-8"))
    wrong, n = [], 0
    for ch, glyphs in data.items():
        if len(ch) != 1 or ch.isascii() or ud.category(ch) in ("Mn", "Me", "Cf", "Cc"):
            continue
        protos = {g["c"].lower() for g in glyphs if len(g["c"]) == 1 and g["c"].isascii() and g["c"].isalnum()}
        if not protos:
            continue
        nf = ud.normalize("NFKC", ch).casefold()
        if nf and all(c in ALNUM for c in nf):
            continue
        letters = {p for p in protos if p.isalpha()} or protos
        n += 1
        if not letters & _reads(norm, ch):
            wrong.append(f"U+{ord(ch):04X} {ud.name(ch, '?')} {sorted(letters)} -> {_reads(norm, ch)}")
    assert n > 400 and not wrong, wrong[:20]


def test_derived_table_covers_the_families_and_stays_letters():
    table = latin_sources()
    assert all(v and set(v) <= ALNUM for v, _src in table.values())
    assert table[0x1F170] == ("a", "name")  # negative squared A
    assert table[0x1F1E6] == ("a", "name")  # regional indicator A
    assert table[0x1D18][0] == "p"  # small capital P
    assert table[0x249C][0] == "a"  # parenthesised a
    assert table[ord("т")][0] == "t"  # Cyrillic te, drawn as a small capital


@pytest.mark.parametrize(
    "text,skeleton",
    [
        ("🅲🅿 🆂🅴🅻🅻", "cp sel"),
        ("🇨🇵", "cp"),
        ("⒞⒫", "cp"),
        ("🄒🄟", "cp"),
        ("ᴄᴘ ꜱᴇʟʟɪɴɢ", "cp seling"),
        ("ᶜᵖ", "cp"),
        ("c\u0336p\u0336", "cp"),  # strike-through
        ("c\u0351\u0300\u0301\u0302\u0303p\u0334\u0335", "cp"),  # zalgo
        ("c\u20ddp\u20de", "cp"),  # enclosing marks
        ("тмв", "tmb"),
    ],
)
def test_styled_and_marked_letters_fold(norm, text, skeleton):
    assert skeleton in _reads(norm, text)


@pytest.mark.parametrize(
    "invisible",
    [
        "\u200b",
        "\u200c",
        "\u200d",
        "\u2060",
        "\ufeff",
        "\u00ad",
        "\ufe0f",
        "\U000e0041",
        "\U000e0100",
        "\u3164",
        "\u115f",
        "\u1160",
        "\uffa0",
        "\u180e",
        "\u034f",
        "\u202e\u202c",
        "\u2066\u2069",
        "\u200e",
        "\u061c",
    ],
)
def test_invisible_characters_are_removed(norm, invisible):
    assert norm.fold(f"c{invisible}p").text == "cp"
    assert norm.plain(f"a{invisible}b").text == "ab"


@pytest.mark.parametrize(
    "space", ["\u00a0", "\u2002", "\u2009", "\u200a", "\u202f", "\u205f", "\u3000", "\u1680", "\u2800"]
)
def test_exotic_spaces_become_spaces(norm, space):
    assert norm.plain(f"dm{space}me").text == "dm me"


def test_right_to_left_override_is_read_in_visual_order(norm):
    text = "new \u202egnilles pc\u202c folder"
    v = norm.fold(text)
    assert v.text == "new cp seling folder"
    i = v.text.index("seling")
    assert v.original_text(i, i + len("seling")) == "gnilles"  # what the author typed
    j = v.text.index("cp")
    assert v.original_text(j, j + 2) == "pc"
    p = norm.plain(text)
    k = p.text.index("selling")
    assert p.text == "new cp selling folder" and p.original_text(k, k + 7) == "gnilles"


def test_override_without_pdf_runs_to_the_paragraph_end(norm):
    assert norm.fold("\u202epc\nsale").text == "cp sale"


def test_nested_left_to_right_override_keeps_its_order():
    text = "\u202eab\u202dcd\u202cef\u202c"
    order = visual_order(text)
    assert order is not None and sorted(order) == list(range(len(text)))
    visible = "".join(text[i] for i in order if text[i].isalpha())
    assert visible == "fecdba"


def test_no_override_no_reordering():
    assert visual_order("plain \u202b embedding \u202c only") is None


def test_fold_letters_keeps_length():
    s = "т.mе/аbc 🅃 ⓣ x"
    assert len(fold_letters(s)) == len(s) and fold_letters(s).startswith("t.me/abc")


def _random_text(rng: random.Random) -> str:
    alphabet = (
        list("abcdeilops tc.*_-|!@$01345 ")
        + list("ѕеіорсαο𝐜𝐩ｃｐ🍕🧀\u200b\n\t")
        + [
            "https://t.me/x ",
            "\u202e",
            "\u202c",
            "\u202d",
            "\u2067",
            "\u2069",
            "\u3164",
            "\u0336",
            "⒞",
            "🅲",
            "🇨",
            "ᴘ",
            "\u2800",
        ]
    )
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))


def test_fast_and_tracked_folding_agree_with_overrides_and_styled_letters(norm):
    rng = random.Random(11)
    for _ in range(3000):
        text = _random_text(rng)
        views = norm.fold_variants(text)
        assert all(AMBIG not in v.text for v in views)
        tracked, (starts, ends) = norm._fold_tracked(text)
        assert views[0].text == tracked, repr(text)
        assert len(starts) == len(ends) == len(tracked)
        assert all(0 <= s < e <= len(text) for s, e in zip(starts, ends, strict=True))
        p = norm.plain(text)
        if p.text:
            s, e = p.span(0, len(p.text))
            assert 0 <= s <= e <= len(text)
