"""Anti-bot answers as county portals serve them (PORTALS.md §6); nianbao must record them
as blocked, never solve them and never store them as reports.

- ``ruishu_412``: 瑞数 (RS) dynamic protection: HTTP 412 Precondition Failed, an almost empty
  page with a ``<meta>`` token, an inline ``$_ts`` script, an external obfuscated script and a
  ``…80S`` cookie to be recomputed by the script.
- ``wzws``: 网站卫士 (WZWS) style: HTTP 200 whose whole body is a JavaScript challenge that
  redirects to ``/WZWS…?wzwschallenge=…``.

Bodies are derived from the path by hashing, so they are deterministic but differ per URL.
"""
from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from .render import Page


def _token(path: str, salt: str, length: int) -> str:
    digest = hashlib.sha256((salt + path).encode()).digest() * 4
    return base64.b64encode(digest).decode("ascii").replace("+", "").replace("/", "")[:length]


def ruishu_page(path: str) -> Page:
    meta, ts, js = _token(path, "meta", 64), _token(path, "ts", 96), _token(path, "js", 8)
    body = ('<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
            f'<meta id="9DhefwqGPrzGxEp9hPaoag" content="{meta}" r=\'m\'>'
            f'<script type="text/javascript" r=\'m\'>$_ts=window[\'$_ts\'];if(!$_ts)$_ts={{}};$_ts.nsd=48213;'
            f'$_ts.cd="{ts}";</script>'
            f'<script type="text/javascript" charset="utf-8" src="/{js}/c.FxJzG50F.dfe1675.js" r=\'m\'></script>'
            '</head><body></body></html>')
    cookie = f"FSSBBIl1UgzbN7N80S={_token(path, 'cookie', 40)}; Path=/; expires=Fri, 01 Jan 2100 00:00:00 GMT; HttpOnly"
    return Page(body.encode("utf-8"), "text/html; charset=utf-8", status=412, headers=(("Set-Cookie", cookie),),
                validators=False)


def wzws_page(path: str) -> Page:
    challenge, x = _token(path, "wzws", 32), _token(path, "wzwsx", 24)
    target = base64.b64encode(path.encode("utf-8")).decode("ascii")
    body = ('<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
            '<meta http-equiv="Cache-Control" content="no-cache"></head><body>'
            '<script type="text/javascript">'
            f'var wzwschallenge="{challenge}";var wzwschallengex="{x}";'
            'var encoderchars="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";'
            'function KTKY2RBD9NHPBCIHV9ZMEQQDARSLVFDU(str){var out,i,len,c1,c2,c3;len=str.length;i=0;out="";'
            'while(i<len){c1=str.charCodeAt(i++)&0xff;out+=encoderchars.charAt(c1>>2);}return out;}'
            'function HXXTTKKLLPPP5(){var confirm=wzwschallenge+wzwschallengex;var tmp=0;'
            'for(var i=0;i<confirm.length;i++){tmp+=confirm.charCodeAt(i);}tmp*=215;tmp+=0x1F4;'
            'return "WZWS_CONFIRM_PREFIX_LABEL5"+tmp;}'
            'document.cookie="wzwschallenge="+KTKY2RBD9NHPBCIHV9ZMEQQDARSLVFDU(HXXTTKKLLPPP5())+"; path=/";'
            f'window.location="/WZWSRE{target}?wzwschallenge="+KTKY2RBD9NHPBCIHV9ZMEQQDARSLVFDU(HXXTTKKLLPPP5());'
            '</script></body></html>')
    return Page(body.encode("utf-8"), "text/html; charset=utf-8", validators=False)


@dataclass(frozen=True)
class Challenge:
    status: int
    page: callable  # path -> Page


CHALLENGES = {"ruishu_412": Challenge(412, ruishu_page), "wzws": Challenge(200, wzws_page)}
