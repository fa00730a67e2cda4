"""Two `nianbao crawl --redis` workers against one, on local hosts whose server latency bounds the crawl.

    .venv/bin/python benchmarks/two_workers.py [--hosts 16] [--reports 480] [--latency 0.5]
                                               [--concurrency 8] [--per-host 2] [--redis redis://HOST:PORT]

Starts one threaded HTTP server per host on 127.0.0.1 … 127.0.0.N (crawl_throughput.py's portal:
a 年报 column of list pages and ~30 KB report pages a host), each answering every request after
--latency seconds and counting the requests it is answering at once (politeness.py's meter), and
a redis-server of its own on a free port (or uses --redis). Then crawls the whole set twice, each
time into fresh archives and a fresh Redis database:

- one worker:  nianbao crawl <N column URLs> --db one.db --redis URL/1
- two workers: the same command twice at once, --db a.db and --db b.db, --redis URL/2

both with DOWNLOAD_DELAY 0 and AutoThrottle off (the servers' latency is what takes the time),
CONCURRENT_REQUESTS --concurrency a worker and CONCURRENT_REQUESTS_PER_DOMAIN --per-host, the
budget of each host shared by the workers through Redis.

Prints, from what the servers saw (first to last request; start-up excluded):
- each run's wall time and requests, and the speed-up (one worker's time / two workers' time);
- the politeness ratio: the most requests one host was answering at once, over --per-host
  (1.00 = the budget used and never exceeded; two workers each sending a host its full budget
  would show 2.00), and the busiest host's request rate in each run.

A worker's own limit (--concurrency x --latency) bounds one worker when the hosts could take more
(hosts x per-host > concurrency): two workers then go faster. With --hosts 2 the hosts' budget
bounds the crawl: a second worker cannot make it faster without breaking politeness, and does not.
"""
from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crawl_throughput import COLUMN, REPO, VENV_BIN, Portal  # noqa: E402
from politeness import Meter, serve  # noqa: E402


def start_redis(folder: Path) -> tuple[subprocess.Popen, str]:
    binary = shutil.which("redis-server")
    if binary is None:
        sys.exit("redis-server is not installed (apt-get install redis-server), or give --redis URL")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen([binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly",
                                "no", "--dir", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import redis

    client = redis.Redis(host="127.0.0.1", port=port)
    for _ in range(200):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    client.close()
    return process, f"redis://127.0.0.1:{port}"


def crawl(workers: int, portal: Portal, hosts: list[str], args, redis_url: str, folder: Path) -> dict:
    """Serve the hosts, run ``workers`` workers at once, return what the servers saw."""
    portal.reset()
    meter = Meter()
    servers, port = serve(portal, meter, hosts, args.latency)
    urls = [f"http://{host}:{port}{COLUMN}index.html" for host in hosts]
    settings = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS": args.concurrency,
                "CONCURRENT_REQUESTS_PER_DOMAIN": args.per_host, "NIANBAO_REDIS_POLL": 0.2}
    processes = []
    try:
        for n in range(workers):
            db = folder / f"w{workers}-{n}.db"
            command = [str(VENV_BIN / "nianbao"), "crawl", *urls, "--db", str(db), "--redis", redis_url]
            for key, value in settings.items():
                command += ["-s", f"{key}={value}"]
            processes.append(subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL,
                                              stderr=subprocess.PIPE, text=True))
        summaries = []
        for process in processes:
            _, stderr = process.communicate()
            lines = [line for line in stderr.splitlines() if "requests in" in line]
            summaries.append(lines[-1] if lines else stderr[-500:])
    finally:
        for server in servers:
            server.shutdown()
    arrivals = {h: sorted(t) for h, t in meter.arrivals.items() if t}
    first = min(t[0] for t in arrivals.values())
    last = max(t[-1] for t in arrivals.values())
    busiest = max(arrivals, key=lambda h: len(arrivals[h]))
    span = arrivals[busiest][-1] - arrivals[busiest][0]
    return {"wall": last - first, "requests": sum(len(t) for t in arrivals.values()), "summaries": summaries,
            "peak": max(meter.max_in_flight.values()),
            "busiest_rate": (len(arrivals[busiest]) - 1) / span if span else 0.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=16)
    parser.add_argument("--reports", type=int, default=480, help="reports in all (spread over the hosts)")
    parser.add_argument("--latency", type=float, default=0.5, help="seconds each server takes to answer")
    parser.add_argument("--concurrency", type=int, default=8, help="CONCURRENT_REQUESTS of a worker")
    parser.add_argument("--per-host", type=int, default=2, help="CONCURRENT_REQUESTS_PER_DOMAIN (shared)")
    parser.add_argument("--redis", help="a Redis server to use (redis://HOST:PORT); DB 1 and 2 are flushed")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="nianbao-two-workers-"))
    redis_process = None
    if args.redis:
        redis_url = args.redis.rstrip("/")
    else:
        redis_process, redis_url = start_redis(folder)
    hosts = [f"127.0.0.{i}" for i in range(1, args.hosts + 1)]
    portal = Portal(hosts, args.reports)
    print(f"portal: {len(hosts)} hosts, {args.reports} reports, server latency {args.latency * 1000:.0f} ms; "
          f"a worker: CONCURRENT_REQUESTS {args.concurrency}, per host {args.per_host} (shared in Redis)")
    try:
        import redis

        for db in (1, 2):
            redis.Redis.from_url(f"{redis_url}/{db}").flushdb()
        one = crawl(1, portal, hosts, args, f"{redis_url}/1", folder)
        two = crawl(2, portal, hosts, args, f"{redis_url}/2", folder)
    finally:
        if redis_process is not None:
            redis_process.terminate()
            redis_process.wait()
        shutil.rmtree(folder, ignore_errors=True)
    for name, run in (("one worker", one), ("two workers", two)):
        print(f"{name}: {run['requests']} requests in {run['wall']:.1f} s at the servers "
              f"({run['requests'] / run['wall']:.1f} requests/s)")
        for summary in run["summaries"]:
            print(f"    {summary.split(': ', 1)[-1]}")
    print(f"speed-up: {one['wall'] / two['wall']:.2f}x (one worker's time / two workers')")
    print(f"politeness ratio (most requests one host answered at once / per-host budget {args.per_host}): "
          f"one worker {one['peak'] / args.per_host:.2f}, two workers {two['peak'] / args.per_host:.2f}")
    print(f"busiest host's request rate: one worker {one['busiest_rate']:.2f}/s, two workers "
          f"{two['busiest_rate']:.2f}/s (at most per-host / latency = {args.per_host / args.latency:.2f}/s)")


if __name__ == "__main__":
    main()
