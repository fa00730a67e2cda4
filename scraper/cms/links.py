"""Report columns linked from a portal homepage (columns to follow, not reports)."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from . import hanweb, trs, vsb
from .common import SKIP_HREF_RE, absolute, link_title, parse_html
from .types import ListingItem
from parsing.encoding import decode_html

# Link texts naming the annual-report column: 政府信息公开年报, 信息公开年度报告, 年报 …
COLUMN_TEXT_RE = re.compile(r"年报|年度报告")
# Column path segments seen for report columns (PORTALS.md): xxgknb (鄂尔多斯, 保康, 海口人社),
# zfxxgknb (桐梓, 城口, 晋安, 德化), ndbg (闽侯, 美兰), gknb (宜门 gknb), xxgkndbg (合江), zfxxgkndbg (清河).
COLUMN_PATH_RE = re.compile(r"(?:^|[/_.-])(?:zf)?(?:xxgknb|xxgkndbg|ndbg|gknb)(?:$|[/_.?-])", re.I)
# Report pages themselves (article URL shapes of the known families) are not columns.
ARTICLE_RES = (trs.ARTICLE_URL_RE, hanweb.ARTICLE_URL_RE, vsb.ARTICLE_URL_RE)


def find_column_links(body: bytes | str, url: str) -> list[ListingItem]:
    """Homepage links to report columns: text contains 年报/年度报告, or the path has a
    known report-column segment. Article-shaped URLs are skipped; deduplicated by URL."""
    text, _ = decode_html(body)
    out: dict[str, ListingItem] = {}
    for a in parse_html(text).iter("a"):
        href = a.get("href")
        if not href or SKIP_HREF_RE.match(href):
            continue
        link = absolute(href, url)
        title = link_title(a)
        if not (COLUMN_TEXT_RE.search(title) or COLUMN_PATH_RE.search(urlsplit(link).path)):
            continue
        if any(r.search(link) for r in ARTICLE_RES) or link == url:
            continue
        out.setdefault(link, ListingItem(url=link, title=title, date=None))
    return list(out.values())
