"""Listing-page parsers for the CMS families of county portals (pure, no network).

``parse_listing`` decodes a fetched list page, recognises its CMS family and returns the
article links of the list plus the further list pages to fetch. One module per family
(``trs``, ``hanweb``, ``vsb``, ``generic``) holds the selectors/regexes as named constants.
"""
from __future__ import annotations

from parsing.encoding import decode_html

from . import generic, hanweb, trs, vsb
from .links import find_column_links
from .types import Listing, ListingItem

__all__ = ["Listing", "ListingItem", "detect_family", "parse_listing", "find_column_links", "FAMILIES"]

# Specific families first: a TRS or VSB page also has 下一页-like pager text, so generic is last.
FAMILIES = {"hanweb": hanweb, "trs": trs, "vsb": vsb, "generic": generic}


def detect_family(text: str, url: str) -> str | None:
    """Name of the CMS family whose markers ``text`` (decoded page) carries, else None."""
    for name, module in FAMILIES.items():
        if module.matches(text, url):
            return name
    return None


def parse_listing(body: bytes | str, url: str, content_type: str | None = None) -> Listing:
    """Items and further pages of a list page; ``Listing(None, [], [])`` for pages of no family."""
    text, _ = decode_html(body, content_type)
    family = detect_family(text, url)
    if family is None:
        return Listing(family=None, items=[], next_pages=[])
    return FAMILIES[family].parse(text, url)
