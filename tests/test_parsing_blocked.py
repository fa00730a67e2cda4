"""detect_block: anti-bot challenges and WAF pages, from saved raw responses."""
from pathlib import Path

import pytest

from archive.raw import parse_http_message
from parsing.blocked import detect_block

FILES = Path(__file__).parent / "files"
BLOCKED = FILES / "pages" / "blocked"


def load_response(path: Path) -> tuple[int, list[tuple[str, str]], bytes]:
    """A saved raw HTTP response (status line, headers, blank line, body), read as the archive reads one."""
    raw = parse_http_message(path.read_bytes(), url="http://example.gov.cn/" + path.name)
    return raw.status, raw.headers, raw.body


@pytest.mark.parametrize("name, reason", [
    ("ruishu_412.http", "ruishu"),      # 412 + $_ts script + external cookie script
    ("ruishu_200.http", "ruishu"),      # the same challenge behind a 200
    ("wzws_200.http", "wzws"),          # wzws_cid cookie, meta refresh to /WZWSRE…
    ("safedog_403.http", "safedog"),    # 安全狗 block page
    ("waf_405.http", "waf"),            # 您的访问被拦截
    ("jsl_521.http", "js-challenge"),   # 加速乐 521 + obfuscated document.cookie
    ("js_cookie_200.http", "js-challenge"),  # 200 whose body is only a cookie-and-redirect script
])
def test_saved_challenges_and_blocks(name, reason):
    status, headers, body = load_response(BLOCKED / name)
    assert detect_block(status, headers, body) == reason
    assert detect_block(status, dict(headers), body) == reason  # headers as a dict too


def test_wzws_cookie_alone_is_enough():
    assert detect_block(200, {"Set-Cookie": "wzws_cid=abc; path=/"}, b"<html><body></body></html>") == "wzws"


def test_a_412_with_a_cookie_script_is_a_challenge_even_without_markers():
    body = b"<html><script>document.cookie='k=1';location.reload()</script></html>"
    assert detect_block(412, {}, body) == "js-challenge"


PAGES = sorted(p for p in [*(FILES / "reports").glob("*.html"), *(FILES / "listings").glob("*.htm*"),
                           *(Path(__file__).parent / "corpus" / "pages").glob("*.html")])


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_ordinary_pages_with_scripts_are_not_blocks(path):
    assert detect_block(200, {"Content-Type": "text/html"}, path.read_bytes()) is None


def test_a_report_that_quotes_a_cookie_script_is_not_a_block():
    prose = "根据《中华人民共和国政府信息公开条例》，现公布本县政府信息公开工作年度报告。" * 10
    body = (f"<html><body><div id='zoom'><p>{prose}</p></div>"
            "<script>document.cookie='font=16';location.href='#top'</script></body></html>").encode()
    assert detect_block(200, {}, body) is None
