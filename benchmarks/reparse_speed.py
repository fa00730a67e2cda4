"""Reparse speed: `reparse_archive` over a generated archive of stored report pages.

    .venv/bin/python benchmarks/reparse_speed.py [--reports 10000] [--jobs 2,1] [--db PATH] [--profile DIR]

Builds an archive of N stored report responses (variations of the real saved
pages in tests/files/reports/*.html and tests/corpus/pages/*.html: issuer,
years and the numbers in the text changed so every body differs; served GBK or
UTF-8 as the source page was, with a portal's chrome around the article and the
headers a real server sends). The archive is built the fast way: bodies and
ledger rows are written with the archive's own ``put_body``/``record_response``
(what a crawl writes before parsing), no report rows; the first reparse then
derives every report. Then ``reparse_archive`` runs again with each ``--jobs``
value (a rebuild: it deletes and rewrites every derived table) and the rate is
printed (responses replayed and reports written per second).

``--build ingest`` builds through ``archive.ingest.ingest`` instead (one
transaction per page, as a crawl does) and prints that rate too.

``--profile DIR`` also runs one cProfile'd reparse (main process; the workers'
parse is profiled separately in-process on the same rows) and prints the top
functions by cumulative and internal time (pstats files kept in DIR).

Other benchmarks import ``generate_responses`` and ``build_archive`` from here.
"""
from __future__ import annotations

import argparse
import hashlib
import random
import re
import sys
import time
from dataclasses import dataclass
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from archive.raw import RawResponse  # noqa: E402
from archive.store import Archive, open_archive  # noqa: E402
from parsing import decode_html, parse_report  # noqa: E402

DEPARTMENTS = ("人民政府", "人民政府办公室", "财政局", "教育局", "卫生健康局", "自然资源局", "生态环境局",
               "市场监督管理局", "交通运输局", "农业农村局", "民政局", "司法局", "住房和城乡建设局", "应急管理局")
# Characters for made-up place names (common in real ones).
PLACE_CHARS = "青云石桃溪岭门川源湾平安宁德化兴隆泰昌华阳山水河江海城林丰乐康福寿永清明新"
COLUMN_NAMES = ("政府信息公开指南", "政府信息公开制度", "法定主动公开内容", "政府信息公开年报", "政策文件",
                "政策解读", "财政预决算", "重大建设项目", "公共资源配置", "社会公益事业", "人事信息", "应急管理",
                "新闻中心", "部门动态", "乡镇动态", "通知公告", "政民互动", "办事服务", "数据开放", "专题专栏")
# A number in running text or a table cell (not a year, a month or a day): changed per page.
NUMBER_RE = re.compile(r"(?<=[>\u4e00-\u9fff，。：；、（(　 ])(\d{1,6})(?=[<\u4e00-\u9fff，。；、)）%　 ])")
YEAR_RE = re.compile(r"(?<!\d)(19[89]\d|20[0-2]\d)(?=年|-|/|\.)")
CST = timezone(timedelta(hours=8))


def source_pages() -> list[Path]:
    pages = sorted((REPO / "tests/files/reports").glob("*.html"))
    pages += sorted((REPO / "tests/corpus/pages").glob("*.html"))
    return pages


@dataclass
class Source:
    path: Path
    text: str
    encoding: str           # how the page is served again: 'gbk' or 'utf-8'
    issuer: str | None
    year: int | None


def load_sources() -> list[Source]:
    sources = []
    for path in source_pages():
        body = path.read_bytes()
        text, encoding = decode_html(body)
        report = parse_report(body, "http://bench.invalid/a.html")
        served = "gbk" if encoding in ("gb18030", "gbk", "gb2312") else "utf-8"
        sources.append(Source(path, text, served, report.issuer, report.year))
    return sources


def portal_chrome(host: str, site: str, rng: random.Random) -> tuple[str, str]:
    """A portal's header (navigation) and footer (link lists, scripts), the same on every page of a host:
    real report pages are mostly chrome (a 47 KB page holds ~8 KB of report)."""
    nav = "".join(f'<li><a href="/{i}/index.html">{name}</a></li>'
                  for i, name in enumerate(rng.sample(COLUMN_NAMES, 12)))
    side = "".join(f'<li><a href="/zwgk/{i}/index.html" title="{name}">{name}</a></li>'
                   for i, name in enumerate(rng.sample(COLUMN_NAMES, 16)))
    links = "".join(f'<li><a href="http://www.{rng.choice("abcdefgh")}{i}.gov.cn/" target="_blank">'
                    f'{rng.choice(PLACE_CHARS)}{rng.choice(PLACE_CHARS)}县人民政府</a></li>' for i in range(40))
    script = ("<script type=\"text/javascript\">var _hmt=_hmt||[];(function(){var hm=document.createElement('script');"
              "hm.src='https://hm.baidu.com/hm.js?" + hashlib.md5(host.encode()).hexdigest() + "';"
              "var s=document.getElementsByTagName('script')[0];s.parentNode.insertBefore(hm,s);})();"
              "function doZoom(size){document.getElementById('zoom').style.fontSize=size+'px';}"
              + "".join(f"function f{i}(a,b){{return document.getElementById(a+'_{i}').innerHTML=b;}}"
                        for i in range(60)) + "</script>")
    style = "<style>" + "".join(f".c{i}{{margin:{i}px;padding:{i % 7}px;color:#{i * 9973 % 0xffffff:06x};}}"
                                for i in range(150)) + "</style>"
    header = (f'{style}<div class="top"><div class="logo">{site}</div><ul class="nav">{nav}</ul></div>'
              f'<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; '
              f'<a href="/zwgk/xxgknb/">政府信息公开年报</a></div><div class="left"><ul class="menu">{side}</ul></div>')
    footer = (f'<div class="links"><h3>友情链接</h3><ul>{links}</ul></div>'
              f'<div class="footer"><p>主办：{site} 承办：{site}办公室</p><p>地址：{site[:3]}城关镇人民路1号 '
              f'电话：0{rng.randint(300, 999)}-{rng.randint(1000000, 9999999)}</p><p>网站标识码：{rng.randint(10**9, 10**10)} '
              f'ICP备{rng.randint(10**7, 10**8)}号</p></div>{script}')
    return header, footer


def _other_number(m: re.Match, rng: random.Random) -> str:
    """A count changed by -50 %..+60 %; dates (a year, 月, 日) stay as they are."""
    digits, after, before = m.group(1), m.string[m.end():m.end() + 1], m.string[m.start() - 1:m.start()]
    if after in "年月日号" or before in "年月" or YEAR_RE.fullmatch(digits + "年"):
        return digits
    return str(max(0, int(int(digits) * rng.uniform(0.5, 1.6))))


def vary(source: Source, issuer: str, year: int, rng: random.Random, header: str, footer: str) -> str:
    """The source page as another issuer's report for another year, with other figures."""
    text = source.text
    if source.issuer:
        text = text.replace(source.issuer, issuer)
    shift = year - source.year if source.year else 0
    text = NUMBER_RE.sub(lambda m: _other_number(m, rng), text)
    if shift:
        text = YEAR_RE.sub(lambda m: str(int(m.group(1)) + shift), text)
    body_at = text.find(">", text.lower().find("<body")) + 1 if "<body" in text.lower() else 0
    end = text.lower().rfind("</body>")
    end = end if end >= 0 else len(text)
    return text[:body_at] + header + text[body_at:end] + footer + text[end:]


def generate_responses(n: int, seed: int = 11, hosts: int = 20, refetch: float = 0.0):
    """N report responses (and, with ``refetch``, that share of them fetched again with the
    same bytes, as a re-crawl does): RawResponse objects in fetch order."""
    rng = random.Random(seed)
    sources = load_sources()
    portals = []
    for h in range(hosts):
        county = rng.choice(PLACE_CHARS) + rng.choice(PLACE_CHARS) + "县"
        host = f"www.{hashlib.md5(county.encode() + bytes([h])).hexdigest()[:8]}.gov.cn"
        portals.append((host, county, *portal_chrome(host, county + "人民政府", rng)))
    started = datetime(2025, 3, 1, tzinfo=timezone.utc)
    served = []
    for i in range(n):
        source = sources[i % len(sources)]
        host, county, header, footer = portals[i % hosts]
        issuer = county + rng.choice(DEPARTMENTS)
        year = rng.randint(2012, 2024)
        html = vary(source, issuer, year, rng, header, footer)
        body = html.encode(source.encoding, errors="xmlcharrefreplace")
        published = datetime(year + 1, rng.randint(1, 3), rng.randint(1, 28), 9, tzinfo=CST)
        headers = [("Server", "nginx"), ("Date", format_datetime(started, usegmt=True)),
                   ("Content-Type", "text/html" if source.encoding == "gbk" else "text/html; charset=utf-8"),
                   ("Content-Length", str(len(body))),
                   ("Last-Modified", format_datetime(published.astimezone(timezone.utc), usegmt=True)),
                   ("ETag", '"' + hashlib.md5(body).hexdigest()[:16] + '"'), ("Accept-Ranges", "bytes"),
                   ("X-Frame-Options", "SAMEORIGIN")]
        url = f"http://{host}/zwgk/xxgknb/{published:%Y%m}/t{published:%Y%m%d}_{100000 + i}.html"
        raw = RawResponse(url=url, status=200, headers=headers, body=body, final_url=url,
                          fetched_at=(started + timedelta(seconds=i)).isoformat(timespec="seconds"),
                          route="report", portal_url=f"http://{host}/", link_title=f"{issuer}{year}年政府信息公开工作年度报告")
        served.append(raw)
        yield raw
    again = rng.sample(served, int(len(served) * refetch)) if refetch else []
    for k, raw in enumerate(again):
        yield RawResponse(url=raw.url, status=200, headers=raw.headers, body=raw.body, final_url=raw.url,
                          fetched_at=(started + timedelta(days=30, seconds=k)).isoformat(timespec="seconds"),
                          route="report", portal_url=raw.portal_url, link_title=raw.link_title)


def build_archive(path: Path, n: int, *, how: str = "direct", seed: int = 11, refetch: float = 0.0,
                  quiet: bool = False) -> tuple[Archive, float, int]:
    """A fresh archive at ``path`` with N report responses. ``direct``: bodies and ledger rows
    only (derive with reparse); ``ingest``: through archive.ingest.ingest, one transaction each.
    Returns (archive, seconds, raw bytes served)."""
    from archive.ingest import ingest

    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    archive = open_archive(str(path))
    served = 0
    started = time.perf_counter()
    if how == "ingest":
        for k, raw in enumerate(generate_responses(n, seed, refetch=refetch)):
            served += len(raw.body)
            ingest(archive, raw)
            if not quiet and k % 1000 == 999:
                print(f"  ingested {k + 1}", file=sys.stderr)
    else:
        with archive.transaction():
            for raw in generate_responses(n, seed, refetch=refetch):
                served += len(raw.body)
                sha = raw.sha256
                archive.put_body(raw.body, sha)
                archive.record_response(url=raw.url, outcome="stored", portal_id=archive.portal_id(raw.portal_url),
                                        final_url=raw.final_url, method=raw.method, status=raw.status,
                                        headers=raw.headers, body_sha256=sha, fetched_at=raw.fetched_at,
                                        route=raw.route, title=raw.link_title)
    return archive, time.perf_counter() - started, served


def timed_reparse(archive: Archive, jobs: int) -> tuple[float, object]:
    from archive.reparse import reparse_archive

    started = time.perf_counter()
    result = reparse_archive(archive, jobs=jobs)
    return time.perf_counter() - started, result


def profile(archive: Archive, jobs: int, out: Path, top: int = 25) -> None:
    """cProfile of one reparse in this (the storing) process, and of the workers' part
    (_read over the same rows) in-process."""
    import cProfile
    import pstats

    from archive.reparse import _read, _rows

    out.mkdir(parents=True, exist_ok=True)
    main = cProfile.Profile()
    main.enable()
    timed_reparse(archive, jobs)
    main.disable()
    main.dump_stats(out / f"reparse_main_jobs{jobs}.pstats")
    worker = cProfile.Profile()
    rows = list(_rows(archive))
    worker.enable()
    for row in rows:
        _read(row)
    worker.disable()
    worker.dump_stats(out / "reparse_worker_read.pstats")
    for name, prof in ((f"main process, reparse --jobs {jobs}", main), ("worker: _read (decode + parse_report)", worker)):
        for key in ("tottime", "cumulative"):
            print(f"\n=== {name}, top {top} by {key} ===")
            pstats.Stats(prof).sort_stats(key).print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=10000, help="report pages to store (default 10000)")
    parser.add_argument("--jobs", default="2,1", help="comma-separated --jobs values to time (default 2,1)")
    parser.add_argument("--db", type=Path, default=Path("/tmp/nianbao-bench-reparse.db"))
    parser.add_argument("--build", choices=("direct", "ingest"), default="direct")
    parser.add_argument("--reuse", action="store_true", help="reuse --db as it is (skip the build)")
    parser.add_argument("--profile", type=Path, metavar="DIR", help="also profile one reparse (pstats in DIR)")
    args = parser.parse_args()

    if args.reuse and args.db.exists():
        archive = open_archive(str(args.db))
    else:
        archive, seconds, served = build_archive(args.db, args.reports, how=args.build)
        n = archive.conn.execute("select count(*) from responses").fetchone()[0]
        print(f"built {args.db}: {n} responses, {served / n / 1024:.1f} KB mean body, "
              f"{served / 2**20:.0f} MB served, via {args.build} in {seconds:.1f}s ({n / seconds:.0f} responses/s)")
        if args.build == "direct":
            seconds, result = timed_reparse(archive, 2)
            print(f"first reparse (derive every report, --jobs 2): {result.responses} responses -> "
                  f"{result.reports} reports in {seconds:.1f}s = {result.responses / seconds:.0f} responses/s")
    for jobs in (int(j) for j in args.jobs.split(",") if j):
        seconds, result = timed_reparse(archive, jobs)
        print(f"reparse --jobs {jobs}: {result.responses} responses -> {result.reports} reports in {seconds:.1f}s = "
              f"{result.responses / seconds:.0f} responses/s, {result.reports / seconds:.0f} reports/s")
    if args.profile:
        profile(archive, 2, args.profile)
    archive.close()


if __name__ == "__main__":
    main()
