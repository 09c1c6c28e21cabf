"""Users, sessions and tokens. Passwords are hashed with Argon2; session cookies and API tokens are
random and stored only as SHA-256 digests; every session carries its own CSRF token; failed logins
are rate limited per user and address."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections import defaultdict, deque

from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError
from sqlalchemy import delete, select

from csewatch.store import Store
from csewatch.store import schema as S

ROLES = ("reviewer", "lead", "admin")
SESSION_SECONDS = 8 * 3600
_ph = PasswordHasher()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Auth:
    def __init__(self, store: Store, max_failures: int = 5, window_s: float = 900):
        self.store = store
        self.max_failures = max_failures
        self.window_s = window_s
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def add_user(self, name: str, password: str, role: str = "reviewer") -> None:
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        if len(password) < 12:
            raise ValueError("a password needs at least 12 characters")
        with self.store.engine.begin() as conn:
            self.store._upsert(
                conn,
                S.users,
                [{"name": name, "role": role, "password_hash": _ph.hash(password), "created_at": time.time()}],
                ("name",),
            )

    def role(self, name: str) -> str | None:
        with self.store.engine.connect() as conn:
            return conn.execute(select(S.users.c.role).where(S.users.c.name == name)).scalar()

    def rate_limited(self, key: str) -> bool:
        q = self._failures[key]
        now = time.time()
        while q and now - q[0] > self.window_s:
            q.popleft()
        return len(q) >= self.max_failures

    def login(self, name: str, password: str, client: str) -> tuple[str, str] | None:
        """A new (session token, CSRF token), or None; raises PermissionError when rate limited."""
        key = f"{client}|{name}"
        if self.rate_limited(key):
            raise PermissionError("too many failed logins; try again later")
        with self.store.engine.connect() as conn:
            stored = conn.execute(select(S.users.c.password_hash).where(S.users.c.name == name)).scalar()
        try:
            ok = stored is not None and _ph.verify(stored, password)
        except VerifyMismatchError:
            ok = False
        if not ok:
            self._failures[key].append(time.time())
            return None
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        with self.store.engine.begin() as conn:
            conn.execute(delete(S.sessions).where(S.sessions.c.expires_at < time.time()))
            conn.execute(
                S.sessions.insert().values(
                    token_hash=_digest(token), user=name, csrf=csrf, expires_at=time.time() + SESSION_SECONDS
                )
            )
        return token, csrf

    def session(self, token: str | None) -> tuple[str, str, str] | None:
        """(user, role, csrf) of a live session."""
        if not token:
            return None
        s, u = S.sessions, S.users
        with self.store.engine.connect() as conn:
            row = conn.execute(
                select(s.c.user, u.c.role, s.c.csrf)
                .select_from(s.join(u, u.c.name == s.c.user))
                .where(s.c.token_hash == _digest(token), s.c.expires_at > time.time())
            ).first()
        return (row[0], row[1], row[2]) if row else None

    def logout(self, token: str) -> None:
        with self.store.engine.begin() as conn:
            conn.execute(delete(S.sessions).where(S.sessions.c.token_hash == _digest(token)))

    def new_api_token(self, name: str) -> str:
        if self.role(name) is None:
            raise KeyError(f"no user {name!r}")
        token = "cw_" + secrets.token_urlsafe(32)
        with self.store.engine.begin() as conn:
            conn.execute(S.api_tokens.insert().values(token_hash=_digest(token), user=name, created_at=time.time()))
        return token

    def api_user(self, token: str | None) -> tuple[str, str] | None:
        if not token:
            return None
        t, u = S.api_tokens, S.users
        with self.store.engine.connect() as conn:
            row = conn.execute(
                select(t.c.user, u.c.role)
                .select_from(t.join(u, u.c.name == t.c.user))
                .where(t.c.token_hash == _digest(token))
            ).first()
        return (row[0], row[1]) if row else None
