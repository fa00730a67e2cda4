"""Crawl health: the monitors that run at the end of every crawl (Spidermon), and their results.

Each monitor is a check of one crawl run against the archive's ledger (``responses``) and Scrapy's
stats; ``run_checks`` computes them (a plain function, so ``nianbao status`` and the tests use the
same code), ``CrawlHealthSuite`` runs them as Spidermon monitors when the spider closes (after the
archive pipeline has committed), and the suite's action stores one ``monitor_results`` row per
monitor. ``nianbao crawl`` exits 4 when one failed, with one line per failure.

The monitors (``MONITORS``):
- finish_reason: the crawl finished by itself (not stopped by a signal, a budget or an error);
- error_rate: share of this run's ledger rows that are errors (no response, HTTP errors, too large);
- blocked_share: share of responses that were anti-bot challenges or WAF pages;
- portal_stopped_yielding: a portal whose reports are in the archive from earlier runs listed or
  yielded none in this run (its column moved, vanished or is blocked);
- list_pages_dropped: in a --full crawl, a portal read less than half the list pages it read in
  the previous --full crawl (an incremental crawl stops paging where the items are all archived,
  so its count is not compared).
"""
from __future__ import annotations

import json
import logging
import sqlite3
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from scrapy.exceptions import ScrapyDeprecationWarning
from spidermon import Monitor, MonitorSuite
from spidermon.core.actions import Action

# Spidermon 1.27 writes its report with Spider.log(), which Scrapy 2.13+ deprecates: a warning on
# every crawl that is Spidermon's to fix, not the user's to read.
warnings.filterwarnings("ignore", message=r"Spider\.log\(\) is deprecated", category=ScrapyDeprecationWarning,
                        module=r"spidermon\.")

MONITORS = ("finish_reason", "error_rate", "blocked_share", "portal_stopped_yielding", "list_pages_dropped")
# Thresholds, overridable with Scrapy settings of the same names.
NIANBAO_MONITOR_MAX_ERROR_RATE = 0.25
NIANBAO_MONITOR_MAX_BLOCKED_SHARE = 0.2
# Shares over fewer ledger rows than this say nothing (a crawl of one page that failed is already
# "no portal reached", exit 1).
NIANBAO_MONITOR_MIN_ROWS = 20
LIST_PAGES_DROP_RATIO = 0.5
ERROR_OUTCOMES = ("error", "http_error", "too_large")
# Ledger outcomes that show a report page is there (new, changed, the same, confirmed by a 304 …).
REPORT_OUTCOMES = ("stored", "changed", "unchanged", "not_modified", "image_only", "attachment_only", "degraded")


@dataclass
class CheckResult:
    monitor: str
    passed: bool
    detail: str
    portals: list[tuple[int, str]] = field(default_factory=list)  # (portal id, what about it) where it failed


def _placeholders(values) -> str:
    return ", ".join("?" for _ in values)


def run_checks(conn: sqlite3.Connection, run_id: int, *, finish_reason: str | None, full: bool,
               listed: dict[str, set] | None = None, list_pages: dict[str, int] | None = None,
               max_error_rate: float = NIANBAO_MONITOR_MAX_ERROR_RATE,
               max_blocked_share: float = NIANBAO_MONITOR_MAX_BLOCKED_SHARE,
               min_rows: int = NIANBAO_MONITOR_MIN_ROWS) -> list[CheckResult]:
    """Every monitor's verdict on crawl run ``run_id``. ``listed`` and ``list_pages`` (portal URL → the
    URLs its lists showed, the list pages read) are the whole crawl's when a distributed crawl's
    workers shared them; else ``listed`` is this crawl's and the list pages are this archive's ledger rows."""
    rows = conn.execute("select count(*), sum(outcome in ({})), sum(outcome = 'blocked'), sum(status is not null) "
                        "from responses where run_id = ?".format(_placeholders(ERROR_OUTCOMES)),
                        [*ERROR_OUTCOMES, run_id]).fetchone()
    total, errors, blocked, answered = (v or 0 for v in rows)
    results = [CheckResult("finish_reason", finish_reason == "finished", f"finish reason: {finish_reason}")]
    error_rate = errors / total if total else 0.0
    blocked_share = blocked / answered if answered else 0.0
    if total < min_rows:
        few = f"{total} ledger rows: too few to judge shares (fewer than {min_rows})"
        results += [CheckResult("error_rate", True, few), CheckResult("blocked_share", True, few)]
    else:
        results.append(CheckResult("error_rate", error_rate <= max_error_rate,
                                   f"{errors} of {total} ledger rows are errors ({error_rate:.0%}; "
                                   f"limit {max_error_rate:.0%})"))
        results.append(CheckResult("blocked_share", blocked_share <= max_blocked_share,
                                   f"{blocked} of {answered} responses were challenge or WAF pages "
                                   f"({blocked_share:.0%}; limit {max_blocked_share:.0%})"))
    results.append(_stopped_yielding(conn, run_id, listed))
    results.append(_list_pages_dropped(conn, run_id, full, list_pages))
    return results


def _portals_of_run(conn, run_id: int) -> list[tuple[int, str]]:
    return conn.execute("select distinct portals.id, portals.url from responses join portals "
                        "on portals.id = responses.portal_id where responses.run_id = ? order by portals.id",
                        [run_id]).fetchall()


def _stopped_yielding(conn, run_id: int, listed: dict[str, set] | None) -> CheckResult:
    stopped = []
    for portal_id, url in _portals_of_run(conn, run_id):
        had = conn.execute("select count(*) from responses where portal_id = ? and run_id < ? and route in "
                           "('report', 'attachment', 'start') and outcome in ({})".format(_placeholders(REPORT_OUTCOMES)),
                           [portal_id, run_id, *REPORT_OUTCOMES]).fetchone()[0]
        if not had:
            continue
        now = conn.execute("select count(*) from responses where portal_id = ? and run_id = ? and route in "
                           "('report', 'attachment', 'start') and outcome in ({})".format(_placeholders(REPORT_OUTCOMES)),
                           [portal_id, run_id, *REPORT_OUTCOMES]).fetchone()[0]
        # a report fetched recently is not fetched again, but its list still shows it
        if not now and not (listed or {}).get(url):
            stopped.append((portal_id, url))
    if stopped:
        return CheckResult("portal_stopped_yielding", False,
                           f"{len(stopped)} portal(s) with archived reports listed none this run: "
                           f"{', '.join(url for _, url in stopped)}",
                           [(portal_id, f"{url} listed no report this run") for portal_id, url in stopped])
    return CheckResult("portal_stopped_yielding", True, "every portal with archived reports still lists them")


def _list_pages_read(conn, run_id: int, portal_id: int, portal_url: str, shared: dict[str, int] | None) -> int:
    """List pages of a portal read in crawl run ``run_id``: by all the workers of a distributed crawl
    (``shared``, or the count its run stored), else the run's listing rows in this archive's ledger."""
    if shared is None:
        stored = conn.execute("select list_pages from crawl_runs where id = ?", [run_id]).fetchone()
        shared = json.loads(stored[0]) if stored and stored[0] else None
    if shared is not None:
        return shared.get(portal_url, 0)
    return conn.execute("select count(*) from responses where portal_id = ? and run_id = ? and route = 'listing'",
                        [portal_id, run_id]).fetchone()[0]


def _list_pages_dropped(conn, run_id: int, full: bool, list_pages: dict[str, int] | None) -> CheckResult:
    if not full:
        # an incremental crawl stops paging where a column's items are all archived: its count of
        # list pages says nothing about the portal
        return CheckResult("list_pages_dropped", True, "an incremental crawl: list pages are compared between "
                                                         "--full crawls only")
    dropped = []
    for portal_id, url in _portals_of_run(conn, run_id):
        # the latest earlier --full run that read this portal's lists (in this archive, or, for a
        # distributed crawl, in any of its workers' archives)
        previous = None
        for (earlier,) in conn.execute("select id from crawl_runs where id < ? and [full] = 1 order by id desc",
                                       [run_id]).fetchall():
            previous = _list_pages_read(conn, earlier, portal_id, url, None)
            if previous:
                break
        if not previous:
            continue
        now = _list_pages_read(conn, run_id, portal_id, url, list_pages)
        if now < LIST_PAGES_DROP_RATIO * previous:
            dropped.append((portal_id, f"{url} ({previous} → {now})"))
    if dropped:
        return CheckResult("list_pages_dropped", False, f"list pages read dropped by more than half since the "
                           f"previous --full crawl: {', '.join(d for _, d in dropped)}", dropped)
    return CheckResult("list_pages_dropped", True, "list pages read as in the previous --full crawl")


def store_checks(conn: sqlite3.Connection, run_id: int, results: list[CheckResult], full: bool,
                 list_pages: dict[str, int] | None = None) -> None:
    with conn:
        conn.execute("delete from monitor_results where run_id = ?", [run_id])
        conn.executemany("insert into monitor_results (run_id, monitor, passed, detail) values (?, ?, ?, ?)",
                         [(run_id, r.monitor, int(r.passed), r.detail) for r in results])
        # the portals a monitor failed on, one row each (nianbao status reads them per portal)
        conn.executemany("insert into monitor_results (run_id, monitor, passed, detail, portal_id) "
                         "values (?, ?, 0, ?, ?)",
                         [(run_id, r.monitor, detail, portal_id) for r in results for portal_id, detail in r.portals])
        conn.execute("update crawl_runs set [full] = ?, list_pages = ? where id = ?",
                     [int(full), json.dumps(list_pages, ensure_ascii=False) if list_pages is not None else None, run_id])


def failed_monitors(conn: sqlite3.Connection, run_id: int) -> list[tuple[str, str]]:
    return conn.execute("select monitor, detail from monitor_results where run_id = ? and not passed "
                        "and portal_id is null order by id", [run_id]).fetchall()


# --- Spidermon ---------------------------------------------------------------------------------
def _run_of(crawler, conn) -> int | None:
    """The run the archive pipeline recorded this crawl as (else NIANBAO_RUN_ID, else the latest)."""
    itemproc = getattr(getattr(getattr(crawler, "engine", None), "scraper", None), "itemproc", None)
    for component in getattr(itemproc, "middlewares", ()):
        if getattr(component, "run_id", None):
            return component.run_id
    run_id = crawler.settings.getint("NIANBAO_RUN_ID")
    if run_id:
        return run_id
    return conn.execute("select max(id) from crawl_runs").fetchone()[0]


def _drop_spidermon_failure_reports(record) -> bool:
    """Spidermon logs each failed monitor as an ERROR holding the assertion's traceback; nianbao
    logs one line per failure instead (StoreMonitorResults, and `nianbao crawl` after the run)."""
    return not (record.levelno >= 40 and str(record.msg).startswith("[Spidermon]"))


class CrawlHealth(Monitor):
    """nianbao's crawl health (one test method per monitor of archive.monitors.MONITORS)."""

    def _result(self, name: str) -> CheckResult:
        checks = self.data.meta.get("nianbao_checks")
        if checks is None:
            checks = self.data.meta["nianbao_checks"] = _evaluate(self.data)
            logger = getattr(self.data.spider.logger, "logger", self.data.spider.logger)
            if _drop_spidermon_failure_reports not in logger.filters:
                logger.addFilter(_drop_spidermon_failure_reports)
        return checks["results"].get(name)

    def _assert(self, name: str) -> None:
        result = self._result(name)
        if result is None:
            self.skipTest("no archive to judge (it was never opened, or its disk is full)")
        self.assertTrue(result.passed, result.detail)

    def test_finish_reason(self):
        self._assert("finish_reason")

    def test_error_rate(self):
        self._assert("error_rate")

    def test_blocked_share(self):
        self._assert("blocked_share")

    def test_portal_stopped_yielding(self):
        self._assert("portal_stopped_yielding")

    def test_list_pages_dropped(self):
        self._assert("list_pages_dropped")


def _connect(crawler) -> sqlite3.Connection | None:
    """The archive the pipeline wrote, opened without creating it (a crawl that never opened its
    archive leaves no file behind), or None."""
    path = Path(crawler.settings.get("NIANBAO_DB") or "")
    if not path.is_file():
        return None
    return sqlite3.connect(f"file:{path.resolve()}?mode=rw", uri=True, timeout=30)


def _evaluate(data) -> dict:
    crawler, spider = data.crawler, data.spider
    conn = _connect(crawler)
    if conn is None or data.stats.get("finish_reason") in ("archive_full", "archive_error"):
        return {"run_id": None, "full": False, "list_pages": None, "results": {}}
    try:
        run_id = _run_of(crawler, conn)
        full = bool(getattr(spider, "full", False))
        list_pages = getattr(spider, "list_pages_read", None)  # a distributed crawl's, all workers'
        results = run_checks(conn, run_id, finish_reason=data.stats.get("finish_reason"), full=full,
                             listed=getattr(spider, "listed", None), list_pages=list_pages,
                             max_error_rate=crawler.settings.getfloat("NIANBAO_MONITOR_MAX_ERROR_RATE",
                                                                      NIANBAO_MONITOR_MAX_ERROR_RATE),
                             max_blocked_share=crawler.settings.getfloat("NIANBAO_MONITOR_MAX_BLOCKED_SHARE",
                                                                         NIANBAO_MONITOR_MAX_BLOCKED_SHARE),
                             min_rows=crawler.settings.getint("NIANBAO_MONITOR_MIN_ROWS", NIANBAO_MONITOR_MIN_ROWS))
    finally:
        conn.close()
    return {"run_id": run_id, "full": full, "list_pages": list_pages, "results": {r.monitor: r for r in results}}


class StoreMonitorResults(Action):
    """Write each monitor's verdict to the archive's monitor_results, and log the failures."""

    def run_action(self):
        checks = self.data.meta.get("nianbao_checks")
        if not checks or checks["run_id"] is None:
            return
        conn = _connect(self.data.crawler)
        try:
            store_checks(conn, checks["run_id"], list(checks["results"].values()), checks["full"], checks["list_pages"])
        except sqlite3.Error as exc:  # the archive is what matters; its monitors' rows are not worth a crash
            self.data.spider.logger.warning("monitor results not stored: %s", exc)
        finally:
            conn.close()
        # `nianbao crawl` (which sets NIANBAO_RUN_ID) prints one line per failure after the run itself
        level = logging.INFO if self.data.crawler.settings.getint("NIANBAO_RUN_ID") else logging.WARNING
        for result in checks["results"].values():
            if not result.passed:
                self.data.spider.logger.log(level, "monitor %s failed: %s", result.monitor, result.detail)


class CrawlHealthSuite(MonitorSuite):
    monitors = [CrawlHealth]
    monitors_finished_actions = [StoreMonitorResults]
