"""Crawl throughput: `nianbao crawl` on a local 20-host portal against `scrapy bench`, same machine, same run.

    .venv/bin/python benchmarks/crawl_throughput.py [--reports 3000] [--hosts 20] [--profile DIR] [--skip-bench]

Starts one threaded HTTP server per host on 127.0.0.1 … 127.0.0.20 (all loopback,
one port), each serving a 年报 column of list pages (20 items a page, 下一页/尾页
pager, one look-alike 通知 per page) and its report pages: benchmarks/reparse_speed.py's
generated variations of the saved real pages (GBK and UTF-8, portal chrome,
ETag/Last-Modified), plus a robots.txt that allows everything. The servers stop by
themselves: after serving their pages' worth of requests (2x, a bound against a
runaway crawl) or after --timeout seconds.

Then runs, as subprocesses of this script:
- ``nianbao crawl <20 column URLs> --db <fresh> -s DOWNLOAD_DELAY=0 -s AUTOTHROTTLE_ENABLED=False
  -s CONCURRENT_REQUESTS=32 -s CONCURRENT_REQUESTS_PER_DOMAIN=8`` (robots.txt obeyed);
  pages/min = requests the servers answered / seconds between the first and the last
  request they saw (the crawler's start-up and the summary after it excluded; its
  wall-clock rate is printed too);
- ``scrapy bench`` (from a folder with no Scrapy project), whose "Crawled N pages
  (at X pages/min)" lines are read; its rate is the mean of the lines after the
  first (the first minute-rate covers start-up).

Prints both rates and nianbao / scrapy bench (target >= 0.6). ``--profile DIR``
runs the crawl a second time under ``python -m cProfile`` and prints the top
functions (the pstats file is kept in DIR).
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from reparse_speed import generate_responses  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PER_PAGE = 20
COLUMN = "/zwgk/xxgknb/"
BENCH_RATE_RE = re.compile(r"Crawled (\d+) pages \(at (\d+) pages/min\)")
CRAWL_SETTINGS = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "CONCURRENT_REQUESTS": "32",
                  "CONCURRENT_REQUESTS_PER_DOMAIN": "8"}
ROBOTS = b"User-agent: *\nAllow: /\n"


def list_page(host: str, items: list, page: int, count: int) -> bytes:
    """A generic CMS list page: a table of links with dates, a 下一页/尾页 pager."""
    rows = "\n".join(f'<tr><td class="t"><a href="{escape(path)}" target="_blank" title="{escape(title)}">'
                     f'{escape(title)}</a></td><td class="d">[{date}]</td></tr>' for path, title, date in items)
    def link(p, text):
        return f'<a href="{"index.html" if p == 0 else f"index_{p}.html"}">{text}</a>'
    pager = (f'{link(0, "首页")} ' + (link(page - 1, "上一页") if page else "") + " "
             + (f'{link(page + 1, "下一页")} {link(count - 1, "尾页")}' if page < count - 1 else "")
             + f" 第{page + 1}页/共{count}页")
    html = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body>'
            f'<div id="nav"><a href="/">首页</a> <a href="/zwgk/">政务公开</a></div>'
            f'<div class="main"><h3>政府信息公开年报</h3><table class="tab" width="100%">{rows}</table>'
            f'<div class="pages">{pager}</div></div></body></html>')
    return html.encode("utf-8")


class Portal:
    """The pages of every host: {host: {path: (content_type, body, extra headers)}}."""

    def __init__(self, hosts: list[str], reports: int, seed: int = 23):
        self.pages: dict[str, dict[str, tuple]] = {h: {} for h in hosts}
        columns: dict[str, list] = {h: [] for h in hosts}
        for i, raw in enumerate(generate_responses(reports, seed=seed, hosts=len(hosts))):
            host = hosts[i % len(hosts)]
            path = f"{COLUMN}t{100000 + i}.html"
            headers = [(k, v) for k, v in raw.headers if k in ("Last-Modified", "ETag")]
            self.pages[host][path] = (raw.content_type, raw.body, headers)
            columns[host].append((path, raw.link_title, raw.fetched_at[:10]))
            if i % PER_PAGE == 0:  # a look-alike in the same column: its link is recorded, not fetched
                lookalike = f"{COLUMN}n{100000 + i}.html"
                columns[host].append((lookalike, "关于做好2024年政府信息公开工作年度报告编制发布工作的通知",
                                      raw.fetched_at[:10]))
        for host, items in columns.items():
            groups = [items[k:k + PER_PAGE] for k in range(0, len(items), PER_PAGE)] or [[]]
            for page, group in enumerate(groups):
                name = "index.html" if page == 0 else f"index_{page}.html"
                self.pages[host][COLUMN + name] = ("text/html; charset=utf-8",
                                                   list_page(host, group, page, len(groups)), [])
            self.pages[host]["/robots.txt"] = ("text/plain", ROBOTS, [])
        self.lock = threading.Lock()
        self.served = 0
        self.first: float | None = None
        self.last: float | None = None
        self.limit = 2 * sum(len(p) for p in self.pages.values())

    def answer(self, host: str, path: str):
        with self.lock:
            now = time.monotonic()
            self.first = self.first or now
            self.last = now
            self.served += 1
            over = self.served > self.limit
        if over:
            return None
        return self.pages.get(host, {}).get(path.split("?")[0])

    def reset(self) -> None:
        with self.lock:
            self.served, self.first, self.last = 0, None, None


def make_handler(portal: Portal, host: str):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            page = portal.answer(host, self.path)
            if page is None:
                body = b"<html><body>404</body></html>"
                self.send_response(404)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            content_type, body, headers = page
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # quiet: thousands of requests
            pass

    return Handler


def free_port(hosts: list[str]) -> int:
    """A port free on every host address."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind((hosts[0], 0))
            port = s.getsockname()[1]
        try:
            for host in hosts[1:]:
                with socket.socket() as s:
                    s.bind((host, port))
            return port
        except OSError:
            continue
    raise RuntimeError("no port free on every 127.0.0.x address")


def start_servers(portal: Portal, hosts: list[str], timeout: float) -> tuple[list, int]:
    port = free_port(hosts)
    servers = []
    for host in hosts:
        server = ThreadingHTTPServer((host, port), make_handler(portal, host))
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    # The portal stops by itself even if this script is stuck.
    timer = threading.Timer(timeout, lambda: [s.shutdown() for s in servers])
    timer.daemon = True
    timer.start()
    return servers, port


def run_nianbao(urls: list[str], db: Path, profile: Path | None = None, extra: list[str] = ()) -> tuple[float, str]:
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    command = [str(VENV_BIN / "nianbao"), "crawl", *urls, "--db", str(db)]
    for key, value in CRAWL_SETTINGS.items():
        command += ["-s", f"{key}={value}"]
    for setting in extra:
        command += ["-s", setting]
    if profile is not None:
        command = [sys.executable, "-m", "cProfile", "-o", str(profile), *command]
    started = time.monotonic()
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    seconds = time.monotonic() - started
    summary = [line for line in done.stderr.splitlines() if "requests in" in line or "nianbao:" in line]
    if done.returncode not in (0, 1):
        print(done.stderr[-3000:], file=sys.stderr)
    return seconds, (summary[-1] if summary else done.stderr[-500:])


def run_scrapy_bench() -> tuple[float, list[int]]:
    folder = tempfile.mkdtemp(prefix="scrapy-bench-")  # no scrapy.cfg: Scrapy's defaults, no project settings
    try:
        done = subprocess.run([str(VENV_BIN / "scrapy"), "bench"], cwd=folder, capture_output=True, text=True,
                              timeout=120)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    rates = [int(m.group(2)) for m in BENCH_RATE_RE.finditer(done.stderr + done.stdout)]
    steady = rates[1:] or rates
    # Lines at a rate of 0 come after the spider stopped fetching (closing): not throughput.
    steady = [r for r in steady if r > 0] or steady
    return (sum(steady) / len(steady) if steady else 0.0), rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=3000)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=600, help="the portal stops after this many seconds")
    parser.add_argument("--db", type=Path, default=Path("/tmp/nianbao-bench-crawl.db"))
    parser.add_argument("--profile", type=Path, metavar="DIR", help="also profile one crawl with cProfile")
    parser.add_argument("--skip-bench", action="store_true", help="do not run scrapy bench")
    parser.add_argument("-s", "--set", dest="settings", action="append", default=[], metavar="KEY=VALUE",
                        help="an extra setting for the crawl (e.g. NIANBAO_PARSE_WORKERS=0)")
    args = parser.parse_args()

    hosts = [f"127.0.0.{i}" for i in range(1, args.hosts + 1)]
    portal = Portal(hosts, args.reports)
    servers, port = start_servers(portal, hosts, args.timeout)
    urls = [f"http://{host}:{port}{COLUMN}index.html" for host in hosts]
    pages = sum(len(p) for p in portal.pages.values())
    print(f"portal: {len(hosts)} hosts (127.0.0.1-{hosts[-1]}:{port}), {pages} pages "
          f"({args.reports} reports, {pages - args.reports} list pages, robots.txt)")

    seconds, summary = run_nianbao(urls, args.db, extra=args.settings)
    window = (portal.last - portal.first) if portal.first else 0.0
    served = portal.served
    nianbao_rate = served / window * 60 if window else 0.0
    print(f"nianbao crawl: {served} requests served in {window:.1f}s between first and last request "
          f"= {nianbao_rate:.0f} pages/min ({served / seconds * 60:.0f} pages/min over the command's {seconds:.1f}s)")
    print(f"  {summary}")

    if not args.skip_bench:
        bench_rate, rates = run_scrapy_bench()
        print(f"scrapy bench: {bench_rate:.0f} pages/min (Crawled … lines: {rates})")
        if bench_rate:
            print(f"nianbao / scrapy bench = {nianbao_rate / bench_rate:.2f}  (target >= 0.6)")

    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
        out = args.profile / "crawl.pstats"
        portal.reset()
        seconds, summary = run_nianbao(urls, args.db, profile=out)
        print(f"\nprofiled crawl (cProfile slows it): {portal.served} requests in {seconds:.1f}s; {summary}")
        import pstats

        for key in ("tottime", "cumulative"):
            print(f"\n=== crawl process, top 30 by {key} ===")
            pstats.Stats(str(out)).sort_stats(key).print_stats(30)
    for server in servers:
        server.shutdown()


if __name__ == "__main__":
    main()
