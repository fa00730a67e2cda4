"""Lists of no recognised CMS: any page with a 下一页 / 下页 / > link.

PORTALS.md §5 shows many home-grown list pages (Henan PHP ``show.php?classid=…&id=…``,
绵竹 ``iList.jsp?…&cur_page=1``): the only common signal is the pager text. Article links
have no common shape, so items come from ``common.generic_items`` — the row-holding
element with the most long-titled links, skipping nav/pager/footer chrome.
"""
from __future__ import annotations

import re

from .common import SKIP_HREF_RE, absolute, dedupe, generic_items, norm, parse_html
from .types import Listing

# Link texts that lead to further list pages: 下一页/下页/后页, ">"/"›"/"»", and 尾页/末页/最后一页
# (the last page, so a crawler can reach it even if intermediate links are JS).
NEXT_TEXT_RE = re.compile(r"^(?:下一?页|后一?页|>|>>|›|»|尾页|末页|最后一页)$")
# The page is "generic" when it has such a link at all (下一页 / 下页 are the spec'd signals).
DETECT_RE = re.compile(r">\s*(?:下一页|下页)\s*<")


def matches(text: str, url: str) -> bool:
    return bool(DETECT_RE.search(text))


def next_pages(doc, url: str) -> list[str]:
    hrefs = []
    for a in doc.iter("a"):
        href = a.get("href")
        if href and not SKIP_HREF_RE.match(href) and NEXT_TEXT_RE.match(norm(a.text_content())):
            hrefs.append(absolute(href, url))
    return dedupe(hrefs, exclude=url)


def parse(text: str, url: str) -> Listing:
    doc = parse_html(text)
    return Listing(family="generic", items=generic_items(doc, url), next_pages=next_pages(doc, url))
