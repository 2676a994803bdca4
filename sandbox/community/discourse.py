"""The community's Discourse forum (like discuss.vllm.ai): General, Installation and Announcements, one
category per taxonomy subsystem (slug = its sig channel without `sig-`), users who are the same
people as elsewhere (some link their GitHub profile as their website), and a window of topics and
posts in Discourse's JSON shapes. Maintainers answer in their subsystems' categories."""

from __future__ import annotations

import html
import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sandbox.community.chat import FORUM_TITLES, HELP_A, HELP_ASKER, HELP_Q, SIG_A, SIG_Q
from sandbox.community.chat_people import FORUM_SHARE, ChatPlace, Member, members, place_slug
from sandbox.community.people import CONTRIBUTOR, MAINTAINER, NEWCOMER, USER
from sandbox.community.util import MINUTE, delay, poisson

if TYPE_CHECKING:
    from sandbox.community.world import World

BASE_URL = "https://discuss.vllm.ai"
FORUM_SHARE_OF_CHAT = 0.2        # forum posts per Discord message of the scale


@dataclass
class DiscourseData:
    site: dict[str, Any]
    categories: list[dict[str, Any]]
    users: list[dict[str, Any]]
    topics: list[dict[str, Any]]
    posts: list[dict[str, Any]]
    links: dict[str, str] = field(default_factory=dict)       # username -> login (a poster's profile names it)
    people: dict[str, str] = field(default_factory=dict)      # username -> login (everyone who is someone)
    categories_of: dict[str, str] = field(default_factory=dict)  # category slug -> subsystem


def iso_ms(t: float) -> str:
    ms = round(t * 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + f".{ms % 1000:03d}Z"


def slugify(title: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return s[:80].strip("-") or "topic"


def _avatar(username: str) -> str:
    return f"/user_avatar/discuss.vllm.ai/{username}/{{size}}/1_2.png"


def _category(cid: int, name: str, slug: str, description: str, position: int, color: str) -> dict[str, Any]:
    text = description
    return {
        "id": cid, "name": name, "color": color, "text_color": "FFFFFF", "style_type": "square", "emoji": None,
        "icon": None, "slug": slug, "topic_count": 0, "post_count": 0, "position": position,
        "description": f"<p>{html.escape(text)}</p>", "description_text": text, "description_excerpt": text,
        "topic_url": f"/t/about-the-{slug}-category/{cid}", "read_restricted": False, "permission": None,
        "notification_level": 1, "can_edit": False, "topic_template": None, "topic_title_placeholder": None,
        "has_children": False, "subcategory_count": None, "sort_order": None, "sort_ascending": None,
        "show_subcategory_list": False, "num_featured_topics": 3, "default_view": None,
        "subcategory_list_style": "rows_with_featured_topics", "default_top_period": "all",
        "default_list_filter": "all", "minimum_required_tags": 0, "navigate_to_first_post_after_read": False,
        "topics_day": 0, "topics_week": 0, "topics_month": 0, "topics_year": 0, "topics_all_time": 0,
        "subcategory_ids": [], "uploaded_logo": None, "uploaded_logo_dark": None, "uploaded_background": None,
        "uploaded_background_dark": None, "parent_category_id": None,
    }


class _Forum(ChatPlace):
    def __init__(self, w: World) -> None:
        super().__init__(w, "discourse")
        self.user_id: dict[str, int] = {}

    def say(self, text: str, sub: str | None, topic: dict[str, Any]) -> str:
        return self.text.fill(text, sub, topic).replace("cc <@{uid}>", "cc @" + self.pick((MAINTAINER,)).handle)

    def user_obj(self, m: Member, posts: int, topics: int, last_posted: str | None) -> dict[str, Any]:
        rnd = self.rnd
        uid = self.user_id[m.handle]
        p = m.person
        staff = p is not None and p.kind == MAINTAINER and p.lead
        website = f"https://github.com/{p.login}" if m.shows_github and p is not None else None
        bio = ""
        if p is not None and not m.shows_github and rnd.random() < 0.3:
            bio = rnd.choice(("Working on LLM inference.", "GPU enjoyer.", "Serving models at scale."))
        created = iso_ms(m.created)
        return {
            "id": uid,
            "username": m.handle,
            "name": m.real_name,
            "avatar_template": _avatar(m.handle),
            "last_posted_at": last_posted,
            "last_seen_at": last_posted,
            "created_at": created,
            "ignored": False,
            "muted": False,
            "can_ignore_user": False,
            "can_mute_user": False,
            "can_send_private_messages": False,
            "can_send_private_message_to_user": False,
            "trust_level": 3 if p is not None and p.kind == MAINTAINER else 1,
            "moderator": staff,
            "admin": False,
            "title": None,
            "badge_count": rnd.randint(0, 12),
            "custom_fields": {},
            "time_read": rnd.randint(600, 90_000),
            "recent_time_read": rnd.randint(0, 6000),
            "primary_group_id": None,
            "primary_group_name": None,
            "flair_group_id": None,
            "flair_name": None,
            "flair_url": None,
            "flair_bg_color": None,
            "flair_color": None,
            "featured_topic": None,
            "staged": False,
            "can_edit": False,
            "can_edit_username": False,
            "can_edit_email": False,
            "can_edit_name": False,
            "uploaded_avatar_id": None,
            "has_title_badges": False,
            "pending_count": 0,
            "profile_view_count": 0,
            "second_factor_enabled": False,
            "can_upload_profile_header": False,
            "can_upload_user_card_background": False,
            "post_count": posts,
            "topic_count": topics,
            "can_be_deleted": False,
            "can_delete_all_posts": False,
            "locale": None,
            "muted_category_ids": [],
            "regular_category_ids": [],
            "watched_tags": [],
            "watching_first_post_tags": [],
            "tracked_tags": [],
            "muted_tags": [],
            "tracked_category_ids": [],
            "watched_category_ids": [],
            "watched_first_post_category_ids": [],
            "system_avatar_upload_id": None,
            "system_avatar_template": _avatar(m.handle),
            "muted_usernames": [],
            "ignored_usernames": [],
            "allowed_pm_usernames": [],
            "mailing_list_posts_per_day": 0,
            "can_change_bio": False,
            "can_change_location": False,
            "can_change_website": False,
            "can_change_tracking_preferences": False,
            "user_api_keys": None,
            "user_auth_tokens": [],
            "user_notification_schedule": None,
            "use_logo_small_as_avatar": False,
            "featured_user_badge_ids": [],
            "invited_by": None,
            "groups": [],
            "group_users": [],
            "user_option": None,
            "website": website,
            "website_name": website.removeprefix("https://") if website else None,
            "bio_raw": bio,
            "bio_cooked": f"<p>{html.escape(bio)}</p>" if bio else None,
            "location": None,
        }

    def post(self, pid: int, topic: dict[str, Any], number: int, author: Member, text: str, t: float,
             reply_to: int | None) -> dict[str, Any]:
        rnd = self.rnd
        p = author.person
        staff = p is not None and p.kind == MAINTAINER and p.lead
        created = iso_ms(t)
        return {
            "id": pid, "name": author.real_name, "username": author.handle, "avatar_template": _avatar(author.handle),
            "created_at": created, "cooked": f"<p>{html.escape(text)}</p>", "post_number": number, "post_type": 1,
            "updated_at": created, "reply_count": 0, "reply_to_post_number": reply_to, "quote_count": 0,
            "incoming_link_count": 0, "reads": rnd.randint(1, 60), "readers_count": rnd.randint(0, 40),
            "score": round(rnd.random() * 20, 1), "yours": False, "topic_id": topic["id"], "topic_slug": topic["slug"],
            "display_username": author.real_name, "primary_group_name": None, "flair_name": None, "flair_url": None,
            "flair_bg_color": None, "flair_color": None, "version": 1, "can_edit": False, "can_delete": False,
            "can_recover": False, "can_wiki": False, "link_counts": [], "read": True, "user_title": None,
            "bookmarked": False, "actions_summary": [], "moderator": staff, "admin": False, "staff": staff,
            "user_id": self.user_id[author.handle], "hidden": False,
            "trust_level": 3 if p is not None and p.kind == MAINTAINER else 1, "deleted_at": None,
            "user_deleted": False, "edit_reason": None, "can_view_edit_history": True, "wiki": False,
            "reviewable_id": None, "reviewable_score_count": 0, "reviewable_score_pending_count": 0,
            "post_url": f"/t/{topic['slug']}/{topic['id']}/{number}",
        }


def simulate_discourse(w: World) -> DiscourseData:
    """The Discourse part of the dataset (deterministic for the world's seed; its own random stream)."""
    f = _Forum(w)
    rnd = f.rnd
    f.members = members(w, rnd, FORUM_SHARE, 0.5, w.scale.chat_only, lambda i: str(i))
    for m in f.members:
        if m.person is not None:
            f.by_person[m.person.idx] = m
    # user ids in order of account creation (as Discourse assigns them); 1 is `system`
    for uid, m in enumerate(sorted(f.members, key=lambda x: (x.created, x.handle)), start=2):
        f.user_id[m.handle] = uid

    categories = [_category(1, "Uncategorized", "uncategorized", "Topics that need no category", 0, "0088CC"),
                  _category(4, "General", "general", "Anything about vLLM", 1, "25AAE2"),
                  _category(5, "Installation", "installation", "Installing and deploying vLLM", 2, "F7941D"),
                  _category(6, "Announcements", "announcements", "Releases and events", 3, "BF1E2E")]
    categories_of: dict[str, str] = {}
    sub_cat: dict[str, int] = {}
    next_id = 7
    for spec in w.tax.subsystems:
        if not spec.channels:
            continue
        slug = place_slug(spec.channels[0])
        if slug in categories_of or slug in ("general", "installation", "announcements", "uncategorized"):
            continue
        cat_obj = _category(next_id, spec.name.replace("-", " ").title(), slug, spec.description or spec.name,
                            len(categories), f"{rnd.getrandbits(24):06X}")
        categories.append(cat_obj)
        categories_of[slug] = spec.name
        if spec.name in w.active:
            sub_cat[spec.name] = next_id
        next_id += 1

    # ---- conversations: (category id, [(author, text, t, reply_to)])
    threads: list[tuple[int, str, list[tuple[Member, str, float, int | None]]]] = []
    total = round(w.scale.chat_per_day * w.scale.days * FORUM_SHARE_OF_CHAT)
    span = f.end - f.start
    produced = 0
    while produced < total:
        t0 = f.start + rnd.randint(0, max(1, span - 3600)) + rnd.random()
        topic: dict[str, Any] = {}
        sub = w.sub_picker.pick(rnd)
        x = rnd.random()
        cat = sub_cat.get(sub, 4) if x < 0.6 else (5 if x < 0.8 else 4)
        asker = f.pick((USER, NEWCOMER, CONTRIBUTOR))
        opener = f.say(rnd.choice(HELP_Q if x >= 0.3 else SIG_Q), sub, topic)
        title = re.sub(r"\s+", " ", f.say(rnd.choice(FORUM_TITLES), sub, {})).strip()[:120]
        posts: list[tuple[Member, str, float, int | None]] = [(asker, opener, t0, None)]
        t = t0
        for _ in range(min(poisson(rnd, 2.6), 12)):
            t += delay(rnd, 40 * MINUTE, 1.2) + rnd.random()
            if t >= f.end:
                break
            if rnd.random() < 0.3:
                posts.append((asker, f.say(rnd.choice(HELP_ASKER), sub, topic), t, 2 if len(posts) > 1 else None))
            else:
                helper = (f.owner(sub) if cat == sub_cat.get(sub) and rnd.random() < 0.6 else None) or \
                    f.pick((CONTRIBUTOR, MAINTAINER, USER), sub)
                posts.append((helper, f.say(rnd.choice(HELP_A if cat != sub_cat.get(sub) else SIG_A), sub, topic), t,
                              None if rnd.random() < 0.7 else 1))
        threads.append((cat, title, posts))
        produced += len(posts)
    announcer = next((f.by_person[m.idx] for m in w.leads if m.idx in f.by_person), f.members[0])
    for k in range(max(1, w.scale.days // 7)):
        t0 = f.start + (k + 0.5) * span / max(1, w.scale.days // 7)
        threads.append((6, f"vLLM office hours, week {k + 1}",
                        [(announcer, "Office hours this Thursday: bring your questions!", t0, None)]))

    # ---- ids in order of creation
    threads.sort(key=lambda th: th[2][0][2])
    topics: list[dict[str, Any]] = []
    all_posts: list[tuple[float, dict[str, Any], Member, str, int, int | None]] = []
    slugs: dict[str, int] = {}
    for tid, (cat, title, posts) in enumerate(threads, start=101):
        base = slugify(title)
        slugs[base] = slugs.get(base, 0) + 1
        slug = base if slugs[base] == 1 else f"{base}-{slugs[base]}"
        topic_obj: dict[str, Any] = {"id": tid, "slug": slug, "category_id": cat, "title": title}
        topics.append(topic_obj)
        for n, (who, text, t, reply_to) in enumerate(posts, start=1):
            all_posts.append((t, topic_obj, who, text, n, reply_to))
    all_posts.sort(key=lambda x: (x[0], x[1]["id"], x[4]))
    post_objs: list[dict[str, Any]] = []
    by_topic: dict[int, list[dict[str, Any]]] = {}
    for pid, (t, topic_obj, who, text, n, reply_to) in enumerate(all_posts, start=1001):
        p = f.post(pid, topic_obj, n, who, text, t, reply_to)
        post_objs.append(p)
        by_topic.setdefault(topic_obj["id"], []).append(p)
    for p in post_objs:
        if p["reply_to_post_number"]:
            target = by_topic[p["topic_id"]][p["reply_to_post_number"] - 1]
            target["reply_count"] += 1
    out_topics = []
    cat_counts: dict[int, list[int]] = {}
    for topic_obj in topics:
        ps = by_topic[topic_obj["id"]]
        first, last = ps[0], ps[-1]
        posters_ids = list(dict.fromkeys(p["user_id"] for p in ps))
        posters = [{"extras": ("latest single" if len(posters_ids) == 1 else None) if i == 0 else
                    ("latest" if uid == last["user_id"] else None),
                    "description": "Original Poster" if i == 0 else "Frequent Poster", "user_id": uid,
                    "primary_group_id": None, "flair_group_id": None} for i, uid in enumerate(posters_ids[:5])]
        excerpt = re.sub(r"<[^>]+>", "", first["cooked"])[:200]
        out_topics.append(
            {
                "id": topic_obj["id"],
                "title": topic_obj["title"],
                "fancy_title": html.escape(topic_obj["title"]),
                "slug": topic_obj["slug"],
                "posts_count": len(ps),
                "reply_count": sum(1 for p in ps if p["reply_to_post_number"]),
                "highest_post_number": len(ps),
                "image_url": None,
                "created_at": first["created_at"],
                "last_posted_at": last["created_at"],
                "bumped": True,
                "bumped_at": last["created_at"],
                "archetype": "regular",
                "unseen": False,
                "pinned": False,
                "unpinned": None,
                "excerpt": html.unescape(excerpt),
                "visible": True,
                "closed": False,
                "archived": False,
                "bookmarked": None,
                "liked": None,
                "tags": [],
                "tags_descriptions": {},
                "views": rnd.randint(len(ps) * 5, len(ps) * 60),
                "like_count": rnd.randint(0, len(ps) * 2),
                "has_summary": False,
                "last_poster_username": last["username"],
                "category_id": topic_obj["category_id"],
                "pinned_globally": False,
                "featured_link": None,
                "has_accepted_answer": False,
                "posters": posters,
            }
        )
        cc = cat_counts.setdefault(topic_obj["category_id"], [0, 0])
        cc[0] += 1
        cc[1] += len(ps)
    for c in categories:
        n_topics, n_posts = cat_counts.get(c["id"], [0, 0])
        c["topic_count"], c["post_count"] = n_topics, n_posts
        c["topics_week"] = c["topics_month"] = c["topics_year"] = c["topics_all_time"] = n_topics
    stats: dict[str, list[Any]] = {}
    for p in post_objs:
        st = stats.setdefault(p["username"], [0, 0, None])
        st[0] += 1
        st[1] += p["post_number"] == 1
        st[2] = p["created_at"] if st[2] is None or p["created_at"] > st[2] else st[2]
    users = [
        f.user_obj(m, *stats.get(m.handle, [0, 0, None])) for m in sorted(f.members, key=lambda x: f.user_id[x.handle])
    ]
    # links a collection can find: the profiles of people who posted (a reader of topics meets only them)
    links = {m.handle: m.person.login for m in f.members if m.person is not None and m.shows_github
             and m.handle in stats}
    people = {m.handle: m.person.login for m in f.members if m.person is not None}
    site = {"base_url": BASE_URL, "title": "vLLM Forums"}
    out_topics.sort(key=lambda tp: (tp["bumped_at"], tp["id"]), reverse=True)
    return DiscourseData(site, categories, users, out_topics, post_objs, dict(sorted(links.items())),
                         dict(sorted(people.items())), categories_of)
