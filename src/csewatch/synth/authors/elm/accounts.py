"""elm's accounts: handles, platform ids, accounts per role, suspensions and the reuse pools."""

from __future__ import annotations

from csewatch.synth.authors.elm.model import LANG_W, LANGS, PLATFORMS, START, Acct


class AccountsMixin:
    """Account creation and pools for ``Author``."""

    def _handle_base(self, lang: str) -> str:
        rng = self.rng
        names = self.common["first_names"].get(lang) or self.common["first_names"]["en"]
        bits = self.common["handle_bits"]
        base = rng.choice(names)
        r = rng.random()
        if r < 0.4:
            base += rng.choice(bits)
        elif r < 0.7:
            base = rng.choice(bits) + base
        if rng.random() < 0.5:
            base += str(rng.randint(1, 999))
        return base.replace("__", "_")

    def _new_id(self, platform: str, kind: str) -> str:
        self.counter[platform] += 1
        c = self.counter[platform]
        if platform == "x":
            base = 1_900_000_000_000_000_000 if kind == "post" else 1_500_000_000
            return str(base + c * 7919 + self.rng.randint(0, 7000))
        if platform == "bluesky":
            if kind == "account":
                return f"did:plc:{c:06x}{self._rid(18, 'abcdefghijklmnopqrstuvwxyz234567')}"
            return f"3l{c:07x}{self._rid(6, 'abcdefghijklmnopqrstuvwxyz234567')}"
        return str((113_000_000_000_000_000 if kind == "post" else 109_000_000_000_000_000) + c * 4099)

    def make_account(self, role: str, lang: str | None = None, platform: str | None = None, created: int | None = None,
                     bio: str | None = None, handle: str | None = None, display: str | None = None,
                     predecessor: str | None = None) -> Acct:
        rng = self.rng
        lang = lang or rng.choices(LANGS, LANG_W)[0]
        platform = platform or rng.choice(PLATFORMS)
        base = handle or self._handle_base(lang)
        hd = base
        if platform == "bluesky":
            hd = f"{base.replace('_', '-').lower()}.bsky.social"
        elif platform == "mastodon":
            hd = f"{base}@{rng.choice(['mastodon.social', 'mstdn.jp', 'chaos.social', 'mas.to', 'sakurajima.moe'])}"
        if created is None:
            created = START - rng.randint(86_400, 4 * 365 * 86_400)
        if bio is None:
            self.cur_lang = lang
            bio = rng.choice(self.common["benign_bios"].get(lang, self.common["benign_bios"]["en"]))
        display = display or base.replace("_", " ").title()
        acct = Acct(platform, self._new_id(platform, "account"), hd, display, bio, created, lang, role, predecessor)
        acct.extra["base"] = base
        self.accounts.append(acct)
        followers = rng.randint(0, 40) if role in ("advertiser", "bot", "evader") else int(rng.paretovariate(1.2) * 30)
        obj = {"type": "account", "id": acct.id, "platform": platform, "handle": hd, "display_name": display,
               "bio": bio, "created_at": created, "followers": min(followers, 2_000_000),
               "following": rng.randint(0, 900)}
        self._emit(created, obj)
        return acct

    def suspend(self, acct: Acct, t: int) -> None:
        self._emit(t, {"type": "account", "id": acct.id, "platform": acct.platform, "status": "suspended",
                       "status_at": t})

    def pool(self, name: str, platform: str, lang: str | None = None, role: str = "benign", size: int = 3) -> Acct:
        """An account from a per-(name, platform, lang) pool, grown on demand up to `size`."""
        key = f"{name}|{platform}|{lang or '*'}"
        members = self._pools.setdefault(key, [])
        if len(members) < size and (not members or self.rng.random() < 0.5):
            members.append(self.make_account(role, lang=lang, platform=platform))
        return self.rng.choice(members)
