"""A loopback Slack Web API serving a dataset's `slack/` part; see `server.py`."""

from sandbox.slack.server import METHOD_TIER, TIERS, SlackSandbox, start, tier_limiter

__all__ = ["METHOD_TIER", "TIERS", "SlackSandbox", "start", "tier_limiter"]
