"""Anti-bot and WAF pages: a response that is a challenge or a block, not the page.

Pure: status, headers and body in, a short reason out. The reasons are the
families a crawler meets on Chinese government portals (PORTALS.md §6):

- "ruishu": 瑞数 (River Security) dynamic defence: a 412 (or 200/202) whose
  page is a ``<meta id=… r='m'>`` plus a ``$_ts`` script and an external script
  that computes the cookie.
- "wzws": 网站卫士 / WZWS: a ``wzws_cid`` cookie and a redirect to ``/WZWSRE…``
  with ``wzwschallenge``.
- "safedog": 安全狗 block pages (``safedog`` in the Server header or the page).
- "waf": any other firewall's block page (您的访问被拦截 / 访问被拒绝 …).
- "js-challenge": a page with no text of its own whose script sets a cookie and
  reloads or redirects (加速乐's 521 ``__jsl_clearance``, 云锁 YunSuoAutoJump …).

A report page that merely contains scripts has text of its own and none of the
markers, and gives None.
"""
from __future__ import annotations

import re

from .chinese import cjk_count

# Where challenge markers are looked for: they sit in the first kilobytes.
SCAN_BYTES = 65536
CHALLENGE_STATUSES = {202, 403, 405, 412, 418, 429, 503, 521}
# A challenge or block page says almost nothing: fewer Chinese characters than this outside its scripts.
CHALLENGE_MAX_CJK = 200

RUISHU_RE = re.compile(r"\$_ts\s*=\s*window\[\s*['\"]\$_ts['\"]\s*\]|\$_ts\.(?:nsd|cd)\s*=|<meta[^>]+\br=['\"]m['\"]", re.I)
WZWS_RE = re.compile(r"wzws_cid|/WZWSRE|wzwschallenge|WZWS_CONFIRM", re.I)
SAFEDOG_RE = re.compile(r"safedog|安全狗", re.I)
WAF_RE = re.compile(r"您的访问被拦截|访问被拦截|已被拦截|访问被拒绝|拒绝访问|网站防火墙|应用防火墙|Web应用防火墙|"
                    r"访问请求被阻断|疑似黑客攻击|Access Denied|Request Blocked|Forbidden by WAF", re.I)
# A script that sets a cookie and then reloads or leaves the page.
COOKIE_SET_RE = re.compile(r"document\.cookie\s*=", re.I)
NAVIGATE_RE = re.compile(r"location(?:\.href)?\s*=|location\.(?:replace|assign|reload)\s*\(|self\.location|"
                         r"setTimeout\(|http-equiv=['\"]?refresh", re.I)
SCRIPT_STYLE_RE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.I | re.S)
TAG_RE = re.compile(r"<[^>]*>")
# Cookies these systems set: 加速乐 __jsluid/__jsl_clearance, WZWS wzws_cid.
JSL_COOKIE_RE = re.compile(r"__jsluid|__jsl_clearance", re.I)


def _header_values(headers: dict[str, str] | list[tuple[str, str]] | None, name: str) -> list[str]:
    items = headers.items() if isinstance(headers, dict) else (headers or [])
    out = []
    for key, value in items:
        key = key.decode("latin-1") if isinstance(key, bytes) else str(key)
        if key.lower() == name:
            values = value if isinstance(value, (list, tuple)) else [value]
            out += [v.decode("latin-1") if isinstance(v, bytes) else str(v) for v in values]
    return out


def _decode(body: bytes | str) -> str:
    if isinstance(body, str):
        return body[:SCAN_BYTES]
    # Markers are ASCII and the Chinese phrases are looked for in both encodings.
    head = body[:SCAN_BYTES]
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError:
        return head.decode("gb18030", errors="replace")


def visible_cjk(text: str) -> int:
    """Chinese characters a reader would see: outside scripts, styles and tags."""
    return cjk_count(TAG_RE.sub(" ", SCRIPT_STYLE_RE.sub(" ", text)))


def detect_block(status: int, headers: dict[str, str] | list[tuple[str, str]] | None,
                 body: bytes | str) -> str | None:
    """The anti-bot system or firewall that answered instead of the page, or None."""
    text = _decode(body or b"")
    cookies = " ".join(_header_values(headers, "set-cookie"))
    server = " ".join(_header_values(headers, "server"))
    quiet = visible_cjk(text) < CHALLENGE_MAX_CJK
    if quiet and RUISHU_RE.search(text):
        return "ruishu"
    if WZWS_RE.search(cookies) or (quiet and WZWS_RE.search(text)):
        return "wzws"
    if SAFEDOG_RE.search(server) or (quiet and SAFEDOG_RE.search(text)):
        return "safedog"
    if quiet and WAF_RE.search(text) and (status in CHALLENGE_STATUSES or status == 200):
        return "waf"
    challenge_script = COOKIE_SET_RE.search(text) and NAVIGATE_RE.search(text)
    if quiet and challenge_script:
        return "js-challenge"
    if status in (412, 521) and (JSL_COOKIE_RE.search(cookies) or "<script" in text.lower()) and quiet:
        return "js-challenge"
    return None
