"""Helpers shared by the family parsers: HTML parsing, link text, dates, the
nav/menu/footer filter and the generic "which links are the list" rule."""
from __future__ import annotations

import re
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.etree
import lxml.html

from .types import ATTACHMENT, PAGE, ListingItem, PageRequest

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
# At most this many further list pages per column. Page counts come from the page itself
# (createPageHTML(N…), "共49条 1/5", totalRecord, the gkmlpt total) and a hostile or broken page can
# claim 40,000; real report columns have a handful of pages.
MAX_LIST_PAGES = 500
NAVISH_TAGS = {"nav", "header", "footer"}
# Elements that group the rows of a list (row = li/tr/dd/p/div that holds one link).
ROW_TAGS = {"li", "tr", "dd", "dt", "p"}
# hrefs that point inside the page (#top) or nowhere: skipped silently, they are not links to fetch.
IN_PAGE_HREF_RE = re.compile(r"^\s*(?:#|$)")
FETCHABLE_SCHEMES = {"http", "https"}
# Browsers drop tabs and newlines anywhere in a URL (WHATWG URL spec); portals' templates leave them in hrefs.
URL_NOISE_RE = re.compile(r"[\t\n\r]")
# A hostname we can request: letters/digits (IDN allowed), dots, hyphens; IPv6 literals come bracketed.
HOST_RE = re.compile(r"^(?:[\w-]+(?:\.[\w-]+)*\.?|\[[0-9A-Fa-f:.]+\])$")
# Files a list can link directly (reports published as PDF/DOCX, PORTALS.md §6), by the path's extension.
ATTACHMENT_EXT_RE = re.compile(r"\.(?:pdf|docx?|wps|xlsx?|zip|rar|7z|ofd)$", re.I)
# Download scripts that serve a file without the extension in the path: Hanweb
# /module/download/downfile.jsp?classid=0&filename=….pdf and down.jsp?i_ID=…; TRS-style
# download.jsp / getfile / filedown servlets that carry the file name in the query.
DOWNLOAD_PATH_RE = re.compile(r"/module/download/down(?:file)?\.jsp$", re.I)
DOWNLOAD_SCRIPT_RE = re.compile(r"(?:download|downfile|down_?file|filedown|getfile)[\w.]*$", re.I)
QUERY_FILE_RE = re.compile(r"=[^&]*\.(?:pdf|docx?|wps|xlsx?|zip|rar|7z|ofd)(?:&|$)", re.I)
WS_RE = re.compile(r"\s+")
TRUNCATED_RE = re.compile(r"(?:…|\.\.\.|。。。)\s*$")


def parse_html(text: str):
    """lxml document for ``text`` (an empty document for empty or unparseable input)."""
    # lxml refuses str input that carries an XML encoding declaration, and NUL characters.
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text).replace("\x00", "")
    if text.strip():
        try:
            return lxml.html.fromstring(text)
        except (lxml.etree.ParserError, ValueError):  # "Document is empty" for comment-only pages
            pass
    return lxml.html.fromstring("<html></html>")


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
    """``href`` resolved against ``base``, fragment dropped (may raise ValueError: use ``resolve``)."""
    return urldefrag(urljoin(base, URL_NOISE_RE.sub("", href).strip()))[0]


def resolve(href: str | None, base: str) -> tuple[str | None, str | None]:
    """(absolute http/https URL, None) for a fetchable href; (None, reason) for a bad one;
    (None, None) for an in-page or empty href. Never raises: one broken link must not
    cost the rest of the page."""
    if href is None or IN_PAGE_HREF_RE.match(href):
        return None, None
    try:
        url = absolute(href, base)
        parts = urlsplit(url)
        parts.port  # raises ValueError for a non-numeric or out-of-range port
    except ValueError as err:
        return None, f"malformed URL: {err}"
    if parts.scheme not in FETCHABLE_SCHEMES:
        return None, f"scheme {parts.scheme or 'missing'}"
    host = parts.netloc.rpartition("@")[2]
    host = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    if not host or not HOST_RE.match(host):
        return None, "malformed host"
    return url, None


def note_bad(bad: dict[str, str] | None, href: str, reason: str) -> None:
    if bad is not None:
        bad.setdefault(href, reason)


def is_attachment(url: str) -> bool:
    """True when ``url`` names a file (by extension, query ignored) or a CMS download script."""
    parts = urlsplit(url)
    path = parts.path
    if ATTACHMENT_EXT_RE.search(path) or DOWNLOAD_PATH_RE.search(path):
        return True
    return bool(DOWNLOAD_SCRIPT_RE.search(path) and QUERY_FILE_RE.search(parts.query))


def link_kind(url: str) -> str:
    return ATTACHMENT if is_attachment(url) else PAGE


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


def anchor_url(a, base: str, bad: dict[str, str] | None) -> str | None:
    """Absolute URL of anchor ``a``, or None (a bad href is noted in ``bad``)."""
    href = a.get("href")
    url, reason = resolve(href, base)
    if reason:
        note_bad(bad, href, reason)
    return url


def items_from_anchors(anchors, base: str, url_re: re.Pattern | None = None,
                       bad: dict[str, str] | None = None) -> list[ListingItem]:
    """Items from ``anchors``: fetchable hrefs, not pager/nav links, matching ``url_re``
    (searched in the absolute URL) or naming an attachment when ``url_re`` is given;
    deduplicated by URL. Bad hrefs are skipped one by one and noted in ``bad``."""
    out: dict[str, ListingItem] = {}
    for a in anchors:
        url = anchor_url(a, base, bad)
        if url is None or url == base or is_pager_link(a) or is_navish(a):
            continue
        kind = link_kind(url)
        if url_re is not None and kind != ATTACHMENT and not url_re.search(url):
            continue
        title = link_title(a)
        if title:
            out.setdefault(url, ListingItem(url=url, title=title, date=row_date(a), kind=kind))
    return list(out.values())


def family_items(doc, base: str, container_xpaths, url_re: re.Pattern,
                 bad: dict[str, str] | None = None) -> list[ListingItem]:
    """Rule used by TRS and VSB: article-shaped links (``url_re``) or attachments inside the
    first list container found by ``container_xpaths``; if no container yields any,
    such links anywhere outside nav/menu/footer chrome."""
    for xp in container_xpaths:
        for box in doc.xpath(xp):
            items = items_from_anchors(box.iter("a"), base, url_re, bad)
            if items:
                return items
    return items_from_anchors(doc.iter("a"), base, url_re, bad)


MIN_TITLE_CHARS = 6  # article titles are long; nav labels (新闻, 联系我们, 政务公开) are short


def generic_items(doc, base: str, bad: dict[str, str] | None = None) -> list[ListingItem]:
    """Rule for pages of no known CMS: group links by the element that holds
    their rows (ul/ol/table/dl/div); the group with most long-titled links is
    the list. Nav/pager/footer links and short labels are skipped."""
    groups: dict[object, list] = {}
    for a in doc.iter("a"):
        if anchor_url(a, base, bad) is None or is_pager_link(a) or is_navish(a):
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
    """``urls`` without repeats (first kept), empties and ``exclude``; linear time (dict keys)."""
    return [u for u in dict.fromkeys(urls) if u and u != exclude]


def get_requests(urls) -> list[PageRequest]:
    return [PageRequest(u) for u in urls]


def dedupe_requests(requests, exclude: str | None = None) -> list[PageRequest]:
    """``requests`` without repeats (same URL, method and form) and without a GET of ``exclude``."""
    out: dict[tuple, PageRequest] = {}
    for r in requests:
        if r.url and not (r.url == exclude and r.method == "GET" and not r.form):
            out.setdefault(r.key(), r)
    return list(out.values())
