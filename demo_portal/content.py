"""The bundled documents (``content/documents.json``) and the MANIFEST derived from them.

Texts are adapted from real 政府信息公开工作年度报告 (county/department/township reports of
2010–2023) with fictional county names; pages and manifest are both generated from this
data, so the manifest cannot drift from the site.
"""
from __future__ import annotations

import json
from pathlib import Path

from .families import FAMILY_MODULES


def load_documents() -> dict:
    raw = (Path(__file__).parent / "content" / "documents.json").read_text(encoding="utf-8")
    return json.loads(raw)


def _report_entry(doc: dict) -> dict:
    module = FAMILY_MODULES[doc["portal"]]
    tables = doc.get("tables")
    return {
        "path": module.article_path(doc),
        "title": doc["title"],
        "year": doc["year"],
        "issuer": doc["issuer"],
        "published": doc["published"],
        "family": doc["portal"],
        "sections": [value for kind, value in doc["blocks"] if kind == "h"],
        "contact": dict(doc["contact"]),
        "has_tables": bool(tables),
        "template": tables["template"] if tables else None,
    }


def _lookalike_entry(doc: dict) -> dict:
    return {"path": FAMILY_MODULES[doc["portal"]].article_path(doc), "title": doc["title"],
            "published": doc["published"], "family": doc["portal"]}


def manifest() -> tuple[list[dict], list[dict], list[dict]]:
    docs = load_documents()
    reports = [_report_entry(d) for d in docs["reports"]]
    lookalikes = [_lookalike_entry(d) for d in docs["lookalikes"]]
    portals = [dict(m.PORTAL) for m in FAMILY_MODULES.values()]
    return reports, lookalikes, portals
