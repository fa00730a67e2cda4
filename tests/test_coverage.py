"""Reports placed on divisions through ingest; the coverage and overdue views; the crawl-health
monitors; `nianbao divisions` and `nianbao status`.

The pages are the saved recreations of real reports in tests/files/reports (their issuers and
网站标识码 as the real pages print them)."""
import csv
import io
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from archive.ingest import ingest
from archive.monitors import MONITORS, failed_monitors, run_checks, store_checks
from archive.raw import RawResponse
from archive.store import open_archive

FILES = Path(__file__).parent / "files"
REPO = Path(__file__).parent.parent
HTML = [("Content-Type", "text/html; charset=utf-8")]
LAST_DUE_YEAR = date.today().year - 1 if date.today() > date(date.today().year, 3, 31) else date.today().year - 2


def report(archive, name, url, portal, status=200, run_id=None, route="report"):
    body = (FILES / "reports" / name).read_bytes() if status == 200 else b"not found"
    return ingest(archive, RawResponse(url=url, status=status, headers=HTML, body=body, portal_url=portal,
                                       route=route, run_id=run_id))


@pytest.fixture
def archive():
    return open_archive(":memory:")


def place(archive, report_id):
    return archive.conn.execute("select division_code, province, city, county, level from reports where id = ?",
                                [report_id]).fetchone()


def test_a_report_is_placed_by_its_issuer_through_the_registry(archive):
    result = report(archive, "002.html", "https://hnsn.gov.cn/a.shtml", "https://hnsn.gov.cn/")
    assert place(archive, result.report_id) == ("430527", "湖南省", "邵阳市", "绥宁县", "government")
    # a county-level city named alone is a county: 开平市, under 江门市
    result = report(archive, "007.html", "http://www.kaiping.gov.cn/b.html", "http://www.kaiping.gov.cn/")
    assert place(archive, result.report_id) == ("440783", "广东省", "江门市", "开平市", "department")


def test_the_portals_code_places_an_issuer_that_names_no_division(archive):
    # 湖南衡山萱洲国家湿地公园管理处 names no division; the portal's 网站标识码 4304230001 says 衡山县
    result = report(archive, "017.html", "http://www.hengshan.gov.cn/x.html", "http://www.hengshan.gov.cn/")
    assert place(archive, result.report_id)[:4] == ("430423", "湖南省", "衡阳市", "衡山县")
    assert archive.conn.execute("select site_id, division_code from portals").fetchone() == ("4304230001", "430423")
    # a township report with no county in its issuer, on its county's portal (标识码 3708830001: 邹城市)
    result = report(archive, "047.html", "http://www.zoucheng.gov.cn/t.html", "http://www.zoucheng.gov.cn/")
    assert place(archive, result.report_id) == ("370883", "山东省", "济宁市", "邹城市", "township")


def test_the_portals_csv_code_is_the_context_and_a_different_site_id_is_logged(archive, caplog):
    portal = "http://mirror.example/"
    archive.portal_id(portal, code="430000")  # the CSV says: 湖南省's portal
    result = report(archive, "017.html", "http://mirror.example/x.html", portal)
    assert place(archive, result.report_id)[0] == "430000"
    assert "网站标识码 4304230001" in caplog.text and "the CSV's code is used" in caplog.text


def test_nothing_is_invented_for_an_unplaceable_report(archive):
    # an anonymised mirror (某某县) with no 网站标识码, on a portal nobody placed
    page = (FILES / "reports" / "seed_qingtian.html").read_bytes().replace("青田县".encode(), "某某县".encode())
    page = page.replace(b"3311210001", b"")
    result = ingest(archive, RawResponse(url="http://x.example/r.html", status=200, headers=HTML, body=page,
                                         portal_url="http://x.example/", route="report"))
    assert result.outcome == "stored"
    assert place(archive, result.report_id)[:4] == (None, None, None, None)


@pytest.fixture
def small_archive(archive):
    """绥宁县's portal with its 2019 report, 青田县's with its 2019 report that later vanished, and a
    department report of 永泰县 (2014)."""
    report(archive, "002.html", "https://hnsn.gov.cn/a.shtml", "https://hnsn.gov.cn/")
    report(archive, "seed_qingtian.html", "http://www.qingtian.gov.cn/r.html", "http://www.qingtian.gov.cn/")
    report(archive, "seed_qingtian.html", "http://www.qingtian.gov.cn/r.html", "http://www.qingtian.gov.cn/",
           status=404)
    report(archive, "038.html", "http://yongtai.gov.cn/e.html", "http://yongtai.gov.cn/")
    return archive


def coverage(archive, code):
    return {row[0]: row[1:] for row in archive.conn.execute(
        "select year, government_report_id, department_reports, township_reports, status from coverage "
        "where division_code = ? order by year", [code])}


def test_coverage_has_a_row_per_division_in_scope_and_year(small_archive):
    suining = coverage(small_archive, "430527")
    assert min(suining) == 2014 and max(suining) == LAST_DUE_YEAR  # the archive's first year to the last due
    assert suining[2019][0] is not None and suining[2019][3] == "present"
    assert suining[2020] == (None, 0, 0, "overdue")
    assert coverage(small_archive, "331121")[2019][3] == "vanished"
    assert coverage(small_archive, "350125")[2014] == (None, 1, 0, "overdue")  # a department's, not the government's
    in_scope = {r[0] for r in small_archive.conn.execute("select distinct division_code from coverage")}
    assert in_scope == {"430527", "331121", "350125"}


def test_overdue_says_days_and_the_last_year_published(small_archive):
    rows = {r[0]: r[1:] for r in small_archive.conn.execute(
        "select year, due, days_overdue, last_published_year from overdue where division_code = '430527'")}
    assert 2019 not in rows and 2020 in rows
    due, days, last = rows[2020]
    assert due == "2021-03-31" and last == 2019
    assert days == (date.today() - date(2021, 3, 31)).days


# --- monitors ------------------------------------------------------------------------------
def ledger(archive, run_id, portal, *rows):
    portal_id = archive.portal_id(portal)
    for outcome, status, route in rows:
        archive.record_response(url=f"{portal}{outcome}/{run_id}/{os.urandom(4).hex()}", outcome=outcome,
                                run_id=run_id, portal_id=portal_id, status=status, route=route)
    archive.conn.commit()


def checks(archive, run_id, **kwargs):
    kwargs.setdefault("finish_reason", "finished")
    kwargs.setdefault("full", False)
    return {r.monitor: r for r in run_checks(archive.conn, run_id, **kwargs)}


@pytest.fixture
def two_runs(archive):
    for _ in (1, 2):
        archive.start_run(["http://p.example/"], 1)
    ledger(archive, 1, "http://p.example/", *[("listing", 200, "listing")] * 4, ("stored", 200, "report"))
    return archive


def test_every_monitor_passes_on_a_healthy_run(two_runs):
    ledger(two_runs, 2, "http://p.example/", *[("listing", 200, "listing")] * 4, ("unchanged", 200, "report"))
    results = checks(two_runs, 2)
    assert list(results) == list(MONITORS)
    assert all(r.passed for r in results.values()), results


def test_finish_reason_fails_when_the_crawl_was_stopped(two_runs):
    assert not checks(two_runs, 1, finish_reason="shutdown")["finish_reason"].passed


def test_error_rate_fails_above_its_limit(two_runs):
    ledger(two_runs, 2, "http://p.example/", ("error", None, "report"), ("http_error", 500, "report"),
           ("listing", 200, "listing"), *[("unchanged", 200, "report")] * 7)
    assert checks(two_runs, 2, min_rows=10)["error_rate"].passed  # 2 of 10
    assert not checks(two_runs, 2, min_rows=10, max_error_rate=0.15)["error_rate"].passed
    # shares of fewer rows than min_rows judge nothing
    assert checks(two_runs, 2, max_error_rate=0.15)["error_rate"].passed


def test_blocked_share_fails_above_its_limit(two_runs):
    ledger(two_runs, 2, "http://p.example/", *[("listing", 200, "listing")] * 4, ("blocked", 412, "report"),
           ("blocked", 200, "report"))
    assert not checks(two_runs, 2, min_rows=5)["blocked_share"].passed


def test_a_portal_that_stops_yielding_reports_fails(two_runs):
    ledger(two_runs, 2, "http://p.example/", *[("listing", 200, "listing")] * 4)
    result = checks(two_runs, 2)["portal_stopped_yielding"]
    assert not result.passed and "http://p.example/" in result.detail
    # its reports fetched recently are not fetched again, but its list still lists them: fine
    assert checks(two_runs, 2, listed={"http://p.example/": {"http://p.example/r"}})["portal_stopped_yielding"].passed


def test_list_pages_that_drop_by_more_than_half_fail(two_runs):
    two_runs.conn.execute("update crawl_runs set [full] = 1 where id = 1")
    ledger(two_runs, 2, "http://p.example/", ("listing", 200, "listing"), ("unchanged", 200, "report"))
    assert not checks(two_runs, 2, full=True)["list_pages_dropped"].passed
    # an incremental crawl stops paging where the items are archived: not compared
    assert checks(two_runs, 2)["list_pages_dropped"].passed
    # a full crawl is compared with full crawls only
    two_runs.conn.execute("update crawl_runs set [full] = 0 where id = 1")
    assert checks(two_runs, 2, full=True)["list_pages_dropped"].passed


def test_monitor_results_are_stored_per_run_and_portal(two_runs):
    two_runs.conn.execute("update crawl_runs set [full] = 1 where id = 1")
    ledger(two_runs, 2, "http://p.example/", ("listing", 200, "listing"))
    store_checks(two_runs.conn, 2, list(checks(two_runs, 2, full=True).values()), full=True)
    assert [m for m, _ in failed_monitors(two_runs.conn, 2)] == ["portal_stopped_yielding", "list_pages_dropped"]
    per_portal = two_runs.conn.execute("select monitor, portal_id from monitor_results where portal_id is not null "
                                       "order by id").fetchall()
    assert per_portal == [("portal_stopped_yielding", 1), ("list_pages_dropped", 1)]


# --- the command line ------------------------------------------------------------------------
def nianbao(*args, status=0):
    result = subprocess.run([sys.executable, "-m", "nianbao.cli", *args], cwd=REPO, capture_output=True, text=True,
                            timeout=300, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == status, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    return result


def test_divisions_prints_a_portals_csv_template_that_crawl_reads_back(tmp_path):
    out = nianbao("divisions", "--province", "湖南", "--csv").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0] == {"code": "430000", "name": "湖南省人民政府", "province": "湖南省", "city": "", "county": "",
                       "url": ""}
    assert {"code": "430529", "name": "城步苗族自治县人民政府", "province": "湖南省", "city": "邵阳市",
            "county": "城步苗族自治县", "url": ""} in rows
    assert sum(1 for r in rows if r["county"]) == 122  # 湖南's county-level divisions in 2024
    from scraper.portals import read_portals_checked
    from archive.divisions import known_codes

    filled = tmp_path / "portals.csv"
    lines = out.splitlines()
    lines[2] = lines[2] + "http://www.changsha.gov.cn/"
    lines.append("999999,假县人民政府,湖南省,,假县,http://fake.example/")
    filled.write_text("\n".join(lines) + "\n", encoding="utf-8")
    portals, problems = read_portals_checked(str(filled), known_codes())
    assert [(p.code, p.url) for p in portals] == [("430100", "http://www.changsha.gov.cn/")]
    assert [p for p in problems if "999999" in p] == [
        f"{filled}, line {len(lines)}: code 999999 is not a division code in nianbao's registry "
        f"(see `nianbao divisions`)"]


def test_divisions_refuses_an_unknown_province_with_one_line():
    result = nianbao("divisions", "--province", "火星", status=2)
    assert result.stderr.strip().count("\n") == 0 and "火星" in result.stderr


def test_status_exits_4_when_a_monitor_failed_and_0_when_healthy(tmp_path):
    import demo_portal.server
    from nianbao.cli import demo_portals
    from scraper.portals import write_portals

    server = demo_portal.server.start()
    try:
        csv_path = tmp_path / "portals.csv"
        write_portals(demo_portals(server)[:2], csv_path)
        db = tmp_path / "a.db"
        fast = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_START_DELAY=0.01", "-s", "NIANBAO_BLOCK_COOLDOWN=0"]
        nianbao("crawl", "--portals", str(csv_path), "--db", str(db), *fast)
        healthy = nianbao("status", "--db", str(db), "--json")
        data = json.loads(healthy.stdout)
        assert data["verdict"].startswith("healthy") and len(data["portals"]) == 2
        assert {p["division_code"] for p in data["portals"]} == {"900101", "900102"}  # the demo's own codes
        # the same crawl again with a monitor's limit no crawl can meet: exit 4, one line per failure
        failed = nianbao("crawl", "--portals", str(csv_path), "--db", str(db), *fast,
                         "-s", "NIANBAO_MONITOR_MAX_ERROR_RATE=-1", status=4)
        assert [line for line in failed.stderr.splitlines() if "monitor" in line] == [
            line for line in failed.stderr.splitlines() if line.startswith("nianbao: monitor error_rate failed:")]
        assert "monitor error_rate failed" in failed.stderr
        unhealthy = nianbao("status", "--db", str(db), status=4)
        assert unhealthy.stdout.splitlines()[-1].startswith("unhealthy: 1 monitor(s) of run 2 failed (error_rate)")
    finally:
        server.stop()


def test_reparse_recomputes_the_placement(small_archive):
    from archive.reparse import reparse_archive

    before = small_archive.conn.execute("select url, division_code, province, city, county, level from reports "
                                        "order by url").fetchall()
    small_archive.conn.execute("update reports set division_code = null, province = null")
    small_archive.conn.execute("update portals set division_code = null")
    small_archive.conn.commit()
    reparse_archive(small_archive, jobs=1)
    after = small_archive.conn.execute("select url, division_code, province, city, county, level from reports "
                                       "order by url").fetchall()
    assert after == before and all(row[1] for row in after)
