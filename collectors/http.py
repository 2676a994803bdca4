"""The shared HTTP session for sources spoken to over plain HTTP (Discourse): keep-alive, a timeout,
urllib3 retries of dropped connections, 429 (after its `Retry-After`) and 5xx, and a User-Agent."""

from __future__ import annotations

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

USER_AGENT = "oss-scout (+https://github.com/oss-scout)"
TIMEOUT_S = 30.0


def http_session(*, retries: int = 5, backoff: float = 0.2, max_retry_after: float = 120.0) -> requests.Session:
    """A `requests.Session` that retries GETs on connection errors, 429 and 5xx (honouring Retry-After)."""
    retry = Retry(total=retries, connect=retries, read=retries, status=retries, backoff_factor=backoff,
                  status_forcelist=(429, 500, 502, 503, 504), allowed_methods=frozenset({"GET", "HEAD"}),
                  respect_retry_after_header=True, raise_on_status=False, backoff_max=max_retry_after)
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry, pool_connections=4, pool_maxsize=8)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = USER_AGENT
    return session
