"""Parse speed: nianbao's full parse vs bare lxml vs trafilatura, on the same pages.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python benchmarks/parse_speed.py [PAGE.html ...] [--seconds 3]

Prints pages/s and ms per page (wall clock, and CPU time of this process, which other
work on a shared machine does not inflate) for each, nianbao's CPU time as a multiple of
bare lxml's, and trafilatura's as a multiple of nianbao's. Every page is given as raw
bytes, as the crawler has it (GBK pages stay GBK). ``--generated-gbk``: instead, the
largest GBK page of benchmarks/reparse_speed.py's generated portal (a saved GBK report
inside a portal's chrome, 40 KB). ``--before DIR`` adds the parser of another checkout
(``git archive REV parsing | tar -x -C DIR``) as a fourth contender, in the same process.

    .venv/bin/python benchmarks/parse_speed.py --snapshot /tmp/parse-before.json
    .venv/bin/python benchmarks/parse_speed.py --check /tmp/parse-before.json

An optimisation must not change a single field: ``--snapshot`` writes every field of
``parse_report`` (``Report.to_dict``) for every saved page (tests/files, tests/corpus with
its Content-Type, the demo portal, ../shared/corpus/html, the generated benchmark pages,
and each page cut short at a third and two thirds, as damaged pages are); ``--check``
parses them again and names every page whose output differs.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
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


def equality_pages() -> list[tuple[str, bytes, str | None, str | None]]:
    """(name, body, url, content_type) for every saved page, and each cut short."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    from parsing.evaluate import read_fixture
    from tests.fixtures import corpus_fixtures

    pages = []
    for path in sorted(REPO.glob("tests/files/**/*")):
        if path.suffix in (".html", ".htm", ".shtml", ".http", ".xml"):
            pages.append((str(path.relative_to(REPO)), path.read_bytes(), "http://saved.example.gov.cn/a.html", None))
    for path in corpus_fixtures():
        fixture = read_fixture(path)
        pages.append((str(path.relative_to(REPO)), fixture.body, fixture.url, fixture.content_type))
    for path in sorted((REPO.parent / "shared/corpus/html").glob("*.html")):
        pages.append((path.name, path.read_bytes(), None, None))
    import demo_portal.site
    for site in (demo_portal.site.build_site(), demo_portal.site.build_site(corrected=True)):
        for key, page in sorted(site.items()):
            if "html" in page.content_type:
                pages.append(("demo" + key, page.body, "http://demo.invalid" + key, page.content_type))
    from reparse_speed import generate_responses
    for raw in generate_responses(60, seed=5):
        pages.append((raw.url, raw.body, raw.url, dict(raw.headers)["Content-Type"]))
    cut = []
    for name, body, url, content_type in pages:
        for third in (1, 2):
            cut.append((f"{name}[:{third}/3]", body[:len(body) * third // 3], url, content_type))
    return pages + cut


def snapshot() -> dict[str, dict]:
    out = {}
    for name, body, url, content_type in equality_pages():
        key = name
        while key in out:
            key += "'"
        out[key] = parse_report(body, url, content_type).to_dict()
    return out


def check(path: Path) -> int:
    before = json.loads(path.read_text())
    after = json.loads(json.dumps(snapshot(), ensure_ascii=False))
    differ = [name for name in before if before[name] != after.get(name)] + [n for n in after if n not in before]
    for name in differ:
        fields = [k for k in (before.get(name) or {}) if (after.get(name) or {}).get(k) != before[name][k]]
        print(f"DIFFERS {name}: {fields}")
    print(f"{len(before)} parses compared, {len(differ)} differ")
    return 1 if differ else 0


def rate(func, bodies: list[bytes], seconds: float) -> tuple[int, float, float]:
    """(pages, wall seconds, CPU seconds) over whole passes through ``bodies`` for at least ``seconds``."""
    done, start, cpu = 0, time.perf_counter(), time.process_time()
    while True:
        for body in bodies:
            func(body)
        done += len(bodies)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return done, elapsed, time.process_time() - cpu


def other_parser(checkout: Path):
    """parse_report of another checkout's parsing package (``git archive REV parsing | tar -x -C DIR``),
    loaded beside this one under another name, so that both run in one process, interleaved."""
    spec = importlib.util.spec_from_file_location("parsing_before", checkout / "parsing" / "__init__.py",
                                                  submodule_search_locations=[str(checkout / "parsing")])
    module = importlib.util.module_from_spec(spec)
    sys.modules["parsing_before"] = module
    spec.loader.exec_module(module)
    return lambda body: module.parse_report(body, "http://bench.example.gov.cn/a.html").stats


def generated_gbk_page() -> tuple[str, bytes]:
    """The largest GBK page of the reparse benchmark's generated portal (a saved GBK report with
    a portal's chrome around it: navigation, link lists, scripts, styles), as served."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    from reparse_speed import generate_responses

    gbk = [raw for raw in generate_responses(46) if "charset=utf-8" not in dict(raw.headers)["Content-Type"]]
    page = max(gbk, key=lambda raw: len(raw.body))
    return page.url, page.body


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
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--before", type=Path, metavar="DIR",
                        help="also time the parser of another checkout (a directory holding parsing/)")
    parser.add_argument("--generated-gbk", action="store_true",
                        help="parse the largest GBK page of benchmarks/reparse_speed.py's generated portal")
    parser.add_argument("--snapshot", type=Path, help="write every parse of the saved pages to this JSON file")
    parser.add_argument("--check", type=Path, help="parse the saved pages again and compare with a --snapshot file")
    args = parser.parse_args()
    if args.snapshot:
        parses = snapshot()
        args.snapshot.write_text(json.dumps(parses, ensure_ascii=False))
        print(f"{len(parses)} parses written to {args.snapshot}")
        return
    if args.check:
        sys.exit(check(args.check))
    if args.generated_gbk:
        url, body = generated_gbk_page()
        names, bodies = [url], [body]
    else:
        pages = args.pages or default_pages()
        names, bodies = [str(p) for p in pages], [p.read_bytes() for p in pages]
    size = sum(map(len, bodies)) / len(bodies) / 1024
    print(f"{len(bodies)} pages ({names[0]}{' …' if len(names) > 1 else ''}), mean {size:.1f} KB, "
          f"{args.seconds:.0f} s per contender in {args.rounds} interleaved rounds")
    contenders = [("nianbao parse_report (sections, contact, tables, checks)", nianbao_full),
                  ("lxml.html.fromstring + one xpath", bare_lxml),
                  ("trafilatura.extract", trafilatura_extract)]
    if args.before:
        contenders.append((f"nianbao parse_report from {args.before}", other_parser(args.before)))
    totals = {name: [0, 0.0, 0.0] for name, _ in contenders}
    for name, func in contenders:  # warm up: imports, caches of the first pages
        for body in bodies[:3]:
            func(body)
    # Rounds alternate the contenders, so a change of load on a shared machine falls on all of them.
    for _ in range(args.rounds):
        for name, func in contenders:
            for i, value in enumerate(rate(func, bodies, args.seconds / args.rounds)):
                totals[name][i] += value
    cpu_ms = {}
    for name, (done, wall, cpu) in totals.items():
        cpu_ms[name] = cpu / done * 1000
        print(f"{done / wall:10.1f} pages/s {wall / done * 1000:7.2f} ms/page wall {cpu_ms[name]:7.2f} ms/page CPU  {name}")
    nianbao, lxml_ms, traf = (cpu_ms[name] for name, _ in contenders[:3])
    print(f"nianbao = {nianbao / lxml_ms:.1f}x bare lxml's CPU time; trafilatura / nianbao = {traf / nianbao:.1f}x")
    if args.before:
        other = cpu_ms[contenders[3][0]]
        print(f"before = {other / lxml_ms:.1f}x bare lxml's CPU time; nianbao / before = {nianbao / other:.2f}")

if __name__ == "__main__":
    main()
