"""The bundled documents (``content/documents.json``), the files generated from them
(``content/files/``) and the MANIFEST derived from them.

Texts are adapted from real 政府信息公开工作年度报告 (county/department/township reports of
2010–2023) with fictional county names; pages, attachments and manifest are all generated
from this data, so the manifest cannot drift from the site.
"""
from __future__ import annotations

import copy
import json
from functools import lru_cache

from .challenges import CHALLENGES
from .families import PORTAL_MODULES
from .files import CONTENT_DIR

# What a corrected re-publication adds to a report (same URL, new text): tests look for it.
CORRECTION_NOTE = "（更正说明：本报告第二部分主动公开信息数量统计有误，已于发布后更正。）"
# How a report reaches a reader; every REPORTS entry has one (see demo_portal.__doc__).
SHAPES = ("page", "pdf", "docx", "attachment_page", "image_only")


@lru_cache(maxsize=1)
def _documents_json() -> str:
    return (CONTENT_DIR / "documents.json").read_text(encoding="utf-8")


def load_documents() -> dict:
    """A fresh copy of every document (callers may change it)."""
    return json.loads(_documents_json())


def corrected_document(doc: dict) -> dict:
    """The document as re-published with a correction: CORRECTION_NOTE appended to its
    first paragraph (or as the only paragraph of an image-only page)."""
    doc = copy.deepcopy(doc)
    for block in doc["blocks"]:
        if block[0] == "p":
            block[1] += CORRECTION_NOTE
            break
    else:
        doc["blocks"].append(["p", CORRECTION_NOTE])
    doc["corrected"] = True  # attachments: serve the corrected file (content/files/*.corrected.*)
    return doc


def _module(doc: dict):
    return PORTAL_MODULES[doc["portal"]]


def _report_entry(doc: dict) -> dict:
    module = _module(doc)
    tables = doc.get("tables")
    entry = {
        "path": module.article_path(doc),
        "title": doc["title"],
        "year": doc["year"],
        "issuer": doc["issuer"],
        "published": doc["published"],
        "family": module.PORTAL["family"],
        "portal": doc["portal"],
        "shape": doc.get("shape", "page"),
        "sections": [value for kind, value in doc["blocks"] if kind == "h"],
        "contact": dict(doc["contact"]),
        "has_tables": bool(tables),
        "template": tables["template"] if tables else None,
    }
    if entry["shape"] == "attachment_page":
        entry["attachment"] = module.attachment_path(doc)
    if entry["shape"] == "image_only":
        entry["images"] = module.image_paths(doc)
    return entry


def _lookalike_entry(doc: dict) -> dict:
    module = _module(doc)
    return {"path": module.article_path(doc), "title": doc["title"], "published": doc["published"],
            "family": module.PORTAL["family"], "portal": doc["portal"], "shape": doc.get("shape", "page")}


def _blocked_entry(doc: dict) -> dict:
    module = _module(doc)
    return {"path": module.article_path(doc), "title": doc["title"], "published": doc["published"],
            "family": module.PORTAL["family"], "portal": doc["portal"], "block": doc["block"],
            "status": CHALLENGES[doc["block"]].status}


def manifest() -> tuple[list[dict], list[dict], list[dict], list[dict]]:
    docs = load_documents()
    reports = [_report_entry(d) for d in docs["reports"]]
    lookalikes = [_lookalike_entry(d) for d in docs["lookalikes"]]
    blocked = [_blocked_entry(d) for d in docs["blocked"]]
    portals = [dict(m.PORTAL) for m in PORTAL_MODULES.values()]
    return reports, lookalikes, portals, blocked
