"""The store's public API: domain writes on each backend, and no module outside csewatch/store
reaching for the store's private writers."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from csewatch.store import Store
from csewatch.store import schema as S

SRC = Path(__file__).resolve().parents[2] / "src" / "csewatch"


def test_no_module_outside_store_calls_private_writers():
    private = re.compile(r"\._(upsert|insert_ignore|bulk)\(")
    offenders = [
        str(p.relative_to(SRC))
        for p in SRC.rglob("*.py")
        if "store" not in p.relative_to(SRC).parts[:1] and private.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_domain_writes(db_url):
    store = Store(db_url)
    store.enforcement.place_holds([{"kind": "post", "subject": "native:p1", "until": 10.0, "reason": "r1"}])
    store.enforcement.place_holds([{"kind": "post", "subject": "native:p1", "until": 20.0, "reason": "r2"}])
    assert store.banks.bump_version("b") == 1
    with store.transaction() as conn:  # several writes in one transaction
        assert store.banks.bump_version("b", conn) == 2
        store.reviews.put_claim("c1", "alice", 1.0, conn)
        store.reviews.put_claim("c1", "bob", 2.0, conn)
        store.reviews.add_rule_feedback("detector:lexicon", 1, 1, conn)
        store.reviews.add_rule_feedback("detector:lexicon", 2, 1, conn)  # added to, not replaced
        row = {"key": "k1", "kind": "remove_post", "platform": "native", "target": "p1", "case_id": "c1",
               "decided_by": "alice", "reason": "r", "created_at": 1.0, "delivered_at": None, "attempts": 0}
        store.reviews.record_action(row, conn)
        store.reviews.record_action({**row, "decided_by": "mallory"}, conn)  # same key: the first stays
    with store.engine.connect() as conn:
        assert conn.execute(select(S.legal_holds.c.until, S.legal_holds.c.reason)).all() == [(20.0, "r2")]
        assert conn.execute(select(S.claims.c.user)).scalars().all() == ["bob"]
        assert conn.execute(select(S.banks.c.version)).scalars().all() == [2]
        assert conn.execute(select(S.rule_feedback.c.violating)).scalars().all() == [2]
        assert conn.execute(select(S.actions.c.decided_by)).scalars().all() == ["alice"]
    store.close()
