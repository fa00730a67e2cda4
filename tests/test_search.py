"""Chinese full-text search: the query language, LIKE-exact results on the corpus, ranking and snippets."""
import asyncio
import re
import sqlite3

import pytest

from archive.search import fts_query, index_text, query_terms, snippet
from archive.store import read_only_uri
from archive.web.serve import make_datasette
from parsing.chinese import fold
from tests.test_datasette_fixtures import build_corpus_archive, insert_report, open_test_archive


@pytest.mark.parametrize("query, expected", [
    ("公开", '"公开"'),
    ("行政复议", '"行政 政复 复议"'),
    ("邮编 323900", '"邮编" "323900"'),
    ('"政府 信息"', '"政府 府信 信息"'),
    ("郵編", '"邮编"'),          # traditional folds to simplified
    ("县", '"县" *'),            # one character: every token that starts with it
    ("2020年", '"2020 年" *'),
    ("县2020", '"县 2020"'),     # a character before other text ends its run in a page too
    ("", '""'),
])
def test_fts_query(query, expected):
    assert fts_query(query) == expected


def test_index_text_makes_a_token_per_character_with_the_next_and_keeps_latin():
    assert index_text("政府信息公开 email a1") == "政府 府信 信息 息公 公开 开 email a1"


def test_index_text_ignores_whitespace_inside_a_run():
    assert index_text("行政\n复议") == index_text("行政复议") == "行政 政复 复议 议"


def test_index_text_writes_a_token_before_punctuation():
    assert index_text("诉讼、情况") == "诉讼 讼 \ue002、 情况 况"


def test_query_terms_are_folded_words():
    assert query_terms('郵編 "政府 信息" 323900') == ["邮编", "政府信息", "323900"]


def test_snippet_marks_every_match_near_the_words_as_written():
    text = "概述。" * 30 + "本年度發生行政\n復議案件1件，行政复议决定2件。" + "其他。" * 30
    found = snippet(text, query_terms("行政复议"), start_mark="[", end_mark="]")
    assert "發生[行政\n復議]案件1件，[行政复议]决定2件" in found
    assert found.startswith("…") and found.endswith("…")
    assert snippet(text, ["邮编"]) is None


def test_snippet_prefers_the_place_where_all_words_are():
    text = "公开。" + "概述。" * 40 + "依申请公开的行政复议案件" + "其他。" * 40
    found = snippet(text, ["公开", "行政复议"], start_mark="[", end_mark="]")
    assert "依申请[公开]的[行政复议]案件" in found


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
    """index_text as its regexes define it (index_text uses a translate table and one pass over runs):
    the text's tokens with every Chinese character apart, then each character of a run written
    with the next one, the run's last one alone."""
    from archive.search import CJK_CHAR_RE, PUNCTUATION_RE, PUNCTUATION_TOKEN
    spaced = CJK_CHAR_RE.sub(r" \1 ", PUNCTUATION_RE.sub(" " + PUNCTUATION_TOKEN + r"\1", fold(text)))
    tokens, run = [], []
    for item in spaced.split() + [""]:
        if CJK_CHAR_RE.fullmatch(item):
            run.append(item)
            continue
        tokens += [a + b for a, b in zip(run, run[1:])] + run[-1:]
        run = []
        if item:
            tokens.append(item)
    return " ".join(tokens)


def test_index_text_is_what_its_regexes_say():
    from tests.test_datasette_fixtures import corpus_reports
    texts = [r["body"] or "" for r in corpus_reports()]
    texts += ["行政诉讼、情况。😀 a@b 𠀀字\u3000\t（一）", "邮编：323900，电话0578-6508316。", "政府資訊公開"]
    for text in texts:
        assert index_text(text) == reference_index_text(text)


# --- the index is contentless: replacing and removing rows, and its size ---------------------

def index_terms(conn):
    """Every token of the index with the number of reports and occurrences (fts5vocab)."""
    conn.execute("create virtual table if not exists temp.search_vocab using fts5vocab(main, reports_fts, row)")
    return conn.execute("select term, doc, cnt from temp.search_vocab order by term").fetchall()


def test_replacing_and_removing_reports_leaves_the_index_as_if_built_anew(tmp_path):
    from pathlib import Path

    from archive.search import delete_from_index, fill_index
    from archive.store import open_archive
    from parsing import parse_report

    files = Path(__file__).parent / "files" / "reports"
    pages = sorted(files.glob("*.html"))[:3]
    archive = open_archive(str(tmp_path / "a.db"))
    with archive.transaction():
        ids = [archive.write_report(parse_report(p.read_bytes(), f"http://x/{i}"), url=f"http://x/{i}")
               for i, p in enumerate(pages)]
        # the first report's page now says what the third said: its old words must leave the index
        archive.write_report(parse_report(pages[2].read_bytes(), "http://x/0"), url="http://x/0", report_id=ids[0])
        archive.write_report(parse_report(pages[1].read_bytes(), "http://x/1"), url="http://x/1", report_id=ids[1])
        delete_from_index(archive.conn, "id = ?", [ids[2]])
        for table in ("sections", "stat_cells", "checks", "figures", "reports"):
            archive.conn.execute(f"delete from [{table}] where {'id' if table == 'reports' else 'report_id'} = ?",
                                 [ids[2]])
    after = index_terms(archive.conn)
    with archive.transaction():
        archive.conn.execute("insert into reports_fts (reports_fts) values ('delete-all')")
        assert fill_index(archive.conn) == 2
    assert after == index_terms(archive.conn) and after
    assert archive.conn.execute("insert into reports_fts (reports_fts, rank) values ('integrity-check', 1)")


def test_the_index_holds_no_copy_of_the_text(corpus_archive):
    conn = connect(corpus_archive)
    names = {r[0] for r in conn.execute("select name from sqlite_master")}
    assert "reports_fts_content" not in names and "reports_fts_data" in names


def test_an_index_made_by_an_older_nianbao_is_rebuilt_on_open(tmp_path, corpus_archive):
    from archive.schema import MIGRATIONS
    from archive.store import open_archive

    path = tmp_path / "old.db"
    build_corpus_archive(path)
    conn = sqlite3.connect(path)
    # as the previous nianbao left it: a per-character index with a copy of the text
    conn.execute("drop table reports_fts")
    conn.execute("create virtual table reports_fts using fts5(title, body, tokenize='unicode61')")
    conn.execute("insert into reports_fts (rowid, title, body) select id, title, body from reports")
    conn.execute("delete from schema_migrations where name = ?",
                 [next(name for name, _ in MIGRATIONS if "search-index" in name)])
    conn.commit()
    conn.close()
    archive = open_archive(str(path))
    found = {r[0] for r in archive.conn.execute("select rowid from reports_fts where reports_fts match ?",
                                                [fts_query("行政复议")])}
    built_now = {r[0] for r in connect(corpus_archive).execute(
        "select rowid from reports_fts where reports_fts match ?", [fts_query("行政复议")])}
    assert found == built_now and found
    assert "reports_fts_content" not in {r[0] for r in archive.conn.execute("select name from sqlite_master")}


def test_search_page_lists_newest_first_when_too_many_match_to_rank(ranked_archive, monkeypatch):
    import archive.web.datasette_plugin as plugin

    monkeypatch.setattr(plugin, "RANK_LIMIT", 2)
    html = get(make_datasette(ranked_archive), "/-/nianbao/search", q="行政复议").text
    titles = re.findall(r'<h2><a href="/-/nianbao/report/(\d+)">', html)
    assert titles == ["3", "2", "1"]
    assert "more than 2 reports" in html and "most recently archived first" in html
    assert re.search(r'<p class="nianbao-snippet">[^<]*发生<mark>行政复议</mark>案件1件', html)


def test_canned_search_lists_newest_first_when_too_many_match_to_rank(tmp_path):
    from archive.search import RANK_LIMIT

    path = tmp_path / "many.db"
    db = open_test_archive(path)
    n = RANK_LIMIT + 10
    rows = [(i, f"http://x/{i}", f"某县{i}号报告", "概述。" * (i % 7) + "本年度行政复议案件1件。") for i in range(1, n + 1)]
    with db.conn:
        db.conn.executemany("insert into reports (id, url, title, body) values (?, ?, ?, ?)", rows)
        db.conn.executemany("insert into reports_fts (rowid, title, body) values (?, ?, ?)",
                            [(i, index_text(t), index_text(b)) for i, _, t, b in rows])
    db.close()
    ds = make_datasette(path)
    found = get(ds, "/many/search.json", q="行政复议", _shape="array").json()
    assert [r["id"] for r in found] == list(range(n, n - 50, -1))
    assert all("«行政复议»案件" in r["snippet"] for r in found)
    few = get(ds, "/many/search.json", q=f"某县{n}号", _shape="array").json()
    assert [r["id"] for r in few] == [n]
