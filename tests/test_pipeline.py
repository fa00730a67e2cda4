"""The archive pipeline's parser worker: a page that kills the worker costs that page only."""
import asyncio
import os
from pathlib import Path

from archive.pipeline import ArchivePipeline
from archive.raw import RawResponse

FILES = Path(__file__).parent / "files"


class KillsTheProcessThatUnpicklesIt(str):
    def __reduce__(self):
        return (os._exit, (3,))


def test_a_page_that_kills_the_parser_worker_is_a_parse_error_and_the_next_page_is_read():
    pipeline = ArchivePipeline(":memory:")
    pipeline.workers = 1
    pipeline.pool = pipeline._new_pool()
    body = (FILES / "reports" / "seed_qingtian.html").read_bytes()
    lethal = RawResponse(url="http://a/1.html", status=200, body=body, route="report",
                         headers=[("Content-Type", KillsTheProcessThatUnpicklesIt("text/html"))])
    normal = RawResponse(url="http://a/2.html", status=200, body=body, route="report",
                         headers=[("Content-Type", "text/html")])

    async def both():
        return await pipeline._read(lethal), await pipeline._read(normal)

    try:
        crashed, read = asyncio.run(both())
    finally:
        pipeline.pool.shutdown()
    assert crashed.report is None and "parser process died" in crashed.error
    assert read.report is not None and read.report.is_report
