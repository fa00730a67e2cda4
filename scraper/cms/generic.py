"""Lists of no recognised CMS: any page with a pager (下一页 / 下页 / 上一页 / 尾页 …), or any
page the crawler reached as a list (``parse_listing(..., as_list=True)``).

PORTALS.md §5 shows many home-grown list pages (Henan PHP ``show.php?classid=…&id=…``,
绵竹 ``iList.jsp?…&cur_page=1``): the only common signal is the pager text. Article links
have no common shape, so items come from ``common.generic_items`` — the row-holding
element with the most long-titled links, skipping nav/pager/footer chrome.
"""
from __future__ import annotations

import re

from .common import anchor_url, dedupe, generic_items, get_requests, norm, parse_html
from .types import Listing

# Link texts that lead to further list pages: 下一页/下页/后页, ">"/"›"/"»", and 尾页/末页/最后一页
# (the last page, so a crawler can reach it even if intermediate links are JS).
NEXT_TEXT_RE = re.compile(r"^(?:下一?页|后一?页|>|>>|›|»|尾页|末页|最后一页)$")
# The page is "generic" when it shows pager text as an element's whole text: 下一页/下页 on
# the first and middle pages, 上一页/上页/尾页/末页 on a last page whose 下一页 is gone, or a
# "共 N 页" counter. (Article pages say 上一篇/下一篇, never 页.)
DETECT_RE = re.compile(r">\s*(?:下一?页|上一?页|尾页|末页)\s*<|共\s*\d+\s*页")


def matches(text: str, url: str) -> bool:
    return bool(DETECT_RE.search(text))


def next_pages(doc, url: str, bad: dict[str, str] | None = None) -> list[str]:
    hrefs = []
    for a in doc.iter("a"):
        if NEXT_TEXT_RE.match(norm(a.text_content())):
            hrefs.append(anchor_url(a, url, bad))
    return dedupe((h for h in hrefs if h), exclude=url)


def parse(text: str, url: str) -> Listing:
    doc = parse_html(text)
    bad: dict[str, str] = {}
    items = generic_items(doc, url, bad)
    pages = next_pages(doc, url, bad)
    return Listing(family="generic", items=items, next_pages=get_requests(pages), bad_links=list(bad.items()))
