"""Serving an archive: read-only, only real archives, 127.0.0.1, hostile text inert on every page."""
import asyncio
import hashlib
import inspect
import os
import re
import sqlite3
from pathlib import Path

import pytest

from archive.web.serve import check_archive, make_datasette, run_datasette
from tests.test_datasette_fixtures import HOSTILE_URL, build_corpus_archive


@pytest.fixture(scope="module")
def hostile_archive(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile") / "hostile.db"
    ids = build_corpus_archive(path, hostile=True)
    return path, ids[HOSTILE_URL]


def get(ds, path):
    async def fetch():
        return await ds.client.get(path)
    return asyncio.run(fetch())


def snapshot(directory):
    """Every file in DIRECTORY with its content hash: serving must leave this unchanged."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


def test_check_archive_accepts_an_archive(hostile_archive):
    assert check_archive(hostile_archive[0]) is None


def test_check_archive_refuses_a_missing_path_without_creating_it(tmp_path):
    path = tmp_path / "nothing.db"
    message = check_archive(path)
    assert "no such file" in message and "\n" not in message
    with pytest.raises(ValueError):
        make_datasette(path)
    assert not path.exists()


def test_check_archive_refuses_an_html_file_and_leaves_it_alone(tmp_path):
    path = tmp_path / "page.html"
    path.write_text("<html><body>年报</body></html>", encoding="utf-8")
    before = snapshot(tmp_path)
    assert "not an SQLite database" in check_archive(path)
    with pytest.raises(ValueError):
        make_datasette(path)
    assert snapshot(tmp_path) == before


def test_check_archive_refuses_other_sqlite_files_and_leaves_them_alone(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("create table birds (name text)")
    conn.commit()
    conn.close()
    before = snapshot(tmp_path)
    assert "not a nianbao archive" in check_archive(path)
    with pytest.raises(ValueError):
        make_datasette(path)
    assert snapshot(tmp_path) == before


def test_check_archive_refuses_a_database_with_another_applications_mark(tmp_path):
    """Even with nianbao's tables: the header says whose file it is (PRAGMA application_id)."""
    from archive.store import open_archive

    path = tmp_path / "theirs.db"
    open_archive(str(path)).close()
    assert check_archive(path) is None
    conn = sqlite3.connect(path)
    conn.execute("pragma application_id = 0x47504b47")
    conn.close()
    before = snapshot(tmp_path)
    assert "not a nianbao archive" in check_archive(path) and "0x47504b47" in check_archive(path)
    assert snapshot(tmp_path) == before


def test_check_archive_refuses_a_directory(tmp_path):
    assert "not a file" in check_archive(tmp_path)


PAGES = ("/", "/archive", "/archive/reports?_search=公开", "/archive/reports/1", "/-/nianbao/report/1",
         "/-/nianbao/search?q=行政复议", "/archive/search?q=邮编", "/-/dashboards/nianbao")


@pytest.mark.parametrize("immutable", [True, False])
def test_serving_changes_no_file(tmp_path, immutable):
    path = tmp_path / "archive.db"
    build_corpus_archive(path)
    before = snapshot(tmp_path)
    ds = make_datasette(path, immutable=immutable)
    for page in PAGES:
        assert get(ds, page).status_code == 200, page
    # and writes through the SQL page are refused
    response = get(ds, "/archive.json?sql=delete+from+reports")
    assert response.status_code == 400
    after = snapshot(tmp_path)
    if immutable:  # nothing created at all
        assert after == before
    else:  # read-only beside a possible writer: SQLite's own -wal/-shm appear, the archive is unchanged
        assert after["archive.db"] == before["archive.db"]
        assert set(after) - set(before) <= {"archive.db-wal", "archive.db-shm"}


def test_serve_binds_localhost_by_default():
    assert inspect.signature(run_datasette).parameters["host"].default == "127.0.0.1"


# Markup an attacker could store in a report, as it must never reach a page unescaped.
LIVE_MARKUP = re.compile(r"<script>alert|<img src=x onerror|<b>青溪县|href=\"javascript:|<i>0578", re.I)


def hostile_pages(report_id):
    return [
        "/hostile", "/hostile/reports", f"/hostile/reports/{report_id}", "/hostile/reports?_search=青溪县",
        "/hostile/reports?_allcols=1", "/hostile/sections", "/hostile/stats",
        f"/-/nianbao/report/{report_id}", "/-/nianbao/search?q=本机关公开", "/-/nianbao/search?q=总体情况",
        "/hostile/search?q=本机关公开", "/hostile/newest_reports", "/hostile/issuers_without_report?year=2030&province=",
        "/hostile?sql=select+title,+body,+url+from+reports", "/-/dashboards/nianbao",
    ]


def test_hostile_text_is_escaped_on_every_html_page(hostile_archive):
    path, report_id = hostile_archive
    ds = make_datasette(path)
    for page in hostile_pages(report_id):
        response = get(ds, page)
        assert response.status_code == 200, page
        assert not LIVE_MARKUP.search(response.text), (page, LIVE_MARKUP.search(response.text).group(0))
    report_page = get(ds, f"/-/nianbao/report/{report_id}").text
    # shown as text a reader can see
    assert "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;" in report_page
    assert "&lt;img src=x onerror=" in report_page
    # the javascript: source is not a link
    assert 'href="javascript' not in report_page.lower()
    assert "javascript:alert(4)" in report_page


def test_hostile_text_in_exports_is_data(hostile_archive):
    path, report_id = hostile_archive
    ds = make_datasette(path)
    as_json = get(ds, f"/hostile/reports/{report_id}.json?_shape=array")
    assert as_json.headers["content-type"].startswith("application/json")
    assert as_json.json()[0]["title"].startswith("<script>")
    as_csv = get(ds, "/hostile/reports.csv?_search=本机关公开")
    assert as_csv.headers["content-type"].startswith(("text/plain", "text/csv"))
    search_json = get(ds, "/hostile/search.json?q=本机关公开&_shape=array")
    assert search_json.headers["content-type"].startswith("application/json")
    assert any("<img" in row["snippet"] for row in search_json.json())


def test_an_archive_from_an_older_nianbao_is_refused_with_what_to_do(tmp_path):
    import shutil

    path = tmp_path / "old.db"
    shutil.copy(Path(__file__).parent / "files" / "archive_v1.db", path)
    before = path.read_bytes()
    problem = check_archive(path)
    assert "older nianbao" in problem and "nianbao reparse" in problem
    assert path.read_bytes() == before
    from archive.store import open_archive

    open_archive(str(path)).close()  # what reparse or a crawl does first
    assert check_archive(path) is None


def test_serving_while_a_crawl_writes_gets_no_database_is_locked(tmp_path):
    from archive.ingest import ingest
    from archive.raw import RawResponse
    from archive.store import open_archive

    path = tmp_path / "archive.db"
    writer = open_archive(str(path))
    body = (Path(__file__).parent / "files" / "reports" / "seed_qingtian.html").read_bytes()
    ingest(writer, RawResponse(url="http://a/1.html", status=200, body=body, route="report"))
    ds = make_datasette(path)
    assert get(ds, "/archive/reports.json").status_code == 200
    with writer.transaction():  # a crawl in the middle of storing a report holds the write lock
        ingest(writer, RawResponse(url="http://a/2.html", status=200, body=body.replace(b"2020", b"2021"),
                                   route="report"))
        for page in ("/archive/reports.json", "/-/nianbao/report/1", "/-/nianbao/search?q=公开"):
            assert get(ds, page).status_code == 200, page
    assert "http://a/2.html" in {r["url"] for r in get(ds, "/archive/reports.json?_shape=array").json()}
    writer.close()
