"""Distributed crawls (`nianbao crawl --redis`): workers share one queue, one dupefilter and one
per-host budget in a real redis-server started here on 127.0.0.1, each writes its own archive, and
`nianbao merge` brings the archives together.

The demo portal is served slowly (every answer waits, as a far county server does) so that two
workers both get work, and the server counts how many requests it is answering at once: the
per-host budget is measured where it matters, at the server."""
from __future__ import annotations

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import demo_portal
from demo_portal import server as demo_server
from tests.local_site import free_port

REPO = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(REPO)}
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "NIANBAO_BLOCK_COOLDOWN=0",
        "-s", "NIANBAO_REDIS_POLL=0.2"]
REPORT_PATHS = sorted(r["path"] for r in demo_portal.REPORTS)
PER_HOST = 2  # CONCURRENT_REQUESTS_PER_DOMAIN, the budget every worker shares


# --- a redis-server of our own ---------------------------------------------------------------
@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    """redis-server on 127.0.0.1 on a free port, without persistence, in a temporary folder.
    Missing: the tests skip, saying so; on CI (CI set) they fail, since .ci/run installs it."""
    binary = shutil.which("redis-server")
    if binary is None:
        message = "redis-server is not installed (Debian: apt-get install redis-server; .ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}, and CI must run the distributed crawl tests")
        pytest.skip(message)
    folder = tmp_path_factory.mktemp("redis")
    port = free_port()
    process = subprocess.Popen([binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly",
                                "no", "--dir", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import redis

    client = redis.Redis(host="127.0.0.1", port=port)
    deadline = time.monotonic() + 20
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}"
    client.close()
    process.terminate()
    process.wait(timeout=10)


def keys_of(url: str) -> list[str]:
    import redis

    client = redis.Redis.from_url(url)
    try:
        return sorted(k.decode() for k in client.keys("*"))
    finally:
        client.close()


# --- a slow portal that counts what it answers at once ----------------------------------------
class Meter:
    def __init__(self):
        self.lock = threading.Lock()
        self.active = 0
        self.peak = 0


def slow_portal(seconds: float):
    """The demo portal, each answer taking ``seconds``; ``server.meter.peak`` is the most requests
    it was answering at the same time. It answers nothing until ``server.gate`` is set."""
    server = demo_server.start()
    meter = Meter()
    gate = threading.Event()
    base = server.httpd.RequestHandlerClass

    def respond(self, method, extra_query=""):
        gate.wait(180)
        with meter.lock:
            meter.active += 1
            meter.peak = max(meter.peak, meter.active)
        try:
            time.sleep(seconds)
            base._respond(self, method, extra_query)
        finally:
            with meter.lock:
                meter.active -= 1

    server.httpd.RequestHandlerClass = type("SlowDemoHandler", (base,), {"_respond": respond})
    server.meter = meter
    server.gate = gate
    return server


def workers_of(url: str) -> int:
    import redis

    client = redis.Redis.from_url(url)
    try:
        return client.scard("nianbao:annual_reports:1:workers")
    finally:
        client.close()


def worker(portal, db: Path, redis_url: str, *extra, output=subprocess.PIPE) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "nianbao.cli", "crawl", *portal.homepages, "--db", str(db),
                             "--redis", redis_url, *FAST, "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={PER_HOST}",
                             # the demo is one host: a worker that may hold more requests than the host's
                             # budget only hoards the shared queue (docs/distributed.md)
                             "-s", f"CONCURRENT_REQUESTS={PER_HOST}", *extra],
                            cwd=REPO, stdout=output, stderr=output, text=True, env=ENV)


def finish(process: subprocess.Popen, status: int = 0) -> str:
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == status, stderr[-3000:]
    return stderr


def merge(*dbs: Path, into: Path) -> str:
    result = subprocess.run([sys.executable, "-m", "nianbao.cli", "merge", *map(str, dbs), "--into", str(into)],
                            cwd=REPO, capture_output=True, text=True, timeout=300, env=ENV)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout + result.stderr


def report_paths(db: Path, base_url: str) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return sorted(url.removeprefix(base_url) for (url,) in conn.execute("select url from reports"))
    finally:
        conn.close()


def fetched_reports(db: Path) -> set[str]:
    """Report and attachment URLs this archive downloaded (a response with a status)."""
    conn = sqlite3.connect(db)
    try:
        return {url for (url,) in conn.execute("select url from responses where route in ('report', 'attachment') "
                                               "and status is not null")}
    finally:
        conn.close()


def report_downloads(portal) -> list[str]:
    return sorted(r.path for r in portal.requests if r.path in REPORT_PATHS and r.status == 200)


# --- two workers, one crawl ------------------------------------------------------------------
@pytest.fixture(scope="module")
def two_workers(redis_server, tmp_path_factory):
    folder = tmp_path_factory.mktemp("distributed")
    url = redis_server + "/1"
    portal = slow_portal(0.1)
    try:
        a, b = worker(portal, folder / "a.db", url), worker(portal, folder / "b.db", url)
        # the portal answers once both workers have joined the crawl (their start-up times differ by
        # seconds on a busy machine: the first would otherwise crawl the demo alone)
        deadline = time.monotonic() + 120
        while workers_of(url) < 2 and a.poll() is None and b.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        portal.gate.set()
        stderr = {"a": finish(a), "b": finish(b)}
        downloads = report_downloads(portal)
        peak = portal.meter.peak
        keys_after = keys_of(url)
        merged_output = merge(folder / "a.db", folder / "b.db", into=folder / "merged.db")
        # a new crawl on the same Redis starts clean: the first one's dupefilter is gone with it
        portal.requests.clear()
        again = worker(portal, folder / "again.db", url)
        stderr["again"] = finish(again)
        downloads_again = report_downloads(portal)
    finally:
        portal.stop()
    return dict(folder=folder, base_url=portal.base_url, stderr=stderr, downloads=downloads, peak=peak,
                keys_after=keys_after, merged_output=merged_output, downloads_again=downloads_again)


def test_every_report_is_once_in_the_merged_archive(two_workers):
    merged = two_workers["folder"] / "merged.db"
    assert report_paths(merged, two_workers["base_url"]) == REPORT_PATHS
    assert "the archive holds %d reports" % len(REPORT_PATHS) in two_workers["merged_output"]


def test_no_report_page_is_fetched_by_both_workers(two_workers):
    folder = two_workers["folder"]
    a, b = fetched_reports(folder / "a.db"), fetched_reports(folder / "b.db")
    assert not a & b
    # and at the server: every report body was sent once in the whole crawl
    assert two_workers["downloads"] == REPORT_PATHS


def test_both_workers_did_work(two_workers):
    folder = two_workers["folder"]
    for name in ("a", "b"):
        assert fetched_reports(folder / f"{name}.db"), f"worker {name} fetched no report"
        assert "the archive holds 0 reports" not in two_workers["stderr"][name]
    # each archive's reports are the pages it fetched; together, all of them
    assert sorted(report_paths(folder / "a.db", two_workers["base_url"]) +
                  report_paths(folder / "b.db", two_workers["base_url"])) == REPORT_PATHS


def test_two_workers_never_send_one_host_more_than_its_budget(two_workers):
    # measured at the server (the demo portal is one host, 127.0.0.1): each worker alone may have
    # PER_HOST requests in flight there, so without the shared budget two would reach twice that
    assert 1 <= two_workers["peak"] <= PER_HOST


def test_the_log_is_clean_and_the_finished_crawl_leaves_no_keys(two_workers):
    for name, stderr in two_workers["stderr"].items():
        assert "Warning" not in stderr and "Traceback" not in stderr and "inc_value" not in stderr, (name, stderr)
        # the only warnings are the demo's two anti-bot challenge pages, in whichever worker met them
        warnings = [line for line in stderr.splitlines() if "WARNING" in line]
        assert all("blocked (" in line for line in warnings), (name, warnings)
    # the finished crawl's keys were deleted by its last worker: only the generation counter stays
    assert two_workers["keys_after"] == ["nianbao:annual_reports:generation"]


def test_a_new_crawl_on_the_same_redis_starts_clean(two_workers):
    assert two_workers["downloads_again"] == REPORT_PATHS
    assert report_paths(two_workers["folder"] / "again.db", two_workers["base_url"]) == REPORT_PATHS


# --- a worker killed with kill -9 ------------------------------------------------------------
def ledger_rows(db: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return conn.execute("select count(*) from responses").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def in_flight_of(url: str, pid: int) -> list[str]:
    import redis

    client = redis.Redis.from_url(url)
    try:
        fields = client.hkeys("nianbao:annual_reports:1:in-flight")
    finally:
        client.close()
    return [f.decode() for f in fields if f":{pid}:" in f.decode()]


def test_a_worker_killed_mid_crawl_loses_nothing(redis_server, tmp_path):
    url = redis_server + "/2"
    quick_death = ["-s", "NIANBAO_REDIS_HEARTBEAT=0.3", "-s", "NIANBAO_REDIS_WORKER_TIMEOUT=2"]
    portal = slow_portal(0.25)
    portal.gate.set()
    try:
        doomed = worker(portal, tmp_path / "doomed.db", url, *quick_death, output=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while not ledger_rows(tmp_path / "doomed.db") and doomed.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        survivor = worker(portal, tmp_path / "survivor.db", url, *quick_death)
        # killed when it has archived a few pages and holds requests in flight (popped from the queue,
        # not yet settled: worker names are host:pid:…)
        deadline = time.monotonic() + 120
        while (ledger_rows(tmp_path / "doomed.db") < 6 or not in_flight_of(url, doomed.pid)) \
                and doomed.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert doomed.poll() is None, "the worker ended before it could be killed"
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=30)
        stderr = finish(survivor)
    finally:
        portal.stop()
    # the survivor put the dead worker's requests in flight back on the queue and finished the crawl
    requeued = re.search(r"stopped answering: (\d+) request\(s\) they had in flight went back to the queue", stderr)
    assert requeued and int(requeued[1]) >= 1, stderr[-3000:]
    merged_output = merge(tmp_path / "doomed.db", tmp_path / "survivor.db", into=tmp_path / "merged.db")
    assert report_paths(tmp_path / "merged.db", portal.base_url) == REPORT_PATHS, merged_output
    # the crawl's keys are gone (the dead worker's per-host slots expire on their own)
    assert [k for k in keys_of(url) if not k.startswith("nianbao:host:")] == ["nianbao:annual_reports:generation"]


# --- a person's mistakes ---------------------------------------------------------------------
@pytest.mark.parametrize("redis_url, message", [
    ("http://127.0.0.1:6379/0", "is not a Redis URL"),
    (f"redis://127.0.0.1:{free_port()}/0", "cannot reach the Redis server at"),
])
def test_an_unusable_redis_is_one_line_and_exit_2(tmp_path, redis_url, message):
    result = subprocess.run([sys.executable, "-m", "nianbao.cli", "crawl", "http://127.0.0.1:9/", "--db",
                             str(tmp_path / "x.db"), "--redis", redis_url], cwd=REPO, capture_output=True, text=True,
                            timeout=120, env=ENV)
    assert result.returncode == 2
    assert result.stderr.startswith("nianbao: ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert not (tmp_path / "x.db").exists()  # nothing written before the Redis is known to answer


# --- `gone` is the whole crawl's conclusion ---------------------------------------------------
def two_worker_crawl(portal, url: str, a: Path, b: Path, *extra) -> dict[str, str]:
    workers = worker(portal, a, url, *extra), worker(portal, b, url, *extra)
    deadline = time.monotonic() + 120
    while workers_of(url) < 2 and all(w.poll() is None for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    portal.gate.set()
    try:
        return {"a": finish(workers[0]), "b": finish(workers[1])}
    finally:
        portal.gate.clear()


def gone_reports(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return sorted(url for (url,) in conn.execute("select url from reports where gone_since is not null"))
    finally:
        conn.close()


def test_a_full_distributed_recrawl_concludes_gone_from_every_workers_lists(redis_server, tmp_path):
    """Each archive holds the reports its worker downloaded, but the lists that name them may be
    read by the other worker in the next crawl: a worker that concluded `gone` from its own lists
    would mark reports gone that are still listed, and one that counted only its own list pages
    would fail the list_pages_dropped monitor (exit 4). Only a report missing from every list, or
    answering 404, is gone."""
    url = redis_server + "/3"
    portal = slow_portal(0.05)
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    try:
        two_worker_crawl(portal, url, a, b, "--full")
        assert gone_reports(a) == gone_reports(b) == []
        vanishing = "/vsb/info/1082/16404.htm"  # 404 now: gone whichever worker asks
        portal.set_variant(vanishing, "gone")
        stderr = two_worker_crawl(portal, url, a, b, "--full")
    finally:
        portal.stop()
    # the reports listed on pages the other worker read are not gone (nor is any list page said
    # to be missing: the monitor counts the list pages both workers read) …
    assert "no longer in any list" not in stderr["a"] + stderr["b"]
    assert set(gone_reports(a) + gone_reports(b)) <= {portal.base_url + vanishing}, stderr
    # … and the vanished one, whose 404 reached the archive of whichever worker asked for it, is gone
    # once the archives are merged (the latest evidence decides)
    merge(a, b, into=tmp_path / "merged.db")
    assert gone_reports(tmp_path / "merged.db") == [portal.base_url + vanishing]
