"""Pagination as GitHub does it: `per_page` (default 30, at most 100), 1-based `page`, and a `Link`
header whose URLs repeat the request's query with `page` replaced (`prev`, `next`, `last`, `first`,
in GitHub's order)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, TypeVar
from urllib.parse import urlencode

T = TypeVar("T")

DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 100


def _int_param(value: str | None, default: int) -> int:
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        return default


def page_params(query: Any) -> tuple[int, int]:
    """(per_page, page) from a query mapping; out-of-range values are clamped as GitHub does."""
    per_page = _int_param(query.get("per_page"), DEFAULT_PER_PAGE)
    per_page = DEFAULT_PER_PAGE if per_page <= 0 else min(per_page, MAX_PER_PAGE)
    page = max(1, _int_param(query.get("page"), 1))
    return per_page, page


def page_of(items: Sequence[T], per_page: int, page: int) -> list[T]:
    start = (page - 1) * per_page
    return list(items[start:start + per_page])


def last_page(total: int, per_page: int) -> int:
    return max(1, math.ceil(total / per_page))


def link_header(
    url_base: str, query_pairs: Sequence[tuple[str, str]], page: int, total: int, per_page: int
) -> str | None:
    """GitHub's `Link` header for `page` of `total` items, or None when everything fits on one page."""
    last = last_page(total, per_page)
    if last <= 1 and page <= 1:
        return None

    def url(p: int) -> str:
        pairs = []
        replaced = False
        for k, v in query_pairs:
            if k == "page":
                if not replaced:
                    pairs.append(("page", str(p)))
                    replaced = True
            else:
                pairs.append((k, v))
        if not replaced:
            pairs.append(("page", str(p)))
        return f"<{url_base}?{urlencode(pairs)}>"

    links = []
    if page > 1:
        links.append(f'{url(min(page - 1, last))}; rel="prev"')
    if page < last:
        links.append(f'{url(page + 1)}; rel="next"')
        links.append(f'{url(last)}; rel="last"')
    if page > 1:
        links.append(f'{url(1)}; rel="first"')
    return ", ".join(links)
