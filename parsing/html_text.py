"""From an HTML tree to the report's clean text, without portal chrome."""
from __future__ import annotations

import re

from lxml import etree

from .chinese import cjk_count
from .encoding import xml_safe
from .grid import distinct, is_data_grid, read_tables, text_of
from .selectors import (
    CHROME_CLASS_TOKENS,
    CHROME_ELEMENT_MAX_TEXT,
    CHROME_HINT_RE,
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
# iter(*tags) filters in C: a Python loop over every node (Word exports have a
# <span> per run) costs far more.
BLOCK_TAG_LIST = tuple(sorted(BLOCK_TAGS))
SPACES_RE = re.compile(r"[ \t\u3000\xa0\u2002\u2003\u200b]+")
XML_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*\?>")
SPACES_BUT_TAB_RE = re.compile(r"[ \u3000\xa0\u2002\u2003\u200b]+")


def parse_tree(text: str) -> etree._Element:
    """Parse HTML text leniently; broken or empty markup gives an empty tree.

    Characters XML cannot carry (Word's \\x0b, \\x0c, lone surrogates) become
    spaces first: lxml would accept them and raise later on the first write.
    """
    # lxml refuses str input that carries an XML encoding declaration.
    text = xml_safe(XML_DECLARATION_RE.sub("", text))
    if not text.strip():
        text = "<html></html>"
    try:
        root = etree.fromstring(text, HTML_PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        root = None
    # Plain lxml.etree elements (not lxml.html's): no per-element class lookup.
    return root if root is not None else etree.fromstring("<html><body></body></html>", HTML_PARSER)


# collect_ids=False: libxml2 keeps no table of id attributes (nothing here looks an element up
# by id; XPath's id() is not used): 3-4% of the parse, the same tree.
HTML_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)
# Elements that may be the container (ranked afterwards by CONTENT_SELECTORS' order).
CONTENT_TAGS_SCAN = frozenset({"div", "td", "section", "article", "table", "main"})
CONTENT_IDS = {s[1:] for s in CONTENT_SELECTORS if s[0] == "#"}
CONTENT_CLASSES = {s[1:] for s in CONTENT_SELECTORS if s[0] == "."}
CONTENT_TAGS = {s for s in CONTENT_SELECTORS if s[0] not in "#."}
# What may make an element a candidate: its class, its id, or its tag.
_CONTENT_CANDIDATES = etree.XPath(" | ".join(["//@class", "//@id"] + [f"//{tag}" for tag in sorted(CONTENT_TAGS)]))


def _is_content_candidate(el: etree._Element) -> bool:
    return (el.get("id") in CONTENT_IDS or el.tag in CONTENT_TAGS
            or not CONTENT_CLASSES.isdisjoint((el.get("class") or "").split()))


def _selector_rank(el: etree._Element) -> int:
    element_id = el.get("id")
    classes = (el.get("class") or "").split()
    for rank, selector in enumerate(CONTENT_SELECTORS):
        if selector[0] == "#":
            if element_id == selector[1:]:
                return rank
        elif selector[0] == ".":
            if selector[1:] in classes:
                return rank
        elif el.tag == selector:
            return rank
    return len(CONTENT_SELECTORS)


def remove_keep_tail(el: etree._Element) -> None:
    """Remove an element but keep the text that follows it (lxml.html's drop_tree)."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


# Elements with a class or an id, in page order. A page has hundreds of <div>/<td>/<span> and a
# few dozen named ones: libxml2 finds the attributes several times faster than Python can ask
# every element for them (an XPath that tests the names themselves is slower still).
_CLASS_OR_ID = etree.XPath("//@class | //@id")
CHROME_TAGS = frozenset({"div", "span", "p", "ul", "td"})


def _named_elements(found: list) -> list[etree._Element]:
    """The elements of an XPath answer, once each, in page order: an attribute stands for
    its element (which an element's own attributes follow, before its children)."""
    return list(dict.fromkeys(item.getparent() if isinstance(item, str) else item for item in found))


def drop_noise(root: etree._Element) -> None:
    for el in list(root.iter(*DROP_TAGS)):
        remove_keep_tail(el)
    for el in _named_elements(_CLASS_OR_ID(root)):
        if el.tag in CHROME_TAGS and _is_chrome_element(el):
            remove_keep_tail(el)


def _is_chrome_element(el: etree._Element) -> bool:
    """A tools / share box: named so by a class or id token, and short."""
    names = el.get("class")
    element_id = el.get("id")
    if not names and not element_id:
        return False
    tokens = set((names or "").lower().split())
    if element_id:
        tokens.add(element_id.lower())
    if tokens.isdisjoint(CHROME_CLASS_TOKENS):
        return False
    return len(text_of(el)) <= CHROME_ELEMENT_MAX_TEXT


def _cjk_len(el: etree._Element) -> int:
    return cjk_count(text_of(el))


def _has_enough_cjk(el: etree._Element, enough: int = 30) -> bool:
    """At least ``enough`` Chinese characters: reads text lazily, so a 150 KB
    container is not serialised just to count to 30."""
    count = 0
    for text in el.itertext():
        count += cjk_count(text)
        if count >= enough:
            return True
    return False


def _link_cjk_len(el: etree._Element) -> int:
    return sum(cjk_count(text_of(a)) for a in el.iter("a"))


def find_content(root: etree._Element) -> etree._Element:
    """The element that holds the report: a known container, else the densest block."""
    named = [el for el in _named_elements(_CONTENT_CANDIDATES(root)) if el.tag in CONTENT_TAGS_SCAN]
    for el in sorted(filter(_is_content_candidate, named), key=_selector_rank):
        if _has_enough_cjk(el):
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


def element_lines(el: etree._Element, tables: list | None = None) -> list[str]:
    """Text of an element as lines: blocks break lines, table cells are tab-separated.

    Marks block and cell boundaries in the element's text/tails (the tree is
    changed: read everything else from it first), then lets libxml2 serialise
    the text (method="text"): far faster than walking in Python.
    """
    _flatten_data_tables(read_tables(el) if tables is None else tables)
    for node in el.iter(*BLOCK_TAG_LIST):
        node.text = "\n" + (node.text or "")
        node.tail = "\n" + (node.tail or "")
    for node in el.iter("td", "th"):
        node.text = "\t" + (node.text or "")
    text = etree.tostring(el, method="text", encoding="unicode", with_tail=False)
    # Runs of spaces become one space in one pass over the whole text (SPACES_RE
    # less the tab, which separates cells), not one regex call per line and cell.
    text = SPACES_BUT_TAB_RE.sub(" ", text)
    lines = []
    for raw in text.split("\n"):
        if not raw or raw.isspace():
            continue
        if "\t" in raw:
            line = "\t".join(c for c in map(str.strip, raw.split("\t")) if c)
        else:
            line = raw.strip()
        if line:
            lines.append(line)
    return lines


# Marks the text of data tables, so that a table cell such as
# "四、结转下年度继续办理" is never taken for a section heading.
TABLE_MARK = "\ue000"


def _flatten_data_tables(tables: list) -> None:
    """Replace each data table by a <div> holding one marked line per row,
    cells separated by tabs (a Word cell's several <p> runs join up, a rowspan
    label is repeated on each row it covers, and the marking pass has far
    fewer nodes to visit)."""
    for table, grid in tables:
        parent = table.getparent()
        if parent is None or not is_data_grid(grid):
            continue
        rows = []
        for row in grid:
            line = "\t".join(cell.text for cell in distinct(row) if cell.text)
            if line:
                rows.append(TABLE_MARK + line)
        flat = etree.Element("div")
        flat.text = "\n".join(rows)
        flat.tail = table.tail
        parent.replace(table, flat)


def unmark(line: str) -> str:
    return line.replace(TABLE_MARK, "")


def page_text(root: etree._Element) -> str:
    """All the page's text, for searches that need no structure."""
    return etree.tostring(root, method="text", encoding="unicode", with_tail=False)


def is_chrome_line(line: str) -> bool:
    line = unmark(line)
    if PUNCTUATION_ONLY_RE.match(line):
        return True
    if len(line) > CHROME_MAX_LINE or not CHROME_HINT_RE.search(line):
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
