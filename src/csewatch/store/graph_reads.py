"""The store's area for graph jobs' reads (follow edges, accounts, signals, verdicts for the batch graph jobs):
the only code that touches these tables for them (see store/area.py). Answers are plain values (tuples,
dicts, sets of ``platform:id`` keys), read on one connection where the job read them together; rows come
sorted in Python where order matters, so SQLite and PostgreSQL (whose collations differ) give the same."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

import msgspec
from sqlalchemy import Connection, func, select

from csewatch.keys import entity_key, parse_entity_key
from csewatch.store import schema as S
from csewatch.store.area import Area

# (platform, post id, author id, created_at, hashtags)
TaggedPost = tuple[str, str, str, float, Any]


class GraphRows(NamedTuple):
    """What the account graph is built from."""

    accounts: list[tuple[str, str]]  # (platform, id) of every account, sorted
    authors: dict[tuple[str, str], str]  # (platform, post id) -> author id
    edges: list[tuple[str, str, str, str]]  # (platform, kind, src, dst), sorted
    posts: list[tuple[str, str, str, str, Any, Any]]  # (platform, id, author, text, urls, media) by post key


class EvasionRows(NamedTuple):
    """What the batch evasion job builds profiles from."""

    accounts: list[tuple[str, Any, Any, Any, Any, Any, Any, Any]]  # (key, handle, display_name, bio, links,
    # avatar_hash, created_at, status), by (platform, id)
    announced: set[str]  # keys of accounts with an evasion announcement verdict
    at_suspension: dict[str, Any]  # the scan's evasion watch state: evasion_suspended, by key
    first_seen: dict[str, Any]  # ... evasion_seen
    posted_links: dict[str, Any]  # ... author_links


class GraphReads(Area):
    """Domain methods over the tables the graph jobs read."""

    def graph_rows(self, with_posts: bool = True) -> GraphRows:
        """Accounts, post authors, interaction edges and (``with_posts``) post contents, on one connection."""
        acc, e, po = S.accounts, S.edges, S.posts
        with self.engine.connect() as conn:
            # vertex ids follow sorted keys, never the database's row order (or collation)
            accounts = sorted(
                (p, i) for p, i in conn.execute(select(acc.c.platform, acc.c.id).order_by(acc.c.platform, acc.c.id))
            )
            authors = {(p, i): a for p, i, a in conn.execute(select(po.c.platform, po.c.id, po.c.author_id))}
            q = select(e.c.platform, e.c.kind, e.c.src, e.c.dst).order_by(e.c.platform, e.c.kind, e.c.src, e.c.dst)
            edges = sorted(_tuples(conn.execute(q)))
            posts = []
            if with_posts:
                q = select(po.c.platform, po.c.id, po.c.author_id, po.c.text, po.c.urls, po.c.media)
                posts = sorted(_tuples(conn.execute(q.order_by(po.c.platform, po.c.id))), key=lambda r: (r[0], r[1]))
        return GraphRows(accounts, authors, edges, posts)

    def post_contents_in_time_order(self) -> list[tuple[str, str, str, float, str, Any, Any]]:
        """(platform, id, author, created_at, text, urls, media) of every post, oldest first, ties by post key."""
        p = S.posts
        q = select(p.c.platform, p.c.id, p.c.author_id, p.c.created_at, p.c.text, p.c.urls, p.c.media)
        with self.engine.connect() as conn:
            rows = _tuples(conn.execute(q.order_by(p.c.created_at, p.c.platform, p.c.id)))
        return sorted(rows, key=lambda r: (r[3], r[0], r[1]))

    def tagged_posts_in_time_order(self) -> list[TaggedPost]:
        """(platform, id, author, created_at, hashtags) of every post, oldest first, ties by post key."""
        with self.engine.connect() as conn:
            return _tagged_posts(conn)

    def hashtag_replay(self) -> tuple[set[tuple[str, str]], list[TaggedPost]]:
        """The (platform, post id) of every post with a verdict, and ``tagged_posts_in_time_order``, on one
        connection: what hashtag discovery replays."""
        v = S.verdicts
        with self.engine.connect() as conn:
            flagged = {(pl, i) for pl, i in conn.execute(select(v.c.platform, v.c.post_id))}
            return flagged, _tagged_posts(conn)

    def accounts_with_status(self, statuses: Iterable[str]) -> set[str]:
        """Keys of the accounts whose status is one of ``statuses``."""
        a = S.accounts
        with self.engine.connect() as conn:
            return {
                entity_key(p, i)
                for p, i in conn.execute(select(a.c.platform, a.c.id).where(a.c.status.in_(tuple(statuses))))
            }

    def flagged_accounts(self, statuses: Iterable[str]) -> set[str]:
        """Keys of the accounts with a case of their own or a status in ``statuses`` (a suspension)."""
        a, c = S.accounts, S.cases
        with self.engine.connect() as conn:
            out = {
                entity_key(p, i)
                for p, i in conn.execute(select(c.c.platform, c.c.subject_id).where(c.c.subject_type == "account"))
            }
            out |= {
                entity_key(p, i)
                for p, i in conn.execute(select(a.c.platform, a.c.id).where(a.c.status.in_(tuple(statuses))))
            }
        return out

    def seed_accounts(self, statuses: Iterable[str], min_case_score: float, case_states: Iterable[str]) -> list[str]:
        """Sorted keys of the accounts with a status in ``statuses``, and of those whose own case scores at
        least ``min_case_score`` in one of ``case_states``."""
        a, c = S.accounts, S.cases
        with self.engine.connect() as conn:
            seeds = {
                entity_key(p, i)
                for p, i in conn.execute(select(a.c.platform, a.c.id).where(a.c.status.in_(tuple(statuses))))
            }
            seeds |= {
                entity_key(p, i)
                for p, i in conn.execute(
                    select(c.c.platform, c.c.subject_id).where(
                        c.c.subject_type == "account",
                        c.c.score >= min_case_score,
                        c.c.state.in_(tuple(case_states)),
                    )
                )
            }
        return sorted(seeds)

    def evasion_profile_rows(self, announcement_category: str = "evasion_announcement") -> EvasionRows:
        """Every account's profile fields, the authors of a verdict in ``announcement_category``, and the
        scan's evasion watch state (suspension times, first posts and @names, posted links), on one connection."""
        a, v = S.accounts, S.verdicts
        with self.engine.connect() as conn:
            announced = {
                entity_key(p, i)
                for p, i in conn.execute(
                    select(v.c.platform, v.c.author_id).where(v.c.category == announcement_category)
                )
            }
            at_suspension = _state(conn, "evasion_suspended")
            first_seen = _state(conn, "evasion_seen")
            posted = _state(conn, "author_links")
            q = select(
                a.c.platform,
                a.c.id,
                a.c.handle,
                a.c.display_name,
                a.c.bio,
                a.c.links,
                a.c.avatar_hash,
                a.c.created_at,
                a.c.status,
            ).order_by(a.c.platform, a.c.id)
            accounts = [
                (entity_key(r[0], r[1]), *r[2:]) for r in sorted(_tuples(conn.execute(q)), key=lambda r: (r[0], r[1]))
            ]
        return EvasionRows(accounts, announced, at_suspension, first_seen, posted)

    def first_evasion_links(self, indicator: str = "ban_evasion_link") -> dict[str, tuple[str, int]]:
        """Links the scan drew, from its ``indicator`` signals: account key -> (predecessor, the 1-based number
        of the account's post that first carried the link)."""
        sg, po = S.signals, S.posts
        first: dict[str, tuple[float, str, str]] = {}
        with self.engine.connect() as conn:
            q = (
                select(sg.c.platform, sg.c.subject_id, sg.c.evidence, po.c.created_at, po.c.id)
                .join(po, (po.c.platform == sg.c.platform) & (po.c.id == sg.c.post_id))
                .where(sg.c.indicator == indicator)
            )
            for platform, account, evidence, t, pid in conn.execute(q):
                key = entity_key(platform, account)
                pred = next((e["text"] for e in evidence if e.get("field") == "predecessor"), "")
                if key not in first or (t, pid) < first[key][:2]:
                    first[key] = (t, pid, pred)
            out: dict[str, tuple[str, int]] = {}
            for key, (t, pid, pred) in first.items():
                platform, account = parse_entity_key(key)
                mine = (po.c.platform == platform) & (po.c.author_id == account)
                earlier_q = select(func.count()).select_from(po).where(mine, po.c.created_at < t)
                earlier = conn.execute(earlier_q).scalar_one()
                same_time = conn.execute(select(po.c.id).where(mine, po.c.created_at == t)).scalars()
                ties = sum(1 for other in same_time if other < pid)  # compared in Python: collations differ
                out[key] = (pred, earlier + ties + 1)
        return out


def _tuples(rows: Iterable[Any]) -> list[tuple]:
    return [tuple(r) for r in rows]


def _tagged_posts(conn: Connection) -> list[TaggedPost]:
    p = S.posts
    q = select(p.c.platform, p.c.id, p.c.author_id, p.c.created_at, p.c.hashtags).order_by(
        p.c.created_at, p.c.platform, p.c.id
    )  # ties in time broken by post key, in Python too (collations differ)
    return sorted(_tuples(conn.execute(q)), key=lambda r: (r[3], r[0], r[1]))


def _state(conn: Connection, namespace: str) -> dict[str, Any]:
    ds = S.detector_state
    q = select(ds.c.key, ds.c.value).where(ds.c.namespace == namespace).order_by(ds.c.key)
    return {k: msgspec.msgpack.decode(v) for k, v in conn.execute(q)}
