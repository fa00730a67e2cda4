"""Reports published as attachments: PDF / DOCX / DOC / WPS → HTML that parse_report reads,
extracted in a contained child process. Fixtures: tests/files/documents (make_fixtures.py)."""
from __future__ import annotations

import json
import os
import pathlib
import random
import shutil
import subprocess
import sys
import threading
import time

import pytest
from lxml import html as lxml_html

from parsing import parse_report
from parsing.documents import (
    EXIT_MEMORY, PAGE_NUMBER_RE, Extracted, TextLine, _result_from_child, drop_page_furniture, extract_document, join_lines,
    sniff_kind,
)

FILES = pathlib.Path(__file__).parent / "files" / "documents"
EXPECTED = json.loads((FILES / "expected.json").read_text(encoding="utf-8"))


def read(name: str) -> bytes:
    return (FILES / name).read_bytes()


def paragraphs(extracted: Extracted) -> list[str]:
    root = lxml_html.document_fromstring(extracted.html)
    return [" ".join(p.text_content().split()) for p in root.iter("p", "h1", "h2")]


def stats_by_key(report) -> dict[tuple[int, str, str], float]:
    return {(s.table, s.row_key, s.column_key): s.value for s in report.stats}


# --- PDF ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def report_pdf() -> Extracted:
    return extract_document(read("report_2023.pdf"), "application/pdf", "https://www.ynws.gov.cn/u/2023nb.pdf")


def test_pdf_paragraphs_are_the_documents_paragraphs(report_pdf):
    assert report_pdf.error is None and report_pdf.kind == "pdf"
    assert report_pdf.pages == 2 and not report_pdf.image_only
    # Lines wrapped by the layout (also across the page break) are joined, nothing else is.
    assert paragraphs(report_pdf) == EXPECTED["pdf"]["paragraphs"]


def test_pdf_contact_label_joined_headings_alone_furniture_gone(report_pdf):
    paras = paragraphs(report_pdf)
    contact = [p for p in paras if "电话：" in p]
    assert len(contact) == 1 and contact[0].split("电话：")[1][:4].isdigit()
    for heading in EXPECTED["pdf"]["headings"]:
        assert heading in paras
    assert EXPECTED["pdf"]["header"] not in paras
    assert not [p for p in paras if PAGE_NUMBER_RE.match(p)]
    assert "—" not in report_pdf.html.replace("0876—", "")  # the page numbers "— 1 —"
    assert lxml_html.document_fromstring(report_pdf.html).findtext(".//title") == EXPECTED["pdf"]["title"]


def test_pdf_html_reads_as_a_report(report_pdf):
    report = parse_report(report_pdf.html, "https://www.ynws.gov.cn/u/2023nb.pdf")
    assert report.title == EXPECTED["pdf"]["title"] and report.year == 2023
    assert [s.number for s in report.sections] == [1, 2, 3, 4, 5, 6]
    assert report.contact.phones == [EXPECTED["pdf"]["contact_phone"]]
    assert report.contact.address == "富宁县普厅南路19号"


# --- DOCX --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def report_docx() -> Extracted:
    return extract_document(read("report_2020.docx"), "application/octet-stream", "http://www.shangluo.gov.cn/u/nb.docx")


def test_docx_tables_keep_merged_cells(report_docx):
    assert report_docx.error is None and report_docx.kind == "docx" and not report_docx.image_only
    root = lxml_html.document_fromstring(report_docx.html)
    assert len(root.findall(".//table")) == 3
    spans = {(td.get("rowspan"), td.get("colspan")) for td in root.iter("td")}
    assert ("3", "3") in spans and ("20", None) in spans  # the 表三 corner and 本年度办理结果


def test_docx_statistics_and_contact_read_by_parse_report(report_docx):
    report = parse_report(report_docx.html, "http://www.shangluo.gov.cn/u/nb.docx")
    expected = EXPECTED["docx"]
    assert report.title == expected["title"] and report.template == "2019"
    assert [s.heading for s in report.sections] == expected["headings"]
    assert report.contact.phones == expected["contact"]["phones"]
    assert report.contact.fax == expected["contact"]["fax"]
    assert report.contact.postcode == expected["contact"]["postcode"]
    stats = stats_by_key(report)
    columns = ["natural_person", "org.commercial", "org.research", "org.public_interest", "org.legal_services",
               "org.other", "total"]
    for row_key, values in expected["table3"].items():
        assert [stats[(3, row_key, c)] for c in columns] == values, row_key
    groups = ["review", "litigation_direct", "litigation_after_review"]
    outcomes = ["upheld", "corrected", "other", "pending", "total"]
    assert [stats[(4, "cases", f"{g}.{o}")] for g in groups for o in outcomes] == expected["table4"]
    assert stats[(2, "art20_5.licensing", "decisions")] == expected["table2"]["行政许可"][2]
    assert stats[(2, "art20_9.procurement", "procurement_amount")] == expected["table2"]["政府集中采购"][1]
    assert report.checks and all(c.ok for c in report.checks)
    assert report.tables_missing == []


# --- DOC / WPS ---------------------------------------------------------------------------------

needs_antiword = pytest.mark.skipif(shutil.which("antiword") is None,
                                    reason="antiword not installed (Debian package antiword)")


@needs_antiword
@pytest.mark.parametrize("url,kind", [("http://x.gov.cn/nb.doc", "doc"), ("http://x.gov.cn/nb.wps", "wps")])
def test_doc_and_wps_through_antiword(url, kind):
    extracted = extract_document(read("report_2020.doc"), None, url)
    assert extracted.error is None and extracted.kind == kind
    report = parse_report(extracted.html, url)
    assert report.title == EXPECTED["docx"]["title"]
    assert report.contact.phones == EXPECTED["docx"]["contact"]["phones"]
    assert [s.heading for s in report.sections][:2] == EXPECTED["docx"]["headings"][:2]
    # antiword draws simple tables as |…| rows: table 二 survives as a <table>
    assert stats_by_key(report)[(2, "art20_5.licensing", "decisions")] == EXPECTED["docx"]["table2"]["行政许可"][2]


def test_doc_without_antiword_is_unsupported(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # the child inherits a PATH with no antiword
    extracted = extract_document(read("report_2020.doc"), "application/msword", "http://x.gov.cn/nb.doc")
    assert extracted.kind == "doc" and extracted.html is None
    assert extracted.error == "unsupported: doc (antiword not installed)"


# --- image-only ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["image_only.pdf", "image_only.docx"])
def test_image_only_documents(name):
    extracted = extract_document(read(name))
    assert extracted.error is None
    assert extracted.image_only and extracted.html is None and extracted.image_count == 2


def test_text_pdf_is_not_image_only(report_pdf):
    assert not report_pdf.image_only and report_pdf.image_count == 0


# --- hostile files ---------------------------------------------------------------------------------

def test_garbage_and_truncated_pdfs_are_recorded_not_raised():
    garbage = b"%PDF-1.7\n" + random.Random(7).randbytes(20_000)
    for body in (garbage, read("truncated.pdf")):
        extracted = extract_document(body, "application/pdf", "http://x.gov.cn/a.pdf")
        assert extracted.kind == "pdf" and extracted.html is None
        assert extracted.error and extracted.error.startswith("corrupt:")


def test_content_bomb_pdf_hits_the_timeout():
    started = time.monotonic()
    extracted = extract_document(read("content_bomb.pdf"), timeout=2)
    assert extracted.error == "timeout"
    assert time.monotonic() - started < 6


def test_zip_bomb_docx_hits_the_memory_limit():
    # The bomb reaches 300 MB after 8-13 s of CPU; the wall clock is the backstop for a child that
    # hangs, and on a machine busy with other work 30 s of it ran out first ("timeout"). 300 s
    # (and so 300 s of CPU) leaves the memory limit the only one that can stop it.
    extracted = extract_document(read("zip_bomb.docx"), memory_mb=300, timeout=300)
    assert extracted.kind == "docx" and extracted.error == "memory"


@pytest.mark.parametrize("name", ["nested.pdf", "page_tree_bomb.pdf"])
def test_nesting_and_page_tree_bombs_end_within_their_limits(name):
    started = time.monotonic()
    extracted = extract_document(read(name), timeout=10, memory_mb=512)
    assert time.monotonic() - started < 12
    assert extracted.html is None  # nothing readable in them, and no exception either
    assert extracted.pages is None or extracted.pages <= 500


def test_too_large_is_refused_before_any_work():
    extracted = extract_document(read("report_2023.pdf"), max_bytes=1000)
    assert extracted.kind == "pdf" and extracted.error == "too_large"


def test_child_exit_statuses_are_named():
    assert _result_from_child("pdf", EXIT_MEMORY, None).error == "memory"
    assert _result_from_child("pdf", -24, None).error == "timeout"  # SIGXCPU
    assert _result_from_child("pdf", -11, None).error == "crash: SIGSEGV"
    assert _result_from_child("pdf", 1, None).error == "crash: exit 1"
    assert _result_from_child("pdf", 0, b"not json").error.startswith("worker: bad output")
    assert _result_from_child("pdf", 0, b'{"pages": 3, "error": "corrupt: x"}') == Extracted("pdf", pages=3,
                                                                                          error="corrupt: x")


# --- the child processes: one forkserver, nothing left behind ------------------------------------

def process_table() -> dict[int, tuple[int, str]]:
    """pid → (parent pid, state) of every process, from /proc."""
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = pathlib.Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            table[int(entry)] = (int(fields[1]), fields[0])
    return table


def command_line(pid: int) -> str:
    return pathlib.Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def forkservers_and_children(parent: int) -> set[tuple[int, int]]:
    """(forkserver, child it forked) pairs under ``parent``."""
    table = process_table()
    servers = set()
    for pid, (ppid, _) in table.items():
        try:
            if ppid == parent and "multiprocessing.forkserver" in command_line(pid):
                servers.add(pid)
        except OSError:
            continue
    return {(ppid, pid) for pid, (ppid, state) in table.items() if ppid in servers and state != "Z"}


def alive(pid: int) -> bool:
    state = process_table().get(pid)
    return state is not None and state[1] != "Z"


def test_every_document_is_forked_by_one_forkserver_that_imported_the_libraries():
    """What makes a document cheap: its process is a fork of a server that imported pdfplumber and
    mammoth once (not a fresh interpreter importing them), and the same server forks the next one."""
    seen: set[tuple[int, int]] = set()
    done = threading.Event()

    def watch():
        while not done.is_set():
            seen.update(forkservers_and_children(os.getpid()))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for _ in range(2):  # the content bomb keeps its child busy until the timeout
            assert extract_document(read("content_bomb.pdf"), timeout=1).error == "timeout"
    finally:
        done.set()
        watcher.join()
    servers = {server for server, _ in seen}
    assert len(servers) == 1 and len({child for _, child in seen}) == 2
    server = servers.pop()
    assert "'pdfplumber'" in command_line(server) and "'mammoth'" in command_line(server)  # its preload
    # ... which it did import (an import error there is silent): lxml's library is mapped in it, and
    # nothing but the preload of parsing._extract_worker imports lxml in a forkserver.
    assert "/lxml/" in pathlib.Path(f"/proc/{server}/maps").read_text()
    assert not forkservers_and_children(os.getpid())  # both children ended and were reaped


KILLED_CALLER = """
import sys
from parsing.documents import extract_document
extract_document(open(sys.argv[1], "rb").read(), timeout=120)
"""


def test_a_caller_killed_with_kill_9_leaves_no_child_and_no_forkserver():
    """A crawl (or its parser worker) killed mid-document: the child stops at once instead of
    running to its CPU limit, and then the forkserver ends too."""
    caller = subprocess.Popen([sys.executable, "-c", KILLED_CALLER, str(FILES / "content_bomb.pdf")])
    try:
        deadline = time.monotonic() + 60
        while not (pairs := forkservers_and_children(caller.pid)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert pairs, "no document child started"
        [(server, child)] = pairs
    finally:
        caller.kill()
        caller.wait()
    deadline = time.monotonic() + 15
    while (alive(child) or alive(server)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(child) and not alive(server)


def test_a_multiprocessing_pool_worker_extracts_documents():
    """nianbao reparse --jobs N parses in multiprocessing.Pool workers, which are daemonic:
    archive.workers.start_parser_worker lets them start the extraction's child."""
    import multiprocessing

    from archive.workers import start_parser_worker

    with multiprocessing.get_context("spawn").Pool(1, initializer=start_parser_worker,
                                                   initargs=(os.getpid(),)) as pool:
        extracted = pool.apply(extract_document, (read("report_2023.pdf"),))
    assert extracted.error is None and extracted.pages == 2


# --- sniffing ------------------------------------------------------------------------------------

def test_magic_bytes_beat_a_lying_content_type_and_suffix():
    assert sniff_kind(read("report_2020.docx"), "application/pdf", "http://x/a.pdf") == "docx"
    assert sniff_kind(read("report_2023.pdf"), "text/html; charset=utf-8", "http://x/a.html") == "pdf"
    assert sniff_kind(b"<!DOCTYPE html><html><body>404</body></html>", "application/pdf", "http://x/a.pdf") == "html"
    assert sniff_kind(read("report_2020.doc"), "application/octet-stream", "http://x/download?id=3") == "doc"
    assert sniff_kind(read("report_2020.doc"), "application/kswps", None) == "wps"
    assert sniff_kind(b"\x89PNG\r\n\x1a\n" + b"\0" * 20, "application/msword") == "image"
    assert sniff_kind(b"PK\x03\x04" + b"\0" * 40 + b"xl/workbook.xml", None, "http://x/a.docx") == "binary"
    assert sniff_kind(b"  \n", "application/pdf") == "empty"


def test_without_magic_the_content_type_then_the_suffix_decide():
    body = b"\x00\x01 some unknown bytes"
    assert sniff_kind(body, "application/msword", "http://x/a.pdf") == "doc"
    assert sniff_kind(body, "application/octet-stream", "http://x/a.WPS?x=1") == "wps"
    assert sniff_kind(body) == "binary"


def test_html_and_images_are_answered_without_a_child():
    page = "<html><head><meta charset=gbk><title>年报</title></head><body><p>一、总体情况</p></body></html>"
    extracted = extract_document(page.encode("gbk"), "text/html")
    assert extracted.kind == "html" and "一、总体情况" in extracted.html
    image = extract_document(b"\xff\xd8\xff\xe0" + b"\0" * 100, "image/jpeg")
    assert image.image_only and image.html is None


# --- layout helpers -----------------------------------------------------------------------------

def line(text, top, x0=72.0, x1=520.0, size=14.0):
    return TextLine(text, x0, x1, top, size)


def test_page_numbers_and_running_headers_dropped_only_at_page_edges():
    pages = [[line("某县人民政府办公室", 800, x1=300, size=10), line(f"{first}公开工作", 760),
              line("8", 500, x1=80), line(f"{first}年度报告", 120), line(number, 50, x1=300, size=12)]
             for first, number in zip("甲乙丙", ("- 1 -", "第2页 共3页", "3/3"))]
    kept = drop_page_furniture(pages)
    assert [[l.text for l in page] for page in kept] == [
        [f"{first}公开工作", "8", f"{first}年度报告"] for first in "甲乙丙"]
    for number in ("— 12 —", "－3－", "第 4 页", "共12页 第3页", "12", "Page 7"):
        assert PAGE_NUMBER_RE.match(number), number
    assert not PAGE_NUMBER_RE.match("2023年")


def test_a_header_on_one_page_only_is_kept():
    pages = [[line("关于印发年度报告的通知", 800, x1=300), line("正文", 700)], [line("正文", 760)], [line("正文", 760)]]
    assert drop_page_furniture(pages)[0][0].text == "关于印发年度报告的通知"


def test_join_lines_rules():
    lines = [
        line("现将有关情况报告如下：", 800, x1=300),
        line("一、总体情况", 775, x1=160),
        line("全年共收到申请42件，上年结转0件，全年依法办结41件，全", 750, x0=100),
        line("部在法定期限内答复。联系电话：", 725, x1=300),
        line("0876-6130637", 700, x1=180),
        line("二、主动公开政府信息情况", 675, x1=240),
        line("本报告统计期限自2023年1月1日起至202", 650, x0=100),
        line("3年12月31日止，详见附表", 625),
        line("（一）主动公开", 600, x1=170),
        line("详见县政府门户网站政府信息公开专栏年度报告栏目附件统计表全文", 575),
        line("本报告电子版可在县政府网站下载。", 550, x0=100, x1=330),  # indented: a new paragraph
    ]
    assert join_lines(lines) == [
        "现将有关情况报告如下：",
        "一、总体情况",
        "全年共收到申请42件，上年结转0件，全年依法办结41件，全部在法定期限内答复。联系电话：0876-6130637",
        "二、主动公开政府信息情况",
        "本报告统计期限自2023年1月1日起至2023年12月31日止，详见附表",
        "（一）主动公开",
        "详见县政府门户网站政府信息公开专栏年度报告栏目附件统计表全文",
        "本报告电子版可在县政府网站下载。",
    ]
