"""The bundled offline demo portal: server, pages and manifest agree, and the server behaves
like the real portals' servers where the crawler's tests need it (HTTP requests to 127.0.0.1)."""
from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
import zipfile
from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import lxml.html
import pytest

import demo_portal
from demo_portal import BLOCKED, CORRECTION_NOTE, LOOKALIKES, PORTALS, REPORTS, SHAPES, build_site
from demo_portal.families import generic, hanweb, trs, vsb
from parsing.encoding import decode_html

REPO = Path(__file__).resolve().parent.parent
NEXT_TEXT = re.compile(r"下一页|下页|尾页")
# Document links (not nav, list or column links) in the demo's list pages, per URL scheme.
DOCUMENT_URL = re.compile(r"/content_\d+\.html|show\.php\?id=|/info/\d+/|/t\d{8}_\d+\.html|/uploadfile/")


@pytest.fixture(scope="module")
def server():
    with demo_portal.start(port=0) as srv:
        yield srv


@pytest.fixture
def fresh(server):
    """The module's server with no variants and an empty request log, before and after."""
    server.reset()
    yield server
    server.reset()


def fetch(url: str, data: bytes | None = None, headers: dict | None = None):
    """(status, headers, body) for ``url``; 3xx/4xx/5xx are returned, not raised."""
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def text_of(url: str) -> str:
    _, headers, body = fetch(url)
    return decode_html(body, headers.get("Content-Type"))[0]


def portal(name: str) -> dict:
    return next(p for p in PORTALS if p["portal"] == name)


def links(url: str) -> list[tuple[str, str]]:
    """(absolute URL without fragment, link text) of every <a href> on the page."""
    doc = lxml.html.fromstring(text_of(url))
    return [(urljoin(url, a.get("href")).split("#")[0], a.text_content().strip()) for a in doc.iter("a") if a.get("href")]


def paths(urls, server) -> set[str]:
    return {u.removeprefix(server.base_url) for u in urls}


def gkmlpt_detail(html: str) -> dict:
    return json.loads(re.search(r"window\._CONFIG\.DETAIL = (\{.*\});", html).group(1))


def document_html(server, entry) -> str:
    """The HTML of an HTML-shaped report's document (gkmlpt: the DETAIL JSON's content)."""
    html = text_of(server.base_url + entry["path"])
    return gkmlpt_detail(html)["content"] if entry["family"] == "gkmlpt" else html


def docx_text(body: bytes) -> str:
    """Text of a DOCX's main document, read with the standard library (no python-docx at test time)."""
    xml = zipfile.ZipFile(io.BytesIO(body)).read("word/document.xml")
    return re.sub(r"<[^>]+>", "", xml.decode("utf-8"))


# --- the site and its portals -------------------------------------------------------------

def test_robots_txt(server):
    status, headers, body = fetch(server.base_url + "/robots.txt")
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    assert "Disallow: /private/" in body.decode("ascii").splitlines()


def test_unknown_path_is_404(server):
    assert fetch(server.base_url + "/no/such/page.html")[0] == 404
    assert fetch(server.base_url + "/generic/list.php?page=99")[0] == 404


def test_index_links_every_portal_homepage(server):
    html = text_of(server.base_url + "/")
    assert len(server.homepages) == len(PORTALS) == len({p["portal"] for p in PORTALS}) == 6
    for url in server.homepages:
        assert url.startswith(server.base_url) and url[len(server.base_url):] in html


@pytest.mark.parametrize("name", ["trs", "hanweb", "vsb", "generic", "gkmlpt"])
def test_homepage_links_its_report_column(server, name):
    p = portal(name)
    home = server.base_url + p["homepage"]
    to_column = {u for u, text in links(home) if re.search("年报|年度报告", text)}
    assert to_column == {(server.base_url + p["column"]).split("#")[0]}
    assert fetch(server.base_url + p["column"])[0] == 200


def test_trs_pages_are_gbk_without_header_charset(server):
    status, headers, body = fetch(server.base_url + portal("trs")["column"])
    assert status == 200 and headers["Content-Type"] == "text/html"
    assert b'charset=gb2312' in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert "政府信息公开年报" in body.decode("gbk")


def test_other_portals_declare_utf8(server):
    for p in PORTALS:
        if p["family"] != "trs":
            assert "charset=utf-8" in fetch(server.base_url + p["homepage"])[1]["Content-Type"].lower()


# --- every list page, per portal: what it links is exactly the manifest ----------------------

def list_pages(server, name: str) -> list[str]:
    """URLs of every list page of a portal's 年报 column(s), as the site lays them out."""
    p, base = portal(name), server.base_url
    count = -(-sum(1 for e in REPORTS + LOOKALIKES + BLOCKED if e["portal"] == name) // p["per_page"])
    if name == "trs":
        return [base + trs.list_path(i) for i in range(count)]
    if name == "vsb":
        return [base + vsb.list_path(i, count) for i in range(count)]
    if name == "generic":
        return [base + generic.list_path(i) for i in range(count)]
    if name == "county":
        first_pages = [base + c for c in p["sub_columns"]]
        return first_pages + [u for u, text in links(first_pages[0]) if text == "下一页"]
    raise ValueError(name)


def listed(server, name: str) -> set[str]:
    """Paths of the documents a portal's lists link (Hanweb: records of the column page and
    of dataproxy.jsp; gkmlpt: the JSON API)."""
    base = server.base_url
    if name == "hanweb":
        column = text_of(base + portal("hanweb")["column"])
        total, shown = int(re.search(r"totalRecord: (\d+)", column).group(1)), hanweb_records(column)
        return set(shown + hanweb_records(fetch(base + hanweb.proxy_key(len(shown) + 1, total))[2]))
    if name == "gkmlpt":
        p, found, page = portal("gkmlpt"), set(), 1
        while True:
            status, _, body = fetch(base + p["api"].replace("page=1", f"page={page}"))
            if status == 404:
                return found
            found |= paths((a["url"] for a in json.loads(body)["articles"]), server)
            page += 1
    return {u.removeprefix(base) for url in list_pages(server, name) for u, _ in links(url)
            if DOCUMENT_URL.search(u)}


@pytest.mark.parametrize("name", [p["portal"] for p in PORTALS])
def test_lists_link_exactly_the_manifest(server, name):
    expected = {e["path"] for e in REPORTS + LOOKALIKES + BLOCKED if e["portal"] == name}
    assert listed(server, name) == expected


@pytest.mark.parametrize("name", ["trs", "vsb", "generic", "county"])
def test_list_pages_all_exist_and_only_the_last_lacks_a_next_link(server, name):
    pages = list_pages(server, name)
    if name == "county":
        pages = pages[:1] + pages[2:]  # 部门年报 page 1, page 2 (乡镇年报 is a one-page column)
    assert len(pages) >= 2
    for url in pages:
        assert fetch(url)[0] == 200, url
    if name != "trs":  # TRS pages through createPageHTML / document.write, no <a> pager
        assert any(NEXT_TEXT.search(text) for _, text in links(pages[0]))
    last = text_of(pages[-1])
    assert not NEXT_TEXT.search(re.sub(r"<script.*?</script>", "", last, flags=re.S)), pages[-1]


def test_county_single_page_column_has_no_pager(server):
    xznb = server.base_url + portal("county")["sub_columns"][1]
    html = text_of(xznb)
    after_rows = html.split('<div class="list">')[1].split("</ul>", 1)[1]
    assert re.fullmatch(r"\s*</div>.*", after_rows, flags=re.S), after_rows[:200]  # nothing follows the rows
    assert not re.search(r"下一页|下页|尾页|上一页|index_\d", html)
    assert sum(1 for e in REPORTS + LOOKALIKES + BLOCKED if e["portal"] == "county" and xznb.endswith(
        e["path"].rsplit("/", 1)[0] + "/index.html")) >= 5


# --- discovery: 松林县 hides its column two clicks deep ---------------------------------------

def test_county_column_is_two_clicks_from_the_homepage(server):
    p, base = portal("county"), server.base_url
    home = links(base + p["homepage"])
    assert not [t for _, t in home if re.search("年报|年度报告", t)]
    assert (base + p["gateway"], "政务公开") in home
    gateway = links(base + p["gateway"])
    assert (base + p["column"], "政府信息公开年报") in gateway
    assert len(gateway) >= 20  # a real gateway: many columns and news items
    column = links(base + p["column"])
    for sub, name in zip(p["sub_columns"], ["部门年报", "乡镇年报"]):
        assert (base + sub, name) in column
    assert p["column_hops"] == 2


def test_county_gateway_news_about_annual_reports_is_an_article_not_a_column(server):
    p, base = portal("county"), server.base_url
    decoy = [(u, t) for u, t in links(base + p["gateway"]) if "年度报告" in t]
    assert [u for u, _ in decoy] == [base + p["decoy"]]
    html = text_of(base + p["decoy"])
    assert decoy[0][1] in html and "发布时间" in html
    assert not [t for _, t in links(base + p["decoy"]) if "年度报告" in t or "年报" in t]
    assert p["decoy"] not in {e["path"] for e in REPORTS + LOOKALIKES + BLOCKED}


# --- Hanweb dataproxy.jsp ---------------------------------------------------------------------

def hanweb_records(body: bytes | str) -> list[str]:
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    return re.findall(r"<record><!\[CDATA\[.*?href=\"([^\"]+)\"", text)


def test_hanweb_dataproxy_answers_post_as_jpage_sends_it(server):
    # jpage: the record range in the query, its ajaxParam fields as the form body.
    url = server.base_url + hanweb.PROXY + "?startrecord=4&endrecord=6&perpage=3"
    form = (f"col=1&appid=1&webid={hanweb.WEB_ID}&path=/&columnid={hanweb.COLUMN_ID}&sourceContentType=1"
            f"&unitid={hanweb.UNIT_ID}&webname=%E4%BA%91%E5%B2%AD%E5%8E%BF&permissiontype=0").encode()
    status, headers, body = fetch(url, data=form)
    assert status == 200 and headers["Content-Type"].startswith("text/xml")
    records = hanweb_records(body)
    assert len(records) == 3
    # Any range, as the real proxy answers; the first records are those on the column page.
    everything = hanweb_records(fetch(server.base_url + hanweb.proxy_key(1, 7))[2])
    assert records == everything[3:6] and len(everything) == 7
    column = text_of(server.base_url + portal("hanweb")["column"])
    assert all(u in column for u in everything[:3]) and not any(u in column for u in everything[3:])


def test_hanweb_dataproxy_get_fallback_and_wrong_column(server):
    base = server.base_url + hanweb.PROXY
    page2 = f"{base}?page=2&appid=1&webid=1&path=/&columnid={hanweb.COLUMN_ID}&unitid={hanweb.UNIT_ID}&permissiontype=0"
    via_get = hanweb_records(fetch(page2)[2])
    assert via_get == hanweb_records(fetch(server.base_url + hanweb.proxy_key(4, 6))[2]) and len(via_get) == 3
    assert fetch(f"{base}?startrecord=1&endrecord=3&columnid=999")[0] == 404
    assert fetch(base)[0] == 404


# --- gkmlpt -----------------------------------------------------------------------------------

def test_gkmlpt_column_page_holds_sid_and_tree_but_no_list(server):
    p = portal("gkmlpt")
    html = text_of(server.base_url + p["column"])
    assert re.search(r"SID: '(\d+)'", html).group(1) == p["sid"]
    tree = json.loads(re.search(r"window\._CONFIG\.TREE = (\[.*?\]);", html).group(1))
    names = {c["id"]: c["name"] for node in tree for c in [node] + node["children"]}
    assert names[p["category"]] == "政府信息公开年报"
    assert not [e for e in REPORTS if e["portal"] == "gkmlpt" and e["title"] in html]


def test_gkmlpt_api_pages(server):
    p, base = portal("gkmlpt"), server.base_url
    entries = {e["path"]: e for e in REPORTS + LOOKALIKES if e["portal"] == "gkmlpt"}
    seen = []
    for page in (1, 2):
        status, headers, body = fetch(base + p["api"].replace("page=1", f"page={page}"))
        assert status == 200 and headers["Content-Type"].startswith("application/json")
        answer = json.loads(body)
        assert answer["total"] == len(entries)
        for article in answer["articles"]:
            assert set(article) == {"id", "title", "url", "created_at", "create_time"}
            assert article["url"].startswith(base + "/hewan/gkmlpt/content/")  # absolute, this host
            entry = entries[article["url"].removeprefix(base)]
            assert article["url"].endswith(f"/post_{article['id']}.html")
            assert article["created_at"].startswith(entry["published"])
            escaped = page == 2
            assert ("%u" in article["title"]) is escaped
            # %uXXXX: JavaScript escape(); unquote handles the %XX part once %u is rewritten.
            title = re.sub(r"%u([0-9A-F]{4})", lambda m: chr(int(m.group(1), 16)), article["title"])
            assert unquote(title) == entry["title"]
            seen.append(article["id"])
    assert len(seen) == len(set(seen)) == len(entries)
    past_the_end = fetch(base + p["api"].replace("page=1", "page=3"))
    assert past_the_end[0] == 200 and json.loads(past_the_end[2])["articles"] == []
    assert fetch(base + p["api"].replace("page=1", "page=4"))[0] == 404
    assert fetch(base + p["api"].replace(p["sid"], "1"))[0] == 404
    assert json.loads(fetch(base + p["api"].replace(f"/{p['category']}?", "/0?"))[2]) == json.loads(
        fetch(base + p["api"])[2])


def test_gkmlpt_detail_document_is_only_in_config_detail(server):
    for entry in [e for e in REPORTS if e["portal"] == "gkmlpt"]:
        html = text_of(server.base_url + entry["path"])
        detail = gkmlpt_detail(html)
        assert (detail["id"], detail["title"]) == (int(re.search(r"post_(\d+)", entry["path"]).group(1)), entry["title"])
        assert detail["created_at"].startswith(entry["published"])
        visible = re.sub(r"<script.*?</script>", "", html, flags=re.S)
        assert entry["sections"][0] not in visible and entry["sections"][0] in detail["content"]
        assert "<\\/p>" in html  # the JSON escapes "</" inside the script


# --- the manifest's pages -------------------------------------------------------------------

HTML_SHAPES = ("page", "attachment_page", "image_only")


@pytest.mark.parametrize("entry", [e for e in REPORTS + LOOKALIKES if e["shape"] in HTML_SHAPES and e["family"] != "gkmlpt"],
                         ids=lambda e: e["path"])
def test_manifest_page_served_with_title_and_date(server, entry):
    status, headers, body = fetch(server.base_url + entry["path"])
    assert status == 200
    text = decode_html(body, headers["Content-Type"])[0]
    assert entry["title"] in text
    assert re.search(r"发布(?:时间|日期)：" + entry["published"], text)


@pytest.mark.parametrize("entry", [e for e in REPORTS if e["shape"] == "page"], ids=lambda e: e["path"])
def test_report_sections_and_contact_on_page(server, entry):
    text = document_html(server, entry)
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


def test_pdf_report_linked_from_the_list(server):
    entry = next(e for e in REPORTS if e["shape"] == "pdf")
    status, headers, body = fetch(server.base_url + entry["path"])
    assert status == 200 and headers["Content-Type"] == "application/pdf" and body.startswith(b"%PDF-")
    assert entry["path"].endswith(".pdf") and len(body) < 100_000
    high_level = pytest.importorskip("pdfminer.high_level")  # dev dependency: the text check only
    text = high_level.extract_text(io.BytesIO(body))
    assert entry["title"] in text.replace("\n", "")
    for heading in entry["sections"]:
        assert heading in text
    assert re.search(r"联系电话：\s*\n+\s*" + entry["contact"]["phones"][0], text)  # wrapped after 电话：
    assert "— 1 —" in text


@pytest.mark.parametrize("shape", ["docx", "attachment_page"])
def test_docx_reports(server, shape):
    entry = next(e for e in REPORTS if e["shape"] == shape)
    url = server.base_url + entry.get("attachment", entry["path"])
    if shape == "attachment_page":
        page = text_of(server.base_url + entry["path"])
        content = page.split('id="zoom">')[1].split("</div>")[0]
        assert "详见附件" in content and not [h for h in entry["sections"] if h in page]
        assert (url, entry["title"] + ".docx") in links(server.base_url + entry["path"])
    status, headers, body = fetch(url)
    assert status == 200 and headers["Content-Type"].endswith("wordprocessingml.document") and len(body) < 100_000
    text = docx_text(body)
    assert entry["title"] in text and all(h in text for h in entry["sections"])
    assert entry["contact"]["phones"][0] in text
    assert ("勾稽关系" in text and "三、本年度办理结果" in text) is entry["has_tables"]
    if entry["has_tables"]:
        assert entry["template"] == "2019" and "本年新制作数量" in text  # 2019 template 表二


def test_image_only_report(server):
    entry = next(e for e in REPORTS if e["shape"] == "image_only")
    html = text_of(server.base_url + entry["path"])
    content = lxml.html.fromstring(html).get_element_by_id("zoom")
    assert content.text_content().strip() == ""
    assert [urlsplit(urljoin(server.base_url, i.get("src"))).path for i in content.iter("img")] == entry["images"]
    assert entry["title"] in html and entry["sections"] == [] and len(entry["images"]) >= 2
    for src in entry["images"]:
        status, headers, body = fetch(server.base_url + src)
        assert status == 200 and headers["Content-Type"] == "image/png" and body.startswith(b"\x89PNG\r\n\x1a\n")


def test_lookalike_attachment_in_a_list(server):
    entry = next(e for e in LOOKALIKES if e["shape"] == "pdf")
    assert "解读" in entry["title"] and entry["path"].endswith(".pdf")
    status, headers, body = fetch(server.base_url + entry["path"])
    assert status == 200 and body.startswith(b"%PDF-")


# --- blocked pages ----------------------------------------------------------------------------

def test_blocked_pages_answer_challenges_not_reports(fresh):
    assert {b["block"] for b in BLOCKED} == {"ruishu_412", "wzws"}
    for entry in BLOCKED:
        status, headers, body = fetch(fresh.base_url + entry["path"])
        assert status == entry["status"]
        html = body.decode("utf-8")
        assert entry["title"] not in html and "年度报告" not in html and "ETag" not in headers
        if entry["block"] == "ruishu_412":
            assert status == 412 and "$_ts" in html and "80S=" in headers["Set-Cookie"]
        else:
            assert status == 200 and "wzwschallenge" in html
            assert lxml.html.fromstring(html).text_content().strip().startswith("var wzwschallenge")
    assert [r.status for r in fresh.requests] == [b["status"] for b in BLOCKED]


def test_blocked_links_carry_report_titles_in_their_list(server):
    county_links = {u.removeprefix(server.base_url): t for url in list_pages(server, "county") for u, t in links(url)}
    for entry in BLOCKED:
        assert county_links[entry["path"]] == entry["title"]


# --- HTTP validators, variants and the request log -------------------------------------------

@pytest.mark.parametrize("entry", REPORTS, ids=lambda e: e["path"])
def test_reports_have_validators_and_answer_304(fresh, entry):
    url = fresh.base_url + entry["path"]
    status, headers, body = fetch(url)
    etag, modified = headers["ETag"], headers["Last-Modified"]
    assert status == 200 and etag.startswith('"') and modified.endswith("GMT")
    assert fetch(url, headers={"If-None-Match": etag}) [:1] == (304,)
    assert fetch(url, headers={"If-Modified-Since": modified})[0] == 304
    assert fetch(url, headers={"If-None-Match": '"other"', "If-Modified-Since": modified})[0] == 200
    assert fetch(url, headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})[0] == 200
    assert [(r.method, r.path, r.status, r.conditional) for r in fresh.requests] == [
        ("GET", entry["path"], 200, False), ("GET", entry["path"], 304, True), ("GET", entry["path"], 304, True),
        ("GET", entry["path"], 200, True), ("GET", entry["path"], 200, True)]


def test_304_has_no_body(fresh):
    url = fresh.base_url + REPORTS[0]["path"]
    etag = fetch(url)[1]["ETag"]
    status, headers, body = fetch(url, headers={"If-None-Match": f'W/"x", {etag}'})
    assert (status, body, headers["ETag"]) == (304, b"", etag)


def test_last_modified_is_the_publication_date(server):
    for entry in REPORTS:
        modified = fetch(server.base_url + entry["path"])[1]["Last-Modified"]
        day = re.search(r"\d{2} \w{3} \d{4}", modified).group(0)
        assert __import__("datetime").datetime.strptime(day, "%d %b %Y").date().isoformat() == entry["published"]


@pytest.mark.parametrize("shape", SHAPES)
def test_corrected_variant_same_url_new_text_new_etag(fresh, shape):
    entry = next(e for e in REPORTS if e["shape"] == shape)
    target = entry.get("attachment", entry["path"])
    url = fresh.base_url + target
    _, headers, original = fetch(url)
    fresh.set_variant(target, "corrected")
    status, new_headers, corrected = fetch(url)
    assert status == 200 and corrected != original and new_headers["ETag"] != headers["ETag"]
    assert new_headers["Last-Modified"] != headers["Last-Modified"]
    assert fetch(url, headers={"If-None-Match": headers["ETag"]})[0] == 200
    assert fetch(url, headers={"If-Modified-Since": headers["Last-Modified"]})[0] == 200
    if shape in ("docx", "attachment_page"):
        assert CORRECTION_NOTE in docx_text(corrected) and CORRECTION_NOTE not in docx_text(original)
    elif shape != "pdf":
        assert CORRECTION_NOTE in decode_html(corrected, new_headers["Content-Type"])[0]
    fresh.set_variant(target, None)
    assert fetch(url)[2] == original


def test_gone_and_maintenance_variants(fresh):
    entry = next(e for e in REPORTS if e["family"] == "hanweb")
    url = fresh.base_url + entry["path"]
    etag = fetch(url)[1]["ETag"]
    fresh.set_variant(entry["path"], "gone")
    assert fetch(url)[0] == 404 and fetch(url, headers={"If-None-Match": etag})[0] == 404
    fresh.set_variant(entry["path"], "maintenance")
    status, headers, body = fetch(url)
    text = body.decode("utf-8")
    assert status == 200 and "系统维护中" in text and f"<title>{entry['title']}</title>" in text
    assert entry["sections"][0] not in text and headers["ETag"] != etag
    fresh.set_variant(entry["path"], None)
    assert fetch(url, headers={"If-None-Match": etag})[0] == 304
    assert [r.status for r in fresh.requests] == [200, 404, 404, 200, 304]


def test_set_variant_rejects_what_it_cannot_do(fresh):
    with pytest.raises(KeyError):
        fresh.set_variant("/no/such/page.html", "gone")
    with pytest.raises(ValueError):
        fresh.set_variant(REPORTS[0]["path"], "deleted")
    with pytest.raises(ValueError):  # a list page has no corrected version
        fresh.set_variant(portal("generic")["column"], "corrected")
    fresh.set_variant(REPORTS[0]["path"], "gone")
    fresh.reset()
    assert fetch(fresh.base_url + REPORTS[0]["path"])[0] == 200


def test_request_log_records_post_and_head(fresh):
    fetch(fresh.base_url + hanweb.PROXY + f"?startrecord=1&endrecord=3&columnid={hanweb.COLUMN_ID}", data=b"col=1")
    urllib.request.urlopen(urllib.request.Request(fresh.base_url + "/robots.txt", method="HEAD"), timeout=10).close()
    assert [(r.method, r.status, r.conditional) for r in fresh.requests] == [("POST", 200, False), ("HEAD", 200, False)]


# --- manifest ---------------------------------------------------------------------------------

def test_manifest_counts_and_mix():
    by_shape = Counter(e["shape"] for e in REPORTS)
    assert set(by_shape) == set(SHAPES) and by_shape["page"] >= 20
    assert Counter(e["portal"] for e in REPORTS) == {"trs": 4, "hanweb": 4, "vsb": 4, "generic": 4, "county": 8, "gkmlpt": 3}
    assert {e["family"] for e in REPORTS} == {e["family"] for e in LOOKALIKES} == {"trs", "hanweb", "vsb", "generic", "gkmlpt"}
    assert any(e["year"] < 2019 for e in REPORTS) and any(e["year"] >= 2019 for e in REPORTS)
    assert {e["template"] for e in REPORTS if e["has_tables"]} == {"2019", "2021"}
    assert sum(e["has_tables"] for e in REPORTS) >= 3
    everything = REPORTS + LOOKALIKES + BLOCKED
    assert len({e["path"] for e in everything}) == len(everything)
    assert {e["path"] for e in LOOKALIKES if e["shape"] == "pdf"} and len(BLOCKED) == 2


def test_original_sixteen_reports_and_ten_lookalikes_are_unchanged():
    original = [e for e in REPORTS if e["portal"] in ("trs", "hanweb", "vsb", "generic")]
    assert len(original) == 16 and len([e for e in LOOKALIKES if e["portal"] in ("trs", "hanweb", "vsb", "generic")]) == 10
    assert all(e["shape"] == "page" and e["family"] == e["portal"] for e in original)


def test_build_site_is_pure_and_complete():
    site = build_site()
    assert build_site().keys() == site.keys()
    for entry in REPORTS + LOOKALIKES + BLOCKED:
        assert entry["path"] in site
    for entry in REPORTS:
        for extra in [entry.get("attachment")] + entry.get("images", []):
            assert extra is None or extra in site


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


@pytest.mark.parametrize("entry", [e for e in REPORTS if e["has_tables"] and e["shape"] == "page"], ids=lambda e: e["path"])
def test_statistics_tables_follow_their_template(server, entry):
    text = document_html(server, entry)
    if entry["template"] == "2019":
        assert "本年新<br />制作数量" in text and "政府集中采购" in text and 'rowspan="20">三、本年度办理结果' in text
    else:
        assert "本年制发件数" in text and "政府集中采购" not in text and 'rowspan="22">三、本年度办理结果' in text
    assert '<td colspan="5">行政复议</td><td colspan="10">行政诉讼</td>' in text


def test_python_m_demo_portal_serves(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "demo_portal", "--port", "0"], cwd=REPO, stdout=subprocess.PIPE,
                            text=True)
    try:
        first = proc.stdout.readline()
        base = re.search(r"(http://127\.0\.0\.1:\d+)/", first).group(1)
        assert fetch(base + portal("county")["homepage"])[0] == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)
