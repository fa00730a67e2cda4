"""The bundled offline demo portal: server, pages and manifest agree."""
from __future__ import annotations

import re
import urllib.error
import urllib.request

import pytest

import demo_portal
from demo_portal import LOOKALIKES, PORTALS, REPORTS, build_site
from parsing.encoding import decode_html
from scraper.cms import find_column_links, parse_listing


@pytest.fixture(scope="module")
def server():
    with demo_portal.start(port=0) as srv:
        yield srv


def fetch(url: str, data: bytes | None = None):
    """(status, content_type, body) for ``url``; 4xx/5xx are returned, not raised."""
    try:
        with urllib.request.urlopen(url, data=data, timeout=10) as resp:
            return resp.status, resp.headers.get("Content-Type"), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Content-Type"), err.read()


def text_of(url: str) -> str:
    _, ctype, body = fetch(url)
    return decode_html(body, ctype)[0]


def walk(server, family: str) -> dict[str, object]:
    """Follow homepage → column links → every next page; return {item url: ListingItem}."""
    portal = next(p for p in PORTALS if p["family"] == family)
    home = server.base_url + portal["homepage"]
    todo = [c.url for c in find_column_links(fetch(home)[2], home)]
    seen, found = set(), {}
    while todo:
        url = todo.pop(0)
        if url in seen:
            continue
        seen.add(url)
        status, ctype, body = fetch(url)
        assert status == 200, url
        listing = parse_listing(body, url, ctype)
        assert listing.family == family, url
        found.update({i.url: i for i in listing.items})
        todo.extend(listing.next_pages)
    return {"items": found, "pages": seen}


def test_robots_txt(server):
    status, ctype, body = fetch(server.base_url + "/robots.txt")
    assert status == 200 and ctype.startswith("text/plain")
    assert "Disallow: /private/" in body.decode("ascii").splitlines()


def test_unknown_path_is_404(server):
    assert fetch(server.base_url + "/no/such/page.html")[0] == 404
    assert fetch(server.base_url + "/generic/list.php?page=99")[0] == 404


def test_index_links_the_four_homepages(server):
    html = text_of(server.base_url + "/")
    assert len(server.homepages) == 4
    for url in server.homepages:
        assert url.startswith(server.base_url)
        assert url[len(server.base_url):] in html


@pytest.mark.parametrize("portal", PORTALS, ids=lambda p: p["family"])
def test_homepage_links_its_report_column(server, portal):
    home = server.base_url + portal["homepage"]
    status, _, body = fetch(home)
    assert status == 200
    assert [c.url for c in find_column_links(body, home)] == [server.base_url + portal["column"]]


def test_homepages_have_plain_nav_links(server):
    for url in server.homepages:
        assert "联系我们" in text_of(url)


def test_trs_pages_are_gbk_without_header_charset(server):
    portal = next(p for p in PORTALS if p["family"] == "trs")
    status, ctype, body = fetch(server.base_url + portal["column"])
    assert status == 200 and ctype == "text/html"
    assert b'charset=gb2312' in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert "政府信息公开年报" in body.decode("gbk")


def test_other_families_declare_utf8(server):
    for p in PORTALS:
        if p["family"] != "trs":
            assert "charset=utf-8" in fetch(server.base_url + p["homepage"])[1].lower()


@pytest.mark.parametrize("entry", REPORTS + LOOKALIKES, ids=lambda e: e["path"])
def test_manifest_page_served_with_title_and_date(server, entry):
    status, ctype, body = fetch(server.base_url + entry["path"])
    assert status == 200
    text = decode_html(body, ctype)[0]
    assert entry["title"] in text
    assert re.search(r"发布(?:时间|日期)：" + entry["published"], text)


@pytest.mark.parametrize("entry", REPORTS, ids=lambda e: e["path"])
def test_report_sections_and_contact_on_page(server, entry):
    text = text_of(server.base_url + entry["path"])
    for heading in entry["sections"]:
        assert heading in text
    digits = re.sub(r"\D", "", text)
    for number in entry["contact"]["phones"] + entry["contact"]["fax"]:
        assert re.fullmatch(r"(\d{3,4}-)?\d{7,8}", number)
        assert number.replace("-", "") in digits
    for key in ("address", "postcode", "email"):
        if entry["contact"][key]:
            assert entry["contact"][key] in text
    assert ("第二十条第" in text and "勾稽关系" in text) is entry["has_tables"]  # the statistics tables


@pytest.mark.parametrize("family", ["trs", "hanweb", "vsb", "generic"])
def test_walking_the_lists_finds_every_document(server, family):
    found = walk(server, family)["items"]
    expected = {server.base_url + e["path"]: e for e in REPORTS + LOOKALIKES if e["family"] == family}
    assert set(found) == set(expected)
    for url, entry in expected.items():
        assert (found[url].title, found[url].date) == (entry["title"], entry["published"])


@pytest.mark.parametrize("family", ["trs", "hanweb", "vsb", "generic"])
def test_each_list_has_two_or_three_pages(server, family):
    assert 2 <= len(walk(server, family)["pages"]) <= 3


def test_hanweb_dataproxy_accepts_post_and_extra_fields(server):
    url = server.base_url + "/hanweb/module/web/jpage/dataproxy.jsp"
    form = ("startrecord=4&endrecord=6&perpage=3&col=1&appid=1&webid=1&path=/&columnid=1229000001"
            "&sourceContentType=1&unitid=4455560&webname=x&permissiontype=0").encode()
    status, ctype, body = fetch(url, data=form)
    assert status == 200 and ctype.startswith("text/xml")
    assert len(parse_listing(body, url, ctype).items) == 3


def test_manifest_counts_and_mix():
    assert 14 <= len(REPORTS) <= 18 and len(LOOKALIKES) >= 8
    assert {e["family"] for e in REPORTS} == {e["family"] for e in LOOKALIKES} == {"trs", "hanweb", "vsb", "generic"}
    assert any(e["year"] < 2019 for e in REPORTS) and any(e["year"] >= 2019 for e in REPORTS)
    assert {e["template"] for e in REPORTS if e["has_tables"]} == {"2019", "2021"}
    assert sum(e["has_tables"] for e in REPORTS) >= 3
    assert len({e["path"] for e in REPORTS + LOOKALIKES}) == len(REPORTS) + len(LOOKALIKES)


def test_build_site_is_pure_and_complete():
    site = build_site()
    assert build_site().keys() == site.keys()
    for entry in REPORTS + LOOKALIKES:
        assert entry["path"] in site


def test_report_tables_add_up():
    # 表三: 一 + 二 = 三(总计) + 四 in every column, as the table's own header demands.
    from demo_portal.content import load_documents
    from demo_portal.tables import table3_totals
    for doc in load_documents()["reports"]:
        if doc.get("tables"):
            t3 = doc["tables"]["t3"]
            sums = table3_totals(t3, doc["tables"]["template"])
            for col in range(6):
                assert t3["new"][col] + t3["carried"][col] == sums["total"][col] + sums["carry"][col]


@pytest.mark.parametrize("entry", [e for e in REPORTS if e["has_tables"]], ids=lambda e: e["path"])
def test_statistics_tables_follow_their_template(server, entry):
    text = text_of(server.base_url + entry["path"])
    if entry["template"] == "2019":
        assert "本年新<br />制作数量" in text and "政府集中采购" in text and 'rowspan="20">三、本年度办理结果' in text
    else:
        assert "本年制发件数" in text and "政府集中采购" not in text and 'rowspan="22">三、本年度办理结果' in text
    assert '<td colspan="5">行政复议</td><td colspan="10">行政诉讼</td>' in text
