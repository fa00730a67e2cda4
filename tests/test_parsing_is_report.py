"""is_report: a page is a report only when its title AND its text say so."""
from pathlib import Path

import pytest

from parsing import parse_report
from parsing.evaluate import fixture_paths, read_fixture

FILES = Path(__file__).parent / "files"
CORPUS = Path(__file__).parent / "corpus"
# The listing fixtures that are report articles, not lists (tests/files/listings/README.md);
# every other page there is a list page, a column page or a homepage.
ARTICLES = {"trs_article.html", "hanweb_article.html", "report_with_related.html"}
LISTINGS = sorted(p for p in (FILES / "listings").iterdir()
                  if p.is_file() and p.suffix in (".html", ".htm", ".shtml", ".xml") and p.name not in ARTICLES)
CORPUS_PAGES = sorted({read_fixture(p).body_path for p in fixture_paths(CORPUS)}
                      | {p.resolve() for p in (FILES / "reports").glob("*.html")})


@pytest.mark.parametrize("path", LISTINGS, ids=lambda p: p.name)
def test_list_pages_and_homepages_are_not_reports(path):
    report = parse_report(path.read_bytes(), "http://127.0.0.1:8700/list/index.html")
    assert report.is_report is False


@pytest.mark.parametrize("name", sorted(ARTICLES))
def test_report_articles_among_the_listings_are_reports(name):
    assert parse_report((FILES / "listings" / name).read_bytes(), "http://127.0.0.1:8700/a.html").is_report


@pytest.mark.parametrize("path", CORPUS_PAGES, ids=lambda p: p.name)
def test_every_labelled_report_page_is_a_report(path):
    # Legacy reports, excerpts with one paragraph, images-only tables, traditional
    # pages with pinyin notes: all reports.
    assert parse_report(path.read_bytes()).is_report is True


def _page(title: str, body: str) -> bytes:
    return (f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>"
            f"<div class='content'><h1>{title}</h1>{body}</div></body></html>").encode()


PROSE = ("<p>根据《中华人民共和国政府信息公开条例》要求，现将本单位政府信息公开工作情况报告如下。全年主动公开政府信息"
         "一千二百条，办理依申请公开事项十二件，均在法定期限内答复，未发生因政府信息公开引起的行政复议和行政诉讼。</p>" * 2)


def test_a_report_title_over_a_list_of_links_is_not_a_report():
    links = "".join(f"<li><a href='/art/{i}.html'>某县某局{2010 + i}年政府信息公开工作年度报告</a></li>" for i in range(12))
    assert parse_report(_page("某县2020年政府信息公开工作年度报告", f"<ul>{links}</ul>")).is_report is False
    assert parse_report(_page("某县2020年政府信息公开工作年度报告", PROSE)).is_report is True


@pytest.mark.parametrize("title", [
    "关于做好2020年政府信息公开工作年度报告编制工作的通知",
    "《某县2020年政府信息公开工作年度报告》解读",
])
def test_a_lookalike_whose_title_holds_a_report_title_is_not_a_report(title):
    # The title picker cuts "…年度报告" out of the longer heading; the whole heading decides.
    assert parse_report(_page(title, PROSE)).is_report is False
