"""Is a page an article (a report page) rather than a list? URL shapes and one main text block.

A report page often carries a 相关信息 / 相关阅读 block of dozens of article links; read as a list,
it would send the crawler off through the whole site. An article is recognised by its URL (the
article shapes of the CMS families and of the provincial platforms in PORTALS.md) or, for URLs
of no known shape, by one block of running text far longer than any list's row texts.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from parsing.encoding import decode_html

from . import gkmlpt, hanweb, trs, vsb
from .common import parse_html

# Article URL shapes outside the four families (PORTALS.md §1, §2, §5), searched in path + query:
# Hanweb xxgk annual-report module; TRS channel-path c<doc>/content.html; Hunan 集约化
# /YYYYMM/<32-hex>.shtml; 衡阳 /YYYYMMDD/i<id>.html; 岳阳 and Sichuan content_<id>(.html);
# Yunnan artview/<col>/<id>.html; 南平 /cms/html/<site>/YYYY-MM-DD/<id>.html; Henan show.php?…id=;
# 青川 /gongkai/show/<timestamp>.html.
OTHER_ARTICLE_URL_RE = re.compile(
    r"/module/xxgk/xxgkAnnualReport\.jsp|/c\d+/content\.html?|/\d{6}/[0-9a-f]{32}\.s?html?|/\d{8}/i\d+\.html?"
    r"|/content_\d+(?:\.s?html?)?(?:$|\?)|/artview/\d+/\d+\.html?|/cms/html/\w+/\d{4}-\d{2}-\d{2}/\d+\.html?"
    r"|/show\.php\?(?:.*&)?id=\d+|/gongkai/show/\d{14,}\.html?",
    re.I,
)
ARTICLE_URL_RES = (trs.ARTICLE_URL_RE, hanweb.ARTICLE_URL_RE, vsb.ARTICLE_URL_RE, gkmlpt.ARTICLE_URL_RE,
                   OTHER_ARTICLE_URL_RE)
# Text outside links that counts as running text: CJK characters (dates, digits and punctuation
# beside list rows do not count).
CJK_RE = re.compile(r"[\u4e00-\u9fff]")
# Elements that hold a block of text; the text of p/span/font/strong … is credited to the nearest one.
BLOCK_TAGS = {"div", "td", "article", "section", "main", "body", "form"}
SKIP_TAGS = {"a", "script", "style", "noscript", "select", "option", "textarea", "head", "title"}
# One block with this many CJK characters outside links is an article's main text: list pages carry
# only short labels beside their links (日期, 浏览次数); the shortest report excerpts run to ~400.
MIN_MAIN_TEXT_CJK = 200


def is_article_url(url: str) -> bool:
    parts = urlsplit(url)
    target = parts.path + ("?" + parts.query if parts.query else "")
    return any(r.search(target) for r in ARTICLE_URL_RES)


def main_text_size(doc) -> int:
    """CJK characters outside links in the page's largest text block. Iterative (a hostile page
    may nest elements deeper than Python's recursion limit)."""
    sizes: dict[object, int] = {}
    block_of: dict[object, object] = {}
    skipped: set = set()

    def credit(el, text):
        n = len(CJK_RE.findall(text)) if text else 0
        if n:
            block = block_of.get(el)
            sizes[block] = sizes.get(block, 0) + n

    for el in doc.iter():
        parent = el.getparent()
        if parent is not None and parent not in skipped:
            credit(parent, el.tail)  # a child's tail is its parent's text, also after a link
        if parent in skipped or not isinstance(el.tag, str) or el.tag in SKIP_TAGS:
            skipped.add(el)
            continue
        block_of[el] = el if el.tag in BLOCK_TAGS or parent is None else block_of.get(parent)
        credit(el, el.text)
    return max(sizes.values(), default=0)


def looks_like_article(body: bytes | str, url: str, content_type: str | None = None) -> bool:
    """True when the page at ``url`` is an article (a report page), not a list: the URL has an
    article shape, or the page has one main block of running text."""
    if is_article_url(url):
        return True
    text, _ = decode_html(body, content_type)
    return main_text_size(parse_html(text)) >= MIN_MAIN_TEXT_CJK
