"""Listing-page parsers for the CMS families of county portals (pure, no network).

``parse_listing`` decodes a fetched list page, recognises its CMS family and returns the
links of the list (articles and attachments), the further list pages to fetch (as
``PageRequest``s) and the links it had to skip. One module per family (``gkmlpt``, ``hanweb``,
``trs``, ``vsb``, ``generic``) holds the selectors/regexes as named constants; ``discovery``
sorts a homepage's links into gateways, report columns, sub-columns and report candidates;
``articles`` tells an article (a report page) from a list.
"""
from __future__ import annotations

import re

from parsing.encoding import decode_html

from . import generic, gkmlpt, hanweb, trs, vsb
from .articles import looks_like_article
from .discovery import discover_links, find_column_links
from .gkmlpt import parse_gkmlpt_api
from .types import ATTACHMENT, PAGE, ColumnLink, Listing, ListingItem, PageRequest

__all__ = ["ATTACHMENT", "PAGE", "ColumnLink", "Listing", "ListingItem", "PageRequest", "FAMILIES",
           "detect_family", "discover_links", "find_column_links", "looks_like_article", "parse_gkmlpt_api",
           "parse_listing"]

# Specific families first: a TRS or VSB page also has 下一页-like pager text, so generic is last.
# gkmlpt first: its column pages are recognised by URL, and carry no other family's marks.
FAMILIES = {"gkmlpt": gkmlpt, "hanweb": hanweb, "trs": trs, "vsb": vsb, "generic": generic}
JSON_TYPE_MARK = "json"
# Raw hrefs of a page, for counting article-shaped links without building a DOM.
HREF_RE = re.compile(r"""href\s*=\s*["']?([^"'\s>]+)""", re.I)


def detect_family(text: str, url: str) -> str | None:
    """Name of the CMS family whose markers ``text`` (decoded page) carries, else None."""
    for name, module in FAMILIES.items():
        if module.matches(text, url):
            return name
    return None


def family_by_links(text: str) -> str | None:
    """The family whose article URL shape most of the page's links have (at least one), else
    None: the mark a one-page column keeps when its template prints no pager script at all."""
    hrefs = HREF_RE.findall(text)
    counts = {name: sum(1 for h in hrefs if module.ARTICLE_URL_RE.search(h))
              for name, module in FAMILIES.items() if hasattr(module, "ARTICLE_URL_RE")}
    best = max(counts, key=counts.get, default=None)  # first max wins: FAMILIES order
    return best if best and counts[best] else None


def parse_listing(body: bytes | str, url: str, content_type: str | None = None, *, as_list: bool = False) -> Listing:
    """Items, further pages and skipped links of a list page.

    ``as_list=False`` (a page of unknown role): an article page (``looks_like_article``) or a page
    of no family gives ``Listing(None, [], [])``. ``as_list=True`` (the page was reached as a list:
    a column page, a later page, a sub-column): the page is always read as a list, by its family's
    rules when it carries the family's marks (its scripts/markup, else its article-shaped links),
    else by the generic rule — so a last page without a
    pager and a one-page column without any pager still give their items.
    A gkmlpt JSON API answer (by URL or JSON content type) is read by ``parse_gkmlpt_api``.
    """
    if gkmlpt.is_api_url(url) or JSON_TYPE_MARK in (content_type or "").lower():
        return parse_gkmlpt_api(body, url)
    text, _ = decode_html(body, content_type)
    if not as_list and looks_like_article(text, url):
        return Listing(family=None)
    family = detect_family(text, url)
    if family is None:
        if not as_list:
            return Listing(family=None)
        family = family_by_links(text) or "generic"
    return FAMILIES[family].parse(text, url)
