"""Text of generated threads: issue titles and bodies from vLLM's issue templates, PR titles and
descriptions, comments, reviews and review comments. Pure functions of an RNG and a context."""

from __future__ import annotations

import random
from dataclasses import dataclass

from sandbox.community import phrases as P
from sandbox.community.vocab import (
    CUDA_RT,
    DRIVERS,
    GPUS,
    MODELS,
    NEW_MODELS,
    OSES,
    PY_VERSIONS,
    TORCH_VERSIONS,
    VLLM_VERSIONS,
    Words,
)

REPO_URL = "https://github.com/{repo}"

# issue template kind -> (title prefix, template label)
TEMPLATES: dict[str, tuple[str, str]] = {
    "bug": ("[Bug]: ", "bug"),
    "feature": ("[Feature]: ", "feature request"),
    "usage": ("[Usage]: ", "usage"),
    "rfc": ("[RFC]: ", "RFC"),
    "performance": ("[Performance]: ", "performance"),
    "installation": ("[Installation]: ", "installation"),
    "new_model": ("[New Model]: ", "new model"),
    "doc": ("[Doc]: ", "documentation"),
    "ci_failure": ("[CI Failure]: ", "ci-failure"),
    "misc": ("[Misc]: ", "misc"),
}

CHECKBOX = ("### Before submitting a new issue...\n\n"
            "- [x] I searched the existing issues and asked the docs chatbot before opening this one.")


@dataclass
class Ctx:
    """What a text needs to know about its thread."""

    repo: str
    words: Words                 # vocabulary of the primary subsystem
    files: list[str]             # paths of the primary subsystem
    tests: list[str]             # test paths of the primary subsystem (may be empty)
    sub_name: str
    keywords: tuple[str, ...]
    title_tags: tuple[str, ...]
    extra_words: Words | None = None   # second subsystem, if any
    extra_files: list[str] | None = None


def _cap(s: str) -> str:
    if s.startswith(("vllm", "`")) or (s[:2].isalpha() and s[1:2].isupper()):
        return s
    return s[:1].upper() + s[1:]


def _kw(rnd: random.Random, ctx: Ctx) -> str:
    return rnd.choice(ctx.keywords) if ctx.keywords else ctx.sub_name


def env_dump(rnd: random.Random, gpu: str | None = None) -> str:
    """A collect_env-style environment report (our own layout)."""
    gpu = gpu or rnd.choice(GPUS)
    n = rnd.choice((1, 1, 2, 4, 8))
    gpus = "\n".join(f"GPU {i}: {gpu}" for i in range(n))
    amd = gpu.startswith("AMD")
    return (
        "<details>\n<summary>The output of <code>python collect_env.py</code></summary>\n\n```text\n"
        "==============================\n        System Info\n==============================\n"
        f"OS                           : {rnd.choice(OSES)}\n"
        "GCC version                  : (Ubuntu 11.4.0-1ubuntu1~22.04) 11.4.0\n"
        "Libc version                 : glibc-2.35\n\n"
        "==============================\n       PyTorch Info\n==============================\n"
        f"PyTorch version              : {rnd.choice(TORCH_VERSIONS)}\n"
        f"ROCM used to build PyTorch   : {'6.4.1' if amd else 'N/A'}\n\n"
        "==============================\n      Python Environment\n==============================\n"
        f"Python version               : {rnd.choice(PY_VERSIONS)} (64-bit runtime)\n\n"
        "==============================\n       CUDA / GPU Info\n==============================\n"
        f"Is CUDA available            : True\nCUDA runtime version         : {'N/A' if amd else rnd.choice(CUDA_RT)}\n"
        f"GPU models and configuration :\n{gpus}\n"
        f"Nvidia driver version        : {'N/A' if amd else rnd.choice(DRIVERS)}\n\n"
        "==============================\n         vLLM Info\n==============================\n"
        f"vLLM Version                 : {rnd.choice(VLLM_VERSIONS)}\n"
        f"vLLM Build Flags:\n  CUDA Archs: Not Set; ROCm: {'Enabled' if amd else 'Disabled'}\n"
        "```\n\n</details>"
    )


def traceback(rnd: random.Random, ctx: Ctx, error: str | None = None) -> str:
    """A Python traceback ending in the subsystem's code."""
    prefix = rnd.choice(("/usr/local/lib/python3.12/dist-packages", "/opt/conda/lib/python3.11/site-packages",
                         "/home/user/.venv/lib/python3.12/site-packages", "/workspace/vllm"))
    frames = [("vllm/v1/engine/core.py", rnd.randint(600, 760), "run_engine_core", "engine_core.run_busy_loop()"),
              ("vllm/v1/engine/core.py", rnd.randint(760, 820), "run_busy_loop", "self._process_engine_step()"),
              ("vllm/v1/worker/gpu_model_runner.py", rnd.randint(1800, 2600), "execute_model",
               "model_output = self.model(**model_kwargs)")]
    if rnd.random() < 0.35:
        frames = [("vllm/entrypoints/openai/serving_chat.py", rnd.randint(300, 900), "create_chat_completion",
                   "generator = self.engine_client.generate("), *frames[:1]]
    src = [f for f in ctx.files if f.endswith(".py")] or ["vllm/utils/__init__.py"]
    for _ in range(rnd.randint(1, 2)):
        func = rnd.choice(ctx.words.funcs)
        frames.append((rnd.choice(src), rnd.randint(40, 900), func, f"return {func}(*args, **kwargs)"))
    lines = ["Traceback (most recent call last):"]
    for path, line, func, code in frames:
        lines.append(f'  File "{prefix}/{path}", line {line}, in {func}')
        lines.append(f"    {code}")
    err = error or rnd.choice(ctx.words.errors)
    if "{arch}" in err:
        err = err.replace("{arch}", rnd.choice(NEW_MODELS)[1])
    lines.append(err)
    return "\n".join(lines)


def repro_code(rnd: random.Random, ctx: Ctx, model: str) -> str:
    flag = rnd.choice(ctx.words.flags)
    if rnd.random() < 0.5:
        return f"```bash\nvllm serve {model} {flag if flag.startswith('--') else ''} --max-model-len 8192\n```".replace(
            "  ", " "
        )
    return (
        "```python\nfrom vllm import LLM, SamplingParams\n\n"
        f'llm = LLM(model="{model}", tensor_parallel_size={rnd.choice((1, 1, 2, 4))})\n'
        f"params = SamplingParams(temperature={rnd.choice(('0', '0.7', '1.0'))}, "
        f"max_tokens={rnd.choice((64, 128, 512))})\n"
        'outputs = llm.generate(["Hello, my name is"], params)\nprint(outputs[0].outputs[0].text)\n```'
    )


def blob_link(repo: str, path: str, rnd: random.Random) -> str:
    return f"https://github.com/{repo}/blob/main/{path}#L{rnd.randint(20, 900)}"


# ---------------------------------------------------------------- issues


def issue_title_body(rnd: random.Random, kind: str, ctx: Ctx, style: str = "normal") -> tuple[str, str]:
    """Title and body of an issue of a template `kind`; style 'easy' writes a small, well-scoped task."""
    prefix = TEMPLATES[kind][0]
    if style == "easy":
        title, body = _easy_task(rnd, kind, ctx)
        return prefix + title, body
    fn = {"bug": _bug, "feature": _feature, "usage": _usage, "rfc": _rfc, "performance": _perf,
          "installation": _install, "new_model": _new_model, "doc": _doc, "ci_failure": _ci_failure,
          "misc": _misc}[kind]
    title, body = fn(rnd, ctx)
    return prefix + title, body


def _thing(rnd: random.Random, ctx: Ctx) -> str:
    if ctx.extra_words and rnd.random() < 0.35:
        return rnd.choice(ctx.extra_words.things)
    return rnd.choice(ctx.words.things)


def _bug(rnd: random.Random, ctx: Ctx) -> tuple[str, str]:
    model = rnd.choice(MODELS)
    thing = rnd.choice(ctx.words.things)
    symptom = rnd.choice(ctx.words.symptoms)
    when = rnd.choice(
        (
            "",
            f" with {model.split('/')[-1]}",
            f" when using {rnd.choice(ctx.words.flags)}",
            f" on {rnd.choice(GPUS).replace('NVIDIA ', '')}",
            " after upgrading",
            f" in {rnd.choice(VLLM_VERSIONS)}",
        )
    )
    title = f"{_cap(thing)} {symptom}{when}"
    if ctx.extra_words:
        title += f" ({rnd.choice(ctx.extra_words.things)})"
    history = ('It worked fine on the previous release.', 'This started after upgrading.', 'It happens every time.',
               'It happens intermittently, roughly one request in fifty.', '')
    desc = (
        f"When I run {model} the {thing} {symptom}. "
        f"{rnd.choice(history)}"
        f" The problem seems related to {_kw(rnd, ctx)}."
    )
    parts = [
        "### Your current environment",
        env_dump(rnd),
        "### 🐛 Describe the bug",
        desc.strip(),
        repro_code(rnd, ctx, model),
    ]
    if rnd.random() < 0.85:
        parts.append("```text\n" + traceback(rnd, ctx) + "\n```")
    parts.append(CHECKBOX)
    return title, "\n\n".join(parts)


def _feature(rnd: random.Random, ctx: Ctx) -> tuple[str, str]:
    feat = rnd.choice(ctx.words.features)
    if "{newmodel}" in feat:
        feat = feat.replace("{newmodel}", rnd.choice(NEW_MODELS)[0].split("/")[-1])
    title = rnd.choice((f"Support {feat}", f"Add {feat}", f"{_cap(feat)}", f"Request: {feat}"))
    pitch = (
        f"It would be great to have {feat}. Today the {_thing(rnd, ctx)} does not allow this, and we have to patch "
        f"vLLM locally. This matters for our "
        f"{rnd.choice(('production deployment', 'research workloads', 'batch jobs', 'agent use case'))}"
        f" where {_kw(rnd, ctx)} is central."
    )
    if rnd.random() < 0.5:
        pitch += f"\n\nFor reference, the current behaviour lives in `{rnd.choice(ctx.files)}`."
    alt = rnd.choice(
        ("_No response_", "We currently use a fork with a small patch.", "Running a separate proxy in front of vLLM.")
    )
    ctxt = rnd.choice(("_No response_", f"Related discussion in the {ctx.sub_name} channel.", "Happy to help test."))
    body = "\n\n".join(["### 🚀 The feature, motivation and pitch", pitch, "### Alternatives", alt,
                        "### Additional context", ctxt, CHECKBOX])
    return title, body


def _usage(rnd: random.Random, ctx: Ctx) -> tuple[str, str]:
    model = rnd.choice(MODELS)
    thing = _thing(rnd, ctx)
    title = rnd.choice(
        (
            f"How to use {thing} with {model.split('/')[-1]}?",
            f"How do I configure {thing}?",
            f"Is {thing} supported together with {rnd.choice(ctx.words.flags)}?",
            f"Best way to set up {thing} for {rnd.choice(('low latency', 'high throughput', 'long context'))}",
        )
    )
    text = (f"I want to run {model} with {thing}. I tried `{rnd.choice(ctx.words.flags)}` but I'm not sure it is "
            f"the right setting for {_kw(rnd, ctx)}. What is the recommended configuration?")
    body = "\n\n".join(
        [
            "### Your current environment",
            "```text\n" + env_dump(rnd).split("```text\n", 1)[1].split("```")[0] + "```",
            "### How would you like to use vllm",
            text,
            CHECKBOX,
        ]
    )
    return title, body


def _rfc(rnd: random.Random, ctx: Ctx) -> tuple[str, str]:
    feat = rnd.choice(ctx.words.features).replace("{newmodel}", "new architectures")
    thing = _thing(rnd, ctx)
    title = rnd.choice((f"Redesign the {thing}", f"{_cap(feat)}", f"Unify {thing} and {rnd.choice(ctx.words.things)}",
                        f"Deprecate the legacy {thing} path"))
    files = ", ".join(f"`{f}`" for f in rnd.sample(ctx.files, min(3, len(ctx.files))))
    body = "\n\n".join([
        "### Motivation.",
        f"The {thing} has grown organically and now makes {_kw(rnd, ctx)} work hard to extend. "
        f"Several open issues trace back to this design.",
        "### Proposed Change.",
        f"1. Introduce a single interface for the {thing}.\n2. Move the logic out of {files}.\n"
        f"3. Add {feat}.\n4. Remove the old code path after one release.",
        "### Feedback Period.", rnd.choice(("Two weeks.", "One week.", "Until the next release.")),
        "### CC List.", "_No response_",
        "### Any Other Things.", "A prototype branch exists; happy to split it into smaller PRs.",
        CHECKBOX])
    return title, body


def _perf(rnd: random.Random, ctx: Ctx) -> tuple[str, str]:
    model = rnd.choice(MODELS)
    thing = _thing(rnd, ctx)
    a = rnd.randint(800, 4000)
    b = int(a * rnd.uniform(0.55, 0.9))
    title = rnd.choice((f"{_cap(thing)} throughput regression on {model.split('/')[-1]}",
                        f"Slow {thing} with large batch sizes", f"{_cap(thing)} is slower than expected on "
                        f"{rnd.choice(GPUS).replace('NVIDIA ', '')}"))
    body = "\n\n".join([
        "### Proposal to improve performance", "_No response_",
        "### Report of performance regression",
        f"Output throughput dropped from {a} tok/s to {b} tok/s between {rnd.choice(VLLM_VERSIONS[:4])} and "
        f"{rnd.choice(VLLM_VERSIONS[4:])} with the same command:\n\n```bash\nvllm bench throughput --model {model} "
        f"--input-len 1024 --output-len 256\n```\n\nThe slowdown seems to come from the {thing} ({_kw(rnd, ctx)}).",
        "### Misc discussion on performance", "_No response_",
        "### Your current environment (if you think it is necessary)", env_dump(rnd), CHECKBOX])
    return title, body


def _install(rnd: random.Random, ctx: Ctx) -> tuple[str, str]:
    thing = _thing(rnd, ctx)
    title = rnd.choice((f"{_cap(thing)} {rnd.choice(ctx.words.symptoms)}", "pip install vllm fails with a build error",
                        f"Cannot build from source: {rnd.choice(ctx.words.errors)[:60]}"))
    how = rnd.choice(("pip install vllm", "uv pip install vllm --torch-backend=auto", "pip install -e . (from source)",
                      "docker build -f docker/Dockerfile ."))
    body = "\n\n".join(["### Your current environment", env_dump(rnd), "### How you are installing vllm",
                        f"```sh\n{how}\n```\n\n```text\n{rnd.choice(ctx.words.errors)}\n```", CHECKBOX])
    return title, body


def _new_model(rnd: random.Random, ctx: Ctx) -> tuple[str, str]:
    repo_id, arch = rnd.choice(NEW_MODELS)
    body = "\n\n".join([
        "### The model to consider.", f"https://huggingface.co/{repo_id} (architecture `{arch}`)",
        "### The closest model vllm already supports.", rnd.choice(MODELS).split("/")[-1],
        "### What's your difficulty of supporting the model you want?",
        rnd.choice((f"The attention layout differs from existing models and the {_thing(rnd, ctx)} may need changes.",
                    "Weights load but the config has new fields the registry does not know.",
                    "It uses a custom tokenizer that needs `--trust-remote-code`.")),
        CHECKBOX])
    return f"{repo_id.split('/')[-1]}", body


def _doc(rnd: random.Random, ctx: Ctx) -> tuple[str, str]:
    thing = _thing(rnd, ctx)
    sym = rnd.choice(("has a broken link", "shows an outdated command", "is missing the new flag",
                      "contradicts the actual default", "has a typo in the code sample", "is unclear"))
    title = f"{_cap(thing)} docs {sym}"
    body = "\n\n".join(["### 📚 The doc issue",
                        f"The documentation for the {thing} {sym}. {_kw(rnd, ctx)} users will be confused by this.",
                        "### Suggest a potential alternative/fix",
                        rnd.choice(("_No response_", f"Update the page and mention `{rnd.choice(ctx.words.flags)}`.")),
                        CHECKBOX])
    return title, body


def _ci_failure(rnd: random.Random, ctx: Ctx) -> tuple[str, str]:
    test = rnd.choice(ctx.tests or ctx.files)
    name = f"{test}::test_{rnd.choice(ctx.words.funcs)}[{rnd.choice(('fp16', 'bf16', 'tp2', 'eager', 'cuda_graph'))}]"
    body = "\n\n".join(
        [
            "### Name of failing test",
            f"`{name}`",
            "### Basic information",
            f"- [{'x' if rnd.random() < 0.5 else ' '}] Flaky test\n"
            f"- [{'x' if rnd.random() < 0.5 else ' '}] Can reproduce locally\n"
            f"- [ ] Caused by external libraries (e.g. bug in `transformers`)",
            "### 🧪 Describe the failing test",
            "```text\n" + traceback(rnd, ctx) + "\n```",
            "### 📝 History of failing test",
            rnd.choice(
                (
                    "Started failing on main two days ago.",
                    "Flaky for about a week.",
                    "First seen after the nightly torch bump.",
                )
            ),
            "### CC List.",
            "_No response_",
        ]
    )
    return f"{test.rsplit('/', 1)[-1]} fails on main", body


def _misc(rnd: random.Random, ctx: Ctx) -> tuple[str, str]:
    thing = _thing(rnd, ctx)
    title = rnd.choice((f"Question about the {thing} design", f"Plans for the {thing}?", f"Cleanup of the {thing}"))
    body = "\n\n".join(["### Anything you want to discuss about vllm.",
                        f"I was reading `{rnd.choice(ctx.files)}` and wondered how the {thing} is meant to evolve, "
                        f"especially around {_kw(rnd, ctx)}.", CHECKBOX])
    return title, body


def _easy_task(rnd: random.Random, kind: str, ctx: Ctx) -> tuple[str, str]:
    """A small, well-scoped task: the shape of a good first issue (also used for look-alikes)."""
    f = rnd.choice(ctx.files)
    func = rnd.choice(ctx.words.funcs)
    flag = rnd.choice(ctx.words.flags)
    thing = rnd.choice(ctx.words.things)
    test = rnd.choice(ctx.tests) if ctx.tests else "tests/"
    options = {
        "feature": (f"Log a warning when {flag} is ignored by the {thing}",
                    f"Expose `{flag}` in the {thing} help text",
                    f"Add unit tests for `{func}`",
                    f"Add a clearer error when the {thing} gets an unsupported value"),
        "bug": (f"Misleading error message from `{func}` in the {thing}",
                f"`{func}` raises a bare AssertionError instead of a ValueError",
                f"Typo in the {thing} log message"),
        "doc": (f"Document `{flag}` for the {thing}", f"Fix the broken link in the {thing} docs",
                f"Add an example for the {thing}"),
        "misc": (f"Add type hints to `{f}`", f"Remove unused helper `{func}` from `{f}`",
                 f"Rename `{func}` arguments for consistency"),
    }
    key = kind if kind in options else "feature"
    title = rnd.choice(options[key])
    scope = rnd.choice(P.GFI_SCOPE).format(file=f, func=func, test=test)
    link = blob_link(ctx.repo, f, rnd)
    if key == "doc":
        body = "\n\n".join(
            [
                "### 📚 The doc issue",
                f"{title}. People keep asking about it in the {ctx.sub_name} channel.",
                "### Suggest a potential alternative/fix",
                f"{scope}\n\n{link}",
                CHECKBOX,
            ]
        )
    elif key == "bug":
        body = "\n\n".join(
            [
                "### Your current environment",
                "_Not relevant, reproducible on main._",
                "### 🐛 Describe the bug",
                f"{title}. {scope}\n\nSee {link}",
                CHECKBOX,
            ]
        )
    else:
        body = "\n\n".join(
            [
                "### 🚀 The feature, motivation and pitch",
                f"{title}. {scope}",
                "### Alternatives",
                "_No response_",
                "### Additional context",
                link,
                CHECKBOX,
            ]
        )
    return title, body


# ---------------------------------------------------------------- comments on issues


def triage_comment(rnd: random.Random, ctx: Ctx, cc: str | None, ref: int | None) -> str:
    opts = [
        "Thanks for the report. Can you share the full log with `VLLM_LOGGING_LEVEL=DEBUG`?",
        f"Does it still happen with `--enforce-eager`? That would tell us whether the "
        f"{rnd.choice(ctx.words.things)} is involved.",
        f"I can reproduce this on {rnd.choice(GPUS).replace('NVIDIA ', '')}.",
        f"Looks like a problem in `{rnd.choice(ctx.words.funcs)}`.",
        "Which version are you on? A lot changed in this area in the last release.",
        f"Thanks! This is a known limitation of the {rnd.choice(ctx.words.things)}.",
    ]
    if cc:
        opts.append(f"cc @{cc} who knows the {rnd.choice(ctx.words.things)} code best")
        opts.append(f"@{cc} could you take a look? Seems related to {rnd.choice(ctx.keywords or (ctx.sub_name,))}.")
    if ref:
        opts.append(f"This looks like the same problem as #{ref}.")
        opts.append(f"Could you try the latest nightly? I believe #{ref} fixed this.")
    return rnd.choice(opts)


def reporter_followup(rnd: random.Random, ctx: Ctx) -> str:
    return rnd.choice((
        f"Thanks, `{rnd.choice(ctx.words.flags)}` works around it for now.",
        f"Still happening on {rnd.choice(VLLM_VERSIONS)}.",
        "Here is the full log:\n\n```text\n" + traceback(rnd, ctx) + "\n```",
        "Yes, it also happens with TP=1.",
        "Tried that, no luck unfortunately.",
        "I'll try the nightly and report back.",
        "Updated the description with a smaller reproducer.",
    ))


def bystander_comment(rnd: random.Random, ctx: Ctx) -> str:
    return rnd.choice((
        f"Same issue here with {rnd.choice(GPUS).replace('NVIDIA ', '')}.",
        "+1",
        f"Seeing this as well on {rnd.choice(VLLM_VERSIONS)}.",
        f"Workaround for me was setting `{rnd.choice(ctx.words.flags)}`.",
        "Also hitting this in production, any ETA?",
        f"We see the same with {rnd.choice(MODELS).split('/')[-1]}.",
        "👍 following",
    ))


def fixed_comment(rnd: random.Random, pr: int) -> str:
    return rnd.choice(
        (
            f"Fixed by #{pr}.",
            f"This should be resolved by #{pr}, closing. Please reopen if you still see it.",
            f"#{pr} landed on main; closing.",
            f"Closing as fixed in #{pr}.",
        )
    )


def closing_comment(rnd: random.Random, reason: str, ref: int | None) -> str:
    if reason == "duplicate" and ref:
        return rnd.choice((f"Duplicate of #{ref}", f"Closing as a duplicate of #{ref}."))
    if reason == "answered":
        return rnd.choice(("Thanks, that answers my question!", "Got it working, closing.", "Makes sense, thank you."))
    return rnd.choice(("Closing since this is expected behaviour. Feel free to reopen with more details.",
                       "This should be resolved on main now; please reopen if it persists.",
                       "Closing as we could not reproduce it. Please reopen with a minimal example."))


STALE_MARK = ("This issue has been automatically marked as stale because it has not had any activity within 90 days. "
              "It will be automatically closed if no further activity occurs within 30 days. Leave a comment if you "
              "feel this issue should remain open. Thank you!")
STALE_CLOSE = ("This issue has been automatically closed due to inactivity. Please feel free to reopen if you feel it "
               "is still relevant. Thank you!")
PR_WELCOME = (
    "👋 Hi! Thank you for contributing to the vLLM project.\n\n"
    "Only a small and essential subset of CI tests runs automatically on every PR. A maintainer adds the `ready` "
    "label (or you run `/ready` once you have reviewers) to run the full suite.\n\n"
    "🚀"
)
MERGE_CONFLICT = (
    "This pull request has merge conflicts that must be resolved before it can be merged. "
    "Please rebase the PR, @{author}."
)


# ---------------------------------------------------------------- pull requests

GENERIC_TAGS = ("[Bugfix]", "[Misc]", "[Feature]", "[Perf]", "[Refactor]", "[Test]", "[Chore]")


def pr_title(rnd: random.Random, kind: str, ctx: Ctx, tag_sub: tuple[str, ...], issue_title: str | None) -> str:
    thing = rnd.choice(ctx.words.things)
    func = rnd.choice(ctx.words.funcs)
    tags = ""
    own = list(tag_sub)
    if kind == "bugfix":
        tags = "[Bugfix]" + (rnd.choice(own) if own and rnd.random() < 0.6 else "")
        body = rnd.choice((f"Fix {thing} that {rnd.choice(ctx.words.symptoms)}",
                           f"Fix crash in `{func}`", f"Handle empty input in `{func}`", f"Fix {thing} for TP > 1"))
        if issue_title and rnd.random() < 0.85:
            body = "Fix " + issue_title.split(": ", 1)[-1][:70]
    elif kind == "perf":
        tags = "[Perf]" + (rnd.choice(own) if own and rnd.random() < 0.7 else "")
        body = rnd.choice((f"Speed up {thing}", f"Avoid a host sync in `{func}`", f"Optimize {thing} for small batches",
                           f"Cache the {thing} metadata across steps"))
    elif kind == "refactor":
        tags = rnd.choice(("[Misc]", "[Refactor]", "[Chore]")) + (rnd.choice(own) if own and rnd.random() < 0.5 else "")
        body = rnd.choice((f"Clean up {thing}", f"Move `{func}` into a helper", f"Remove dead code in the {thing}",
                           f"Simplify `{func}`"))
    elif kind == "test":
        tags = "[Test]" if rnd.random() < 0.7 else "[Misc]"
        body = rnd.choice((f"Add tests for `{func}`", f"Deflake {thing} test", f"Reduce runtime of {thing} tests"))
    else:  # feature
        tags = (rnd.choice(own) if own else rnd.choice(("[Feature]", "[Core]"))) + (
            "[Feature]" if rnd.random() < 0.2 else ""
        )
        feat = rnd.choice(ctx.words.features).replace("{newmodel}", rnd.choice(NEW_MODELS)[0].split("/")[-1])
        body = rnd.choice((f"Support {feat}", f"Add {feat}", _cap(feat)))
        if issue_title and rnd.random() < 0.85:
            body = issue_title.split(": ", 1)[-1][:80]
    space = " " if rnd.random() < 0.8 else ""
    return f"{tags}{space}{body}".strip()


FIX_KEYWORDS = ("FIX #{n}", "Fixes #{n}", "Closes #{n}", "Resolves #{n}", "Fix https://github.com/{repo}/issues/{n}",
                "fixes #{n}")


def pr_body(rnd: random.Random, kind: str, ctx: Ctx, fixes: int | None, refs: tuple[int, ...], tests: list[str],
            issue_title: str | None = None) -> str:
    purpose = {
        "bugfix": f"Fix a bug in the {rnd.choice(ctx.words.things)}: {rnd.choice(ctx.words.symptoms)}.",
        "perf": (
            f"Make the {rnd.choice(ctx.words.things)} faster by avoiding redundant work in "
            f"`{rnd.choice(ctx.words.funcs)}`."
        ),
        "refactor": f"Refactor the {rnd.choice(ctx.words.things)} to make it easier to extend. No functional change.",
        "test": f"Improve test coverage of the {rnd.choice(ctx.words.things)}.",
        "feature": f"Add {rnd.choice(ctx.words.features).replace('{newmodel}', 'a new architecture')}.",
    }[kind]
    if issue_title:
        purpose = rnd.choice(
            (
                f"Address the problem reported in the linked issue ({issue_title.split(': ', 1)[-1]}).",
                f"{_cap(issue_title.split(': ', 1)[-1])}: this PR implements the fix discussed in the issue.",
                "See the linked issue for the context.",
            )
        )
    lines = ["## Purpose", "", purpose]
    if fixes:
        lines += ["", rnd.choice(FIX_KEYWORDS).format(n=fixes, repo=ctx.repo)]
    for r in refs:
        lines += ["", rnd.choice(("Related: #{n}", "Follow-up to #{n}", "Part of #{n}")).format(n=r)]
    test = rnd.choice(tests) if tests else "tests/"
    lines += ["", "## Test Plan", "", f"```bash\npytest -v {test}\n```", "", "## Test Result", ""]
    if kind == "perf":
        base = rnd.randint(900, 5000)
        new = int(base * rnd.uniform(1.05, 1.6))
        lines += ["| | main | this PR |", "|---|---|---|", f"| output tok/s | {base} | {new} |",
                  f"| mean TTFT (ms) | {rnd.randint(40, 400)} | {rnd.randint(30, 380)} |"]
    else:
        lines.append(rnd.choice(("All tests pass locally.", f"{rnd.randint(3, 60)} passed", "CI green on my fork.",
                                 "Verified with the reproducer from the issue.")))
    lines += ["", "---", "<details>", "<summary>PR checklist</summary>", "",
              "- [x] Purpose of the change", "- [x] Test plan", "- [x] Test results",
              f"- [{'x' if rnd.random() < 0.3 else ' '}] Documentation updated (if needed)", "", "</details>"]
    return "\n".join(lines)


def pr_author_comment(rnd: random.Random, reviewers: list[str], test: str) -> str:
    opts = ["Rebased on main and addressed the comments.", f"CI failures look unrelated (flaky `{test}`).",
            "Added benchmark numbers to the description.", "Updated, PTAL.", "Thanks for the review!"]
    if reviewers:
        opts += [f"cc @{' @'.join(reviewers[:2])} for review", f"@{reviewers[0]} PTAL when you have a moment"]
    return rnd.choice(opts)


def pr_maintainer_comment(rnd: random.Random, ctx: Ctx, ref: int | None) -> str:
    opts = [
        "Thanks for the PR! Could you add a test?",
        "Can you share benchmark numbers before and after?",
        "LGTM once CI is green.",
        "Could you run the pre-commit hooks? The lint check is failing.",
        f"Does this also work with the {rnd.choice(ctx.words.things)}?",
        "Let's get this in before the release branch cut.",
    ]
    if ref:
        opts.append(f"Could you rebase? This conflicts with #{ref}.")
        opts.append(f"How does this interact with #{ref}?")
    return rnd.choice(opts)


APPROVE_BODIES = ("", "", "", "LGTM", "LGTM, thanks!", "Looks good to me.", "Nice cleanup, thanks!",
                  "Approving; the failing test is unrelated.", "Thanks for the fix!")
CHANGES_BODIES = ("Please add a unit test that covers the new branch.",
                  "This changes the default behaviour; please keep the old default and add a flag.",
                  "We need benchmark numbers before we can merge this.",
                  "This breaks the TP > 1 path, see inline comments.")
COMMENT_BODIES = (
    "",
    "",
    "",
    "",
    "A few comments.",
    "Left some suggestions.",
    "Mostly looks good, a couple of questions.",
)

_VARS = (
    "num_tokens",
    "block_ids",
    "hidden_states",
    "req_id",
    "scale",
    "max_len",
    "batch_size",
    "output",
    "params",
    "seq_lens",
)


def review_comment_body(rnd: random.Random, ctx: Ctx) -> str:
    v = rnd.choice(_VARS)
    return rnd.choice((
        f"nit: can we rename this to `{v}`?", f"Should this handle the case where `{v}` is empty?",
        "This allocates on every step; can we cache it?", "Please add a docstring here.", "Why is this needed?",
        "Can we avoid the extra copy here?", "This breaks when TP > 1, right?",
        f"```suggestion\n        if {v} is None:\n            return\n```", "Could you add a test for this branch?",
        "I think this should be a warning, not an error.",
        f"Let's move this into `{rnd.choice(ctx.words.funcs)}` so both paths share it.",
        f"Is this safe with {rnd.choice(ctx.words.things)}?", "nit: typo", "Can we assert on the shape here?",
    ))


def review_reply_body(rnd: random.Random, sha: str) -> str:
    return rnd.choice(("Done.", "Good catch, fixed.", f"Fixed in {sha[:7]}.", "Updated, thanks!", "Added a test.",
                       "I kept it because the other backend needs it; happy to change if you prefer.", "Done 👍"))


def diff_hunk(rnd: random.Random, ctx: Ctx, path: str, line: int) -> str:
    func = rnd.choice(ctx.words.funcs)
    v = rnd.choice(_VARS)
    w = rnd.choice(_VARS)
    start = max(1, line - 4)
    if path.endswith(".py"):
        body = [
            f" def {func}(self, {v}, {w}=None):",
            f"     if {w} is None:",
            f"-        {w} = self.{v}",
            f"+        {w} = self._get_{v}({v})",
            f"+        assert {w} is not None",
        ]
    elif path.endswith((".cu", ".cpp", ".h", ".cuh")):
        body = [
            f" void {func}(torch::Tensor& {v}, torch::Tensor& {w}) {{",
            f"   const int n = {v}.size(0);",
            f"-  {func}_kernel<<<grid, block>>>({v}.data_ptr(), n);",
            f"+  {func}_kernel<<<grid, block, 0, stream>>>({v}.data_ptr(), n);",
        ]
    else:
        body = [" ", f"-{v}: old", f"+{v}: new", f"+{w}: added"]
    adds = sum(1 for b in body if b.startswith("+"))
    dels = sum(1 for b in body if b.startswith("-"))
    ctxl = len(body) - adds - dels
    return f"@@ -{start},{ctxl + dels} +{start},{ctxl + adds} @@\n" + "\n".join(body)


# ---------------------------------------------------------------- discussion by template

def feature_comment(rnd: random.Random, ctx: Ctx, role: str, ref: int | None = None) -> str:
    """Discussion on a feature request, RFC, doc or misc issue (role: author, maintainer, user)."""
    thing = rnd.choice(ctx.words.things)
    if role == "maintainer":
        opts = [
            "Makes sense to me.",
            "What's the use case exactly? Trying to understand whether the existing options cover it.",
            f"How would this interact with the {thing}?",
            "We need to be careful about the extra overhead here.",
            f"I think this belongs in the {thing} rather than in the entrypoint.",
            "Agreed, the current behaviour is confusing.",
            "Let's keep the default as it is and make this opt-in.",
        ]
        if ref:
            opts.append(f"We have something similar planned in #{ref}.")
        return rnd.choice(opts)
    if role == "author":
        return rnd.choice(
            (
                "The use case is batch evaluation jobs where we can't change the client.",
                "Happy to help test.",
                f"Good point, I hadn't considered the {thing}.",
                "Updated the description with more details.",
                "Any thoughts on this?",
            )
        )
    return rnd.choice(
        (
            "+1, this would be useful for us too.",
            "Would love this.",
            f"We'd use this with the {thing} as well.",
            "👍",
            "Any plans for this?",
            "Another use case: multi-tenant serving.",
        )
    )


def usage_comment(rnd: random.Random, ctx: Ctx, role: str) -> str:
    flag = rnd.choice(ctx.words.flags)
    thing = rnd.choice(ctx.words.things)
    if role == "maintainer":
        return rnd.choice(
            (
                f"You can pass `{flag}`; see the docs for the {thing}.",
                f"That's not supported with the {thing} yet.",
                "Can you share the exact command you ran?",
                f"Try lowering `--gpu-memory-utilization` and set `{flag}`.",
                "This should work on the latest release; which version are you on?",
            )
        )
    if role == "author":
        return rnd.choice(("Thanks, that works!", f"I tried `{flag}` but still get the same behaviour.",
                           "Here is my command: `vllm serve ... --max-model-len 32768`", "Got it, thank you."))
    return rnd.choice(("I have the same question.", f"Also interested, especially for the {thing}.", "+1"))
