"""Turn a simulated world into the files of a dataset directory, with API ids assigned."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sandbox.community.chat import simulate_chat
from sandbox.community.chat_sources import write_chat_sources
from sandbox.community.codeowners import codeowners
from sandbox.community.render import EXTRA_LABELS, GitHubRenderer
from sandbox.community.text import TEMPLATES
from sandbox.community.truth import build_truth
from sandbox.community.util import DAY, assign_ids
from sandbox.community.writer import ListWriter, write_json, write_list, write_mapping_of_lists, write_raw

if TYPE_CHECKING:
    from sandbox.community import SimulationSummary
    from sandbox.community.model import Item
    from sandbox.community.world import World

REPO_ID = 599_547_518 + 1_000_003  # a stand-in id, not the real repository's


def _assign(w: World) -> None:
    t_ref = w.now - 700 * DAY
    items = sorted(w.items, key=lambda i: (i.created, i.number))
    assign_ids(items, "created", 2_700_000_000, 17, t_ref)
    prs = [i for i in items if i.is_pr]

    class _P:  # pull ids live in their own sequence
        __slots__ = ("created", "id", "it")
        created: int
        id: int
        it: Item

    tmp = []
    for pr in prs:
        p = _P()
        p.created, p.it = pr.created, pr
        tmp.append(p)
    assign_ids(tmp, "created", 2_000_000_000, 11, t_ref)
    for p in tmp:
        p.it.pull_id = p.id
    comments = [c for i in items for c in i.comments]
    assign_ids(comments, "t", 2_900_000_000, 19, t_ref)
    reviews = [r for i in prs for r in i.reviews]
    assign_ids(reviews, "t", 2_400_000_000, 13, t_ref)
    rcs = [c for i in prs for c in i.rcomments]
    assign_ids(rcs, "t", 1_800_000_000, 11, t_ref)
    events = [e for i in items for e in i.events]
    assign_ids(events, "t", 15_000_000_000, 97, t_ref)


def _restrict_to_window(w: World) -> None:
    """Keep what a since-the-window collection returns (see write_dataset)."""
    w0 = w.w0
    w.items = [i for i in w.items if i.updated >= w0]
    w.issues = [i for i in w.issues if i.updated >= w0]
    w.pulls = [i for i in w.pulls if i.updated >= w0]
    for it in w.items:
        it.comments = [c for c in it.comments if c.t >= w0]
        it.events = [e for e in it.events if e.t >= w0]
        if it.is_pr:
            it.rcomments = [c for c in it.rcomments if c.t >= w0]


def write_dataset(w: World, out: Path, summary: SimulationSummary, history: bool = False) -> None:
    """Write the dataset. By default only what a collection of the window sees: items updated in the
    window, the comments, review comments and events of the window, and every review and changed
    file of the window's pull requests (a `--days D` collection of the served dataset stores exactly
    this). With `history`, the older slice the world was simulated from is written too."""
    _assign(w)
    w0 = w.w0
    if not history:
        _restrict_to_window(w)
    chat = simulate_chat(w)  # chat mentions what the dataset holds
    gh = GitHubRenderer(w.repo, REPO_ID, w.now - 1300 * DAY, w.now)
    sub_labels = {w.label_of(s.name): s.name for s in w.tax.subsystems}
    # labels in a stable order: templates, subsystems, workflow labels
    for name in [v[1] for v in TEMPLATES.values()] + sorted(sub_labels) + ["good first issue", "help wanted", "stale",
                                                                          "ready", "needs-rebase", *EXTRA_LABELS]:
        gh.label(name, sub_labels)
    open_count = sum(1 for i in w.items if i.state == "open")
    base = out / "github" / w.repo.replace("/", "__")
    files = summary.files
    write_json(base / "repo.json", gh.repository(open_count), sort_keys=False)

    by_number = sorted(w.items, key=lambda i: -i.number)
    slim: dict[int, str] = {}
    with ListWriter(base / "issues.json") as lw:
        for it in by_number:
            full, slim[it.number] = gh.issue_json(it, sub_labels)
            lw.raw(full)
    files["issues.json"] = lw.count
    files["pulls.json"] = write_raw(base / "pulls.json", (gh.pull_json(p, sub_labels) for p in by_number if p.is_pr))
    comments = sorted(((c, i) for i in w.items for c in i.comments), key=lambda x: x[0].id)
    files["issue_comments.json"] = write_raw(base / "issue_comments.json", (gh.comment_json(c, i) for c, i in comments))
    del comments
    files["reviews.json"] = write_raw(
        base / "reviews.json",
        (gh.review_json(r, p) for p in sorted(w.pulls, key=lambda x: x.number) for r in p.reviews),
    )
    rcs = sorted(((c, p) for p in w.pulls for c in p.rcomments), key=lambda x: x[0].id)
    files["review_comments.json"] = write_raw(
        base / "review_comments.json", (gh.review_comment_json(c, p) for c, p in rcs)
    )
    del rcs

    def pull_files() -> Iterator[tuple[str, list[Any]]]:
        for p in sorted(w.pulls, key=lambda x: x.number):
            yield str(p.number), [gh.pull_file(f, p) for f in p.files]

    files["pull_files.json"] = write_mapping_of_lists(base / "pull_files.json", pull_files())
    events = sorted(((e, i) for i in w.items for e in i.events), key=lambda x: -x[0].id)
    files["issue_events.json"] = write_raw(
        base / "issue_events.json", (gh.event_json(e, slim[i.number], i.id) for e, i in events)
    )
    del events, slim
    files["labels.json"] = write_list(base / "labels.json", gh.labels())
    co = codeowners(w)
    (base / "contents" / ".github").mkdir(parents=True, exist_ok=True)
    (base / "contents" / ".github" / "CODEOWNERS").write_text(co, encoding="utf-8")

    disc = out / "discord"
    write_json(disc / "guild.json", chat.guild, sort_keys=False)
    files["discord/channels.json"] = write_list(disc / "channels.json", chat.channels)
    files["discord/members.json"] = write_list(disc / "members.json", chat.members)
    files["discord/messages.json"] = write_list(disc / "messages.json", chat.messages)

    truth = build_truth(w, chat.links, chat.sig_channels)
    truth.update(write_chat_sources(w, out, files))
    write_json(out / "truth.json", truth)
    write_json(
        out / "meta.json",
        {
            "format": 1,
            "generated_by": f"oss-scout simulate --seed {w.seed} --scale {w.scale.name} --days {w.scale.days}",
            "now": summary.now,
        },
    )
    summary.window = {
        "issues": sum(1 for i in w.issues if i.updated >= w0),
        "pulls": sum(1 for i in w.pulls if i.updated >= w0),
        "issue_comments": sum(1 for i in w.items for c in i.comments if c.t >= w0),
        "reviews": sum(1 for p in w.pulls for r in p.reviews if r.t >= w0),
        "review_comments": sum(1 for p in w.pulls for c in p.rcomments if c.t >= w0),
        "issue_events": sum(1 for i in w.items for e in i.events if e.t >= w0),
        "discord_messages": chat.window_messages,
    }
    summary.truth = {k: len(v) for k, v in truth.items() if isinstance(v, (list, dict)) and k != "window"}
