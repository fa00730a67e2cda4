"""Real crawls (nianbao crawl / scrapy in a subprocess) of local sites shaped like the traps and
tricks of issue 12: link traps bounded by the portal's page budget, names that resolve to internal
addresses refused where the connection is made, a ledger row for every request not made, bodies
too long or too short, Retry-After, SIGTERM/SIGINT, and the Scrapy commands run from the repo root.
Sites are tests/local_site.py on 127.0.0.x; made-up names resolve through tests.local_site.MappedResolver."""
import base64
import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlite_utils

from tests.local_site import LocalSite, html
from tests.test_crawl_hostile import FAST, REPORT, TITLE, ledger, list_page

REPO = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(REPO)}


@pytest.fixture
def site():
    sites = []

    def make(pages, host="127.0.0.1"):
        sites.append(LocalSite(pages, host=host))
        return sites[-1]

    yield make
    for s in sites:
        s.stop()


def crawl(*args, status=0):
    """`nianbao crawl ARGS` with the fast local settings first (so ARGS' own -s win)."""
    result = subprocess.run([sys.executable, "-m", "nianbao.cli", "crawl", *FAST, *args], cwd=REPO,
                            capture_output=True, text=True, timeout=240, env=ENV)
    assert result.returncode == status, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    return result


def report(n: int) -> tuple:
    return html(REPORT.replace(b"2020-01-20", f"2020-{1 + n % 12:02d}-{1 + n % 28:02d}".encode()))


def rows(db, where: str, params=()) -> list[dict]:
    return list(sqlite_utils.Database(db)["responses"].rows_where(where, list(params)))


# --- every request counts against the portal's page budget ---------------------------------------
def test_ever_new_sub_columns_are_stopped_by_the_portal_budget(site, tmp_path):
    def sub_column(path):  # 乡镇N links 乡镇5N+1 … 乡镇5N+5 and one report
        n = int(path.split("/")[2].removeprefix("xz"))
        subs = "".join(f'<li><a href="/xxgknb/xz{5 * n + k}/index.html">乡镇{5 * n + k}</a></li>' for k in range(1, 6))
        return html(f'<html><head><title>乡镇年报</title></head><body><div class="list"><ul>{subs}'
                    f'<li><a href="/r/{n}.html">青田县第{n}镇2019年政府信息公开工作年度报告</a><span>2020-01-20</span>'
                    f'</li></ul></div></body></html>')

    pages = {f"/xxgknb/xz{n}/index.html": sub_column for n in range(5000)}
    pages.update({f"/r/{n}.html": report(n) for n in range(5000)})
    s = site(pages)
    db = tmp_path / "subcolumns.db"
    result = crawl(s.url("/xxgknb/xz0/index.html"), "--db", str(db), "-s", "NIANBAO_MAX_PORTAL_PAGES=40")
    made = [p for _, p in s.requests if p != "/robots.txt"]
    assert len(made) <= 40, len(made)
    assert "page budget of portal" in result.stderr
    budget = rows(db, "outcome = 'budget'")
    assert len(budget) == 1 and "40 requests" in budget[0]["reason"]


def test_report_pages_that_are_lists_of_reports_are_stopped_by_the_portal_budget(site, tmp_path):
    def fake_report(path):  # a "report" that is a list of five more report-titled links
        n = int(path.rsplit("/", 1)[1].split(".")[0])
        return list_page([(f"/r/{5 * n + k}.html", f"青田县第{5 * n + k}镇2019年政府信息公开工作年度报告")
                          for k in range(1, 6)])

    pages = {"/xxgknb/index.html": list_page([("/r/0.html", TITLE)])}
    pages.update({f"/r/{n}.html": fake_report for n in range(20000)})
    s = site(pages)
    db = tmp_path / "reportlists.db"
    result = crawl(s.url("/xxgknb/index.html"), "--db", str(db), "-s", "NIANBAO_MAX_PORTAL_PAGES=30")
    made = [p for _, p in s.requests if p != "/robots.txt"]
    assert len(made) <= 30, len(made)
    assert "page budget of portal" in result.stderr
    assert len(rows(db, "outcome = 'budget'")) == 1
    run = sqlite_utils.Database(db).execute("select exit_status, finished from crawl_runs").fetchone()
    assert run[0] == 0 and run[1]  # the crawl ended by itself


# --- addresses are checked where the connection is made --------------------------------------------
def test_names_that_resolve_to_another_internal_address_are_refused(site, tmp_path):
    internal = site({"/secret.html": report(1), "/secret2.html": report(2), "/secret3.html": report(3)},
                    host="127.0.0.35")
    inside = f"http://internal.portal.example:{internal.server.server_address[1]}"
    portal = site({"/xxgknb/index.html": None, "/go.html": (302, {"Location": inside + "/secret2.html"}, b""),
                   "/refresh.html": html(f'<html><head><meta http-equiv="refresh" content="0; url={inside}/secret3.html">'
                                         f'</head><body>跳转</body></html>'),
                   "/own.html": report(4)}, host="127.0.0.34")
    port = portal.server.server_address[1]
    portal.pages["/xxgknb/index.html"] = list_page([
        (f"{inside}/secret.html", TITLE + "（一）"), ("/go.html", TITLE + "（二）"), ("/refresh.html", TITLE + "（三）"),
        (f"http://xxgk.portal.example:{port}/own.html", TITLE + "（四）")])
    db = tmp_path / "dns.db"
    start = f"http://portal.example:{port}/xxgknb/index.html"
    crawl(start, "--db", str(db), "-s", "TWISTED_DNS_RESOLVER=tests.local_site.MappedResolver", "-s",
          "NIANBAO_TEST_HOSTS=portal.example=127.0.0.34,internal.portal.example=127.0.0.35,"
          "xxgk.portal.example=127.0.0.34")
    assert not internal.requests  # not even its robots.txt
    refused = {r["url"]: r for r in rows(db, "reason like '%resolves to 127.0.0.35%'")}
    base = f"http://portal.example:{port}"
    assert set(refused) == {f"{inside}/secret.html", f"{base}/go.html", f"{base}/refresh.html"}
    assert all(r["outcome"] == "skipped" for r in refused.values())
    stored = {r["url"] for r in sqlite_utils.Database(db)["reports"].rows}
    assert stored == {f"http://xxgk.portal.example:{port}/own.html"}  # a sub-domain on the portal's own address


# --- every request not made leaves a ledger row ------------------------------------------------------
def test_every_request_the_crawl_does_not_make_leaves_a_ledger_row(site, tmp_path):
    s = site({})
    port = s.server.server_address[1]
    other_host = f"http://localhost:{port}"
    long_url = "/r/1.html?q=" + "x" * 10_240
    s.pages.update({
        "/xxgknb/index.html": list_page([
            ("/refresh.html", TITLE + "（一）"), ("/amb.html", TITLE + "（二）"), ("/back.html", TITLE + "（三）"),
            (f"{other_host}/elsewhere.html", TITLE + "（四）"), (long_url, TITLE + "（五）"),
            ("/loop.html", TITLE + "（六）"), ("/r/2.html", TITLE + "（七）")]),
        "/refresh.html": html(f'<html><head><meta http-equiv="refresh" content="0; url={other_host}/r/3.html">'
                              f'</head><body>跳转</body></html>'),
        "/amb.html": (302, {"Location": f"http://evil.example\\@127.0.0.1:{port}/r/4.html"}, b""),
        "/back.html": (302, {"Location": "/xxgknb/index.html"}, b""),
        "/loop.html": (302, {"Location": "/loop2.html"}, b""),
        "/loop2.html": (302, {"Location": "/loop.html"}, b""),
        "/r/2.html": report(2),
    })
    db = tmp_path / "ledger.db"
    crawl(s.url("/xxgknb/index.html"), "--db", str(db))
    fetches = ledger(db)
    expect = {
        f"{other_host}/r/3.html": ("skipped", "off the portal"),                  # meta refresh to another host
        s.url("/amb.html"): ("http_error", "ambiguous host"),                     # Location with \@
        s.url("/back.html"): ("skipped", "already fetched"),                      # back to the column
        f"{other_host}/elsewhere.html": ("skipped", "off the portal's hosts"),    # an off-host link
        s.url("/loop.html"): ("http_error", "redirect loop"),                     # a loop, not "skipped"
    }
    for url, (outcome, words) in expect.items():
        assert url in fetches, url
        assert fetches[url]["outcome"] == outcome and words in fetches[url]["reason"], fetches[url]
    long_rows = [r for u, r in fetches.items() if u.startswith(s.url("/r/1.html?q="))]
    assert [(r["outcome"], "URLLENGTH_LIMIT" in r["reason"]) for r in long_rows] == [("skipped", True)]
    assert not [p for _, p in s.requests if p.startswith("/r/1.html") or p.startswith("/r/4.html")]
    assert sqlite_utils.Database(db)["reports"].count == 1


# --- bodies too long, too short -------------------------------------------------------------------
def test_an_endless_chunked_body_is_too_large(site, tmp_path):
    s = site({"/xxgknb/index.html": list_page([("/endless.html", TITLE)]),
              "/endless.html": lambda path: (200, {"Content-Type": "text/html"}, itertools.repeat(b"<p>x</p>" * 8192))})
    db = tmp_path / "chunked.db"
    crawl(s.url("/xxgknb/index.html"), "--db", str(db), "-s", "DOWNLOAD_MAXSIZE=1000000")
    row = ledger(db)[s.url("/endless.html")]
    assert row["outcome"] == "too_large" and "DOWNLOAD_MAXSIZE" in row["reason"], row


def test_a_body_shorter_than_its_content_length_is_truncated_not_a_report(site, tmp_path):
    cut = (200, {"Content-Type": "text/html; charset=utf-8", "Content-Length": str(len(REPORT))},
           REPORT[:len(REPORT) // 3])
    s = site({"/xxgknb/index.html": list_page([("/r.html", TITLE)]), "/r.html": cut})
    db = tmp_path / "cut.db"
    crawl(s.url("/xxgknb/index.html"), "--db", str(db))
    row = ledger(db)[s.url("/r.html")]
    assert row["outcome"] == "error" and "truncated" in row["reason"], row  # a new URL: an error
    assert sqlite_utils.Database(db)["reports"].count == 0
    s.pages["/r.html"] = html(REPORT)
    crawl(s.url("/xxgknb/index.html"), "--db", str(db), "--refresh")
    body = next(sqlite_utils.Database(db)["reports"].rows)["body"]
    s.pages["/r.html"] = cut
    crawl(s.url("/xxgknb/index.html"), "--db", str(db), "--refresh")
    archive = sqlite_utils.Database(db)
    last = archive.execute("select outcome, reason from fetches where url = ? order by rowid desc limit 1",
                           [s.url("/r.html")]).fetchone()
    assert last[0] == "degraded" and "truncated" in last[1]  # a known report: a worse copy, kept raw
    assert next(archive["reports"].rows)["body"] == body


# --- Retry-After ------------------------------------------------------------------------------------
def test_retry_after_is_honoured_per_host(site, tmp_path):
    answers = iter([(429, {"Retry-After": "2", "Content-Type": "text/html"}, b"<h1>Too Many Requests</h1>")])
    # the list's last link is asked for first (Scrapy's queue is last in, first out): the 429 comes
    # before the host's other pages are asked for
    s = site({"/xxgknb/index.html": list_page([("/r/2.html", TITLE + "（二）"), ("/r/3.html", TITLE + "（三）"),
                                               ("/busy.html", TITLE)]),
              "/busy.html": lambda path: next(answers, report(1)), "/r/2.html": report(2), "/r/3.html": report(3)})
    db = tmp_path / "retry.db"
    crawl(s.url("/xxgknb/index.html"), "--db", str(db), "-s", "RETRY_TIMES=2", "-s",
          "CONCURRENT_REQUESTS_PER_DOMAIN=1")
    busy = [t for t, p in s.times if p == "/busy.html"]
    times = [(round(t - busy[0], 3), p) for t, p in s.times]
    assert len(busy) == 2
    # the retry waited for Retry-After …
    assert busy[1] - busy[0] >= 1.9, times
    # … and so did the host's other pages: nothing reached it in those 2 s
    after = [t - busy[0] for t, p in s.times if p.startswith("/r/") and t > busy[0]]
    assert after and min(after) >= 1.9, times
    assert s.url("/busy.html") in {r["url"] for r in sqlite_utils.Database(db)["reports"].rows}


def test_one_request_at_a_time_per_host_even_for_links_found_together(site, tmp_path):
    """CONCURRENT_REQUESTS_PER_DOMAIN=1 with no delay: a list's links reach the downloader in one
    turn of the event loop, and Scrapy 2.19's own downloader sent them all at once
    (scraper/downloader.py). Measured at the server."""
    lock, active, peak = threading.Lock(), [0], [0]

    def slow(n):
        def answer(path):
            with lock:
                active[0] += 1
                peak[0] = max(peak[0], active[0])
            time.sleep(0.1)
            with lock:
                active[0] -= 1
            return report(n)
        return answer

    links = [(f"/r/{n}.html", f"{TITLE}（{n}）") for n in range(6)]
    s = site({"/xxgknb/index.html": list_page(links), **{f"/r/{n}.html": slow(n) for n in range(6)}})
    crawl(s.url("/xxgknb/index.html"), "--db", str(tmp_path / "one.db"), "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1")
    assert len([p for _, p in s.times if p.startswith("/r/")]) == 6
    assert peak[0] == 1


def test_a_retry_after_beyond_the_maximum_is_recorded_not_waited_for(site, tmp_path):
    s = site({"/xxgknb/index.html": list_page([("/busy.html", TITLE)]),
              "/busy.html": (503, {"Retry-After": "3600", "Content-Type": "text/html"}, b"<h1>busy</h1>")})
    db = tmp_path / "retry-long.db"
    started = time.monotonic()
    crawl(s.url("/xxgknb/index.html"), "--db", str(db), "-s", "RETRY_TIMES=2", "-s", "NIANBAO_MAX_RETRY_AFTER=1")
    assert time.monotonic() - started < 60
    assert [p for _, p in s.requests].count("/busy.html") == 1
    row = ledger(db)[s.url("/busy.html")]
    assert (row["outcome"], row["http_status"]) == ("http_error", 503)


# --- signals ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_crawl_stopped_by_a_signal_is_recorded_as_interrupted(site, tmp_path, signum):
    links = [(f"/r/{n}.html", f"青田县第{n}镇2019年政府信息公开工作年度报告") for n in range(60)]
    pages = {"/xxgknb/index.html": list_page(links)}
    pages.update({f"/r/{n}.html": report(n) for n in range(60)})
    s = site(pages)
    db = tmp_path / "stopped.db"
    command = [sys.executable, "-m", "nianbao.cli", "crawl", s.url("/xxgknb/index.html"), "--db", str(db),
               *FAST, "-s", "DOWNLOAD_DELAY=0.1", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"]
    # its own process group, signalled as a whole: what Ctrl-C in a terminal and systemctl stop do
    process = subprocess.Popen(command, cwd=REPO, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    deadline = time.monotonic() + 60
    while sum(1 for _, p in s.requests if p.startswith("/r/")) < 8 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(process.pid, signum)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signum, stderr[-3000:]
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr[-3000:]
    assert [line for line in stderr.splitlines() if "interrupted" in line] == [
        next(line for line in stderr.splitlines() if line.startswith("nianbao: interrupted by"))]
    archive = sqlite_utils.Database(db)
    assert archive.execute("select exit_status from crawl_runs").fetchone()[0] == 128 + signum
    assert not archive.execute("select url from responses where reason like '%parser process died%'").fetchall()
    assert "parser process died" not in stderr
    assert archive["reports"].count < 60  # it stopped before the end


# --- Scrapy users -----------------------------------------------------------------------------------
def scrapy(*args, cwd=REPO, timeout=240):
    return subprocess.run([sys.executable, "-m", "scrapy", *args], cwd=cwd, env=ENV, capture_output=True,
                          text=True, timeout=timeout)


def test_scrapy_crawl_to_a_feed_gives_every_item(site, tmp_path):
    s = site({"/xxgknb/index.html": list_page([("/r/1.html", TITLE), ("/r/2.html", TITLE + "（二）"),
                                               ("/notice.html", "关于做好年报工作的通知")]),
              "/r/1.html": report(1), "/r/2.html": report(2)})
    feed = tmp_path / "items.jsonl"
    db = tmp_path / "feed.db"
    result = scrapy("crawl", "annual_reports", "-a", f"start_urls={s.url('/xxgknb/index.html')}", "-O", str(feed),
                    "-s", f"NIANBAO_DB={db}", *FAST)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "not JSON serializable" not in result.stderr and "Traceback" not in result.stderr
    items = [json.loads(line) for line in feed.read_text().splitlines()]
    assert len(items) == sqlite_utils.Database(db)["responses"].count == 4  # column, 2 reports, 1 look-alike
    served = {i["url"]: base64.b64decode(i["body"]) for i in items if i["body"] is not None}
    assert served[s.url("/r/1.html")] == report(1)[2]


def test_scrapy_crawl_without_start_urls_is_one_line():
    result = scrapy("crawl", "annual_reports", "-s", "LOG_LEVEL=WARNING", timeout=60)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert [line for line in result.stderr.splitlines() if line.strip()] == [
        "annual_reports needs start_urls=URL1,URL2 or portals=FILE.csv (scrapy crawl annual_reports -a start_urls=URL)"]


def archive_in_repo_root():
    path = REPO / "nianbao.db"
    return (path.stat().st_mtime_ns, path.stat().st_size) if path.exists() else None


def test_scrapy_fetch_and_bench_from_the_repo_root_create_no_archive(site):
    s = site({"/r.html": report(1)})
    before = archive_in_repo_root()
    result = scrapy("fetch", "--nolog", s.url("/r.html"))
    assert result.returncode == 0 and "青田县" in result.stdout, result.stderr[-2000:]
    result = scrapy("bench", "-s", "CLOSESPIDER_TIMEOUT=2", "-s", "LOG_LEVEL=WARNING", timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert archive_in_repo_root() == before


def test_undecodable_bytes_never_start_a_title(site, tmp_path):
    mangled = REPORT.replace(TITLE.encode(), b"\xff\xfe\x81" + TITLE.encode())  # invalid UTF-8 before the title
    s = site({"/xxgknb/index.html": list_page([("/r.html", TITLE)]), "/r.html": html(mangled)})
    db = tmp_path / "bytes.db"
    crawl(s.url("/xxgknb/index.html"), "--db", str(db))
    assert [r["title"] for r in sqlite_utils.Database(db)["reports"].rows] == [TITLE]
