"""Links a crawler follows from a portal's homepage down to the annual reports.

``discover_links`` sorts a page's links into: gateways (政务公开 / 政府信息公开 … pages to look
through for the report column), report columns (政府信息公开年报 …), sub-columns (inside a report
column: 部门年报, 乡镇年报, 2022年 …) and report candidates (an article or a file whose title names
an annual report: fetch it as a possible report, it is not a column).
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from parsing.encoding import decode_html

from .articles import is_article_url
from .common import is_attachment, is_navish, link_title, norm, parse_html, resolve, row_date
from .types import GATEWAY, REPORT_CANDIDATE, REPORT_COLUMN, SUB_COLUMN, ColumnLink, ListingItem

# Link texts naming the annual-report column (or a report): 政府信息公开年报, 信息公开年度报告, 工作年报 …
COLUMN_TEXT_RE = re.compile(r"年报|年度报告")
# Column path segments seen for report columns (PORTALS.md): xxgknb (鄂尔多斯, 保康, 海口人社),
# zfxxgknb (桐梓, 城口, 晋安, 德化), ndbg (闽侯, 美兰), gknb (宜门 gknb), xxgkndbg (合江), zfxxgkndbg (清河).
COLUMN_PATH_RE = re.compile(r"(?:^|[/_.-])(?:zf)?(?:xxgknb|xxgkndbg|ndbg|gknb)(?:$|[/_.?-])", re.I)
# Gateway link texts, whole labels (not 政府信息公开指南, not article titles that mention 政务公开).
GATEWAY_TEXT_RE = re.compile(
    r"^(?:政务|政府|政务信息|政府信息)?公开$|^(?:政府)?(?:信息|政务)公开(?:目录|专栏|平台|专题)$|^法定主动公开(?:内容)?$"
    r"|^主动公开(?:目录)?$|^政务信息公开$|^信息公开$")
# Gateway paths: the link's last segment is xxgk, zfxxgk, zfxxgkzl, xxgkml, gkml, gkmlpt (Guangdong
# platform), optionally with a TRS numeric suffix (xxgk_270) or an index file (gkmlpt/index).
GATEWAY_PATH_RE = re.compile(r"(?:^|/)(?:zf)?(?:xxgk|gkml)(?:zl|ml|pt)?(?:[_-]\d+)?/?(?:index(?:\.\w+)?)?$", re.I)
MAX_COLUMN_TITLE = 16  # column labels are short; longer texts are article titles
# Inside a report column, links to its sub-columns: by issuer kind, or a year folder (2022年, 2019年度).
SUB_TEXT_RE = re.compile(r"部门|乡镇|街道|单位|县直|市直|区直|镇|乡|办事处|开发区|园区|机构|^\s*(?:19|20)\d{2}\s*年度?(?:年报)?\s*$")
# A report's title: names the report and a year (2020年, 2020年度).
YEAR_RE = re.compile(r"(?:19|20)\d{2}\s*年")
MIN_CANDIDATE_TITLE = 12  # "XX县2020年政府信息公开工作年度报告" is longer; column labels are shorter
# Where a page says which column it is: <title>, <meta name="ColumnName">, breadcrumb.
COLUMN_NAME_XPATH = "//title/text() | //meta[@name='ColumnName']/@content"
RANK = {REPORT_CANDIDATE: 0, SUB_COLUMN: 1, REPORT_COLUMN: 2, GATEWAY: 3}


def is_report_column_page(doc, url: str) -> bool:
    """True when the page itself is a report column (by its path or its title/ColumnName)."""
    if COLUMN_PATH_RE.search(urlsplit(url).path):
        return True
    return any(COLUMN_TEXT_RE.search(norm(t)) for t in doc.xpath(COLUMN_NAME_XPATH))


def classify(a, link: str, title: str, in_report_column: bool) -> str | None:
    """Kind of one link, or None when it is none of the four."""
    path = urlsplit(link).path
    names_report = bool(COLUMN_TEXT_RE.search(title))
    if names_report and (is_article_url(link) or is_attachment(link) or (
            YEAR_RE.search(title) and len(title) >= MIN_CANDIDATE_TITLE and row_date(a))):
        return REPORT_CANDIDATE
    if is_article_url(link) or is_attachment(link):
        return None
    short = len(title) <= MAX_COLUMN_TITLE
    if in_report_column and short and (names_report or (SUB_TEXT_RE.search(title) and not is_navish(a))):
        return SUB_COLUMN
    if (names_report and short) or COLUMN_PATH_RE.search(path):
        return REPORT_COLUMN
    if GATEWAY_TEXT_RE.search(title) or GATEWAY_PATH_RE.search(path):
        return GATEWAY
    return None


def discover_links(body: bytes | str, url: str, content_type: str | None = None) -> list[ColumnLink]:
    """The page's gateway, report-column, sub-column and report-candidate links, in page order,
    one per URL (the most specific kind wins). Unfetchable hrefs are skipped."""
    text, _ = decode_html(body, content_type)
    doc = parse_html(text)
    in_report_column = is_report_column_page(doc, url)
    found: dict[str, ColumnLink] = {}
    for a in doc.iter("a"):
        link, _reason = resolve(a.get("href"), url)
        if link is None or link == url:
            continue
        title = link_title(a)
        kind = classify(a, link, title, in_report_column)
        if kind is None:
            continue
        old = found.get(link)
        if old is None:
            found[link] = ColumnLink(link, title, kind)
        elif RANK[kind] < RANK[old.kind]:
            found[link] = ColumnLink(link, title, kind)
    return list(found.values())


def find_column_links(body: bytes | str, url: str) -> list[ListingItem]:
    """Report-column links of a page (kept for callers of the first API): ``discover_links``
    restricted to kind ``report_column``."""
    return [ListingItem(c.url, c.title, None) for c in discover_links(body, url) if c.kind == REPORT_COLUMN]
