"""What else a page says about itself: its attachments and images, and whether it
is a report at all (a list of links, a 404 in a 200, a maintenance notice, a
pointer to an attachment). Pure functions over a parsed tree or a Report."""
from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urljoin

from lxml import etree

from .chinese import cjk_count, fold
from .selectors import (
    ATTACHMENT_HREF_RE,
    IMAGE_MIN_SIZE,
    MAINTENANCE_RE,
    MIN_REPORT_CJK,
    REPORT_TEXT_RE,
    SOFT_404_TITLE_RE,
    SOFT_404_RE,
)

if TYPE_CHECKING:  # report.py imports this module
    from .report import Report

# Most of a list page's Chinese text is link text; a report's is prose.
MAX_LINK_SHARE = 0.5
# Section kinds of the report template (anything but "other"): two of them make a report.
TEMPLATE_KINDS = {"overview", "proactive", "requests", "fees", "review_litigation", "problems"}


def _absolute(base: str | None, href: str) -> str:
    return urljoin(base, href) if base else href


def attachment_urls(container: etree._Element, base_url: str | None) -> list[str]:
    """Absolute URLs of the document files (.pdf, .doc, .docx, .wps …) linked from the container."""
    found = []
    for a in container.iter("a"):
        href = (a.get("href") or "").strip()
        if href and ATTACHMENT_HREF_RE.search(href):
            found.append(_absolute(base_url, href))
    return list(dict.fromkeys(found))


def image_urls(container: etree._Element, base_url: str | None) -> list[str]:
    """Absolute URLs of the images in the container (data: URIs left out)."""
    found = []
    for img in container.iter("img"):
        src = (img.get("src") or img.get("data-src") or "").strip()
        if src and not src.startswith("data:") and not _is_pixel(img):
            found.append(_absolute(base_url, src))
    return list(dict.fromkeys(found))


def _is_pixel(img: etree._Element) -> bool:
    """A spacer or tracking image: stated width or height under IMAGE_MIN_SIZE pixels."""
    for name in ("width", "height"):
        value = (img.get(name) or "").strip().removesuffix("px")
        if value.isdigit() and int(value) < IMAGE_MIN_SIZE:
            return True
    return False


def link_share(container: etree._Element) -> float:
    """The share of the container's Chinese characters that are link text."""
    total = cjk_count(etree.tostring(container, method="text", encoding="unicode", with_tail=False))
    if not total:
        return 0.0
    in_links = sum(cjk_count(etree.tostring(a, method="text", encoding="unicode", with_tail=False))
                   for a in container.iter("a"))
    return in_links / total


def text_says_report(body: str, section_kinds: list[str], share_of_links: float) -> bool:
    """The text reads as a report: prose (not a list of links) that either has two
    sections of the template or enough words about 信息公开."""
    if share_of_links > MAX_LINK_SHARE:
        return False
    if len(TEMPLATE_KINDS.intersection(section_kinds)) >= 2:
        return True
    return cjk_count(body) >= MIN_REPORT_CJK and bool(REPORT_TEXT_RE.search(fold(body)))


def page_signal(report: Report) -> str | None:
    """What the page is instead of (or besides) a report's text:

    "maintenance" (系统维护中), "soft_404" (页面不存在, a 404 in the title),
    "attachment_only" (the text only points to an attached file),
    "image_only" (a report title over images: 图片版), else None.
    """
    title = fold(report.title or "")
    body = fold(report.body or "")
    short = cjk_count(body) < MIN_REPORT_CJK
    if SOFT_404_TITLE_RE.search(title) or (short and SOFT_404_RE.search(body)):
        return "soft_404"
    if MAINTENANCE_RE.search(title) or (short and MAINTENANCE_RE.search(body)):
        return "maintenance"
    if report.attachments and short:
        return "attachment_only"
    if report.image_only:
        return "image_only"
    return None
