"""A real Scrapy crawl of the bundled demo portal on 127.0.0.1 into SQLite."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils

import demo_portal
from demo_portal import server as demo_server

REPO = Path(__file__).resolve().parent.parent
# Local server: no delays; the demo's challenge pages must not cool 127.0.0.1 (every demo portal) down.
FAST_LOCAL = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_START_DELAY=0.01", "-s", "AUTOTHROTTLE_MAX_DELAY=0.5",
              "-s", "NIANBAO_BLOCK_COOLDOWN=0"]


@pytest.fixture(scope="module")
def portal():
    server = demo_server.start()
    yield server
    server.stop()


def run(args, cwd=REPO, status=0):
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == status, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    return result


def nianbao_crawl(portal, db_path):
    return run([sys.executable, "-m", "nianbao.cli", "crawl", *portal.homepages, "--db", str(db_path), *FAST_LOCAL])


@pytest.fixture(scope="module")
def crawled(portal, tmp_path_factory):
    db_path = tmp_path_factory.mktemp("crawl") / "demo.db"
    result = nianbao_crawl(portal, db_path)
    return db_path, result


def reports_by_path(db_path, base_url):
    db = sqlite_utils.Database(db_path)
    return {row["url"].removeprefix(base_url): row for row in db["reports"].rows}


def test_every_demo_report_is_archived(crawled, portal):
    db_path, _ = crawled
    stored = reports_by_path(db_path, portal.base_url)
    assert sorted(stored) == sorted(r["path"] for r in demo_portal.REPORTS)


@pytest.mark.parametrize("field", ["title", "year", "issuer", "published"])
def test_report_fields_match_the_portal(crawled, portal, field):
    db_path, _ = crawled
    stored = reports_by_path(db_path, portal.base_url)
    for expected in demo_portal.REPORTS:
        assert stored[expected["path"]][field] == expected[field], expected["path"]


def test_report_contacts_match_the_portal(crawled, portal):
    db_path, _ = crawled
    stored = reports_by_path(db_path, portal.base_url)
    for expected in demo_portal.REPORTS:
        row = stored[expected["path"]]
        got = {"address": row["address"], "postcode": row["postcode"], "phones": json.loads(row["phones"]),
               "fax": json.loads(row["fax"]), "email": row["email"]}
        assert got == expected["contact"], expected["path"]


def test_report_sections_match_the_portal(crawled, portal):
    db_path, _ = crawled
    db = sqlite_utils.Database(db_path)
    for expected in demo_portal.REPORTS:
        report_id = db.execute("select id from reports where url = ?", [portal.base_url + expected["path"]]).fetchone()[0]
        headings = [r[0] for r in db.execute("select heading from sections where report_id = ? order by number", [report_id])]
        assert headings == expected["sections"], expected["path"]


def test_lookalikes_are_not_archived_and_are_in_the_ledger(crawled, portal):
    db_path, _ = crawled
    db = sqlite_utils.Database(db_path)
    stored_titles = {r["title"] for r in db["reports"].rows}
    ledger = {r["url"].removeprefix(portal.base_url): r["outcome"] for r in db["fetches"].rows}
    for lookalike in demo_portal.LOOKALIKES:
        assert lookalike["title"] not in stored_titles
        assert ledger.get(lookalike["path"]) in ("skipped", "not_report"), lookalike["path"]


# robots.txt: tests/test_crawl_hostile.py (a test that fails when robots.txt is ignored)


def test_second_crawl_is_idempotent(crawled, portal):
    db_path, _ = crawled
    db = sqlite_utils.Database(db_path)
    before = {r["url"]: r["id"] for r in db["reports"].rows}
    sections_before = db["sections"].count
    fetches_before = db["fetches"].count
    nianbao_crawl(portal, db_path)
    after = {r["url"]: r["id"] for r in db["reports"].rows}
    assert after == before
    assert db["sections"].count == sections_before
    assert db["fetches"].count == fetches_before
    assert db.execute("select count(*) from reports_fts").fetchone()[0] == len(before)


def test_scrapy_crawl_command_from_repo_root(portal, tmp_path):
    db_path = tmp_path / "scrapy.db"
    hanweb_home = [u for u in portal.homepages if "/hanweb/" in u]
    run([sys.executable, "-m", "scrapy", "crawl", "annual_reports", "-a", "start_urls=" + ",".join(hanweb_home),
         "-s", f"NIANBAO_DB={db_path}", *FAST_LOCAL])
    stored = reports_by_path(db_path, portal.base_url)
    assert sorted(stored) == sorted(r["path"] for r in demo_portal.REPORTS if r["family"] == "hanweb")


def test_crawl_from_portals_csv(portal, tmp_path):
    csv_path = tmp_path / "portals.csv"
    vsb_home = [u for u in portal.homepages if "/vsb/" in u][0]
    csv_path.write_text(f"name,province,city,county,url\n演示门户,演示省,演示市,演示县,{vsb_home}\n", encoding="utf-8")
    db_path = tmp_path / "csv.db"
    run([sys.executable, "-m", "nianbao.cli", "crawl", "--portals", str(csv_path), "--db", str(db_path), *FAST_LOCAL])
    db = sqlite_utils.Database(db_path)
    assert db["portals"].count == 1
    portal_row = next(db["portals"].rows)
    assert (portal_row["name"], portal_row["county"]) == ("演示门户", "演示县")
    assert db["reports"].count == sum(1 for r in demo_portal.REPORTS if r["family"] == "vsb")
    assert {r["portal_id"] for r in db["reports"].rows} == {portal_row["id"]}


def test_a_missing_page_is_recorded_in_the_ledger(portal, tmp_path):
    db_path = tmp_path / "missing.db"
    missing = portal.base_url + "/trs/zwgk/xxgknb/209901/t20990101_404.html"
    # the only start URL answers 404: the run failed (exit 1), and says so in the ledger
    run([sys.executable, "-m", "nianbao.cli", "crawl", missing, "--db", str(db_path), *FAST_LOCAL], status=1)
    db = sqlite_utils.Database(db_path)
    rows = list(db["fetches"].rows_where("url = ?", [missing]))
    assert [(r["outcome"], r["http_status"]) for r in rows] == [("http_error", 404)]
    assert db["reports"].count == 0


def test_a_dead_portal_leaves_the_archive_intact(crawled, tmp_path):
    import shutil

    db_path = tmp_path / "copy.db"
    shutil.copy(crawled[0], db_path)
    before = sorted((r["url"], r["title"], r["body"]) for r in sqlite_utils.Database(db_path)["reports"].rows)
    dead = demo_server.start()
    dead_home = dead.homepages[0]
    dead.stop()  # nothing listens there any more: connection refused
    result = run([sys.executable, "-m", "nianbao.cli", "crawl", dead_home, "--db", str(db_path), *FAST_LOCAL,
                  "-s", "RETRY_TIMES=0"], status=1)
    assert "no portal could be reached" in result.stderr
    db = sqlite_utils.Database(db_path)
    assert sorted((r["url"], r["title"], r["body"]) for r in db["reports"].rows) == before
    assert [r["outcome"] for r in db["fetches"].rows_where("url = ?", [dead_home])] == ["error"]


def test_the_demo_archive_in_datasette_has_places_and_levels_as_facets(portal, tmp_path):
    """What `nianbao serve demo.db` shows a researcher after `nianbao demo` (its portals, given as
    a portals CSV): facets on province, county and level."""
    import asyncio

    from archive.web.serve import make_datasette
    from nianbao.cli import demo_portals
    from scraper.portals import write_portals

    csv_path = tmp_path / "portals.csv"
    write_portals(demo_portals(portal), csv_path)
    db_path = tmp_path / "demo.db"
    run([sys.executable, "-m", "nianbao.cli", "crawl", "--portals", str(csv_path), "--db", str(db_path), *FAST_LOCAL])
    ds = make_datasette(db_path)
    name = db_path.stem

    async def fetch(path):
        return (await ds.client.get(path)).json()

    data = asyncio.run(fetch(f"/{name}/reports.json?_facet=province&_facet=county&_facet=level&_size=0"))
    facets = {f: {v["value"]: v["count"] for v in data["facet_results"][f]["results"]}
              for f in ("province", "county", "level")}
    assert data["filtered_table_rows_count"] == len(demo_portal.REPORTS)
    assert set(facets["county"]) == {p["county"] for p in demo_portal.PORTALS}
    assert sum(facets["county"].values()) == len(demo_portal.REPORTS)
    assert len(facets["province"]) >= 2
    assert {"government", "department", "township"} <= set(facets["level"])
    one_county = asyncio.run(fetch(f"/{name}/reports.json?county=青溪县&_shape=array"))
    assert {r["county"] for r in one_county} == {"青溪县"} and len(one_county) == sum(
        1 for r in demo_portal.REPORTS if r["portal"] == "trs")
