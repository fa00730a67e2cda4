"""Worker processes (parsers for a crawl or a reparse) that do not outlive the process that
started them: a crawl killed with kill -9 must leave nothing running behind it."""
from __future__ import annotations

import os
import time


def exit_with(pid: int, every: float = 1.0) -> None:
    """In a parser worker: end when process ``pid`` (the crawl or reparse) is gone. A worker blocked on its
    task queue never sees the crawl die (it holds both ends of the queue's pipe itself)."""
    import threading

    def watch():
        while True:
            time.sleep(every)
            try:
                os.kill(pid, 0)
            except (ProcessLookupError, PermissionError):  # gone (or its pid reused by another user)
                os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def start_parser_worker(parent: int) -> None:
    """Initializer of a replay's parser worker (reparse, merge): it ends with its parent (exit_with),
    and a result sent to a parent killed with kill -9 ends it quietly (SIGPIPE's default action)
    instead of printing a BrokenPipeError traceback under the parent's last progress line."""
    import multiprocessing
    import signal

    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    exit_with(parent)
    # multiprocessing.Pool makes its workers daemonic, and a daemonic process may not start a
    # process (its children would be orphaned when it is terminated); a document's extraction
    # child (parsing.documents) ends itself when its parent is gone, so this worker may start one.
    multiprocessing.current_process().daemon = False
