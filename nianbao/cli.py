"""nianbao: crawl, parse, archive and browse 政府信息公开工作年度报告.

The command line wires the three rooms (scraper/: fetching, parsing/: reading
pages, archive/: storing and serving) and belongs to none of them.

Exit statuses: 0 the command did what it could; 1 the run failed (every portal
failed, a file could not be read); 2 a usage mistake (bad URL, bad CSV, missing
file); 3 the archive cannot be opened or written, or another crawl holds it;
4 a crawl-health monitor failed (the archive is written; `nianbao status` says more).
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import click

EXIT_FAILED, EXIT_USAGE, EXIT_ARCHIVE, EXIT_MONITOR = 1, 2, 3, 4


def fail(message: str, status: int) -> None:
    """One line, no traceback, a non-zero exit."""
    click.echo(f"nianbao: {message}", err=True)
    sys.exit(status)


@click.group()
@click.version_option(package_name="nianbao")
def cli():
    """nianbao (年报): an open archive of Chinese governments' yearly
    information-disclosure reports (政府信息公开工作年度报告).

    \b
    Exit statuses:
      0  done
      1  the run failed (no portal reached, a file could not be read)
      2  a usage mistake (bad option, URL, CSV or missing file)
      3  the archive cannot be opened or written (locked, damaged, full disk, not an archive)
      4  a crawl-health monitor failed (the archive is written; see `nianbao status`)
    """


# --- opening the archive -------------------------------------------------------------------
def open_for_writing(db: str):
    """The archive at ``db`` with its writer lock, or a one-line exit 3: a file that is not a
    nianbao archive (archive.store.recognise: nianbao's mark or schema, not a table name), a
    damaged archive (checked before anything is written), a full disk, another writer."""
    import sqlite3

    from archive.store import ArchiveError, lock_archive, open_archive, recognise

    parent = Path(db).resolve().parent
    if not parent.is_dir():
        fail(f"cannot create the archive {db}: folder {parent} does not exist", EXIT_ARCHIVE)
    lock = None
    try:
        recognise(db)  # someone else's file is neither locked nor written
        if Path(db).is_file():  # the lock before the damage check: checking a file being written is wasted
            lock = lock_archive(db)
        archive = open_archive(db, verify=True)
        lock = lock or lock_archive(db)
    except (ArchiveError, sqlite3.Error, OSError) as exc:
        if lock is not None:
            lock.close()
        fail(str(exc) if isinstance(exc, ArchiveError) else f"cannot open the archive {db}: {exc}", EXIT_ARCHIVE)
    return archive, lock


def is_archive(path: str) -> bool:
    """True when PATH is a nianbao archive, damaged or not (read without writing)."""
    from archive.store import CURRENT, PREVIOUS, ArchiveDamaged, NotAnArchive, recognise

    try:
        return recognise(path) in (CURRENT, PREVIOUS)
    except ArchiveDamaged:
        return True  # opening it for writing says so, with what to do
    except NotAnArchive:
        return False


# --- crawl ---------------------------------------------------------------------------------
def crawler_settings(db: str, overrides: dict | None = None):
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("scraper.settings", priority="project")
    settings.set("NIANBAO_DB", db, priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def one_line(record) -> bool:
    """Logging filter: a record without its traceback (what went wrong is in the ledger;
    the full log with tracebacks is behind -v / --log-file)."""
    record.exc_info = None
    record.exc_text = None
    record.stack_info = None
    return True


def run_crawl(portals: list, db: str, overrides: dict | None = None, verbose: bool = False,
              **spider_args) -> int | None:
    """Run the annual_reports spider in this process (blocks until it ends). Returns the number of the
    signal (SIGINT, SIGTERM) that stopped it, or None when it ended by itself."""
    import logging

    from scrapy.crawler import CrawlerProcess

    from scraper.spiders.annual_reports import AnnualReportsSpider

    class StoppableProcess(CrawlerProcess):
        """Scrapy's process, remembering the signal that asked it to stop (Scrapy then closes the
        spider gracefully: pages in flight are finished or abandoned, the run is recorded)."""
        stopped_by: int | None = None

        def _signal_shutdown(self, signum, frame):
            self.stopped_by = self.stopped_by or signum
            super()._signal_shutdown(signum, frame)

        def _signal_kill(self, signum, frame):
            self.stopped_by = self.stopped_by or signum
            super()._signal_kill(signum, frame)

    overrides = dict(overrides or {})
    if not verbose:
        # Scrapy's own handler (re-installed for each crawler) prints tracebacks; ours prints
        # WARNING and above, one line each.
        overrides["LOG_ENABLED"] = False
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s [%(name)s] %(levelname)s: %(message)s",
                                               "%Y-%m-%d %H:%M:%S"))
        handler.addFilter(one_line)
        handler.setLevel(logging.WARNING)
        logging.root.addHandler(handler)
        logging.root.setLevel(logging.WARNING)
    process = StoppableProcess(crawler_settings(db, overrides))
    process.crawl(AnnualReportsSpider, portals=portals, **spider_args)
    process.start()
    return process.stopped_by


def _parse_set(values: tuple[str, ...]) -> dict:
    out = {}
    for value in values:
        key, sep, val = value.partition("=")
        if not sep:
            raise click.BadParameter(f"expected KEY=VALUE, got {value!r}", param_hint="-s")
        out[key] = val
    return out


def read_portals_or_fail(path: str) -> list:
    from archive.divisions import known_codes
    from scraper.portals import PortalsError, read_portals_checked

    try:
        portals, problems = read_portals_checked(path, known_codes())
    except PortalsError as exc:
        fail(str(exc), EXIT_USAGE)
    for problem in problems:
        click.echo(f"nianbao: {problem} (row skipped)", err=True)
    return portals


class Progress:
    """A progress line on stderr (a terminal gets it rewritten in place)."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.started = time.monotonic()
        self.tty = sys.stderr.isatty()
        self.shown = False

    def __call__(self, counts: dict, requests: int) -> None:
        if not self.enabled:
            return
        seconds = max(time.monotonic() - self.started, 1e-6)
        line = (f"  {requests} requests ({requests / seconds * 60:.0f}/min), new {counts.get('new', 0)}, "
                f"changed {counts.get('changed', 0)}, unchanged {counts.get('unchanged', 0)}, "
                f"failed {counts.get('failed', 0)}, blocked {counts.get('blocked', 0)}")
        if self.tty:
            click.echo("\r" + line, err=True, nl=False)
        else:
            click.echo(line, err=True)
        self.shown = True

    def done(self) -> None:
        if self.enabled and self.tty and self.shown:
            click.echo("", err=True)


@cli.command()
@click.argument("start_urls", nargs=-1)
@click.option("--db", default="nianbao.db", show_default=True, help="SQLite archive to write.")
@click.option("--portals", type=click.Path(dir_okay=False),
              help="CSV of portals (columns: name, province, city, county, url; UTF-8 or GBK).")
@click.option("--ignore-robots", is_flag=True, help="Do not obey robots.txt (logged).")
@click.option("--delay", type=float, help="Minimum delay between requests to one host, in seconds.")
@click.option("--full", is_flag=True, help="Read every list page, even past pages whose items are all archived.")
@click.option("--refresh", is_flag=True, help="Fetch every report again (no conditional requests, no recheck window).")
@click.option("--recheck-days", type=float, default=30, show_default=True,
              help="A known report on a server that sends no ETag/Last-Modified is fetched again after this many days.")
@click.option("-s", "--set", "settings", multiple=True, metavar="KEY=VALUE", help="Any Scrapy setting.")
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's log (INFO) instead of a progress line.")
@click.option("--log-file", type=click.Path(dir_okay=False), help="Write Scrapy's full log (INFO) to this file.")
@click.option("--redis", "redis_url", metavar="redis://HOST:PORT/N",
              help="Be one worker of a distributed crawl: share the request queue, dupefilter and per-host "
                   "budget with the other workers on this Redis (scrapy-redis); this worker writes --db.")
def crawl(start_urls, db, portals, ignore_robots, delay, full, refresh, recheck_days, settings, verbose, log_file,
          redis_url):
    """Crawl START_URLS (portal homepages, 年报 column pages or reports) into the archive DB.

    Every response is kept as served; reports are parsed from them. A re-crawl
    asks only for what is new or changed (conditional requests; see --full,
    --refresh, --recheck-days). Exit status: 0 done, 1 every portal failed,
    2 a usage mistake, 3 the archive cannot be opened or is being written by
    another crawl; 130 / 143 stopped by SIGINT (Ctrl-C) / SIGTERM (systemctl
    stop): the run is recorded as interrupted, and the same command goes on.
    """
    import os
    import signal

    from scraper.portals import Portal, url_problem

    stopped_early: list[int] = []

    def stop_before_the_crawl(signum, frame):
        # Scrapy handles SIGINT/SIGTERM once the crawl runs; before that, stop here, in one line
        stopped_early.append(signum)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop_before_the_crawl)
    signal.signal(signal.SIGINT, stop_before_the_crawl)

    if not start_urls and not portals:
        fail("give at least one START_URL or --portals FILE.csv", EXIT_USAGE)
    targets = []
    for url in start_urls:
        problem = url_problem(url)
        if problem:
            click.echo(f"nianbao: not a usable start URL {url!r}: {problem}", err=True)
        else:
            targets.append(Portal(url=url))
    if portals:
        if not Path(portals).is_file():
            fail(f"no such portals file: {portals}", EXIT_USAGE)
        targets += read_portals_or_fail(portals)
    if not targets:
        fail("no usable start URL: nothing to crawl", EXIT_USAGE)
    overrides = _parse_set(settings)
    if ignore_robots:
        overrides["ROBOTSTXT_OBEY"] = False
        click.echo("robots.txt will NOT be obeyed for this crawl", err=True)
    if delay is not None:
        overrides["DOWNLOAD_DELAY"] = delay
        overrides["AUTOTHROTTLE_START_DELAY"] = max(delay, 0.01)
    if redis_url:
        from scraper.distributed import RedisUnusable, check_redis, redis_settings

        try:
            check_redis(redis_url)
        except RedisUnusable as exc:
            fail(str(exc), EXIT_USAGE)
        overrides.update(redis_settings(redis_url))
    archive, lock = open_for_writing(db)
    from archive.store import ArchiveError, ArchiveErrors, known_pages
    from scraper.crawl_state import KnownPages
    from scraper.items import KnownPage

    try:
        # a snapshot on disk (scraper.crawl_state), not a dict: an archive of a million URLs
        known = KnownPages(KnownPage(url, fetched_at, etag, modified, is_report)
                           for url, fetched_at, etag, modified, is_report in known_pages(archive))
        run_id = archive.start_run([p.url for p in targets], os.getpid())
    except ArchiveError as exc:  # a full disk
        fail(str(exc), EXIT_ARCHIVE)
    archive.close()
    # The pipeline puts here what stopped it writing (archive.store.ArchiveFull …): it closes the spider
    archive_errors = ArchiveErrors()
    progress = Progress(enabled=not verbose)
    overrides.setdefault("LOG_LEVEL", "INFO" if verbose else "WARNING")
    if log_file:
        overrides["LOG_FILE"] = log_file
        overrides["LOG_LEVEL"] = "INFO"
    overrides.update({"NIANBAO_RUN_ID": run_id, "NIANBAO_LOCK_HELD": True, "NIANBAO_PROGRESS": progress,
                      "NIANBAO_ARCHIVE_ERRORS": archive_errors})
    started = time.monotonic()
    from contextlib import nullcontext

    from scraper.crawl_state import request_queue_dir

    # the queue of requests not yet made on disk (a distributed crawl's is in Redis; -s JOBDIR=… is the user's)
    queue_dir = request_queue_dir() if not redis_url and "JOBDIR" not in overrides else nullcontext()
    try:
        with queue_dir as job_dir:
            if job_dir:
                overrides["JOBDIR"] = job_dir
            stopped_by = run_crawl(targets, db, overrides, verbose=verbose or bool(log_file), known=known,
                                   full=full, refresh=refresh, recheck_days=recheck_days)
    except KeyboardInterrupt:
        stopped_by = stopped_early[-1] if stopped_early else signal.SIGINT
    progress.done()
    if archive_errors:  # the run cannot be recorded either: one line, exit 3
        lock.close()
        fail(str(archive_errors[0]), EXIT_ARCHIVE)
    status = finish_crawl(db, run_id, targets, time.monotonic() - started, stopped_by=stopped_by,
                          reached_elsewhere=len(overrides.get("NIANBAO_REDIS_PORTALS_REACHED") or ()))
    lock.close()
    sys.exit(status)


def finish_crawl(db: str, run_id: int, targets: list, seconds: float, stopped_by: int | None = None,
                 reached_elsewhere: int = 0) -> int:
    """Print this run's summary, record its exit status, and return it. ``stopped_by``: the signal
    that interrupted the crawl; the run's exit status is then 128 + its number (the shell's).
    ``reached_elsewhere``: portals whose start page other workers of a distributed crawl fetched."""
    from archive.store import open_archive

    archive = open_archive(db)
    run = dict(zip(("new", "changed", "unchanged", "failed", "blocked", "skipped", "requests"),
                   archive.conn.execute("select new, changed, unchanged, failed, blocked, skipped, requests "
                                        "from crawl_runs where id = ?", [run_id]).fetchone()))
    run = {k: v or 0 for k, v in run.items()}
    reached = archive.conn.execute(
        "select count(distinct portal_id) from responses where run_id = ? and route = 'start' and status < 400",
        [run_id]).fetchone()[0]
    total_reports = archive.conn.execute("select count(*) from reports").fetchone()[0]
    status = 0 if reached or reached_elsewhere else EXIT_FAILED
    if stopped_by:
        status = 128 + stopped_by  # as a shell reports a process a signal stopped (130 SIGINT, 143 SIGTERM)
    from archive.monitors import failed_monitors

    # an interrupted run says so in its own line; its monitors (finish reason: shutdown) add nothing
    failures = [] if stopped_by else failed_monitors(archive.conn, run_id)
    if failures and status == 0:
        status = EXIT_MONITOR
    archive.conn.execute("update crawl_runs set exit_status = ? where id = ?", [status, run_id])
    archive.close()
    click.echo(f"{db}: run {run_id}: new={run['new']}, changed={run['changed']}, unchanged={run['unchanged']}, "
               f"skipped={run['skipped']}, blocked={run['blocked']}, failed={run['failed']}; "
               f"{run['requests']} requests in {seconds:.1f}s; the archive holds {total_reports} reports", err=True)
    if stopped_by:
        import signal

        click.echo(f"nianbao: interrupted by {signal.Signals(stopped_by).name}: pages in flight were finished or "
                   f"abandoned; run {run_id} is recorded as interrupted (exit status {status}); the same command "
                   f"goes on from here", err=True)
    elif not reached and not reached_elsewhere:
        click.echo(f"nianbao: no portal could be reached ({len(targets)} tried); see `select * from fetches "
                   f"where outcome in ('error', 'http_error')` in {db}", err=True)
    for monitor, detail in failures:
        click.echo(f"nianbao: monitor {monitor} failed: {detail}", err=True)
    return status


# --- parse ---------------------------------------------------------------------------------
@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--url", help="The URL the page was saved from (one file only).")
@click.option("--indent/--no-indent", default=None, help="Pretty-print (default: for one file).")
def parse(files, url, indent):
    """Parse saved report pages or files (HTML, PDF, DOCX, DOC) and print JSON:
    one object for one file, one object per line (JSON Lines) for several."""
    from parsing import parse_report
    from parsing.documents import extract_document, sniff_kind

    if url and len(files) > 1:
        raise click.UsageError("--url applies to a single file")
    pretty = (len(files) == 1) if indent is None else indent
    failed = False
    for path in files:
        with open(path, "rb") as f:
            body = f.read()
        kind = sniff_kind(body, None, path)
        data = {"url": url or None, "file": path, "kind": kind}
        try:
            if kind in ("pdf", "docx", "doc", "wps"):
                extracted = extract_document(body, None, path)
                if extracted.error or not extracted.html:
                    data.update(is_report=False, image_only=extracted.image_only,
                                error=extracted.error or ("only images" if extracted.image_only else "no text"))
                else:
                    data = {**parse_report(extracted.html, url or None).to_dict(), **data}
            elif kind in ("html", "empty"):
                data = {**parse_report(body, url or None).to_dict(), **data}
            else:
                data.update(is_report=False, error=f"not a page or document: {kind}")
        except Exception as exc:  # one bad file must not hide the others
            data.update(is_report=False, error=f"{type(exc).__name__}: {exc}")
        if data.get("error"):
            failed = True
            click.echo(f"nianbao: {path}: {data['error']}", err=True)
        click.echo(json.dumps(data, ensure_ascii=False, indent=2 if pretty else None))
    sys.exit(EXIT_FAILED if failed and len(files) == 1 else 0)


@cli.command(name="eval")
@click.argument("corpus", type=click.Path(exists=True, file_okay=False), default="tests/corpus")
@click.option("-v", "--verbose", is_flag=True, help="List every mismatch.")
def eval_(corpus, verbose):
    """Print the parser's per-field accuracy on a labelled CORPUS (tests/corpus).

    Exits 1 when any field is below 100%."""
    from parsing.evaluate import evaluate, format_evaluation

    result = evaluate(corpus)
    click.echo(format_evaluation(result))
    if verbose:
        for name, score in result.fields.items():
            for failure in score.failures:
                click.echo(f"  {name}: {failure}")
    sys.exit(0 if result.perfect else 1)


# --- reparse, WARC -------------------------------------------------------------------------
@cli.command()
@click.option("--db", required=True, help="The archive to re-parse.")
@click.option("--jobs", type=int, default=2, show_default=True, help="Parser processes.")
def reparse(db, jobs):
    """Re-run today's parser over the stored responses (no network) and rewrite
    every derived table: reports, sections, stats, checks, figures, search rows,
    revisions. A parser change is not a revision; only changed bytes are."""
    from archive.reparse import reparse_archive, responses_to_reparse
    from archive.store import ArchiveError

    if not Path(db).is_file():
        fail(f"no such archive: {db}", EXIT_USAGE)
    if not is_archive(db):
        fail(f"{db} is not a nianbao archive: nothing to re-parse (the file is left as it was)", EXIT_ARCHIVE)
    archive, lock = open_for_writing(db)
    started = time.monotonic()
    # the bar on a terminal only: in a log file it would be a lone "reparse" line
    with click.progressbar(length=responses_to_reparse(archive), label="reparse", file=sys.stderr,
                           show_pos=True, hidden=not sys.stderr.isatty()) as bar:
        def progress(done, total):
            bar.update(done - bar.pos)

        try:
            result = reparse_archive(archive, jobs=max(1, jobs), progress=progress)
        except ArchiveError as exc:  # a full disk or damaged pages: the reparse was rolled back
            archive.close()
            lock.close()
            fail(str(exc), EXIT_ARCHIVE)
    seconds = time.monotonic() - started
    archive.close()
    lock.close()
    click.echo(f"{db}: {result.responses} responses re-parsed into {result.reports} reports "
               f"({result.revisions} revisions) in {seconds:.1f}s, "
               f"{result.responses / max(seconds, 1e-6):.0f} responses/s", err=True)


@cli.command(name="export-warc")
@click.option("--db", required=True, help="The archive to export.")
@click.argument("out", type=click.Path(dir_okay=False))
def export_warc(db, out):
    """Write every stored response as WARC 1.1 request/response records (OUT.warc.gz)."""
    from archive.web.serve import check_archive
    from archive.store import open_archive_read_only
    from archive.warc import export_warc as export

    problem = check_archive(db)  # also: an older archive must be upgraded first (export only reads)
    if problem:
        fail(problem, EXIT_USAGE)
    archive = open_archive_read_only(db)
    try:
        count = export(archive, out)
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror or exc}", EXIT_USAGE)
    finally:
        archive.close()
    click.echo(f"{out}: {count} responses written", err=True)


@cli.command(name="import-warc")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--db", required=True, help="The archive to load into (created if missing).")
def import_warc(files, db):
    """Ingest WARC files written by any tool (wget --warc-file, Browsertrix,
    Heritrix, nianbao export-warc): every report page and attachment in them
    goes through the same ingest as a crawl. A file that cannot be read is
    reported by name and leaves the archive as it was; the others are imported
    (exit 1 if any was refused)."""
    from archive.store import ArchiveError
    from archive.warc import ImportSession, WarcError, import_warc as load

    archive, lock = open_for_writing(db)
    totals: dict[str, int] = {}
    refused: list[str] = []
    session = ImportSession()  # a later file's revisits find their originals in an earlier one
    try:
        for path in files:
            try:
                counts = load(archive, path, session)
            except WarcError as exc:  # this file only: nothing of it was written
                click.echo(f"nianbao: {exc}", err=True)
                refused.append(path)
                continue
            for key, value in counts.items():
                totals[key] = totals.get(key, 0) + value
    except ArchiveError as exc:  # a full disk or damaged pages: that file's import was rolled back
        fail(str(exc), EXIT_ARCHIVE)
    finally:
        archive.close()
        lock.close()
    parts = ", ".join(f"{k}={v}" for k, v in sorted(totals.items())) or "nothing"
    summary = f"{db}: imported {len(files) - len(refused)} WARC file(s): {parts}"
    if refused:
        summary += f"; {len(refused)} refused: {', '.join(refused)}"
    click.echo(summary, err=True)
    if refused:
        sys.exit(EXIT_FAILED)


@cli.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--into", "into", required=True, type=click.Path(dir_okay=False),
              help="The archive to merge into (created if missing).")
@click.option("--jobs", type=int, default=2, show_default=True, help="Parser processes.")
def merge(sources, into, jobs):
    """Merge the archives SOURCES (other machines' crawls, other years') into the archive INTO:
    bodies and ledger rows by their natural keys (each once), portals and divisions
    unioned, and the reports of the URLs that got new responses derived again through
    the same ingest as a crawl. One transaction per source: run it again after an
    interruption. Exit status: 0 done, 3 a source is not a nianbao archive or is from
    a newer nianbao, or INTO cannot be written."""
    import os

    from archive.merge import MergeCounts, MergeRefused, check_source, merge_archive
    from archive.store import ArchiveError

    if Path(into).exists() and any(os.path.samefile(into, path) for path in sources):
        fail(f"{into} is one of the archives to merge; give another --into", EXIT_USAGE)
    for path in sources:  # every source is checked before anything is written
        problem = check_source(path)
        if problem:
            fail(problem, EXIT_ARCHIVE)
    archive, lock = open_for_writing(into)
    tty = sys.stderr.isatty()
    shown = {"at": time.monotonic(), "line": False}

    def progress(path, phase, done, total):
        # a line every 2 s in a log; on a terminal the line is rewritten in place
        if time.monotonic() - shown["at"] < (0.2 if tty else 2.0) and done != total:
            return
        shown["at"] = time.monotonic()
        line = f"  {path}: {phase} {done}/{total}"
        if tty:
            click.echo("\r" + line.ljust(60), err=True, nl=False)
            shown["line"] = True
        elif done != total:
            click.echo(line, err=True)

    def summary(path, counts, seconds):
        if shown["line"]:
            click.echo("", err=True)
            shown["line"] = False
        rate = (counts.responses_new + counts.responses_there) / max(seconds, 1e-6)
        click.echo(f"{into}: merged {path}: responses {counts.responses_new} new / {counts.responses_there} already "
                   f"there, bodies {counts.bodies_new} new / {counts.bodies_there} already there, reports "
                   f"{counts.reports_new} new / {counts.reports_there} already there ({counts.reports_updated} "
                   f"updated) in {seconds:.1f}s, {rate:.0f} responses/s", err=True)

    totals = MergeCounts()
    started = time.monotonic()
    try:
        for path in sources:
            began = time.monotonic()
            counts = merge_archive(archive, path, jobs=max(1, jobs),
                                   progress=lambda phase, done, total, path=path: progress(path, phase, done, total))
            summary(path, counts, time.monotonic() - began)
            totals += counts
        held = archive.conn.execute("select count(*) from reports").fetchone()[0]
    except (MergeRefused, ArchiveError) as exc:  # (a full disk, damaged pages: that source was rolled back)
        fail(str(exc), EXIT_ARCHIVE)
    finally:
        archive.close()
        lock.close()
    if len(sources) > 1:
        summary(f"{len(sources)} archives", totals, time.monotonic() - started)
    click.echo(f"{into}: the archive holds {held} reports", err=True)


# --- serve, demo ---------------------------------------------------------------------------
@cli.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
@click.option("--immutable", is_flag=True,
              help="The file will not change while served (a published copy): open it immutable.")
def serve(path, host, port, immutable):
    """Browse the archive PATH in Datasette, read-only, with Chinese full-text search,
    report pages, canned queries and charts. A crawl may write to PATH meanwhile."""
    from archive.web.serve import check_archive, run_datasette

    problem = check_archive(path)
    if problem:
        fail(problem, EXIT_USAGE)
    click.echo(f"Datasette: http://{host}:{port}/", err=True)
    run_datasette(path, host, port, immutable=True if immutable else None)


# The demo counties are fictional; so are their provinces and cities (two provinces, so that
# SQL grouped by province has something to group).
DEMO_PLACES = {"trs": ("演示东省", "东山市"), "hanweb": ("演示东省", "东山市"), "gkmlpt": ("演示东省", "南湾市"),
               "vsb": ("演示西省", "西岭市"), "generic": ("演示西省", "西岭市")}


def demo_portals(server) -> list:
    import demo_portal
    from scraper.portals import Portal

    from archive.divisions import DEMO_REGISTRY_CSV, registry_rows

    demo_codes = {row["name"]: row["code"] for row in registry_rows(DEMO_REGISTRY_CSV)}
    return [Portal(url=server.base_url + p["homepage"], name=p["site"],
                   province=DEMO_PLACES[p["family"]][0], city=DEMO_PLACES[p["family"]][1], county=p["county"],
                   code=demo_codes[p["county"]])
            for p in demo_portal.PORTALS]


def what_the_archive_holds(db: str) -> str:
    """One line: the archive's reports by where their text came from, and what was refused."""
    from archive.store import open_archive

    archive = open_archive(db)
    q = lambda sql: archive.conn.execute(sql).fetchone()[0]  # noqa: E731
    parts = {
        "from pages": q("select count(*) from reports where attachment_url is null and not image_only"),
        "from PDF": q("select count(*) from reports where lower(attachment_url) like '%.pdf'"),
        "from DOCX/DOC": q("select count(*) from reports where lower(attachment_url) like '%.doc%' "
                           "or lower(attachment_url) like '%.wps'"),
        "image-only (图片版)": q("select count(*) from reports where image_only"),
    }
    families = archive.conn.execute("select coalesce(portals.name, '?'), count(*) from reports "
                                    "left join portals on portals.id = reports.portal_id group by 1 order by 1").fetchall()
    outcomes = dict(archive.conn.execute("select outcome, count(*) from fetches group by 1").fetchall())
    archive.close()
    held = ", ".join(f"{n} {label}" for label, n in parts.items() if n)
    sites = ", ".join(f"{name} {n}" for name, n in families)
    return (f"{db}: {sum(parts.values())} reports ({held}); by site: {sites}; "
            f"refused: {outcomes.get('blocked', 0)} blocked pages, {outcomes.get('skipped', 0)} look-alike or "
            f"unusable links, {outcomes.get('not_report', 0)} pages that are not reports")


@cli.command()
@click.option("--db", default="demo.db", show_default=True, help="Archive to (re)build for the demo.")
@click.option("--port", default=8001, show_default=True, type=int, help="Datasette's port.")
@click.option("--portal-port", default=0, type=int, help="The demo portal's port (0: any free one).")
@click.option("--no-serve", is_flag=True, help="Crawl only; do not start Datasette.")
def demo(db, port, portal_port, no_serve):
    """Start the bundled offline demo portal on 127.0.0.1, crawl it into a fresh
    DB (rebuilt on every run), and serve the result with Datasette."""
    import demo_portal.server

    for suffix in ("", "-wal", "-shm"):
        Path(db + suffix).unlink(missing_ok=True)
    server = demo_portal.server.start(port=portal_port)
    portals = demo_portals(server)
    click.echo(f"demo portal: {server.base_url}/ ({len(portals)} portals)", err=True)
    archive, lock = open_for_writing(db)
    import os

    run_id = archive.start_run([p.url for p in portals], os.getpid())
    archive.close()
    started = time.monotonic()
    # Local server: no need to wait between requests.
    run_crawl(portals, db, {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_START_DELAY": 0.01, "AUTOTHROTTLE_MAX_DELAY": 1,
                            "LOG_LEVEL": "WARNING", "NIANBAO_BLOCK_COOLDOWN": 0, "NIANBAO_RUN_ID": run_id,
                            "NIANBAO_LOCK_HELD": True})
    status = finish_crawl(db, run_id, portals, time.monotonic() - started)
    click.echo(what_the_archive_holds(db), err=True)
    lock.close()
    if no_serve or status:
        server.stop()
        sys.exit(status)
    click.echo(f"open http://127.0.0.1:{port}/{Path(db).stem}/reports", err=True)
    from archive.web.serve import run_datasette

    try:
        run_datasette(db, "127.0.0.1", port)
    finally:
        server.stop()


# --- the registry and crawl health ------------------------------------------------------------
def year_ranges(years: list[int]) -> str:
    """2012–2015, 2017, 2020–2025"""
    spans: list[list[int]] = []
    for y in sorted(years):
        if spans and y == spans[-1][1] + 1:
            spans[-1][1] = y
        else:
            spans.append([y, y])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in spans)


@cli.command()
@click.option("--province", help="One province, by name (湖南, 湖南省) or code (430000).")
@click.option("--year", type=int, help="Divisions valid in this year (default: those in use now).")
@click.option("--csv", "as_csv", is_flag=True, help="Print a portals CSV template (code, name, province, city, "
              "county, url) to fill in and give to `crawl --portals`.")
def divisions(province, year, as_csv):
    """List China's divisions (GB/T 2260: provinces, prefectures, counties) from nianbao's registry.

    With --csv, a portals CSV template: fill in each government's portal URL in the url column
    (rows left without one are skipped) and crawl it with `nianbao crawl --portals FILE.csv`."""
    import csv as csv_module

    from archive.divisions import Gazetteer, name_forms, normal_name, registry_rows

    gazetteer = Gazetteer.from_rows(registry_rows())
    rows = [d for rows_of_code in gazetteer.rows.values() for d in rows_of_code if d.valid_in(year)]
    if province:
        wanted = province.strip()
        provinces = [d for d in rows if d.level == "province"
                     and (d.code == wanted or normal_name(wanted) in [f for f, _ in name_forms(d.name, d.level)])]
        if not provinces:
            fail(f"no province {province!r} in the registry{f' in {year}' if year else ''}: give its name "
                 f"(湖南 or 湖南省) or its code (430000)", EXIT_USAGE)
        prefix = provinces[0].code[:2]
        rows = [d for d in rows if d.code.startswith(prefix)]
    rows.sort(key=lambda d: d.code)
    out = sys.stdout
    if as_csv:
        writer = csv_module.writer(out, lineterminator="\n")
        writer.writerow(["code", "name", "province", "city", "county", "url"])
    for d in rows:
        prov, city, county = gazetteer.place(d.code, year)
        if as_csv:
            writer.writerow([d.code, f"{d.name}人民政府", prov or "", city or "", county or "", ""])
        else:
            click.echo(f"{d.code}  {d.level:<10}  {' '.join(filter(None, (prov, city, county)))}")
    if not as_csv:
        click.echo(f"{len(rows)} divisions ({sum(d.level == 'county' for d in rows)} county-level)", err=True)


@cli.command()
@click.option("--db", required=True, help="The archive.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def status(db, as_json):
    """The health of every portal: last run and last successful run, reports per year, what the last
    run found (new, changed, gone), error and challenge-page shares, whether it stopped yielding
    reports, its overdue years; then a one-line verdict.

    Exit 0 when the last crawl's monitors passed, 4 when one failed."""
    import sqlite3

    from archive.health import last_run_monitors, portal_status
    from archive.schema import is_current

    if not Path(db).is_file():
        fail(f"no such archive: {db}", EXIT_USAGE)
    if not is_archive(db):
        fail(f"{db} is not a nianbao archive", EXIT_ARCHIVE)
    conn = sqlite3.connect(f"file:{Path(db).resolve()}?mode=ro", uri=True)
    try:
        import sqlite_utils

        if not is_current(sqlite_utils.Database(conn)):
            fail(f"{db} was made by an older nianbao: run `nianbao reparse --db {db}` (or a crawl) to upgrade it",
                 EXIT_ARCHIVE)
        portals = portal_status(conn)
        run, monitors = last_run_monitors(conn)
    finally:
        conn.close()
    failed = [(m, d) for m, passed, d in monitors if not passed]
    verdict = (f"unhealthy: {len(failed)} monitor(s) of run {run} failed ({', '.join(m for m, _ in failed)})"
               if failed else f"healthy: every monitor of run {run} passed" if run else
               "no crawl with monitors yet")
    if as_json:
        click.echo(json.dumps({"portals": portals, "run": run,
                               "monitors": [{"monitor": m, "passed": bool(p), "detail": d} for m, p, d in monitors],
                               "verdict": verdict}, ensure_ascii=False, indent=2))
    else:
        for p in portals:
            years = ", ".join(f"{y}:{n}" for y, n in p["reports_per_year"].items()) or "none"
            flags = []
            if p["stopped_yielding"]:
                flags.append("STOPPED YIELDING REPORTS")
            if p["overdue_years"]:
                flags.append("overdue " + year_ranges(p["overdue_years"]))
            click.echo(f"{p['name'] or p['url']} [{p['division_code'] or 'unplaced'}] {p['url']}\n"
                       f"  last run {p['last_run']}, last successful run {p['last_successful_run']}; "
                       f"reports per year: {years}\n"
                       f"  last run: new {p['last_run_new']}, changed {p['last_run_changed']}, gone {p['last_run_gone']}; "
                       f"errors {p['error_share']:.0%}, blocked {p['blocked_share']:.0%}"
                       + (f"\n  {'; '.join(flags)}" if flags else ""))
        click.echo(verdict)
    sys.exit(EXIT_MONITOR if failed else 0)


@cli.command(name="export-panel")
@click.option("--db", required=True, help="The archive to export.")
@click.argument("out", type=click.Path(dir_okay=False))
@click.option("--bom", is_flag=True, help="Begin the CSV with a UTF-8 BOM, for Excel on Chinese Windows.")
def export_panel(db, out, bom):
    """Write the panel, one row per report per indicator, as tidy CSV (OUT.csv) or Parquet (OUT.parquet,
    needs pyarrow: pip install 'nianbao[parquet]'). See docs/panel.md."""
    import os
    import tempfile

    from archive.indicators import EXPORT_FORMATS, panel_rows, parquet_available, write_csv, write_parquet
    from archive.web.serve import check_archive
    from archive.store import open_archive_read_only

    suffix = Path(out).suffix.lower()
    if suffix not in EXPORT_FORMATS:
        fail(f"cannot tell the format of {out}: name it OUT.csv or OUT.parquet", EXIT_USAGE)
    if suffix == ".parquet" and bom:
        fail("--bom is for CSV; a Parquet file has no BOM (drop --bom, or write OUT.csv)", EXIT_USAGE)
    if suffix == ".parquet" and not parquet_available():
        fail("writing Parquet needs pyarrow: pip install 'nianbao[parquet]', or write OUT.csv", EXIT_USAGE)
    problem = check_archive(db)  # an older archive must be upgraded first (export only reads)
    if problem:
        fail(problem, EXIT_USAGE)
    if Path(out).exists() and Path(out).resolve() == Path(db).resolve():
        fail(f"{out} is the archive itself; give another OUT", EXIT_USAGE)
    reports: set[int] = set()

    def counted(rows):
        for row in rows:
            reports.add(row["report_id"])
            yield row

    archive = open_archive_read_only(db)
    # written beside OUT and renamed: a failed export leaves no half-written OUT
    try:
        fd, part = tempfile.mkstemp(prefix=f".{Path(out).name}.", dir=Path(out).resolve().parent)
        os.close(fd)
    except OSError as exc:
        archive.close()
        fail(f"cannot write {out}: {exc.strerror or exc}", EXIT_USAGE)
    try:
        rows = counted(panel_rows(archive.conn))
        count = write_parquet(rows, part) if suffix == ".parquet" else write_csv(rows, part, bom=bom)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(part, 0o666 & ~umask)  # as open() would have made it, not mkstemp's 0600
        os.replace(part, out)
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror or exc}", EXIT_USAGE)
    finally:
        archive.close()
        if os.path.exists(part):
            os.unlink(part)
    click.echo(f"{out}: {count} rows, {len(reports)} reports"
               + (" (UTF-8 with a BOM)" if bom else ""), err=True)


def main():
    sys.exit(cli())


if __name__ == "__main__":
    main()
