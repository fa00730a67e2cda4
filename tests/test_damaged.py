"""A damaged archive (intact header and schema, damaged pages): crawl, reparse and import-warc say in
one line that it is damaged and how to recover it (sqlite3 x.db ".recover"), exit 3, and write nothing."""
import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from archive.ingest import ingest
from archive.raw import RawResponse
from archive.store import ArchiveDamaged, check_intact, open_archive

REPO = Path(__file__).resolve().parent.parent
FILES = Path(__file__).parent / "files"
PAGES = ["seed_qingtian.html", "036.html", "050.html"]


def damage_table(path: Path, table: str) -> int:
    """Damage the header of a b-tree page of TABLE (not page 1, not the schema); returns its number."""
    conn = sqlite3.connect(path)
    page_size = conn.execute("pragma page_size").fetchone()[0]
    page = conn.execute("select max(pageno) from dbstat where name = ? and pagetype = 'leaf'", [table]).fetchone()[0]
    conn.close()
    assert page > 1
    with open(path, "r+b") as f:
        f.seek((page - 1) * page_size)
        f.write(b"\x0d\x00\x00\xff\xff\xff\xff\xff")  # a leaf page claiming 65,535 cells
    return page


@pytest.fixture
def damaged(tmp_path):
    """An archive of three reports whose ledger pages are damaged, checkpointed (no -wal)."""
    path = tmp_path / "damaged.db"
    archive = open_archive(str(path))
    for name in PAGES:
        ingest(archive, RawResponse(url=f"http://www.example.gov.cn/{name}", status=200,
                                    headers=[("Content-Type", "text/html")],
                                    body=(FILES / "reports" / name).read_bytes(), route="report",
                                    portal_url="http://www.example.gov.cn/"))
    archive.close()
    damage_table(path, "responses")
    return path


def files_of(path: Path) -> dict:
    """The archive's files and their bytes' hashes (an empty -wal counts as none)."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in path.parent.iterdir()
            if p.name.startswith(path.name) and not (p.name.endswith("-wal") and p.stat().st_size == 0)
            and not p.name.endswith("-shm")}


def nianbao(*args):
    return subprocess.run([sys.executable, "-m", "nianbao.cli", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=240, env={**os.environ, "PYTHONPATH": str(REPO)})


@pytest.mark.parametrize("command", ["crawl", "reparse", "import-warc"])
def test_a_damaged_archive_is_refused_in_one_line_with_what_to_do_and_nothing_is_written(damaged, command):
    before = files_of(damaged)
    args = {"crawl": ["crawl", "http://127.0.0.1:9/", "--db", str(damaged), "-s", "RETRY_TIMES=0"],
            "reparse": ["reparse", "--db", str(damaged)],
            "import-warc": ["import-warc", str(FILES / "warc" / "wget.warc.gz"), "--db", str(damaged)]}[command]
    result = nianbao(*args)
    assert result.returncode == 3, result.stderr[-3000:]
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert "is damaged" in lines[0] and f'sqlite3 {damaged} ".recover"' in lines[0], lines[0]
    assert files_of(damaged) == before


def test_the_check_reads_every_page_and_names_what_is_wrong(damaged):
    conn = sqlite3.connect(f"file:{damaged}?mode=ro", uri=True)
    with pytest.raises(ArchiveDamaged) as raised:
        check_intact(conn, str(damaged))
    conn.close()
    assert "nothing was written" in str(raised.value) and ".recover" in str(raised.value)


def test_damage_met_while_writing_is_archive_damaged_and_rolled_back(tmp_path):
    """A page damaged after the archive was opened (the check cannot see the future) is reported
    the same way by the write that meets it, which is rolled back."""
    path = tmp_path / "a.db"
    archive = open_archive(str(path))
    body = (FILES / "reports" / "seed_qingtian.html").read_bytes()
    ingest(archive, RawResponse(url="http://a/1.html", status=200, body=body, route="report"))
    archive.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    damage_table(path, "reports")
    archive.conn.execute("PRAGMA cache_size = 0")  # read the damaged page again, not a cached copy
    with pytest.raises(ArchiveDamaged):
        ingest(archive, RawResponse(url="http://a/1.html", status=200, body=body.replace(b"2020", b"2021"),
                                    route="report"))
    assert not archive.conn.in_transaction
    archive.close()
