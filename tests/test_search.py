"""Chinese full-text search: the query language, LIKE-exact results on the corpus, ranking and snippets."""
import asyncio
import re
import sqlite3

import pytest

from archive.search import fts_query, index_text, query_terms, unspace
from archive.serve import make_datasette, read_only_uri
from parsing.chinese import fold
from tests.test_datasette_fixtures import build_corpus_archive, insert_report, open_test_archive


@pytest.mark.parametrize("query, expected", [
    ("公开", '"公 开"'),
    ("行政复议", '"行 政 复 议"'),
    ("邮编 323900", '"邮 编" "323900"'),
    ('"政府 信息"', '"政 府 信 息"'),
    ("郵編", '"邮 编"'),          # traditional folds to simplified
    ("", '""'),
])
def test_fts_query(query, expected):
    assert fts_query(query) == expected


def test_index_text_spaces_chinese_and_keeps_latin():
    assert index_text("政府信息公开 email a1") == "政 府 信 息 公 开 email a1"


def test_index_text_writes_a_token_before_punctuation():
    assert index_text("诉讼、情况") == "诉 讼 \ue002、 情 况"


@pytest.mark.parametrize("text", ["政府信息公开，email: a@b.cn", "邮编：323900，电话0578-6508316。", "一、总体情况"])
def test_unspace_reads_indexed_text_as_written(text):
    assert unspace(index_text(text)) == re.sub(r"\s+", " ", text)


def test_unspace_keeps_markers_next_to_characters():
    assert unspace("政 府 \ue000信 息\ue001 公 开") == "政府\ue000信息\ue001公开"


def test_query_terms_are_folded_words():
    assert query_terms('郵編 "政府 信息" 323900') == ["邮编", "政府信息", "323900"]


@pytest.fixture(scope="module")
def corpus_archive(tmp_path_factory):
    path = tmp_path_factory.mktemp("search") / "corpus.db"
    build_corpus_archive(path)
    return path


def connect(path):
    conn = sqlite3.connect(read_only_uri(path), uri=True)
    conn.create_function("fold", 1, fold)
    return conn


# 1 to 8+ characters; common and rare; simplified and traditional.
CORPUS_TERMS = ["县", "公开", "邮编", "郵編", "复议", "行政复议", "依申请公开", "不予公开", "政府信息公开",
                "行政诉讼情况", "收到和处理政府信息公开申请情况", "信息", "年度报告", "电子邮箱", "國家秘密"]


@pytest.mark.parametrize("term", CORPUS_TERMS)
def test_fts_finds_exactly_what_a_like_scan_finds(corpus_archive, term):
    conn = connect(corpus_archive)
    fts = {r[0] for r in conn.execute(
        "select rowid from reports_fts where reports_fts match ?", [fts_query(term)])}
    # LIKE over the text folded to simplified (a traditional page matches a simplified word and back);
    # whitespace is removed as the index ignores it between Chinese characters.
    like = {r[0] for r in conn.execute(
        "select id from reports where replace(replace(replace(fold(coalesce(title, '') || ' ' || coalesce(body, '')),"
        " ' ', ''), char(10), ''), char(12288), '') like ?", ["%" + fold(term) + "%"])}
    assert fts == like
    assert like or term in ("國家秘密",)  # every other term is somewhere in the corpus


def test_fts_matches_traditional_and_simplified_alike(corpus_archive):
    conn = connect(corpus_archive)

    def ids(term):
        return {r[0] for r in conn.execute("select rowid from reports_fts where reports_fts match ?",
                                           [fts_query(term)])}
    assert ids("郵編") == ids("邮编") and ids("郵編")
    assert ids("政府資訊公開") == ids("政府资讯公开")


def get(ds, path, **params):
    async def fetch():
        return await ds.client.get(path, params=params)
    return asyncio.run(fetch())


@pytest.fixture
def ranked_archive(tmp_path):
    """Three reports where 行政复议 is in the title of one, often in the body of another, once in a third."""
    path = tmp_path / "ranked.db"
    db = open_test_archive(path)

    def report(url, title, body):
        return {"url": url, "title": title, "year": 2022, "issuer": "某县", "body": body,
                "sections": [{"number": 1, "heading": "一、总体情况", "kind": "overview", "text": body}]}
    insert_report(db, report("http://x/once", "某县2022年政府信息公开工作年度报告",
                             "概述。" * 50 + "本年度发生行政复议案件1件。" + "其他。" * 50))
    insert_report(db, report("http://x/title", "某县行政复议工作报告", "概述。" * 100))
    insert_report(db, report("http://x/often", "某县2021年政府信息公开工作年度报告",
                             "行政复议。" * 20 + "概述。" * 80))
    # reports without the word, as in any real archive (with the word in most reports, bm25's
    # inverse document frequency is not positive and FTS5 ranks by nothing)
    for i in range(10):
        insert_report(db, report(f"http://x/none{i}", "某县2020年报告", "概述。" * 100))
    db.close()
    return path


def test_search_page_ranks_and_highlights(ranked_archive):
    ds = make_datasette(ranked_archive)
    html = get(ds, "/-/nianbao/search", q="行政复议").text
    titles = re.findall(r'<h2><a href="[^"]+">([^<]+)</a></h2>', html)
    assert titles == ["某县行政复议工作报告", "某县2021年政府信息公开工作年度报告", "某县2022年政府信息公开工作年度报告"]
    assert "3 份报告" in html
    # snippets are read as written (no spaces between characters) with the match marked
    assert re.search(r'<p class="nianbao-snippet">[^<]*发生<mark>行政复议</mark>案件1件', html)
    # and the section that holds the word is named, with its own snippet
    assert re.search(r'#section-1">一、总体情况</a>: <span class="nianbao-snippet">[^<]*<mark>行政复议</mark>', html)


def test_canned_search_query_returns_ranked_snippets(ranked_archive):
    ds = make_datasette(ranked_archive)
    rows = get(ds, "/ranked/search.json", q="行政复议", _shape="array").json()
    assert [r["title"] for r in rows][0] == "某县行政复议工作报告"
    assert any("«行政复议»案件" in r["snippet"] for r in rows)


def test_datasette_search_box_finds_chinese_words(corpus_archive):
    ds = make_datasette(corpus_archive)
    conn = connect(corpus_archive)
    for term in ("行政复议", "郵編", "依申请公开"):
        rows = get(ds, "/corpus/reports.json", _search=term, _shape="array", _size="max").json()
        expected = {r[0] for r in conn.execute(
            "select rowid from reports_fts where reports_fts match ?", [fts_query(term)])}
        assert {r["id"] for r in rows} == expected and expected


def test_reports_page_has_search_box(corpus_archive):
    html = get(make_datasette(corpus_archive), "/corpus/reports").text
    assert 'name="_search"' in html


def reference_index_text(text):
    """index_text as its regexes define it (index_text uses a faster translate table)."""
    from archive.search import CJK_CHAR_RE, PUNCTUATION_RE, PUNCTUATION_TOKEN
    spaced = CJK_CHAR_RE.sub(r" \1 ", PUNCTUATION_RE.sub(" " + PUNCTUATION_TOKEN + r"\1", fold(text)))
    return re.sub(r"\s+", " ", spaced).strip()


def test_index_text_is_what_its_regexes_say():
    from tests.test_datasette_fixtures import corpus_reports
    texts = [r["body"] or "" for r in corpus_reports()]
    texts += ["行政诉讼、情况。😀 a@b 𠀀字\u3000\t（一）", "邮编：323900，电话0578-6508316。", "政府資訊公開"]
    for text in texts:
        assert index_text(text) == reference_index_text(text)
