"""What the damage check costs when a command opens an archive for writing (PRAGMA quick_check).

    .venv/bin/python benchmarks/open_check.py [--reports 100000] [--db PATH]

Builds (or reuses, with --db of an existing file) an archive of N reports of ~7,000 characters (cut
from the saved report pages) with six sections and a ledger row each, and one raw body of 100 KB
(incompressible, as a PDF) for every fifth report: 4.4 GB at 100,000 reports. Then prints the time
of `PRAGMA quick_check` with the file's pages evicted from the page cache (posix_fadvise DONTNEED)
and with them cached, and of open_archive with and without the check.
"""
from __future__ import annotations

import argparse
import os
import random
import sqlite3
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from archive.store import open_archive  # noqa: E402


def build(path: Path, n: int) -> None:
    archive = open_archive(str(path))
    conn = archive.conn
    conn.execute("pragma synchronous = off")
    text = "".join(p.read_text(errors="replace") for p in sorted((REPO / "tests/files/reports").glob("*.html")))
    rng = random.Random(7)
    conn.execute("begin")
    for i in range(1, n + 1):
        start = rng.randrange(0, len(text) - 8000)
        body = text[start:start + 7000]
        url = f"http://www.example.gov.cn/{i}.html"
        conn.execute("insert into reports (id, url, title, year, body) values (?, ?, ?, 2020, ?)", [i, url, body[:30], body])
        conn.executemany("insert into sections (report_id, number, heading, text) values (?, ?, ?, ?)",
                         [(i, k, body[k * 10:k * 10 + 20], body[k * 1000:(k + 1) * 1000]) for k in range(6)])
        conn.execute("insert into responses (url, outcome, route, fetched_at) values (?, 'stored', 'report', '2026')",
                     [url])
        if i % 5 == 0:
            conn.execute("insert into bodies (sha256, size, stored_size, compression, data) "
                         "values (?, 100000, 100000, 'none', randomblob(100000))", [f"{i:064x}"])
        if i % 10_000 == 0:
            conn.execute("commit")
            conn.execute("begin")
            print(f"  {i:,} reports", file=sys.stderr)
    conn.execute("commit")
    conn.execute("pragma wal_checkpoint(truncate)")
    archive.close()


def evict(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=None, help="archive to build (or reuse if it exists)")
    args = parser.parse_args()
    path = args.db or Path(f"/tmp/nianbao_open_check_{args.reports}.db")
    if not path.exists():
        build(path, args.reports)
    open_archive(str(path)).close()  # brought up to date first: an upgrade is not what is timed
    size_gb = path.stat().st_size / 1e9
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    print(f"{path}: {size_gb:.2f} GB, {conn.execute('pragma page_count').fetchone()[0]:,} pages")
    for cache in ("cold", "warm"):
        if cache == "cold":
            evict(path)
        started = time.perf_counter()
        result = conn.execute("pragma quick_check").fetchall()
        seconds = time.perf_counter() - started
        print(f"quick_check, {cache} page cache: {seconds:.1f} s = {seconds / size_gb:.2f} s per GB ({result[0][0]})")
    conn.close()
    evict(path)
    started = time.perf_counter()
    open_archive(str(path), verify=True).close()
    print(f"open_archive(verify=True), cold: {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    open_archive(str(path), verify=False).close()
    print(f"open_archive(verify=False): {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
