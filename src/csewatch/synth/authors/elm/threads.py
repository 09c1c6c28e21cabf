"""elm's child-photo threads: innocent roots, sexualising context replies and benign replies."""

from __future__ import annotations

from csewatch.synth.authors.elm.model import LANG_W, LANGS, PLATFORMS, SPAN, START, PostRef


class ThreadsMixin:
    """Thread building for ``Author``."""

    def child_root(self) -> PostRef:
        rng = self.rng
        lang = rng.choices(LANGS, LANG_W)[0]
        platform = rng.choice(PLATFORMS)
        owner = self.pool("parent", platform, lang, size=20)
        text = self.noise(self.render(rng.choice(self.ctx["roots"][lang]), lang, None))
        return self.post(owner, text, self._t(hi=START + SPAN - 2 * 86_400), "thread_root_innocent", "child_photo",
                         "root", lang, media=True)

    def context_reply(self, root: PostRef, done: list[tuple[PostRef, PostRef]]) -> None:
        rng = self.rng
        kinds = list(self.ctx["replies"])
        w = {"age_question": 4, "stated_age": 2, "more_photos": 3, "trade_request": 1.5, "offplatform_contact": 3,
             "emoji_only": 3, "nested_followup": 2, "quote_post": 1.2}
        kind = rng.choices(kinds, [w[k] for k in kinds])[0]
        prev = [c for r, c in done if r.id == root.id]
        if kind == "nested_followup" and not prev:
            kind = "age_question"
        tpls = self.ctx["replies"][kind]
        lang = root_lang = self._lang_of[root.id]
        if rng.random() < 0.25:
            lang = rng.choices(LANGS, LANG_W)[0]
        if lang not in tpls and "*" not in tpls:
            lang = root_lang if root_lang in tpls else "en"
        obf = self._harm_obf() if kind != "emoji_only" else None
        tpl, lang = self.pick_template(tpls, lang)
        text = self.noise(self.render(tpl, lang, obf)) if kind != "emoji_only" else self.render(tpl, lang, None)
        commenter = self.pool("commenter", root.platform, None, role="commenter", size=30)
        if kind == "nested_followup":
            parent = rng.choice(prev)
            if rng.random() < 0.6:
                commenter = parent.author
            ref = self.post(commenter, text, parent.t + rng.randint(30, 20_000), "context_reply", "context_reply",
                            kind, lang, obf, reply_to=parent)
        elif kind == "quote_post":
            ref = self.post(commenter, text, root.t + rng.randint(120, 90_000), "context_reply", "context_reply", kind,
                            lang, obf, quote_of=root)
        else:
            parent = root
            benign_here = self._benign_by_root.get(root.id)
            if benign_here and rng.random() < 0.2:
                parent, kind = rng.choice(benign_here), kind + "_under_reply"
            ref = self.post(commenter, text, parent.t + rng.randint(60, 100_000), "context_reply", "context_reply",
                            kind, lang, obf, reply_to=parent)
        done.append((root, ref))

    def benign_reply(self, root: PostRef, prior: list[tuple[PostRef, PostRef]]) -> None:
        rng = self.rng
        lang = self._lang_of[root.id]
        friend = self.pool("friend", root.platform, lang, size=25)
        text = self.noise(self.render(rng.choice(self.ctx["benign_replies"][lang]), lang, None))
        parent, sub = root, "family_friend"
        siblings = self._benign_by_root.get(root.id, [])
        creeps = [c for r, c in prior if r.id == root.id]
        if creeps and rng.random() < 0.2:  # the parent pushes back under a sexualising reply
            parent, sub, friend = rng.choice(creeps), "pushback", root.author
            text = self.render(rng.choice(self.ctx["pushback"][lang]), lang, None)
        elif siblings and rng.random() < 0.25:
            parent, sub = rng.choice(siblings), "reply_to_reply"
        ref = self.post(friend, text, parent.t + rng.randint(60, 80_000), "benign_reply", "benign_reply", sub, lang,
                        reply_to=parent)
        self._benign_by_root.setdefault(root.id, []).append(ref)
