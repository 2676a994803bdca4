"""The watched repo's own label rules (mergify, labeler) become predictable subsystems."""

from __future__ import annotations

from pathlib import Path

from classifiers.repo_rules import label_rules, parse_labeler, parse_mergify, repo_taxonomy
from classifiers.subsystem import SOURCE_REPO_RULES, Rules, pull_rule_guesses
from config import load_watch_config
from storage.db import session_scope
from storage.importer import import_dataset
from tests.classifiers.crafted import REPO, Crafted

MERGIFY = """
pull_request_rules:
- name: label-widgets
  conditions:
    - label != stale
    - or:
      - files~=^engine/widgets/
      - files=widgets.toml
      - title~=(?i)\\bwidget
  actions:
    label:
      add:
        - widgets
- name: label-docs
  conditions:
    - files~=^docs/
  actions:
    label:
      add: [documentation]
- name: ping author on conflicts
  conditions:
    - conflict
  actions:
    comment:
      message: please rebase
"""
LABELER = """
gadgets:
- changed-files:
  - any-glob-to-any-file: ['engine/gadgets/**', '!engine/gadgets/README.md']
"""


def test_parse_mergify_and_labeler() -> None:
    rules = parse_mergify(MERGIFY)
    assert [r.label for r in rules] == ["widgets", "documentation"]  # the comment-only rule adds no label
    w = rules[0]
    assert (
        w.matches_path("engine/widgets/a.py")
        and w.matches_path("widgets.toml")
        and not w.matches_path("x/widgets.toml")
    )
    assert w.matches_title("Add a Widget cache") and not rules[1].titles
    g = parse_labeler(LABELER)
    assert [r.label for r in g] == ["gadgets"] and g[0].matches_path("engine/gadgets/x/y.py")
    assert not g[0].matches_path("engine/gizmos/a.py")
    assert parse_mergify("pull_request_rules: [") == [] and label_rules({}) == []


def test_every_rule_label_is_a_subsystem_and_the_bundled_layer_wins() -> None:
    base = load_watch_config().taxonomies["vllm"]
    tax = repo_taxonomy(base, parse_mergify(MERGIFY) + parse_labeler(LABELER))
    assert tax.names[-2:] == ("widgets", "gadgets")
    assert tax.get("documentation") == base.get("documentation")  # already in the bundled taxonomy: unchanged
    assert repo_taxonomy(base, []) is base


def test_stored_rules_label_pull_requests_and_issues(engine, tmp_path: Path) -> None:
    c = Crafted()
    c.pull(10, "Speed up lookups", "dev", ["engine/widgets/cache.py"])
    c.issue(11, "Widget cache grows without bound", "user")
    c.contents[".github/mergify.yml"] = MERGIFY
    import_dataset(engine, c.write(tmp_path / "d"))
    from classifiers.train import RepoContext, load

    ctx = RepoContext.of(load_watch_config(), REPO)
    with session_scope(engine) as s:
        data = load(s, ctx)
    rules = Rules.for_repo(data, ctx.taxonomy)
    assert "widgets" in rules.names and Rules.for_repo(data, ctx.taxonomy) is rules
    guess = pull_rule_guesses(data, rules)[10][0]
    assert (guess.name, guess.source) == ("widgets", SOURCE_REPO_RULES)
    assert rules.from_repo_rules(data.issues[11].title) == {"widgets": 0.9}
