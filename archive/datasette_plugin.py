"""Datasette plugin: Chinese search for the archive's search box.

Registered by ``nianbao serve`` only (not as a global entry point: it would
change search in every database that Datasette install serves). Datasette wraps every search box query in the SQL function
``escape_fts()``; this plugin re-defines it, after Datasette's own definition
(trylast), as archive.search.fts_query, which turns Chinese words into FTS5
phrases of single characters. Non-Chinese queries are escaped as before.
"""
from datasette import hookimpl

from .search import fts_query


@hookimpl(trylast=True)
def prepare_connection(conn):
    conn.create_function("escape_fts", 1, fts_query, deterministic=True)
    conn.create_function("nianbao_query", 1, fts_query, deterministic=True)
