"""Chinese full-text search on SQLite FTS5.

SQLite's unicode61 tokenizer treats a run of Chinese characters as one token
(so "公开" never matches "政府信息公开"), and the trigram tokenizer cannot match
queries under three characters. Word segmentation (jieba) indexes whole words,
but then a query must be segmented the same way, which fails whenever the
dictionary cuts the page's text differently from the query.

We index every Chinese character position as the token of that character and
the next one (a bigram), folded to simplified, so a simplified query also finds
a 繁體 page; the last character of a run of Chinese characters is a token of its
own: "政府信息" → "政府 府信 信息 息". A query word becomes an FTS5 phrase of its
bigrams: "行政复议" → "行政 政复 复议". A phrase matches only adjacent tokens in
order, so this is an exact substring search for words of any length, with
FTS5's index and bm25 ranking. One character is a prefix query ("县" → 县*: every
token starting with 县, the run-end token 县 included).

Bigrams rather than single characters: a phrase of single characters is
checked, position by position, in every report holding all its characters, and
most characters are in every report (a county's name made of 新, 城 selects 300
of 100,000 reports but reads the positions of 新 and 城 in all of them). A
bigram is in far fewer reports, so a rare word costs what its matches cost. The
index stays about the same size: one token per character either way.

The index holds no copy of the text (a contentless FTS5 table): snippets are
cut from reports.body in Python (snippet()). Datasette calls the SQL function
escape_fts() on every search box query; our plugin (archive.web.datasette_plugin)
replaces it with fts_query() below.
"""
from __future__ import annotations

import functools
import re
import sqlite3

from parsing.chinese import fold

CJK_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_CHAR_RE = re.compile(f"([{CJK_CHARS}])")
# A run of Chinese characters; whitespace inside it is ignored (a line break inside a word still matches).
CJK_RUN_RE = re.compile(f"[{CJK_CHARS}](?:\\s*[{CJK_CHARS}])*")
QUERY_TERM_RE = re.compile(r'"[^"]*"|\S+')
_WHITESPACE_RE = re.compile(r"\s+")


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
def _punctuation_table() -> dict[int, str]:
    """str.translate table doing what PUNCTUATION_RE describes, for the BMP.

    Hand-built because one C-level translate is several times faster than a regex
    substitution (indexing 100,000 reports of 7,000 characters).
    """
    return {code: f" {PUNCTUATION_TOKEN}{chr(code)}" for code in range(0x10000)
            if PUNCTUATION_RE.match(chr(code))}


def _run_tokens(match: re.Match) -> str:
    chars = match.group()
    if len(chars) > 1 and not chars.isalpha():
        chars = _WHITESPACE_RE.sub("", chars)
    # each character with the next one, then the last character alone (it ends the run)
    return " " + " ".join(map(str.__add__, chars, chars[1:])) + " " + chars[-1] + " " if len(chars) > 1 \
        else " " + chars + " "


def index_text(text: str | None) -> str:
    """Text as FTS5 should index it: a token per Chinese character (it and the next one), punctuation a token."""
    if not text:
        return ""
    marked = fold(text).translate(_punctuation_table())
    if not marked.isascii() and _ASTRAL_RE.search(marked):
        # symbols beyond the BMP (emoji), which the table does not reach (none is in CJK_CHARS)
        marked = _ASTRAL_PUNCTUATION_RE.sub(" " + PUNCTUATION_TOKEN + r"\1", marked)
    return " ".join(CJK_RUN_RE.sub(_run_tokens, marked).split())


def _is_cjk(token: str) -> bool:
    return bool(token) and all(CJK_CHAR_RE.match(c) for c in token)


def term_phrase(term: str) -> str | None:
    """One query word as an FTS5 phrase (None when it has nothing to search for)."""
    tokens = index_text(term).split()
    if not tokens:
        return None
    prefix = False
    last = tokens[-1]
    if len(last) == 1 and _is_cjk(last):
        if len(tokens) > 1 and len(tokens[-2]) == 2 and _is_cjk(tokens[-2]):
            # the word's last run of characters may go on in a page: its end token is not required
            tokens.pop()
        else:
            # one character at the end: any token that starts with it (the bigrams and the run end)
            prefix = True
    return '"' + " ".join(tokens).replace('"', '""') + '"' + (" *" if prefix else "")


# Bounds on one query (the search helpers run inside SQL functions: see snippet()).
MAX_QUERY_CHARS = 500
MAX_QUERY_TERMS = 32


class QueryTooLong(ValueError):
    """A search query over MAX_QUERY_CHARS characters or MAX_QUERY_TERMS words."""


def check_query(query: str) -> None:
    """Raise QueryTooLong for a query longer than a search box query can usefully be."""
    if len(query) > MAX_QUERY_CHARS or len(QUERY_TERM_RE.findall(query)) > MAX_QUERY_TERMS:
        raise QueryTooLong(f"a search query has at most {MAX_QUERY_CHARS} characters and {MAX_QUERY_TERMS} words")


def fts_query(query: str | None) -> str:
    """A search box query as an FTS5 MATCH expression (all terms must match). Raises QueryTooLong."""
    if not query:
        return '""'
    check_query(query)
    if query.count('"') % 2:
        query += '"'
    phrases = [term_phrase(term.strip('"')) for term in QUERY_TERM_RE.findall(query)]
    phrases = [p for p in phrases if p]
    return " ".join(phrases) if phrases else '""'


def query_terms(query: str | None) -> list[str]:
    """The search box query's words, folded to simplified, whitespace inside quotes removed.
    Raises QueryTooLong."""
    if not query:
        return []
    check_query(query)
    terms = ("".join(fold(t.strip('"')).split()) for t in QUERY_TERM_RE.findall(query))
    return [t for t in terms if t]


# bm25() weights of the FTS columns (title, body): a word in the title (the issuer, the
# subject) says what the report is about; in a 7,000-character body it may be a passing mention.
BM25_WEIGHTS = "100.0, 1.0"
# Ranking reads every match's positions: a word in every report of a 100,000-report archive
# takes seconds to rank. Up to this many matches results are ranked; beyond it they are
# listed most recently archived first (FTS5 walks its index by rowid and stops after a page).
RANK_LIMIT = 2000

# Markers around matches in snippets: private-use characters, which report text does not
# contain, so a page can escape the snippet first and then turn the markers into <mark> tags.
MARK_START, MARK_END = "\ue000", "\ue001"
# Characters of context either side of a match in a snippet.
SNIPPET_CONTEXT = 40


# The work of one snippet() call is bounded whatever its input: it runs inside the SQL function
# nianbao_snippet(), which sql_time_limit_ms cannot interrupt (SQLite's progress handler runs between
# its own steps, and the function holds the GIL, so every other request of the server waits), and
# in the search page's handler. A snippet is looked for in the text's first SNIPPET_SCAN_CHARS
# characters (a report is ~7,000), at most MAX_SNIPPET_MATCHES matches of the query's at most
# MAX_QUERY_TERMS words; the matching is linear (str.find), where a regex of the words with
# whitespace allowed between their characters was O(text × word): a 2,000-character word in a
# 400,000-character text took 28 s.
SNIPPET_SCAN_CHARS = 100_000
MAX_SNIPPET_MATCHES = 500
_SPACES_RE = re.compile(r"\s+")


def find_terms(text: str, terms, limit: int = MAX_SNIPPET_MATCHES) -> list[tuple[int, int]]:
    """Spans of TEXT where a term occurs, whitespace allowed between its characters as the index
    allows it: leftmost first, the longest term where several start together, not overlapping; at
    most LIMIT. TEXT and TERMS as caseless_text() makes them (offsets are those of the text as written).

    Written here rather than as one regex because a regex costs O(text × term) on near-matches;
    str.find on the text without its whitespace is linear."""
    compact = _SPACES_RE.sub("", text)
    found = []
    for term in {"".join(t.split()) for t in terms}:
        if not term:
            continue
        at = compact.find(term)
        for _ in range(limit):
            if at < 0:
                break
            found.append((at, at + len(term)))
            at = compact.find(term, at + 1)
    found.sort(key=lambda span: (span[0], -span[1]))
    spans, end_of_last = [], 0
    for start, end in found:
        if start >= end_of_last:
            spans.append((start, end))
            end_of_last = end
            if len(spans) == limit:
                break
    if len(compact) == len(text):
        return spans
    # back to the text's offsets: add the whitespace before each position, walking the text's runs
    # of whitespace only as far as the last match
    skipped, runs = 0, _SPACES_RE.finditer(text)
    run = next(runs, None)

    def in_text(position: int, end: bool) -> int:
        nonlocal skipped, run
        # whitespace at a match's start comes before it; at its end, after it
        while run is not None and (run.start() - skipped < position or (not end and run.start() - skipped == position)):
            skipped += run.end() - run.start()
            run = next(runs, None)
        return position + skipped

    return [(in_text(start, False), in_text(end, True)) for start, end in spans]


def caseless_text(text: str) -> str:
    """TEXT folded to simplified and lower-cased, character for character (offsets stay those of TEXT)."""
    folded = fold(text)
    lowered = folded.lower()
    if len(lowered) == len(folded):
        return lowered
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in folded)  # İ and the like


def snippet(text: str | None, terms: list[str] | tuple[str, ...], *, context: int = SNIPPET_CONTEXT,
            start_mark: str = MARK_START, end_mark: str = MARK_END) -> str | None:
    """Text around the place where most of TERMS occur close together (the first such place), every
    match in it between the marks; None if no term is in the text's first SNIPPET_SCAN_CHARS characters.

    Matched on the folded (simplified) text, cut from the text as written: fold() keeps length.
    """
    if not text or not terms:
        return None
    text = text[:SNIPPET_SCAN_CHARS]
    caseless = caseless_text(text)
    matches = find_terms(caseless, [caseless_text(term) for term in terms])
    if not matches:
        return None
    best, best_terms = 0, 0
    if len(set(terms)) > 1:
        words = ["".join(caseless[s:e].split()) for s, e in matches]
        for i, (start, _) in enumerate(matches):
            near = set()
            for (s, e), word in zip(matches[i:], words[i:]):
                if e > start + 2 * context:
                    break  # matches are in order and do not overlap: the later ones end later
                near.add(word)
            if len(near) > best_terms:
                best, best_terms = i, len(near)
    first = matches[best][0]
    left = max(0, first - context)
    right = min(len(text), max(matches[best][1], first + context) + context)
    out, pos = ["…" if left else ""], left
    for start, end in matches[best:]:
        if end > right:
            break
        out += [text[pos:start], start_mark, text[start:end], end_mark]
        pos = end
    out += [text[pos:right], "…" if right < len(text) else ""]
    return "".join(out)


def report_snippet(title: str | None, body: str | None, query: str | None,
                   start_mark: str = MARK_START, end_mark: str = MARK_END) -> str | None:
    """A report's snippet for QUERY: from its body, or its title when only the title holds the words."""
    terms = query_terms(query)
    return (snippet(body, terms, start_mark=start_mark, end_mark=end_mark)
            or snippet(title, terms, start_mark=start_mark, end_mark=end_mark))


def delete_from_index(conn: sqlite3.Connection, where: str = "1", params: list | tuple = ()) -> None:
    """Remove the search rows of the reports WHERE selects, before those rows change or go.

    The index is contentless (it keeps no copy of the text), so FTS5 removes a row only when
    told the values it indexed: index_text of the report's title and body as stored now.
    Every report has its row (written in one transaction with it, rebuilt by the schema
    migration whenever index_text changes). When no report stays, 'delete-all' is one statement.
    """
    from .schema import FTS_TABLE

    kept = conn.execute(f"select count(*) from reports where not ({where})", params).fetchone()[0]
    if not kept:
        conn.execute(f"insert into [{FTS_TABLE}] ([{FTS_TABLE}]) values ('delete-all')")
        return
    rows = conn.execute(f"select id, title, body from reports where {where}", params).fetchall()
    conn.executemany(f"insert into [{FTS_TABLE}] ([{FTS_TABLE}], rowid, title, body) values ('delete', ?, ?, ?)",
                     [(report_id, index_text(title), index_text(body)) for report_id, title, body in rows])


def fill_index(conn: sqlite3.Connection, batch: int = 500) -> int:
    """Index every report (into an empty index), then merge the index into one segment; returns the count."""
    from .schema import FTS_TABLE

    insert = f"insert into [{FTS_TABLE}] (rowid, title, body) values (?, ?, ?)"
    count, last_id = 0, None
    while True:
        rows = conn.execute("select id, title, body from reports where ? is null or id > ? order by id limit ?",
                            [last_id, last_id, batch]).fetchall()
        if not rows:
            break
        conn.executemany(insert, [(i, index_text(t), index_text(b)) for i, t, b in rows])
        count += len(rows)
        last_id = rows[-1][0]
    conn.execute(f"insert into [{FTS_TABLE}] ([{FTS_TABLE}]) values ('optimize')")
    return count
