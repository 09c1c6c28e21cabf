"""``csewatch graph``: the graph jobs over the stored stream (ban evasion, co-follow clusters, hashtag
bursts and discovery, coordination, expansion from seeds), each with a progress bar over its steps."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from csewatch.commands.common import DbOpt, JsonOpt, PolicyOpt, QuietOpt, Steps, console, err, load_pack, progress_steps
from csewatch.store import Store

graph_app = typer.Typer(no_args_is_help=True, help="Graph jobs over the stored stream.")


def _graph(db: str, policy_dir: Path | None, steps: Steps | None = None, quiet: bool = False):
    from csewatch.graph.build import build_graph

    policy = load_pack(policy_dir)
    store = Store(db, policy.version)
    if steps is not None:
        steps.step("building the account graph")
        g = build_graph(store, policy)
    else:
        with err.status("building the account graph"):
            g = build_graph(store, policy)
    if not quiet:
        err.print(f"graph: {g.graph.vcount():,} accounts, {g.graph.ecount():,} weighted links")
    return policy, store, g


@graph_app.command("evasion")
def graph_evasion(
    db: str = DbOpt,
    policy: Path | None = PolicyOpt,
    threshold: float = typer.Option(0.6, "--threshold", min=0, max=1),
    labels: Path | None = typer.Option(None, "--labels", help="graph_labels.jsonl from csewatch synth"),
    save: bool = typer.Option(True, "--save/--no-save", help="Write links as signals and cases"),
    limit: int = typer.Option(20, "-n"),
    as_json: bool = JsonOpt,
    quiet: bool = QuietOpt,
) -> None:
    """Link new accounts to the suspended accounts they most likely replace, with every piece of evidence."""
    from csewatch.graph.evasion import link_evaders
    from csewatch.graph.findings import save_evasion
    from csewatch.triage import Triage

    with progress_steps(3 if save else 2, quiet or as_json, "graph evasion") as steps:
        pol, store, g = _graph(db, policy, steps, quiet or as_json)
        steps.step("linking new accounts to suspended ones")
        links = link_evaders(store, pol, g, threshold=threshold)
        if save:
            steps.step("writing signals and cases")
            save_evasion(store, Triage(pol), links)
    doc: dict = {
        "links": [
            {"account": x.account, "predecessor": x.predecessor, "score": x.score, "evidence": x.evidence}
            for x in links
        ]
    }
    if labels is not None:
        from csewatch.graph.evaluate import evasion_metrics, read_graph_labels
        from csewatch.graph.evasion import suspended_accounts

        doc["eval"] = evasion_metrics(links, read_graph_labels(labels), suspended_accounts(store))
    if as_json:
        print(json.dumps(doc))
        return
    t = Table(title=f"ban-evasion links (threshold {threshold})")
    for col in ("account", "suspended predecessor", "score", "evidence"):
        t.add_column(col, overflow="fold")
    for x in links[:limit]:
        t.add_row(x.account, x.predecessor, f"{x.score:.2f}", "; ".join(f"{k}: {v}" for k, v in x.evidence.items()))
    console.print(t)
    if "eval" in doc:
        console.print(f"against labels: {doc['eval']}")


@graph_app.command("clusters")
def graph_clusters(
    db: str = DbOpt,
    policy: Path | None = PolicyOpt,
    threshold: float = typer.Option(0.5, "--threshold", help="Jaccard of follow sets"),
    min_size: int = typer.Option(3, "--min-size"),
    labels: Path | None = typer.Option(None, "--labels", help="graph_labels.jsonl from csewatch synth"),
    save: bool = typer.Option(True, "--save/--no-save", help="Cases for clusters with flagged members"),
    as_json: bool = JsonOpt,
    quiet: bool = QuietOpt,
) -> None:
    """Co-follow clusters (MinHash LSH + exact Jaccard) and the Leiden community count."""
    from csewatch.graph.clusters import cofollow_clusters, leiden_communities
    from csewatch.graph.findings import save_clusters
    from csewatch.triage import Triage

    with progress_steps(4, quiet or as_json, "graph clusters") as steps:
        pol, store, g = _graph(db, policy, steps, quiet or as_json)
        steps.step("co-follow clusters")
        clusters = cofollow_clusters(g, threshold=threshold, min_size=min_size)
        steps.step("writing cluster cases" if save else "(not saving)")
        n_cases = save_clusters(store, Triage(pol), g, clusters) if save else 0
        steps.step("Leiden communities")
        communities = len(set(leiden_communities(g))) if g.graph.ecount() else 0
    doc: dict = {
        "clusters": [
            {
                "size": len(c.members),
                "mean_jaccard": round(c.mean_jaccard, 3),
                "key": c.key(g),
                "members": [g.names[m] for m in c.members][:50],
            }
            for c in clusters
        ],
        "cases": n_cases,
        "leiden_communities": communities,
    }
    if labels is not None:
        from csewatch.graph.evaluate import cluster_metrics, read_graph_labels

        doc["eval"] = cluster_metrics(clusters, g, read_graph_labels(labels))
    if as_json:
        print(json.dumps(doc))
        return
    t = Table(title=f"co-follow clusters (Jaccard >= {threshold}); {communities} Leiden communities")
    for col in ("size", "mean Jaccard", "case key", "first members"):
        t.add_column(col, overflow="fold")
    for c in clusters[:20]:
        t.add_row(str(len(c.members)), f"{c.mean_jaccard:.2f}", c.key(g), ", ".join(g.names[m] for m in c.members[:4]))
    console.print(t)
    console.print(f"{n_cases} cluster case(s) written")
    if "eval" in doc:
        console.print(f"against labels: {doc['eval']}")


@graph_app.command("bursts")
def graph_bursts(
    db: str = DbOpt,
    policy: Path | None = PolicyOpt,
    limit: int = typer.Option(20, "-n"),
    save: bool = typer.Option(True, "--save/--no-save", help="A hashtag case per bursting tag"),
    as_json: bool = JsonOpt,
    quiet: bool = QuietOpt,
) -> None:
    """Bot-like accounts (posts per minute, clockwork gaps) and hashtag volume bursts."""
    from csewatch.graph.activity import activity_from_store
    from csewatch.graph.findings import save_bursts
    from csewatch.triage import Triage

    store = Store(db)
    with progress_steps(2 if save else 1, quiet or as_json, "graph bursts") as steps:
        steps.step("posting rates and hashtag volumes")
        acts, bursts = activity_from_store(store)
        if save:
            steps.step("writing hashtag cases")
            save_bursts(store, Triage(load_pack(policy)), bursts)
    bots = [a for a in acts if a.bot_like]
    doc = {
        "bot_like": [
            {"account": a.account, "posts": a.posts, "max_per_minute": a.max_per_minute, "gap_cv": round(a.gap_cv, 3)}
            for a in bots
        ],
        "bursts": [
            {
                "tag": b.tag,
                "hour_start": b.hour_start,
                "count": b.count,
                "baseline": round(b.baseline, 2),
                "p_value": b.p_value,
            }
            for b in bursts
        ],
    }
    if as_json:
        print(json.dumps(doc))
        return
    t = Table(title=f"{len(bots)} bot-like accounts")
    for col in ("account", "why"):
        t.add_column(col, overflow="fold")
    for a in bots[:limit]:
        t.add_row(a.account, a.explanation())
    console.print(t)
    t = Table(title=f"{len(bursts)} hashtag bursts")
    t.add_column("burst", overflow="fold")
    for b in bursts[:limit]:
        t.add_row(b.explanation())
    console.print(t)


@graph_app.command("hashtags")
def graph_hashtags(
    db: str = DbOpt,
    policy: Path | None = PolicyOpt,
    apply: Path | None = typer.Option(
        None,
        "--apply",
        help="Write proposals into this pack's candidate list "
        "(a copy of the current pack is made there first if it is not a pack)",
    ),
    labels: Path | None = typer.Option(None, "--labels", help="graph_labels.jsonl from csewatch synth"),
    as_json: bool = JsonOpt,
    quiet: bool = QuietOpt,
) -> None:
    """Propose new hashtags for review from their company with flagged posts and listed tags."""
    from csewatch.graph.discovery import discover

    pol = load_pack(policy)
    with progress_steps(1, quiet or as_json, "graph hashtags") as steps:
        steps.step("hashtag co-occurrence")
        disc, proposals = discover(Store(db), pol)
    doc: dict = {
        "proposals": [
            {
                "tag": p.tag,
                "at": p.at,
                "posts": p.posts,
                "flagged": p.flagged,
                "authors": p.authors,
                "flagged_authors": p.flagged_authors,
                "co_listed": p.co_listed,
            }
            for p in proposals
        ]
    }
    if labels is not None:
        from csewatch.graph.evaluate import discovery_metrics, read_graph_labels

        doc["eval"] = discovery_metrics(disc, read_graph_labels(labels))
    if apply is not None:
        doc["applied"] = _apply_candidates(pol, apply, [p.tag for p in proposals])
    if as_json:
        print(json.dumps(doc))
        return
    t = Table(title=f"{len(proposals)} candidate hashtags (for review; never blocked automatically)")
    t.add_column("proposal", overflow="fold")
    for p in proposals[:50]:
        t.add_row(p.explanation())
    console.print(t)
    if "eval" in doc:
        console.print(f"against labels: {doc['eval']}")
    if apply is not None:
        console.print(f"{doc['applied']} tag(s) added to the candidate list of {apply}")


def _apply_candidates(pol, directory: Path, tags: list[str]) -> int:
    import shutil

    import yaml

    from csewatch.policy import load_policy

    if not (directory / "hashtags.yaml").exists():
        shutil.copytree(pol.directory, directory, dirs_exist_ok=True)
    path = directory / "hashtags.yaml"
    data = yaml.safe_load(path.read_text())
    listed = set(data.get("blocked") or []) | set(data.get("watch") or []) | set(data.get("candidate") or [])
    new = [t for t in tags if t not in listed]
    data["candidate"] = list(data.get("candidate") or []) + new
    path.write_text(
        "# candidates proposed by csewatch graph hashtags; reviewers promote them\n"
        + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    )
    load_policy(directory)  # the edited pack must still validate
    return len(new)


@graph_app.command("coordination")
def graph_coordination(
    db: str = DbOpt,
    policy: Path | None = PolicyOpt,
    window: float = typer.Option(600, "--window", help="Seconds"),
    min_accounts: int = typer.Option(3, "--min-accounts"),
    limit: int = typer.Option(20, "-n"),
    as_json: bool = JsonOpt,
    quiet: bool = QuietOpt,
) -> None:
    """Accounts posting the same normalized text, invite link or media within a short window."""
    from csewatch.graph.coordination import coordination
    from csewatch.graph.findings import flagged_accounts

    store = Store(db)
    with progress_steps(2, quiet or as_json, "graph coordination") as steps:
        steps.step("same text, link or media in the window")
        groups = coordination(store, load_pack(policy), window, min_accounts)
        steps.step("flagged accounts")
        flagged = flagged_accounts(store)
    rows = [(g, sum(1 for a in g.accounts if a in flagged)) for g in groups]
    rows.sort(key=lambda gf: (-gf[1], -len(gf[0].accounts)))
    if as_json:
        print(
            json.dumps(
                [
                    {
                        "kind": g.kind,
                        "item": g.item,
                        "accounts": g.accounts,
                        "flagged": f,
                        "start": g.start,
                        "end": g.end,
                        "posts": g.posts,
                    }
                    for g, f in rows
                ]
            )
        )
        return
    t = Table(title=f"{len(groups)} coordinated groups (window {window:.0f}s)")
    for col in ("flagged", "group"):
        t.add_column(col, overflow="fold")
    for g, f in rows[:limit]:
        t.add_row(f"{f}/{len(g.accounts)}", g.explanation())
    console.print(t)


@graph_app.command("expand")
def graph_expand(
    db: str = DbOpt,
    policy: Path | None = PolicyOpt,
    seeds: list[str] = typer.Option(
        None,
        "--seed",
        help="platform:account (repeat); default: suspended accounts and accounts whose case scores >= 0.9",
    ),
    top: int = typer.Option(50, "--top"),
    labels: Path | None = typer.Option(None, "--labels", help="graph_labels.jsonl from csewatch synth"),
    save: bool = typer.Option(True, "--save/--no-save"),
    as_json: bool = JsonOpt,
    quiet: bool = QuietOpt,
) -> None:
    """Rank accounts tied to the seeds by personalized PageRank, each with the path that leads there."""
    from csewatch.graph.expand import default_seeds, expand
    from csewatch.graph.findings import save_expansion
    from csewatch.triage import Triage

    with progress_steps(3 if save else 2, quiet or as_json, "graph expand") as steps:
        pol, store, g = _graph(db, policy, steps, quiet or as_json)
        steps.step("personalized PageRank from the seeds")
        seed_list = seeds or default_seeds(store)
        hits = expand(g, seed_list, top=top)
        if save:
            steps.step("writing signals and cases")
            save_expansion(store, Triage(pol), hits)
    doc: dict = {
        "seeds": len(seed_list),
        "hits": [{"account": h.account, "lift": round(h.score, 3), "seed": h.seed, "path": h.path} for h in hits],
    }
    if labels is not None:
        from csewatch.graph.evaluate import expansion_metrics, read_graph_labels

        doc["eval"] = expansion_metrics(hits, read_graph_labels(labels))
    if as_json:
        print(json.dumps(doc))
        return
    t = Table(title=f"expansion from {len(seed_list)} seeds")
    for col in ("account", "lift", "path from the nearest seed"):
        t.add_column(col, overflow="fold")
    for h in hits:
        t.add_row(h.account, f"{h.score:.1f}", h.explanation())
    console.print(t)
    if "eval" in doc:
        console.print(
            f"against labels: {doc['eval']['in_network']} of the top {doc['eval']['top']} are network members"
        )
