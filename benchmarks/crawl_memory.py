"""Crawl memory: RSS of `nianbao crawl` (and its parser worker) against pages crawled, on a large local portal.

    .venv/bin/python benchmarks/crawl_memory.py [--pages 200000] [--hosts 100] [--sample 5]
                                                [--db PATH] [--skip-reparse] [--search] [-s KEY=VALUE]

Serves a generated portal of about --pages responses: --hosts hosts on 127.0.0.1 … 127.0.0.N (one
port), each a 年报 column of list pages (20 items a page, 下一页/尾页 pager, one look-alike 通知 per
page: recorded, not fetched) and its report pages. benchmarks/crawl_throughput.py's server, list
pages and robots.txt; report bodies are benchmarks/reparse_speed.py's generated variations of the
saved real pages (a pool of --pool of them, each served with a comment naming its URL, so every body
differs and is stored on its own). Pages are made when asked for, so the portal itself holds
only the pool, not a million pages.

Runs ``nianbao crawl`` on the hosts' column URLs with relaxed politeness (crawl_throughput's
settings, page budgets raised to fit a host's column) and samples, every --sample seconds, the RSS
of the crawl process and of its children (the parser worker) from /proc, against the requests the
portal has answered. Prints the samples, the peak, and the least-squares slope of RSS against pages
after the first 10% of the crawl (start-up: imports, the worker, SQLite caches), in MB per 100,000
pages. Then the archive's size per report, the time of ``nianbao reparse --jobs 2`` on it, and
(with --search) benchmarks/search_at_scale.py's latencies on it.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crawl_throughput import (COLUMN, CRAWL_SETTINGS, PER_PAGE, ROBOTS, list_page,  # noqa: E402
                              start_servers)
from reparse_speed import generate_responses  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
LOOKALIKE_TITLE = "关于做好2024年政府信息公开工作年度报告编制发布工作的通知"
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
# Samples before this share of the crawl are start-up, not growth.
WARM_UP = 0.10


class LazyPortal:
    """Every host's column, made page by page when asked for (the same shape as
    crawl_throughput.Portal, whose pages all live in memory: a million would not fit)."""

    def __init__(self, hosts: list[str], reports_per_host: int, pool: int, seed: int = 23):
        self.hosts = hosts
        self.host_index = {host: i for i, host in enumerate(hosts)}
        self.reports_per_host = reports_per_host
        self.pool = [(raw.content_type, raw.body, raw.link_title, raw.fetched_at[:10],
                      [(k, v) for k, v in raw.headers if k in ("Last-Modified", "ETag")])
                     for raw in generate_responses(pool, seed=seed, hosts=min(len(hosts), pool))]
        # a column: reports, and one look-alike 通知 every PER_PAGE reports
        self.items_per_host = reports_per_host + (reports_per_host + PER_PAGE - 1) // PER_PAGE
        self.list_pages = (self.items_per_host + PER_PAGE - 1) // PER_PAGE
        self.lock = threading.Lock()
        self.served = 0
        self.limit = 2 * self.responses  # a bound against a runaway crawl

    @property
    def responses(self) -> int:
        """Responses a full crawl gets: robots.txt, list pages and reports of every host."""
        return len(self.hosts) * (1 + self.list_pages + self.reports_per_host)

    def _item(self, host_index: int, k: int) -> tuple[str, str, str]:
        """The k-th link of a host's column: (path, link text, date)."""
        group, position = divmod(k, PER_PAGE + 1)
        if position == 0:  # the first link of each group of PER_PAGE + 1 is the look-alike
            date = self.pool[(group + host_index) % len(self.pool)][3]
            return f"{COLUMN}n{100000 + group}.html", LOOKALIKE_TITLE, date
        number = group * PER_PAGE + position - 1
        _, _, title, date, _ = self.pool[(number + host_index) % len(self.pool)]
        return f"{COLUMN}t{100000 + number}.html", title, date

    def _page(self, host: str, path: str):
        host_index = self.host_index.get(host, -1)
        if host_index < 0:
            return None
        if path == "/robots.txt":
            return "text/plain", ROBOTS, []
        if path.startswith(COLUMN + "index"):
            name = path[len(COLUMN):]
            page = 0 if name == "index.html" else int(name[len("index_"):-len(".html")])
            if page >= self.list_pages:
                return None
            first = page * PER_PAGE
            items = [self._item(host_index, k) for k in range(first, min(first + PER_PAGE, self.items_per_host))]
            return "text/html; charset=utf-8", list_page(host, items, page, self.list_pages), []
        if path.startswith(COLUMN + "t"):
            number = int(path[len(COLUMN) + 1:-len(".html")]) - 100000
            if not 0 <= number < self.reports_per_host:
                return None
            content_type, body, _, _, headers = self.pool[(number + host_index) % len(self.pool)]
            # a comment naming the page: every body differs (stored once each, as real pages are)
            marker = f"<!-- {host}{path} -->".encode()
            return content_type, body.replace(b"</body>", marker + b"</body>", 1), headers
        return None

    def answer(self, host: str, path: str):
        with self.lock:
            self.served += 1
            over = self.served > self.limit
        return None if over else self._page(host, path.split("?")[0])


def rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE_SIZE // 1024
    except (OSError, ValueError, IndexError):
        return 0


def descendants(pid: int) -> list[int]:
    """Every process under ``pid`` (the parser worker is spawned by the crawl, via multiprocessing)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                parent = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(parent, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def slope_per_100k(samples: list[tuple[float, int, int, int]], total: int) -> tuple[float, float, int]:
    """Least-squares MB per 100,000 pages of the total RSS, over the samples after the warm-up, and
    the fitted line's value at a million pages."""
    # (with its parser worker running: the crawl's last samples are its shutdown)
    points = [(pages, (crawl + children) / 1024) for _, pages, crawl, children in samples
              if pages >= WARM_UP * total and children]
    if len(points) < 2:
        return float("nan"), float("nan"), len(points)
    n = len(points)
    mx = sum(p for p, _ in points) / n
    my = sum(m for _, m in points) / n
    sxx = sum((p - mx) ** 2 for p, _ in points)
    if not sxx:
        return float("nan"), float("nan"), n
    slope = sum((p - mx) * (m - my) for p, m in points) / sxx
    return slope * 100_000, my + slope * (1_000_000 - mx), n


def run_crawl(urls: list[str], db: Path, settings: dict, portal: LazyPortal, every: float, log: Path):
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    command = [str(VENV_BIN / "nianbao"), "crawl", *urls, "--db", str(db), "--log-file", str(log)]
    for key, value in settings.items():
        command += ["-s", f"{key}={value}"]
    started = time.monotonic()
    # the crawl's output goes to a file, read at the end: a pipe nobody reads while the crawl runs
    # fills (64 KB of progress lines, ~25 minutes) and then blocks the crawl
    stderr_file = open(str(log) + ".stderr", "w+", encoding="utf-8")
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=stderr_file, text=True)
    samples: list[tuple[float, int, int, int]] = []
    shown = 0.0
    print(f"{'seconds':>8} {'pages':>9} {'crawl MB':>9} {'worker MB':>10} {'total MB':>9}")
    while process.poll() is None:
        time.sleep(every)
        crawl = rss_kb(process.pid)
        if not crawl:
            break
        children = sum(rss_kb(child) for child in descendants(process.pid))
        sample = (time.monotonic() - started, portal.served, crawl, children)
        samples.append(sample)
        if sample[0] - shown >= max(every, 30) or not shown:  # a line every 30 s; every sample is fitted
            shown = sample[0]
            print(f"{sample[0]:8.0f} {sample[1]:9d} {crawl / 1024:9.1f} {children / 1024:10.1f} "
                  f"{(crawl + children) / 1024:9.1f}", flush=True)
    process.wait()
    stderr_file.seek(0)
    err = stderr_file.read()
    stderr_file.close()
    seconds = time.monotonic() - started
    summary = [line for line in err.splitlines() if "requests in" in line or "nianbao:" in line]
    if process.returncode not in (0, 1):
        print(err[-3000:], file=sys.stderr)
    return seconds, samples, (summary[-1] if summary else err[-500:])


def archive_size(db: Path) -> tuple[int, int]:
    import sqlite3

    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        reports = conn.execute("select count(*) from reports").fetchone()[0]
    size = sum(Path(str(db) + suffix).stat().st_size for suffix in ("", "-wal")
               if Path(str(db) + suffix).exists())
    return size, reports


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200_000, help="responses in the portal (about)")
    parser.add_argument("--hosts", type=int, default=100, help="hosts, 127.0.0.1 … (at most 250)")
    parser.add_argument("--pool", type=int, default=400, help="distinct generated report pages to vary")
    parser.add_argument("--sample", type=float, default=5.0, help="seconds between RSS samples")
    parser.add_argument("--timeout", type=float, default=6 * 3600, help="the portal stops after this many seconds")
    parser.add_argument("--db", type=Path, default=Path("/tmp/nianbao-bench-memory.db"))
    parser.add_argument("--skip-reparse", action="store_true")
    parser.add_argument("--search", action="store_true",
                        help="also run benchmarks/search_at_scale.py on the archive (it picks its terms from "
                             "the county names it generates: on a crawled archive it stops with a TypeError)")
    parser.add_argument("-s", "--set", dest="settings", action="append", default=[], metavar="KEY=VALUE",
                        help="an extra setting for the crawl")
    args = parser.parse_args()
    if not 1 <= args.hosts <= 250:
        parser.error("--hosts: 1 … 250")

    hosts = [f"127.0.0.{i}" for i in range(1, args.hosts + 1)]
    # per host: robots.txt + list pages (21 items a page: 20 reports, one look-alike) + reports
    reports_per_host = max(1, int((args.pages / args.hosts - 1) * PER_PAGE / (PER_PAGE + 1.05)))
    started = time.monotonic()
    portal = LazyPortal(hosts, reports_per_host, args.pool)
    servers, port = start_servers(portal, hosts, args.timeout)
    urls = [f"http://{host}:{port}{COLUMN}index.html" for host in hosts]
    print(f"portal: {len(hosts)} hosts (127.0.0.1-{hosts[-1]}:{port}), {portal.responses:,} responses in a full "
          f"crawl ({len(hosts) * reports_per_host:,} reports, {len(hosts) * portal.list_pages:,} list pages, "
          f"{len(hosts)} robots.txt); {args.pool} generated pages varied (made in {time.monotonic() - started:.0f}s)")
    settings = dict(CRAWL_SETTINGS)
    # a host's whole column within its page budgets (the defaults, 3000 and 300, bound real portals)
    settings["NIANBAO_MAX_PORTAL_PAGES"] = str(reports_per_host + portal.list_pages + 100)
    # (each list page asks for its 下一页 and 尾页: a column's budget counts both)
    settings["NIANBAO_MAX_LIST_PAGES"] = str(3 * portal.list_pages + 10)
    for setting in args.settings:
        key, _, value = setting.partition("=")
        settings[key] = value
    log = args.db.with_suffix(".log")
    seconds, samples, summary = run_crawl(urls, args.db, settings, portal, args.sample, log)
    print(f"nianbao crawl: {portal.served:,} requests served in {seconds:.0f}s "
          f"({portal.served / seconds * 60:,.0f} pages/min); log: {log}")
    print(f"  {summary}")
    if samples:
        peak = max(samples, key=lambda s: s[2] + s[3])
        last = samples[-1]
        slope, at_million, fitted = slope_per_100k(samples, portal.served)
        print(f"peak RSS {(peak[2] + peak[3]) / 1024:.0f} MB (crawl {peak[2] / 1024:.0f} MB + worker "
              f"{peak[3] / 1024:.0f} MB) at {peak[1]:,} pages; last sample {(last[2] + last[3]) / 1024:.0f} MB "
              f"at {last[1]:,} pages")
        at_20 = min(samples, key=lambda s: abs(s[1] - 0.2 * portal.served))
        print(f"RSS at 20% of the crawl ({at_20[1]:,} pages): {(at_20[2] + at_20[3]) / 1024:.0f} MB")
        print(f"slope: {slope:+.1f} MB per 100,000 pages (least squares over {fitted} samples after the first "
              f"{WARM_UP:.0%} of the crawl, parser worker running) -> {at_million:.0f} MB at 1,000,000 pages "
              f"on the fitted line")
    for server in servers:
        server.shutdown()

    size, reports = archive_size(args.db)
    if reports:
        print(f"archive: {size / 2**20:,.0f} MB for {reports:,} reports = {size / reports / 1024:.1f} KB per report "
              f"(raw pages, ledger, derived tables, search index)")
    if not args.skip_reparse:
        started = time.monotonic()
        done = subprocess.run([str(VENV_BIN / "nianbao"), "reparse", "--db", str(args.db), "--jobs", "2"],
                              cwd=REPO, capture_output=True, text=True)
        seconds = time.monotonic() - started
        tail = (done.stdout + done.stderr).strip().splitlines()
        print(f"nianbao reparse --jobs 2: {seconds:.0f}s for {reports:,} reports = {reports / seconds:.0f} reports/s "
              f"(exit {done.returncode}){': ' + tail[-1] if tail else ''}")
    if args.search:
        done = subprocess.run([sys.executable, str(REPO / "benchmarks/search_at_scale.py"), "--db", str(args.db),
                               "--runs", "5"], cwd=REPO, capture_output=True, text=True)
        print(f"benchmarks/search_at_scale.py --db {args.db} --runs 5 (exit {done.returncode}):")
        print("\n".join("  " + line for line in (done.stdout or done.stderr[-2000:]).splitlines()))


if __name__ == "__main__":
    main()
