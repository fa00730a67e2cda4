"""``python -m demo_portal --port 8700``: serve the demo site in the foreground."""
from __future__ import annotations

import argparse
import time

from .server import start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo_portal", description="Serve the offline nianbao demo portal.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8700, help="0 picks a free port (default 8700)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    server = start(args.host, args.port, verbose=args.verbose)
    print(f"demo portal at {server.base_url}/ (robots: {server.base_url}/robots.txt)")
    for url in server.homepages:
        print(f"  {url}")
    print("Ctrl-C to stop", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
