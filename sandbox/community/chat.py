"""The community's Discord guild: channels (#general, #help, #contributors, #announcements, a forum,
one #sig-<subsystem> per taxonomy channel), threads, members with roles, and a window of chat that
mentions issues and PRs by `#N` and by URL. Maintainers answer in their subsystems' channels."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sandbox.community.model import Item
from sandbox.community.people import BOT, CONTRIBUTOR, EMERITUS, MAINTAINER, NEWCOMER, USER, Person
from sandbox.community.util import DAY, MINUTE, delay, iso_discord, poisson
from sandbox.community.vocab import GPUS, MODELS, VLLM_VERSIONS, words_for

if TYPE_CHECKING:
    from sandbox.community.world import World

DISCORD_EPOCH_MS = 1_420_070_400_000


def snowflake(ms: int, inc: int = 0, worker: int = 1) -> int:
    return ((ms - DISCORD_EPOCH_MS) << 22) | (worker << 17) | (inc & 0xFFF)


@dataclass
class Chat:
    guild: dict[str, Any]
    channels: list[dict[str, Any]]
    members: list[dict[str, Any]]
    messages: list[dict[str, Any]]
    links: dict[str, str] = field(default_factory=dict)        # discord user id -> github login
    sig_channels: dict[str, str] = field(default_factory=dict)  # channel name -> subsystem
    window_messages: int = 0


class ChatUser:
    __slots__ = ("_obj", "avatar", "bot", "global_name", "id", "joined", "person", "roles", "username")

    def __init__(
        self, uid: int, username: str, global_name: str | None, person: Person | None, bot: bool = False
    ) -> None:
        self.id, self.username, self.global_name, self.person, self.bot = uid, username, global_name, person, bot
        self.avatar: str | None = None
        self.roles: list[int] = []
        self.joined = 0
        self._obj: dict[str, Any] | None = None

    def obj(self) -> dict[str, Any]:
        if self._obj is not None:
            return self._obj
        d: dict[str, Any] = {
            "id": str(self.id),
            "username": self.username,
            "avatar": self.avatar,
            "discriminator": "0",
            "public_flags": 0,
            "flags": 0,
            "banner": None,
            "accent_color": None,
            "global_name": self.global_name,
            "avatar_decoration_data": None,
            "collectibles": None,
            "primary_guild": None,
        }
        if self.bot:
            d["bot"] = True
        self._obj = d
        return d


def _handle(login: str) -> str:
    h = re.sub(r"[^a-z0-9_.]", "_", login.lower()).strip("_.")
    return h[:32] or "user"


# ---------------------------------------------------------------------------- text banks

GENERAL = (
    "Is there a release planned this week?",
    "Congrats on the {ver} release 🎉",
    "Anyone running {model} on {gpu}? What throughput do you get?",
    "What's the recommended way to deploy vLLM on k8s these days?",
    "Thanks for all the work on the {thing}, it's a big speedup for us",
    "Is there a roadmap for the next quarter?",
    "Where can I find the notes from the last office hours?",
    "Has anyone compared the {thing} against the previous release?",
    "gm everyone 👋",
    "Saw {pr} got merged, nice!",
)
GENERAL_REPLY = (
    "Yes, should be out in a few days.",
    "About 2.1k tok/s with TP=2 for us.",
    "Check the docs, there is a helm chart now.",
    "Same here, great work!",
    "It's pinned in #announcements.",
    "👍",
    "There is a tracking issue: {issue}",
)
HELP_Q = (
    "Getting `{err}` when starting `vllm serve {model}`, any idea?",
    "How do I set {flag} with the Python API?",
    "My server OOMs after a few hours with the {thing}, is that expected?",
    "I think I'm hitting {issue}; is there a workaround?",
    "Does the {thing} work together with {flag}?",
    "Why is my throughput so low on {gpu}?",
    "After upgrading to {ver} the {thing} {symptom}. Known issue?",
)
HELP_A = (
    "Try `{flag}`, that usually helps.",
    "This is tracked in {issue}.",
    "Which version are you on? This was fixed in {ver}.",
    "Can you open an issue with the full log? Use the bug template.",
    "That's expected with the {thing}; see the docs.",
    "Looks like {issue}, subscribe there for updates.",
    "You need a newer driver for that GPU.",
    "Same problem here.",
)
HELP_ASKER = ("Thanks, that fixed it!", "Still failing for me with the same error.", "Ok, I'll open an issue.",
              "Thanks, subscribed.", "That was it, thank you 🙏")
CONTRIB_Q = (
    "Hi all! I'd like to start contributing to vLLM. Are there any good first issues?",
    "I'm new here, where should I start if I'm interested in the {thing}?",
    "How do I run the {sub} tests locally?",
    "Opened my first PR {pr}, would appreciate a review 🙏",
    "Is {gfi} a good one for a first contribution?",
)
CONTRIB_A = ("Welcome! {gfi} would be a nice one to start with, PR welcome.",
             "Have a look at the issues labelled good first issue, for example {gfi}.",
             "`pytest -x tests/...` with a small model works; the contributing guide has the details.",
             "Thanks, I'll take a look at {pr} today.", "Feel free to ping me on the PR once CI is green.")
SIG_Q = (
    "Could someone from the {sub} side review {pr}?",
    "I'm seeing a regression in the {thing} after {pr}, anyone else?",
    "Proposal: {feature}. Thoughts before I write an RFC?",
    "Benchmarks for {pr}: {pct}% faster on {gpu}.",
    "Question about {pr}: should the {thing} handle this case or the caller?",
    "{pr} is ready for another look.",
    "Is anyone looking at {issue}? It's hurting us in production.",
)
SIG_A = (
    "Looking at {pr} now.",
    "Left some comments on {pr}.",
    "Approved {pr}, thanks!",
    "That regression is tracked in {issue}; a fix is in progress.",
    "We discussed this in the {sub} sync; the plan is to simplify the {thing} first.",
    "I'd rather keep the {thing} simple for now, but happy to review a PR.",
    "Can you add a test? Then it's good to go.",
    "cc <@{uid}> who knows the {thing} best",
    "Makes sense to me.",
    "Let's move the discussion to {issue}.",
)
SIG_OWNER = ("Heads up: {pr} changes the {thing} interface, please rebase.",
             "We're planning to deprecate the old {thing} path next release, see {issue}.",
             "Reminder: {sub} sync tomorrow, agenda in the doc.", "Looking for reviewers for {pr}.",
             "Triage for this week: {issue} needs an owner.")
ANNOUNCE = ("📣 vLLM v{ver} is out! Highlights: {feature}. Release notes: https://github.com/{repo}/releases",
            "Office hours this Thursday: we'll cover the {thing}. Bring your questions!",
            "The {sub} SIG meets every other Tuesday; join the channel to follow along.")
FORUM_TITLES = (
    "{thing} {symptom}",
    "How to configure the {thing}?",
    "{model} on {gpu}: slow startup",
    "Error: {err_short}",
    "Question about {flag}",
)


class _ChatBuilder:
    def __init__(self, w: World) -> None:
        self.w = w
        self.rnd = random.Random(f"{w.seed}:chat")
        self.start_ms = w.w0 * 1000
        self.end_ms = (w.now - MINUTE) * 1000
        self.used_ids: set[int] = set()
        self.messages: list[dict[str, Any]] = []
        self.threads: list[dict[str, Any]] = []
        self.thread_stats: dict[int, list[int]] = {}
        self.users: list[ChatUser] = []
        self.guild_id = 0  # set once the guild is laid out
        self.user_by_id: dict[str, ChatUser] = {}
        self.by_person: dict[int, ChatUser] = {}
        self.links: dict[str, str] = {}
        self.gfis: dict[str, list[Item]] = {"": []}
        for it in w.issues:
            if it.role == "gfi" and it.state == "open" and not it.claim_kind and not it.block_kind:
                self.gfis[""].append(it)
                for s in it.subs:
                    self.gfis.setdefault(s, []).append(it)

    # ------------------------------------------------------------------ ids and people

    def sf(self, ms: int) -> int:
        inc = 0
        while True:
            v = snowflake(ms, inc)
            if v not in self.used_ids:
                self.used_ids.add(v)
                return v
            inc += 1
            if inc > 4000:
                ms += 1
                inc = 0

    def build_users(self) -> None:
        w, rnd = self.w, self.rnd
        taken: set[str] = set()

        def add(person: Person | None, username: str, global_name: str | None, bot: bool = False) -> ChatUser:
            base = username
            k = 1
            while username in taken:
                k += 1
                username = f"{base}{k}"
            taken.add(username)
            created_ms = rnd.randint(1_470_000_000_000, 1_735_000_000_000)
            u = ChatUser(self.sf(created_ms), username, global_name, person, bot)
            u.avatar = f"{rnd.getrandbits(128):032x}" if rnd.random() < 0.7 else None
            u.joined = rnd.randint(1_690_000_000, w.w0 - DAY)
            self.users.append(u)
            self.user_by_id[str(u.id)] = u
            if person is not None:
                self.by_person[person.idx] = u
                self.links[str(u.id)] = person.login
            return u

        share = {MAINTAINER: 0.85, CONTRIBUTOR: 0.35, NEWCOMER: 0.25, USER: 0.06, EMERITUS: 0.3}
        active: set[int] = set()  # people seen on GitHub in this slice (a link to nobody is no evidence)
        for it in w.items:
            active.add(it.author.idx)  # type: ignore[union-attr]
            active.update(c.author.idx for c in it.comments)
            active.update(r.author.idx for r in it.reviews)
        for p in w.pop.people:
            if p.kind == BOT or p.idx not in active or rnd.random() >= share.get(p.kind, 0):
                continue
            x = rnd.random()
            if x < 0.6:
                username, gname = _handle(p.login), (p.name if rnd.random() < 0.6 else None)
            elif x < 0.9:
                first, last = p.name.split(" ", 1)
                username = _handle(rnd.choice((f"{first}{last[:1]}", f"{first}.{last}", f"{last}_{first}", first)))
                gname = p.name if rnd.random() < 0.8 else first
            else:
                username = _handle(
                    rnd.choice(
                        (
                            "tensorwizard",
                            "kv_cache_enjoyer",
                            "gpu_goblin",
                            "moe_fan",
                            "latency_hunter",
                            "nightowl",
                            "quant_queen",
                            "bf16_bandit",
                        )
                    )
                    + str(rnd.randint(1, 999))
                )
                gname = None
            add(p, username, gname)
        for _ in range(self.w.scale.chat_only):
            first = rnd.choice(("alex", "sam", "kai", "robin", "jules", "nik", "mo", "lee", "ari", "dev", "zed", "ola"))
            add(None, _handle(f"{first}{rnd.choice(('_ml', '_ai', '', '.dev', '_gpu'))}{rnd.randint(1, 9999)}"), None)
        self.bot = add(None, "vllm-release-bot", "vLLM Releases", bot=True)

    def cu(self, p: Person) -> ChatUser | None:
        return self.by_person.get(p.idx)

    def pick_user(self, kinds: tuple[str, ...], sub: str | None = None) -> ChatUser:
        rnd = self.rnd
        for _ in range(20):
            u = rnd.choice(self.users)
            if u.bot:
                continue
            kind = u.person.kind if u.person else USER
            if kind in kinds and (
                sub is None
                or u.person is None
                or not u.person.subsystems
                or sub in u.person.subsystems
                or rnd.random() < 0.3
            ):
                return u
        return next(u for u in self.users if not u.bot)

    def owner_user(self, sub: str) -> ChatUser | None:
        cands = [self.by_person[o.idx] for o in self.w.owners.get(sub, []) if o.idx in self.by_person]
        return self.rnd.choice(cands) if cands else None

    # ------------------------------------------------------------------ references

    def item(self, sub: str | None, kind: str) -> Item:
        """A thread to talk about: recently active, near `sub`; `gfi` picks an open good first issue."""
        w, rnd = self.w, self.rnd
        if kind == "gfi":
            gfis = self.gfis.get(sub or "", []) or self.gfis.get("", [])
            if gfis:
                return rnd.choice(gfis)
            kind = "issue"
        pool = w.pulls if kind == "pr" else w.issues
        for _ in range(16):
            it = rnd.choice(pool)
            if it.updated >= w.w0 - 14 * DAY and (sub is None or sub in it.subs):
                return it
        return rnd.choice(pool)

    def fmt(self, it: Item) -> str:
        if self.rnd.random() < 0.5:
            return f"#{it.number}"
        return f"https://github.com/{self.w.repo}/{'pull' if it.is_pr else 'issues'}/{it.number}"

    def fill(self, s: str, sub: str | None, topic: dict[str, Item] | None = None) -> str:
        """Fill a chat template; `topic` keeps a conversation on the same threads (mostly)."""
        if "{" not in s:
            return s
        rnd, w = self.rnd, self.w
        sname = sub or rnd.choice(w.active)
        words = words_for(w.subsystem(sname))
        values: dict[str, object] = {"sub": sname, "uid": "{uid}", "repo": w.repo}
        for kind in ("issue", "pr", "gfi"):
            if "{" + kind + "}" in s:
                it = topic.get(kind) if topic is not None and rnd.random() < 0.75 else None
                if it is None:
                    it = self.item(sub, kind)
                    if topic is not None:
                        topic.setdefault(kind, it)
                values[kind] = self.fmt(it)
        makers = {
            "ver": lambda: rnd.choice(VLLM_VERSIONS[:7]),
            "model": lambda: rnd.choice(MODELS),
            "gpu": lambda: rnd.choice(GPUS).replace("NVIDIA ", ""),
            "thing": lambda: rnd.choice(words.things),
            "flag": lambda: rnd.choice(words.flags),
            "symptom": lambda: rnd.choice(words.symptoms),
            "pct": lambda: rnd.randint(3, 40),
            "feature": lambda: rnd.choice(words.features).replace("{newmodel}", "new models"),
            "err": lambda: rnd.choice(words.errors).replace("{arch}", "NovaForCausalLM"),
        }
        for key, make in makers.items():
            if "{" + key in s:
                values[key] = make()
        if "{err_short}" in s:
            values["err_short"] = str(makers["err"]())[:60]
        return s.format(**values)

    # ------------------------------------------------------------------ messages

    def message(self, channel_id: int, author: ChatUser, content: str, ms: int, reply_to: dict[str, Any] | None = None,
                mentions: list[ChatUser] | None = None, msg_id: int | None = None) -> dict[str, Any]:
        rnd = self.rnd
        mid = msg_id if msg_id is not None else self.sf(ms)
        ments = list(mentions or [])
        m: dict[str, Any] = {
            "type": 19 if reply_to else 0, "content": content[:2000], "mentions": [],
            "mention_roles": [], "attachments": [], "embeds": [], "timestamp": iso_discord(ms),
            "edited_timestamp": iso_discord(ms + rnd.randint(20_000, 900_000)) if rnd.random() < 0.05 else None,
            "flags": 0, "components": [], "id": str(mid), "channel_id": str(channel_id), "author": author.obj(),
            "pinned": False, "mention_everyone": False, "tts": False,
        }
        if reply_to is not None:
            ref_author = self.user_by_id[reply_to["author"]["id"]]
            if ref_author not in ments and rnd.random() < 0.8:
                ments.append(ref_author)
            m["message_reference"] = {"type": 0, "channel_id": str(channel_id), "message_id": reply_to["id"],
                                      "guild_id": str(self.guild_id)}
            m["referenced_message"] = {k: v for k, v in reply_to.items()
                                       if k not in ("referenced_message", "message_reference", "thread", "reactions")}
        m["mentions"] = [u.obj() for u in ments]
        if rnd.random() < 0.12:
            emoji = rnd.choice(("👍", "🙏", "🚀", "👀", "❤️", "🎉"))
            n = rnd.randint(1, 6)
            m["reactions"] = [
                {
                    "emoji": {"id": None, "name": emoji},
                    "count": n,
                    "count_details": {"burst": 0, "normal": n},
                    "burst_colors": [],
                    "me_burst": False,
                    "me": False,
                }
            ]
        self.messages.append(m)
        st = self.thread_stats.get(channel_id)
        if st is not None:
            st[0] += 1
            st[1] = max(st[1], mid)
            if author.id not in st[2:]:
                st.append(author.id)
        return m

    def conversation(self, channel_id: int, start_ms: int, opener: tuple[ChatUser, str],
                     replies: list[tuple[ChatUser, str]]) -> list[dict[str, Any]]:
        rnd = self.rnd
        out = []
        ms = start_ms
        first = self.message(channel_id, opener[0], opener[1], ms)
        out.append(first)
        for who, text in replies:
            ms += delay(rnd, 6 * MINUTE, 1.2) * 1000 + rnd.randint(0, 999)
            if ms >= self.end_ms:
                break
            mentions = []
            if "{uid}" in text:
                other = self.pick_user((MAINTAINER,))
                text = text.replace("{uid}", str(other.id))
                mentions.append(other)
            reply_to = rnd.choice(out) if rnd.random() < 0.35 else None
            out.append(self.message(channel_id, who, text, ms, reply_to, mentions))
        return out


def simulate_chat(w: World) -> Chat:
    b = _ChatBuilder(w)
    rnd = b.rnd
    b.build_users()
    guild_ms = 1_686_000_000_000 + rnd.randint(0, 10**9)
    gid = b.sf(guild_ms)
    b.guild_id = gid
    role_ms = guild_ms + 1000
    roles = [
        {
            "id": str(gid),
            "name": "@everyone",
            "permissions": "2222085186637376",
            "position": 0,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "managed": False,
            "mentionable": False,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        },
    ]
    role_ids = {}
    for i, (name, color) in enumerate(
        (("maintainer", 0x30A0E0), ("contributor", 0x2ECC71), ("moderator", 0xE67E22)), start=1
    ):
        rid = b.sf(role_ms + i * 1000)
        role_ids[name] = rid
        roles.append({"id": str(rid), "name": name, "permissions": "2248473465835073" if name != "contributor" else "0",
                      "position": 4 - i, "color": color, "colors": {"primary_color": color, "secondary_color": None,
                                                                      "tertiary_color": None},
                      "hoist": name == "maintainer", "managed": False, "mentionable": name != "moderator", "icon": None,
                      "unicode_emoji": None, "flags": 0})
    owner_user = next((b.cu(m) for m in w.leads if b.cu(m)), None) or b.users[0]

    # ---- channels
    channels: list[dict[str, Any]] = []
    ch_ms = guild_ms + 60_000

    def channel(name: str, ctype: int, parent: int | None, topic: str | None, pos: int, **extra: Any) -> int:
        nonlocal ch_ms
        ch_ms += 3_600_000
        cid = b.sf(ch_ms)
        d: dict[str, Any] = {"id": str(cid), "type": ctype, "flags": 0, "guild_id": str(gid), "name": name,
                             "parent_id": str(parent) if parent else None, "position": pos, "permission_overwrites": [],
                             "nsfw": False}
        if ctype not in (4,):
            d.update({"last_message_id": None, "rate_limit_per_user": 0, "topic": topic})
        if ctype == 0 or ctype == 5 or ctype == 15:
            d["default_auto_archive_duration"] = 4320
        d.update(extra)
        channels.append(d)
        return cid

    cat_info = channel("Welcome", 4, None, None, 0)
    cat_comm = channel("Community", 4, None, None, 1)
    cat_sig = channel("Special Interest Groups", 4, None, None, 2)
    ann = channel("announcements", 5, cat_info, "Releases and events", 0)
    general = channel("general", 0, cat_info, "Anything about vLLM", 1)
    help_ = channel("help", 0, cat_comm, "Ask for help running vLLM. Search the issues first!", 0)
    contrib = channel("contributors", 0, cat_comm, "For people contributing to vLLM: dev setup, PRs, first issues", 1)
    tags = [{"id": str(b.sf(ch_ms + 10 + i)), "name": n, "moderated": False, "emoji_id": None, "emoji_name": e}
            for i, (n, e) in enumerate((("solved", "✅"), ("bug", "🐛"), ("question", "❓"), ("performance", "⚡")))]
    forum = channel(
        "help-forum",
        15,
        cat_comm,
        "One post per question",
        2,
        available_tags=tags,
        default_reaction_emoji=None,
        default_sort_order=0,
        default_forum_layout=1,
        default_tag_setting="match_some",
        default_thread_rate_limit_per_user=0,
    )
    channel("oss-scout", 0, cat_comm, "Daily digest from oss-scout", 3)
    sig_ids: dict[str, int] = {}
    sig_channels: dict[str, str] = {}
    pos = 0
    for declared in w.tax.subsystems:
        for name in declared.channels[:1]:
            if name in sig_channels:
                continue
            cid = channel(name, 0, cat_sig, f"{declared.description or declared.name} ({declared.name})", pos)
            pos += 1
            sig_channels[name] = declared.name
            if declared.name in w.active:
                sig_ids[declared.name] = cid
    by_id = {int(c["id"]): c for c in channels}

    # ---- messages over the window
    total = round(w.scale.chat_per_day * w.scale.days)
    shares = (("general", 0.17), ("help", 0.19), ("forum", 0.1), ("contrib", 0.1), ("sig", 0.42), ("announce", 0.02))
    span = b.end_ms - b.start_ms
    produced = 0
    ann_count = 0
    while produced < total:
        kind = rnd.choices([s[0] for s in shares], [s[1] for s in shares])[0]
        start = b.start_ms + rnd.randint(0, max(1, span - 3_600_000))
        n_rep = min(poisson(rnd, 3.2), 14)
        topic: dict[str, Item] = {}
        if kind == "general":
            asker_ = b.pick_user((USER, CONTRIBUTOR, NEWCOMER, MAINTAINER))
            q = b.fill(rnd.choice(GENERAL), None, topic)
            replies = [(b.pick_user((USER, CONTRIBUTOR, MAINTAINER)), b.fill(rnd.choice(GENERAL_REPLY), None, topic))
                       for _ in range(n_rep)]
            msgs = b.conversation(general, start, (asker_, q), replies)
        elif kind in ("help", "forum"):
            sub = w.sub_picker.pick(rnd)
            asker = b.pick_user((USER, NEWCOMER, CONTRIBUTOR))
            q = b.fill(rnd.choice(HELP_Q), sub, topic)
            replies = []
            for _ in range(max(1, n_rep)):
                if rnd.random() < 0.3:
                    replies.append((asker, b.fill(rnd.choice(HELP_ASKER), sub, topic)))
                else:
                    helper = b.owner_user(sub) if rnd.random() < 0.3 else None
                    helper = helper or b.pick_user((CONTRIBUTOR, MAINTAINER, USER), sub)
                    replies.append((helper, b.fill(rnd.choice(HELP_A), sub, topic)))
            if kind == "help" and rnd.random() < 0.6:
                msgs = b.conversation(help_, start, (asker, q), replies)
            else:
                msgs = _thread(b, forum if kind == "forum" else help_, start, asker, q, replies, by_id,
                               forum=kind == "forum", tags=tags, sub=sub)
        elif kind == "contrib":
            sub = w.sub_picker.pick(rnd)
            asker = b.pick_user((NEWCOMER, CONTRIBUTOR))
            q = b.fill(rnd.choice(CONTRIB_Q), sub, topic)
            replies = []
            for _ in range(max(1, n_rep)):
                if rnd.random() < 0.3:
                    replies.append((asker, rnd.choice(("Thanks!", "Great, I'll take a look.", "Got it, thank you 🙏"))))
                else:
                    helper = b.owner_user(sub) or b.pick_user((MAINTAINER,))
                    replies.append((helper, b.fill(rnd.choice(CONTRIB_A), sub, topic)))
            if rnd.random() < 0.25:
                msgs = _thread(b, contrib, start, asker, q, replies, by_id)
            else:
                msgs = b.conversation(contrib, start, (asker, q), replies)
        elif kind == "sig":
            sub = w.sub_picker.pick(rnd)
            cid = sig_ids.get(sub, general)
            owner = b.owner_user(sub)
            if owner and rnd.random() < 0.3:
                opener = (owner, b.fill(rnd.choice(SIG_OWNER), sub, topic))
            else:
                opener = (
                    b.pick_user((CONTRIBUTOR, NEWCOMER, USER, MAINTAINER), sub),
                    b.fill(rnd.choice(SIG_Q), sub, topic),
                )
            replies = []
            for _ in range(max(1, n_rep)):
                responder = b.owner_user(sub) if rnd.random() < 0.75 else None
                responder = responder or b.pick_user((CONTRIBUTOR, MAINTAINER), sub)
                replies.append((responder, b.fill(rnd.choice(SIG_A), sub, topic)))
                if rnd.random() < 0.3:
                    replies.append(
                        (
                            opener[0],
                            rnd.choice(
                                ("Thanks!", "Will do.", "Updated, PTAL.", "Makes sense, thanks for the context.")
                            ),
                        )
                    )
            if rnd.random() < 0.15:
                msgs = _thread(b, cid, start, opener[0], opener[1], replies, by_id)
            else:
                msgs = b.conversation(cid, start, opener, replies)
        else:
            if ann_count >= max(2, w.scale.days // 3):
                continue
            ann_count += 1
            sub = w.sub_picker.pick(rnd)
            author = b.bot if rnd.random() < 0.5 else (b.owner_user(sub) or b.bot)
            msgs = [b.message(ann, author, b.fill(rnd.choice(ANNOUNCE), sub), start)]
        produced += len(msgs)

    # ---- channel bookkeeping (last message ids), threads, members
    last: dict[str, int] = {}
    for m in b.messages:
        last[m["channel_id"]] = max(last.get(m["channel_id"], 0), int(m["id"]))
    for c in channels:
        if "last_message_id" in c and c["id"] in last:
            c["last_message_id"] = str(last[c["id"]])
    for t in b.threads:
        cid = int(t["id"])
        st = b.thread_stats[cid]
        t["message_count"] = st[0] - (1 if t.get("_forum") else 0)
        t["total_message_sent"] = st[0]
        t["member_count"] = min(50, len(st) - 2)
        t["last_message_id"] = str(st[1]) if st[1] else None
        last_ms = ((max(st[1], cid) >> 22) + DISCORD_EPOCH_MS)
        archived = last_ms + t["thread_metadata"]["auto_archive_duration"] * 60_000 < w.now * 1000
        t["thread_metadata"]["archived"] = archived
        t["thread_metadata"]["archive_timestamp"] = iso_discord(
            last_ms + t["thread_metadata"]["auto_archive_duration"] * 60_000
            if archived
            else (int(t["id"]) >> 22) + DISCORD_EPOCH_MS
        )
        t.pop("_forum", None)
    b.messages.sort(key=lambda m: int(m["id"]))
    channels.extend(sorted(b.threads, key=lambda t: int(t["id"])))

    members = []
    for u in sorted(b.users, key=lambda u: u.id):
        mroles = []
        if u.person is not None and u.person.kind in (MAINTAINER, EMERITUS):
            mroles.append(str(role_ids["maintainer"]))
        elif u.person is not None and u.person.kind == CONTRIBUTOR:
            mroles.append(str(role_ids["contributor"]))
        if u.person is not None and u.person.lead:
            mroles.append(str(role_ids["moderator"]))
        members.append(
            {
                "avatar": None,
                "banner": None,
                "communication_disabled_until": None,
                "flags": 0,
                "joined_at": iso_discord(u.joined * 1000),
                "nick": None,
                "pending": False,
                "premium_since": None,
                "roles": mroles,
                "user": u.obj(),
                "mute": False,
                "deaf": False,
            }
        )
    guild = {
        "id": str(gid),
        "name": "vLLM",
        "icon": f"{rnd.getrandbits(128):032x}",
        "description": "The vLLM community: users, contributors and maintainers",
        "home_header": None,
        "splash": None,
        "discovery_splash": None,
        "features": ["COMMUNITY", "NEWS", "WELCOME_SCREEN_ENABLED"],
        "banner": None,
        "owner_id": str(owner_user.id),
        "application_id": None,
        "region": "us-west",
        "afk_channel_id": None,
        "afk_timeout": 300,
        "system_channel_id": str(general),
        "system_channel_flags": 0,
        "widget_enabled": False,
        "widget_channel_id": None,
        "verification_level": 1,
        "roles": roles,
        "default_message_notifications": 1,
        "mfa_level": 0,
        "explicit_content_filter": 2,
        "max_presences": None,
        "max_members": 500000,
        "max_stage_video_channel_users": 50,
        "max_video_channel_users": 25,
        "vanity_url_code": None,
        "premium_tier": 1,
        "premium_subscription_count": 4,
        "preferred_locale": "en-US",
        "rules_channel_id": str(ann),
        "safety_alerts_channel_id": None,
        "public_updates_channel_id": str(ann),
        "premium_progress_bar_enabled": False,
        "nsfw": False,
        "nsfw_level": 0,
        "emojis": [],
        "stickers": [],
        "incidents_data": None,
    }
    window = sum(1 for m in b.messages)
    return Chat(guild, channels, members, b.messages, dict(sorted(b.links.items(), key=lambda kv: int(kv[0]))),
                sig_channels, window)


def _thread(b: _ChatBuilder, parent: int, start: int, author: ChatUser, text: str, replies: list[tuple[ChatUser, str]],
            by_id: dict[int, dict[str, Any]], forum: bool = False, tags: list[dict[str, Any]] | None = None,
            sub: str | None = None) -> list[dict[str, Any]]:
    """A thread (type 11): from a message in a text channel, or a forum post (first message id == thread id)."""
    rnd = b.rnd
    tid = b.sf(start)
    title = text if not forum else b.fill(rnd.choice(FORUM_TITLES), sub, {})
    title = re.sub(r"\s+", " ", title)[:100]
    duration = rnd.choice((1440, 4320, 10080))
    thread = {"id": str(tid), "type": 11, "flags": 0, "guild_id": str(b.guild_id), "name": title,
              "parent_id": str(parent), "last_message_id": None, "rate_limit_per_user": 0, "owner_id": str(author.id),
              "thread_metadata": {"archived": False, "archive_timestamp": None, "auto_archive_duration": duration,
                                  "locked": False, "create_timestamp": iso_discord(start)},
              "message_count": 0, "member_count": 0, "total_message_sent": 0}
    if forum and tags:
        thread["applied_tags"] = [t["id"] for t in rnd.sample(tags, rnd.randint(0, 2))]
        thread["_forum"] = True
    b.threads.append(thread)
    b.thread_stats[tid] = [0, 0]
    out: list[dict[str, Any]] = []
    if forum:
        out.append(b.message(tid, author, text, start, msg_id=tid))
    else:
        starter = b.message(parent, author, text, start, msg_id=tid)
        out.append(starter)
    ms = start
    for who, t in replies:
        ms += delay(rnd, 5 * MINUTE, 1.1) * 1000 + rnd.randint(0, 999)
        if ms >= b.end_ms:
            break
        mentions = []
        if "{uid}" in t:
            other = b.pick_user((MAINTAINER,))
            t = t.replace("{uid}", str(other.id))
            mentions.append(other)
        out.append(
            b.message(tid, who, t, ms, rnd.choice(out[1:]) if len(out) > 1 and rnd.random() < 0.3 else None, mentions)
        )
    if not forum:
        st = b.thread_stats[tid]
        starter["thread"] = {k: v for k, v in thread.items() if k != "_forum"}
        starter["thread"]["message_count"] = st[0]
        starter["thread"]["total_message_sent"] = st[0]
        starter["thread"]["member_count"] = min(50, len(st) - 2)
        starter["thread"]["last_message_id"] = str(st[1]) if st[1] else None
    return out
