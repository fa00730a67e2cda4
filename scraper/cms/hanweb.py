"""Hanweb / 大汉 JCMS column pages and ``dataproxy.jsp`` responses.

PORTALS.md §1: articles ``/art/YYYY/M/D/art_<columnid>_<articleid>.html`` (month/day not
zero-padded), columns ``/col/col<columnid>/index.html``. The column's records are not in the
page's HTML but in ``<script type="text/xml"><datastore>…<recordset><record><![CDATA[<li>…]]>``
(lxml sees that script as opaque text, so records are cut out with a regex and each CDATA
fragment is parsed as HTML). Further records come from the jpage proxy
``/module/web/jpage/dataproxy.jsp?startrecord=…&endrecord=…&perpage=…`` plus the column's
``columnid``/``webid``/``unitid`` (values embedded in the column page's ``<script>``); its
response is the bare ``<datastore>`` XML. Detection heuristic from public code:
"jpage"/"dataproxy.jsp" in the body ⇒ Hanweb jpage.
"""
from __future__ import annotations

import re
from urllib.parse import urlencode, urljoin

from .common import dedupe, items_from_anchors, parse_html
from .types import Listing

ARTICLE_URL_RE = re.compile(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html?(?:$|\?)")
RECORD_RE = re.compile(r"<record[^>]*>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
DATASTORE_RE = re.compile(r"<datastore\b", re.I)
# jpage settings in the column page's inline script, as ``key: value`` (jpage options object)
# or ``var key = value`` / ``key=value`` (URL query inside the nextgroup CDATA). Case-insensitive:
# jpage writes totalRecord/perPage, the proxy query startrecord/perpage/columnid.
SETTING_RE = r"\b{key}\b['\"]?\s*[:=]\s*['\"]?(\d+)"
TOTAL_KEYS = ("totalRecord", "totalrecord")
PERPAGE_KEYS = ("perPage", "perpage")
GROUP_KEYS = ("groupSize",)  # jpage fetches perPage*groupSize records per proxy request
ID_KEYS = ("columnid", "webid", "unitid")
# Where the proxy lives: the jpage option proxyUrl, else any dataproxy.jsp path in the page,
# else the default Hanweb path (PORTALS.md §1).
PROXY_URL_RE = re.compile(r"proxyUrl['\"]?\s*:\s*['\"]([^'\"]+)['\"]")
PROXY_PATH_RE = re.compile(r"['\"=]\s*(/[\w/.-]*?dataproxy\.jsp)")
DEFAULT_PROXY = "/module/web/jpage/dataproxy.jsp"
# Fixed form fields real jpage posts with every proxy request (PORTALS.md §1).
FIXED_PARAMS = {"col": "1", "appid": "1", "path": "/", "sourceContentType": "1", "permissiontype": "0"}
DETECT_RE = re.compile(r"dataproxy\.jsp|\bjpage\b|<datastore\b|/col/col\d+/|/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+")


def matches(text: str, url: str) -> bool:
    return bool(DETECT_RE.search(text)) or "/col/col" in url or "dataproxy.jsp" in url


def _setting(text: str, keys) -> int | None:
    for key in keys:
        m = re.search(SETTING_RE.format(key=key), text)
        if m:
            return int(m.group(1))
    return None


def records(text: str) -> list[str]:
    """HTML fragments of every ``<record>`` of the page's datastore(s)."""
    return RECORD_RE.findall(text)


def proxy_urls(text: str, url: str, shown: int) -> list[str]:
    """dataproxy.jsp GET URLs for the records after the ``shown`` ones already on the page."""
    total, perpage = _setting(text, TOTAL_KEYS), _setting(text, PERPAGE_KEYS)
    if not total or not perpage or "dataproxy.jsp" in url:
        return []
    step = perpage * (_setting(text, GROUP_KEYS) or 1)
    shown = max(shown, min(step, total))
    ids = {k: _setting(text, (k,)) for k in ID_KEYS}
    m = PROXY_URL_RE.search(text) or PROXY_PATH_RE.search(text)
    proxy = urljoin(url, m.group(1) if m else DEFAULT_PROXY)
    out = []
    for start in range(shown + 1, total + 1, step):
        q = {"startrecord": start, "endrecord": min(start + step - 1, total), "perpage": perpage}
        q.update(FIXED_PARAMS)
        q.update({k: v for k, v in ids.items() if v is not None})
        out.append(f"{proxy}?{urlencode(q)}")
    return out


def parse(text: str, url: str) -> Listing:
    recs = records(text)
    items = []
    for frag in recs:
        items.extend(items_from_anchors(parse_html(frag).iter("a"), url, ARTICLE_URL_RE))
    if not recs and not DATASTORE_RE.search(text):
        # A Hanweb page without a datastore (a static list): article-shaped links.
        items = items_from_anchors(parse_html(text).iter("a"), url, ARTICLE_URL_RE)
    items = list({i.url: i for i in reversed(items)}.values())[::-1]  # dedupe, keep first
    return Listing(family="hanweb", items=items, next_pages=dedupe(proxy_urls(text, url, len(recs)), exclude=url))
