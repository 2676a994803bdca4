"""Claims, blockers and maintainer acknowledgements read from an issue's thread and events.

Rules, not a model: each phrase family is a regular expression over one comment at a time
(quoted lines and code are removed first, so a quoted "I'll take this" does not count twice),
applied in thread order so that a later retraction or unblocking undoes an earlier claim or block.

- claimed: the issue has assignees, an `assigned` event not undone, an OPEN pull request that
  references it, or someone said they are taking it ("I'd like to work on this", "can I take
  this?", "/assign", "I'll open a PR", ...) and did not take it back ("I'm not working on this
  anymore", "feel free to take over", `unassigned`). Questions about others ("is anyone working on
  this?") are not claims.
- blocked: "blocked by #N", "depends on #N", "waiting for <release/upstream/#N/review>", "on hold",
  a clash with the V1 rewrite, a needed vendor review (AMD, NVIDIA, Intel, ...); undone by
  "unblocked", "no longer blocked", "#N is merged now".
- acknowledged: "PRs welcome", "feel free to open a PR", "go ahead", "help wanted"... counts only
  from a maintainer (members/owners/collaborators, declared owners, people who merge or approve
  in the repo: `ownership.maintainer_set`); others' words are kept as evidence only.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from classifiers import features as fx
from rules.github import closed_numbers, issue_refs
from storage.history import RepoData
from storage.records import CommentRec, EventRec

_I = r"(?:i)"  # claims are personal: "we'll handle this internally" is not someone taking the issue
_A = r"(?:'|’)"  # either apostrophe
_IT = (r"(?:this(?: one| issue| task| feature| bug| ticket)?(?: up)?|it(?: up)?|that(?: one)?"
       r"|the (?:issue|task|fix|feature|implementation|bug))")
# Verbs that take the issue as their object: "take this", "work on it", "pick this up".
_DO = (
    r"(?:(?:try to |start (?:on|to) )?(?:work(?:ing)? on|take|taking|tackle|tackling|pick(?:ing)?(?: up)?"
    r"|handle|handling"
    r"|grab|own|fix|fixing|implement|implementing|address|addressing|look(?:ing)? into|give|giving|try|trying"
    r"|help with|contribute to|do))"
)
_DO_IT = rf"{_DO} {_IT}(?! (?:is|was|does|should|would|might|seems?)\b)"
_PR = r"(?:an? |the |my )?(?:pr|pull request|patch|fix|draft)"
_SENT = r"(?:^|[.!?:;,]\s*|\n)\s*"  # the start of a sentence or clause

CLAIM = re.compile(
    "|".join(
        [
            rf"\b{_I}{_A}?d (?:like|love|be happy|be glad|want) to {_DO_IT}",
            rf"\b{_I} would (?:like|love|be happy|be glad) to {_DO_IT}",
            rf"\b{_I}{_A}?m (?:happy|glad|interested|keen|willing|excited) (?:to|in) {_DO_IT}",
            rf"{_SENT}(?:happy|glad|keen) to {_DO_IT}",
            rf"\b{_I} (?:want|plan|intend|am planning|am going|{_A}m going|{_A}m planning) to {_DO_IT}",
            rf"\b{_I}{_A}?ll {_DO_IT}",
            rf"\b{_I} will {_DO_IT}",
            rf"\b{_I} can {_DO_IT}",
            rf"\blet me {_DO_IT}",
            rf"\b(?:mind|ok|okay|alright|fine) if i {_DO_IT}",
            rf"\b{_I}{_A}?m (?:currently |already |now |actively )?"
            rf"(?:working on|taking|looking into|fixing|implementing|on) {_IT}",
            rf"\b{_I} am (?:currently |already |now |actively )?"
            rf"(?:working on|taking|looking into|fixing|implementing|on) {_IT}",
            rf"{_SENT}(?:working on|taking|picking(?: up)?|grabbing|claiming|tackling) {_IT}",
            rf"\b(?:can|could|may|shall) {_I} (?:please )?(?:also )?{_DO_IT}",
            rf"\b(?:can|could|may) {_I} (?:please )?(?:be assigned|get assigned|have) (?:to )?{_IT}",
            r"\b(?:please )?assign (?:this |it |the issue )?(?:one )?to me\b",
            r"\bassign me\b",
            rf"\b(?:i{_A}?d|i would) like to be assigned\b",
            r"(?:^|\s)/(?:assign|take|claim)\b",
            rf"\b(?:{_I}{_A}?ll|{_I} will|will) (?:open|raise|create|submit|send|put up|file|make|link) {_PR}",
            rf"\b{_I}{_A}?m (?:going to |about to )?(?:open|raise|create|submit|send|put up|make)(?:ing)? {_PR}",
            r"\bi (?:already )?have (?:a|the) (?:fix|patch|draft|branch|prototype)\b",
            rf"\b{_I}{_A}?(?:ve| have) (?:started|begun) (?:working on|on|to work on|looking into|to look into) {_IT}",
            rf"\b(?:i{_A}?m|i am) (?:already )?working on (?:an? |the )?(?:fix|pr|patch|pull request|implementation)\b",
            rf"\b(?:i{_A}?d|i would) (?:love|like) to contribute\b",
            rf"\b(?:i{_A}?ll|i will|let me) (?:give it a go|have a go|take a stab|take a crack|take a look and fix)\b",
            r"\btake a (?:stab|crack|shot) at\b",
            r"^\s*on it[.!]?\s*$",
            rf"\b(?:i{_A}?ll|i will|i can|let me|i{_A}?m going to) (?:do (?:the |some |an? )?)?investigat(?:e|ion)\b",
            rf"\blet me (?:file|open|submit|send|create|raise|put up|make) {_PR}",
            rf"\bi{_A}?ll take (?:care of )?(?:it|this)\b",
            r"\bclaim(?:ing)? (?:this|it)\b",
            r"\bpr incoming\b",
            r"\bstarting on (?:it|this)\b",
        ]
    ),
    re.I | re.M,
)

# A comment that points at a pull request as the fix ("I created PR #12 with the patch", "see <PR> for
# a solution", "addressed by #12", "we've just merged #12, which adds ...").
_PULL = r"(?:(?:pr |pull request )?#\d+|https?://github\.com/\S+/pull/\d+)"
PR_POINTER = re.compile(
    "|".join(
        [
            rf"\b(?:created|opened|submitted|filed|sent|put up|raised|made|added) (?:a |the |my |an? )?"
            rf"(?:draft )?(?:pr|pull request) {_PULL}",
            rf"\b(?:created|opened|submitted|filed|sent|put up|raised|made|added) {_PULL}",
            rf"\b(?:addressed|fixed|resolved|solved|handled|implemented|supported|covered) (?:by|in|via|with) {_PULL}",
            rf"\b(?:just |have |has |we{_A}?ve )?merged {_PULL}",
            rf"\bsee {_PULL} for (?:a|the) (?:fix|solution|patch|implementation)\b",
            rf"\b{_PULL} (?:fixes|resolves|addresses|implements|adds|should fix|will fix|should resolve)\b",
            rf"\b(?:review|take a look at|look at) (?:my |the |this )?(?:pr|pull request|fix|patch)?"
            rf"\s*(?:here:?\s*)?{_PULL}",
        ]
    ),
    re.I,
)

# An issue's own description that says its author (or their team) is doing the work: RFCs and
# feature proposals ("we are working on ...", "we have started refactoring ...", "we will start by ...").
BODY_CLAIM = re.compile("|".join([
    r"\bwe(?:'|’)?(?:re| are) (?:currently |already |actively |now )?(?:working on|making|implementing|building|"
    r"refactoring|developing|prototyping|adding)\b",
    r"\bwe (?:have|(?:'|’)ve) (?:started|begun|already started) (?:working|refactoring|implementing|building|on|to)\b",
    r"\bwe will (?:start|implement|contribute|add|submit|open|upstream|send)\b",
    r"\b(?:we|i) (?:plan|intend) to (?:implement|contribute|submit|upstream|open|send|work on|add)\b",
    r"\bi(?:'|’)?(?:m| am) (?:currently |already )?(?:working on|implementing|prototyping)\b",
    r"\b(?:i|we) (?:have|(?:'|’)ve) (?:a|an) (?:working )?(?:prototype|draft|implementation|poc)\b",
]), re.I)
_PROPOSAL_KINDS = frozenset({"rfc", "feature"})  # not roadmaps: they list work for others too

# Claims in other languages vLLM contributors often write in (Chinese first; Japanese, Korean,
# Spanish, Portuguese, German, French): first-person "I'll take/fix/do this", "assign it to me".
CLAIM_INTL = re.compile(
    "|".join(
        [
            r"我来(?:修|做|处理|搞|改|实现|提|负责|弄|写|解决)",
            r"我想(?:认领|领取|做|修|试试|尝试|处理|实现|负责|解决)",
            r"(?:分配|指派|assign)给我",
            r"我(?:可以|能|愿意)(?:做|修|处理|实现|负责|解决|来)",
            r"我(?:正在|在)(?:修|做|写|处理|实现|解决)",
            r"交给我",
            r"认领",
            r"私が(?:やります|対応します|担当します)",
            r"(?:担当|対応)します",
            r"제가 (?:하겠습니다|작업하겠습니다|맡겠습니다|해볼게요)",
            r"\b(?:me gustar[ií]a|puedo|quiero) (?:trabajar|encargarme) (?:en|de) (?:esto|este)",
            r"\bas[ií]gna(?:me|melo)\b",
            r"\b(?:eu )?(?:posso|gostaria de|quero) (?:trabalhar|cuidar) (?:nisso|disso|nesta|neste)",
            r"\bich (?:übernehme|kümmere mich|würde gerne daran arbeiten|arbeite daran)",
            r"\bje (?:m'en occupe|peux m'en occuper|vais m'en occuper|travaille dessus)",
        ]
    ),
    re.I,
)
NOT_CLAIM_INTL = re.compile(r"有人在(?:做|处理|修)|谁在(?:做|处理)|还有人|不做了|放弃|没(?:有)?时间|取消认领", re.I)

NOT_CLAIM = re.compile(
    "|".join(
        [
            r"\b(?:is|are) (?:any|some)(?:one|body) (?:already |still |currently )?(?:working|looking) on\b",
            r"\bis (?:this|it|anyone|someone) (?:still )?(?:being )?(?:worked on|taken|available|assigned)\b",
            r"\bare you (?:still )?working on\b",
            r"\bwho is working on\b",
            r"\banyone (?:wants?|willing) to\b",
            rf"\b(?:i{_A}?m|i am) not (?:going to |planning to |currently )?(?:be )?"
            rf"(?:work(?:ing)? on|tak(?:e|ing)|look(?:ing)? into)\b",
            r"\bno longer (?:work(?:ing)? on|plan(?:ning)? to|interested|able)\b",
            rf"\bwon{_A}?t (?:be able to )?(?:work on|take|continue|finish|get to)\b",
            rf"\b(?:can{_A}?t|cannot|unable to) (?:work on|take|continue|finish|get to)\b",
            rf"\bdon{_A}?t have (?:the )?(?:time|bandwidth|capacity)\b",
            r"\b(?:would|if) (?:any|some)one (?:like|wants?|be willing) to\b",
            rf"\bif you{_A}?d like to\b",
        ]
    ),
    re.I,
)

RELEASE = re.compile("|".join([
    r"\bno longer (?:work(?:ing)? on|able to work on)\b",
    rf"\b(?:i{_A}?m|i am) not (?:work(?:ing)? on (?:this|it) (?:any ?more|now))\b",
    r"\bnot working on (?:this|it) any ?more\b", r"\b(?:un-?assign|unassigning) (?:me|myself)\b",
    r"\bun-?claim(?:ing|ed)?\b", r"\bstep(?:ping)? back from (?:this|it)\b", r"\b(?:it{_A}?s|is) free for anyone\b",
    r"\b(?:free|anyone|someone else) (?:is welcome )?to (?:take|pick) (?:it|this) (?:over|up)\b",
    r"\bfeel free to take (?:it|this)(?: over)?\b", r"\bgiving (?:this|it) up\b", r"\bdropping (?:this|it)\b",
    rf"\bwon{_A}?t (?:be able to (?:work on|finish|continue)|have (?:the )?(?:time|bandwidth))\b",
    rf"\bcan{_A}?t (?:continue|finish) (?:this|it)\b",
    r"不做了|放弃了|取消认领|没(?:有)?时间做",
]), re.I)

_REF = r"(?:(?:[\w.-]+/[\w.-]+)?#\d+|https?://github\.com/\S+/(?:pull|issues)/\d+)"
_VENDOR = (r"(?:amd|nvidia|intel|google|huawei|ascend|aws|neuron|gaudi|habana|ibm|the vendor"
           r"|the hardware (?:team|vendor))")
_THING = r"(?:upstream|pr|pull request|fix|merge|release|landing|rewrite|refactor|rfc|v1|new|next|pending|open)"
BLOCK = re.compile(
    "|".join(
        [
            r"\bblocked (?:by|on|until)\b",
            r"\bblock(?:ing|er)?(?: is| are)?:? " + _REF,
            r"\bthis is blocked\b",
            r"\bis a blocker\b(?! for)",
            r"\bwill be unblocked (?:by|once|when|after)\b",
            rf"\b(?:depends|depending|dependent|relies|relying) on (?:{_REF}|(?:the |an? )?{_THING}\b)",
            rf"\bwait(?:ing)? (?:for|on|until) (?:\S+ ){{0,6}}?{_REF}",
            rf"\bwait(?:ing)? (?:for|on) (?:the |an? )?"
            rf"(?:{_THING}|review|approval|sign-?off|response|decision|{_VENDOR})\b",
            rf"\bwait(?:ing)? (?:for|on) (?:the )?{_VENDOR}\b",
            rf"\b(?:needs?|requires?|pending) (?:{_REF}|(?:a |an )?"
            rf"(?:review|sign-?off|approval|input|confirmation) (?:from|by) (?:the )?{_VENDOR})",
            rf"\bneeds? (?:the )?{_VENDOR}(?:{_A}s)? (?:folks(?:{_A})? |team(?:{_A}s)? )?"
            rf"(?:review|sign-?off|approval|input)\b",
            rf"\b(?:after|once|until|till|before) (?:\S+ ){{0,4}}?{_REF} "
            rf"(?:is |gets |has been |lands|is merged|merges|is in)",
            r"\b(?:on hold|parked until|parking (?:this|it) until|cannot proceed until"
            r"|hold(?:ing)? off (?:until|till|pending|for now))\b",
            rf"\bcan{_A}?t (?:proceed|do (?:this|it)|move forward|start) (?:until|before)\b",
            r"\bneeds? to wait (?:for|until)\b",
            r"\bplease (?:wait|hold off)\b",
            rf"\blet{_A}?s not touch (?:it|this)\b",
            rf"\bdon{_A}?t start (?:before|until)\b",
            r"\b(?:conflicts?|clash(?:es)?|collides?|overlaps?) with (?:the )?(?:\w+ ){0,2}v1\b",
            r"\bv1 (?:rewrite|re-architecture|refactor|migration) (?:first|lands|is done|to land|settles)\b",
            r"\b(?:superseded|obsoleted|made obsolete) by (?:the )?v1\b",
            r"\bonce (?:the |our )?(?:\w+ ){0,3}(?:features?|framework|infrastructure|refactor(?:ing)?|rewrite|"
            r"redesign|foundation|interfaces?|abstractions?|apis?|support|groundwork|work) "
            r"(?:is|are|has been|have been) (?:in place|ready|done|landed|finished|complete|merged|stable)\b",
            r"\b(?:refactor|rewrite|redesign|rework|restructure|clean up) (?:the |our )?(?:\w+ ){0,4}first\b",
            r"\buntil further notice\b",
            r"\b(?:decided|decide|deciding) to (?:reconsider|pause|postpone|shelve|defer|put (?:this|it) on hold)\b",
            r"\b(?:postponed|deferred|shelved|paused) (?:until|for now|indefinitely)\b",
        ]
    ),
    re.I,
)

# Sentences that mention a block without asserting one now.
NOT_BLOCK = re.compile("|".join([
    r"\b(?:was|were) blocked\b[^.]*\bbut\b",
    rf"\b(?:don{_A}?t|doesn{_A}?t|does not|do not) (?:think (?:this|it) )?(?:depends?|relies?) on\b",
    r"\bnot blocked\b", r"\bnothing (?:is )?block", r"\bblocks nothing\b",
    # what happens without waiting is a description (of a client, a benchmark), not a wait
    r"\bwithout (?:having to )?wait(?:ing)?\b",
    rf"\b(?:no need|(?:don{_A}?t|doesn{_A}?t|do not|does not) need) to wait\b",
]), re.I)

UNBLOCK = re.compile(
    "|".join(
        [
            r"(?<!will be )(?<!be )\bun-?blocked\b",
            r"\bno longer blocked\b",
            r"\bis not blocked\b",
            r"\bblocker (?:is |has been |was )?(?:resolved|merged|fixed|gone|removed)\b",
            rf"(?<![\w#])(?<!until )(?<!after )(?<!once )(?<!when )(?<!before ){_REF} "
            rf"(?:is|has been|was|got) (?:now )?(?:merged|in main|landed)\b",
            rf"(?<![\w#])(?<!until )(?<!after )(?<!once )(?<!when )(?<!before ){_REF} "
            rf"(?:has|have) (?:landed|been merged)\b",
            r"\bnow that (?:\S+ )?(?:is|has been|was) (?:merged|landed|released)\b",
            r"\bthe dependency (?:is|has been|was) (?:merged|resolved|released)\b",
            r"\bit{_A}?s merged\b",
        ]
    ),
    re.I,
)
_CONDITIONAL = re.compile(r"\b(?:until|till|once|after|before|when|wait(?:ing)?|pending)\b", re.I)

ACK = re.compile(
    "|".join(
        [
            r"\b(?:prs?|pull requests?|contributions?|patch(?:es)?) (?:are |is )?"
            r"(?:very |always |more than )?welcome\b",
            rf"\b(?:feel free|you{_A}?re welcome|you are welcome|happy|anyone is welcome) to "
            rf"(?:open|submit|send|make|create|raise|put up|take|work on|pick|contribute|give it)\b",
            r"\b(?:go ahead|go for it|all yours)\b",
            r"\bhelp wanted\b",
            r"\bgood first issue\b",
            r"\b(?:nice|good|great) (?:first (?:contribution|issue|pr)|starter (?:task|issue))\b",
            r"\bany (?:help|contribution)s? (?:on|with|for) (?:this|it) (?:would be|is) "
            r"(?:welcome|appreciated|great)\b",
            r"\b(?:a )?(?:pr|pull request|contribution|fix) (?:would be|is) (?:very )?(?:appreciated|welcome|great)\b",
            r"\bwould (?:you|anyone) (?:like|want|be willing) to (?:open|submit|send|contribute|make|create) "
            r"(?:a )?(?:pr|pull request|fix)\b",
            rf"\b(?:we{_A}?d|we would|i{_A}?d|i would) (?:welcome|accept|love|be happy to review|happily review) "
            rf"(?:a )?(?:pr|pull request|contribution|fix)\b",
            r"\bhappy to (?:review|accept) (?:a |your )?(?:pr|pull request|fix)\b",
            r"\bif (?:any|some)one wants to (?:pick|take|work on|tackle)\b",
            r"\banyone is welcome to\b",
            r"\b(?:assigned|assigning) (?:it |this )?to you\b",
            r"\bsounds good,? (?:please )?(?:go ahead|send|open|submit)\b",
            r"\bthanks for (?:picking|taking) (?:this|it) (?:up|on)\b",
            r"^\s*assigned[.!]",
            r"\blooking forward to (?:the|your) pr\b",
        ]
    ),
    re.I | re.M,
)

NOT_ACK = re.compile(rf"\b(?:don{_A}?t|do not|please don{_A}?t|not ready to) (?:go ahead|open a pr|send a pr)\b"
                     r"|\bnot (?:a )?(?:good|nice|great) (?:first issue|first contribution|starter)\b"
                     r"|\bpr(?:s)? (?:are |is )?not welcome\b", re.I)

# Someone else says who took it: "@ana is working on this", "assigning to @ana".
CLAIM_FOR = re.compile(
    r"@([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))(?:'s| is| has)? "
    r"(?:(?:already |now )?working on (?:this|it)|has a fix|taking (?:this|it))"
    r"|\bassign(?:ing|ed)? (?:this |it )?to @([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))",
    re.I,
)

_QUOTE = re.compile(r"^\s*>.*$", re.M)
_FENCE = re.compile(r"```.*?(?:```|$)", re.S)
_CODE_SPAN = re.compile(r"`[^`\n]*`")
_MENTION_ALL = re.compile(r"@(everyone|here)\b", re.I)


def speech(body: str) -> str:
    """A comment's own words: no quoted lines, code blocks or inline code."""
    text = body or ""
    if "```" in text:
        text = _FENCE.sub(" ", text)
    if ">" in text:
        text = _QUOTE.sub(" ", text)
    if "`" in text:
        text = _CODE_SPAN.sub(" ", text)
    return text


def _quote(text: str, m: re.Match[str] | None, width: int = 160) -> str:
    """A short, mention-safe excerpt around a match."""
    flat = re.sub(r"\s+", " ", text).strip()
    if m is not None:
        start = max(0, flat.lower().find(m.group(0).lower().strip()[:20]) - 40)
        flat = flat[start:]
    flat = _MENTION_ALL.sub(lambda x: "@\u200b" + x.group(1), flat)
    return flat[:width] + ("…" if len(flat) > width else "")


# Cheap necessary conditions, checked before the big alternations (a year of vLLM threads is
# ~300k comments): every alternative of CLAIM contains a match of CLAIM_CUE, every alternative of
# ACK / BLOCK / UNBLOCK one of the cue substrings (tests check the phrase tables through both).
CLAIM_CUE = re.compile(
    r"\b(?:i(?:'|’)?(?:d|ll|m|ve)|i (?:would|will|can|am|have|want|plan|intend|already)|let me|if i|can i|could i"
    r"|may i|shall i|assign|/(?:assign|take|claim)|claim|on it|starting on|working on|taking|picking|grabbing"
    r"|tackling|happy to|glad to|keen to|excited|pr incoming|stab|crack|shot at"
    r"|will (?:open|raise|create|submit|send|put up|file|make|link))",
    re.I,
)
ACK_CUES = ("welcome", "feel free", "happy to", "go ahead", "go for it", "all yours", "help wanted", "first", "starter",
            "appreciated", "great", "would you", "would anyone", "accept", "love", "review", "wants to", "to you",
            "sounds good", "thanks for", "assigned", "looking forward")
BLOCK_CUES = ("block", "depend", "relies", "relying", "wait", "need", "require", "pending", "until", "till", "after",
              "once", "before", "hold", "park", "proceed", "touch", "start", "conflict", "clash", "collide", "overlap",
              "v1", "supersed", "obsolet", "first", "decid", "postpone", "defer", "shelve", "pause")
UNBLOCK_CUES = ("block", "merged", "landed", "in main", "released", "dependency")


def _claim_match(t: str) -> re.Match[str] | None:
    if not t.isascii():
        m = CLAIM_INTL.search(t)
        if m and not NOT_CLAIM_INTL.search(t):
            return m
    if not CLAIM_CUE.search(t):
        return None
    m = CLAIM.search(t)
    return m if m and not NOT_CLAIM.search(t) and not RELEASE.search(t) else None


def _ack_match(t: str, low: str) -> re.Match[str] | None:
    if not any(c in low for c in ACK_CUES):
        return None
    m = ACK.search(t)
    return m if m and not NOT_ACK.search(t) else None


def _block_match(t: str, low: str) -> re.Match[str] | None:
    if not any(c in low for c in BLOCK_CUES):
        return None
    m = BLOCK.search(t)
    return m if m and not _unblock_match(t, low) and not NOT_BLOCK.search(t) else None


def _unblock_match(t: str, low: str | None = None) -> re.Match[str] | None:
    """An unblocking statement, unless its clause is conditional ("can't proceed until #5 is merged")."""
    low = t.lower() if low is None else low
    if not any(c in low for c in UNBLOCK_CUES):
        return None
    for m in UNBLOCK.finditer(t):
        clause_start = max(t.rfind(ch, 0, m.start()) for ch in ".!?;\n") + 1
        explicit = re.search(r"block", m.group(0), re.I)
        if explicit or not _CONDITIONAL.search(t[clause_start:m.start()]):
            return m
    return None


def blocker_names(text: str) -> list[str]:
    """What blocks: referenced issues/PRs, 'V1 rewrite', 'vendor review (AMD)', 'upstream', ..."""
    t = speech(text)
    out = [
        f"#{n}"
        for n in re.findall(
            r"(?:blocked (?:by|on)|depends on|waiting (?:for|on)|after|until|once|requires|needs|pending)"
            r"\s+(?:[\w.-]+/[\w.-]+)?#(\d+)",
            t,
            re.I,
        )
    ]
    if re.search(r"\bv1\b", t, re.I) and re.search(
        r"conflict|clash|rewrite|refactor|migration|supersed|obsolete", t, re.I
    ):
        out.append("V1 rewrite")
    v = re.search(_VENDOR, t, re.I)
    if v and re.search(r"review|sign-?off|approval|input|waiting", t, re.I):
        out.append(f"vendor review ({v.group(0).upper() if len(v.group(0)) <= 6 else v.group(0)})")
    if re.search(r"\bupstream\b", t, re.I):
        out.append("upstream")
    if re.search(r"\brelease\b", t, re.I) and not out:
        out.append("a release")
    return out or ["stated in thread"]


@dataclass
class Signals:
    """What ThreadSignal stores (see storage.models.judgement.ThreadSignal)."""

    number: int
    claimed_by: list[str] = field(default_factory=list)
    blockers: list[str] = field(default_factory=list)
    acknowledged_by: list[str] = field(default_factory=list)
    last_maintainer_word: str = ""
    evidence: list[dict[str, object]] = field(default_factory=list)
    claim_attempts: int = 0  # claim phrases seen, even if later retracted (a GFI feature)
    acks_any: int = 0  # acknowledgement phrases by anyone

    @property
    def claimed(self) -> bool:
        return bool(self.claimed_by)

    @property
    def blocked(self) -> bool:
        return bool(self.blockers)

    @property
    def acknowledged(self) -> bool:
        return bool(self.acknowledged_by)


SPOKEN = ("comment", "slack", "discourse")  # where a claim can be said (not an issue's own body)


def _iso(dt: datetime | None) -> str | None:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ") if dt else None


def open_pr_refs(data: RepoData) -> dict[int, list[tuple[int, str | None]]]:
    """Issue number -> [(PR number, PR author)] for the pull requests that work on it: open ones
    linked with a closing keyword (`Fixes #N`, GitHub's own notion of a linked PR; "Related: #N" on an
    open PR is not a claim), and merged ones that reference it at all (the work was done)."""
    out: dict[int, list[tuple[int, str | None]]] = {}
    repo = data.full_name.lower()
    for pull in data.pulls.values():
        merged = pull.merged_at is not None
        if not merged and (pull.state != "open" or (pull.draft and not pull.body)):
            continue
        text = f"{pull.title}\n{pull.body}"
        nums = set(closed_numbers(text, data.full_name))
        if merged:
            nums |= {num for ref_repo, num, _kind in issue_refs(text, data.full_name) if ref_repo == repo}
        for num in sorted(nums):
            rec = data.issues.get(num)
            if rec is not None and not rec.is_pull and num != pull.number:
                out.setdefault(num, []).append((pull.number, pull.author))
    return out


def read_thread(data: RepoData, number: int, maintainers: Collection[str],
                open_prs: dict[int, list[tuple[int, str | None]]] | None = None) -> Signals:
    """Signals of one issue from its record, comments, events and the open PRs that reference it."""
    rec = data.issues[number]
    sig = Signals(number)
    proposal = fx.template_kind(rec.title, rec.body) in _PROPOSAL_KINDS
    claimers: dict[str, datetime | None] = {}
    blockers: dict[str, None] = {}
    ev = sig.evidence

    def add(kind: str, login: str | None, at: datetime | None, quote: str, source: str) -> None:
        ev.append({"kind": kind, "login": login, "at": _iso(at), "quote": quote, "source": source})

    texts: list[tuple[datetime, str, str | None, str, CommentRec | None]] = [
        (rec.created_at, "body", rec.author, rec.body, None)]
    texts += [(c.created_at, "comment", c.author, c.body, c) for c in data.comments.get(number, [])]
    # Claims and blockers said in Slack or on the forum count too (a claimer without a known GitHub
    # login is named by their chat handle).
    texts += [(m.at, m.source, m.login or f"{m.handle} ({m.source})", m.text, None)
              for m in data.chat_mentions.get(number, [])]
    events = data.events.get(number, [])
    merged: list[tuple[datetime, int, tuple[datetime, str, str | None, str, CommentRec | None] | EventRec]] = [
        (t[0], 0, t) for t in texts]
    merged += [(e.created_at, 1, e) for e in events]
    merged.sort(key=lambda x: (x[0], x[1]))

    for _when, _kind, item in merged:
        if isinstance(item, EventRec):
            e = item
            if e.event == "assigned" and e.assignee:
                claimers[e.assignee] = e.created_at
                add("claim", e.assignee, e.created_at, f"assigned to {e.assignee}", "event")
            elif e.event == "unassigned" and e.assignee:
                claimers.pop(e.assignee, None)
                add("release", e.assignee, e.created_at, f"unassigned {e.assignee}", "event")
            elif (
                e.event in ("labeled",) and e.label and re.search(r"\bblocked\b|\bon hold\b|\bwaiting\b", e.label, re.I)
            ):
                blockers[f"label: {e.label}"] = None
                add("block", e.actor, e.created_at, f"labelled {e.label}", "event")
            elif e.event == "unlabeled" and e.label and f"label: {e.label}" in blockers:
                blockers.pop(f"label: {e.label}", None)
            continue
        at, source, login, body, _c = item
        if login is None or data.is_bot(login):  # no author (a deleted account) or a bot
            continue
        words = speech(body)
        low = words.lower()
        is_maint = login in maintainers
        if source == "comment" and is_maint:
            sig.last_maintainer_word = f"{login} ({_iso(at)}): {_quote(body, None, 200)}"
        release = RELEASE.search(words) if login in claimers else None
        if release:
            claimers.pop(login, None)
            add("release", login, at, _quote(words, release), source)
        elif source == "comment" and "@" in words and (m := CLAIM_FOR.search(words)) and not NOT_CLAIM.search(words):
            who = m.group(1) or m.group(2)
            claimers[who] = at
            add("claim", who, at, _quote(words, m), source)
        elif source in SPOKEN and (m := _claim_match(words)):
            sig.claim_attempts += 1
            if login:
                claimers[login] = at
            add("claim", login, at, _quote(words, m), source)
        elif source == "comment" and ("#" in words or "/pull/" in words) and (m := PR_POINTER.search(words)):
            claimers[login or "a pull request"] = at
            add("claim", login, at, _quote(words, m), source)
        elif source == "body" and proposal and (m := BODY_CLAIM.search(words)):
            if login:
                claimers[login] = at
            add("claim", login, at, _quote(words, m), source)
        unblock = _unblock_match(words, low)
        if unblock:
            blockers.clear()
            add("unblock", login, at, _quote(words, unblock), source)
        elif block := _block_match(words, low):
            for b in blocker_names(body):
                blockers[b] = None
            add("block", login, at, _quote(words, block), source)
        if source == "comment" and login != rec.author and (ack := _ack_match(words, low)):
            sig.acks_any += 1
            if is_maint and login not in sig.acknowledged_by:
                sig.acknowledged_by.append(login)
            add("ack" if is_maint else "ack (not a maintainer)", login, at, _quote(words, ack), source)

    for a in rec.assignees:
        if a not in claimers:
            claimers[a] = None
            add("claim", a, None, f"assigned to {a}", "assignees")
    for pr_num, author in (open_prs or {}).get(number, []):
        who = author or f"PR #{pr_num}"
        claimers.setdefault(who, None)
        add("claim", author, None, f"pull request #{pr_num}", "pull request")
    # Labels that say so (kept on the issue, not hidden by evaluation).
    for lb in rec.labels:
        if re.search(r"\bblocked\b|\bon hold\b", lb, re.I):
            blockers.setdefault(f"label: {lb}", None)
    sig.claimed_by = list(claimers)
    sig.blockers = list(blockers)
    return sig


def read_threads(data: RepoData, numbers: Iterable[int], maintainers: Collection[str]) -> dict[int, Signals]:
    refs = open_pr_refs(data)
    return {n: read_thread(data, n, maintainers, refs) for n in numbers if n in data.issues}


def read_acks(data: RepoData, numbers: Iterable[int], maintainers: Collection[str]) -> dict[int, Signals]:
    """Only the acknowledgements of each thread (what the good-first-issue features read): the
    same rules as `read_thread` for acks, without claims and blockers, for training on history."""
    out = {}
    for n in numbers:
        rec = data.issues.get(n)
        if rec is None:
            continue
        sig = Signals(n)
        for c in data.comments.get(n, []):
            if c.author is None or c.author == rec.author or data.is_bot(c.author):
                continue
            words = speech(c.body)
            if _ack_match(words, words.lower()):
                sig.acks_any += 1
                if c.author in maintainers and c.author not in sig.acknowledged_by:
                    sig.acknowledged_by.append(c.author)
        out[n] = sig
    return out
