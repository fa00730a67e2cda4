"""nianbao's Datasette in a real browser (Debian's chromium driven by Selenium through /usr/bin/chromedriver).

Asserts on the text a person sees, and saves a screenshot of every page under
test-artifacts/browser/ (gitignored; CI keeps it as an artifact). Skipped, with
the reason, where chromium or its driver is not installed.
"""
import shutil
import threading
import time
from pathlib import Path

import pytest

from tests.local_site import free_port

from tests.test_datasette_fixtures import CORPUS, IMAGE_ONLY_URL, build_corpus_archive

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "browser"

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
pytestmark = pytest.mark.skipif(
    not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
    reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver fonts-noto-cjk)")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The archive served as `nianbao serve` serves it, on 127.0.0.1, for this module."""
    import uvicorn

    from archive.web.serve import make_datasette

    path = tmp_path_factory.mktemp("browser") / "demo.db"
    ids = build_corpus_archive(path, image_only=True)
    port = free_port()
    uv = uvicorn.Server(uvicorn.Config(make_datasette(path).app(), host="127.0.0.1", port=port,
                                       log_level="warning"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        assert time.monotonic() < deadline, "Datasette did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", ids
    uv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser():
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,1400", "--lang=zh-CN"):
        options.add_argument(arg)
    # The driver Debian installs, never one Selenium Manager would download.
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


def visit(browser, url, shot):
    browser.get(url)
    browser.save_screenshot(str(ARTIFACTS / f"{shot}.png"))
    return browser.find_element("tag name", "body").text


def wait_for(browser, condition, timeout=15):
    from selenium.webdriver.support.ui import WebDriverWait
    return WebDriverWait(browser, timeout).until(condition)


DESKTOP = (1280, 1400)
PHONE = (390, 844)


def test_home_page(server, browser):
    base, _ = server
    text = visit(browser, base + "/", "home")
    assert "nianbao 年报" in text and "reports" in text


def test_home_page_leads_to_reports_search_coverage_and_charts(server, browser):
    base, _ = server
    visit(browser, base + "/", "home_links")
    links = browser.find_elements("css selector", "nav.nianbao-start a")
    assert [a.text.split()[0] for a in links] == ["年度报告", "搜索", "覆盖情况", "图表"]
    assert [a.get_attribute("href") for a in links] == [
        f"{base}/demo/reports", f"{base}/-/nianbao/search", f"{base}/-/nianbao/coverage", f"{base}/-/dashboards/nianbao"]
    # above the list of tables, in view without scrolling
    first_table = browser.find_element("css selector", 'a[href="/demo/stat_cells"], a[href="/demo/sections"]')
    assert links[0].location["y"] < first_table.location["y"]
    assert all(a.is_displayed() and a.location["y"] < DESKTOP[1] for a in links)
    links[0].click()
    wait_for(browser, lambda d: d.current_url.startswith(f"{base}/demo/reports"))
    assert "rows-and-columns" in browser.page_source


def test_a_reports_id_opens_the_readable_page(server, browser):
    base, ids = server
    visit(browser, base + "/demo/reports?_sort=id", "reports_list")
    first = browser.find_element("css selector", "td.col-id a.nianbao-read")
    report_id = first.text
    row_link = browser.find_element("css selector", "td.col-id a.nianbao-row-link")
    assert row_link.get_attribute("href") == f"{base}/demo/reports/{report_id}"   # the raw row, one click away
    first.click()
    wait_for(browser, lambda d: d.current_url == f"{base}/-/nianbao/report/{report_id}")
    browser.save_screenshot(str(ARTIFACTS / "reports_id_click.png"))
    assert browser.find_elements("css selector", "article.nianbao-report h1")


def report_url(base, ids, name):
    import json

    label = json.loads((CORPUS / f"{name}.json").read_text(encoding="utf-8"))
    return f"{base}/-/nianbao/report/{ids[label['response']['url']]}"


@pytest.mark.parametrize("width", [DESKTOP[0], 800])
def test_report_tables_fit_or_scroll_with_their_row_labels_fixed(server, browser, width):
    base, ids = server
    browser.set_window_size(width, DESKTOP[1])
    scrolled = 0
    for name in ("full_2019_a", "full_2021_a"):
        visit(browser, report_url(base, ids, name), f"report_{width}_{name}")
        wrappers = browser.find_elements("css selector", "div.table-wrapper:has(table.nianbao-stats-table)")
        assert len(wrappers) == 3
        for wrapper in wrappers:
            table_no = wrapper.find_element("css selector", "table").get_attribute("data-table")
            # the header 本年增/减 as written
            if table_no == "2" and name == "full_2019_a":
                headers = [h.text for h in wrapper.find_elements("css selector", "thead th")]
                assert "本年增/减" in headers and "减" not in headers
            overflow = browser.execute_script("return arguments[0].scrollWidth - arguments[0].clientWidth", wrapper)
            if overflow <= 1:
                continue   # fits
            browser.execute_script("arguments[0].scrollLeft = arguments[0].scrollWidth", wrapper)
            row_label = wrapper.find_element("css selector", "tbody th[scope=row]")
            left = browser.execute_script("return arguments[0].getBoundingClientRect().left", wrapper)
            label_left = browser.execute_script("return arguments[0].getBoundingClientRect().left", row_label)
            assert abs(label_left - left) <= 1, (name, table_no, left, label_left)   # stays in view
            browser.execute_script("arguments[0].scrollIntoView()", wrapper)
            browser.save_screenshot(str(ARTIFACTS / f"report_{width}_{name}_table{table_no}_scrolled.png"))
            scrolled += 1
    browser.set_window_size(*DESKTOP)
    if width < DESKTOP[0]:
        assert scrolled   # a narrow window does make some table scroll: the fixed labels were checked


def test_on_a_phone_each_card_keeps_its_column_labels(server, browser):
    base, ids = server
    browser.set_window_size(*PHONE)
    try:
        visit(browser, report_url(base, ids, "full_2019_a"), "report_phone")
        width = browser.execute_script("return window.innerWidth")
        assert width <= 576, width   # Datasette's card layout
        cells = browser.find_elements("css selector", "table.nianbao-stats-table td:not(.nianbao-cell-none)")
        assert cells
        for cell in cells[:60]:
            label = cell.get_attribute("data-column")
            shown = browser.execute_script(
                "return getComputedStyle(arguments[0], '::before').content", cell)
            assert label and shown == '"' + label + '"', (label, shown)
        table = browser.find_element("css selector", 'table.nianbao-stats-table[data-table="3"]')
        browser.execute_script("arguments[0].scrollIntoView()", table)
        browser.save_screenshot(str(ARTIFACTS / "report_phone_table3.png"))
        # a card is one row: its label, then each value under its column label
        first_row = table.find_element("css selector", "tbody tr:not(.nianbao-group-row)")
        cell_tops = [c.location["y"] for c in first_row.find_elements("css selector", "td")]
        assert cell_tops == sorted(cell_tops) and len(set(cell_tops)) == len(cell_tops)   # stacked, not a row
        visit(browser, base + "/demo/reports", "reports_list_phone")
        cell = browser.find_element("css selector", "td.col-issuer")
        assert browser.execute_script("return getComputedStyle(arguments[0], '::before').content", cell) == '"issuer"'
    finally:
        browser.set_window_size(*DESKTOP)


def test_an_image_only_report_says_so_and_links_its_images(server, browser):
    base, ids = server
    text = visit(browser, f"{base}/-/nianbao/report/{ids[IMAGE_ONLY_URL]}", "report_image_only")
    assert "图片版" in text
    links = browser.find_elements("css selector", "section.nianbao-image-only a")
    assert len(links) == 3 and all(a.get_attribute("href").endswith(".jpg") for a in links)


def test_chinese_search_ranks_and_highlights_the_right_report(server, browser):
    base, _ = server
    browser.get(base + "/-/nianbao/search")
    box = browser.find_element("name", "q")
    box.send_keys("自然资源局")
    box.submit()
    wait_for(browser, lambda d: "nianbao-results" in d.page_source)
    browser.save_screenshot(str(ARTIFACTS / "search.png"))
    first = browser.find_element("css selector", "li.nianbao-result h2").text
    assert "自然资源局" in first
    marks = [m.text for m in browser.find_elements("css selector", "li.nianbao-result mark")]
    assert marks and set(marks) == {"自然资源局"}


def test_report_page_shows_sections_contacts_and_tables(server, browser):
    import json

    base, ids = server
    label = json.loads((CORPUS / "full_2019_a.json").read_text(encoding="utf-8"))
    text = visit(browser, f"{base}/-/nianbao/report/{ids[label['response']['url']]}", "report")
    expected = label["expected"]
    assert expected["title"] in text
    assert all(s["heading"] in text for s in expected["sections"])
    assert expected["contact"]["address"] in text
    tables = browser.find_elements("css selector", "table.nianbao-stats-table")
    assert len(tables) == 3
    assert "自然人" in tables[1].text and "本年新收政府信息公开申请数量" in tables[1].text


def test_chart_draws(server, browser):
    base, _ = server
    browser.get(base + "/-/dashboards/nianbao?province=东江省")
    # vega-embed draws each chart into an <svg> or <canvas> once its data is loaded
    wait_for(browser, lambda d: len(d.find_elements("css selector", ".vega-embed canvas, .vega-embed svg")) >= 2)
    time.sleep(0.5)
    browser.save_screenshot(str(ARTIFACTS / "dashboard.png"))
    text = browser.find_element("tag name", "body").text
    assert "每年报告数" in text and "依申请公开" in text
    metric = browser.find_element("css selector", "#card-reports").text if browser.find_elements(
        "css selector", "#card-reports") else text
    assert "份" in metric


def test_canned_query(server, browser):
    base, _ = server
    text = visit(browser, base + "/demo/requests_by_county?province=东江省", "canned_query")
    assert "各区县每年依申请公开收件与办理结果" in text
    assert "青溪县" in text and "received" in text
