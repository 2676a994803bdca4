"""Discord renderings: messages of embeds that always respect Discord's limits, split cleanly
when long, escape Markdown and cannot ping anyone.

Every message payload carries `allowed_mentions: {"parse": []}` and every piece of untrusted text
has a zero-width space after each `@`, so neither `@everyone`/`@here` nor `<@id>`, `<@!id>`,
`<@&id>` can notify, even if the payload is posted by a client that drops `allowed_mentions`.
`validate_message` checks a payload against every limit; renderers call it before returning.

For discord.py: `discord.Embed.from_dict(e)` for each embed, `allowed_mentions=AllowedMentions.none()`,
and `discord.File(path)` for each of `files` (the chart, referenced as `attachment://NAME`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from config.clock import iso_z
from config.errors import ReportError
from reports.digest import Digest
from reports.prflow import LatencyStats, PrFlow
from reports.render.text import cut, issue_link, neutralize_mentions, safe, safe_block, safe_url, units
from reports.shortlist import BenchLink, Shortlist

LIMITS = {"title": 256, "description": 4096, "fields": 25, "field_name": 256, "field_value": 1024, "footer": 2048,
          "author": 256, "total": 6000, "embeds": 10, "content": 2000}
ALLOWED_MENTIONS_NONE: dict[str, list[str]] = {"parse": []}
COLOR = {"digest": 0x2B6CB0, "flow": 0x38A169, "stall": 0xDD6B20, "gfi": 0x805AD5, "chat": 0x319795,
         "shortlist": 0xD69E2E, "bench": 0x4A5568, "error": 0xC53030}
TITLE = 90
DIGEST_TITLE = "Digest · "  # the title of every digest post starts so (bot.digest_post finds posts by it)
PING = re.compile(r"@(everyone|here)|<@[!&]?\d+>")


@dataclass(frozen=True)
class DiscordMessage:
    """One message to post: embeds (dicts in Discord's JSON shape), optional content, and local
    files to attach (referenced from embeds as `attachment://<file name>`)."""

    embeds: tuple[dict[str, Any], ...]
    content: str = ""
    files: tuple[str, ...] = field(default=())

    def to_payload(self) -> dict[str, Any]:
        """The REST body of `POST /channels/{id}/messages` (files go as multipart parts)."""
        p: dict[str, Any] = {"content": self.content, "embeds": [dict(e) for e in self.embeds],
                             "allowed_mentions": dict(ALLOWED_MENTIONS_NONE)}
        if self.files:
            p["attachments"] = [{"id": n, "filename": Path(f).name} for n, f in enumerate(self.files)]
        return p


@dataclass(frozen=True)
class Section:
    """Content of one logical part before splitting: a title, lines (already safe), fields."""

    title: str
    lines: tuple[str, ...] = ()
    fields: tuple[tuple[str, str], ...] = ()
    url: str | None = None
    color: int | None = None
    image: str | None = None  # an attachment:// URL
    footer: str | None = None


# ----------------------------------------------------------------------------- limits


def embed_size(e: dict[str, Any]) -> int:
    """Characters Discord counts towards the 6000 per message."""
    n = units(e.get("title", "")) + units(e.get("description", ""))
    n += sum(units(f.get("name", "")) + units(f.get("value", "")) for f in e.get("fields", []))
    n += units((e.get("footer") or {}).get("text", "")) + units((e.get("author") or {}).get("name", ""))
    return n


def problems(payload: dict[str, Any]) -> list[str]:
    """Every way a message payload breaks Discord's limits or could ping (empty when fine)."""
    out = []
    embeds = payload.get("embeds", [])
    if len(embeds) > LIMITS["embeds"]:
        out.append(f"{len(embeds)} embeds > {LIMITS['embeds']}")
    if units(payload.get("content", "")) > LIMITS["content"]:
        out.append("content too long")
    total = 0
    for i, e in enumerate(embeds):
        for key, limit in (("title", "title"), ("description", "description")):
            if units(e.get(key, "")) > LIMITS[limit]:
                out.append(f"embed {i} {key} too long")
        fields = e.get("fields", [])
        if len(fields) > LIMITS["fields"]:
            out.append(f"embed {i} has {len(fields)} fields")
        for f in fields:
            if not f.get("name") or units(f["name"]) > LIMITS["field_name"]:
                out.append(f"embed {i} field name empty or too long")
            if not f.get("value") or units(f["value"]) > LIMITS["field_value"]:
                out.append(f"embed {i} field value empty or too long")
        if units((e.get("footer") or {}).get("text", "")) > LIMITS["footer"]:
            out.append(f"embed {i} footer too long")
        if units((e.get("author") or {}).get("name", "")) > LIMITS["author"]:
            out.append(f"embed {i} author too long")
        total += embed_size(e)
    if total > LIMITS["total"]:
        out.append(f"{total} characters > {LIMITS['total']}")
    if payload.get("allowed_mentions") != ALLOWED_MENTIONS_NONE:
        out.append("allowed_mentions is not none")
    for s in _strings(payload):
        if PING.search(s):
            out.append(f"pinging mention in {s[:60]!r}")
    return out


def _strings(v: Any) -> Iterable[str]:
    if isinstance(v, str):
        yield v
    elif isinstance(v, dict):
        for x in v.values():
            yield from _strings(x)
    elif isinstance(v, list | tuple):
        for x in v:
            yield from _strings(x)


def validate_message(m: DiscordMessage) -> DiscordMessage:
    bad = problems(m.to_payload())
    if bad:
        raise ReportError("a Discord message breaks Discord's limits: " + "; ".join(bad[:5]))
    return m


# ----------------------------------------------------------------------------- splitting


def _defuse(v: Any) -> Any:
    """Last line of defence: every string of an embed without a live `@` (URLs are checked by safe_url)."""
    if isinstance(v, str):
        return neutralize_mentions(v)
    if isinstance(v, dict):
        return {k: (x if k in ("url", "proxy_url") else _defuse(x)) for k, x in v.items()}
    if isinstance(v, list):
        return [_defuse(x) for x in v]
    return v


def _chunks(lines: Sequence[str], limit: int) -> list[str]:
    """Lines packed into descriptions of at most `limit` units, never splitting a line unless it
    alone is too long (then it is cut)."""
    out: list[str] = []
    cur: list[str] = []
    size = 0
    for line in lines:
        line = cut(line, limit)
        add = units(line) + (1 if cur else 0)
        if cur and size + add > limit:
            out.append("\n".join(cur))
            cur, size = [], 0
            add = units(line)
        cur.append(line)
        size += add
    if cur:
        out.append("\n".join(cur))
    return out


def section_embeds(s: Section, description_limit: int = 3800) -> list[dict[str, Any]]:
    """One section as embeds: the description split at line boundaries, fields 25 at a time;
    continuation embeds are titled "(cont.)"."""
    title = cut(s.title, LIMITS["title"])
    cont = cut(f"{s.title} (cont.)", LIMITS["title"])
    footer = cut(s.footer, LIMITS["footer"]) if s.footer else ""
    # Each embed alone must fit the 6000 per message, with its title and footer.
    budget = LIMITS["total"] - max(units(title), units(cont)) - units(footer)
    descs = _chunks(s.lines, min(description_limit, LIMITS["description"], budget))
    fields: list[dict[str, Any]] = [
        {
            "name": cut(n, LIMITS["field_name"]) or "\u200b",
            "value": cut(v, LIMITS["field_value"]) or "–",
            "inline": False,
        }
        for n, v in s.fields
    ]
    embeds: list[dict[str, Any]] = []

    def new() -> dict[str, Any]:
        e: dict[str, Any] = {"title": title if not embeds else cont}
        if not embeds and safe_url(s.url):
            e["url"] = s.url
        if s.color is not None:
            e["color"] = s.color
        if not embeds and s.image:
            e["image"] = {"url": s.image}
        if footer:
            e["footer"] = {"text": footer}
        embeds.append(e)
        return e

    cur = new()
    for d in descs:
        if "description" in cur:
            cur = new()
        cur["description"] = d
    for f in fields:
        size = units(f["name"]) + units(f["value"])
        if len(cur.get("fields", [])) >= LIMITS["fields"] or embed_size(cur) + size > LIMITS["total"]:
            cur = new()
        cur.setdefault("fields", []).append(f)
    return [_defuse(e) for e in embeds]


def batch_embeds(embeds: Sequence[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Embeds in order into groups of at most 10 embeds and 6000 characters (one message each); an
    embed alone over the total (never one from `section_embeds`) has its description cut to fit."""
    messages: list[list[dict[str, Any]]] = []
    cur: list[dict[str, Any]] = []
    total = 0
    for e in embeds:
        size = embed_size(e)
        if size > LIMITS["total"]:
            description = e.get("description") or ""
            e = {**e, "description": cut(description, max(0, LIMITS["total"] - (size - units(description))))}
            size = embed_size(e)
        if cur and (len(cur) >= LIMITS["embeds"] or total + size > LIMITS["total"]):
            messages.append(cur)
            cur, total = [], 0
        cur.append(e)
        total += size
    if cur:
        messages.append(cur)
    return messages


def pack(embeds: Sequence[dict[str, Any]], files: Sequence[str] = (), content: str = "") -> list[DiscordMessage]:
    """Embeds in order into messages of at most 10 embeds and 6000 characters; files ride on the
    first message (that is where the embed showing them sits)."""
    messages = batch_embeds(embeds)
    safe_content = cut(neutralize_mentions(content), LIMITS["content"]) if content else ""
    out = [DiscordMessage(embeds=tuple(m), content=safe_content if i == 0 else "",
                          files=tuple(files) if i == 0 else ()) for i, m in enumerate(messages)]
    return [validate_message(m) for m in out]


def render_sections(sections: Sequence[Section], files: Sequence[str] = (), content: str = "") -> list[DiscordMessage]:
    return pack([e for s in sections for e in section_embeds(s)], files, content)


# ----------------------------------------------------------------------------- pieces


def _h(v: float | None) -> str:
    if v is None:
        return "–"
    return f"{v / 24:.1f}d" if v >= 72 else f"{v:.1f}h"


def _lat(s: LatencyStats) -> str:
    return f"{_h(s.median_hours)} / p90 {_h(s.p90_hours)} (n={s.n})" if s.n else "–"


def _subs(subs: Sequence[str]) -> str:
    return ", ".join(safe(s, 40) for s in subs) or "unclassified"


def _bench(b: BenchLink | None) -> str:
    """The bench job of an issue: its link when it is a URL; a local file is never shown (the
    channel has no business with the bot's file system), only the backend and the job id."""
    if b is None:
        return "no bench job"
    if b.status == "not-needed":
        return safe(b.note or "no benchmark needed", 200) + f" · job {b.id}"
    u = safe_url(b.link)
    where = f"[{safe(b.backend, 20)}]({u})" if u else safe(b.backend, 20)
    verdict = f" · {safe(b.verdict, 200)}" if b.verdict else ""
    return f"{safe(b.target, 30)} on {where} · {safe(b.status, 20)}{verdict} · job {b.id}"


def timestamp(when: datetime, style: str = "R") -> str:
    """A Discord timestamp (`<t:UNIX:R>`): each reader sees it in their own time zone ("3 hours ago")."""
    return f"<t:{int(when.timestamp())}:{style}>"


def _footer(d_until: Any, extra: str = "") -> str:
    return f"oss-scout · as of {iso_z(d_until)}" + (f" · {extra}" if extra else "")


# ----------------------------------------------------------------------------- documents


def flow_sections(flow: PrFlow, footer: str | None = None, min_n: int = 1, max_groups: int | None = None
                  ) -> list[Section]:
    """PR flow and stalling PRs. Groups with fewer than `min_n` PRs are left out (a median of one
    PR says nothing), the rest capped at `max_groups` rows, busiest first."""
    lines = [f"**All PRs** — first review {_lat(flow.overall.first_review)} · merge {_lat(flow.overall.merge)}"]
    groups = [g for g in (*flow.by_subsystem, *flow.by_size, *flow.by_author)
              if max(g.first_review.n, g.merge.n) >= min_n]
    if max_groups is not None and len(groups) > max_groups:
        left = len(groups) - max_groups
        groups = sorted(groups, key=lambda g: -max(g.first_review.n, g.merge.n))[:max_groups]
        lines.append(f"_(the {max_groups} busiest groups; {left} smaller ones left out)_")
    lines += [f"**{safe(g.key, 40)}** — first review {_lat(g.first_review)} · merge {_lat(g.merge)}" for g in groups]
    lines.append("")
    lines.append("**Landing fast**")
    lines += [
        f"{issue_link(p.number, p.url)} {safe(p.title, TITLE)} — merged in {_h(p.hours_to_merge)} · "
        f"{_subs(p.subsystems)}"
        for p in flow.fast
    ] or ["nothing merged in this window"]
    waits = {
        "review": "no review yet",
        "author": "changes requested, author silent",
        "reviewer": "waiting for re-review",
    }
    stall = [f"{issue_link(s.number, s.url)} {safe(s.title, TITLE)} — {waits[s.waiting_on]}, idle {s.idle_days:g}d · "
             f"{_subs(s.subsystems)} · could review: {', '.join(safe(o, 32) for o in s.owners) or 'no owner known'}"
             for s in flow.stalling] or ["nothing stalling"]
    title = f"Stalling PRs (idle ≥ {flow.stall_days:g} days): {flow.stalling_total}"
    if flow.stalling_total > len(flow.stalling):
        title += f", the {len(flow.stalling)} most recent"
    return [Section("PR flow (median / p90)", tuple(lines), color=COLOR["flow"], footer=footer),
            Section(title, tuple(stall), color=COLOR["stall"], footer=footer)]


def shortlist_sections(sl: Shortlist, footer: str | None = None) -> list[Section]:
    fields = []
    for m in sl.maintainers:
        ev = m.evidence
        counts = ", ".join(f"{n} {safe(k.replace('_', ' '), 24)}" for k, n in (ev.get("counts") or {}).items() if n)
        bits = [f"score {ev.get('score')}"] + (["declared owner"] if ev.get("declared") else [])
        if ev.get("median_first_review_hours") is not None:
            bits.append(f"first review ~{_h(ev['median_first_review_hours'])}")
        fields.append(
            (safe(m.login, 60), f"{_subs(m.subsystems)}\n{' · '.join(bits)}" + (f"\n{counts}" if counts else ""))
        )
    lines = []
    for n, i in enumerate(sl.issues, 1):
        lines.append(f"**{n}.** {issue_link(i.number, i.url)} {safe(i.title, TITLE)}")
        lines.append(f"{_subs(i.subsystems)} · p={i.probability:.2f}" + (" (prior)" if i.from_prior else "")
                     + (f" · {'; '.join(safe(r, 80) for r in i.reasons[:3])}" if i.reasons else ""))
        if i.last_maintainer_word:
            lines.append(f"> {safe(i.last_maintainer_word, 200)}")
        lines.append(f"bench: {_bench(i.bench_job)}")
    if not lines:
        lines = ["no open, unclaimed, unblocked issue is scored yet"]
    lines += [f"_{safe(x, 200)}_" for x in sl.notes]
    filt = f" ({', '.join(safe(s, 30) for s in sl.subsystem_filter)})" if sl.subsystem_filter else ""
    return [Section(f"Shortlist · {safe(sl.repo, 100)}{filt}", tuple(lines), tuple(fields), color=COLOR["shortlist"],
                    footer=footer)]


POST_MAX = 2800  # the channel post (content + embeds as JSON): a glance at the day, not a report
POST_ITEMS = 3  # PRs / issues named per line of the post
ACTIVITY_ROWS = 10  # subsystems in the thread's activity table
ACTIVE_ROWS = 8  # subsystems in "who is active where"
FLOW_MIN_N = 2  # a latency group needs this many PRs to be shown
FLOW_ROWS = 10
THREAD_NAME = 100  # Discord's limit on a thread name


@dataclass(frozen=True)
class DigestDiscord:
    """The daily digest in Discord: one compact channel `post`, the details in a `thread` under it
    (named `thread_name`); the chart rides on the first thread message."""

    post: DiscordMessage
    thread: tuple[DiscordMessage, ...]
    thread_name: str

    def to_payload(self) -> dict[str, Any]:
        """`{"post": message, "thread": [messages]}` (each message a REST body plus its file names)."""
        def one(m: DiscordMessage) -> dict[str, Any]:
            return m.to_payload() | {"files": [Path(f).name for f in m.files]}

        return {"post": one(self.post), "thread": [one(m) for m in self.thread], "thread_name": self.thread_name}


def post_size(m: DiscordMessage) -> int:
    """How big a post reads: its content plus each embed as JSON (the measure of `POST_MAX`)."""
    import json

    return len(m.content) + sum(len(json.dumps(e)) for e in m.embeds)


def _names(items: Sequence[Any], total: int, more: str = "more") -> str:
    """`[#1](url) title, [#2](url) title (+4 more)`: the first few items of a post line."""
    shown = [f"{issue_link(x.number, x.url)} {safe(x.title, 48)}" for x in items[:POST_ITEMS]]
    extra = total - len(shown)
    return ", ".join(shown) + (f" (+{extra} {more})" if extra > 0 else "")


def _post_lines(d: Digest) -> list[str]:
    """The day in a few lines, most important first (the tail is dropped when it runs long)."""
    t = d.totals
    lines = [f"**{t.opened_issues}** new issues · **{t.opened_pulls}** new PRs · **{t.merged_pulls}** merged · "
             f"**{t.closed_issues}** issues closed · **{t.reviews}** reviews",
             f"{timestamp(d.since, 'f')} → {timestamp(d.until, 'R')}"]
    if d.flow.fast:
        lines.append(f"✅ **Landed:** {_names(d.flow.fast, max(t.merged_pulls, len(d.flow.fast)))}")
    if d.flow.stalling:
        oldest = max(d.flow.stalling, key=lambda s: s.idle_days)  # of those listed in the thread
        lines.append(f"⏳ **Stalling:** {d.flow.stalling_total} PRs idle ≥ {d.flow.stall_days:g} days, e.g. "
                     f"{issue_link(oldest.number, oldest.url)} {safe(oldest.title, 48)} (idle {oldest.idle_days:g}d)")
    fresh = [c for c in d.gfi if c.why == "new" and not (c.claimed or c.blocked)]
    if fresh:
        lines.append(f"🌱 **New good first issues:** {_names(fresh, len(fresh))}")
    if d.newcomers:
        who = ", ".join(f"{safe(n.login, 32)} ({issue_link(n.number, n.url)})" for n in d.newcomers[:5])
        extra = len(d.newcomers) - 5
        more = f" and {extra} more" if extra > 0 else ""
        lines.append(f"👋 **Welcome** to our first-time contributors: {who}{more}. Thank you!")
    busiest = [a for a in d.activity if a.total][:3]
    if busiest:
        lines.append("📈 **Busiest:** " + ", ".join(f"{safe(a.subsystem, 30)} ({a.total})" for a in busiest))
    if d.shortlist is not None and d.shortlist_changed and d.shortlist.issues:
        lines.append(f"📋 **Shortlist changed:** {len(d.shortlist.maintainers)} maintainers, "
                     f"{len(d.shortlist.issues)} issues (in the thread)")
    return lines


def _digest_post(d: Digest, url: str | None) -> DiscordMessage:
    """The channel post: lines dropped from the end until it fits `POST_MAX`."""
    lines = _post_lines(d)
    closing = "Details in the thread below."
    while True:
        embed: dict[str, Any] = {"title": cut(f"{DIGEST_TITLE}{safe(d.repo, 100)} · {d.day}", LIMITS["title"]),
                                 "description": "\n".join([*lines, closing]), "color": COLOR["digest"],
                                 "footer": {"text": _footer(d.until)}}
        if url:
            embed["url"] = url
        m = DiscordMessage(embeds=(_defuse(embed),))
        if post_size(m) <= POST_MAX or len(lines) <= 1:
            return validate_message(m)
        lines.pop()


def _thread_sections(d: Digest, chart: Path | None) -> list[Section]:
    footer = _footer(d.until, f"window from {iso_z(d.since)}")
    rows = list(d.activity)
    head = [f"**{safe(a.subsystem, 40)}** — {a.opened_issues} new issues, {a.opened_pulls} new PRs, "
            f"{a.merged_pulls} merged, {a.closed_issues + a.closed_pulls} closed, {a.reviews} reviews"
            for a in rows[:ACTIVITY_ROWS]] or ["nothing happened in this window"]
    if len(rows) > ACTIVITY_ROWS:
        head.append(f"_and {len(rows) - ACTIVITY_ROWS} quieter subsystems_")
    sections = [Section("Activity by subsystem", tuple(head), color=COLOR["digest"],
                        image=f"attachment://{chart.name}" if chart else None, footer=footer)]
    active = [
        f"**{safe(s.subsystem, 40)}** — "
        + "; ".join(
            f"{safe(p.login, 40)}{' (owner)' if p.owner else ''}: "
            + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in p.counts)
            for p in s.people[:4]
        )
        for s in d.active[:ACTIVE_ROWS]
    ] or ["no maintainer activity in this window"]
    sections.append(Section("Who is active where", tuple(active), color=COLOR["digest"], footer=footer))
    sections += flow_sections(d.flow, footer, min_n=FLOW_MIN_N, max_groups=FLOW_ROWS)
    gfi = []
    for c in d.gfi:
        flags = (" · ⚠ claimed" + (f" by {', '.join(safe(x, 32) for x in c.claimed_by)}" if c.claimed_by else "")
                 if c.claimed else "") + (" · ⛔ blocked" if c.blocked else "")
        why = f"rising from {c.previous:.2f}" if c.why == "rising" and c.previous is not None else c.why
        gfi.append(
            f"{issue_link(c.number, c.url)} {safe(c.title, TITLE)} — **{c.probability:.2f}** ({why}) · "
            f"{_subs(c.subsystems)}{flags}"
            + (f" · {'; '.join(safe(r, 60) for r in c.reasons[:2])}" if c.reasons else "")
        )
    sections.append(Section("Good first issue candidates", tuple(gfi or ["no scored candidates"]), color=COLOR["gfi"],
                            footer=footer))
    if d.newcomers:
        sections.append(Section("First-time contributors", tuple(
            f"👋 {safe(n.login, 40)} — {issue_link(n.number, n.url)} {safe(n.title, TITLE)}" for n in d.newcomers),
            color=COLOR["digest"], footer=footer))
    chat = []
    for th in d.chat:
        where = safe(f"{th.parent} / {th.name}" if th.parent else th.name, 80)
        u = safe_url(th.url)
        mentions = ", ".join(f"{issue_link(i.number, i.url)} {safe(i.title, 50)}" for i in th.issues[:5])
        chat.append(f"{f'[{where}]({u})' if u else where} — {th.messages} messages, {th.authors} people"
                    + (f" — {mentions}" if mentions else ""))
    sections.append(Section("Hottest chat threads", tuple(chat or ["the chat was quiet"]), color=COLOR["chat"],
                            footer=footer))
    if d.shortlist is not None:
        if d.shortlist_changed:
            sections += shortlist_sections(d.shortlist, footer)
        else:
            sections.append(Section(f"Shortlist · {safe(d.shortlist.repo, 100)}",
                                    ("unchanged since the last digest (`/shortlist` shows it)",),
                                    color=COLOR["shortlist"], footer=footer))
    return sections


def digest_discord(d: Digest) -> DigestDiscord:
    """The digest as one compact channel post and the detailed messages of its thread."""
    chart = Path(d.chart_path) if d.chart_path and Path(d.chart_path).is_file() else None
    url = f"https://github.com/{d.repo}"
    post = _digest_post(d, url if safe_url(url) else None)
    thread = render_sections(_thread_sections(d, chart), files=[str(chart)] if chart else [])
    name = cut(f"{d.repo} · {d.day} · details", THREAD_NAME)
    return DigestDiscord(post=post, thread=tuple(thread), thread_name=name)


def digest_messages(d: Digest) -> list[DiscordMessage]:
    """The whole digest as one list of messages (the post, then the thread's), e.g. for `/digest`."""
    dd = digest_discord(d)
    return [dd.post, *dd.thread]


def shortlist_messages(sl: Shortlist) -> list[DiscordMessage]:
    return render_sections(shortlist_sections(sl, _footer(sl.generated_at)))


def flow_messages(flow: PrFlow, repo: str) -> list[DiscordMessage]:
    return render_sections(flow_sections(flow, _footer(flow.until, safe(repo, 100))))


def _owner_name(o: Any) -> str:
    """`alice · Discord alice_dc`: the GitHub login, and the Discord username when linked (as text:
    it cannot ping)."""
    handle = getattr(o, "discord", None)
    return safe(o.login, 60) + (f" · Discord {safe(handle, 40)}" if handle else "")


def _owner_line(o: Any, repo: str | None = None) -> str:
    bits = [f"score {o.score:g}"] + (["declared"] if o.declared else []) + ([] if o.active else ["inactive"])
    if o.median_first_review_hours is not None:
        bits.append(f"first review ~{_h(o.median_first_review_hours)}")
    if o.last_active_at is not None:
        bits.append(f"last active {timestamp(o.last_active_at)}")
    counts = ", ".join(f"{n} {safe(k.replace('_', ' '), 24)}" for k, n in o.counts if n)
    examples = getattr(o, "examples", ())
    links = ""
    if examples and repo and safe_url(f"https://github.com/{repo}"):
        links = "\nexamples: " + ", ".join(issue_link(n, f"https://github.com/{repo}/issues/{n}") for n in examples)
    return " · ".join(bits) + (f"\n{counts}" if counts else "") + links


def maintainers_messages(card: Any) -> list[DiscordMessage]:
    """/maintainers SUBSYSTEM: the owners with their evidence, declared vs actual."""
    fields = [(_owner_name(o), _owner_line(o, card.repo)) for o in card.owners]
    lines = [] if card.owners else ["no owners scored yet for this subsystem (run `scout classify`)"]
    if card.declared_inactive:
        lines.append("Declared but inactive: " + ", ".join(safe(x, 40) for x in card.declared_inactive))
    if card.active_undeclared:
        lines.append("Active but not declared: " + ", ".join(safe(x, 40) for x in card.active_undeclared))
    return render_sections([Section(f"Maintainers · {safe(card.subsystem, 60)} · {safe(card.repo, 100)}",
                                    tuple(lines), tuple(fields), color=COLOR["shortlist"])])


def issue_messages(card: Any) -> list[DiscordMessage]:
    """/issue N: subsystems, good-first-issue probability and reasons, claim/blocker flags, owners, bench jobs."""
    kind = "PR" if card.is_pull else "Issue"
    lines = [f"{safe(card.state, 12)} · by {safe(card.author or 'ghost', 40)} · "
             + ", ".join(f"{safe(n, 40)} ({c:.2f})" for n, c in card.subsystems)]
    if card.probability is not None:
        lines.append(f"good-first-issue probability **{card.probability:.2f}**"
                     + (f" — {'; '.join(safe(r, 100) for r in card.reasons[:4])}" if card.reasons else ""))
    if card.claimed:
        lines.append(
            "⚠ claimed" + (f" by {', '.join(safe(x, 40) for x in card.claimed_by)}" if card.claimed_by else "")
        )
    if card.blocked:
        lines.append("⛔ blocked" + (f": {'; '.join(safe(x, 120) for x in card.blockers)}" if card.blockers else ""))
    if card.not_recommended and not (card.claimed or card.blocked):
        lines.append(f"not a first pick: {safe(card.not_recommended, 200)}")
    if card.pull is not None and card.pull != card.number:
        lines.append(f"PR in flight: #{card.pull}")
    if card.last_maintainer_word:
        lines.append(f"> {safe(card.last_maintainer_word, 300)}")
    if card.chat_mentions:
        lines.append(f"mentioned in {card.chat_mentions} chat message(s)")
    lines += [f"bench: {_bench(b)}" for b in card.bench_jobs]
    fields = [(f"{_owner_name(o)} ({safe(o.subsystem, 40)})", _owner_line(o, card.repo)) for o in card.owners]
    title = f"{kind} #{card.number}: {safe(card.title, 200)}"
    return render_sections([Section(title, tuple(lines), tuple(fields), url=card.url, color=COLOR["gfi"])])


def bench_messages(job: Any) -> list[DiscordMessage]:
    """/bench N: the job's target, hardware, commits, what it measures, status, link, and the
    results and verdict once run (or why no benchmark is needed)."""
    spec = job.spec
    if not spec.needed:
        lines = [safe(f"no benchmark needed: {spec.no_gpu_reason}", 300)]
        return render_sections([Section(f"Bench job {job.id} · {safe(job.repo, 100)}#{job.issue_number}",
                                        tuple(lines), color=COLOR["bench"])])
    hardware = spec.gpu or f"CPU instance ({spec.cpus or 'any'} vCPUs)"
    lines = [f"target **{safe(spec.target, 40)}** ({safe(spec.kind, 20)}) · {safe(hardware, 40)} · model "
             f"`{spec.model}` · backend {safe(job.backend, 20)} · **{safe(job.status, 20)}**",
             "measures: " + ", ".join(f"{safe(m.label, 20)} `{m.ref[:12]}`" for m in spec.measures)
             + f" · {spec.repetitions} repetition(s)"]
    lines += [f"metric: {safe(m.measures, 150)} ({safe(m.unit, 10)}, {m.better} is better)" for m in spec.metrics]
    lines += [safe(n, 300) for n in spec.notes]
    if spec.server:
        lines.append(f"server first: `{safe_block(spec.server, 200).replace('`', '')}` (waits for /health)")
    lines += [f"`{safe_block(c, 300).replace('`', '')}`" for c in spec.commands]
    u = safe_url(job.link)
    lines.append(f"link: {u}" if u else f"link: `{job.link.replace('`', '')[-200:]}`")
    lines += [safe(str(x), 300) for x in (job.result or {}).get("summary_lines", [])[:6]]
    if job.verdict:
        lines.append(f"verdict: **{safe(job.verdict, 300)}**")
    return render_sections([Section(f"Bench job {job.id} · {safe(job.repo, 100)}#{job.issue_number}", tuple(lines),
                                    color=COLOR["bench"])])
