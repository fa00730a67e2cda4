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

import functools
import re

from parsing.chinese import fold

CJK_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_CHAR_RE = re.compile(f"([{CJK_CHARS}])")
QUERY_TERM_RE = re.compile(r'"[^"]*"|\S+')


# A token written before every punctuation mark or symbol. FTS5's unicode61 tokenizer drops
# punctuation, so without it "诉讼、情况" would match the phrase 诉讼情况, which a LIKE scan
# does not find; with it, a word matches exactly where it is written (whitespace aside: a
# line break inside a word still matches). A private-use character: unicode61 counts
# those as token characters (category Co), and report text does not contain them.
PUNCTUATION_TOKEN = "\ue002"
PUNCTUATION_RE = re.compile(r"([^\w\s\ue000-\uf8ff])")


_ASTRAL_RE = re.compile("[\U00010000-\U0010FFFF]")
_ASTRAL_PUNCTUATION_RE = re.compile(r"(?![\w\s])([\U00010000-\U0010FFFF])")


@functools.cache
def _index_table() -> dict[int, str]:
    """str.translate table doing what CJK_CHAR_RE and PUNCTUATION_RE describe, for the BMP.

    Hand-built because one C-level translate is 4x faster than two regex substitutions
    (indexing 100,000 reports of 7,000 characters).
    """
    table = {}
    for code in range(0x10000):
        char = chr(code)
        if CJK_CHAR_RE.match(char):
            table[code] = f" {char} "
        elif PUNCTUATION_RE.match(char):
            table[code] = f" {PUNCTUATION_TOKEN}{char}"
    return table


def index_text(text: str | None) -> str:
    """Text as FTS5 should index it: each Chinese character a separate token, punctuation a token."""
    if not text:
        return ""
    spaced = fold(text).translate(_index_table())
    if not spaced.isascii() and _ASTRAL_RE.search(spaced):
        # symbols beyond the BMP (emoji), which the table does not reach (none is in CJK_CHARS)
        spaced = _ASTRAL_PUNCTUATION_RE.sub(" " + PUNCTUATION_TOKEN + r"\1", spaced)
    return " ".join(spaced.split())


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


# bm25() weights of the FTS columns (title, body): a word in the title (the issuer, the
# subject) says what the report is about; in a 7,000-character body it may be a passing mention.
BM25_WEIGHTS = "100.0, 1.0"

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
    text = indexed.replace(" " + PUNCTUATION_TOKEN, "").replace(PUNCTUATION_TOKEN, "")
    return _SPACE_BEFORE_CJK_RE.sub(r"\1", _SPACE_AFTER_CJK_RE.sub(r"\1", text))


def query_terms(query: str | None) -> list[str]:
    """The search box query's terms, folded to simplified (what fts_query turns into phrases)."""
    if not query:
        return []
    terms = (unspace(index_text(t.strip('"'))) for t in QUERY_TERM_RE.findall(query))
    return [t for t in terms if t]
