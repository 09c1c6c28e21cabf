"""The store's area for the console's reviewers, sessions and API tokens: the only code that touches these
tables (see store/area.py). It stores what the console's authentication (``csewatch.web.auth``) hands it:
password hashes and the SHA-256 digests of session and API tokens, never a password or a token."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, select, update

from csewatch.store import schema as S
from csewatch.store.area import Area


class Users(Area):
    """Reviewer accounts, their login sessions and their API tokens."""

    # -- accounts ----------------------------------------------------------------------------------
    def save(self, name: str, role: str, password_hash: str, created_at: float) -> None:
        """Create or replace an enabled user and end any sessions and tokens the name had, in one transaction."""
        with self.store.transaction() as conn:
            row: dict[str, Any] = {
                "name": name,
                "role": role,
                "password_hash": password_hash,
                "created_at": created_at,
                "disabled_at": None,
            }
            self.store._upsert(conn, S.users, [row], ("name",))
            self._end_access(conn, name)

    def set_password_hash(self, name: str, password_hash: str) -> None:
        """A new password hash; the user's sessions and tokens end (KeyError for an unknown user)."""
        with self.store.transaction() as conn:
            self._require(conn, name)
            conn.execute(update(S.users).where(S.users.c.name == name).values(password_hash=password_hash))
            self._end_access(conn, name)

    def set_disabled(self, name: str, disabled_at: float | None) -> None:
        """Disable a user from ``disabled_at`` (None: enable); disabling ends their sessions and tokens."""
        with self.store.transaction() as conn:
            self._require(conn, name)
            conn.execute(update(S.users).where(S.users.c.name == name).values(disabled_at=disabled_at))
            if disabled_at is not None:
                self._end_access(conn, name)

    def remove(self, name: str) -> None:
        """Delete a user with their sessions and tokens (KeyError for an unknown user)."""
        with self.store.transaction() as conn:
            self._require(conn, name)
            self._end_access(conn, name)
            conn.execute(delete(S.users).where(S.users.c.name == name))

    def role(self, name: str) -> str | None:
        """The role of an enabled user; None for a disabled or unknown one."""
        with self.engine.connect() as conn:
            return conn.execute(
                select(S.users.c.role).where(S.users.c.name == name, S.users.c.disabled_at.is_(None))
            ).scalar()

    def credentials(self, name: str) -> tuple[str, float | None] | None:
        """(password hash, disabled_at) of a user; None for an unknown name."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(S.users.c.password_hash, S.users.c.disabled_at).where(S.users.c.name == name)
            ).first()
        return (row[0], row[1]) if row else None

    @staticmethod
    def _require(conn: Connection, name: str) -> None:
        if conn.execute(select(S.users.c.name).where(S.users.c.name == name)).scalar() is None:
            raise KeyError(f"no user {name!r}")

    @staticmethod
    def _end_access(conn: Connection, name: str) -> None:
        conn.execute(delete(S.sessions).where(S.sessions.c.user == name))
        conn.execute(delete(S.api_tokens).where(S.api_tokens.c.user == name))

    # -- sessions ----------------------------------------------------------------------------------
    def open_session(self, token_hash: str, user: str, csrf: str, now: float, expires_at: float) -> None:
        """Record a session (by its token's digest) after dropping the sessions expired at ``now``."""
        with self.store.transaction() as conn:
            conn.execute(delete(S.sessions).where(S.sessions.c.expires_at < now))
            conn.execute(S.sessions.insert().values(token_hash=token_hash, user=user, csrf=csrf, expires_at=expires_at))

    def session(self, token_hash: str, now: float) -> tuple[str, str, str] | None:
        """(user, role, csrf) of the session with this digest, live at ``now``, of an enabled user."""
        s, u = S.sessions, S.users
        with self.engine.connect() as conn:
            row = conn.execute(
                select(s.c.user, u.c.role, s.c.csrf)
                .select_from(s.join(u, u.c.name == s.c.user))
                .where(s.c.token_hash == token_hash, s.c.expires_at > now, u.c.disabled_at.is_(None))
            ).first()
        return (row[0], row[1], row[2]) if row else None

    def end_session(self, token_hash: str) -> None:
        """Forget the session with this digest."""
        with self.store.transaction() as conn:
            conn.execute(delete(S.sessions).where(S.sessions.c.token_hash == token_hash))

    # -- API tokens --------------------------------------------------------------------------------
    def add_token(self, token_hash: str, user: str, created_at: float, expires_at: float) -> None:
        """Record an API token by its digest."""
        with self.store.transaction() as conn:
            row = {"token_hash": token_hash, "user": user, "created_at": created_at, "expires_at": expires_at}
            conn.execute(S.api_tokens.insert().values(**row))

    def tokens(self, name: str | None = None) -> list[tuple[str, str, float, float | None]]:
        """(id: the digest's first 12 hex digits, user, created_at, expires_at or None), oldest first."""
        t = S.api_tokens
        q = select(t.c.token_hash, t.c.user, t.c.created_at, t.c.expires_at).order_by(t.c.created_at)
        if name:
            q = q.where(t.c.user == name)
        with self.engine.connect() as conn:
            return [(h[:12], u, c, e) for h, u, c, e in conn.execute(q)]

    def revoke_tokens(self, id_prefix: str) -> int:
        """Delete the tokens whose digest starts with ``id_prefix`` (lower-case hex); how many."""
        t = S.api_tokens
        with self.store.transaction() as conn:
            return conn.execute(delete(t).where(t.c.token_hash.like(id_prefix + "%"))).rowcount

    def token_user(self, token_hash: str) -> tuple[str, str, float, float | None] | None:
        """(user, role, created_at, expires_at or None) of the token with this digest, of an enabled user."""
        t, u = S.api_tokens, S.users
        with self.engine.connect() as conn:
            row = conn.execute(
                select(t.c.user, u.c.role, t.c.created_at, t.c.expires_at)
                .select_from(t.join(u, u.c.name == t.c.user))
                .where(t.c.token_hash == token_hash, u.c.disabled_at.is_(None))
            ).first()
        return (row[0], row[1], row[2], row[3]) if row else None
