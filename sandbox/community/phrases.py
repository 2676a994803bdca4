"""Phrase banks for the planted thread signals. Many phrasings per signal, and look-alikes that
mean something else, so that a model has to learn the signal rather than one sentence.

The later entries of each bank were written from how people actually phrase these things in
open-source trackers (pointing at one's own PR, a team doing the work, "once X is in place",
"let's restructure this first", a decision to postpone), without looking at the classifier's
rules: some of them the rules miss, and the generated figures are meant to show it.

Placeholders: {m} another issue/PR number, {who} a login, {file} a path, {func} a function name,
{flag} a CLI flag, {vendor} AMD/NVIDIA/Intel/Google.
"""

from __future__ import annotations

# ---------------------------------------------------------------- claims (someone takes the issue)
CLAIM = (
    "I'd like to work on this.",
    "Hi, can I take this?",
    "/assign",
    "I'm interested in picking this up if no one else is on it.",
    "Could you assign this to me? I'd love to give it a try.",
    "I'll take a stab at this.",
    "Working on it, will open a PR in the next day or two.",
    "Mind if I pick this one up? It would be my first contribution.",
    "I can help with this one, starting on it now.",
    "Hey, I want to contribute to this issue. If it's still available I'll start on it today.",
    "taking this one 🙋",
    "I have a fix locally, will send a PR shortly.",
    "Let me try to fix this.",
    "I'd love to tackle this as my first PR!",
    "Claiming this, PR incoming.",
    "I've started looking into this and will put up a patch this week.",
    "If nobody is working on this I'd like to give it a shot.",
    "I'm on it.",
    "Happy to implement this, can you assign me?",
    "Picking this up 👍",
    "I would like to take this issue. Please assign it to me.",
    "Can I work on this one? I've read the contributing guide and have a dev setup ready.",
    "I'll work on this and link the PR here.",
    "Is it ok if I take this? I think I know where the fix goes (`{file}`).",
    "Assign me please, I already have a draft.",
    "I opened a PR for this, reviews welcome.",
    "Put up a draft PR for this, it still needs tests.",
    "There's a patch for this on my fork now, PR coming.",
    "I'll dig into this over the next couple of days and come back with a fix.",
    "Our team is already implementing this internally, we'll upstream it soon.",
    "Mine! Will have something up tomorrow.",
    "Let me look into this one and get back with a PR.",
    "Got a branch going for this, should be ready for review by Friday.",
)
# Some contributors write in their own language.
CLAIM_OTHER_LANGUAGE = (
    "我想认领这个 issue，可以分配给我吗？",
    "我来修这个，稍后提 PR。",
    "这个我可以做，正在写修复。",
)
CLAIM_PREFIX = ("", "", "", "Hi @{who}, ", "Hello! ", "Hey team, ", "Hi all, ", "Hi! ")
CLAIM_SUFFIX = ("", "", "", " Thanks!", " 🙂", " I'm new to the codebase but the change looks contained.",
                " Should be able to get to it this weekend.")
# The maintainer's answer to a claim.
CLAIM_ACK = (
    "Sure, go ahead!",
    "Assigned to you, thanks!",
    "Thanks @{who}, looking forward to the PR.",
    "Go for it, ping me when the PR is up.",
    "Assigned. Let us know if you get stuck.",
    "All yours 👍",
    "Thanks for picking this up @{who}!",
)
# A claim taken back: the issue is free again.
CLAIM_RELEASE = (
    "Sorry, I won't have bandwidth for this after all. Unassigning myself so someone else can pick it up.",
    "I'm no longer working on this, feel free to take it.",
    "Dropping this one, I got pulled onto other work. Sorry for the delay!",
    "Un-claiming: I couldn't get the dev environment working on my machine. Happy for someone else to take it.",
    "I have to step back from this one, it's free for anyone.",
)
# Look-alikes: interest, questions and +1s that are not claims.
NOT_CLAIM = (
    "Is anyone working on this?",
    "Is this still open?",
    "+1, I'd like to see this too.",
    "I'd like this feature as well.",
    "Would love to have this.",
    "Any progress on this?",
    "Same here, I'd like to know if there is a workaround.",
    "I'd like to know whether this also affects TP > 1.",
    "Is there any update on this one?",
    "I'm also interested in this.",
    "Has anyone started on this? Just curious about the timeline.",
    "I'd like to help test a fix once there is one.",
    "I can reproduce this on main as well.",
    "I tried the workaround from the other thread but it still fails for me.",
    "I'll test it once a fix lands.",
    "Thanks, I'll keep an eye on this thread.",
    "Would a PR for this be accepted? Asking before I spend time on it.",
)

# ---------------------------------------------------------------- blockers
BLOCK_REF = (
    "This is blocked by #{m}.",
    "Depends on #{m}; let's revisit once that is merged.",
    "We're waiting for #{m} to land before this can move forward.",
    "Let's hold off until #{m} is in, it touches the same code.",
    "This needs #{m} first.",
    "Can't proceed until the new interface from #{m} is merged.",
    "We should wait for the refactor in #{m}; otherwise we'll have to redo this.",
    "⚠️ blocked by #{m}",
    "Putting this on hold pending the RFC in #{m}.",
    "Heads up: this will be unblocked by #{m}, please don't start before that lands.",
    "Blocked on #{m} (same code path, would conflict).",
    "Note for whoever picks this up: it depends on #{m}, which is still in review.",
    "Let's revisit once the new plugin interface from #{m} is in place.",
    "We should restructure the loader first (#{m}); until then any fix here would be throwaway work.",
    "Parking this: #{m} needs to land before anything here makes sense.",
)
BLOCK_V1 = (
    "On hold: this clashes with the ongoing V1 rewrite of this component.",
    "Parking this until the V1 refactor settles; any change here now would conflict with it.",
    "We're reworking this whole path for V1, so let's not touch it until that lands.",
    "This overlaps with the V1 migration of `{file}`. Please wait for that to finish.",
)
BLOCK_VENDOR = (
    "This needs review from the {vendor} folks before we can proceed.",
    "We need sign-off from the {vendor} team on this approach first.",
    "Waiting on the {vendor} engineers to confirm the kernel behaviour before anyone works on this.",
    "Needs input from {vendor}; pinging them internally. Please hold off for now.",
)
BLOCK_UPSTREAM = (
    "Blocked on an upstream fix in PyTorch; nothing to do on our side until then.",
    "This is waiting for a new FlashInfer release with the fix.",
    "We can't do this until transformers ships the new config class.",
    "We've decided to postpone this until the next release cycle.",
    "Keeping this open but frozen until further notice; the upstream API is still moving.",
)
# A blocker that was resolved: the issue is no longer blocked.
UNBLOCK = (
    "#{m} has landed, so this is unblocked now.",
    "The blocker is resolved; feel free to go ahead.",
    "We were waiting on #{m} but it's merged, so no longer blocked.",
    "Update: #{m} is in main, this can move forward.",
)
# Look-alikes: references and past troubles that do not block anything.
NOT_BLOCK = (
    "Related to #{m}.",
    "Possibly a duplicate of #{m}?",
    "See also #{m} for some context.",
    "This was blocked on CI flakiness last week, but CI is green again.",
    "I don't think this depends on #{m}; they are independent.",
    "Similar symptoms were reported in #{m}, but the root cause looks different.",
    "#{m} touched nearby code but doesn't affect this.",
    "Once you have a fix, please add a regression test.",
    "This used to hinge on #{m}, but that's no longer the case.",
    "Waiting for your logs to dig further.",
)

# ---------------------------------------------------------------- maintainer acknowledgements
ACK = (
    "PR welcome!",
    "Contributions welcome, this should be a small change in `{file}`.",
    "Feel free to open a PR, happy to review.",
    "Go ahead and send a PR!",
    "This would make a nice first contribution for someone new to the codebase.",
    "Happy to review a PR for this.",
    "We'd welcome a contribution here.",
    "Sounds reasonable, feel free to submit a fix.",
    "PRs welcome 🙂",
    "If anyone wants to pick this up, the change would be in `{func}`.",
    "Makes sense. A PR would be appreciated, it's a self-contained change.",
    "Good catch. Would you like to send a fix? Otherwise anyone is welcome to.",
)
# "feel free" said by someone else, about something else: not an acknowledgement.
NOT_ACK = (
    "Feel free to use my workaround until there's a fix: pass `{flag}`.",
    "I'd welcome any pointers on how to debug this further.",
    "Happy to share more logs if needed.",
)
# A maintainer saying it is harder than it looks (a hard negative for good first issues).
NOT_EASY = (
    "This is trickier than it looks: it interacts with {thing}, so we'd need an RFC first.",
    "Harder than it looks: the fix touches the {sub} internals in several places, so it's not a great starter task.",
    "Not as simple as it seems, the change would touch the scheduler and the workers.",
    "We'll handle this internally as part of a larger refactor.",
    "This requires changes across several components; probably not a good starter task.",
)

# ---------------------------------------------------------------- good-first-issue scaffolding
GFI_SCOPE = (
    "This should be a small change in `{file}`.",
    "I think only `{func}` in `{file}` needs to change.",
    "It's probably a one-line fix plus a test.",
    "Should be straightforward: the logic already exists in `{func}`, it just needs to be exposed.",
    "The relevant code is in `{file}`.",
    "A good place to start would be `{func}` (`{file}`).",
    "Scope is small: update `{func}` and add a unit test under `{test}`.",
)
NEWCOMER_HELLO = (
    "Hi, I'm new to vLLM and looking for a first issue. Is this one still available?",
    "Could someone point me to where the tests for this live? I'd like to understand the code first.",
    "Is this a good one to start with? I haven't contributed before.",
)
