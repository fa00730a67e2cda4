"""Peak memory of `nianbao import-warc` on a WARC whose metadata record inflates to 1.5 GiB
(issue 12: it peaked at 3.2 GB). Writes the bomb (a ~1.5 MB gzip member), then runs the import
in a child process and prints its peak RSS (ru_maxrss) and time.

    .venv/bin/python benchmarks/warc_import_memory.py [--gib 1.5]
"""
from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gib", type=float, default=1.5, help="what the metadata record inflates to")
    args = parser.parse_args()
    from tests.test_warc_fidelity import write_bomb

    with tempfile.TemporaryDirectory() as tmp:
        bomb = Path(tmp) / "bomb.warc.gz"
        started = time.monotonic()
        write_bomb(bomb, int(args.gib * 2**30))
        print(f"bomb: {bomb.stat().st_size / 2**20:.1f} MiB on disk, a metadata record of {args.gib} GiB "
              f"(written in {time.monotonic() - started:.0f}s)")
        started = time.monotonic()
        result = subprocess.run([sys.executable, "-m", "nianbao.cli", "import-warc", str(bomb),
                                 "--db", str(Path(tmp) / "a.db")], cwd=REPO, capture_output=True, text=True)
        seconds = time.monotonic() - started
        peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(result.stderr.strip().splitlines()[-1])
        print(f"import-warc: exit {result.returncode}, {seconds:.1f}s, peak RSS {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main()
