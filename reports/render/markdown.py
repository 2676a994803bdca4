"""Markdown renderings (terminal, files, the stored digest) and the shortlist's CSV/JSON exports.
Untrusted text is escaped and its mentions defused here too: a Markdown file gets pasted places."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from config.clock import iso_z
from reports.digest import Digest
from reports.prflow import FlowGroup, LatencyStats, PrFlow
from reports.render.text import issue_link, safe, safe_url
from reports.shortlist import BenchLink, Shortlist

TITLE = 100


def _h(v: float | None) -> str:
    if v is None:
        return "–"
    return f"{v / 24:.1f} d" if v >= 72 else f"{v:.1f} h"


def _lat(s: LatencyStats) -> str:
    return f"{_h(s.median_hours)} / {_h(s.p90_hours)} (n={s.n})" if s.n else "–"


def _subs(subs: Sequence[str]) -> str:
    return ", ".join(safe(s, 60) for s in subs) or "unclassified"


def _bench(b: BenchLink | None) -> str:
    if b is None:
        return "no bench job"
    if b.status == "not-needed":
        return safe(b.note or "no benchmark needed", 200)
    link = safe_url(b.link)
    where = f"[{b.backend}]({link})" if link else f"{b.backend}: `{b.link.replace('`', '')}`"
    verdict = f": {safe(b.verdict, 200)}" if b.verdict else ""
    return f"{safe(b.target, 40)} on {where} ({b.status}, job {b.id}){verdict}"


def _flow_table(groups: Sequence[FlowGroup], key: str) -> list[str]:
    if not groups:
        return []
    lines = [f"| {key} | first review: median / p90 | merge: median / p90 |", "|---|---|---|"]
    lines += [f"| {safe(g.key, 60)} | {_lat(g.first_review)} | {_lat(g.merge)} |" for g in groups]
    return lines


def prflow_markdown(flow: PrFlow, heading: str = "##") -> str:
    lines = [f"{heading} PR flow", "",
             f"Overall: first review {_lat(flow.overall.first_review)}; merge {_lat(flow.overall.merge)}.", ""]
    for groups, key in ((flow.by_subsystem, "subsystem"), (flow.by_size, "size"), (flow.by_author, "author")):
        t = _flow_table(groups, key)
        if t:
            lines += [*t, ""]
    lines.append(f"{heading}# Landing fast")
    lines += [
        f"- {issue_link(p.number, p.url)} {safe(p.title, TITLE)} — merged in {_h(p.hours_to_merge)}"
        f" (first review {_h(p.hours_to_first_review)}) · {_subs(p.subsystems)} · by {safe(p.author or 'ghost', 40)}"
        for p in flow.fast
    ] or ["- nothing merged in this window"]
    shown = (f"; the {len(flow.stalling)} most recently stalled" if flow.stalling_total > len(flow.stalling) else "")
    lines += ["", f"{heading}# Stalling (idle ≥ {flow.stall_days:g} days): {flow.stalling_total} PRs{shown}"]
    waits = {"review": "waiting for a first review", "author": "changes requested, no answer from the author",
             "reviewer": "author answered, waiting for a re-review"}
    lines += [f"- {issue_link(s.number, s.url)} {safe(s.title, TITLE)} — {waits[s.waiting_on]} for {s.idle_days:g} days"
              f" · {_subs(s.subsystems)} · could review: {', '.join(safe(o, 40) for o in s.owners) or 'no owner known'}"
              for s in flow.stalling] or ["- nothing stalling"]
    return "\n".join(lines) + "\n"


def shortlist_markdown(sl: Shortlist, heading: str = "#") -> str:
    filt = f" ({', '.join(safe(s, 40) for s in sl.subsystem_filter)})" if sl.subsystem_filter else ""
    lines = [f"{heading} Shortlist for {safe(sl.repo, 100)}{filt}", "", f"_Generated {iso_z(sl.generated_at)}_", "",
             f"{heading}# Maintainers to talk to", ""]
    for m in sl.maintainers:
        ev = m.evidence
        counts = ", ".join(f"{n} {safe(k.replace('_', ' '), 30)}" for k, n in (ev.get("counts") or {}).items() if n)
        bits = [f"score {ev.get('score')}"]
        if ev.get("declared"):
            bits.append("declared owner")
        if ev.get("median_first_review_hours") is not None:
            bits.append(f"median first review {_h(ev['median_first_review_hours'])}")
        if ev.get("last_active"):
            bits.append(f"last active {ev['last_active'][:10]}")
        lines.append(f"- **{safe(m.login, 40)}** — {_subs(m.subsystems)} — {'; '.join(bits)}"
                     + (f" — {counts}" if counts else ""))
    if not sl.maintainers:
        lines.append("- no owners known yet (run `scout classify`)")
    lines += ["", f"{heading}# Issues", ""]
    for n, i in enumerate(sl.issues, 1):
        lines.append(f"{n}. {issue_link(i.number, i.url)} **{safe(i.title, TITLE)}** — {_subs(i.subsystems)} — "
                     f"good-first-issue probability {i.probability:.2f}" + (" (prior)" if i.from_prior else ""))
        if i.reasons:
            lines.append(f"   - why: {'; '.join(safe(r, 120) for r in i.reasons[:5])}")
        if i.last_maintainer_word:
            who = f" ({', '.join(safe(a, 40) for a in i.acknowledged_by)})" if i.acknowledged_by and not any(
                i.last_maintainer_word.startswith(a) for a in i.acknowledged_by) else ""
            lines.append(f"   - last maintainer word{who}: “{safe(i.last_maintainer_word, 240)}”")
        lines.append(f"   - bench job: {_bench(i.bench_job)}")
    if not sl.issues:
        lines.append("- no open, unclaimed, unblocked issue is scored yet (run `scout classify`)")
    if sl.notes:
        lines += ["", *[f"_Note: {safe(x, 300)}_" for x in sl.notes]]
    return "\n".join(lines) + "\n"


def digest_markdown(d: Digest) -> str:
    t = d.totals
    lines = [f"# oss-scout digest · {safe(d.repo, 100)} · {d.day}", "",
             f"_Window {iso_z(d.since)} → {iso_z(d.until)}_", "",
             f"**{t.opened_issues}** new issues, **{t.opened_pulls}** new PRs, **{t.merged_pulls}** merged, "
             f"**{t.closed_issues}** issues closed, **{t.closed_pulls}** PRs closed unmerged, **{t.reviews}** reviews.",
             "", "## What happened, by subsystem", ""]
    if d.activity:
        lines += ["| subsystem | new issues | new PRs | merged | issues closed | PRs closed | reviews |",
                  "|---|---|---|---|---|---|---|"]
        lines += [f"| {safe(a.subsystem, 60)} | {a.opened_issues} | {a.opened_pulls} | {a.merged_pulls} | "
                  f"{a.closed_issues} | {a.closed_pulls} | {a.reviews} |" for a in d.activity]
    else:
        lines.append("Nothing happened in this window.")
    lines += ["", "## Who is active where", ""]
    for s in d.active:
        people = "; ".join(
            f"**{safe(p.login, 40)}**" + (" (owner)" if p.owner else "") + ": "
            + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in p.counts) for p in s.people)
        lines.append(f"- {safe(s.subsystem, 60)} — {people}")
    if not d.active:
        lines.append("- no maintainer activity in this window")
    lines += ["", prflow_markdown(d.flow).rstrip(), "", "## Good first issue candidates", ""]
    for c in d.gfi:
        flags = []
        if c.claimed:
            flags.append("⚠ claimed" + (f" by {', '.join(safe(x, 40) for x in c.claimed_by)}" if c.claimed_by else ""))
        if c.blocked:
            flags.append("⛔ blocked" + (f": {'; '.join(safe(x, 80) for x in c.blockers)}" if c.blockers else ""))
        why = c.why if c.previous is None or c.why != "rising" else f"rising from {c.previous:.2f}"
        lines.append(f"- {issue_link(c.number, c.url)} {safe(c.title, TITLE)} — **{c.probability:.2f}** ({why}) · "
                     f"{_subs(c.subsystems)}" + (f" · {' · '.join(flags)}" if flags else "")
                     + (f" — {'; '.join(safe(r, 80) for r in c.reasons[:3])}" if c.reasons else ""))
    if not d.gfi:
        lines.append("- no scored candidates (run `scout classify`)")
    lines += ["", "## Hottest chat threads", ""]
    for th in d.chat:
        where = safe(f"{th.parent} / {th.name}" if th.parent else th.name, 100)
        u = safe_url(th.url)
        mentions = ", ".join(f"{issue_link(i.number, i.url)} {safe(i.title, 60)} ({i.state})" for i in th.issues)
        lines.append(f"- {f'[{where}]({u})' if u else where} — {th.messages} messages from {th.authors} people"
                     + (f" — mentions {mentions}" if mentions else ""))
    if not d.chat:
        lines.append("- the chat was quiet")
    if d.shortlist is not None:
        lines += ["", shortlist_markdown(d.shortlist, heading="##").rstrip()]
    if d.chart_path:
        lines += ["", f"![activity and review latency by subsystem]({d.chart_path})"]
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- exports

CSV_COLUMNS = ("kind", "rank", "number", "login", "url", "title", "subsystems", "probability", "reasons",
               "last_maintainer_word", "bench_job", "evidence")


def shortlist_csv(sl: Shortlist) -> str:
    """One row per maintainer, then one per issue (`kind` tells them apart); cells are raw text
    (CSV readers do not render Markdown) with leading formula characters defused for spreadsheets."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    w.writeheader()
    for n, m in enumerate(sl.maintainers, 1):
        w.writerow(_cells({"kind": "maintainer", "rank": n, "login": m.login, "subsystems": ";".join(m.subsystems),
                           "evidence": json.dumps(dict(m.evidence), sort_keys=True)}))
    for n, i in enumerate(sl.issues, 1):
        w.writerow(_cells({"kind": "issue", "rank": n, "number": i.number, "url": i.url, "title": i.title,
                           "subsystems": ";".join(i.subsystems), "probability": f"{i.probability:.4f}",
                           "reasons": "; ".join(i.reasons), "last_maintainer_word": i.last_maintainer_word,
                           "bench_job": i.bench_job.link if i.bench_job else ""}))
    return buf.getvalue()


def _cells(row: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in row.items():
        if isinstance(v, str):
            v = v.replace("\r", " ").replace("\n", " ")
            if v[:1] in ("=", "+", "-", "@", "\t"):
                v = "'" + v
        out[k] = v
    return out


def shortlist_json(sl: Shortlist) -> str:
    return json.dumps(sl.to_dict(), indent=2, sort_keys=False, ensure_ascii=False) + "\n"
