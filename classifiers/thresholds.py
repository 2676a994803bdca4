"""The judgement thresholds that readers of the stored results apply (no heavy imports: the bot and
the reports read them).

- `SAFE_PICK_PROBABILITY`: a good-first-issue probability at or above it makes an issue a safe first
  pick. The probabilities are calibrated (sigmoid calibration on held-out folds, blended with the
  cross-project prior in log-odds), so 0.3 reads "about one in three issues scored like this one
  were labelled good first issues": six times the usual base rate of about 5 %. Below it an issue
  may still be shown, as a "stretch" pick that says so.
- `LISTED_SUBSYSTEM_CONFIDENCE`: a subsystem guess below it is not listed for an issue (not even
  the best one: a weak guess must not send people to the wrong owners).
"""

SAFE_PICK_PROBABILITY = 0.3
LISTED_SUBSYSTEM_CONFIDENCE = 0.3
