"""Chrome that must not leak into a report; pages that are something else
(soft 404, maintenance, attachment-only, image-only); attachment and image URLs."""
from pathlib import Path

import pytest

from parsing import parse_report

PAGES = Path(__file__).parent / "files" / "pages"
URL = "http://www.example.gov.cn/art/2023/1/18/art_1229425866_1.html"
TITLE = "青溪县人民政府2020年政府信息公开工作年度报告"
SECTIONS = ("<p>一、总体情况</p><p>2020年，青溪县人民政府认真贯彻落实政府信息公开条例，持续推进政务公开工作。</p>"
            "<p>二、主动公开政府信息情况</p><p>全年主动公开政府信息1234条。</p>"
            "<p>三、其他需要报告的事项</p><p>本年度无其他需要报告的事项。</p>")
CHROME_WORDS = ("打印", "关闭窗口", "分享", "微信", "微博", "登录", "注册", "无障碍")


def _report_page(inside_before: str = "", inside_after: str = "", head: str = "") -> bytes:
    return (f"<html><head><meta charset='utf-8'><title>青溪县人民政府门户网站</title>{head}</head><body>"
            f"<div class='article'>{inside_before}<h1>{TITLE}</h1>{SECTIONS}{inside_after}</div></body></html>").encode()


@pytest.mark.parametrize("tools", [
    # The demo portal's (and many TRS sites') tools row, in a <div class="tools">.
    '<div class="tools">【<a href="javascript:window.print()">打印本页</a>】 【<a href="javascript:window.close()">关闭窗口</a>】'
    ' 分享到：<a href="#">微信</a> <a href="#">微博</a></div>',
    # The same row with no class to go by: the line itself is chrome.
    '<p>【<a href="#">打印本页</a>】 【<a href="#">关闭窗口</a>】 分享到：<a href="#">微信</a> <a href="#">微博</a></p>',
    '<p>[打印] [关闭] [返回顶部]</p>',
    '<div class="bdsharebuttonbox"><a href="#" class="bds_weixin">微信</a><a href="#" class="bds_tsina">微博</a></div>',
])
def test_tools_and_share_rows_do_not_leak_into_the_last_section(tools):
    report = parse_report(_report_page(inside_after=tools), URL)
    assert report.sections[-1].text == "本年度无其他需要报告的事项。"
    assert not [w for w in CHROME_WORDS if w in report.body]


@pytest.mark.parametrize("account", [
    "<p>登录</p><p>注册</p><p>无障碍浏览</p>",
    '<div><a href="/login">登录</a> | <a href="/reg">注册</a> | <a href="/wza">无障碍浏览</a> | <a href="#">长者模式</a></div>',
])
def test_account_links_before_the_title_are_not_glued_onto_it(account):
    meta = f'<meta name="ArticleTitle" content="{TITLE}">'
    report = parse_report(_report_page(inside_before=account, head=meta), URL)
    assert report.title == TITLE
    assert not [w for w in CHROME_WORDS if w in report.body]


def test_a_title_that_meta_and_h1_agree_on_wins_over_body_lines():
    # Even a body line the chrome patterns do not know cannot be glued onto an agreed title.
    meta = f'<meta name="ArticleTitle" content="{TITLE}">'
    report = parse_report(_report_page(inside_before="<p>智慧青溪</p>", head=meta), URL)
    assert report.title == TITLE


def test_demo_reports_carry_no_chrome():
    from demo_portal.site import build_site

    reports = []
    for path, page in build_site().items():
        report = parse_report(page.body, "http://127.0.0.1:8700" + path, page.content_type)
        if report.is_report:
            reports.append(report)
    assert len(reports) >= 16
    leaks = {r.url: [w for w in CHROME_WORDS if w in r.body or w in r.title] for r in reports}
    assert {url: words for url, words in leaks.items() if words} == {}


def _signal_page(name: str):
    return parse_report((PAGES / "signals" / name).read_bytes(), URL)


def test_attachment_only_page_lists_its_attachments_as_absolute_urls():
    from parsing.signals import page_signal

    report = _signal_page("attachment_only.html")
    assert report.signal == page_signal(report) == "attachment_only"
    assert report.attachments == [
        "http://www.example.gov.cn/module/download/downfile/20230118/3f9c2e1a.pdf",
        "http://www.example.gov.cn/art/art/2023/1/18/att/3f9c2e1b.docx",
    ]
    assert report.is_report is True  # the report is the attached file
    assert report.title == "青田县住房和城乡建设局2022年政府信息公开工作年度报告"


def test_image_only_report():
    report = _signal_page("image_only.html")
    assert report.image_only is True
    assert report.signal == "image_only"
    assert report.is_report is True
    # Absolute, in page order; the 1x1 tracker left out.
    assert report.images == [f"http://www.example.gov.cn/art/2023/1/18/W0202001216123456789{i:02d}.jpg" for i in (1, 2, 3)]
    assert report.sections == []


@pytest.mark.parametrize("name, signal", [
    ("soft_404.html", "soft_404"),
    ("soft_404_report_title.html", "soft_404"),  # a 200 whose <title> still reads like the report
    ("maintenance.html", "maintenance"),
])
def test_pages_that_are_not_there(name, signal):
    report = _signal_page(name)
    assert report.signal == signal
    assert report.is_report is False


def test_a_full_report_has_no_signal_and_keeps_its_images_apart():
    # full_images: the three tables are images under their headings, the text is there.
    page = Path(__file__).parent / "corpus" / "pages" / "full_images.html"
    report = parse_report(page.read_bytes(), "http://www.tongxi.gov.cn/zwgk/xxgknb/202101/t20210126_3456789.html")
    assert report.signal is None
    assert report.image_only is False
    assert len(report.images) == 3 and all(u.startswith("http://www.tongxi.gov.cn/picture/") for u in report.images)
    assert report.attachments == []


def test_new_fields_in_to_dict():
    data = _signal_page("attachment_only.html").to_dict()
    assert data["attachments"][0].endswith(".pdf")
    assert data["images"] == [] and data["image_only"] is False and data["signal"] == "attachment_only"
