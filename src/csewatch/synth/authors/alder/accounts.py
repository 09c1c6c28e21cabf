"""alder's accounts: handles, platform ids, group ids, new accounts per role and the role pools."""

from __future__ import annotations

import re
import string

from csewatch.synth.authors.alder.model import _B32, PLATFORM_WEIGHTS, PLATFORMS, T0, Acct, Ctx


class AccountsMixin:
    """Account creation and lookup for ``Author``."""

    def _handle(self, kind: str) -> str:
        rng = self.rng
        parts = self.v.data["handle_parts"][kind]  # type: ignore[index]
        a = rng.choice(parts["a"])
        b = rng.choice(parts["b"])
        sep = rng.choice(["", "", "_", ".", "__"]) if kind != "adv" else rng.choice(["", "_", "x", ".", "_0"])
        h = f"{a}{sep}{b}"
        if rng.random() < 0.5:
            h += str(rng.choice([rng.randint(0, 99), rng.randint(1970, 2012), rng.randint(100, 9999)]))
        h = re.sub(r"[^A-Za-z0-9_.]", "", h).strip("._")[:15] or "user" + str(rng.randint(1, 999))
        return h

    def _new_id(self, platform: str, what: str) -> str:
        rng = self.rng
        while True:
            self._ctr += 1
            if platform == "x":
                base = 1_870_000_000_000_000_000 if what == "post" else 1_400_000_000_000_000_000
                i = str(base + self._ctr * 65_536 + rng.randrange(65_536))
            elif platform == "bluesky":
                if what == "account":
                    i = "did:plc:" + "".join(rng.choice(_B32) for _ in range(24))
                else:
                    i = "3l" + "".join(rng.choice(_B32) for _ in range(11))
            else:
                base = 113_700_000_000_000_000 if what == "post" else 109_000_000_000_000_000
                i = str(base + self._ctr * 4_096 + rng.randrange(4_096))
            key = f"{platform}:{what}:{i}"
            if key not in self._used:
                self._used.add(key)
                return i

    def _group_id(self, platform: str) -> str:
        rng = self.rng
        if platform == "x":
            return str(1_500_000_000_000_000_000 + rng.randrange(10**15))
        if platform == "bluesky":
            return "feed-" + "".join(rng.choice(_B32) for _ in range(10))
        return "group-" + "".join(rng.choice(string.ascii_lowercase) for _ in range(8))

    def new_account(self, role: str, kind: str = "person", platform: str | None = None, lang: str | None = None,
                    created_at: int | None = None, like: Acct | None = None) -> Acct:
        rng = self.rng
        platform = platform or rng.choices(PLATFORMS, weights=PLATFORM_WEIGHTS)[0]
        lang = lang or self.lang_pick("accounts")
        hk = "adv" if role in ("advertiser", "bot", "evader") else (
            "shop" if kind in ("shop", "crypto", "news", "school_team") else "person")
        if like is not None:
            handle = self._evader_handle(like.handle)
        else:
            handle = self._handle(hk)
        acct_id = self._new_id(platform, "account")
        if platform == "mastodon":
            handle = handle.lower() + "@" + rng.choice(self.v.data["mastodon_instances"])  # type: ignore[arg-type]
        elif platform == "bluesky":
            handle = handle.lower().replace("_", "-").strip("-.") + ".bsky.social"
        ctx = Ctx(langs=self.langs_for(lang), advert=role in ("advertiser", "bot", "evader"))
        bio_key, name_key = {
            "advertiser": ("bio_adv", "name_adv"), "bot": ("bio_bot", "name_adv"), "evader": ("bio_adv", "name_adv"),
            "commenter": ("bio_commenter", "name_person"),
        }.get(role, (f"bio_{kind}", "name_person" if kind in ("person", "parent") else f"name_{kind}"))
        if kind == "bio_only":
            bio_key, name_key = "bio_offer", "name_offer"
        bio = self.tidy(self.expand(rng.choice(self.slot(bio_key, ctx)), ctx))
        display = self.tidy(self.expand(rng.choice(self.slot(name_key, ctx)), ctx))
        if like is not None:
            display = like.display_name if rng.random() < 0.6 else self.tidy(
                like.display_name + " " + rng.choice(self.s["evader_name_suffix"]))
            pctx = Ctx(langs=[lang], extra={"oldhandle": like.handle.split("@")[0]})
            prefix = self.expand(rng.choice(self.s["evader_bio_prefix"]), pctx)
            bio = like.bio if rng.random() < 0.5 else self.tidy(prefix + " " + like.bio)
        if rng.random() < 0.06 and role in ("advertiser", "bot", "evader", "benign") and like is None:
            display = self.obf.style_all(display, rng.choice(["math_bold", "math_script", "small_caps",
                                                              "math_double_struck", "fullwidth"]))
        if created_at is None:
            created_at = T0 - rng.randint(86_400, 9 * 365 * 86_400)
            if role in ("advertiser", "bot") and rng.random() < 0.6:
                created_at = T0 - rng.randint(3_600, 40 * 86_400)
        if role in ("advertiser", "bot", "evader"):
            followers, following = rng.randint(0, 900), rng.randint(0, 3000)
        elif kind in ("news", "shop") or rng.random() < 0.05:
            followers, following = rng.randint(2_000, 900_000), rng.randint(10, 2000)
        else:
            followers, following = int(rng.lognormvariate(5, 1.4)), int(rng.lognormvariate(5.3, 1.0))
        a = Acct(platform, acct_id, handle, display, bio, created_at, followers, following, role, lang, kind)
        self.accounts.append(a)
        self.by_role.setdefault((role if role != "benign" else kind, platform), []).append(a)
        return a

    def _evader_handle(self, old: str) -> str:
        rng = self.rng
        base = old.split("@")[0].split(".bsky")[0].replace("-", "_")
        forms = self.v.data["evader_handle_forms"]
        h = rng.choice(forms).replace("H", base)  # type: ignore[arg-type]
        if h == base:
            h = base + str(rng.randint(2, 9))
        return h[:18]

    def pool(self, key: str, platform: str | None = None) -> list[Acct]:
        if platform:
            return self.by_role.get((key, platform), [])
        out: list[Acct] = []
        for p in PLATFORMS:
            out += self.by_role.get((key, p), [])
        return out

    def author_of(self, key: str, platform: str | None = None) -> Acct:
        lst = self.pool(key, platform) or self.pool("person", platform) or self.pool(key)
        return self.rng.choice(lst)
