"""A good-first-issue prior learned across many open-source projects, for repos with little history.

`IssueThread` is a neutral snapshot of one issue as it looked when it was opened (or labelled),
independent of any one project's conventions; `thread_features` turns threads into the row matrix
the shipped estimator reads; `load_prior` returns that estimator (a fitted scikit-learn pipeline
with `predict_proba`) or None when no prior ships. Rows: column 0 is the cleaned text (title,
prose, identifiers, label and form tokens), the rest are the numbers named in `NUMERIC`.

    prior = load_prior()
    if prior is not None:
        p = prior.predict_proba(thread_features(threads))[:, 1]
"""

from classifiers.prior.features import NUMERIC, IssueThread, is_target_label, thread_features
from classifiers.prior.model import PRIOR_PATH, TRUSTED_TYPES, load_prior, prior_probability

__all__ = [
    "NUMERIC", "PRIOR_PATH", "TRUSTED_TYPES", "IssueThread", "is_target_label", "load_prior", "prior_probability",
    "thread_features",
]
