"""Chinese full-text search on SQLite FTS5.

SQLite's unicode61 tokenizer treats a run of Chinese characters as one token
(so "公开" never matches "政府信息公开"), and the trigram tokenizer cannot match
queries under three characters. Word segmentation (jieba) indexes whole words,
but then a query must be segmented the same way, which fails whenever the
dictionary cuts the page's text differently from the query.

We index every Chinese character as its own token (folded to simplified, so a
simplified query also finds a 繁體 page) and turn each query term into an FTS5
phrase of consecutive characters: "行政复议" → "行 政 复 议". A phrase matches
only adjacent tokens in order, so this is an exact substring search for words
of any length, with FTS5's index and bm25 ranking. Datasette calls the SQL
function escape_fts() on every search box query; our plugin
(archive.datasette_plugin) replaces it with fts_query() below.
"""
from __future__ import annotations

import re

from parsing.chinese import fold

CJK_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_CHAR_RE = re.compile(f"([{CJK_CHARS}])")
QUERY_TERM_RE = re.compile(r'"[^"]*"|\S+')


def index_text(text: str | None) -> str:
    """Text as FTS5 should index it: each Chinese character a separate token."""
    if not text:
        return ""
    return re.sub(r"\s+", " ", CJK_CHAR_RE.sub(r" \1 ", fold(text))).strip()


def fts_query(query: str | None) -> str:
    """A search box query as an FTS5 MATCH expression (all terms must match)."""
    if not query:
        return '""'
    if query.count('"') % 2:
        query += '"'
    phrases = []
    for term in QUERY_TERM_RE.findall(query):
        term = term.strip('"').strip()
        if not term:
            continue
        spaced = index_text(term).replace('"', '""')
        if spaced:
            phrases.append(f'"{spaced}"')
    return " ".join(phrases) if phrases else '""'


# Markers around matches in snippets (FTS5 snippet()/highlight() arguments):
# private-use characters, which report text does not contain, so a page can
# escape the snippet first and then turn the markers into <mark> tags.
MARK_START, MARK_END = "\ue000", "\ue001"
# Markers a snippet may carry: ours, and the «» the canned search query uses.
SNIPPET_MARKERS = MARK_START + MARK_END + "«»"
_SPACE_AFTER_CJK_RE = re.compile(f"([{CJK_CHARS}][{SNIPPET_MARKERS}]*) ")
_SPACE_BEFORE_CJK_RE = re.compile(f" ([{SNIPPET_MARKERS}]*[{CJK_CHARS}])")


def unspace(indexed: str | None) -> str | None:
    """Indexed (per-character spaced) text read as written: no space next to a Chinese character.

    For FTS5 snippet()/highlight() output; markers between a space and a
    character do not stop the space from going.
    """
    if indexed is None:
        return None
    return _SPACE_BEFORE_CJK_RE.sub(r"\1", _SPACE_AFTER_CJK_RE.sub(r"\1", indexed))


def query_terms(query: str | None) -> list[str]:
    """The search box query's terms, folded to simplified (what fts_query turns into phrases)."""
    if not query:
        return []
    terms = (unspace(index_text(t.strip('"'))) for t in QUERY_TERM_RE.findall(query))
    return [t for t in terms if t]
