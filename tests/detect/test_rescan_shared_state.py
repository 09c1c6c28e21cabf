"""A re-scan of the same input counts shared links and repeat commenters as the first pass did: stream
memory records when each account first did something, and a post counts only what came before it
(hardening item 7 beyond the evasion watch)."""

from __future__ import annotations

import orjson
from sqlalchemy import text
from typer.testing import CliRunner

from csewatch.cli import app
from csewatch.store import Store

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
    """The posts holding each signal, read through the store's engine (SQLite, or the PostgreSQL database
    the test harness serves the path from)."""
    store = Store(db)
    try:
        out: dict[str, list[str]] = {}
        with store.engine.connect() as con:
            for ind in ("shared_invite_link", "context_repeat_commenter"):
                sql = text("select post_id from signals where indicator = :ind order by 1")
                out[ind] = [r[0] for r in con.execute(sql, {"ind": ind})]
        return out
    finally:
        store.close()


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
