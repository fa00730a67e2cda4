"""A crawl's memory does not grow with the URLs it meets: the dupefilter's fingerprints, the requests
made, the items each list showed and the archive's known pages are kept on disk (scraper.crawl_state,
scraper/dupefilter.py), and so is Scrapy's queue of requests not yet made (a JOBDIR per crawl).

The check is structural, not timed: when the spider closes, no Python container in the crawl
process holds the crawl's URLs or fingerprints by the hundred. benchmarks/crawl_memory.py measures
the RSS itself.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy import Request

from scraper.dupefilter import SQLiteDupeFilter
from tests.local_site import LocalSite, html

REPO = Path(__file__).resolve().parent.parent
REPORT = (Path(__file__).parent / "files" / "reports" / "seed_qingtian.html").read_bytes()
REPORTS = 120
PER_PAGE = 20
COLUMN = "/zwgk/xxgknb/"
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "NIANBAO_BLOCK_COOLDOWN=0",
        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8"]
# Runs `nianbao crawl` with a census when the spider closes: every set, frozenset, dict, list and
# deque that holds at least THRESHOLD of the site's URLs ((method, URL) pairs count) or of Scrapy's
# request fingerprints (20-byte digests), written as JSON to sys.argv[1].
CENSUS = """
import collections, gc, json, sys
from scraper.spiders.annual_reports import AnnualReportsSpider
out, base, threshold = sys.argv[1], sys.argv[2], int(sys.argv[3])
del sys.argv[1:4]

def crawl_member(value):
    if isinstance(value, str):
        return value.startswith(base)
    if isinstance(value, tuple) and len(value) == 2:  # (method, URL); not a bounded lru_cache's keys
        return isinstance(value[1], str) and value[1].startswith(base)
    return isinstance(value, bytes) and len(value) == 20

def census(self, reason):
    found = []
    for obj in gc.get_objects():
        if isinstance(obj, (set, frozenset, dict, list, collections.deque)) and len(obj) >= threshold:
            held = sum(1 for member in list(obj) if crawl_member(member))
            if held >= threshold:
                found.append(f"{type(obj).__name__} of {len(obj)}: {sorted(map(repr, obj))[:2]}")
    with open(out, "w") as f:
        json.dump(found, f)

AnnualReportsSpider.closed = census
from nianbao.cli import cli
cli()
"""


def report(n: int):
    # every page differs (a page is stored once per body)
    return html(REPORT.replace(b"</body>", f"<!-- {n} --></body>".encode()), charset="gbk",
                ETag=f'"r{n}"', **{"Last-Modified": "Tue, 31 Mar 2020 01:00:00 GMT"})


def column_page(page: int, pages: int) -> tuple:
    items = "".join(f'<li><a href="{COLUMN}t{n}.html">青田县人民政府{2000 + n % 24}年政府信息公开工作年度报告</a>'
                    f'<span>2020-03-31</span></li>'
                    for n in range(page * PER_PAGE, min((page + 1) * PER_PAGE, REPORTS)))
    pager = f'<a href="{COLUMN}index_{page + 1}.html">下一页</a>' if page + 1 < pages else ""
    return html(f'<html><head><title>政府信息公开年报</title></head><body><h3>政府信息公开年报</h3>'
                f'<ul class="list">{items}</ul><div class="page">{pager} 第{page + 1}页/共{pages}页</div>'
                f'</body></html>')


@pytest.fixture
def site():
    pages = -(-REPORTS // PER_PAGE)
    site = LocalSite({
        "/robots.txt": (200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n"),
        **{f"{COLUMN}{'index' if p == 0 else f'index_{p}'}.html": column_page(p, pages) for p in range(pages)},
        **{f"{COLUMN}t{n}.html": report(n) for n in range(REPORTS)},
    })
    yield site
    site.stop()


def crawl_with_census(site, db: Path, tmp: Path, *extra) -> list[str]:
    tmp.mkdir(exist_ok=True)
    out = tmp.parent / "census.json"
    result = subprocess.run([sys.executable, "-c", CENSUS, str(out), site.url("/"), str(REPORTS // 2),
                             "crawl", site.url(COLUMN + "index.html"), "--db", str(db), *FAST, *extra],
                            cwd=REPO, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "PYTHONPATH": str(REPO), "TMPDIR": str(tmp)})
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(out.read_text())


def test_a_crawl_holds_no_per_url_structure_in_memory(site, tmp_path):
    db, tmp = tmp_path / "a.db", tmp_path / "tmp"
    assert crawl_with_census(site, db, tmp) == []
    fetched = [path for method, path in site.requests if path.startswith(COLUMN + "t")]
    assert len(fetched) == REPORTS  # every report, once
    # a full re-crawl: the archive's known pages (every report) are looked up on disk too, and
    # asked for conditionally as before (this site sends ETag and Last-Modified, and ignores them)
    site.requests.clear()
    assert crawl_with_census(site, db, tmp, "--full") == []
    assert len([path for method, path in site.requests if path.startswith(COLUMN + "t")]) == REPORTS
    import sqlite3

    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from reports").fetchone()[0] == REPORTS
        unchanged = conn.execute("select count(*) from responses where run_id = 2 and outcome = 'unchanged'"
                                 ).fetchone()[0]
    assert unchanged == REPORTS
    # the crawl's request queue (its JOBDIR) is gone with it
    assert list(tmp.iterdir()) == []


def test_the_queue_folder_of_a_killed_crawl_is_removed_by_the_next(site, tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    left = tmp / f"nianbao-crawl-{dead}-x1y2"  # what kill -9 leaves behind
    (left / "requests.queue").mkdir(parents=True)
    mine = tmp / f"nianbao-crawl-{os.getpid()}-live"  # a running crawl's: kept
    mine.mkdir()
    crawl_with_census(site, tmp_path / "a.db", tmp)
    assert sorted(p.name for p in tmp.iterdir()) == [mine.name]


def test_a_fingerprint_is_kept_on_disk_and_survives_a_restart_of_the_job(tmp_path):
    first = SQLiteDupeFilter(str(tmp_path))
    urls = [f"http://127.0.0.1/zwgk/t{n}.html" for n in range(2500)]
    assert not any(first.request_seen(Request(url)) for url in urls)
    assert all(first.request_seen(Request(url)) for url in urls[:10])
    assert len(first) == len(urls) and not first._fingerprints  # none held in memory
    first.close("finished")
    again = SQLiteDupeFilter(str(tmp_path))  # a resumed JOBDIR
    assert again.request_seen(Request(urls[0])) and again.request_seen(Request(urls[-1]))
    assert not again.request_seen(Request(urls[0], method="POST"))
    again.close("finished")
    scratch = SQLiteDupeFilter()  # no JOBDIR: an anonymous file, nothing seen
    assert not scratch.request_seen(Request(urls[0]))
    scratch.close("finished")
