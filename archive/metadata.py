"""Datasette metadata for an archive: titles, descriptions, search settings."""
from __future__ import annotations

from .schema import FTS_TABLE

SEARCH_HELP = (
    "Search finds Chinese words of any length as exact substrings (公开, 邮编, 行政复议); "
    "separate several words with spaces to require all of them. Traditional and simplified "
    "characters match each other."
)


def archive_metadata(database_name: str) -> dict:
    return {
        "title": "nianbao 年报 — government information-disclosure annual reports",
        "description": "政府信息公开工作年度报告 crawled from county portals and parsed by nianbao.",
        "databases": {
            database_name: {
                "tables": {
                    "reports": {
                        "description": "One row per annual report page (a compact list without the body: "
                                       "the view report_overview; each report's sections, statistics cells and "
                                       "checks are linked from its row page). " + SEARCH_HELP,
                        "fts_table": FTS_TABLE,
                        "fts_pk": "id",
                        "searchmode": "escaped",
                        "sort_desc": "year",
                        "label_column": "title",
                        "facets": ["year", "template", "issuer"],
                    },
                    "sections": {"description": "Top-level sections (一、…六、) of each report, as written, "
                                                "with a normalized kind.", "facets": ["kind"]},
                    "stats": {"description": "Every cell of the statistics tables 二/三/四; row_key and column_key "
                                             "are the same across the 2019 and 2021 templates.",
                              "facets": ["table_no", "row_key"]},
                    "checks": {"description": "勾稽关系: does each report's own arithmetic hold? Never corrected.",
                               "facets": ["ok", "check"]},
                    "portals": {"description": "Portals crawled.", "label_column": "url"},
                    "fetches": {"description": "What the crawler decided about each URL (stored, not_report, skipped, errors).",
                                "facets": ["outcome"]},
                    FTS_TABLE: {"hidden": True},
                },
            }
        },
    }
