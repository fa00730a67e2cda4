"""Write the WARC fixtures of tests/test_warc.py (run from the repo root:
``.venv/bin/python tests/files/warc/make_fixtures.py``). The files are committed;
the tests do not run this.

- ``wget.warc.gz``: the shape GNU Wget 1.21 writes with ``--warc-file``: WARC/1.0,
  a warcinfo record, then per URL a ``request`` record and a ``response`` record
  (WARC-Concurrent-To the request, WARC-IP-Address, block and payload digests) whose
  HTTP payload is as it came off the wire: ``Transfer-Encoding: chunked`` and
  ``Content-Encoding: gzip``. A TRS list page, two report pages (one UTF-8, one GBK),
  a 详见附件 page and the PDF it links (requested with that page as Referer), a 301,
  a stylesheet and a 404.
- ``heritrix.warc.gz``: the shape Heritrix 3 writes: WARC/1.0, a ``dns:`` response
  record (text/dns), ``response`` then ``request`` then ``metadata`` (via,
  hopsFromSeed, outlinks) per URL, robots.txt, a report page, and a later
  ``revisit`` record (identical-payload-digest) of the same page.
- ``truncated.warc.gz``: ``wget.warc.gz`` cut off inside its fourth record.
- ``damaged.warc``: an uncompressed WARC whose report payload has one byte changed
  after it was written (its block digest no longer matches).
"""
from __future__ import annotations

import gzip
import io
from pathlib import Path

from warcio.warcwriter import WARCWriter

HERE = Path(__file__).parent
FILES = HERE.parent
SITE = "http://www.qingxi.gov.cn"


def chunked(data: bytes, size: int = 1000) -> bytes:
    out = b""
    for start in range(0, len(data), size):
        piece = data[start:start + size]
        out += b"%x\r\n" % len(piece) + piece + b"\r\n"
    return out + b"0\r\n\r\n"


def wire_response(status: str, headers: list[tuple[str, str]], body: bytes, encode: bool = True) -> bytes:
    """An HTTP response as a server sends it: gzip content-coding, then chunked transfer-coding."""
    if encode:
        body = chunked(gzip.compress(body, mtime=0))
        headers = headers + [("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked")]
    else:
        headers = headers + [("Content-Length", str(len(body)))]
    head = f"HTTP/1.1 {status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
    return head.encode("latin-1") + body


def wire_request(url: str, referer: str | None = None) -> bytes:
    path = url.split("/", 3)[3] if url.count("/") >= 3 else ""
    lines = [f"GET /{path} HTTP/1.1", "User-Agent: Wget/1.21.3", "Accept: */*",
             "Accept-Encoding: identity", f"Host: {url.split('/')[2]}", "Connection: Keep-Alive"]
    if referer:
        lines.insert(1, f"Referer: {referer}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")


def record(writer, uri, rec_type, payload: bytes, date: str, **warc_headers):
    return writer.create_warc_record(uri, rec_type, payload=io.BytesIO(payload), length=len(payload),
                                     warc_headers_dict={"WARC-Date": date, **warc_headers})


def write_wget(path: Path) -> None:
    html = [("Server", "nginx"), ("Date", "Mon, 20 Jan 2020 08:00:00 GMT")]
    captures = [
        # url, status, headers, body, referer, content-coded on the wire
        (f"{SITE}/zwgk/xxgknb/index.html", "200 OK", html + [("Content-Type", "text/html")],
         (FILES / "listings" / "trs_index.html").read_bytes(), None, True),
        (f"{SITE}/art/2020/1/20/art_1229425866_3896712.html", "200 OK",
         html + [("Content-Type", "text/html; charset=utf-8"), ("ETag", '"5e255f40-53fd"'),
                 ("Last-Modified", "Mon, 20 Jan 2020 07:58:24 GMT")],
         (FILES / "reports" / "seed_qingtian.html").read_bytes(), f"{SITE}/zwgk/xxgknb/index.html", True),
        (f"{SITE}/xjwz/zwgk/zfxxgk/zfxxgknb/201707/t20170721_1341809.htm", "200 OK",
         html + [("Content-Type", "text/html")],  # GBK bytes, charset only in the page's meta
         (FILES / "reports" / "031.html").read_bytes(), f"{SITE}/zwgk/xxgknb/index.html", True),
        (f"{SITE}/zwgk/xxgknb/202401/t20240125_1.html", "200 OK", html + [("Content-Type", "text/html")],
         (FILES / "pages" / "signals" / "attachment_only.html").read_bytes(), f"{SITE}/zwgk/xxgknb/index.html",
         True),
        (f"{SITE}/zwgk/xxgknb/202401/P020240125.pdf", "200 OK",
         [("Server", "nginx"), ("Content-Type", "application/pdf"), ("Accept-Ranges", "bytes")],
         (FILES / "documents" / "report_2023.pdf").read_bytes(), f"{SITE}/zwgk/xxgknb/202401/t20240125_1.html",
         False),
        (f"{SITE}/zwgk/xxgknb/old.html", "301 Moved Permanently",
         [("Server", "nginx"), ("Location", f"{SITE}/zwgk/xxgknb/index.html"), ("Content-Type", "text/html")],
         b"<html><body>301 Moved Permanently</body></html>", None, False),
        (f"{SITE}/css/main.css", "200 OK", [("Content-Type", "text/css")], b"body{margin:0}\n" * 20,
         f"{SITE}/zwgk/xxgknb/index.html", True),
        (f"{SITE}/zwgk/xxgknb/missing.html", "404 Not Found", [("Content-Type", "text/html")],
         b"<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>",
         None, False),
    ]
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=True, warc_version="1.0")
        writer.write_record(writer.create_warcinfo_record(path.name, {
            "software": "Wget/1.21.3 (linux-gnu)", "format": "WARC File Format 1.0",
            "conformsTo": "http://bibnum.bnf.fr/WARC/WARC_ISO_28500_version1_latestdraft.pdf",
            "robots": "classic", "wget-arguments": f'"--warc-file=qingxi" "-r" "{SITE}/zwgk/xxgknb/index.html"'}))
        for minute, (url, status, headers, body, referer, encode) in enumerate(captures):
            date = f"2020-01-20T08:{minute:02d}:00Z"
            request = record(writer, url, "request", wire_request(url, referer), date)
            response = record(writer, url, "response", wire_response(status, headers, body, encode), date,
                              **{"WARC-IP-Address": "10.10.0.8",
                                 "WARC-Concurrent-To": request.rec_headers.get_header("WARC-Record-ID")})
            writer.write_record(request)   # wget writes the request first
            writer.write_record(response)


def write_heritrix(path: Path) -> None:
    page = f"{SITE}/xxgk/xxgknb/201101/t20110110_2367304.htm"
    body = (FILES / "reports" / "044.html").read_bytes()
    headers = [("Server", "Apache"), ("Content-Type", "text/html")]
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=True, warc_version="1.0")
        writer.write_record(writer.create_warcinfo_record(path.name, {
            "software": "Heritrix/3.4.0-20200304 http://crawler.archive.org", "format": "WARC File Format 1.0",
            "isPartOf": "qingxi-nb", "robots": "obey", "http-header-user-agent": "Mozilla/5.0 (compatible; heritrix/3.4.0)"}))
        writer.write_record(record(writer, "dns:www.qingxi.gov.cn", "response",
                                   b"20110301080000\nwww.qingxi.gov.cn.\t300\tIN\tA\t10.10.0.8\n",
                                   "2011-03-01T08:00:00Z", **{"Content-Type": "text/dns"}))
        for n, (url, status, hdrs, data, via) in enumerate([
            (f"{SITE}/robots.txt", "200 OK", [("Content-Type", "text/plain")], b"User-agent: *\nDisallow:\n", None),
            (page, "200 OK", headers, body, f"{SITE}/xxgk/xxgknb/index.html"),
        ]):
            date = f"2011-03-01T08:0{n + 1}:00Z"
            response = record(writer, url, "response", wire_response(status, hdrs, data, encode=False), date,
                              **{"WARC-IP-Address": "10.10.0.8"})
            response_id = response.rec_headers.get_header("WARC-Record-ID")
            writer.write_record(response)
            writer.write_record(record(writer, url, "request", wire_request(url, via), date,
                                       **{"WARC-Concurrent-To": response_id}))
            meta = (f"via: {via}\r\nhopsFromSeed: L\r\nsourceTag: qingxi\r\nfetchTimeMs: 87\r\n"
                    f"outlinks: {SITE}/css/main.css E =LINK_MISC\r\n" if via else "fetchTimeMs: 12\r\n")
            writer.write_record(record(writer, url, "metadata", meta.encode(), date,
                                       **{"WARC-Concurrent-To": response_id,
                                          "Content-Type": "application/warc-fields"}))
        # a later crawl: the same bytes again, deduplicated by Heritrix as a revisit record
        first = response
        http = wire_response("200 OK", headers, b"", encode=False).replace(b"Content-Length: 0",
                                                                           b"Content-Length: %d" % len(body))
        revisit = writer.create_revisit_record(
            page, first.rec_headers.get_header("WARC-Payload-Digest"), page,
            first.rec_headers.get_header("WARC-Date"),
            http_headers=None, warc_headers_dict={"WARC-Date": "2011-06-01T08:00:00Z"})
        revisit.http_headers = writer.parser.parse(io.BytesIO(http))
        writer.write_record(revisit)


def write_damaged(path: Path, source: Path) -> None:
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=False, warc_version="1.1")
        body = (FILES / "reports" / "seed_qingtian.html").read_bytes()
        writer.write_record(record(writer, f"{SITE}/art/2020/1/20/art_1.html", "response",
                                   wire_response("200 OK", [("Content-Type", "text/html")], body, encode=False),
                                   "2020-01-20T08:00:00Z"))
    data = bytearray(path.read_bytes())
    at = data.index("总体情况".encode()) + 1
    data[at] ^= 0x01  # one bit flipped in the payload after the digests were written
    path.write_bytes(bytes(data))


def main() -> None:
    wget = HERE / "wget.warc.gz"
    write_wget(wget)
    write_heritrix(HERE / "heritrix.warc.gz")
    data = wget.read_bytes()
    (HERE / "truncated.warc.gz").write_bytes(data[: len(data) * 2 // 5])
    write_damaged(HERE / "damaged.warc", wget)
    for name in sorted(p.name for p in HERE.iterdir() if ".warc" in p.name):
        print(name, (HERE / name).stat().st_size)


if __name__ == "__main__":
    main()
