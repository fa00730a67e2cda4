"""gkmlpt detail pages: the document is JSON in window._CONFIG.DETAIL, rendered by JavaScript."""
import json
from pathlib import Path

from parsing import parse_report

FILES = Path(__file__).parent / "files"
PAGE = FILES / "pages" / "gkmlpt" / "post_2590436.html"
URL = "https://www.dabu.gov.cn/mzdpshzzf/gkmlpt/content/2/2590/post_2590436.html"
# The same report as a server-rendered page, labelled by hand (tests/corpus/real_030.json).
LABEL = json.loads((Path(__file__).parent / "corpus" / "real_030.json").read_text(encoding="utf-8"))["expected"]


def _check(report):
    assert report.title == LABEL["title"]
    assert report.published == LABEL["published"]  # display_publish_time (发布日期), not date (成文日期)
    assert report.issuer == LABEL["issuer"]
    assert [(s.number, s.heading) for s in report.sections] == [(s["number"], s["heading"]) for s in LABEL["sections"]]
    assert "全面贯彻党的二十大精神" in report.body
    assert "{{" not in report.body and "分享到" not in report.body
    assert report.attachments == ["https://www.dabu.gov.cn/mzdpshzzf/attachment/0/512/512731/2590436.pdf"]
    assert report.is_report


def test_detail_assigned_to_config():
    _check(parse_report(PAGE.read_bytes(), URL))


def test_detail_inside_the_config_object_literal():
    text = PAGE.read_text(encoding="utf-8")
    text = (text.replace("window._CONFIG = { SID: '755089', IS_MOBILE: false };\nwindow._CONFIG.DETAIL = ",
                         "window._CONFIG = { SID: '755089', IS_MOBILE: false, DETAIL: ")
            .replace("};\nwindow._CONFIG.TREE = [", "}, TREE: [").replace("}]}];</script>", "}]}]};</script>"))
    assert "DETAIL: {" in text and "_CONFIG.DETAIL" not in text
    _check(parse_report(text.encode("utf-8"), URL))


def test_broken_detail_json_falls_back_to_the_page():
    text = PAGE.read_text(encoding="utf-8").replace('window._CONFIG.DETAIL = {"id"', 'window._CONFIG.DETAIL = {id')
    report = parse_report(text.encode("utf-8"), URL)
    assert report.title != LABEL["title"] and report.is_report is False
