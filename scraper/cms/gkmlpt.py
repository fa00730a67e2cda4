"""Guangdong 集约化 "gkmlpt" (政府信息公开目录平台) columns and their JSON list API.

PORTALS.md §4 (from several independent crawlers' code and tests): a column is
``<base>/gkmlpt/index#<category_id>``; the page's inline JS holds the site id as ``SID: '<digits>'``
and the column tree as JSON in ``window._CONFIG.TREE``. The list itself is not in the HTML but
comes from ``<base>/gkmlpt/api/all/<category_id>?page=<n>&sid=<sid>`` (category 0 = all columns),
answering ``{"total": 145, "articles": [{"id", "title", "url" (or "post_url"), "created_at",
"create_time"}, …]}``. Some sites answer every article on page 1 (and 404 for page ≥ 2), so the
next page is asked for only while fewer than ``total`` articles have been seen. Titles in some
answers come %u-escaped (``%u5E74``). Articles are ``…/gkmlpt/content/<a>/<b>/post_<id>.html``.
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .common import (MAX_LIST_PAGES, find_date, items_from_anchors, link_kind, note_bad, parse_html,
                     resolve)
from .types import Listing, ListingItem, PageRequest

ARTICLE_URL_RE = re.compile(r"/content/(?:\d+/)*post_\d+\.html?(?:$|\?)")
# The platform root: everything up to and including "/gkmlpt/" (the site may sit under a unit path,
# https://www.dabu.gov.cn/mzdpshzzf/gkmlpt/…).
ROOT_RE = re.compile(r"^(.*?/gkmlpt/)")
API_PATH_RE = re.compile(r"/gkmlpt/api/all/(\d+)$")
API_TEMPLATE = "{root}api/all/{category}"
# Site id in the page's inline JS: SID: '755032' / "SID":"755032" / SID = 755032.
SID_RE = re.compile(r"""\bSID['"]?\s*[:=]\s*['"]?(\d+)""")
# The column tree: TREE: [...] / _CONFIG.TREE = [...] (a JSON value, decoded from its first bracket).
TREE_RE = re.compile(r"""\bTREE['"]?\s*[:=]\s*(?=[\[{])""")
# A column in the tree: id under one of these keys, name under one of those, children under the last.
NODE_ID_KEYS = ("id", "cid", "category_id", "catId")
NODE_NAME_KEYS = ("name", "title", "text", "label")
NODE_CHILD_KEYS = ("children", "child", "nodes", "sub")
# Tree nodes that are the annual-report column (the spider wants these, not category 0 = everything).
REPORT_NODE_RE = re.compile(r"年报|年度报告")
# Leading digits of the URL fragment: #2590, #2590/1.
FRAGMENT_CATEGORY_RE = re.compile(r"^(\d+)")
ALL_CATEGORIES = "0"
# %u5E74-style escapes (JavaScript escape()) in API titles.
PERCENT_U_RE = re.compile(r"%u([0-9A-Fa-f]{4})")
ARTICLE_URL_KEYS = ("url", "post_url", "link")
DATE_KEYS = ("created_at", "publish_time", "date", "first_publish_time")
EPOCH_KEYS = ("create_time", "publish_time", "first_publish_time")
CHINA_TZ = timezone(timedelta(hours=8))
DETECT_RE = re.compile(r"/gkmlpt/|window\._CONFIG\b")


def matches(text: str, url: str) -> bool:
    return "/gkmlpt/" in urlsplit(url).path or bool(DETECT_RE.search(text) and SID_RE.search(text))


def is_api_url(url: str) -> bool:
    return bool(API_PATH_RE.search(urlsplit(url).path))


def _tree(text: str):
    m = TREE_RE.search(text)
    if not m:
        return None
    try:
        return json.JSONDecoder().raw_decode(text, m.end())[0]
    except ValueError:
        return None


def _first(d: dict, keys):
    return next((d[k] for k in keys if d.get(k) not in (None, "")), None)


def report_categories(text: str) -> list[str]:
    """Ids of the tree's columns named like the annual-report column (年报/年度报告)."""
    out, stack = [], [_tree(text)]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(reversed(node))
        elif isinstance(node, dict):
            name, cid = _first(node, NODE_NAME_KEYS), _first(node, NODE_ID_KEYS)
            if isinstance(name, str) and REPORT_NODE_RE.search(name) and str(cid).isdigit():
                out.append(str(cid))
            for key in NODE_CHILD_KEYS:
                if isinstance(node.get(key), (list, dict)):
                    stack.append(node[key])
    return list(dict.fromkeys(out))


def api_request(root: str, category: str, page: int, sid: str | None) -> PageRequest:
    query = {"page": page, **({"sid": sid} if sid else {})}
    return PageRequest(f"{API_TEMPLATE.format(root=root, category=category)}?{urlencode(query)}")


def column_requests(text: str, url: str) -> list[PageRequest]:
    """Page 1 of the API list for the column: the URL fragment's category, else the tree's
    年报 columns, else category 0 (all). Without a SID the request is made without it."""
    m = ROOT_RE.match(url.split("#", 1)[0])
    if not m:
        return []
    fragment = urlsplit(url).fragment
    fm = FRAGMENT_CATEGORY_RE.match(fragment)
    categories = [fm.group(1)] if fm else (report_categories(text) or [ALL_CATEGORIES])
    sid_m = SID_RE.search(text)
    return [api_request(m.group(1), c, 1, sid_m.group(1) if sid_m else None) for c in categories]


def parse(text: str, url: str) -> Listing:
    """A gkmlpt column page: any post links in its HTML, and the API requests for its list."""
    bad: dict[str, str] = {}
    items = items_from_anchors(parse_html(text).iter("a"), url, ARTICLE_URL_RE, bad)
    return Listing(family="gkmlpt", items=items, next_pages=column_requests(text, url), bad_links=list(bad.items()))


def _date(article: dict) -> str | None:
    for key in DATE_KEYS:
        if isinstance(article.get(key), str) and (d := find_date(article[key])):
            return d
    for key in EPOCH_KEYS:
        value = article.get(key)
        if isinstance(value, (int, float)) and 0 < value < 1e11:
            return datetime.fromtimestamp(value, CHINA_TZ).strftime("%Y-%m-%d")
    return None


def unescape_title(title: str) -> str:
    return PERCENT_U_RE.sub(lambda m: chr(int(m.group(1), 16)), title).strip()


def parse_gkmlpt_api(body: bytes | str, url: str) -> Listing:
    """Items (title, post URL, date) of one JSON API answer and the next API page while fewer
    than ``total`` articles have been seen. A body that is not the expected JSON gives an empty
    listing (never an exception)."""
    if isinstance(body, bytes):
        body = body.decode("utf-8-sig", errors="replace")
    try:
        data = json.loads(body)
    except ValueError:
        return Listing(family="gkmlpt")
    articles = data.get("articles") if isinstance(data, dict) else None
    if not isinstance(articles, list):
        return Listing(family="gkmlpt")
    bad: dict[str, str] = {}
    items: dict[str, ListingItem] = {}
    for article in articles:
        if not isinstance(article, dict):
            continue
        href = _first(article, ARTICLE_URL_KEYS)
        title = _first(article, ("title",))
        if not isinstance(href, str) or not isinstance(title, str):
            continue
        link, reason = resolve(href, url)
        if reason:
            note_bad(bad, href, reason)
        if link and unescape_title(title):
            items.setdefault(link, ListingItem(link, unescape_title(title), _date(article), link_kind(link)))
    return Listing(family="gkmlpt", items=list(items.values()), next_pages=_next_api_page(data, articles, url),
                   bad_links=list(bad.items()))


def _next_api_page(data: dict, articles: list, url: str) -> list[PageRequest]:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    try:
        page, total = int(query.get("page", 1)), int(data.get("total") or 0)
    except (TypeError, ValueError):
        return []
    # Pages are full except the last: page N holding k articles means N*k seen at most.
    if not articles or page * len(articles) >= total or page >= MAX_LIST_PAGES:
        return []
    query["page"] = str(page + 1)
    return [PageRequest(urlunsplit(parts._replace(query=urlencode(query))))]
