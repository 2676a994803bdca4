"""Discourse: plain HTTP on the shared session, and a collector of categories, topics, posts and
authors' profiles with a resumable checkpoint."""

from collectors.discourse.client import DiscourseClient, DiscourseError
from collectors.discourse.collector import DiscourseCollector, DiscourseCollectStats
from collectors.discourse.command import collect_discourse, discourse_url

__all__ = ["DiscourseClient", "DiscourseCollectStats", "DiscourseCollector", "DiscourseError", "collect_discourse",
           "discourse_url"]
