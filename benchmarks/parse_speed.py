"""Parse speed: nianbao's full parse vs bare lxml vs trafilatura, on the same pages.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python benchmarks/parse_speed.py [PAGE.html ...] [--seconds 3]

Prints pages/s for each and the ratio nianbao / trafilatura. Every page is
given as raw bytes, as the crawler has it (GBK pages stay GBK).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import lxml.html

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from parsing import parse_report  # noqa: E402
from parsing.encoding import decode_html  # noqa: E402


def default_pages() -> list[Path]:
    pages = sorted((REPO / "tests/files/reports").glob("*.html"))
    pages += sorted((REPO / "tests/corpus/pages").glob("*.html"))
    return pages


def rate(func, bodies: list[bytes], seconds: float) -> float:
    """Pages per second over whole passes through ``bodies`` for at least ``seconds``."""
    for body in bodies[:3]:
        func(body)
    done, start = 0, time.perf_counter()
    while True:
        for body in bodies:
            func(body)
        done += len(bodies)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return done / elapsed


def nianbao_full(body: bytes):
    report = parse_report(body, "http://bench.example.gov.cn/a.html")
    return report.stats, report.checks, report.sections, report.contact


def bare_lxml(body: bytes):
    return lxml.html.fromstring(body).xpath("//div[@id='zoom']")


def trafilatura_extract(body: bytes):
    import trafilatura

    text, _ = decode_html(body)
    return trafilatura.extract(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", type=Path)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    pages = args.pages or default_pages()
    bodies = [p.read_bytes() for p in pages]
    size = sum(map(len, bodies)) / len(bodies) / 1024
    print(f"{len(bodies)} pages, mean {size:.1f} KB, {args.seconds:.0f} s per contender")
    results = {}
    for name, func in (("nianbao parse_report (sections, contact, tables, checks)", nianbao_full),
                       ("lxml.html.fromstring + one xpath", bare_lxml),
                       ("trafilatura.extract", trafilatura_extract)):
        results[name] = rate(func, bodies, args.seconds)
        print(f"{results[name]:10.1f} pages/s  {name}")
    nianbao, traf = results[list(results)[0]], results["trafilatura.extract"]
    print(f"nianbao / trafilatura = {nianbao / traf:.1f}x")


if __name__ == "__main__":
    main()
