"""alder's threads: innocent child-photo roots with context and benign replies; pet/car/house threads."""

from __future__ import annotations

from csewatch.synth.authors.alder.model import Post


class ThreadsMixin:
    """Thread building for ``Author``."""

    def _threads(self, n_roots: int, n_ctx: int, n_br: int) -> None:
        rng = self.rng
        parents = self.pool("parent") + self.pool("school_team")
        ctx_left, br_left = n_ctx, n_br
        for r in range(n_roots):
            owner = rng.choice(parents)
            tpl, sub, lang = self.pick_template("threads", "child_photo", None, owner.lang)
            root = self.add_post(owner, tpl, lang, "thread_root_innocent", "child_photo", sub, self.rand_t(0, 0.9),
                                 media=rng.randint(1, 4))
            replies: list[Post] = [root]
            k_ctx = ctx_left // (n_roots - r) + (1 if rng.random() < 0.4 else 0)
            k_ctx = min(ctx_left, max(0, k_ctx + rng.randint(-1, 1)))
            k_br = min(br_left, max(1, br_left // (n_roots - r) + rng.randint(-1, 1)))
            ctx_left -= k_ctx
            br_left -= k_br
            jobs = ["ctx"] * k_ctx + ["br"] * k_br + ["fam_age"] * rng.choice([0, 0, 1, 1, 2])
            rng.shuffle(jobs)
            t = root.t
            for job in jobs:
                t += rng.randint(60, 5 * 3600)
                if job == "ctx":
                    self._context_reply(root, replies, t)
                elif job == "br":
                    self._benign_reply(root, replies, t)
                else:
                    a = self.author_of("person", root.platform)
                    tpl, sub, lg = self.pick_template("threads", "family_reply_ages", None, root.lang)
                    replies.append(self.add_post(a, self._at(root, tpl), lg, "hard_negative", "family_reply_ages",
                                                 sub, t, obf_rate=0.05, reply_to=root.id, reply_root=root.id))

    def _at(self, target: Post, tpl: str) -> str:
        if target.platform in ("x", "mastodon") and self.rng.random() < 0.55:
            return "@" + target.author.handle.split("@")[0] + " " + tpl
        return tpl

    def _context_reply(self, root: Post, replies: list[Post], t: int) -> None:
        rng = self.rng
        c = self.author_of("commenter", root.platform)
        subs = self.v.data["context_mix"]
        sub = rng.choices(list(subs), weights=list(subs.values()))[0]  # type: ignore[union-attr]
        lang = root.lang if rng.random() < 0.7 else self.lang_pick("context")
        if sub == "nested_followup" and len(replies) > 1:
            parent = rng.choice(replies[1:])
            tpl, _, lg = self.pick_template("context", "reply", sub, lang)
            replies.append(self.add_post(c, self._at(parent, tpl), lg, "context_reply", "context", sub, t, True, 0.3,
                                         reply_to=parent.id, reply_root=root.id))
            return
        if sub == "nested_followup":
            sub = "age_question"
        tpl, _, lg = self.pick_template("context", "reply", sub, lang)
        if sub == "quote_photo":
            self.add_post(c, tpl, lg, "context_reply", "context", sub, t, True, 0.3, quote_of=root.id)
            return
        replies.append(self.add_post(c, self._at(root, tpl), lg, "context_reply", "context", sub, t, True, 0.3,
                                     reply_to=root.id, reply_root=root.id))
        if rng.random() < 0.3:
            self.edges.append((t, root.platform, c.id, root.author.id))

    def _benign_reply(self, root: Post, replies: list[Post], t: int) -> None:
        rng = self.rng
        if len(replies) > 1 and rng.random() < 0.25:
            # the parent answers someone, or a friend replies in a nested thread
            parent = rng.choice(replies[1:])
            tpl, sub, lg = self.pick_template("threads", "parent_answer", None, root.lang)
            a = root.author if rng.random() < 0.7 else self.author_of("person", root.platform)
            replies.append(self.add_post(a, self._at(parent, tpl), lg, "benign_reply", "parent_answer", sub, t,
                                         reply_to=parent.id, reply_root=root.id))
            return
        a = self.author_of("person", root.platform)
        tpl, sub, lg = self.pick_template("threads", "benign_reply", None, root.lang)
        replies.append(self.add_post(a, self._at(root, tpl), lg, "benign_reply", "family_friends", sub, t,
                                     reply_to=root.id, reply_root=root.id))

    def _nonhuman_threads(self, n: int) -> None:
        rng = self.rng
        for _ in range(n):
            owner = self.author_of("person")
            tpl, sub, lang = self.pick_template("threads", "nonhuman_photo", None, owner.lang)
            root = self.add_post(owner, tpl, lang, "ordinary", "nonhuman_photo", sub, self.rand_t(0, 0.9),
                                 media=rng.randint(1, 3))
            t = root.t
            thread = [root]
            for _ in range(rng.randint(1, 4)):
                t += rng.randint(60, 4 * 3600)
                a = self.author_of("person", root.platform)
                qt, _, lg = self.pick_template("threads", "nonhuman_age_question", sub, root.lang)
                q = self.add_post(a, self._at(root, qt), lg, "hard_negative", "nonhuman_age_question", sub, t,
                                  obf_rate=0.05, reply_to=root.id, reply_root=root.id)
                thread.append(q)
                if rng.random() < 0.6:
                    t += rng.randint(60, 3600)
                    at, _, lg = self.pick_template("threads", "nonhuman_answer", sub, root.lang)
                    self.add_post(owner, self._at(q, at), lg, "benign_reply", "nonhuman_answer", sub, t,
                                  reply_to=q.id, reply_root=root.id)
