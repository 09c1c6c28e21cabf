"""birch's threads: innocent child-photo roots with context and benign replies."""

from __future__ import annotations

from csewatch.synth.authors.birch.model import PLATFORMS, Account


class ThreadsMixin:
    """Thread building for ``Birch``."""

    def threads(
        self,
        parents: list[Account],
        commenters: list[Account],
        benign: list[Account],
        n_root: int,
        n_ctx: int,
        n_brep: int,
    ) -> None:
        roots = []
        for _ in range(n_root):
            acct = self.rng.choice(parents)
            sub, lang, txt = self.tpl_text("context", "root", None, 0.0, False, acct.platform)
            t = self._time(acct)
            pid = self.post(
                acct, t, txt, "thread_root_innocent", "child_photo_root", sub, lang, media=self.rng.randint(1, 4)
            )
            roots.append((acct, pid, t, lang))
        # benign replies: most to roots, some to ordinary posts
        for i in range(n_brep):
            if i < len(roots) or self.rng.random() < 0.75:
                racct, root, rt, rlang = roots[i % len(roots)] if i < len(roots) else self.rng.choice(roots)
                family = "child_photo_benign"
            else:
                plat = self.rng.choice(PLATFORMS)
                if not self.targets[plat]:
                    plat = next(p for p in PLATFORMS if self.targets[p])
                root, rt = self.rng.choice(self.targets[plat])
                racct = (
                    next(a for a in benign if a.platform == plat)
                    if any(a.platform == plat for a in benign)
                    else benign[0]
                )
                rlang = None
                family = "general_benign"
            pool = [a for a in benign if a.platform == racct.platform] or benign
            acct = self.rng.choice(pool[:80])
            lang = rlang if rlang and self.rng.random() < 0.8 else None
            sub, lang, txt = self.tpl_text(
                "context",
                "benign_reply" if family == "child_photo_benign" else "general_reply",
                None,
                0.02,
                False,
                acct.platform,
                lang=lang,
            )
            self.post(
                acct,
                rt + self.rng.randint(30, 86400),
                txt,
                "benign_reply",
                family,
                sub,
                lang,
                reply_to=root,
                reply_root=root,
            )
        # context replies
        ctx_subs = sorted(self.v["context"]["templates"]["context_reply"])
        made: list[tuple[Account, str, str, int, str]] = []  # (author, post id, root id, time, lang)
        hit_roots = self.rng.sample(roots, k=max(1, int(len(roots) * 0.8)))
        for i in range(n_ctx):
            racct, root, rt, rlang = hit_roots[i % len(hit_roots)] if i < len(hit_roots) else self.rng.choice(hit_roots)
            pool = [a for a in commenters if a.platform == racct.platform]
            if not pool:
                pool = [self.make_account("commenter", "commenter", platform=racct.platform)]
                commenters.extend(pool)
            acct = self.rng.choice(pool)
            sub = self.rng.choice(ctx_subs)
            same_root = [m for m in made if m[2] == root]
            lang = rlang if self.rng.random() < 0.6 else None
            if sub == "nested_followup" and same_root:
                parent = self.rng.choice(same_root)
                _, lang, txt = self.tpl_text("context", "context_reply", sub, 0.48, True, acct.platform, lang=lang)
                t = parent[3] + self.rng.randint(20, 6 * 3600)
                pid = self.post(
                    acct, t, txt, "context_reply", "context_reply", sub, lang, reply_to=parent[1], reply_root=root
                )
            elif sub == "quote_post":
                _, lang, txt = self.tpl_text("context", "context_reply", sub, 0.48, True, acct.platform, lang=lang)
                t = rt + self.rng.randint(60, 2 * 86400)
                pid = self.post(acct, t, txt, "context_reply", "context_reply", sub, lang, quote_of=root)
            else:
                if sub == "nested_followup":
                    sub = "age_question"
                _, lang, txt = self.tpl_text("context", "context_reply", sub, 0.48, True, acct.platform, lang=lang)
                t = rt + self.rng.randint(60, 2 * 86400)
                pid = self.post(
                    acct, t, txt, "context_reply", "context_reply", sub, lang, reply_to=root, reply_root=root
                )
            made.append((acct, pid, root, t, lang))
