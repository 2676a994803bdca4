"""`scout train`, `scout classify`, `scout maintainers` and `scout eval` (the judgement stage)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from cli._app import app, check_subsystems, console, engine, out, settings
from config.errors import ClassifierError

RepoOpt = Annotated[str | None, typer.Option("--repo", help="OWNER/REPO (default: every enabled repo that is stored).")]


def _repos(repo: str | None) -> list[str]:
    """The repos to work on: the one asked for, or every enabled repo with stored data."""
    from storage.db import session_scope
    from storage.read import stored_repos

    if repo:
        return [repo]
    with session_scope(engine()) as s:
        stored = {r.lower(): r for r in stored_repos(s)}
    names = [stored[r.name.lower()] for r in settings().watch.enabled_repos if r.name.lower() in stored]
    if not names:
        raise ClassifierError("no watched repo has stored data yet; run `scout import DIR` or `scout collect github`")
    return names


@app.command("train")
def train_cmd(repo: RepoOpt = None) -> None:
    """Fit the subsystem and good-first-issue models on the stored history (saved with skops)."""
    from pipeline import sessions_for, train_repo

    s = settings()
    sessions = sessions_for(engine())
    for name in _repos(repo):
        models = train_repo(s, sessions, name, s.present())
        for model_name, metrics in models.metrics.items():
            shown = {k: (round(v, 3) if isinstance(v, float) else v) for k, v in metrics.items()}
            out.print(f"{name} {model_name} {models.versions.get(model_name, '')}: {shown}", markup=False)


@app.command("classify")
def classify_cmd(
    repo: RepoOpt = None,
    full: Annotated[
        bool, typer.Option("--full", help="Recompute every item, not only those changed since the last run.")
    ] = False,
    retrain: Annotated[
        bool,
        typer.Option("--retrain", help="Fit the models first, on the same loaded data (train + classify in one pass)."),
    ] = False,
) -> None:
    """Label subsystems, score ownership, read open threads and score good first issues; store them."""
    from pipeline import classify_repo, sessions_for

    s = settings()
    sessions = sessions_for(engine())
    for name in _repos(repo):
        summary = classify_repo(s, sessions, name, s.present(), retrain=retrain, full=full)
        if summary.retrained:
            console.print(Text.assemble(("retrained:", "yellow"), f" {summary.retrained}"), highlight=False)
        out.print(f"{name}: " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in summary.stored.items())
                  + f" ({summary.seconds:.1f} s)", markup=False)


@app.command("maintainers")
def maintainers_cmd(
    subsystem: Annotated[str, typer.Argument(help="A subsystem name from the taxonomy (or one of its labels).")],
    top: Annotated[int, typer.Option("--top", min=1, max=100, help="How many people to list.")] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    repo: Annotated[str | None, typer.Option("--repo", help="OWNER/REPO (default: the first enabled repo).")] = None,
) -> None:
    """Who really owns a subsystem (from `scout classify`), with evidence and declared owners."""
    from reports import maintainers_report
    from storage.db import session_scope

    s = settings()
    check_subsystems(s.watch, repo, [subsystem])
    name = repo or _repos(None)[0]
    with session_scope(engine()) as session:
        report = maintainers_report(session, s.watch, subsystem, s.present(), name, top)
    if as_json:
        out.print(json.dumps(report.as_dict(), indent=2, sort_keys=True), markup=False, emoji=False)
        return
    table = Table(title=f"{report.repo} · {report.subsystem} · top {top}")
    for col in ("login", "score", "evidence", "last active", "declared"):
        table.add_column(col)
    for m in report.maintainers:
        e = m.evidence
        parts = [
            f"{e[k]} {label}"
            for k, label in (
                ("approvals", "approvals"),
                ("changes_requested", "change requests"),
                ("review_comments", "review comments"),
                ("merges", "merges"),
                ("triage", "triage"),
                ("thread_answers", "thread answers"),
                ("chat_answers", "chat answers"),
                ("authored", "PRs authored"),
            )
            if e.get(k)
        ]
        if e.get("median_first_review_hours") is not None:
            parts.append(f"first review in {e['median_first_review_hours']} h (median)")
        table.add_row(m.login, f"{m.score:.2f}", ", ".join(parts) or "-", str(e.get("last_active") or "-")[:10],
                      "yes" if m.declared else "no")
    out.print(table)
    if report.declared:
        out.print(f"declared (CODEOWNERS): {', '.join(report.declared)}", markup=False)
    if report.declared_inactive:
        out.print(f"declared but inactive: {', '.join(report.declared_inactive)}", markup=False)
    if report.active_undeclared:
        out.print(f"active but not declared: {', '.join(report.active_undeclared)}", markup=False)
    if not report.maintainers:
        console.print(f"no recorded activity in {report.subsystem} yet", highlight=False, markup=False)


@app.command("eval")
def eval_cmd(
    dataset: Annotated[
        Path | None, typer.Argument(help="With --cv: the dataset directory to cross-validate on.")
    ] = None,
    train_dir: Annotated[Path | None, typer.Option("--train", help="Dataset directory to train on.")] = None,
    test_dir: Annotated[
        Path | None, typer.Option("--test", help="Dataset directory to score (with truth.json).")
    ] = None,
    cv: Annotated[
        int | None,
        typer.Option("--cv", min=2, max=100, help="K-fold cross-validation on DATASET, folds split by time."),
    ] = None,
    by_project: Annotated[
        bool, typer.Option("--by-project", help="Add the cross-project prior's leave-one-project-out figures.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Score the classifiers against planted or labelled truth (throw-away databases; nothing else touched)."""
    from classifiers.experiment import evaluate_cv, evaluate_split

    watch = settings().watch

    def progress(msg: str) -> None:
        console.print(f"eval: {msg}", highlight=False, markup=False)

    result: dict = {}
    if by_project and cv is None and dataset is None and not (train_dir or test_dir):
        pass  # the prior's figures alone
    elif cv is not None:
        if dataset is None or train_dir or test_dir:
            raise typer.BadParameter("use either `--cv K DATASET` or `--train DIR --test DIR`")
        result = evaluate_cv(dataset, cv, watch, progress=progress)
    else:
        if not (train_dir and test_dir) or dataset is not None:
            raise typer.BadParameter("use either `--cv K DATASET` or `--train DIR --test DIR`")
        result = evaluate_split(train_dir, test_dir, watch, progress=progress)
    if by_project:
        from classifiers.prior.evaluate import by_project as prior_by_project

        progress("prior, leave one project out")
        result["by_project"] = prior_by_project()
    if as_json:
        out.print(json.dumps(result, sort_keys=True), markup=False, emoji=False)
        return
    table = Table(title="scout eval")
    table.add_column("section")
    table.add_column("figures")
    for section, figs in result.items():
        if not isinstance(figs, dict):
            table.add_row(section, str(figs))
            continue
        table.add_row(section, ", ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in figs.items()
                                         if not isinstance(v, dict | list)))
    out.print(table)
