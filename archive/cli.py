"""nianbao: crawl, parse, archive and browse 政府信息公开工作年度报告."""
from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import click


@click.group()
@click.version_option(package_name="nianbao")
def cli():
    """nianbao (年报): an open archive of Chinese governments' yearly
    information-disclosure reports (政府信息公开工作年度报告)."""


def crawler_settings(db: str, overrides: dict | None = None):
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("scraper.settings", priority="project")
    settings.set("NIANBAO_DB", db, priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def run_crawl(start_urls: list[str], db: str, portals: str | None = None, overrides: dict | None = None) -> None:
    """Run the annual_reports spider in this process (blocks until it ends)."""
    from scrapy.crawler import CrawlerProcess

    from scraper.spiders.annual_reports import AnnualReportsSpider

    process = CrawlerProcess(crawler_settings(db, overrides))
    process.crawl(AnnualReportsSpider, start_urls=list(start_urls), portals=portals)
    process.start()


def _parse_set(values: tuple[str, ...]) -> dict:
    out = {}
    for value in values:
        key, sep, val = value.partition("=")
        if not sep:
            raise click.BadParameter(f"expected KEY=VALUE, got {value!r}", param_hint="-s")
        out[key] = val
    return out


@cli.command()
@click.argument("start_urls", nargs=-1)
@click.option("--db", default="nianbao.db", show_default=True, help="SQLite archive to write.")
@click.option("--portals", type=click.Path(exists=True, dir_okay=False),
              help="CSV of portals (columns: name, province, city, county, url).")
@click.option("--ignore-robots", is_flag=True, help="Do not obey robots.txt (logged).")
@click.option("--delay", type=float, help="Minimum delay between requests to one host, in seconds.")
@click.option("-s", "--set", "settings", multiple=True, metavar="KEY=VALUE", help="Any Scrapy setting.")
def crawl(start_urls, db, portals, ignore_robots, delay, settings):
    """Crawl START_URLS (portal homepages or 年报 column pages) into the archive DB.

    Crawling twice updates the same rows (keyed by URL), never duplicates them.
    """
    if not start_urls and not portals:
        raise click.UsageError("give at least one START_URL or --portals FILE.csv")
    overrides = _parse_set(settings)
    if ignore_robots:
        overrides["ROBOTSTXT_OBEY"] = False
        click.echo("robots.txt will NOT be obeyed for this crawl", err=True)
    if delay is not None:
        overrides["DOWNLOAD_DELAY"] = delay
        overrides["AUTOTHROTTLE_START_DELAY"] = max(delay, 0.01)
    started = time.monotonic()
    run_crawl(list(start_urls), db, portals, overrides)
    click.echo(summary_line(db, time.monotonic() - started), err=True)


def summary_line(db: str, seconds: float) -> str:
    from .store import open_archive

    archive = open_archive(db)
    reports = archive["reports"].count
    outcomes = dict(archive.execute("select outcome, count(*) from fetches group by outcome").fetchall())
    archive.close()
    parts = ", ".join(f"{k}={v}" for k, v in sorted(outcomes.items()))
    return f"{db}: {reports} reports archived ({parts}) in {seconds:.1f}s"


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--url", help="The URL the page was saved from (one file only).")
@click.option("--indent/--no-indent", default=None, help="Pretty-print (default: for one file).")
def parse(files, url, indent):
    """Parse saved report pages and print JSON: one object for one file,
    one object per line (JSON Lines) for several."""
    from parsing import parse_report

    if url and len(files) > 1:
        raise click.UsageError("--url applies to a single file")
    pretty = (len(files) == 1) if indent is None else indent
    for path in files:
        with open(path, "rb") as f:
            report = parse_report(f.read(), url or None)
        data = report.to_dict()
        if not url:
            data["url"] = None
        data["file"] = path
        click.echo(json.dumps(data, ensure_ascii=False, indent=2 if pretty else None))


@cli.command(name="eval")
@click.argument("corpus", type=click.Path(exists=True, file_okay=False), default="tests/corpus")
@click.option("-v", "--verbose", is_flag=True, help="List every mismatch.")
def eval_(corpus, verbose):
    """Print the parser's per-field accuracy on a labelled CORPUS (tests/corpus).

    Exits 1 when any field is below 100%."""
    from parsing.evaluate import evaluate, format_evaluation

    result = evaluate(corpus)
    click.echo(format_evaluation(result))
    if verbose:
        for name, score in result.fields.items():
            for failure in score.failures:
                click.echo(f"  {name}: {failure}")
    sys.exit(0 if result.perfect else 1)


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
def serve(path, host, port):
    """Browse the archive PATH in Datasette, with Chinese full-text search."""
    from .serve import run_datasette

    click.echo(f"Datasette: http://{host}:{port}/", err=True)
    run_datasette(path, host, port)


@cli.command()
@click.option("--db", default="demo.db", show_default=True, help="Archive to create for the demo.")
@click.option("--port", default=8001, show_default=True, type=int, help="Datasette's port.")
@click.option("--portal-port", default=0, type=int, help="The demo portal's port (0: any free one).")
@click.option("--no-serve", is_flag=True, help="Crawl only; do not start Datasette.")
def demo(db, port, portal_port, no_serve):
    """Start the bundled offline demo portal on 127.0.0.1, crawl it into DB,
    and serve the result with Datasette."""
    import demo_portal.server

    server = demo_portal.server.start(port=portal_port)
    click.echo(f"demo portal: {server.base_url}/ ({len(server.homepages)} portals)", err=True)
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        portals_csv = write_demo_portals_csv(server, Path(tmp) / "portals.csv")
        # Local server: no need to wait between requests.
        run_crawl([], db, portals=str(portals_csv),
                  overrides={"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_START_DELAY": 0.01,
                             "AUTOTHROTTLE_MAX_DELAY": 1, "LOG_LEVEL": "WARNING"})
    click.echo(summary_line(db, time.monotonic() - started), err=True)
    if no_serve:
        server.stop()
        return
    click.echo(f"open http://127.0.0.1:{port}/{db.rsplit('/', 1)[-1].removesuffix('.db')}/reports", err=True)
    from .serve import run_datasette

    try:
        run_datasette(db, "127.0.0.1", port)
    finally:
        server.stop()


# The demo counties are fictional; so are their provinces (two, so that SQL
# grouped by province has something to group).
DEMO_PROVINCES = {"trs": "演示东省", "hanweb": "演示东省", "vsb": "演示西省", "generic": "演示西省"}


def write_demo_portals_csv(server, path: Path) -> Path:
    """The demo portal's four sites as a portals CSV (the same format users give --portals)."""
    import csv

    import demo_portal

    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["name", "province", "city", "county", "url"])
        for portal in demo_portal.PORTALS:
            writer.writerow([portal["site"], DEMO_PROVINCES.get(portal["family"], "演示省"), "",
                             portal["county"], server.base_url + portal["homepage"]])
    return path


def main():
    sys.exit(cli())


if __name__ == "__main__":
    main()
