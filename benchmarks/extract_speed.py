"""Extraction speed of attachments (PDF/DOCX): what one document costs, start-up against work.

    .venv/bin/python benchmarks/extract_speed.py [FILE ...] [--rounds 10]

Each file is extracted ``--rounds`` times, one after another, in two ways:

- ``fresh interpreter``: one ``python -m parsing._extract_worker KIND …`` per document, the body
  on stdin (how extract_document ran every document before the forkserver);
- ``extract_document``: the public function, as a crawl's parser worker calls it (a child
  forked by the forkserver).

Each way is also given a "document" of a few bytes of the same kind (the header alone: the
parser gives up at once), which is its start-up alone: interpreter, imports and limits for a
fresh interpreter; fork, pipe and limits for extract_document.

Printed per way: documents/s and ms per document (wall clock, median), and CPU ms per
document summed over this process and every process under it (the children, the forkserver
and the children it forked), which other work on a shared machine does not inflate. The
default file is a small LibreOffice-made PDF of the tests (2 pages, ruled tables) and the
DOCX fixture.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from parsing.documents import extract_document, sniff_kind  # noqa: E402

DEFAULT_FILES = [REPO / "tests/files/documents/libreoffice/real_050.ruled.pdf",
                 REPO / "tests/files/documents/report_2020.docx"]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# A document of the kind that its parser gives up on at once: the start-up alone.
HEADER_ONLY = {"pdf": b"%PDF-1.7\n", "docx": b"PK\x03\x04 word/document"}


def tree_cpu_seconds() -> float:
    """CPU time of this process, of its reaped children, and of its live children with what
    they reaped (the forkserver reaps the document children, and lives until we exit)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = me.ru_utime + me.ru_stime + reaped.ru_utime + reaped.ru_stime
    own = str(os.getpid())
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == own:  # ppid; utime, stime, cutime, cstime are fields 14-17 of stat
            total += sum(int(v) for v in fields[11:15]) / CLOCK_TICKS
    return total


def fresh_interpreter(kind: str, body: bytes) -> None:
    subprocess.run([sys.executable, "-m", "parsing._extract_worker", kind, "1024", "30"], input=body,
                   capture_output=True, check=True, start_new_session=True)


def measure(name: str, run, rounds: int) -> float:
    run()  # warm: the page cache, and the forkserver's start for extract_document
    walls = []
    cpu_before = tree_cpu_seconds()
    for _ in range(rounds):
        started = time.perf_counter()
        run()
        walls.append(time.perf_counter() - started)
    cpu = (tree_cpu_seconds() - cpu_before) / rounds
    wall = statistics.median(walls)
    print(f"  {name:<34} {1 / wall:6.2f} documents/s  {wall * 1000:7.0f} ms/document (wall, median)"
          f"  {cpu * 1000:6.0f} ms CPU/document", flush=True)
    return cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, default=DEFAULT_FILES)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores", flush=True)
    for path in args.files:
        body = path.read_bytes()
        kind = sniff_kind(body)
        result = extract_document(body)
        print(f"{path.name} ({kind}, {len(body) // 1024} KB, {result.pages or '?'} pages, "
              f"{len(result.html or '')} characters of HTML, error={result.error})")
        tiny = HEADER_ONLY[kind]
        figures = {
            "fresh interpreter, header only": lambda: fresh_interpreter(kind, tiny),
            "fresh interpreter per document": lambda: fresh_interpreter(kind, body),
            "extract_document, header only": lambda: extract_document(tiny),
            "extract_document": lambda: extract_document(body),
        }
        cpu = {name: measure(name, run, args.rounds) for name, run in figures.items()}
        print(f"  start-up: {cpu['fresh interpreter, header only'] * 1000:.0f} → "
              f"{cpu['extract_document, header only'] * 1000:.0f} ms CPU; a document: "
              f"{cpu['fresh interpreter per document'] * 1000:.0f} → {cpu['extract_document'] * 1000:.0f} ms CPU")

if __name__ == "__main__":
    main()
