"""Serving: the archive as people read it, in Datasette, read-only.

`nianbao serve` (serve.py) opens an archive without writing it and runs Datasette with nianbao's
plugin (datasette_plugin.py: Chinese search, the report page, the ranked search, the coverage page),
its metadata (metadata.py: table descriptions, facets, canned queries, charts), templates/ and static/.
Storing (archive.store, schema, ingest, reparse, warc, raw, search's index) lives one level up;
nothing there imports from here.
"""
