"""The parser's version, recorded on every report row the parser made.

The package version alone does not change when the parser's code does between
releases, so the version carries a digest of the parsing package's source: a
report row says exactly which parser made it, and `nianbao reparse` rows differ
from older ones whenever the code differs.
"""
from __future__ import annotations

import hashlib
from importlib import metadata
from pathlib import Path


def _source_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _package_version() -> str:
    try:
        return metadata.version("nianbao")
    except metadata.PackageNotFoundError:
        return "0"


PARSER_VERSION = f"{_package_version()}+{_source_digest()}"
