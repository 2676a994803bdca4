"""The community's Slack workspace (like slack.vllm.ai): #general, #help, #contributors,
#announcements, one #sig-<subsystem> per taxonomy channel and a few #feat-* channels; members who are
the same people as on GitHub (some name their GitHub login in their profile title), threads, and a
window of messages in Slack's Web API shapes (`ts` ids, `thread_ts` replies). Maintainers answer in
their subsystems' channels; a few claims and blockers of planted issues are said here too."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sandbox.community.chat import (
    ANNOUNCE,
    CONTRIB_A,
    CONTRIB_Q,
    GENERAL,
    GENERAL_REPLY,
    HELP_A,
    HELP_ASKER,
    HELP_Q,
    SIG_A,
    SIG_OWNER,
    SIG_Q,
)
from sandbox.community.chat_people import SLACK_SHARE, ChatPlace, Member, members, place_slug, slack_escape
from sandbox.community.people import CONTRIBUTOR, MAINTAINER, NEWCOMER, USER
from sandbox.community.util import MINUTE, delay, poisson

if TYPE_CHECKING:
    from sandbox.community.world import World

TEAM_ID = "T04VLLMDEV"
SLACK_SHARE_OF_CHAT = 0.5        # Slack messages per Discord message of the scale
_ID_CHARS = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
_TZ = (("America/Los_Angeles", "Pacific Standard Time", -28800), ("America/New_York", "Eastern Standard Time", -18000),
       ("Europe/Berlin", "Central European Time", 3600), ("Asia/Shanghai", "China Standard Time", 28800),
       ("Asia/Kolkata", "India Standard Time", 19800))


@dataclass
class SlackData:
    team: dict[str, Any]
    users: list[dict[str, Any]]
    channels: list[dict[str, Any]]
    messages: list[dict[str, Any]]
    links: dict[str, str] = field(default_factory=dict)         # user id -> login (the profile names it)
    people: dict[str, str] = field(default_factory=dict)        # user id -> login (everyone who is someone)
    sig_channels: dict[str, str] = field(default_factory=dict)  # channel name -> subsystem
    chat_claimed: list[int] = field(default_factory=list)
    chat_blocked: list[int] = field(default_factory=list)


class _Slack(ChatPlace):
    def __init__(self, w: World) -> None:
        super().__init__(w, "slack")
        self.ids: set[str] = set()
        self.ts_used: set[tuple[str, str]] = set()
        self.messages: list[dict[str, Any]] = []

    def new_id(self, prefix: str) -> str:
        while True:
            v = prefix + "0" + "".join(self.rnd.choice(_ID_CHARS) for _ in range(9))
            if v not in self.ids:
                self.ids.add(v)
                return v

    def ts(self, channel: str, t: float) -> str:
        sec = int(t)
        while True:
            v = f"{sec}.{self.rnd.randint(0, 999_999):06d}"
            if (channel, v) not in self.ts_used:
                self.ts_used.add((channel, v))
                return v

    # ------------------------------------------------------------------ people

    def build_members(self) -> None:
        self.members = members(self.w, self.rnd, SLACK_SHARE, 0.6, self.w.scale.chat_only // 2,
                               lambda _i: self.new_id("U"))
        for m in self.members:
            if m.person is not None:
                self.by_person[m.person.idx] = m

    def user_obj(self, m: Member) -> dict[str, Any]:
        rnd = self.rnd
        tz, tz_label, tz_offset = rnd.choice(_TZ)
        first, _, last = m.real_name.partition(" ")
        title = ""
        if m.shows_github and m.person is not None:
            title = rnd.choice((f"github.com/{m.person.login}", f"GitHub: @{m.person.login}",
                                f"{m.person.kind} · gh/{m.person.login}"))
        elif rnd.random() < 0.3:
            title = rnd.choice(("ML engineer", "PhD student", "Inference infra", "Research scientist"))
        display = m.handle if rnd.random() < 0.5 else ""
        avatar = f"{rnd.getrandbits(48):012x}"
        profile: dict[str, Any] = {"title": title, "phone": "", "skype": "", "real_name": m.real_name,
                   "real_name_normalized": m.real_name, "display_name": display, "display_name_normalized": display,
                   "fields": None, "status_text": "", "status_emoji": "", "status_emoji_display_info": [],
                   "status_expiration": 0, "avatar_hash": avatar, "first_name": first, "last_name": last,
                   "image_24": f"https://avatars.slack-edge.com/{avatar}_24.png",
                   "image_72": f"https://avatars.slack-edge.com/{avatar}_72.png", "team": TEAM_ID}
        lead = m.person is not None and m.person.lead
        return {
            "id": m.key,
            "team_id": TEAM_ID,
            "name": m.handle,
            "deleted": False,
            "color": f"{rnd.getrandbits(24):06x}",
            "real_name": m.real_name,
            "tz": tz,
            "tz_label": tz_label,
            "tz_offset": tz_offset,
            "profile": profile,
            "is_admin": lead,
            "is_owner": False,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": False,
            "is_app_user": False,
            "updated": m.created,
            "is_email_confirmed": True,
            "who_can_share_contact_card": "EVERYONE",
        }

    # ------------------------------------------------------------------ messages

    def say(self, text: str, sub: str | None, topic: dict[str, Any]) -> str:
        raw = self.text.fill(text, sub, topic).replace("<@{uid}>", "\x00")
        out = slack_escape(raw)
        if "\x00" in out:
            out = out.replace("\x00", f"<@{self.pick((MAINTAINER,)).key}>")
        return out[:4000]

    def message(self, channel: str, author: Member | None, text: str, t: float, thread: dict[str, Any] | None = None,
                bot: tuple[str, str] | None = None) -> dict[str, Any]:
        m: dict[str, Any] = {"type": "message", "text": text, "ts": self.ts(channel, t)}
        if bot is not None:
            m.update({"subtype": "bot_message", "bot_id": bot[0], "username": bot[1]})
        elif author is not None:
            r = self.rnd
            msg_id = (f"{r.getrandbits(32):08x}-{r.getrandbits(16):04x}-4{r.getrandbits(12):03x}-"
                      f"a{r.getrandbits(12):03x}-{r.getrandbits(48):012x}")
            m.update({"user": author.key, "client_msg_id": msg_id, "team": TEAM_ID})
        if thread is not None:
            m["thread_ts"] = thread["ts"]
            m["parent_user_id"] = thread.get("user", "")
        if self.rnd.random() < 0.1:
            n = self.rnd.randint(1, 5)
            m["reactions"] = [{"name": self.rnd.choice(("+1", "eyes", "rocket", "pray", "tada")),
                               "users": [x.key for x in self.rnd.sample(self.members, min(n, len(self.members)))],
                               "count": n}]
            m["reactions"][0]["count"] = len(m["reactions"][0]["users"])
        m["channel"] = channel
        self.messages.append(m)
        return m

    def conversation(self, channel: str, t0: float, opener: tuple[Member, str], replies: list[tuple[Member, str]],
                     threaded: bool) -> int:
        parent = self.message(channel, opener[0], opener[1], t0)
        t = t0
        thread: list[dict[str, Any]] = []
        for who, text in replies:
            t += delay(self.rnd, 5 * MINUTE, 1.1) + self.rnd.random()
            if t >= self.end:
                break
            thread.append(self.message(channel, who, text, t, parent if threaded else None))
        if threaded and thread:
            parent["thread_ts"] = parent["ts"]
            parent["reply_count"] = len(thread)
            users = list(dict.fromkeys(m["user"] for m in thread if "user" in m))
            parent["reply_users"] = users[:5]
            parent["reply_users_count"] = len(users)
            parent["latest_reply"] = thread[-1]["ts"]
            parent["is_locked"] = False
            parent["subscribed"] = False
        return 1 + len(thread)


def simulate_slack(w: World) -> SlackData:
    """The Slack part of the dataset (deterministic for the world's seed; its own random stream)."""
    s = _Slack(w)
    rnd = s.rnd
    s.build_members()
    app_user: dict[str, Any] = {
        "id": s.new_id("U"),
        "team_id": TEAM_ID,
        "name": "oss-scout",
        "deleted": False,
        "real_name": "oss-scout",
        "profile": {
            "title": "",
            "phone": "",
            "skype": "",
            "real_name": "oss-scout",
            "real_name_normalized": "oss-scout",
            "display_name": "",
            "display_name_normalized": "",
            "fields": None,
            "status_text": "",
            "status_emoji": "",
            "avatar_hash": "",
            "bot_id": "",
            "always_active": True,
            "first_name": "oss-scout",
            "last_name": "",
            "team": TEAM_ID,
        },
        "is_admin": False,
        "is_owner": False,
        "is_primary_owner": False,
        "is_restricted": False,
        "is_ultra_restricted": False,
        "is_bot": True,
        "is_app_user": False,
        "updated": w.w0 - 86400,
    }
    app_bot_id = s.new_id("B")
    app_user["profile"]["bot_id"] = app_bot_id
    release_bot = (s.new_id("B"), "vLLM Releases")
    creator = next((s.by_person[m.idx] for m in w.leads if m.idx in s.by_person), s.members[0])

    channels: list[dict[str, Any]] = []
    created = w.w0 - 400 * 86400

    def channel(name: str, purpose: str, general: bool = False, archived: bool = False) -> str:
        nonlocal created
        created += 86400 + rnd.randint(0, 3600)
        cid = s.new_id("C")
        channels.append(
            {
                "id": cid,
                "name": name,
                "is_channel": True,
                "is_group": False,
                "is_im": False,
                "is_mpim": False,
                "is_private": False,
                "created": created,
                "is_archived": archived,
                "is_general": general,
                "unlinked": 0,
                "name_normalized": name,
                "is_shared": False,
                "is_org_shared": False,
                "is_pending_ext_shared": False,
                "pending_shared": [],
                "context_team_id": TEAM_ID,
                "updated": created * 1000,
                "parent_conversation": None,
                "creator": creator.key,
                "is_ext_shared": False,
                "shared_team_ids": [TEAM_ID],
                "pending_connected_team_ids": [],
                "is_member": not archived,
                "topic": {"value": "", "creator": "", "last_set": 0},
                "purpose": {"value": purpose, "creator": creator.key, "last_set": created},
                "previous_names": [],
                "num_members": 0,
            }
        )
        return cid

    general = channel("general", "Anything about vLLM", general=True)
    help_ = channel("help", "Ask for help running vLLM. Search the issues first!")
    contrib = channel("contributors", "Contributing to vLLM: dev setup, PRs, first issues")
    ann = channel("announcements", "Releases and events")
    sig_ids: dict[str, str] = {}
    sig_channels: dict[str, str] = {}
    for spec in w.tax.subsystems:
        for name in spec.channels[:1]:
            if name in sig_channels:
                continue
            cid = channel(name, f"{spec.description or spec.name} ({spec.name})")
            sig_channels[name] = spec.name
            if spec.name in w.active:
                sig_ids[spec.name] = cid
    feat_ids: dict[str, str] = {}
    for sub_name in sorted(rnd.sample(list(w.active), min(3, len(w.active)))):
        found = w.tax.get(sub_name)
        slug = place_slug(found.channels[0]) if found is not None and found.channels else place_slug(sub_name)
        name = f"feat-{slug}"
        feat_ids[sub_name] = channel(name, f"Feature work on {sub_name}")
        sig_channels[name] = sub_name
    channel("sig-legacy-engine", "Archived: the old engine", archived=True)

    total = round(w.scale.chat_per_day * w.scale.days * SLACK_SHARE_OF_CHAT)
    shares = (("general", 0.15), ("help", 0.2), ("contrib", 0.1), ("sig", 0.45), ("feat", 0.08), ("announce", 0.02))
    span = s.end - s.start
    produced = 0
    announced = 0
    while produced < total:
        kind = rnd.choices([x[0] for x in shares], [x[1] for x in shares])[0]
        t0 = s.start + rnd.randint(0, max(1, span - 3600)) + rnd.random()
        n_rep = min(poisson(rnd, 3.0), 14)
        topic: dict[str, Any] = {}
        if kind == "general":
            opener = (s.pick((USER, CONTRIBUTOR, NEWCOMER, MAINTAINER)), s.say(rnd.choice(GENERAL), None, topic))
            replies = [(s.pick((USER, CONTRIBUTOR, MAINTAINER)), s.say(rnd.choice(GENERAL_REPLY), None, topic))
                       for _ in range(n_rep)]
            produced += s.conversation(general, t0, opener, replies, rnd.random() < 0.5)
        elif kind == "help":
            sub = w.sub_picker.pick(rnd)
            asker = s.pick((USER, NEWCOMER, CONTRIBUTOR))
            replies = []
            for _ in range(max(1, n_rep)):
                if rnd.random() < 0.3:
                    replies.append((asker, s.say(rnd.choice(HELP_ASKER), sub, topic)))
                else:
                    helper = (s.owner(sub) if rnd.random() < 0.3 else None) or s.pick(
                        (CONTRIBUTOR, MAINTAINER, USER), sub
                    )
                    replies.append((helper, s.say(rnd.choice(HELP_A), sub, topic)))
            produced += s.conversation(help_, t0, (asker, s.say(rnd.choice(HELP_Q), sub, topic)), replies,
                                       rnd.random() < 0.8)
        elif kind == "contrib":
            sub = w.sub_picker.pick(rnd)
            asker = s.pick((NEWCOMER, CONTRIBUTOR))
            replies = []
            for _ in range(max(1, n_rep)):
                if rnd.random() < 0.3:
                    replies.append((asker, rnd.choice(("Thanks!", "Great, I'll take a look.", "Got it, thank you"))))
                else:
                    helper = s.owner(sub) or s.pick((MAINTAINER,))
                    replies.append((helper, s.say(rnd.choice(CONTRIB_A), sub, topic)))
            produced += s.conversation(contrib, t0, (asker, s.say(rnd.choice(CONTRIB_Q), sub, topic)), replies,
                                       rnd.random() < 0.6)
        elif kind in ("sig", "feat"):
            area = w.sub_picker.pick(rnd) if kind == "sig" else rnd.choice(sorted(feat_ids))
            cid = sig_ids.get(area, general) if kind == "sig" else feat_ids[area]
            owner = s.owner(area)
            if owner and rnd.random() < 0.3:
                opener = (owner, s.say(rnd.choice(SIG_OWNER), area, topic))
            else:
                opener = (
                    s.pick((CONTRIBUTOR, NEWCOMER, USER, MAINTAINER), area),
                    s.say(rnd.choice(SIG_Q), area, topic),
                )
            replies = []
            for _ in range(max(1, n_rep)):
                responder = (s.owner(area) if rnd.random() < 0.75 else None) or s.pick((CONTRIBUTOR, MAINTAINER), area)
                replies.append((responder, s.say(rnd.choice(SIG_A), area, topic)))
                if rnd.random() < 0.3:
                    replies.append((opener[0], rnd.choice(("Thanks!", "Will do.", "Updated, PTAL.", "Makes sense."))))
            produced += s.conversation(cid, t0, opener, replies, rnd.random() < 0.7)
        else:
            if announced >= max(2, w.scale.days // 3):
                continue
            announced += 1
            s.message(ann, None, s.say(rnd.choice(ANNOUNCE), w.sub_picker.pick(rnd), topic), t0, bot=release_bot)
            produced += 1

    chat_claimed, chat_blocked = _plant_signals(s, w, contrib)
    s.messages.sort(key=lambda m: (m["channel"], float(m["ts"])))
    counts: dict[str, set[str]] = {}
    for m in s.messages:
        if "user" in m:
            counts.setdefault(m["channel"], set()).add(m["user"])
    for c in channels:
        c["num_members"] = len(counts.get(c["id"], ())) + 1
    users = [s.user_obj(m) for m in s.members] + [app_user]
    team = {"id": TEAM_ID, "name": "vLLM", "url": "https://vllm-dev.slack.com/", "domain": "vllm-dev",
            "email_domain": "", "icon": {"image_default": True, "image_34": "https://a.slack-edge.com/team_34.png",
                                          "image_68": "https://a.slack-edge.com/team_68.png"},
            "avatar_base_url": "https://ca.slack-edge.com/", "is_verified": False, "discoverable": "open"}
    links = {m.key: m.person.login for m in s.members if m.person is not None and m.shows_github}
    people = {m.key: m.person.login for m in s.members if m.person is not None}
    return SlackData(team, users, channels, s.messages, dict(sorted(links.items())), dict(sorted(people.items())),
                     sig_channels, chat_claimed, chat_blocked)


def _plant_signals(s: _Slack, w: World, contrib: str) -> tuple[list[int], list[int]]:
    """A few claims and blockers of issues already claimed/blocked on GitHub, said again in #contributors."""
    rnd = s.rnd
    claimed = [i for i in w.issues if i.state == "open" and i.claim_kind and i.claim_kind != "released"]
    blocked = [i for i in w.issues if i.state == "open" and i.block_kind and i.block_kind != "unblocked"]
    out_c: list[int] = []
    out_b: list[int] = []
    for it in sorted(claimed, key=lambda i: i.number)[:4]:
        who = s.pick((CONTRIBUTOR, NEWCOMER))
        t = s.start + rnd.randint(0, max(1, s.end - s.start - 60))
        s.message(contrib, who, rnd.choice((f"I'm working on #{it.number}, PR coming this week",
                                            f"I'll take #{it.number}", f"I'm on #{it.number}, draft soon")), t)
        out_c.append(it.number)
    for it in sorted(blocked, key=lambda i: i.number)[:3]:
        who = s.pick((MAINTAINER, CONTRIBUTOR))
        t = s.start + rnd.randint(0, max(1, s.end - s.start - 60))
        s.message(contrib, who, rnd.choice((f"#{it.number} is blocked until the refactor lands",
                                            f"#{it.number} is blocked on an upstream fix")), t)
        out_b.append(it.number)
    return sorted(out_c), sorted(out_b)
