"""Scrapy's downloader with its per-host concurrency limit kept when requests arrive together.

Scrapy 2.19's ``Downloader._process_queue`` pops a slot's requests while
``slot.free_transfer_slots()`` is positive and starts each download in an asyncio task; the
request joins ``slot.transferring`` only when that task first runs. Requests that reach a slot in
the same event-loop turn (a list page's links, yielded together) therefore all see the slot free:
with ``DOWNLOAD_DELAY = 0`` (``--delay 0``) three requests went to one host at once with
CONCURRENT_REQUESTS_PER_DOMAIN = 1, and a host that had just answered 429 with Retry-After got the
two requests started beside it (tests/test_crawl_limits.py). With a delay above 0 Scrapy's own
``lastseen`` check spaces the starts, so the default crawl is not affected. No setting or library
changes this; the fix is to count a request as transferring from the moment it is popped.
"""
from __future__ import annotations

from time import monotonic

from scrapy.core.downloader import Downloader, Slot, _schedule_coro, call_later


class PerHostLimitDownloader(Downloader):
    def _process_queue(self, slot: Slot) -> None:
        # Scrapy 2.19's _process_queue, with one line added (marked)
        if slot.latercall:
            return
        now = monotonic()
        delay = slot.download_delay()
        if delay:
            penalty = delay - now + slot.lastseen
            if penalty > 0:
                slot.latercall = call_later(penalty, self._latercall, slot)
                return
        while slot.queue and slot.free_transfer_slots() > 0:
            slot.lastseen = now
            request, queue_dfd = slot.queue.popleft()
            slot.transferring.add(request)  # added: Scrapy adds it only once the task runs (_download)
            _schedule_coro(self._wait_for_download(slot, request, queue_dfd))
            if delay:
                self._process_queue(slot)
                break
