"""Archive size: raw bodies (compression + dedup) and derived tables against the text they hold.

    .venv/bin/python benchmarks/storage_size.py [--reports 3000] [--refetch 0.2] [--db PATH] [--measure-only]

Builds an archive of N generated report responses (benchmarks/reparse_speed.py's
generator: variations of the saved real pages, GBK and UTF-8, with a portal's
chrome) through ``archive.ingest.ingest``, the path a crawl takes, plus a
``--refetch`` share of them fetched again with the same bytes (a re-crawl:
dedup at work). ``--measure-only --db PATH`` measures an existing archive
instead (a crawl's, the reparse benchmark's).

Prints, from SQLite's dbstat virtual table (bytes of pages on disk, per table
and index):
- raw storage: bytes served, bytes of distinct bodies, zlib-compressed bytes,
  and the pages the bodies and ledger tables take, per stored page and as a
  share of the bytes served;
- derived tables (reports, sections, stats, checks, figures, FTS) per report
  and against the text they hold (UTF-8 bytes of report titles and bodies).
"""
from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from reparse_speed import build_archive  # noqa: E402

# Which dbstat names (tables, their indexes, FTS shadow tables) belong to which part of an archive.
GROUPS = {
    "raw bodies": ("bodies",),
    "ledger (responses)": ("responses",),
    "reports": ("reports",),
    "sections": ("sections",),
    "stats": ("stats", "stat_cells", "stat_labels"),  # the stats view reads stat_cells + stat_labels
    "checks": ("checks",),
    "figures": ("figures",),
    "FTS (reports_fts)": ("reports_fts",),
    "revisions": ("revisions",),
}
DERIVED = ("reports", "sections", "stats", "checks", "figures", "FTS (reports_fts)")


def object_sizes(conn: sqlite3.Connection) -> dict[str, int]:
    """Bytes of pages per table/index name (dbstat), index names mapped to their table."""
    owner = {name: table for name, table in conn.execute("select name, tbl_name from sqlite_master")}
    sizes: dict[str, int] = {}
    for name, size in conn.execute("select name, sum(pgsize) from dbstat group by name"):
        table = owner.get(name, name)
        for prefix in ("sqlite_autoindex_",):
            if name.startswith(prefix):  # sqlite_autoindex_<table>_<n>
                table = name[len(prefix):].rsplit("_", 1)[0]
        if table.startswith("reports_fts"):
            table = "reports_fts"
        sizes[table] = sizes.get(table, 0) + size
    return sizes


def group_sizes(sizes: dict[str, int]) -> dict[str, int]:
    out = {group: sum(sizes.get(t, 0) for t in tables) for group, tables in GROUPS.items()}
    out["other (portals, runs, sqlite_*)"] = sum(sizes.values()) - sum(out.values())
    return out


def kb(n: float) -> str:
    return f"{n / 1024:9.1f} KB"


def measure(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.execute("select 1 from dbstat limit 1")
    except sqlite3.OperationalError:
        sys.exit("this SQLite has no dbstat virtual table (SQLITE_ENABLE_DBSTAT_VTAB)")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    file_size = path.stat().st_size
    responses, with_body, served = conn.execute(
        "select count(*), count(bodies.sha256), coalesce(sum(bodies.size), 0) from responses "
        "left join bodies on bodies.sha256 = responses.body_sha256").fetchone()
    bodies, distinct, stored = conn.execute(
        "select count(*), coalesce(sum(size), 0), coalesce(sum(stored_size), 0) from bodies").fetchone()
    reports, text_bytes, body_chars = conn.execute(
        "select count(*), coalesce(sum(length(cast(coalesce(title, '') || coalesce(body, '') as blob))), 0), "
        "coalesce(sum(length(body)), 0) from reports").fetchone()
    groups = group_sizes(object_sizes(conn))
    conn.close()

    print(f"archive {path}: {file_size / 2**20:.1f} MB on disk, {responses} responses "
          f"({with_body} with a body), {bodies} distinct bodies, {reports} reports "
          f"(mean body {body_chars / max(reports, 1):.0f} characters)")
    print("\nraw storage")
    print(f"  bytes served (every response's body)   {kb(served / max(with_body, 1))} per response   "
          f"{served / 2**20:8.1f} MB")
    print(f"  distinct bodies (dedup by SHA-256)     {kb(distinct / max(bodies, 1))} per body       "
          f"{distinct / 2**20:8.1f} MB  ({distinct / max(served, 1):.2f} of served)")
    print(f"  zlib-compressed (bodies.stored_size)   {kb(stored / max(bodies, 1))} per body       "
          f"{stored / 2**20:8.1f} MB  ({stored / max(distinct, 1):.2f} of distinct)")
    raw_disk = groups["raw bodies"]
    print(f"  bodies table on disk (dbstat)          {kb(raw_disk / max(with_body, 1))} per response   "
          f"{raw_disk / 2**20:8.1f} MB  ({raw_disk / max(served, 1):.2f} of served)")
    ledger = groups["ledger (responses)"]
    print(f"  ledger (responses + indexes)           {kb(ledger / max(responses, 1))} per response   "
          f"{ledger / 2**20:8.1f} MB")
    print(f"  raw on disk (bodies + ledger) per stored page: {(raw_disk + ledger) / max(with_body, 1) / 1024:.1f} KB "
          f"against {served / max(with_body, 1) / 1024:.1f} KB served = {(raw_disk + ledger) / max(served, 1):.2f}x")

    print(f"\nderived tables against the text they hold ({text_bytes / 2**20:.1f} MB of report titles + bodies, "
          f"UTF-8; {text_bytes / max(reports, 1) / 1024:.1f} KB per report)")
    derived = 0
    for group in DERIVED:
        size = groups[group]
        derived += size
        print(f"  {group:<22} {kb(size / max(reports, 1))} per report  {size / 2**20:8.1f} MB  "
              f"{size / max(text_bytes, 1):5.2f}x text")
    print(f"  {'derived, all':<22} {kb(derived / max(reports, 1))} per report  {derived / 2**20:8.1f} MB  "
          f"{derived / max(text_bytes, 1):5.2f}x text   (target <= 2x)")
    rest = groups["revisions"] + groups["other (portals, runs, sqlite_*)"]
    print(f"\nper report, everything: {file_size / max(reports, 1) / 1024:.1f} KB = raw "
          f"{(raw_disk + ledger) / max(reports, 1) / 1024:.1f} KB + derived {derived / max(reports, 1) / 1024:.1f} KB"
          f" + other {rest / max(reports, 1) / 1024:.1f} KB (+ free pages)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=3000)
    parser.add_argument("--refetch", type=float, default=0.2,
                        help="share of reports fetched a second time with the same bytes (default 0.2)")
    parser.add_argument("--db", type=Path, default=Path("/tmp/nianbao-bench-storage.db"))
    parser.add_argument("--measure-only", action="store_true", help="measure --db as it is")
    parser.add_argument("--build", choices=("ingest", "direct"), default="ingest")
    args = parser.parse_args()
    if not args.measure_only:
        started = time.perf_counter()
        archive, seconds, served = build_archive(args.db, args.reports, how=args.build, refetch=args.refetch,
                                                 quiet=True)
        if args.build == "direct":
            from archive.reparse import reparse_archive

            reparse_archive(archive, jobs=1)
        archive.close()
        print(f"built {args.db} via {args.build} in {time.perf_counter() - started:.1f}s")
    measure(args.db)


if __name__ == "__main__":
    main()
