"""`scout prior build` (and `scout prior show`): the cross-project good-first-issue prior."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from cli._app import app, console, out, settings
from config.errors import ClassifierError

prior_app = typer.Typer(help="The good-first-issue prior learned across many projects.", no_args_is_help=True)
app.add_typer(prior_app, name="prior")


def _manifest_projects(path: Path) -> list[str]:
    projects: dict[str, None] = {}
    try:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                projects.setdefault(str(json.loads(line)["repo"]), None)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ClassifierError(f"cannot read the prior's manifest {path}: {exc}") from exc
    return list(projects)


@prior_app.command("build")
def build_cmd(
    repos: Annotated[
        str | None,
        typer.Option(
            "--repos",
            help="OWNER/REPO,OWNER/REPO,... to learn from through the GitHub API (SCOUT_GITHUB_API_URL); "
            "default: the projects in the shipped manifest.",
        ),
    ] = None,
    records: Annotated[
        Path | None,
        typer.Option("--records", help="Learn from a file of gathered records (JSON lines) instead of the API."),
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Where to write prior.skops, card.json and manifest.jsonl (default: the shipped prior)."
        ),
    ] = None,
    folds: Annotated[
        int, typer.Option("--folds", min=2, help="Project groups for the leave-projects-out figures.")
    ] = 10,
    max_issues: Annotated[
        int, typer.Option("--max-issues", min=1, help="Issues read per project, newest first.")
    ] = 1000,
    as_json: Annotated[bool, typer.Option("--json", help="Print the card as JSON.")] = False,
) -> None:
    """Fit the prior from many projects' labelled issues and write it with its data card and manifest."""
    from classifiers.prior import model as pm
    from classifiers.prior.build import build_prior, read_records, write_prior

    target = out_dir or pm.DATA_DIR
    if records is not None:
        if repos:
            raise typer.BadParameter("give --repos or --records, not both")
        if not records.is_file():
            raise ClassifierError(f"no records file at {records}")
        examples = read_records(records)
        source = f"records file {records.name}"
    else:
        from classifiers.prior.github_source import fetch_examples
        from collectors.github import GitHubClient

        names = [r.strip() for r in repos.split(",") if r.strip()] if repos else _manifest_projects(pm.MANIFEST_PATH)
        if not names:
            raise typer.BadParameter("no projects to learn from")
        s = settings()
        token = s.github_token.get_secret_value() if s.github_token else None
        client = GitHubClient(s.github_api_url, token)
        try:
            examples, failed = fetch_examples(client, names, max_issues=max_issues,
                                              progress=lambda r: console.print(f"reading {r}", highlight=False))
        finally:
            client.close()
        for repo, why in failed.items():
            console.print(f"[yellow]skipped {repo}:[/] {why}", highlight=False)
        source = f"GitHub API, {len(names) - len(failed)} of {len(names)} projects"
    build = build_prior(examples, source=source, folds=folds)
    model_path, card_path, manifest_path = write_prior(build, target)
    card = json.loads(card_path.read_text(encoding="utf-8"))
    if as_json:
        out.print(json.dumps(card, indent=1))
        return
    bp = card["by_project"]["pooled"]
    out.print(
        f"prior: {card['examples']} issues ({card['positives']} good first issues) from {card['projects']} projects"
    )
    out.print(f"leave-projects-out ({card['by_project']['k']} groups): ROC-AUC {bp['roc_auc']}, PR-AUC {bp['pr_auc']}, "
              f"P@5 {bp['p_at_5']}")
    out.print(f"wrote {model_path}, {card_path.name}, {manifest_path.name}")


@prior_app.command("show")
def show_cmd() -> None:
    """Print the shipped prior's data card (what it learned from, how well it carries)."""
    from classifiers.prior import model as pm

    if not pm.CARD_PATH.is_file():
        raise ClassifierError("no prior ships with this install; run `scout prior build`")
    out.print(pm.CARD_PATH.read_text(encoding="utf-8"))


@prior_app.command("score")
def score_cmd(
    dataset: Annotated[Path, typer.Argument(help="A dataset directory with truth.json (good_first_issue lists).")],
) -> None:
    """How the shipped prior alone ranks a labelled repo's issues (ROC-AUC, PR-AUC, P@5), as JSON."""
    from classifiers.prior import load_prior
    from classifiers.prior.evaluate import score_export

    model = load_prior()
    if model is None:
        raise ClassifierError("no prior ships with this install; run `scout prior build`")
    truth = dataset / "truth.json"
    if not truth.is_file():
        raise ClassifierError(f"no truth.json in {dataset}: nothing to score against")
    try:
        result = score_export(model, dataset, truth)
    except (OSError, ValueError, KeyError) as exc:
        raise ClassifierError(f"cannot score {dataset}: {exc}") from exc
    out.print(json.dumps(result))
