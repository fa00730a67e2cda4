"""Cross-checks (勾稽关系) of a report's own statistics.

A report whose numbers do not add up is flagged with what differs; nothing
is ever "corrected".
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .stats_keys import TABLE3_COLUMNS, TABLE4_GROUPS, TABLE4_OUTCOMES
from .tables import Stat

APPLICANT_COLUMNS = [key for key, _ in TABLE3_COLUMNS if key != "total"]
RESULT_PARTS = ("result.disclosed", "result.partially_disclosed", "result.withheld.", "result.unavailable.",
                "result.not_processed.", "result.other")


@dataclass
class Check:
    check: str
    ok: bool
    expected: float
    actual: float

    def to_dict(self) -> dict:
        return {"check": self.check, "ok": self.ok, "expected": self.expected, "actual": self.actual}


def _num(x: float) -> float:
    return int(x) if float(x).is_integer() else round(x, 4)


def compute_checks(stats: list[Stat]) -> list[Check]:
    cells = {(s.table, s.row_key, s.column_key): s.value for s in stats}
    t3_rows = tuple(dict.fromkeys(s.row_key for s in stats if s.table == 3))
    checks: list[Check] = []
    for name, parts, actual_parts in _check_plan(t3_rows):
        try:  # a check is made only when the report has every cell it needs
            expected = sum([cells[p] for p in parts])
            actual = sum([cells[p] for p in actual_parts])
        except KeyError:
            continue
        checks.append(Check(name, abs(expected - actual) < 1e-6, _num(expected), _num(actual)))
    return checks


@lru_cache(maxsize=256)
def _check_plan(t3_rows: tuple[str, ...]) -> tuple[tuple[str, tuple, tuple], ...]:
    """Every check as (name, cells that add up, cells they must equal), in report order. It
    depends only on table 三's rows, which every report of one template shares."""
    plan = []
    # The result rows that add up to the total: 其他处理 counts once, as its parts when it has them.
    other_has_parts = any(x.startswith("result.other.") for x in t3_rows)
    result_rows = [r for r in t3_rows if r.startswith(RESULT_PARTS) and not (r == "result.other" and other_has_parts)]
    for column in [key for key, _ in TABLE3_COLUMNS]:
        plan.append((f"t3.balance.{column}", ((3, "new_requests", column), (3, "carried_over", column)),
                     ((3, "result.total", column), (3, "carried_forward", column))))
        if result_rows:
            plan.append((f"t3.results.{column}", tuple((3, r, column) for r in result_rows),
                         ((3, "result.total", column),)))
    for row in t3_rows:
        plan.append((f"t3.applicants.{row}", tuple((3, row, c) for c in APPLICANT_COLUMNS), ((3, row, "total"),)))
    for group, _ in TABLE4_GROUPS:
        parts = tuple((4, "cases", f"{group}.{o}") for o, _ in TABLE4_OUTCOMES if o != "total")
        plan.append((f"t4.{group}.total", parts, ((4, "cases", f"{group}.total"),)))
    return tuple(plan)
