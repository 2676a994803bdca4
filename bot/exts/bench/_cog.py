"""`/bench`: thin over `reports.prepare_for_issue` (stores the job, renders it for its backend),
behind `_access.check_bench_access`. The answer is private and carries the rendered job (SkyPilot
YAML, or the workflow dispatch / local commands as JSON). Launching stays with operators
(`scout bench N --launch`): nothing from chat starts code."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.answers import (
    choices_matching,
    flatten,
    read,
    repo_autocomplete,
    repo_name,
    require_judgement,
    within_deadline,
)
from bot.cooldowns import limited
from bot.exts.bench._access import check_bench_access, trusted_login
from bot.interactions import reply
from bot.posting import Attachment
from config.errors import ReportError
from reports.render.text import safe

if TYPE_CHECKING:
    from bench import BenchJobView
    from bot.app import ScoutBot

BACKENDS = [app_commands.Choice(name=b, value=b) for b in ("skypilot", "github-actions", "local")]


def job_file(job: BenchJobView) -> Attachment:
    ext = "yaml" if job.backend == "skypilot" else "json"
    return Attachment(f"{job.spec.name}.{ext}", job.rendered.encode(), f"bench job {job.id} ({job.backend})")


def summary(job: BenchJobView, who: str) -> str:
    if not job.spec.needed:
        return (f"Bench job **{job.id}** for {safe(job.repo, 100)}#{job.issue_number}: no benchmark needed, "
                f"{safe(job.spec.no_gpu_reason or '', 200)} (requested by {safe(who, 60)}).")
    return (
        f"Bench job **{job.id}** for {safe(job.repo, 100)}#{job.issue_number}: target {safe(job.target, 40)} on "
        f"{safe(job.backend, 20)}, {safe(job.status, 20)} (requested by {safe(who, 60)}). The rendered job is "
        f"attached; an operator launches it with `scout bench {job.issue_number} --backend {job.backend} --launch`."
    )


async def target_autocomplete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    return choices_matching(sorted(interaction.client.services.settings.watch.bench.targets), current)  # type: ignore[attr-defined]


class Bench(commands.Cog):
    def __init__(self, bot: ScoutBot) -> None:
        self.bot = bot

    @app_commands.command(name="bench", description="Create the GPU bench job for an issue (maintainers only)")
    # Hidden from everyone but server admins until they grant it (Server Settings → Integrations), and
    # never in DMs; `check_bench_access` still decides who may, by role and user ids.
    @app_commands.default_permissions()
    @app_commands.guild_only()
    @app_commands.describe(
        issue="The issue or PR number",
        backend="Where it would run (default: the config's)",
        target="A bench target other than the subsystem's",
        repo="OWNER/REPO (default: the first watched repo)",
    )
    @app_commands.choices(backend=BACKENDS)
    @app_commands.autocomplete(target=target_autocomplete, repo=repo_autocomplete)
    @limited(0.5)
    async def bench(
        self,
        interaction: discord.Interaction,
        issue: app_commands.Range[int, 1, 10**9],
        backend: app_commands.Choice[str] | None = None,
        target: app_commands.Range[str, 1, 60] | None = None,
        repo: app_commands.Range[str, 1, 140] | None = None,
    ) -> None:
        """Private answer: the stored job and its rendering, or why the caller may not."""
        from bench import prepare_for_issue
        from reports.render.discord import bench_messages

        services = self.bot.services
        settings = services.settings
        watch = settings.watch
        name = repo_name(watch, repo)
        if target is not None and target not in watch.bench.targets:
            raise ReportError(
                f"unknown bench target {target[:60]!r} (configured: {', '.join(sorted(watch.bench.targets))})"
            )
        chosen = backend.value if backend else watch.bench.default_backend
        user = interaction.user
        role_ids = [r.id for r in getattr(user, "roles", []) if not r.is_default()]  # ids: names prove nothing

        def work(session: Any) -> tuple[str, list[Any], Attachment]:
            who = check_bench_access(watch, trusted_login(session, watch, user.id), user.id, interaction.guild_id,
                                     role_ids)
            stored = require_judgement(session, name)
            job = prepare_for_issue(session, stored, issue, watch, chosen, settings.output_dir, target=target,
                                    requested_by=who)
            return summary(job, who), bench_messages(job), job_file(job)

        text, messages, file = await within_deadline(interaction, lambda: read(services, work), ephemeral=True)
        embeds, _ = flatten(messages)
        await reply(interaction, text, embeds=embeds, files=[file], ephemeral=True)
