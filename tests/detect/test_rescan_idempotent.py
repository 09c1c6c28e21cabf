"""Re-scanning the same stream into the same store changes nothing: a post seen again gets what it
got the first time, and the evasion watch does not check it again with what it learned later in the
stream (hardening item 7)."""

import orjson
from sqlalchemy import text
from typer.testing import CliRunner

from csewatch.cli import app
from csewatch.store import Store

T0 = 1_790_000_000.0


def _account(i, handle, name, bio, created, **kw):
    return {"type": "account", "platform": "native", "id": i, "handle": handle, "display_name": name, "bio": bio,
            "created_at": created, **kw}


def _post(pid, author, text, t):
    return {"type": "post", "platform": "native", "id": pid, "author_id": author, "text": text, "created_at": t}


def _follow(a, b, t):
    return {"type": "edge", "platform": "native", "kind": "follow", "src": a, "dst": b, "created_at": t}


def _stream() -> bytes:
    old = _account("old", "vidz_seller77", "V Seller", "prices in tg t.me/vzs01", T0 - 5e5)
    lines = [_account(f"h{i}", f"hub{i}", "Hub", "", T0 - 9e6) for i in range(5)] + [old]
    lines += [_follow("old", f"h{i}", T0 - 4e5) for i in range(5)]
    lines.append(_post("p1", "old", "fresh folder t.me/vzs01 dm me", T0))
    # the returning account posts once before its predecessor's suspension reaches the stream
    lines.append(_account("new", "vidz_seller_back", "V Seller", "prices in tg t.me/vzs01", T0 + 20))
    lines += [_follow("new", f"h{i}", T0 + 25) for i in range(4)]
    lines.append(_post("p0", "new", "new acc t.me/vzs01 dm", T0 + 50))
    lines.append({**old, "status": "suspended", "status_at": T0 + 100})
    lines.append(_post("p3", "new", "got banned, new acc, same as before t.me/vzs01", T0 + 500))
    return b"".join(orjson.dumps(x) + b"\n" for x in lines)


def _counts(db: str) -> tuple[int, int, int, list[str]]:
    """Rows the scans left, read through the store's engine (the SQLite file, or the PostgreSQL database
    the test harness serves the path from)."""
    store = Store(db)
    try:
        with store.engine.connect() as con:
            sql = "select post_id from signals where indicator='ban_evasion_link' order by 1"
            links = [r[0] for r in con.execute(text(sql))]
            return (
                con.execute(text("select count(*) from signals")).scalar_one(),
                con.execute(text("select count(*) from cases")).scalar_one(),
                con.execute(text("select count(*) from verdicts")).scalar_one(),
                links,
            )
    finally:
        store.close()


def test_scanning_the_same_stdin_stream_twice_adds_nothing(tmp_path):
    db = str(tmp_path / "x.db")
    data = _stream()
    seen = []
    for _ in range(3):
        r = CliRunner().invoke(app, ["scan", "-", "--db", db, "--quiet"], input=data)
        assert r.exit_code == 0, r.output
        seen.append(_counts(db))
    assert seen[0][3] == ["p3"]  # linked on the post after the suspension, not on the one before it
    assert seen[1] == seen[0] and seen[2] == seen[0]
