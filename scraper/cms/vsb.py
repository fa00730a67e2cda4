"""VSB / 博达 站群 column pages.

PORTALS.md §3: articles ``/info/<columnid>/<articleid>.htm``; a list's first page is
``<col>.htm`` and the following pages are ``<col>/N.htm`` counting DOWN to ``<col>/1.htm``
(page i of T is ``<col>/(T-i+1).htm``). The pager prints ``共49条 1/5`` and links
``<a href="<col>/4.htm" class="Next">下页</a><a href="<col>/1.htm" class="Next">尾页</a>``; the
last page shows ``<span class="NextDisabled">下页</span>``. List rows carry ids like
``line_u8_0`` / ``lineu12_0`` (VSB list component), titles are often cut with "…" and the full
title is in the link's ``title`` attribute.
"""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from .common import dedupe, family_items, MAX_LIST_PAGES, get_requests, norm, parse_html, resolve
from .types import Listing

ARTICLE_URL_RE = re.compile(r"/info/\d+/\d+\.htm(?:$|\?)")
# "共49条 1/5" (also "共49条&nbsp;&nbsp;1/5&nbsp;"): current page / total pages.
PAGE_INFO_RE = re.compile(r"共\s*(\d+)\s*条\s*(\d+)\s*/\s*(\d+)")
# Pager link classes written by VSB: Next (下页/尾页), Prev (首页/上页); *Disabled are spans.
PAGER_LINK_XPATH = "//a[@class='Next' or @class='Prev']/@href"
# A list page's own URL: first page <dir>/<col>.htm, later pages <dir>/<col>/<N>.htm.
LATER_PAGE_RE = re.compile(r"^(.*/)(\d+)\.htm$")
FIRST_PAGE_RE = re.compile(r"^(.*/)([\w-]+)\.htm$")
# List containers: rows with ids line_u8_0 / lineu12_0 sit in a <ul>/<table>; older
# templates use <div class="list"> / <ul class="list">.
CONTAINER_XPATHS = (
    "//*[starts-with(@id,'line')]/..",
    "//ul[contains(@class,'list')]",
    "//div[contains(@class,'list')]",
)
# VSB marks: content containers, the click counter, pager classes, the /system/resource/ scripts
# and the generator comment "Announced by Visual SiteBuilder 9" every VSB page carries, and the
# list-row ids line_u8_0 / lineu12_0 (a last page without any pager still has those).
DETECT_RE = re.compile(
    r"vsb_content|v_news_content|_showDynClicks|class=['\"]?(?:Next|NextDisabled|PrevDisabled)\b|/system/resource/"
    r"|VsbUrl|\bvsb\b|Visual\s*SiteBuilder|id=['\"]?line_?u\d+_\d+",
    re.I,
)


def matches(text: str, url: str) -> bool:
    return bool(DETECT_RE.search(text))


def column_dir(url: str, pager_hrefs: list[str]) -> str | None:
    """Absolute URL of the ``<col>/`` folder that holds pages N.htm."""
    path = urlsplit(url).path
    if LATER_PAGE_RE.match(path):
        return urljoin(url, ".")
    for href in pager_hrefs:
        m = LATER_PAGE_RE.match(urlsplit(urljoin(url, href)).path)
        if m:
            return urljoin(url, m.group(1))
    m = FIRST_PAGE_RE.match(path)
    return urljoin(url, m.group(2) + "/") if m else None


def next_pages(doc, url: str) -> list[str]:
    """All ``<col>/N.htm`` pages, N = T-1 … 1, when the pager tells T; else the pager links."""
    hrefs = [u for u in (resolve(h, url)[0] for h in doc.xpath(PAGER_LINK_XPATH)) if u]
    info = PAGE_INFO_RE.search(norm(doc.text_content()))
    base = column_dir(url, hrefs)
    if info and base:
        total = min(int(info.group(3)), MAX_LIST_PAGES)
        pages = [urljoin(base, f"{n}.htm") for n in range(total - 1, 0, -1)]
    else:
        pages = hrefs
    # Like TRS, the first page (<col>.htm, the 首页 link) is the entry page, not a further one.
    return dedupe((p for p in pages if LATER_PAGE_RE.match(urlsplit(p).path)), exclude=url)


def parse(text: str, url: str) -> Listing:
    doc = parse_html(text)
    bad: dict[str, str] = {}
    items = family_items(doc, url, CONTAINER_XPATHS, ARTICLE_URL_RE, bad)
    return Listing(family="vsb", items=items, next_pages=get_requests(next_pages(doc, url)),
                   bad_links=list(bad.items()))
