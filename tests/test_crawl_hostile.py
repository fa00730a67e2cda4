"""Real crawls (nianbao crawl in a subprocess) of small local sites shaped like trouble:
robots.txt, redirects off the portal, pagination traps, long columns, oversized pages.
The pages are saved real report pages; the site is tests/local_site.py on 127.0.0.1."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils

from tests.local_site import LocalSite, html

REPO = Path(__file__).resolve().parent.parent
FILES = Path(__file__).parent / "files"
# Hostile sites fail crawls on purpose (a refused redirect, a page too large: 1 error in 2 rows); the
# crawl-health monitors, which rightly fail such runs (exit 4), have their own tests.
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "NIANBAO_BLOCK_COOLDOWN=0",
        "-s", "RETRY_TIMES=0", "-s", "SPIDERMON_ENABLED=False"]
REPORT = (FILES / "reports" / "seed_qingtian.html").read_bytes()
TITLE = "青田县政府信息公开工作2019年度报告"


def crawl(*args, status=0):
    result = subprocess.run([sys.executable, "-m", "nianbao.cli", "crawl", *args, *FAST], cwd=REPO,
                            capture_output=True, text=True, timeout=240, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == status, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    return result


def list_page(links: list[tuple[str, str]], next_links: list[str] = ()) -> tuple:
    items = "".join(f'<li><a href="{href}">{text}</a><span>2020-01-20</span></li>' for href, text in links)
    pager = "".join(f'<a href="{href}">下一页</a>' for href in next_links)
    return html(f'<html><head><title>政府信息公开年报</title></head><body><div class="list"><ul>{items}</ul>'
                f'</div><div class="pager">{pager}</div></body></html>')


@pytest.fixture
def site():
    sites = []

    def make(pages):
        sites.append(LocalSite(pages))
        return sites[-1]

    yield make
    for s in sites:
        s.stop()


def ledger(db_path):
    return {r["url"]: r for r in sqlite_utils.Database(db_path)["fetches"].rows}


@pytest.mark.parametrize("ignore", [False, True])
def test_robots_txt_is_obeyed_unless_told_otherwise(site, tmp_path, ignore):
    pages = {
        "/robots.txt": (200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /private/\n"),
        "/xxgknb/index.html": list_page([("/private/report.html", TITLE), ("/open/report.html", TITLE + "（公开）")]),
        "/private/report.html": html(REPORT),
        "/open/report.html": html(REPORT.replace(b"2020-01-20", b"2020-01-21")),
    }
    s = site(pages)
    db = tmp_path / "robots.db"
    crawl(s.url("/xxgknb/index.html"), "--db", str(db), *(["--ignore-robots"] if ignore else []))
    stored = {r["url"] for r in sqlite_utils.Database(db)["reports"].rows}
    assert s.url("/open/report.html") in stored
    if ignore:
        assert s.url("/private/report.html") in stored
    else:
        assert s.url("/private/report.html") not in stored
        assert ("GET", "/private/report.html") not in s.requests
        row = ledger(db)[s.url("/private/report.html")]
        assert row["outcome"] == "skipped" and "robots" in row["reason"].lower()


def test_a_redirect_off_the_portal_is_not_followed(site, tmp_path):
    other = site({"/report.html": html(REPORT)})
    other_url = other.url("/report.html").replace("127.0.0.1", "localhost")
    s = site({"/xxgknb/index.html": list_page([("/go.html", TITLE)]),
              "/go.html": (302, {"Location": other_url}, b"")})
    db = tmp_path / "redirect.db"
    crawl(s.url("/xxgknb/index.html"), "--db", str(db))
    assert not other.requests
    assert sqlite_utils.Database(db)["reports"].count == 0
    row = ledger(db)[s.url("/go.html")]
    assert row["outcome"] == "http_error" and "off the portal" in row["reason"]


def test_pagination_is_not_depth_a_long_column_is_read_to_its_end(site, tmp_path):
    pages = {}
    for n in range(1, 16):
        nxt = [f"/xxgknb/index_{n + 1}.html"] if n < 15 else []
        pages[f"/xxgknb/index_{n}.html"] = list_page([(f"/r/{n}.html", f"青田县第{n}镇2019年政府信息公开工作年度报告")], nxt)
        pages[f"/r/{n}.html"] = html(REPORT.replace(b"2020-01-20", f"2020-01-{n:02d}".encode()))
    s = site(pages)
    db = tmp_path / "long.db"
    crawl(s.url("/xxgknb/index_1.html"), "--db", str(db))
    assert ("GET", "/r/15.html") in s.requests
    assert sqlite_utils.Database(db)["responses"].count_where("route = 'report' and status = 200") == 15


def test_a_pagination_trap_is_stopped_by_the_page_budget(site, tmp_path):
    def trap(path):
        n = int(path.rsplit("_", 1)[-1].split(".")[0])
        # every page links five "next" pages, and a report
        return list_page([(f"/r/{n}.html", f"青田县第{n}镇2019年政府信息公开工作年度报告")],
                         [f"/xxgknb/index_{n * 5 + k}.html" for k in range(1, 6)])

    pages = {f"/xxgknb/index_{n}.html": trap for n in range(0, 100_000)}
    s = site(pages)
    db = tmp_path / "trap.db"
    result = crawl(s.url("/xxgknb/index_0.html"), "--db", str(db), "-s", "NIANBAO_MAX_LIST_PAGES=20")
    list_requests = [p for _, p in s.requests if p.startswith("/xxgknb/")]
    assert len(list_requests) <= 21
    assert "page budget" in result.stderr
    assert sqlite_utils.Database(db)["responses"].count_where("outcome = 'budget'") >= 1


def test_an_oversized_page_is_cut_and_recorded(site, tmp_path):
    big = REPORT + b"<!--" + b"x" * 300_000 + b"-->"
    s = site({"/xxgknb/index.html": list_page([("/big.html", TITLE)]), "/big.html": html(big)})
    db = tmp_path / "big.db"
    crawl(s.url("/xxgknb/index.html"), "--db", str(db), "-s", "DOWNLOAD_MAXSIZE=100000")
    row = ledger(db)[s.url("/big.html")]
    assert row["outcome"] == "too_large", row
    assert sqlite_utils.Database(db)["reports"].count == 0


def test_portals_csv_in_gbk_with_a_bad_row(site, tmp_path):
    s = site({"/xxgknb/index.html": list_page([("/r.html", TITLE)]), "/r.html": html(REPORT)})
    csv_path = tmp_path / "portals.csv"
    csv_path.write_bytes(f"name,province,city,county,url\n青田县人民政府,浙江省,丽水市,青田县,{s.url('/xxgknb/index.html')}\n"
                         "坏行,浙江省,丽水市,某县,www.example.gov.cn\n".encode("gbk"))
    db = tmp_path / "csv.db"
    result = crawl("--portals", str(csv_path), "--db", str(db))
    assert "line 3" in result.stderr
    portal = next(sqlite_utils.Database(db)["portals"].rows)
    assert (portal["name"], portal["province"], portal["county"]) == ("青田县人民政府", "浙江省", "青田县")
    report = next(sqlite_utils.Database(db)["reports"].rows)
    assert (report["province"], report["county"]) == ("浙江省", "青田县")


@pytest.mark.parametrize("args, status, message", [
    (["www.example.gov.cn"], 2, "not a usable start URL"),
    ([], 2, "give at least one START_URL"),
    (["--portals", "/nonexistent.csv"], 2, "no such portals file"),
])
def test_a_users_mistake_is_one_line_and_a_non_zero_exit(tmp_path, args, status, message):
    result = crawl(*args, "--db", str(tmp_path / "x.db"), status=status)
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2


def test_an_unwritable_archive_is_exit_3(tmp_path):
    result = crawl("http://127.0.0.1:9/", "--db", str(tmp_path / "missing-folder" / "x.db"), status=3)
    assert "cannot create the archive" in result.stderr
    read_only = tmp_path / "ro.db"
    read_only.write_bytes(b"")
    read_only.chmod(0o444)
    if os.geteuid() != 0:  # root writes anyway
        result = crawl("http://127.0.0.1:9/", "--db", str(read_only), status=3)
        assert "cannot open the archive" in result.stderr
    other_db = tmp_path / "someone_else.sqlite"
    import sqlite3

    conn = sqlite3.connect(other_db)
    conn.execute("create table notes (x)")
    conn.commit()
    conn.close()
    result = crawl("http://127.0.0.1:9/", "--db", str(other_db), status=3)
    assert "not a nianbao archive" in result.stderr
    assert [r[0] for r in sqlite3.connect(other_db).execute("select name from sqlite_master")] == ["notes"]
    not_sqlite = tmp_path / "page.html"
    not_sqlite.write_text("<html>not a database</html>")
    result = crawl("http://127.0.0.1:9/", "--db", str(not_sqlite), status=3)
    assert "cannot open the archive" in result.stderr
    assert not_sqlite.read_text() == "<html>not a database</html>"


def test_hanweb_paging_falls_back_to_get_when_post_is_refused(site, tmp_path):
    import re

    column = (FILES / "listings" / "hanweb_column.html").read_bytes()
    proxy = (FILES / "listings" / "hanweb_dataproxy.xml").read_bytes()
    pages = {"/col/col1229000001/index.html": html(column),
             "/hanweb/module/web/jpage/dataproxy.jsp?*": (200, {"Content-Type": "text/xml; charset=UTF-8"}, proxy)}
    for path in set(re.findall(rb'href="(/hanweb/art/[^"]+)"', column + proxy)):
        pages[path.decode()] = html(REPORT.replace(b"2020-01-20", path[-9:]))
    s = site(pages)
    db = tmp_path / "hanweb.db"
    crawl(s.url("/col/col1229000001/index.html"), "--db", str(db))
    proxy_requests = [p for _, p in s.requests if "dataproxy.jsp" in p]
    assert proxy_requests and all("columnid=1229000001" in p for p in proxy_requests)  # the GET fallback
    fetched = {p for _, p in s.requests if p.startswith("/hanweb/art/")}
    proxy_reports = {p.decode() for p in re.findall(rb'href="(/hanweb/art/[^"]+)"', proxy)}
    assert proxy_reports & fetched  # reports only the further pages list were reached


def test_a_report_file_is_kept_by_its_hash_never_by_a_name_from_the_url_or_server(site, tmp_path):
    import hashlib

    pdf = (FILES / "documents" / "report_2023.pdf").read_bytes()
    evil = "../../nianbao-evil-name.pdf"
    s = site({"/xxgknb/index.html": list_page([("/att/..%2F..%2Fnianbao-evil-name.pdf",
                                                "富宁县人民政府2023年政府信息公开工作年度报告.pdf")]),
              "/att/..%2F..%2Fnianbao-evil-name.pdf": (200, {"Content-Type": "application/pdf",
                                                             "Content-Disposition": f'attachment; filename="{evil}"'},
                                                       pdf)})
    workdir = tmp_path / "a" / "b"
    workdir.mkdir(parents=True)
    db = workdir / "files.db"
    result = subprocess.run([sys.executable, "-m", "nianbao.cli", "crawl", s.url("/xxgknb/index.html"), "--db",
                             str(db), *FAST], cwd=workdir, capture_output=True, text=True, timeout=240,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == 0, result.stderr[-2000:]
    assert not list(tmp_path.rglob("nianbao-evil-name*")) and not list(REPO.rglob("nianbao-evil-name*"))
    archive = sqlite_utils.Database(db)
    report = next(archive["reports"].rows)
    sha = hashlib.sha256(pdf).hexdigest()
    assert report["title"] == "富宁县人民政府2023年政府信息公开工作年度报告"
    assert report["attachment_sha256"] == sha and report["attachment_url"].endswith("nianbao-evil-name.pdf")
    assert archive.execute("select size from bodies where sha256 = ?", [sha]).fetchone() == (len(pdf),)


def test_a_report_that_drops_out_of_every_list_is_marked_gone_after_a_full_crawl(site, tmp_path):
    second = REPORT.replace(b"2020-01-20", b"2020-01-21")
    pages = {"/xxgknb/index.html": list_page([("/r/1.html", TITLE), ("/r/2.html", TITLE + "（二）")]),
             "/r/1.html": html(REPORT), "/r/2.html": html(second)}
    s = site(pages)
    db = tmp_path / "unlisted.db"
    crawl(s.url("/xxgknb/index.html"), "--db", str(db))
    pages["/xxgknb/index.html"] = list_page([("/r/1.html", TITLE)])  # the portal drops report 2 from its list
    crawl(s.url("/xxgknb/index.html"), "--db", str(db))  # incremental: lists not all read, nothing concluded
    archive = sqlite_utils.Database(db)
    gone = lambda: dict(archive.execute("select url, gone_since from reports").fetchall())  # noqa: E731
    assert set(gone().values()) == {None}
    crawl(s.url("/xxgknb/index.html"), "--db", str(db), "--full")
    assert gone()[s.url("/r/2.html")] is not None and gone()[s.url("/r/1.html")] is None
    assert archive.execute("select outcome, reason from fetches where url = ?", [s.url("/r/2.html")]).fetchone() == (
        "gone", "no longer in any list of its portal")
    assert archive["reports"].count == 2  # the copy stays


def test_a_decompression_bomb_is_cut_and_recorded(site, tmp_path):
    import gzip

    bomb = gzip.compress(b"<html><body>" + b"\x00" * 50_000_000 + b"</body></html>", compresslevel=9)
    assert len(bomb) < 100_000
    s = site({"/xxgknb/index.html": list_page([("/bomb.html", TITLE)]),
              "/bomb.html": (200, {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"}, bomb)})
    db = tmp_path / "bomb.db"
    crawl(s.url("/xxgknb/index.html"), "--db", str(db), "-s", "DOWNLOAD_MAXSIZE=5000000")
    row = ledger(db)[s.url("/bomb.html")]
    assert row["outcome"] == "too_large", row
    assert sqlite_utils.Database(db).execute("select max(size) from bodies").fetchone()[0] < 5_000_000
