"""The committed attachment files (``content/files/``, made by ``tools/make_files.py``)."""
from __future__ import annotations

from pathlib import Path

CONTENT_DIR = Path(__file__).parent / "content"
FILES_DIR = CONTENT_DIR / "files"


def file_name(doc: dict, suffix: str, corrected: bool = False) -> str:
    """Name of a document's generated attachment (``.pdf``/``.docx``), its corrected
    re-publication when ``corrected``."""
    return f"{doc['doc_id']}{'.corrected' if corrected else ''}{suffix}"


def image_name(doc: dict, number: int) -> str:
    """Name of page ``number`` (1-based) of an image-only report."""
    return f"{doc['doc_id']}_{number}.png"


def read_file(name: str) -> bytes:
    return (FILES_DIR / name).read_bytes()
