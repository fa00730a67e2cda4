"""nianbao's Datasette in a real browser (Debian's chromium driven by Selenium through /usr/bin/chromedriver).

Asserts on the text a person sees, and saves a screenshot of every page under
test-artifacts/browser/ (gitignored; CI keeps it as an artifact). Skipped, with
the reason, where chromium or its driver is not installed.
"""
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from tests.test_datasette_fixtures import CORPUS, build_corpus_archive

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "browser"

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
pytestmark = pytest.mark.skipif(
    not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
    reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver fonts-noto-cjk)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The archive served as `nianbao serve` serves it, on 127.0.0.1, for this module."""
    import uvicorn

    from archive.serve import make_datasette

    path = tmp_path_factory.mktemp("browser") / "demo.db"
    ids = build_corpus_archive(path)
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


def test_home_page(server, browser):
    base, _ = server
    text = visit(browser, base + "/", "home")
    assert "nianbao 年报" in text and "reports" in text


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
