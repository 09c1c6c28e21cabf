"""cedar's accounts: handles per platform, accounts per role and persona."""

from __future__ import annotations

from csewatch.synth.authors.cedar.model import DAY, DAYS, T0, Acct


class AccountsMixin:
    """Account creation for ``Author``."""

    def make_handle(self, shady: bool = False) -> str:
        hp = self.common["handle_parts"]
        while True:
            parts = [self.ch(hp["first"] if self.rng.random() < 0.5 else hp["word"])]
            if shady:
                parts.append(self.ch(hp["shady"]))
                if self.rng.random() < 0.6:
                    parts.append(str(self.rng.randint(1, 999)))
            elif self.rng.random() < 0.6:
                parts.append(self.ch(hp["word"]))
            sep = self.ch(["", "_", ".", ""])
            h = sep.join(parts) + self.ch(hp["suffix"])
            if h not in self.handles:
                self.handles.add(h)
                return h

    def platform_handle(self, platform: str, h: str) -> str:
        h = h.replace(".", "_") if platform != "bluesky" else h.replace("_", "-")
        if platform == "bluesky":
            return f"{h}.bsky.social"
        if platform == "mastodon":
            return f"{h}@{self.ch(self.common['mastodon_instances'])}"
        return h[:15]

    def account(self, role: str, lang: str, persona: str = "generic", platform: str | None = None,
                created_at: float | None = None, handle: str | None = None, bio: str | None = None,
                display: str | None = None) -> Acct:
        platform = platform or self.platform()
        r = self.rng
        if created_at is None:
            if role in ("advertiser", "bot"):
                created_at = T0 - r.uniform(0, 40) * DAY if r.random() < 0.6 else T0 + r.uniform(0, DAYS - 1) * DAY
            else:
                created_at = T0 - r.uniform(30, 3000) * DAY
        h = handle or self.make_handle(shady=role in ("advertiser", "bot", "evader") and r.random() < 0.6)
        if bio is None:
            bios = self.common["personas"][persona]
            lst, _ = self.pick_lang_list(bios, lang)
            bio = self.ch(lst)
        if display is None:
            display = (f"{self.ch(self.common['display_first'])} {self.ch(self.common['display_last'])}"
                       if r.random() < 0.6 else h.split(".")[0].split("@")[0])
        a = Acct(platform, self.new_id(platform, "account"), self.platform_handle(platform, h), display, bio,
                 round(created_at), 0, 0, role, lang)
        if role in ("advertiser", "bot", "evader"):
            a.followers, a.following = r.randint(0, 400), r.randint(0, 900)
        else:
            a.followers = int(r.paretovariate(1.2) * 40)
            a.following = r.randint(20, 1500)
        self.accounts.append(a)
        return a

    def benign_acct(self, persona: str = "generic", lang: str | None = None) -> Acct:
        lang = lang or self.lang()
        key = (persona, lang)
        lst = self.pool.setdefault(key, [])
        if len(lst) < 4 + len(self.posts) // 400 or self.rng.random() < 0.25:
            lst.append(self.account("benign", lang, persona))
        return self.ch(lst)
