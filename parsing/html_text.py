"""From an HTML tree to the report's clean text, without portal chrome."""
from __future__ import annotations

import re

import lxml.html
from lxml import etree

from .selectors import (
    CHROME_LINE_RE,
    CHROME_MAX_LINE,
    CONTENT_SELECTORS,
    DROP_TAGS,
    PUNCTUATION_ONLY_RE,
)

BLOCK_TAGS = {
    "p", "div", "br", "tr", "li", "ul", "ol", "table", "tbody", "thead", "h1", "h2",
    "h3", "h4", "h5", "h6", "section", "article", "blockquote", "pre", "dd", "dt",
    "dl", "header", "footer", "center", "hr", "caption",
}
CELL_TAGS = {"td", "th"}
CJK_RE = re.compile(r"[\u3400-\u9fff]")
SPACES_RE = re.compile(r"[ \t\u3000\xa0\u2002\u2003\u200b]+")


def parse_tree(text: str) -> etree._Element:
    """Parse HTML text leniently; broken or empty markup gives an empty tree."""
    # lxml refuses str input that carries an XML encoding declaration.
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    if not text.strip():
        text = "<html></html>"
    try:
        return lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return lxml.html.document_fromstring("<html><body></body></html>")


def drop_noise(root: etree._Element) -> None:
    doomed = list(root.iter(*DROP_TAGS)) + list(root.iter(etree.Comment))
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()


def _cjk_len(el: etree._Element) -> int:
    return len(CJK_RE.findall(el.text_content()))


def _link_cjk_len(el: etree._Element) -> int:
    return sum(len(CJK_RE.findall(a.text_content())) for a in el.iter("a"))


def find_content(root: etree._Element) -> etree._Element:
    """The element that holds the report: a known container, else the densest block."""
    for selector in CONTENT_SELECTORS:
        for el in root.cssselect(selector):
            if _cjk_len(el) >= 30:
                return el
    # No known container: the div/td with the most non-link CJK text whose
    # children do not already hold most of it (the innermost dense block).
    best, best_score = None, 0
    for el in root.iter("div", "td", "article", "section", "body"):
        score = _cjk_len(el) - 2 * _link_cjk_len(el)
        if score > best_score * 1.15 or (best is not None and score >= best_score and _is_inside(el, best)):
            best, best_score = el, score
    body = root.find("body")
    return best if best is not None else (body if body is not None else root)


def _is_inside(el: etree._Element, ancestor: etree._Element) -> bool:
    return any(p is ancestor for p in el.iterancestors())


def element_lines(el: etree._Element) -> list[str]:
    """Text of an element as lines: blocks break lines, table cells are tab-separated."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in BLOCK_TAGS:
            parts.append("\n")
        elif tag in CELL_TAGS:
            parts.append("\t")
        if node.text and tag not in DROP_TAGS:
            parts.append(node.text)
        for child in node:
            walk(child)
        if tag in BLOCK_TAGS:
            parts.append("\n")
        if node.tail:
            parts.append(node.tail)

    walk(el)
    lines = []
    for raw in "".join(parts).split("\n"):
        cells = [SPACES_RE.sub(" ", c).strip() for c in raw.split("\t")]
        line = "\t".join(c for c in cells if c)
        if line:
            lines.append(line)
    return lines


def is_chrome_line(line: str) -> bool:
    if PUNCTUATION_ONLY_RE.match(line):
        return True
    if len(line) > CHROME_MAX_LINE:
        return False
    return bool(CHROME_LINE_RE.match(line.replace("\t", " ")))


def clean_lines(lines: list[str]) -> list[str]:
    """Drop chrome lines and layout pipes; keep everything that reads as report text."""
    out = []
    for line in lines:
        line = line.replace("|", " ").replace("｜", " ").strip() if _is_pipe_layout(line) else line
        line = SPACES_RE.sub(" ", line).strip() if "\t" not in line else line
        if not line or is_chrome_line(line):
            continue
        out.append(line)
    return out


def _is_pipe_layout(line: str) -> bool:
    # Text dumps of layout tables carry runs of "|"; a report never uses a pipe.
    return "|" in line or "｜" in line
