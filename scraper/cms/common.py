"""Helpers shared by the family parsers: HTML parsing, link text, dates, the
nav/menu/footer filter and the generic "which links are the list" rule."""
from __future__ import annotations

import re
from urllib.parse import urldefrag, urljoin

import lxml.html

from .types import ListingItem

# Dates as lists print them: 2020-03-31, 2020/03/31, 2020.03.31, 2020年3月31日, [2020-03-31].
DATE_RE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
# Link texts that belong to a pager, never to an article (VSB 下页/尾页, TRS/generic 下一页 …).
PAGER_TEXT_RE = re.compile(r"^(?:首页|尾页|末页|上一?页|下一?页|前页|后页|最后一页|第一页|\d{1,4}|[<>«»‹›]+|跳转|GO|go|Go)$")
# id/class words of containers that hold navigation, not the list of articles.
# (portal chrome: 导航 "nav"/"menu", 页头/页脚 "header"/"footer"/"foot"/"bottom", 面包屑 "crumb"/"position"/"location",
#  分页 "pager"/"pagination"/"fenye", 友情链接 "link"/"yqlj"). Matched as whole words so "list"/"news" are not caught;
#  bare "page"/"head"/"side" are left out because layout wrappers ("page-wrapper", "main-side") hold the list too.
NAVISH_ATTR_RE = re.compile(
    r"(?:^|[\s_-])(?:nav\w*|menu\w*|header|top|footer|foot|bottom|crumbs?|breadcrumbs?|position|location|"
    r"pager|pagination|pagebar|fenye|links?|yqlj|friend\w*|sidebar)(?:$|[\s_-])",
    re.I,
)
NAVISH_TAGS = {"nav", "header", "footer"}
# Elements that group the rows of a list (row = li/tr/dd/p/div that holds one link).
ROW_TAGS = {"li", "tr", "dd", "dt", "p"}
SKIP_HREF_RE = re.compile(r"^\s*(?:javascript:|mailto:|tel:|#)", re.I)
WS_RE = re.compile(r"\s+")
TRUNCATED_RE = re.compile(r"(?:…|\.\.\.|。。。)\s*$")


def parse_html(text: str):
    """lxml document for ``text`` (an empty document for empty input)."""
    if not text.strip():
        text = "<html></html>"
    # lxml refuses str input that carries an XML encoding declaration.
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    return lxml.html.fromstring(text)


def norm(text: str | None) -> str:
    return WS_RE.sub(" ", (text or "").replace("\u3000", " ").replace("\xa0", " ")).strip()


def link_title(a) -> str:
    """Link text, or the title attribute when the text is empty or truncated (… / ...)."""
    text = norm(a.text_content())
    attr = norm(a.get("title"))
    if attr and (not text or TRUNCATED_RE.search(text)):
        return attr
    return text


def absolute(href: str, base: str) -> str:
    return urldefrag(urljoin(base, href.strip()))[0]


def find_date(text: str) -> str | None:
    m = DATE_RE.search(text or "")
    if not m:
        return None
    y, mo, d = m.groups()
    return f"{y}-{int(mo):02d}-{int(d):02d}"


def row_of(a):
    """The list row holding link ``a`` (closest li/tr/dd/dt/p), or its parent."""
    for anc in a.iterancestors():
        if anc.tag in ROW_TAGS:
            return anc
    return a.getparent()


def row_date(a) -> str | None:
    """Date printed in the link's row but outside the link text."""
    row = row_of(a)
    if row is None:
        return None
    link_text = a.text_content()
    rest = row.text_content().replace(link_text, " ", 1)
    return find_date(rest)


def is_navish(el) -> bool:
    """True when ``el`` or an ancestor is navigation/header/footer/pager chrome."""
    for node in [el, *el.iterancestors()]:
        if not isinstance(node.tag, str):
            continue
        if node.tag in NAVISH_TAGS:
            return True
        attrs = f"{node.get('id', '')} {node.get('class', '')}"
        if attrs.strip() and NAVISH_ATTR_RE.search(attrs):
            return True
    return False


def is_pager_link(a) -> bool:
    return bool(PAGER_TEXT_RE.match(norm(a.text_content())))


def make_item(a, base: str) -> ListingItem:
    return ListingItem(url=absolute(a.get("href"), base), title=link_title(a), date=row_date(a))


def items_from_anchors(anchors, base: str, url_re: re.Pattern | None = None) -> list[ListingItem]:
    """Article items from ``anchors``: real hrefs, not pager/nav links, matching
    ``url_re`` (searched in the absolute URL) when given; deduplicated by URL."""
    out: dict[str, ListingItem] = {}
    for a in anchors:
        href = a.get("href")
        if not href or SKIP_HREF_RE.match(href) or is_pager_link(a) or is_navish(a):
            continue
        item = make_item(a, base)
        if url_re is not None and not url_re.search(item.url):
            continue
        if item.url == base or not item.title:
            continue
        out.setdefault(item.url, item)
    return list(out.values())


def family_items(doc, base: str, container_xpaths, url_re: re.Pattern) -> list[ListingItem]:
    """Rule used by TRS and VSB: article-shaped links (``url_re``) inside the first
    list container found by ``container_xpaths``; if no container yields any,
    article-shaped links anywhere outside nav/menu/footer chrome."""
    for xp in container_xpaths:
        for box in doc.xpath(xp):
            items = items_from_anchors(box.iter("a"), base, url_re)
            if items:
                return items
    return items_from_anchors(doc.iter("a"), base, url_re)


MIN_TITLE_CHARS = 6  # article titles are long; nav labels (新闻, 联系我们, 政务公开) are short


def generic_items(doc, base: str) -> list[ListingItem]:
    """Rule for pages of no known CMS: group links by the element that holds
    their rows (ul/ol/table/dl/div); the group with most long-titled links is
    the list. Nav/pager/footer links and short labels are skipped."""
    groups: dict[object, list] = {}
    for a in doc.iter("a"):
        href = a.get("href")
        if not href or SKIP_HREF_RE.match(href) or is_pager_link(a) or is_navish(a):
            continue
        if len(link_title(a)) < MIN_TITLE_CHARS:
            continue
        row = row_of(a)
        holder = row.getparent() if row is not None and row.tag in ROW_TAGS else row
        if holder is not None and holder.tag == "tbody":
            holder = holder.getparent()
        groups.setdefault(holder, []).append(a)
    if not groups:
        return []
    best = max(groups.values(), key=len)  # first max wins: document order
    return items_from_anchors(best, base)


def dedupe(urls, exclude: str | None = None) -> list[str]:
    seen: list[str] = []
    for u in urls:
        if u and u != exclude and u not in seen:
            seen.append(u)
    return seen
