"""oss-scout's judgement stage: subsystem of every issue and PR, maintainers by subsystem with
evidence, good-first-issue likelihood, and claims/blockers/acknowledgements in threads.

Data flow (I/O only at the ends):

    storage.history.load_repo (bulk queries, in storage) -> RepoData
      -> subsystem.label_all   rules (labels, CODEOWNERS-style paths, title tags, PR links,
                               keywords) + a text model (hashed TF-IDF -> one-vs-rest logistic)
      -> ownership.compute     weighted, recency-decayed actions per (person, subsystem)
      -> signals.read_threads  claims, blockers, maintainer acks (regex rules)
      -> gfi.score             the cross-project prior adapted by the repo's own evidence
    -> classify.store (judgement tables)  /  service.* (read API for reports and the bot)

`GoodFirstIssueModel` and `SubsystemModel` are the two fitted models, as scikit-learn estimators.
`train` fits and saves the models (skops + card, `persist`), `classify` applies them, and
`experiment` runs `scout eval` (metrics in `evaluate`). `paths` and `codeowners` implement
CODEOWNERS semantics; `features` holds the stateless text extractors.
"""

from typing import Any

__all__ = ["GoodFirstIssueModel", "SubsystemModel"]


def __getattr__(name: str) -> Any:
    """The estimators, imported on first use (scikit-learn is heavy; the bot reads stored results only)."""
    if name == "GoodFirstIssueModel":
        from classifiers.gfi import GoodFirstIssueModel

        return GoodFirstIssueModel
    if name == "SubsystemModel":
        from classifiers.subsystem import SubsystemModel

        return SubsystemModel
    raise AttributeError(f"module 'classifiers' has no attribute {name!r}")
