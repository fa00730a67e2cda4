"""TRS WCM (拓尔思) column pages — the most common CMS on county portals.

PORTALS.md §2: articles live at ``<column>/YYYYMM/tYYYYMMDD_<docid>.html`` (also ``.htm``,
``.shtml`` and the mobile ``_wap.html``); a column pages as ``index.html``, ``index_1.html``,
``index_2.html`` … (0-based, page 1 has no suffix), ``.shtml`` sites the same
(``index_24.shtml``). The pager is written by JavaScript, so the only static evidence of the
page count is the inline call ``createPageHTML(countPage, currentPage, "index", "html")`` or,
on older templates (ordos list page), ``var countPage = 2; var currentPage = 0`` followed by
``document.write`` of the ``index_N.html`` links.
"""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from .common import dedupe, family_items, MAX_LIST_PAGES, get_requests, parse_html
from .types import Listing

# Article URL shape (PORTALS.md §2): ./202003/t20200331_73135962.html, .htm, .shtml, _wap.html.
ARTICLE_URL_RE = re.compile(r"/\d{6}/t\d{8}_\d+(?:_wap)?\.s?html?(?:$|\?)")
# The classic TRS pager call (regex used by a gov crawler: createPageHTML\s*\(\s*(\d+)), with the
# file stem and extension it pages over: createPageHTML(10, 0, "index", "html") → index_1.html.
CREATE_PAGE_RE = re.compile(
    r"createPageHTML\s*\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"]([\w-]+)['\"]\s*,\s*['\"](s?html?)['\"]"
)
# Older inline variant (real ordos list page): var countPage = 2 … var currentPage = 0 (either order).
COUNT_PAGE_RE = re.compile(r"\bcountPage\s*=\s*['\"]?(\d+)")
CURRENT_PAGE_RE = re.compile(r"\bcurrentPage\s*=\s*['\"]?(\d+)")
# In the document.write variant the pager links are string-built: "index_" + nextPage + "." + "html"
# (or a literal index_1.html). Stem = word before "_" + …; extension = the quoted html/htm/shtml
# after a quoted "." (or in the literal); else both come from the current URL's file name.
WRITTEN_STEM_RE = re.compile(r"([A-Za-z][\w-]*?)_(?:\\?['\"]\s*\+|\d+\.s?html?\b)")
WRITTEN_EXT_RE = re.compile(r"_\d+\.(s?html?)\b|\.\\?['\"]\s*\+\s*\\?['\"](s?html?)\b|['\"]\s*\+\s*\\?['\"]\.(s?html?)\b")
URL_PAGE_RE = re.compile(r"/([\w-]+?)(?:_\d+)?\.(s?html?)$")
# List containers of TRS templates: <ul class="list">, <div class="list">, <div class="xxgk_list">,
# <ul class="news_list"> … (tested in order; the first that holds article-shaped links wins).
CONTAINER_XPATHS = (
    "//ul[contains(@class,'list')]",
    "//div[contains(@class,'list')]",
    "//table[contains(@class,'list')]",
    "//*[contains(@id,'list')]",
)
# Markers that a page comes from TRS WCM.
DETECT_RE = re.compile(r"createPageHTML|\bcountPage\s*=|TRS_Editor|trs_(?:editor|paper)|/was40?/search|\bTRS\b")


def matches(text: str, url: str) -> bool:
    return bool(DETECT_RE.search(text))


def page_count(text: str) -> tuple[int, int, str | None, str | None] | None:
    """(countPage, currentPage, stem, ext) from the inline pager, or None."""
    m = CREATE_PAGE_RE.search(text)
    if m:
        return int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
    c = COUNT_PAGE_RE.search(text)
    if not c:
        return None
    cur = CURRENT_PAGE_RE.search(text)
    script = text[min(c.start(), cur.start() if cur else c.start()):]
    stem_m, ext_m = WRITTEN_STEM_RE.search(script), WRITTEN_EXT_RE.search(script)
    stem = stem_m.group(1) if stem_m else None
    ext = next((g for g in ext_m.groups() if g), None) if ext_m else None
    return int(c.group(1)), int(cur.group(1)) if cur else 0, stem, ext


def next_pages(text: str, url: str) -> list[str]:
    """Every ``<stem>_N.<ext>`` page for N in 1..countPage-1 (all at once, so a crawler can
    fetch them in parallel; countPage capped at ``MAX_LIST_PAGES``), excluding the page being parsed."""
    pc = page_count(text)
    if not pc:
        return []
    count, _current, stem, ext = pc
    count = min(count, MAX_LIST_PAGES)
    um = URL_PAGE_RE.search(urlsplit(url).path)
    stem = stem or (um.group(1) if um else "index")
    ext = ext or (um.group(2) if um else "html")
    return dedupe((urljoin(url, f"{stem}_{n}.{ext}") for n in range(1, count)), exclude=url)


def parse(text: str, url: str) -> Listing:
    doc = parse_html(text)
    bad: dict[str, str] = {}
    items = family_items(doc, url, CONTAINER_XPATHS, ARTICLE_URL_RE, bad)
    return Listing(family="trs", items=items, next_pages=get_requests(next_pages(text, url)),
                   bad_links=list(bad.items()))
