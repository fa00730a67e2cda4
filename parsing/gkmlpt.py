"""Guangdong's gkmlpt (政府信息公开目录管理平台) detail pages.

``…/gkmlpt/content/<a>/<b>/post_<id>.html`` pages are a Vue template; the
document itself is JSON in an inline script, ``window._CONFIG.DETAIL = {…}`` or
``window._CONFIG = {…, DETAIL: {…}, TREE: …}`` (PORTALS.md §4), with the title,
the content as HTML, and the dates (strings or Unix timestamps). The JSON is read
with the standard decoder from where it starts: its strings may hold braces.
"""
from __future__ import annotations

import html
import json
import re
from datetime import datetime, timedelta, timezone

DETAIL_START_RE = re.compile(r"(?:_CONFIG\.DETAIL\s*=|\bDETAIL\s*:)\s*(?=\{)")
# Publication dates, strongest first (display_publish_time is the 发布日期 the page
# shows; "date" is the 成文日期, a fallback).
PUBLISHED_KEYS = ("display_publish_time", "publish_time", "publish_date", "created_at", "pub_time", "date")
CHINA_TIME = timezone(timedelta(hours=8))


def gkmlpt_detail(text: str) -> dict | None:
    """The DETAIL object of a gkmlpt page, or None (no DETAIL, or broken JSON)."""
    if "_CONFIG" not in text:
        return None
    for m in DETAIL_START_RE.finditer(text):
        try:
            value, _ = json.JSONDecoder().raw_decode(text, m.end())
        except ValueError:
            continue
        if isinstance(value, dict) and isinstance(value.get("content"), str):
            return value
    return None


def _date(value) -> str | None:
    if isinstance(value, bool) or value in (None, "", 0):
        return None
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.isdigit()):
        seconds = float(value)
        if seconds > 1e11:  # milliseconds
            seconds /= 1000
        try:
            return datetime.fromtimestamp(seconds, CHINA_TIME).date().isoformat()
        except (OverflowError, OSError, ValueError):
            return None
    m = re.match(r"\s*((?:19|20)\d{2})[-/.](\d{1,2})[-/.](\d{1,2})", str(value))
    return f"{int(m[1]):04d}-{int(m[2]):02d}-{int(m[3]):02d}" if m else None


def detail_published(detail: dict) -> str | None:
    for key in PUBLISHED_KEYS:
        date = _date(detail.get(key))
        if date:
            return date
    return None


def detail_page(detail: dict) -> str:
    """The document as the browser would render it: a page with the title in a
    meta and an <h1>, the publication date in a PubDate meta, the content in the
    gkmlpt content container."""
    title = html.escape(str(detail.get("title") or ""), quote=True)
    published = detail_published(detail) or ""
    return (f'<html><head><title>{title}</title><meta name="ArticleTitle" content="{title}">'
            f'<meta name="PubDate" content="{published}"></head><body>'
            f'<div class="article-content"><h1>{title}</h1>{detail["content"]}</div></body></html>')
