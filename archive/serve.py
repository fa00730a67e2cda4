"""Datasette for an archive, with nianbao's metadata and Chinese search plugin."""
from __future__ import annotations

from pathlib import Path

from datasette.app import Datasette
from datasette.plugins import pm

from . import datasette_plugin
from .metadata import archive_metadata
from .store import open_archive


def make_datasette(db_path: str) -> Datasette:
    """A Datasette instance for one archive (the schema is brought up to date first)."""
    open_archive(db_path).close()
    if not pm.is_registered(datasette_plugin) and "nianbao" not in {n for n, _ in pm.list_name_plugin()}:
        pm.register(datasette_plugin, name="nianbao")
    return Datasette([db_path], metadata=archive_metadata(Path(db_path).stem),
                     settings={"default_page_size": 50, "sql_time_limit_ms": 5000})


def run_datasette(db_path: str, host: str = "127.0.0.1", port: int = 8001) -> None:
    import uvicorn

    ds = make_datasette(db_path)
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning")
