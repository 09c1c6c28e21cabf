"""birch's accounts: new accounts per role, their bios, records, and evaders for suspended ones."""

from __future__ import annotations

from csewatch.synth.authors.birch.model import _MARKS, KC, KO, PLATFORM_WEIGHTS, PLATFORMS, T0, Account


class AccountsMixin:
    """Account creation for ``Birch``."""

    def make_account(
        self, role: str, kind: str, created: int | None = None, platform: str | None = None, lang: str | None = None
    ) -> Account:
        platform = platform or self.rng.choices(PLATFORMS, PLATFORM_WEIGHTS)[0]
        lang = lang or self._pick_lang(list(self.lang_weights))
        shady = role in ("advertiser", "bot", "evader", "commenter")
        base = self._handle_base(shady)
        if platform == "bluesky":
            handle = f"{base.replace('_', '-').lower()}.{self.word('bsky_domains', 'any')}"
        elif platform == "mastodon":
            handle = f"{base}@{self.word('instances', 'any')}"
        else:
            handle = base
        self.ctx = {}
        lang_key = lang if lang != "mix" else "en"
        display = self.fill(self.word(f"display_{kind}", lang_key), lang_key).replace(KO, "").replace(KC, "")
        bio = self.fill(self.word(f"bio_{kind}", lang_key), lang_key)
        bio = _MARKS.sub("", self._maybe_obf_bio(bio, shady))
        if created is None:
            created = (
                T0 - self.rng.randint(3 * 86400, 8 * 365 * 86400) if not shady else T0 - self.rng.randint(0, 40 * 86400)
            )
        followers = self.rng.randint(0, 400) if shady else int(self.rng.paretovariate(1.2) * 40)
        acct = Account(
            platform,
            self._new_id(platform, "account"),
            handle,
            _MARKS.sub("", display),
            bio,
            created,
            role,
            followers,
            self.rng.randint(0, 900),
            lang,
        )
        self.accounts.append(acct)
        self._emit(created, self._account_obj(acct))
        return acct

    def _maybe_obf_bio(self, bio: str, shady: bool) -> str:
        if shady and self.rng.random() < 0.3:
            bio, _ = self._obfuscate(bio, True)
        return bio

    @staticmethod
    def _account_obj(a: Account) -> dict:
        return {
            "type": "account",
            "id": a.id,
            "platform": a.platform,
            "handle": a.handle,
            "display_name": a.display_name,
            "bio": a.bio,
            "created_at": a.created_at,
            "followers": a.followers,
            "following": a.following,
        }

    def evader_for(self, old: Account) -> Account:
        created = (old.suspended_at or T0) + self.rng.randint(300, 36 * 3600)
        base = old.handle.split("@")[0].split(".")[0]
        variant = (
            self.word("evader_handle_patterns", "any").replace("<h>", base).replace("<n>", str(self.rng.randint(2, 9)))
        )
        if old.platform == "bluesky":
            handle = f"{variant.replace('_', '-').lower()}.{old.handle.split('.', 1)[1]}"
        elif old.platform == "mastodon":
            handle = f"{variant}@{self.word('instances', 'any')}"
        else:
            handle = variant
        display = (
            old.display_name
            if self.rng.random() < 0.5
            else self.word("evader_display_patterns", "any").replace("<d>", old.display_name)
        )
        bio = (
            old.bio
            if self.rng.random() < 0.4
            else self.word("evader_bio_prefix", old.lang if old.lang != "mix" else "en") + " " + old.bio
        )
        acct = Account(
            old.platform,
            self._new_id(old.platform, "account"),
            handle,
            display,
            bio[:600],
            created,
            "evader",
            self.rng.randint(0, 60),
            self.rng.randint(0, 300),
            old.lang,
            window=(created + 60, created + self.rng.randint(3600, 3 * 86400)),
            predecessor=old.id,
        )
        self.accounts.append(acct)
        self._emit(created, self._account_obj(acct))
        return acct
