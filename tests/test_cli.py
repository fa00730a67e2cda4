"""The command-line contract: nianbao parse."""
import json

import pytest
from click.testing import CliRunner

from nianbao.cli import cli

PAGE = """<html><head><meta charset="{charset}"><title>演示县人民政府</title></head><body>
<div id="zoom"><h1>演示县人民政府2020年政府信息公开工作年度报告</h1>
<p>发布时间：2021-01-28 浏览次数：12 字体：[大 中 小]</p>
<p>如对本报告有疑问，请联系（地址：演示县人民路1号；邮编：323900；电话：0578-1234567）。</p>
<p>一、总体情况</p><p>正文。</p><p>二、主动公开政府信息情况</p><p>【打印本页】【关闭窗口】</p></div></body></html>"""


@pytest.fixture
def pages(tmp_path):
    gbk = tmp_path / "gbk.html"
    gbk.write_bytes(PAGE.format(charset="gb2312").encode("gbk"))
    utf8 = tmp_path / "utf8.html"
    utf8.write_bytes(PAGE.format(charset="utf-8").encode("utf-8"))
    return gbk, utf8


def test_parse_one_file_prints_one_object(pages):
    result = CliRunner().invoke(cli, ["parse", str(pages[0]), "--url", "http://demo.gov.cn/a.html"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["url"] == "http://demo.gov.cn/a.html"
    assert (data["title"], data["year"], data["issuer"], data["published"]) == (
        "演示县人民政府2020年政府信息公开工作年度报告", 2020, "演示县人民政府", "2021-01-28")
    assert [s["heading"] for s in data["sections"]] == ["一、总体情况", "二、主动公开政府信息情况"]
    assert data["contact"] == {"address": "演示县人民路1号", "postcode": "323900", "phones": ["0578-1234567"],
                               "fax": [], "email": None}
    assert "打印" not in data["body"] and "浏览次数" not in data["body"]


def test_parse_several_files_prints_json_lines(pages):
    result = CliRunner().invoke(cli, ["parse", str(pages[0]), str(pages[1])])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().split("\n")
    assert len(lines) == 2
    assert [json.loads(line)["title"] for line in lines] == ["演示县人民政府2020年政府信息公开工作年度报告"] * 2


def test_parse_url_with_several_files_is_an_error(pages):
    result = CliRunner().invoke(cli, ["parse", str(pages[0]), str(pages[1]), "--url", "http://x/"])
    assert result.exit_code != 0


def test_crawl_without_start_urls_is_a_usage_error():
    result = CliRunner().invoke(cli, ["crawl", "--db", "x.db"])
    assert result.exit_code == 2


def test_parse_reads_a_pdf_with_the_crawlers_extraction():
    from pathlib import Path

    pdf = Path(__file__).parent / "files" / "documents" / "report_2023.pdf"
    result = CliRunner().invoke(cli, ["parse", str(pdf)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["kind"], data["is_report"], data["year"]) == ("pdf", True, 2023)
    assert data["contact"]["phones"] == ["0876-6130637"]


def test_parse_says_what_a_binary_file_is_instead_of_a_body(tmp_path):
    image = tmp_path / "scan.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    result = CliRunner().invoke(cli, ["parse", str(image)])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert (data["kind"], data["is_report"]) == ("image", False) and "body" not in data


def test_archive_commands_refuse_mistakes_with_one_line_and_change_nothing(tmp_path):
    import hashlib
    import shutil
    from pathlib import Path

    old = tmp_path / "old.db"
    shutil.copy(Path(__file__).parent / "files" / "archive_v1.db", old)
    digest = hashlib.sha256(old.read_bytes()).hexdigest()
    not_archive = tmp_path / "notes.csv"
    not_archive.write_text("a,b\n")
    cases = [
        (["export-warc", "--db", str(old), str(tmp_path / "o.warc.gz")], "older nianbao"),  # export only reads
        (["export-warc", "--db", str(tmp_path / "none.db"), str(tmp_path / "o.warc.gz")], "no such file"),
    ]
    fresh = tmp_path / "fresh.db"
    from archive.store import open_archive

    open_archive(str(fresh)).close()
    cases.append((["export-warc", "--db", str(fresh), str(tmp_path / "missing" / "o.warc.gz")], "cannot write"))
    for args, message in cases:
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output, args
    # a file that is not an archive is the archive's problem, as for crawl and import-warc: exit 3
    result = CliRunner().invoke(cli, ["reparse", "--db", str(not_archive)])
    assert result.exit_code == 3 and "not a nianbao archive" in result.output and "Traceback" not in result.output
    assert hashlib.sha256(old.read_bytes()).hexdigest() == digest
    assert not_archive.read_text() == "a,b\n"
    assert not (tmp_path / "o.warc.gz").exists()
