"""A re-scan of the same input counts shared links and repeat commenters as the first pass did: stream
memory records when each account first did something, and a post counts only what came before it
(hardening item 7 beyond the evasion watch)."""

from __future__ import annotations

import sqlite3

import orjson
import pytest
from typer.testing import CliRunner

from csewatch.cli import app

T0 = 1_790_000_000.0


def _stream() -> bytes:
    lines = []
    for i in range(4):  # four accounts post the same invite link, a minute apart
        lines.append(
            {
                "type": "post",
                "platform": "native",
                "id": f"l{i}",
                "author_id": f"a{i}",
                "text": f"new folder t.me/+Zq7Kx2 dm {i}",
                "created_at": T0 + 60 * i,
            }
        )
    for r in range(3):  # one commenter under three children's photos
        lines.append(
            {
                "type": "post",
                "platform": "native",
                "id": f"root{r}",
                "author_id": f"parent{r}",
                "text": "first day of school for our little one",
                "media": [{"id": f"m{r}"}],
                "created_at": T0 + 1000 + 100 * r,
            }
        )
        lines.append(
            {
                "type": "post",
                "platform": "native",
                "id": f"c{r}",
                "author_id": "creep",
                "text": "send more pics",
                "reply_to": f"root{r}",
                "created_at": T0 + 1050 + 100 * r,
            }
        )
    return b"".join(orjson.dumps(x) + b"\n" for x in lines)


def _signals(db: str) -> dict[str, list[str]]:
    con = sqlite3.connect(db)
    try:
        out: dict[str, list[str]] = {}
        for ind in ("shared_invite_link", "context_repeat_commenter"):
            out[ind] = [r[0] for r in con.execute("select post_id from signals where indicator=? order by 1", (ind,))]
        return out
    finally:
        con.close()


@pytest.mark.sqlite_only("reads or edits the database file with sqlite3")
def test_second_pass_counts_what_the_first_pass_counted(tmp_path):
    db = str(tmp_path / "x.db")
    runner = CliRunner()
    seen = []
    for _ in range(2):
        res = runner.invoke(app, ["scan", "-", "--db", db, "--quiet"], input=_stream())
        assert res.exit_code == 0, res.output
        seen.append(_signals(db))
    first, second = seen
    assert first["shared_invite_link"] == ["l2", "l3"]  # from the third account on (threshold 3)
    assert first["context_repeat_commenter"] == ["c1", "c2"]  # from the second thread on
    assert second == first
