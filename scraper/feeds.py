"""Feed exporters for `scrapy crawl annual_reports -O items.jsonl` (FEED_EXPORTERS names them).

The spider's items are the archive's raw records (``archive.raw.RawResponse``): a response's
body is bytes, which Scrapy's JSON encoder and the CSV/XML writers do not take (every item with a
body was dropped with "bytes is not JSON serializable"). Here a bytes value is written as base64
text (`base64.b64decode(item["body"])` gives the bytes served back); everything else is written
by Scrapy's exporters as they are.
"""
from __future__ import annotations

import base64

from scrapy.exporters import CsvItemExporter, JsonItemExporter, JsonLinesItemExporter, XmlItemExporter


class BytesAsBase64:
    """Exporter mixin: bytes fields as base64 text."""

    def serialize_field(self, field, name, value):
        if isinstance(value, (bytes, bytearray)):
            value = base64.b64encode(value).decode("ascii")
        return super().serialize_field(field, name, value)


class JsonRecordExporter(BytesAsBase64, JsonItemExporter):
    pass


class JsonLinesRecordExporter(BytesAsBase64, JsonLinesItemExporter):
    pass


class CsvRecordExporter(BytesAsBase64, CsvItemExporter):
    pass


class XmlRecordExporter(BytesAsBase64, XmlItemExporter):
    pass
