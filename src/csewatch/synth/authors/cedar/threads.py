"""cedar's threads: child-photo roots with sexualising and benign replies; pet/car/house threads."""

from __future__ import annotations

from csewatch.synth.authors.cedar.model import DAY, T0, T_END, Acct, Post


class ThreadsMixin:
    """Thread building for ``Author``."""

    def child_root(self, lang: str, harmful: bool) -> tuple[Acct, Post]:
        r = self.rng
        kind = self.ch(["parent", "parent", "parent", "school", "team"])
        lst, l2 = self.pick_lang_list(self.threads["child_roots"][kind], lang)
        a = self.benign_acct(kind, lang)
        fills = {"name": lambda: self.ch(self.threads["child_names"]), "age": lambda: str(r.randint(4, 13)),
                 "grade": lambda: self.ch(["school", "2nd grade", "year 3", "kindergarten"]),
                 "yr": lambda: str(r.randint(1, 6)), "yr2": lambda: str(r.randint(1, 2)),
                 "u": lambda: str(r.choice([8, 9, 10, 11, 12]))}
        text = self.noise(self.expand(self.ch(lst), l2, {}, fills), l2)
        t = self.time_in(T0, T_END - DAY)
        if harmful:
            p = self.post(a, text, t, "thread_root_innocent", "child_photo_thread", kind, l2, media=True)
        else:
            p = self.post(a, text, t, "hard_negative", "child_photo", kind, l2, media=True)
        return a, p

    def sexualising_text(self, lang: str) -> tuple[str, str, str]:
        s = self.threads["sexualising"]
        subs = list(s)
        sub = self.rng.choices(subs, [s[k]["weight"] for k in subs])[0]
        lst, l2 = self.pick_lang_list({k: v for k, v in s[sub].items() if k != "weight"}, lang)
        fills = {"age": lambda: str(self.rng.randint(8, 14)), "idroute": self.id_route}
        return self.expand(self.ch(lst), l2, {}, fills), sub, l2

    def commenter(self, lang: str, platform: str) -> Acct:
        lst = self.pool.setdefault(("commenter", platform), [])
        if len(lst) < 3 or self.rng.random() < 0.35:
            a = self.account("commenter", lang, platform=platform,
                             bio=self.ch(["", "", "dm open", "🔞", "trade?", "👀", "snap in dm"]))
            for b in lst[-4:]:
                if self.rng.random() < 0.4:
                    self.edges.append((platform, a.id, b.id, self.time_in()))
            lst.append(a)
        return self.ch(lst)

    def benign_reply_text(self, kind: str, lang: str) -> tuple[str, str]:
        lst, l2 = self.pick_lang_list(self.threads["benign"][kind], lang)
        fills = {"age": lambda: str(self.rng.randint(3, 13)), "age2": lambda: str(self.rng.randint(2, 12))}
        return self.expand(self.ch(lst), l2, {}, fills), l2

    def child_thread(self, harmful: bool) -> tuple[int, int]:
        """A child-photo root with benign replies, and sexualising ones when harmful; returns
        (context replies, posts)."""
        r = self.rng
        lang = self.lang()
        parent, root = self.child_root(lang, harmful)
        plat = root.platform
        made, ctx = 1, 0
        replies: list[Post] = []
        for _ in range(r.randint(1, 4)):
            kind = self.ch(["family", "family", "friend"])
            a = self.benign_acct("parent", lang) if kind == "friend" else self.account("benign", lang, "generic",
                                                                                      platform=plat)
            if a.platform != plat:
                a = self.account("benign", lang, "parent", platform=plat)
            text, l2 = self.benign_reply_text(kind, lang)
            p = self.post(a, self.noise(text, l2), root.created_at + r.uniform(120, 20 * 3600), "benign_reply",
                          "benign_reply", kind, l2, reply_to=root.id, reply_root=root.id)
            replies.append(p)
            made += 1
            self.edges.append((plat, a.id, parent.id, a.created_at + r.uniform(DAY, 20 * DAY)))
            if r.random() < 0.35:
                text, l2 = self.benign_reply_text("parent_thanks", lang)
                self.post(parent, text, p.created_at + r.uniform(60, 6 * 3600), "benign_reply", "benign_reply",
                          "parent_thanks", l2, reply_to=p.id, reply_root=root.id)
                made += 1
        if r.random() < 0.2:  # a relative quotes the photo
            q = self.account("benign", lang, "parent", platform=plat)
            text, l2 = self.benign_reply_text("family_quote", lang)
            self.post(q, self.noise(text, l2), root.created_at + r.uniform(600, DAY), "benign_reply", "benign_reply",
                      "family_quote", l2, quote_of=root.id)
            made += 1
        if not harmful:
            return 0, made
        for _ in range(r.choice([1, 2, 2, 3, 3, 4, 5])):
            c = self.commenter(lang, plat)
            if r.random() < 0.12:
                lst, l2 = self.pick_lang_list(self.threads["quotes"], lang)
                p = self.post(c, self.ch(lst), root.created_at + r.uniform(300, DAY), "context_reply",
                              "sexualising_reply", "quote", l2, quote_of=root.id)
                ctx += 1
                made += 1
                continue
            text, sub, l2 = self.sexualising_text(lang)
            target = root
            if replies and r.random() < 0.15:  # under a family member's reply
                target = self.ch(replies)
                sub = sub + "_nested"
            p = self.post(c, self.noise(text, l2), target.created_at + r.uniform(60, 30 * 3600), "context_reply",
                          "sexualising_reply", sub, l2, reply_to=target.id, reply_root=root.id)
            self.harmful_obf(p, text.split(), rate=0.4)
            ctx += 1
            made += 1
            depth_parent = p
            for _ in range(r.choice([0, 0, 1, 1, 2])):
                c2 = self.commenter(lang, plat)
                lst, l3 = self.pick_lang_list(self.threads["followups"], lang)
                q = self.post(c2, self.noise(self.ch(lst), l3), depth_parent.created_at + r.uniform(60, 8 * 3600),
                              "context_reply", "sexualising_reply", "followup", l3, reply_to=depth_parent.id,
                              reply_root=root.id)
                self.harmful_obf(q, rate=0.35)
                ctx += 1
                made += 1
                depth_parent = q
            if sub == "age_question" and r.random() < 0.25:  # the parent answers, innocently
                text, l2 = self.benign_reply_text("parent_answer", lang)
                self.post(parent, text, p.created_at + r.uniform(60, 4 * 3600), "benign_reply", "benign_reply",
                          "parent_answer", l2, reply_to=p.id, reply_root=root.id)
                made += 1
            elif r.random() < 0.2:
                text, l2 = self.benign_reply_text("parent_pushback", lang)
                self.post(parent, text, p.created_at + r.uniform(60, 4 * 3600), "benign_reply", "benign_reply",
                          "parent_pushback", l2, reply_to=p.id, reply_root=root.id)
                made += 1
        return ctx, made

    def nonhuman_thread(self) -> int:
        r = self.rng
        lang = self.lang()
        kind = self.ch(["pet", "pet", "pet", "car", "house"])
        lst, l2 = self.pick_lang_list(self.threads["nonhuman_roots"][kind], lang)
        a = self.benign_acct("generic", lang)
        fills = {"pet": lambda: self.ch(self.threads["pet_names"]), "age": lambda: str(r.randint(1, 14)),
                 "d": lambda: str(r.randint(0, 9))}
        root = self.post(a, self.noise(self.expand(self.ch(lst), l2, {}, fills), l2), self.time_in(T0, T_END - DAY),
                         "hard_negative", "nonhuman_photo_root", kind, l2, media=True)
        made = 1
        for _ in range(r.randint(1, 4)):
            sub = "age_question" if r.random() < 0.6 else "admiration"
            rl, l3 = self.pick_lang_list(self.threads["nonhuman_replies"][kind][sub], lang)
            b = self.account("benign", lang, platform=root.platform) if r.random() < 0.5 else None
            if b is None or b.platform != root.platform:
                b = self.account("benign", lang, platform=root.platform)
            p = self.post(b, self.noise(self.ch(rl), l3), root.created_at + r.uniform(60, DAY), "hard_negative",
                          "nonhuman_age_question", f"{kind}_{sub}", l3, reply_to=root.id, reply_root=root.id)
            made += 1
            if r.random() < 0.1:
                p.text, p.obfuscation = self.obf.text(p.text, benign=True)
            if sub == "age_question" and r.random() < 0.5:  # the owner answers
                ol, l4 = self.pick_lang_list(self.threads["owner_answers"], lang)
                text = self.expand(self.ch(ol), l4, {}, fills)
                self.post(a, text, p.created_at + r.uniform(60, 6 * 3600), "hard_negative", "nonhuman_age_question",
                          f"{kind}_owner_answer", l4, reply_to=p.id, reply_root=root.id)
                made += 1
        return made
