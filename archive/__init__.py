"""The archive: how reports are kept (SQLite through sqlite-utils), served (Datasette) and driven (CLI)."""
