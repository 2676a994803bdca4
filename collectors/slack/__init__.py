"""Slack: slack_sdk's WebClient with its retry handlers, and a collector of users, channels and
messages (threads included) with per-channel checkpoints."""

from collectors.slack.client import SlackError, SlackReader, make_client
from collectors.slack.collector import THREAD_LOOKBACK, SlackCollector, SlackCollectStats
from collectors.slack.command import collect_slack, slack_token

__all__ = ["THREAD_LOOKBACK", "SlackCollectStats", "SlackCollector", "SlackError", "SlackReader", "collect_slack",
           "make_client", "slack_token"]
