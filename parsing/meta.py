"""Title, reported year, issuer and publication date of a report page."""
from __future__ import annotations

import re

from lxml import etree

from .chinese import fold
from .selectors import PUBLISHED_META_XPATHS, TITLE_ELEMENT_XPATHS, TITLE_META_XPATHS

SPACES_RE = re.compile(r"\s+")
REPORT_WORD_RE = re.compile(r"报告|年报")
# Site-name suffixes in <title>: "…年度报告 - 青田县人民政府", "青田县人民政府_…".
TITLE_SPLIT_RE = re.compile(r"\s*(?:[-_|｜—–]{1,2}|::)\s*")
YEAR_RE = re.compile(r"((?:19|20)\d{2})\s*年(?:度)?")
# Where the issuer's name ends in a title.
ISSUER_END_RE = re.compile(
    r"(?:关于)?(?:政府信息公开|政务公开|信息公开|政府信息|政务信息公开|政府公开)"
)
ISSUER_TRIM = "　 ,，、:：;；《》<>“”\"'（）()[]【】-—_·"
DATE_PATTERNS = (
    re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})"),
)
PUBLISHED_LABEL_RE = re.compile(
    r"(?:发布时间|发布日期|發佈時間|發布時間|发文日期|发表时间|公开日期|成文日期|时间|日期)\s*[:：]?\s*"
    r"((?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2})"
)


def normalise_space(text: str) -> str:
    return SPACES_RE.sub(" ", text or "").strip()


def _joined(text: str) -> str:
    # Titles split over lines ("…2023年政府信息\n公开工作年度报告") join without a space
    # between Chinese characters.
    text = re.sub(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])", "", text or "")
    return normalise_space(text)


def title_candidates(root: etree._Element, first_lines: list[str]) -> list[str]:
    found: list[str] = []
    for xp in TITLE_META_XPATHS:
        found += [_joined(v) for v in root.xpath(xp)]
    for xp in TITLE_ELEMENT_XPATHS:
        for el in root.xpath(xp)[:10]:
            found.append(_joined(el.text_content()))
    titles = root.xpath("//title")
    if titles:
        whole = _joined(titles[0].text_content())
        found += TITLE_SPLIT_RE.split(whole) + [whole]
    found += [_joined(line) for line in first_lines[:8]]
    return [t for t in found if t]


def pick_title(candidates: list[str]) -> str | None:
    """The first candidate that reads like a report title, else the first one."""
    def looks_like_report(t: str) -> bool:
        return bool(REPORT_WORD_RE.search(fold(t))) and YEAR_RE.search(t) is not None and len(t) <= 80
    for t in candidates:
        if looks_like_report(t):
            return t
    for t in candidates:
        if REPORT_WORD_RE.search(fold(t)) and len(t) <= 80:
            return t
    return candidates[0] if candidates else None


def year_from_title(title: str | None) -> int | None:
    """The year reported on: the first "YYYY年/YYYY年度" in the title."""
    if not title:
        return None
    m = YEAR_RE.search(title)
    return int(m.group(1)) if m else None


def issuer_from_title(title: str | None) -> str | None:
    """The body that issued the report, as the title writes it.

    Forms seen: "绥宁县人民政府2019年政府信息公开…" (before the year),
    "2020年開平市農業農村局政府信息公開…" (between year and 政府信息公开),
    "青田县政府信息公开工作2019年度报告" (before 政府信息公开).
    """
    if not title:
        return None
    folded = fold(title)
    year = YEAR_RE.search(folded)
    end = ISSUER_END_RE.search(folded)
    cut = min(m.start() for m in (year, end) if m) if (year or end) else None
    issuer = title[:cut].strip(ISSUER_TRIM) if cut is not None else ""
    if not issuer and year:
        rest_end = ISSUER_END_RE.search(folded, year.end())
        if rest_end:
            issuer = title[year.end():rest_end.start()].strip(ISSUER_TRIM)
    issuer = re.sub(r"^关于", "", issuer).strip(ISSUER_TRIM)
    return issuer or None


def _iso_date(y: str, m: str, d: str) -> str | None:
    y_i, m_i, d_i = int(y), int(m), int(d)
    if 1 <= m_i <= 12 and 1 <= d_i <= 31:
        return f"{y_i:04d}-{m_i:02d}-{d_i:02d}"
    return None


def parse_date(text: str) -> str | None:
    for pattern in DATE_PATTERNS:
        m = pattern.search(text or "")
        if m:
            return _iso_date(*m.groups())
    return None


def published_date(root: etree._Element, page_text: str) -> str | None:
    """The date the page says it was published (meta PubDate, or a 发布时间 line)."""
    for xp in PUBLISHED_META_XPATHS:
        for value in root.xpath(xp):
            date = parse_date(value)
            if date:
                return date
    m = PUBLISHED_LABEL_RE.search(page_text)
    if m:
        return parse_date(m.group(1))
    return None
