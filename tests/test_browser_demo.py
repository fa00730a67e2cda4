"""The demo archive, as a new user gets it: `nianbao demo`'s crawl of the offline portal, served by
the real `nianbao serve` command and read in Debian's chromium (fixtures from tests/test_browser.py).
Screenshots go to test-artifacts/browser/demo_*.png."""
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

import demo_portal
from demo_portal import server as demo_server
from tests.test_browser import ARTIFACTS, browser, free_port, pytestmark, visit, wait_for  # noqa: F401

REPO = Path(__file__).resolve().parent.parent
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "NIANBAO_BLOCK_COOLDOWN=0"]
DOCX_REPORT = next(r for r in demo_portal.REPORTS if r["shape"] == "docx")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    from nianbao.cli import demo_portals
    from scraper.portals import write_portals

    tmp = tmp_path_factory.mktemp("demo_browser")
    portal = demo_server.start()
    csv_path = tmp / "portals.csv"
    write_portals(demo_portals(portal), csv_path)
    db = tmp / "demo.db"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    subprocess.run([sys.executable, "-m", "nianbao.cli", "crawl", "--portals", str(csv_path), "--db", str(db), *FAST],
                   cwd=REPO, check=True, capture_output=True, env=env, timeout=240)
    portal.stop()
    port = free_port()
    serve = subprocess.Popen([sys.executable, "-m", "nianbao.cli", "serve", str(db), "--port", str(port)], cwd=REPO,
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=2)
            break
        except OSError:
            assert serve.poll() is None and time.monotonic() < deadline, serve.stderr.read() if serve.stderr else ""
            time.sleep(0.2)
    yield base, db
    serve.terminate()
    serve.wait(10)


def report_id(db, issuer):
    import sqlite3

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute("select id from reports where issuer = ?", [issuer]).fetchone()[0]
    finally:
        conn.close()


def test_the_demo_archive_home_and_reports_list(served, browser):
    base, _ = served
    text = visit(browser, base + "/demo/reports", "demo_reports")
    assert DOCX_REPORT["title"] in text
    assert "province" in text and "level" in text  # facets a person can click


def test_search_in_the_demo_archive_ranks_and_highlights(served, browser):
    base, _ = served
    browser.get(base + "/-/nianbao/search")
    box = browser.find_element("name", "q")
    box.send_keys(DOCX_REPORT["issuer"])
    box.submit()
    wait_for(browser, lambda d: "nianbao-results" in d.page_source)
    browser.save_screenshot(str(ARTIFACTS / "demo_search.png"))
    first = browser.find_element("css selector", "li.nianbao-result h2").text
    assert first == DOCX_REPORT["title"]
    marks = {m.text for m in browser.find_elements("css selector", "li.nianbao-result mark")}
    assert marks == {DOCX_REPORT["issuer"]}


def test_a_report_read_from_a_docx_shows_its_sections_contact_and_tables(served, browser):
    base, db = served
    text = visit(browser, f"{base}/-/nianbao/report/{report_id(db, DOCX_REPORT['issuer'])}", "demo_docx_report")
    assert DOCX_REPORT["title"] in text
    assert all(heading in text for heading in DOCX_REPORT["sections"])
    assert DOCX_REPORT["contact"]["address"] in text and DOCX_REPORT["contact"]["phones"][0] in text
    tables = browser.find_elements("css selector", "table.nianbao-stats-table")
    assert len(tables) == 3 and "本年新收政府信息公开申请数量" in tables[1].text


def test_a_canned_query_on_the_demo_archive(served, browser):
    base, _ = served
    text = visit(browser, base + "/demo/requests_by_county?province=演示西省", "demo_canned_query")
    assert "松林县" in text and "青溪县" not in text


def test_the_coverage_grid_of_the_demo_archive(served, browser):
    """Divisions × years in Chinese, filtered by province, each cell linking to its report."""
    import sqlite3

    base, db = served
    text = visit(browser, base + "/-/nianbao/coverage?province=" + urllib.parse.quote("演示东省"), "demo_coverage")
    assert "年报覆盖" in text and "青溪县" in text and "石门川县" not in text
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        expected = {(code, year): status for code, year, status in conn.execute(
            "select division_code, year, status from coverage where province = '演示东省'")}
        present = conn.execute("select year, government_report_id from coverage where division_code = '900101' "
                               "and status = 'present' order by year").fetchall()
    finally:
        conn.close()
    cells = browser.find_elements("css selector", "table.nianbao-coverage-grid td.nianbao-cell")
    shown = [c.get_attribute("class").split("nianbao-")[-1] for c in cells]
    assert sorted(shown) == sorted(expected.values())
    row = browser.find_element("xpath", "//tr[td[text()='900101']]")
    links = [a.get_attribute("href") for a in row.find_elements("css selector", "a")]
    assert links == [f"{base}/-/nianbao/report/{report_id}" for _, report_id in present]


def test_the_applications_chart_draws_a_line_with_every_year(served, browser):
    """The dashboard's chart reads the panel (a county's own government by default): every year with a
    number is a point on the line, the 2020 reports' text-only counts too, on a continuous year axis
    (equal steps per year; the line breaks where a year has no number)."""
    import re
    import sqlite3

    from archive.web.metadata import measure_label

    base, db = served
    province = "演示东省"
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        received = dict(conn.execute(
            "select year, sum(value) from indicator_series where province = ? and level = 'government' "
            "and indicator = 'requests.received' group by year", [province]))
        from_text = {year for (year,) in conn.execute(
            "select distinct indicators.year from indicators join reports on reports.id = indicators.report_id "
            "where reports.province = ? and indicators.level = 'government' and source = 'text' "
            "and indicator = 'requests.received'", [province])}
    finally:
        conn.close()
    assert 2020 in from_text and len(received) >= 3
    label = measure_label("requests.received")
    browser.get(base + "/-/dashboards/nianbao?province=" + urllib.parse.quote(province))

    def drawn(driver):
        points = {}
        for p in driver.find_elements("css selector", '#chart-applications svg path[aria-roledescription="point"]'):
            m = re.fullmatch(r"年度 year: (\d+); 件 applications: (\d+); 指标 indicator: (.+)", p.get_attribute("aria-label"))
            if m and m.group(3) == label:
                points[int(m.group(1))] = (int(m.group(2)), float(re.search(r"translate\(([-\d.]+)",
                                                                             p.get_attribute("transform")).group(1)))
        return points or False
    points = wait_for(browser, drawn)
    browser.save_screenshot(str(ARTIFACTS / "demo_dashboard.png"))
    assert {year: count for year, (count, _) in points.items()} == received   # every year, each its number
    # a continuous axis: x grows by the same step per year, so a missing year is a gap of one step
    years = sorted(points)
    step = (points[years[-1]][1] - points[years[0]][1]) / (years[-1] - years[0])
    assert step > 0 and all(abs(points[y][1] - points[years[0]][1] - step * (y - years[0])) < 1 for y in years)
    # the line: not blank, through every point, broken where years are missing
    line = next(p.get_attribute("d") for p in browser.find_elements(
        "css selector", '#chart-applications svg path[aria-roledescription="line mark"]')
        if p.get_attribute("aria-label").endswith(label))
    vertices = [float(x) for x in re.findall(r"[ML]([-\d.]+),", line)]
    assert sorted(round(x) for x in vertices) == sorted(round(x) for _, x in points.values())
    runs = 1 + sum(1 for a, b in zip(years, years[1:]) if b - a > 1)
    assert line.count("M") == runs
    # the legend in Chinese with English
    legend = browser.find_element("css selector", "#chart-applications svg").text
    assert label in legend
