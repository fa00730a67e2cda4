""".doc / .wps reports: LibreOffice converts them to DOCX (merged tables survive) inside the
extraction child; without LibreOffice, antiword's text is the fallback and the merged tables
are reported missing. Fixture: tests/files/documents/report_2020.doc (Word 97, saved by
LibreOffice from report_2020.docx; its numbers are in expected.json)."""
from __future__ import annotations

import json
import os
import pathlib
import shutil

import pytest

from parsing import parse_report
from parsing.documents import extract_document

FILES = pathlib.Path(__file__).parent / "files" / "documents"
EXPECTED = json.loads((FILES / "expected.json").read_text(encoding="utf-8"))["docx"]
DOC = (FILES / "report_2020.doc").read_bytes()
COLUMNS = ["natural_person", "org.commercial", "org.research", "org.public_interest", "org.legal_services",
           "org.other", "total"]
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_libreoffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice not installed (Debian package "
                                                               "libreoffice-writer-nogui)")
needs_antiword = pytest.mark.skipif(shutil.which("antiword") is None,
                                    reason="antiword not installed (Debian package antiword)")


def stats(report) -> dict:
    return {(s.table, s.row_key, s.column_key): s.value for s in report.stats}


@needs_libreoffice
@pytest.mark.parametrize("url,kind", [("http://x.gov.cn/nb.doc", "doc"), ("http://x.gov.cn/nb.wps", "wps")])
def test_doc_through_libreoffice_keeps_the_merged_tables(url, kind):
    extracted = extract_document(DOC, None, url, timeout=120)
    assert extracted.error is None and extracted.kind == kind
    report = parse_report(extracted.html, url)
    assert report.title == EXPECTED["title"] and report.template == "2019"
    assert report.tables_missing == []
    found = stats(report)
    for row_key, values in EXPECTED["table3"].items():
        assert [found[(3, row_key, c)] for c in COLUMNS] == values, row_key
    outcomes = ["upheld", "corrected", "other", "pending", "total"]
    assert [found[(4, "cases", f"{g}.{o}")] for g in ("review", "litigation_direct", "litigation_after_review")
            for o in outcomes] == EXPECTED["table4"]
    assert found[(2, "art20_5.licensing", "decisions")] == EXPECTED["table2"]["行政许可"][2]
    assert report.checks and all(c.ok for c in report.checks)


@needs_antiword
def test_without_libreoffice_antiword_text_and_the_merged_tables_missing(tmp_path):
    # a PATH holding antiword and no soffice: what a machine without LibreOffice has
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    os.symlink(shutil.which("antiword"), bin_dir / "antiword")
    old_path = os.environ["PATH"]
    os.environ["PATH"] = str(bin_dir)
    try:
        extracted = extract_document(DOC, "application/msword", "http://x.gov.cn/nb.doc")
    finally:
        os.environ["PATH"] = old_path
    assert extracted.error is None and extracted.kind == "doc"
    report = parse_report(extracted.html, "http://x.gov.cn/nb.doc")
    assert report.title == EXPECTED["title"]
    assert report.tables_missing == [3]  # antiword drops table 三, whose labels span rows
    assert stats(report)[(2, "art20_5.licensing", "decisions")] == EXPECTED["table2"]["行政许可"][2]


@needs_libreoffice
def test_a_doc_libreoffice_cannot_read_falls_back_and_is_recorded():
    # the OLE header and stream name of a Word file, then nothing
    garbage = DOC[:512] + b"\0" * 8192 + "WordDocument".encode("utf-16-le")
    extracted = extract_document(garbage, "application/msword", "http://x.gov.cn/nb.doc", timeout=120)
    assert extracted.kind == "doc" and extracted.html is None
    assert extracted.error and extracted.error.startswith(("corrupt:", "unsupported:"))
