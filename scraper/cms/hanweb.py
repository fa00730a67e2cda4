"""Hanweb / 大汉 JCMS column pages and ``dataproxy.jsp`` responses.

PORTALS.md §1: articles ``/art/YYYY/M/D/art_<columnid>_<articleid>.html`` (month/day not
zero-padded), columns ``/col/col<columnid>/index.html``. The column's records are not in the
page's HTML but in ``<script type="text/xml"><datastore>…<recordset><record><![CDATA[<li>…]]>``
(lxml sees that script as opaque text, so records are cut out with a regex and each CDATA
fragment is parsed as HTML). Further records come from the jpage proxy
``/module/web/jpage/dataproxy.jsp?startrecord=…&endrecord=…&perpage=…`` plus the column's
``columnid``/``webid``/``unitid`` (values embedded in the column page's ``<script>``); its
response is the bare ``<datastore>`` XML. Real jpage POSTs the column's fields as a form
(``col=1&appid=1&webid=…&path=/&columnid=…&sourceContentType=1&unitid=…&webname=…&permissiontype=0``)
with only startrecord/endrecord/perpage in the query string; some portals answer the GET variant
only, so every POST request carries a GET fallback with all fields in the query string.
Detection heuristic from public code: "jpage"/"dataproxy.jsp" in the body ⇒ Hanweb jpage.
"""
from __future__ import annotations

import re
from urllib.parse import urlencode, urljoin

from .common import MAX_LIST_PAGES, dedupe_requests, items_from_anchors, parse_html
from .types import Listing, PageRequest

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
# The form fields real jpage sends with every proxy request (PORTALS.md §1), in that order.
FORM_FIELDS = ("col", "appid", "webid", "path", "columnid", "sourceContentType", "unitid", "webname", "permissiontype")
# A field's value in the page's script: ajaxParam {webid: 1, webname: '云岭县', path: '/'} or the
# nextgroup query ...&webid=1&webname=云岭县&... (quoted value, else up to the next delimiter).
FIELD_RE = r"""[?&{{,\s'"]{key}['"]?\s*[:=]\s*(?:'([^']*)'|"([^"]*)"|([^\s'"&,;}}<\]]+))"""
COLUMN_URL_RE = re.compile(r"/col/col(\d+)/")
SITE_NAME_RE = re.compile(r"<meta\s+name=['\"]SiteName['\"]\s+content=['\"]([^'\"]*)['\"]", re.I)
# Where the proxy lives: the jpage option proxyUrl, else any dataproxy.jsp path in the page,
# else the default Hanweb path (PORTALS.md §1).
PROXY_URL_RE = re.compile(r"proxyUrl['\"]?\s*:\s*['\"]([^'\"]+)['\"]")
PROXY_PATH_RE = re.compile(r"['\"=]\s*(/[\w/.-]*?dataproxy\.jsp)")
DEFAULT_PROXY = "/module/web/jpage/dataproxy.jsp"
# Fixed form fields real jpage posts with every proxy request (PORTALS.md §1).
# Fixed form fields real jpage posts with every proxy request (PORTALS.md §1): the defaults when
# the page does not spell them out.
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


def form_fields(text: str, url: str) -> dict[str, str]:
    """The jpage form of the column: values from the page's script, else the fixed defaults,
    the column id from the URL and the site name from ``<meta name="SiteName">``."""
    form: dict[str, str] = {}
    for key in FORM_FIELDS:
        m = re.search(FIELD_RE.format(key=re.escape(key)), text)
        if m:
            form[key] = next(g for g in m.groups() if g is not None).strip()
        elif key in FIXED_PARAMS:
            form[key] = FIXED_PARAMS[key]
    if "columnid" not in form and (m := COLUMN_URL_RE.search(url)):
        form["columnid"] = m.group(1)
    if "webname" not in form and (m := SITE_NAME_RE.search(text)):
        form["webname"] = m.group(1)
    return form


def proxy_requests(text: str, url: str, shown: int) -> list[PageRequest]:
    """dataproxy.jsp requests for the records after the ``shown`` ones already on the page:
    POST with the jpage form, falling back to the GET variant with every field in the query."""
    total, perpage = _setting(text, TOTAL_KEYS), _setting(text, PERPAGE_KEYS)
    if not total or not perpage or "dataproxy.jsp" in url:
        return []
    step = perpage * (_setting(text, GROUP_KEYS) or 1)
    shown = max(shown, min(step, total))
    total = min(total, shown + step * MAX_LIST_PAGES)
    form = form_fields(text, url)
    m = PROXY_URL_RE.search(text) or PROXY_PATH_RE.search(text)
    proxy = urljoin(url, m.group(1) if m else DEFAULT_PROXY)
    out = []
    for start in range(shown + 1, total + 1, step):
        query = urlencode({"startrecord": start, "endrecord": min(start + step - 1, total), "perpage": perpage})
        get = PageRequest(f"{proxy}?{query}&{urlencode(form)}")
        out.append(PageRequest(f"{proxy}?{query}", method="POST", form=dict(form), fallback=get))
    return out


def parse(text: str, url: str) -> Listing:
    recs = records(text)
    bad: dict[str, str] = {}
    items = []
    for frag in recs:
        items.extend(items_from_anchors(parse_html(frag).iter("a"), url, ARTICLE_URL_RE, bad))
    if not recs and not DATASTORE_RE.search(text):
        # A Hanweb page without a datastore (a static list): article-shaped links.
        items = items_from_anchors(parse_html(text).iter("a"), url, ARTICLE_URL_RE, bad)
    items = list({i.url: i for i in reversed(items)}.values())[::-1]  # dedupe, keep first
    pages = dedupe_requests(proxy_requests(text, url, len(recs)), exclude=url)
    return Listing(family="hanweb", items=items, next_pages=pages, bad_links=list(bad.items()))
