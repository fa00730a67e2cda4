"""Chinese full-text search, through SQLite and through Datasette's search box."""
import asyncio

import pytest

from archive.search import fts_query, index_text
from archive.store import open_archive, store_report
from tests.test_archive import sample_report


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
    assert index_text("政府信息公开 email: a@b.cn") == "政 府 信 息 公 开 email: a@b.cn"


@pytest.fixture
def archive_path(tmp_path):
    path = str(tmp_path / "search.db")
    db = open_archive(path)
    store_report(db, sample_report(url="http://x/1.html", body="如对本报告有疑问（邮编：323900）。四、政府信息公开行政复议、行政诉讼情况"))
    store_report(db, sample_report(url="http://x/2.html", title="某县2012年政府信息公开工作年度报告",
                                   body="概述。主动公开信息100条。"))
    store_report(db, sample_report(url="http://x/3.html", title="開平市2020年政府信息公開工作年度報告",
                                   body="郵編：529300 政府信息公開"))
    db.close()
    return path


def sql_search(path, query):
    db = open_archive(path)
    return sorted(r[0] for r in db.execute(
        "select reports.url from reports join reports_fts on reports_fts.rowid = reports.id "
        "where reports_fts match ?", [fts_query(query)]).fetchall())


@pytest.mark.parametrize("query, urls", [
    ("公开", ["http://x/1.html", "http://x/2.html", "http://x/3.html"]),
    ("邮编", ["http://x/1.html", "http://x/3.html"]),
    ("行政复议", ["http://x/1.html"]),
    ("主动公开 100", ["http://x/2.html"]),
    ("诉讼复议", []),                      # characters present, but not as this word
])
def test_sql_search_finds_chinese_words(archive_path, query, urls):
    assert sql_search(archive_path, query) == urls


def datasette_search(path, query):
    from archive.serve import make_datasette

    ds = make_datasette(path)

    async def fetch():
        response = await ds.client.get("/search/reports.json", params={"_search": query, "_shape": "array"})
        assert response.status_code == 200, response.text
        return sorted(r["url"] for r in response.json())

    return asyncio.run(fetch())


@pytest.mark.parametrize("query, urls", [
    ("公开", ["http://x/1.html", "http://x/2.html", "http://x/3.html"]),
    ("邮编", ["http://x/1.html", "http://x/3.html"]),
    ("行政复议", ["http://x/1.html"]),
    ("概述", ["http://x/2.html"]),
])
def test_datasette_search_box_finds_chinese_words(archive_path, query, urls):
    assert datasette_search(archive_path, query) == urls


def test_datasette_reports_page_has_search_box(archive_path):
    from archive.serve import make_datasette

    ds = make_datasette(archive_path)

    async def fetch():
        return await ds.client.get("/search/reports")

    html = asyncio.run(fetch()).text
    assert 'name="_search"' in html
