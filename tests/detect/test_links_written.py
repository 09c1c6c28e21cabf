"""Written-out invite links resolve to the pack's host; prose that merely looks like one does not."""

import pytest

from csewatch.detect.links import LinkMatcher
from csewatch.normalize import Normalizer


@pytest.fixture(scope="module")
def finder(policy):
    norm = Normalizer(policy.normalization.emoji_words, policy.normalization.lookalikes)
    matcher = LinkMatcher(policy)

    def find(text: str) -> list[tuple[str, str, str]]:
        view = norm.plain(text)
        return [(view.original_text(s, e), service, link) for s, e, service, link in matcher.find(view)]

    return find


@pytest.mark.parametrize(
    "text,service,link",
    [
        ("join t[.]me/grp_x1", "telegram", "t.me/grp_x1"),
        ("join t(.)me/grp_x1", "telegram", "t.me/grp_x1"),
        ("t(.)me", "telegram", "t.me"),
        ("join t . me/grp_x1", "telegram", "t.me/grp_x1"),
        ("join t dot me/grp_x1", "telegram", "t.me/grp_x1"),
        ("discord dot gg/inv4", "discord", "discord.gg/inv4"),
        ("mega[dot]nz", "mega", "mega.nz"),
        ("mega[dot]nz/folder/k1", "mega", "mega.nz/folder/k1"),
        ("at t.me/ grp_x1 now", "telegram", "t.me/grp_x1"),
        ("tme/grp_x1", "telegram", "t.me/grp_x1"),
        ("discordgg/inv4", "discord", "discord.gg/inv4"),
        ("t\u3002me/grp_x1", "telegram", "t.me/grp_x1"),
        ("t\uff0eme/grp_x1", "telegram", "t.me/grp_x1"),
        ("\uff54\uff0e\uff4d\uff45/grp_x1", "telegram", "t.me/grp_x1"),
        ("\u0442.m\u0435/grp_x1", "telegram", "t.me/grp_x1"),  # Cyrillic te and ie
        ("\U0001f1f9.\U0001f13c\U0001f174/grp_x1", "telegram", "t.me/grp_x1"),  # regional t, squared m, neg. e
        ("d\u0456scord.gg/inv4", "discord", "discord.gg/inv4"),  # Cyrillic i
        ("t dot me slash grp_x1", "telegram", "t.me/grp_x1"),
        ("discord (dot) com/invite/inv4", "discord", "discord.com/invite/inv4"),
    ],
)
def test_written_out_links_resolve_to_the_host(finder, text, service, link):
    found = finder(text)
    assert [(f[1], f[2]) for f in found] == [(service, link)], found


def test_evidence_cites_what_was_written(finder):
    (got,) = finder("vids at t dot me/grp_x1 tonight")
    assert got[0] == "t dot me/grp_x1"


@pytest.mark.parametrize(
    "text",
    [
        "the dot me",
        "put a dot me here",
        "I can't. Me neither",
        "end of the session. to be continued",
        "use signal. group chats are fine",
        "t . me",
        "tme",
        "mega. nz team won",
        "he said wa. me too",
        "read at t.media.example.com and notmega.nz.example",
        "the tmem/x file",
        "discord dot ggg",
    ],
)
def test_prose_does_not_become_a_link(finder, text):
    assert finder(text) == []


def test_link_detector_reports_written_out_host(run_post):
    signals, _ = run_post("pics t dot me/grp_x1")
    link = next(s for s in signals if s.indicator == "offplatform_link")
    assert "telegram" in link.explanation
