"""Dev-only: add the documents of the 松林县 (discovery, attachments, blocked pages) and
鹤湾县 (Guangdong gkmlpt) portals to ``content/documents.json``.

Their texts are the existing demo reports with names, phone area codes and e-mails replaced,
so every field the manifest promises (title, year, issuer, published, sections, contact) is
known exactly. Run once after editing SPECS: ``.venv/bin/python -m demo_portal.tools.adapt_documents``;
re-running replaces the entries it made (idempotent).
"""
from __future__ import annotations

import copy
import json
from pathlib import Path

DOCUMENTS = Path(__file__).resolve().parent.parent / "content" / "documents.json"
NEW_PORTALS = {"county", "gkmlpt"}

# (source doc_id, new doc fields, [(old, new) string replacements applied to every string])
SONGLIN = [("石门川县", "松林县"), ("桃源湾县", "松林县"), ("青溪县", "松林县"), ("云岭县", "松林县"),
           ("0938-", "0739-"), ("0378-", "0739-"), ("0578-", "0739-"), ("0515-", "0739-")]
HEWAN = [("青溪县", "鹤湾县"), ("云岭县", "鹤湾县"), ("0578-", "0753-"), ("0515-", "0753-"),
         ("qingxi.gov.cn", "hewan.gov.cn"), ("yunling.gov.cn", "hewan.gov.cn")]
REPORT_SPECS = [
    # 松林县 部门年报 (two list pages)
    (1002, {"portal": "county", "doc_id": 70101, "column": "bmnb", "shape": "page", "published": "2015-02-06"},
     [("樟城镇", "城南街道"), ("qxjyj2014", "sljyj2014")] + SONGLIN),
    (16120, {"portal": "county", "doc_id": 70102, "column": "bmnb", "shape": "pdf"},
     [("卫生局", "卫生健康局"), ("smcwsj", "slwjj")] + SONGLIN),
    (16404, {"portal": "county", "doc_id": 70103, "column": "bmnb", "shape": "docx", "published": "2020-03-18"},
     [("石门川县人民政府", "松林县发展和改革局"), ("县政府办公室", "局办公室"), ("smcxzfb", "slfgj"),
      ("红川路19号", "建设路6号")] + SONGLIN),
    (41877, {"portal": "county", "doc_id": 70104, "column": "bmnb", "shape": "page", "published": "2025-01-22"},
     [("tywscjg", "slscjg"), ("文明路99号", "府前路12号")] + SONGLIN),
    # 松林县 乡镇年报 (one page, no pager)
    (1004, {"portal": "county", "doc_id": 70201, "column": "xznb", "shape": "page"},
     [("qxcgz@qingxi.gov.cn", "slcgz@songlin.gov.cn")] + SONGLIN),
    (39554, {"portal": "county", "doc_id": 70202, "column": "xznb", "shape": "page"},
     [("桃花镇", "石桥镇"), ("thzdzb", "slsqz"), ("迎宾路2号", "石桥街8号")] + SONGLIN),
    (16398, {"portal": "county", "doc_id": 70203, "column": "xznb", "shape": "attachment_page"},
     [("青龙镇", "白石镇"), ("7841009", "7846109"), ("7841089", "7846189")] + SONGLIN),
    # 鹤湾县 gkmlpt
    (1001, {"portal": "gkmlpt", "doc_id": 2590436}, HEWAN),
    (5001, {"portal": "gkmlpt", "doc_id": 2155421, "published": "2021-01-26"}, [("白云大道128号", "鹤城大道2号")] + HEWAN),
    (5004, {"portal": "gkmlpt", "doc_id": 2962113}, [("白沙乡", "白沙镇")] + HEWAN),
]
# An image-only report has no text to adapt: its fields are given here.
IMAGE_ONLY = {"portal": "county", "doc_id": 70105, "column": "bmnb", "shape": "image_only", "images": 3,
              "issuer": "松林县自然资源局", "year": 2020, "published": "2021-01-27",
              "title": "松林县自然资源局2020年政府信息公开工作年度报告（图片版）",
              "contact": {"address": None, "postcode": None, "phones": [], "fax": [], "email": None}, "blocks": []}
LOOKALIKE_SPECS = [
    (16563, {"portal": "county", "doc_id": 70106, "column": "bmnb", "shape": "pdf", "published": "2020-03-20",
             "title": "《松林县发展和改革局2019年政府信息公开工作年度报告》解读"},
     [("石门川县人民政府2023年", "松林县发展和改革局2019年"), ("石门川县人民政府", "松林县发展和改革局")] + SONGLIN),
    (5006, {"portal": "county", "doc_id": 70204, "column": "xznb", "title": "松林县2021年乡镇政务公开工作要点"}, SONGLIN),
    (5005, {"portal": "gkmlpt", "doc_id": 2590501, "published": "2020-04-02",
            "title": "图解：《鹤湾县人民政府2019年政府信息公开工作年度报告》"}, [("2020年", "2019年")] + HEWAN),
    (1005, {"portal": "gkmlpt", "doc_id": 2155108}, HEWAN),
]
# Report-titled links in 乡镇年报 whose URLs answer an anti-bot challenge (never a report).
BLOCKED = [
    {"portal": "county", "doc_id": 70205, "column": "xznb", "block": "ruishu_412", "published": "2022-01-20",
     "title": "松林县龙潭镇人民政府2021年政府信息公开工作年度报告"},
    {"portal": "county", "doc_id": 70206, "column": "xznb", "block": "wzws", "published": "2022-01-18",
     "title": "松林县长岭乡人民政府2021年政府信息公开工作年度报告"},
]


def _replace(value, pairs):
    if isinstance(value, str):
        for old, new in pairs:
            value = value.replace(old, new)
        return value
    if isinstance(value, list):
        return [_replace(v, pairs) for v in value]
    if isinstance(value, dict):
        return {k: _replace(v, pairs) for k, v in value.items()}
    return value


def adapt(source: dict, fields: dict, pairs) -> dict:
    doc = _replace(copy.deepcopy(source), pairs)
    doc.update(fields)
    return doc


def main() -> None:
    data = json.loads(DOCUMENTS.read_text(encoding="utf-8"))
    for key in ("reports", "lookalikes"):
        data[key] = [d for d in data[key] if d["portal"] not in NEW_PORTALS]
    by_id = {d["doc_id"]: d for d in data["reports"] + data["lookalikes"]}
    data["reports"] += [adapt(by_id[src], fields, pairs) for src, fields, pairs in REPORT_SPECS] + [IMAGE_ONLY]
    data["lookalikes"] += [adapt(by_id[src], fields, pairs) for src, fields, pairs in LOOKALIKE_SPECS]
    data["blocked"] = BLOCKED
    DOCUMENTS.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
