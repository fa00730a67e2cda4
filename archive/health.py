"""What `nianbao status` says about each portal, read from the archive (ledger, reports, monitor
results and the overdue view)."""
from __future__ import annotations

import sqlite3
from collections import Counter

from .monitors import ERROR_OUTCOMES, REPORT_OUTCOMES


def _ph(values) -> str:
    return ", ".join("?" for _ in values)


def portal_status(conn: sqlite3.Connection) -> list[dict]:
    """One dict per portal: its runs, reports per year, what its last run found, the shares of
    errors and challenge pages, whether it stopped yielding, the monitors that failed on it and
    its division's overdue years."""
    out = []
    portals = conn.execute("select id, url, name, division_code from portals order by id").fetchall()
    for portal_id, url, name, division_code in portals:
        runs = [r[0] for r in conn.execute("select distinct run_id from responses where portal_id = ? and run_id "
                                           "is not null order by run_id", [portal_id])]
        last_run = runs[-1] if runs else None
        ok_runs = [r[0] for r in conn.execute(
            "select distinct run_id from responses where portal_id = ? and run_id is not null and status < 400 "
            "and outcome not in ('blocked') order by run_id", [portal_id])]
        outcomes = Counter(dict(conn.execute(
            "select outcome, count(*) from responses where portal_id = ? and run_id is ? group by outcome",
            [portal_id, last_run]).fetchall()))
        rows = sum(outcomes.values())
        answered = conn.execute("select count(*) from responses where portal_id = ? and run_id is ? "
                                "and status is not null", [portal_id, last_run]).fetchone()[0]
        per_year = dict(conn.execute("select year, count(*) from reports where portal_id = ? group by year "
                                     "order by year", [portal_id]).fetchall())
        failed = conn.execute("select monitor, detail from monitor_results where run_id is ? and portal_id = ? "
                              "and not passed order by id", [last_run, portal_id]).fetchall()
        overdue = [r[0] for r in conn.execute("select year from overdue where division_code = ? order by year",
                                              [division_code])] if division_code else []
        yielded_before = conn.execute(
            f"select count(*) from responses where portal_id = ? and run_id < ? and outcome in ({_ph(REPORT_OUTCOMES)})",
            [portal_id, last_run or 0, *REPORT_OUTCOMES]).fetchone()[0]
        out.append({
            "portal_id": portal_id, "url": url, "name": name, "division_code": division_code,
            "last_run": last_run, "last_successful_run": ok_runs[-1] if ok_runs else None,
            "reports_per_year": {str(k): v for k, v in per_year.items()},
            "last_run_new": outcomes["stored"] + outcomes["image_only"], "last_run_changed": outcomes["changed"],
            "last_run_gone": outcomes["gone"],
            "error_share": round(sum(outcomes[o] for o in ERROR_OUTCOMES) / rows, 3) if rows else 0.0,
            "blocked_share": round(outcomes["blocked"] / answered, 3) if answered else 0.0,
            "stopped_yielding": any(m == "portal_stopped_yielding" for m, _ in failed) or (
                bool(yielded_before) and last_run is not None and not any(outcomes[o] for o in REPORT_OUTCOMES)
                and not outcomes["listing"]),
            "failed_monitors": [f"{m}: {d}" for m, d in failed],
            "overdue_years": overdue,
        })
    return out


def last_run_monitors(conn: sqlite3.Connection) -> tuple[int | None, list[tuple[str, int, str]]]:
    """The latest crawl run and its monitors' (monitor, passed, detail)."""
    run = conn.execute("select max(run_id) from monitor_results").fetchone()[0]
    if run is None:
        return None, []
    return run, conn.execute("select monitor, passed, detail from monitor_results where run_id = ? and "
                             "portal_id is null order by id", [run]).fetchall()
