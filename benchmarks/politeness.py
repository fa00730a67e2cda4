"""Politeness at scale: `nianbao crawl` of 20 local hosts with a per-host delay, measured at the servers.

    .venv/bin/python benchmarks/politeness.py [--hosts 20] [--reports 800] [--delay 0.5] [--latency 0.05]
                                              [-s KEY=VALUE ...]

Starts one threaded HTTP server per host on 127.0.0.1 … 127.0.0.N (one port), each serving a 年报
column of list pages and its report pages (crawl_throughput.py's portal: generated variations of
the saved real pages, ~30 KB each), answering every request after --latency seconds. Then runs

    nianbao crawl <N column URLs> --db <fresh> --delay D

with nianbao's defaults otherwise (AutoThrottle, CONCURRENT_REQUESTS_PER_DOMAIN 2, robots.txt).

Prints, from what the servers saw:
- per-host bound: a host that must answer n requests one per D seconds needs (n - 1) x D seconds;
  the bound of the crawl is the largest host's;
- wall time: first to last request the servers saw (and the command's own time, start-up included);
- ratio = wall time / per-host bound (target <= 1.25; 1.0 is a crawl that never leaves a host idle);
- the most requests in flight at once on one host, against CONCURRENT_REQUESTS_PER_DOMAIN, and the
  shortest gap between two requests to one host, against D.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crawl_throughput import COLUMN, Portal, free_port, run_nianbao  # noqa: E402


class Meter:
    """Requests per host as the servers see them: arrival times and requests in flight."""

    def __init__(self):
        self.lock = threading.Lock()
        self.arrivals: dict[str, list[float]] = defaultdict(list)
        self.in_flight: dict[str, int] = defaultdict(int)
        self.max_in_flight: dict[str, int] = defaultdict(int)

    def begin(self, host: str) -> None:
        with self.lock:
            self.arrivals[host].append(time.monotonic())
            self.in_flight[host] += 1
            self.max_in_flight[host] = max(self.max_in_flight[host], self.in_flight[host])

    def end(self, host: str) -> None:
        with self.lock:
            self.in_flight[host] -= 1


def make_handler(portal: Portal, meter: Meter, host: str, latency: float):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):  # noqa: N802
            meter.begin(host)
            try:
                time.sleep(latency)  # a server that takes its time, as county portals do
                page = portal.answer(host, self.path)
                if page is None:
                    content_type, body, headers, status = "text/html", b"<html><body>404</body></html>", [], 404
                else:
                    (content_type, body, headers), status = page, 200
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)
            finally:
                meter.end(host)

        def log_message(self, *args):
            pass

    return Handler


def serve(portal: Portal, meter: Meter, hosts: list[str], latency: float) -> tuple[list, int]:
    """One threaded server per host, all on one free port; returns them (to shut down) and the port."""
    port = free_port(hosts)
    servers = []
    for host in hosts:
        server = ThreadingHTTPServer((host, port), make_handler(portal, meter, host, latency))
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    return servers, port


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--reports", type=int, default=800, help="reports in all (spread over the hosts)")
    parser.add_argument("--delay", type=float, default=0.5, help="the per-host delay (nianbao crawl --delay)")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds each server takes to answer")
    parser.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "nianbao-bench-politeness.db")
    parser.add_argument("-s", "--set", dest="settings", action="append", default=[], metavar="KEY=VALUE",
                        help="an extra setting for the crawl")
    args = parser.parse_args()

    hosts = [f"127.0.0.{i}" for i in range(1, args.hosts + 1)]
    portal = Portal(hosts, args.reports)
    meter = Meter()
    servers, port = serve(portal, meter, hosts, args.latency)
    urls = [f"http://{host}:{port}{COLUMN}index.html" for host in hosts]
    print(f"portal: {len(hosts)} hosts (127.0.0.1-{hosts[-1]}:{port}), {args.reports} reports, "
          f"server latency {args.latency * 1000:.0f} ms; crawl --delay {args.delay}")
    try:
        # run_nianbao adds crawl_throughput's fast settings; the delay and nianbao's defaults come back here
        seconds, summary = run_nianbao(urls, args.db, extra=[
            f"DOWNLOAD_DELAY={args.delay}", f"AUTOTHROTTLE_START_DELAY={args.delay}", "AUTOTHROTTLE_ENABLED=True",
            "CONCURRENT_REQUESTS=8", "CONCURRENT_REQUESTS_PER_DOMAIN=2", *args.settings])
    finally:
        for server in servers:
            server.shutdown()
    arrivals = {h: sorted(t) for h, t in meter.arrivals.items() if t}
    first = min(t[0] for t in arrivals.values())
    last = max(t[-1] for t in arrivals.values())
    wall = last - first
    busiest = max(arrivals, key=lambda h: len(arrivals[h]))
    bound = (len(arrivals[busiest]) - 1) * args.delay
    gaps = [b - a for t in arrivals.values() for a, b in zip(t, t[1:])]
    print(f"  {summary}")
    print(f"requests: {sum(len(t) for t in arrivals.values())} on {len(arrivals)} hosts "
          f"({min(len(t) for t in arrivals.values())}-{len(arrivals[busiest])} a host)")
    print(f"per-host bound: ({len(arrivals[busiest])} - 1) x {args.delay} s = {bound:.1f} s")
    print(f"wall time: {wall:.1f} s first to last request at the servers ({seconds:.1f} s the whole command)")
    print(f"ratio: wall / per-host bound = {wall / bound:.2f} (target <= 1.25); "
          f"whole command: {seconds / bound:.2f}")
    # Where a host's time went: waiting for its first request, gaps longer than twice the delay
    # (nothing queued for it, or the crawl busy elsewhere), and the mean gap between requests.
    late = sorted(t[0] - first for t in arrivals.values())
    idle = sorted(sum(g - args.delay for a, b in zip(t, t[1:]) if (g := b - a) > 2 * args.delay)
                  for t in arrivals.values())
    print(f"per host: first request {late[0]:.1f}-{late[-1]:.1f} s after the crawl's first; idle gaps "
          f"(> 2 x delay) {idle[0]:.1f}-{idle[-1]:.1f} s in all; mean gap {sum(gaps) / len(gaps):.3f} s")
    print(f"most requests in flight on one host: {max(meter.max_in_flight.values())} "
          f"(CONCURRENT_REQUESTS_PER_DOMAIN 2); shortest gap between two requests to one host: "
          f"{min(gaps):.3f} s")


if __name__ == "__main__":
    main()
