"""Users, sessions and tokens. Passwords are hashed with Argon2; session cookies and API tokens are
random and stored only as SHA-256 digests; every session carries its own CSRF token. Failed logins
are throttled per address and per name; an unknown name costs the same Argon2 verify as a known
one; concurrent verifies are capped (each takes 64 MiB). Disabling a user or changing a password
ends their sessions and tokens; tokens expire. The rows live in the store's ``users`` area
(store/users.py), which sees only hashes and digests."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import defaultdict, deque

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from csewatch.store import Store

ROLES = ("reviewer", "lead", "admin")
SESSION_SECONDS = 8 * 3600
TOKEN_SECONDS = 90 * 86400
_ph = PasswordHasher()
_dummy_hash: str | None = None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _dummy() -> str:
    """A hash to verify against when the name is unknown, so both paths cost the same."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _ph.hash(secrets.token_urlsafe(24))
    return _dummy_hash


class Busy(PermissionError):
    """Too many password verifies at once: the request may be retried shortly (HTTP 429)."""


class Auth:
    def __init__(
        self,
        store: Store,
        max_failures: int = 5,
        window_s: float = 900,
        max_address_failures: int = 20,
        max_concurrent_verifies: int = 4,
        verify_wait_s: float = 5.0,
        token_seconds: float = TOKEN_SECONDS,
    ):
        self.store = store
        self.max_failures = max_failures  # per name, from any address
        self.max_address_failures = max_address_failures  # per address, over any names (spraying)
        self.window_s = window_s
        self.token_seconds = token_seconds
        self.verify_wait_s = verify_wait_s
        self._verifies = threading.BoundedSemaphore(max_concurrent_verifies)
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    # -- users -----------------------------------------------------------------------------------
    def add_user(self, name: str, password: str, role: str = "reviewer") -> None:
        """Create or replace a user; any sessions and tokens the name had end."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        self._check_password(password)
        self.store.users.save(name, role, _ph.hash(password), time.time())

    @staticmethod
    def _check_password(password: str) -> None:
        if len(password) < 12:
            raise ValueError("a password needs at least 12 characters")
        if len(password) > 1024:
            raise ValueError("a password has at most 1024 characters")

    def set_password(self, name: str, password: str) -> None:
        """A new password; the user's sessions and tokens end."""
        self._check_password(password)
        self.store.users.set_password_hash(name, _ph.hash(password))

    def disable(self, name: str, disabled: bool = True) -> None:
        """Disable (or re-enable) a user; disabling ends their sessions and tokens."""
        self.store.users.set_disabled(name, time.time() if disabled else None)

    def remove(self, name: str) -> None:
        """Delete a user with their sessions and tokens."""
        self.store.users.remove(name)

    def role(self, name: str) -> str | None:
        """The role of an enabled user, else None."""
        return self.store.users.role(name)

    # -- logins ----------------------------------------------------------------------------------
    def _count(self, key: str, limit: int, add: bool = False) -> bool:
        """Whether ``key`` has reached ``limit`` failures in the window (recording one if ``add``)."""
        with self._lock:
            q = self._failures[key]
            now = time.time()
            while q and now - q[0] > self.window_s:
                q.popleft()
            if add:
                q.append(now)
            elif not q:
                self._failures.pop(key, None)
            return len(q) >= limit

    def rate_limited(self, key: str) -> bool:
        return self._count(key, self.max_failures)

    def login(self, name: str, password: str, client: str) -> tuple[str, str] | None:
        """A new (session token, CSRF token), or None; raises PermissionError when throttled
        (``Busy`` when too many verifies are running)."""
        by_name, by_addr = f"name|{name}", f"addr|{client}"
        if self._count(by_name, self.max_failures) or self._count(by_addr, self.max_address_failures):
            raise PermissionError("too many failed logins; try again later")
        row = self.store.users.credentials(name)
        if not self._verifies.acquire(timeout=self.verify_wait_s):
            raise Busy("the server is busy; try again shortly")
        try:
            try:
                ok = _ph.verify(row[0] if row else _dummy(), password) and row is not None and row[1] is None
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                ok = False
        finally:
            self._verifies.release()
        if not ok:
            self._count(by_name, self.max_failures, add=True)
            self._count(by_addr, self.max_address_failures, add=True)
            return None
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        self.store.users.open_session(_digest(token), name, csrf, time.time(), time.time() + SESSION_SECONDS)
        return token, csrf

    def session(self, token: str | None) -> tuple[str, str, str] | None:
        """(user, role, csrf) of a live session of an enabled user."""
        if not token or len(token) > 200:
            return None
        return self.store.users.session(_digest(token), time.time())

    def logout(self, token: str) -> None:
        """End the session of this cookie token."""
        self.store.users.end_session(_digest(token))

    # -- API tokens ------------------------------------------------------------------------------
    def new_api_token(self, name: str, seconds: float | None = None) -> str:
        """A new token for an enabled user, valid ``seconds`` (default ``token_seconds``)."""
        if self.role(name) is None:
            raise KeyError(f"no user {name!r}")
        token = "cw_" + secrets.token_urlsafe(32)
        now = time.time()
        life = self.token_seconds if seconds is None else seconds
        self.store.users.add_token(_digest(token), name, now, now + life)
        return token

    def tokens(self, name: str | None = None) -> list[dict]:
        """Tokens as (id: the first 12 hex digits of the digest, user, created_at, expires_at)."""
        return [
            {"id": i, "user": u, "created_at": c, "expires_at": e if e is not None else c + self.token_seconds}
            for i, u, c, e in self.store.users.tokens(name)
        ]

    def revoke_token(self, token_id: str) -> int:
        """Revoke the token(s) whose id is ``token_id`` (at least 8 hex digits); the number revoked."""
        token_id = token_id.lower()
        if len(token_id) < 8 or any(ch not in "0123456789abcdef" for ch in token_id):
            raise ValueError("a token id is at least 8 hex digits (see `csewatch user tokens`)")
        return self.store.users.revoke_tokens(token_id)

    def api_user(self, token: str | None) -> tuple[str, str] | None:
        """(user, role) of a live API token of an enabled user."""
        if not token or len(token) > 200:
            return None
        now = time.time()
        row = self.store.users.token_user(_digest(token))
        if row is None:
            return None
        expires = row[3] if row[3] is not None else row[2] + self.token_seconds
        return (row[0], row[1]) if expires > now else None
