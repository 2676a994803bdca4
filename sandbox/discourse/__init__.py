"""A loopback Discourse JSON API serving a dataset's `discourse/` part; see `server.py`."""

from sandbox.discourse.server import CHUNK, PER_PAGE, DiscourseSandbox, ip_limiter, start

__all__ = ["CHUNK", "PER_PAGE", "DiscourseSandbox", "ip_limiter", "start"]
