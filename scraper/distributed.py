"""Distributed crawls: several `nianbao crawl --redis redis://HOST:PORT/N` workers, on one machine or
many, share one request queue, one dupefilter and one per-host politeness budget in Redis
(scrapy-redis 0.9.1's scheduler, queue and dupefilter; the rest is here). Each worker writes its own
archive; `nianbao merge` brings them together.

What scrapy-redis alone gets wrong for nianbao, and what this module does about it
(docs/distributed.md says the same for users):

- Persistence. With SCHEDULER_PERSIST=False a worker that goes idle and closes flushes the *shared*
  queue and dupefilter while others still crawl. SCHEDULER_PERSIST is True here, and a worker does
  not close when it is idle: it closes when the whole crawl is over, which is known in Redis (the
  queue is empty and no worker holds a request in flight, checked in one Lua script, atomically).
  The last worker to leave a finished crawl deletes its keys; a worker that finds a finished crawl
  starts the next one (a new generation of keys), so a new crawl starts clean and an unfinished
  one (every worker stopped or killed) is resumed.
- Start URLs. The spider's start requests bypass the dupefilter (dont_filter); every worker
  yields them. They are seeded once per crawl: a Redis set of the start URLs already queued,
  added to in the same Lua script that queues the request (SeedOnceMiddleware marks them).
- The idle path. RedisSpider's start list (fed through spider_idle on Scrapy 2.13+) is not used:
  start requests come from the spider's own start(), through the scheduler, like any request.
- Deprecation warnings. scrapy-redis's enqueue_request(), next_request() and open() call
  stats.inc_value(..., spider=...) and spider.log(), both deprecated since Scrapy 2.13 (a warning on
  every request). SharedScheduler replaces those three methods (it must anyway: pushing must be
  atomic with the dupefilter, popping with the in-flight record), so the calls are never made and
  nothing needs filtering; tests/test_distributed.py checks the log has no warning.
- Requests in flight. A request popped from the queue is, in the same Lua script, recorded in an
  in-flight hash under its worker's name; it leaves the hash only after everything it led to is
  safe: its record committed to the worker's archive and the requests it yielded pushed to the
  queue (or, for a redirect or a retry, the replacing request queued). A worker that stops
  answering (its heartbeat key expires: kill -9, power loss) has its in-flight requests put back on
  the queue by the others; a worker stopped by SIGINT/SIGTERM puts its own back when it closes.
- Politeness. One per-host budget in Redis for all workers (SharedHostBudget): at most
  CONCURRENT_REQUESTS_PER_DOMAIN requests in flight on a host, across workers, and request starts
  on a host spaced by the worker's download delay, on Redis's clock. A slot is a sorted-set member
  that expires, so a dead worker frees its slots.
- `gone`. A report is concluded gone only after the whole distributed crawl finished: the lists
  read and the portals not read to their end are shared sets in Redis, and a worker closes with
  reason "finished" only when the crawl is over. The crawl-health monitor of list pages read counts
  them for the whole crawl too (a shared hash): each worker reads only its share of the lists.
- Conditional requests. Validators (If-None-Match / If-Modified-Since) are set by the worker that
  downloads a report, from its own archive: a 304 goes to the archive that holds the report.
"""
from __future__ import annotations

import itertools
import logging
import os
import socket
import uuid
import weakref

from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.misc import load_object
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

logger = logging.getLogger(__name__)

KEY_ROOT = "nianbao"
# The request meta key holding a popped request's in-flight field (worker|number).
IN_FLIGHT = "nianbao_in_flight"
# The request meta key marking a start request (queued once per crawl).
SEED = "nianbao_seed"
# The request meta key holding a request's per-host slot (host key, slot token) while it is downloaded.
HOST_SLOT = "nianbao_host_slot"
# How long a finished crawl's "done" mark outlives it when no worker is left to delete it.
DONE_TTL_SECONDS = 86400
# Seconds between two looks at a full per-host budget.
BUDGET_POLL_SECONDS = 0.05

# Defaults of the settings (scrapy -s / nianbao crawl -s):
#   NIANBAO_REDIS_URL             the Redis server (set by `nianbao crawl --redis`)
#   NIANBAO_REDIS_HEARTBEAT       seconds between a worker's heartbeats
#   NIANBAO_REDIS_WORKER_TIMEOUT  seconds without a heartbeat after which a worker is dead and its
#                                 requests in flight go back to the queue
#   NIANBAO_REDIS_POLL            seconds between an idle worker's looks at the shared queue
#   NIANBAO_REDIS_SLOT_TTL        seconds a per-host slot is held at most (default DOWNLOAD_TIMEOUT + 30)
HEARTBEAT_SECONDS = 5.0
WORKER_TIMEOUT_SECONDS = 60.0
POLL_SECONDS = 0.5

# Lua scripts run atomically in Redis: no other command runs between their steps.
# Requeue the in-flight requests of the workers named in ARGV (1: the key prefix of alive marks,
# 2: "dead" to requeue every registered worker whose alive mark expired, else a worker's name).
# In-flight values are "<score>\n<serialized request>" (the queue's score kept for the way back).
_REQUEUE_LUA = """
local function requeue(worker)
  local all = redis.call('HGETALL', KEYS[2])
  local prefix = worker .. '|'
  local n = 0
  for i = 1, #all, 2 do
    if string.sub(all[i], 1, #prefix) == prefix then
      local value = all[i + 1]
      local nl = string.find(value, '\\n', 1, true)
      redis.call('ZADD', KEYS[3], tonumber(string.sub(value, 1, nl - 1)), string.sub(value, nl + 1))
      redis.call('HDEL', KEYS[2], all[i])
      n = n + 1
    end
  end
  return n
end
"""
# KEYS: workers, in-flight, queue. ARGV: alive prefix. Returns {requeued, dead workers...}.
REAP_LUA = _REQUEUE_LUA + """
local out = {0}
for _, worker in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[1] .. worker) == 0 then
    out[1] = out[1] + requeue(worker)
    redis.call('SREM', KEYS[1], worker)
    table.insert(out, worker)
  end
end
return out
"""
# KEYS: workers, in-flight, queue. ARGV: worker. Returns the number requeued.
REQUEUE_OWN_LUA = _REQUEUE_LUA + "return requeue(ARGV[1])"
# KEYS: queue, in-flight, done. ARGV: ttl of done. 1 when the crawl is over (and marks it done).
OVER_LUA = """
if redis.call('ZCARD', KEYS[1]) == 0 and redis.call('HLEN', KEYS[2]) == 0 then
  redis.call('SET', KEYS[3], 1, 'EX', tonumber(ARGV[1]))
  return 1
end
return 0
"""
# KEYS: dupefilter, queue, seeds. ARGV: fingerprint ('' for dont_filter), score, serialized request,
# start URL ('' for a request that is not a seed). 1 queued, 0 a seed already queued, -1 seen before.
# At once: a worker killed between "seen" and "queued" would lose the request for the whole crawl.
ENQUEUE_LUA = """
if ARGV[4] ~= '' and redis.call('SADD', KEYS[3], ARGV[4]) == 0 then return 0 end
if ARGV[1] ~= '' and redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return -1 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
"""
# KEYS: queue, in-flight. ARGV: in-flight field. Pops the best request into the in-flight hash.
POP_LUA = """
local got = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #got == 0 then return false end
redis.call('ZREM', KEYS[1], got[1])
redis.call('HSET', KEYS[2], ARGV[1], got[2] .. '\\n' .. got[1])
return got[1]
"""
# KEYS: generation. ARGV: key root of the spider, worker, alive ttl ms. Joins the current crawl
# generation (the next one when the current one is done) and registers the worker in it, at once:
# a worker leaving a finished crawl never deletes keys a joining worker is about to use.
JOIN_LUA = """
local generation = tonumber(redis.call('GET', KEYS[1]) or '0')
if generation == 0 or redis.call('EXISTS', ARGV[1] .. generation .. ':done') == 1 then
  generation = redis.call('INCR', KEYS[1])
end
local prefix = ARGV[1] .. generation .. ':'
redis.call('SADD', prefix .. 'workers', ARGV[2])
redis.call('SET', prefix .. 'alive:' .. ARGV[2], 1, 'PX', tonumber(ARGV[3]))
return generation
"""
# KEYS: workers, alive mark, done. ARGV: worker. 1 when the crawl is done and no worker is left.
LEAVE_LUA = """
redis.call('SREM', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2])
if redis.call('EXISTS', KEYS[3]) == 1 and redis.call('SCARD', KEYS[1]) == 0 then return 1 end
return 0
"""
# KEYS: busy slots of a host, next start time of the host. ARGV: token, limit, slot ttl ms, spacing ms.
# 0: the slot is taken; -1: the host has its limit of requests in flight; else ms to wait.
# Time is Redis's: the workers' clocks need not agree.
ACQUIRE_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return -1 end
local next_start = tonumber(redis.call('GET', KEYS[2]) or '0')
if now < next_start then return next_start - now end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
if tonumber(ARGV[4]) > 0 then
  redis.call('SET', KEYS[2], now + tonumber(ARGV[4]), 'PX', tonumber(ARGV[4]) + 1000)
end
return 0
"""


class RedisUnusable(Exception):
    """--redis names no usable Redis server (a one-line message for the user)."""


def redis_client(url: str):
    from scrapy_redis.connection import get_redis

    from scrapy_redis import defaults

    return get_redis(url=url, **{**defaults.REDIS_PARAMS, "socket_timeout": 10, "socket_connect_timeout": 5})


def check_redis(url: str) -> None:
    """Raise RedisUnusable when ``url`` is not a redis:// URL of a server that answers."""
    import redis

    try:
        client = redis_client(url)
    except ValueError as exc:
        raise RedisUnusable(f"--redis {url!r} is not a Redis URL (redis://HOST:PORT/N): {exc}") from None
    try:
        client.ping()
    except redis.RedisError as exc:
        raise RedisUnusable(f"cannot reach the Redis server at {url}: {exc}") from None
    finally:
        client.close()


class PortalsReached(set):
    """Where a worker puts the portals whose start page answered anywhere in the distributed crawl
    (setting NIANBAO_REDIS_PORTALS_REACHED), for `nianbao crawl` to judge the run by: a worker
    that fetched no start page itself did not fail. Scrapy deep-copies its settings: not this set."""

    def __deepcopy__(self, memo):
        return self


def redis_settings(url: str) -> dict:
    """The settings that make a crawl one worker of the distributed crawl at ``url``."""
    return {"NIANBAO_REDIS_URL": url, "ADDONS": {RedisCrawl: 0},
            "NIANBAO_REDIS_PORTALS_REACHED": PortalsReached()}


class RedisCrawl:
    """Scrapy add-on: the scheduler, dupefilter and middlewares of a distributed crawl, switched on
    by NIANBAO_REDIS_URL (`nianbao crawl --redis`, or `scrapy crawl annual_reports -s ADDONS=… `)."""

    def update_settings(self, settings) -> None:
        url = settings.get("NIANBAO_REDIS_URL")
        if not url:
            raise NotConfigured("NIANBAO_REDIS_URL is not set")
        settings.set("SCHEDULER", "scraper.distributed.SharedScheduler", "addon")
        # (above the project's SQLiteDupeFilter, scraper/settings.py: scrapy-redis reads this setting)
        settings.set("DUPEFILTER_CLASS", "scrapy_redis.dupefilter.RFPDupeFilter", "spider")
        # never flush the shared queue and dupefilter when one worker closes (the crawl is over
        # only when every worker is done: SharedScheduler.close)
        settings.set("SCHEDULER_PERSIST", True, "addon")
        settings.set("SCHEDULER_FLUSH_ON_START", False, "addon")
        settings.set("SCHEDULER_QUEUE_CLASS", "scrapy_redis.queue.PriorityQueue", "addon")
        settings.set("REDIS_URL", url, "addon")
        # the per-host slot is taken last, just before the download: robots.txt and redirects
        # count, and the requests an earlier middleware refuses never hold one
        settings.set_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", SharedHostBudget, 950)
        settings.set_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", OwnValidators, 50)
        settings.set_in_component_priority_dict("SPIDER_MIDDLEWARES", SeedOnceMiddleware, 10)


# --- the crawl's shared state ----------------------------------------------------------------
_crawls: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def shared_crawl(crawler) -> "SharedCrawl":
    """The one SharedCrawl of ``crawler`` (its scheduler, middlewares and spider share it)."""
    if crawler not in _crawls:
        _crawls[crawler] = SharedCrawl(crawler)
    return _crawls[crawler]


class SharedCrawl:
    """One worker's view of the distributed crawl's keys in Redis: ``nianbao:<spider>:<generation>:``
    requests (the queue), dupefilter, in-flight, workers, alive:<worker>, seeds, listed:<portal>,
    listed-index, addresses:<portal>,
    addresses-index, incomplete, reached, done; and ``nianbao:host:<host>:busy|next`` (the per-host
    budget, shared by every crawl)."""

    def __init__(self, crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.server = redis_client(settings.get("NIANBAO_REDIS_URL"))
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.heartbeat = settings.getfloat("NIANBAO_REDIS_HEARTBEAT", HEARTBEAT_SECONDS)
        self.timeout = settings.getfloat("NIANBAO_REDIS_WORKER_TIMEOUT", WORKER_TIMEOUT_SECONDS)
        self.generation: int | None = None
        self.prefix = ""
        self._pop = self.server.register_script(POP_LUA)
        self._enqueue = self.server.register_script(ENQUEUE_LUA)
        self._reap = self.server.register_script(REAP_LUA)
        self._requeue_own = self.server.register_script(REQUEUE_OWN_LUA)
        self._over = self.server.register_script(OVER_LUA)
        self._join = self.server.register_script(JOIN_LUA)
        self._leave = self.server.register_script(LEAVE_LUA)

    def key(self, name: str) -> str:
        return self.prefix + name

    def join(self, spider_name: str) -> int:
        root = f"{KEY_ROOT}:{spider_name}:"
        self.generation = int(self._join(keys=[root + "generation"],
                                         args=[root, self.worker, int(self.timeout * 1000)]))
        self.prefix = f"{root}{self.generation}:"
        return self.generation

    def beat(self) -> None:
        pipe = self.server.pipeline()
        pipe.set(self.key("alive:" + self.worker), 1, px=int(self.timeout * 1000))
        pipe.sadd(self.key("workers"), self.worker)  # back in, if it was taken for dead while stalled
        pipe.execute()

    def push(self, fingerprint: str | None, score: float, data: bytes, seed: str | None) -> int:
        return int(self._enqueue(keys=[self.key("dupefilter"), self.key("requests"), self.key("seeds")],
                                 args=[fingerprint or "", score, data, seed or ""]))

    def pop(self, field: str):
        return self._pop(keys=[self.key("requests"), self.key("in-flight")], args=[field])

    def settle(self, field: str) -> None:
        self.server.hdel(self.key("in-flight"), field)

    def reap(self) -> tuple[int, list[str]]:
        """Put back the requests in flight of the workers that stopped answering."""
        out = self._reap(keys=[self.key("workers"), self.key("in-flight"), self.key("requests")],
                         args=[self.key("alive:")])
        return int(out[0]), [w.decode() if isinstance(w, bytes) else w for w in out[1:]]

    def requeue_own(self) -> int:
        return int(self._requeue_own(keys=[self.key("workers"), self.key("in-flight"), self.key("requests")],
                                     args=[self.worker]))

    def over(self) -> bool:
        """True (and the crawl marked done) when the queue is empty and no live worker holds a request."""
        requeued, dead = self.reap()
        if dead:
            logger.warning("worker(s) %s stopped answering: %d request(s) they had in flight went back to the "
                           "queue", ", ".join(dead), requeued)
        return bool(self._over(keys=[self.key("requests"), self.key("in-flight"), self.key("done")],
                               args=[DONE_TTL_SECONDS]))

    def leave(self) -> bool:
        """Deregister; when the crawl is done and this was its last worker, delete its keys."""
        self.reap()
        last = bool(self._leave(keys=[self.key("workers"), self.key("alive:" + self.worker), self.key("done")],
                                args=[self.worker]))
        if last:
            for key in self.server.scan_iter(match=self.prefix + "*", count=1000):
                self.server.unlink(key)
        return last

    def queued(self) -> int:
        return int(self.server.zcard(self.key("requests")))

    def workers(self) -> int:
        return int(self.server.scard(self.key("workers")))

    def reached(self, portal_url: str) -> None:
        self.server.sadd(self.key("reached"), portal_url)

    def portals_reached(self) -> set[str]:
        return {v.decode() for v in self.server.smembers(self.key("reached"))}

    def read_list_page(self, portal_url: str) -> None:
        self.server.hincrby(self.key("list-pages"), portal_url, 1)

    def list_pages(self) -> dict[str, int]:
        """Portal URL → list pages read by all the workers of this crawl (archive.monitors compares it
        with the previous --full crawl: one worker's share of the lists says nothing)."""
        return {k.decode(): int(v) for k, v in self.server.hgetall(self.key("list-pages")).items()}


class SharedSet:
    """A set of strings in Redis, with the few set operations the spider uses."""

    def __init__(self, server, key: str, index: tuple | None = None):
        self.server, self.key, self.index = server, key, index

    def add(self, value) -> None:
        if value is None:
            return
        self.update([value])

    def update(self, values) -> None:
        values = [v for v in values if v is not None]
        if values:
            pipe = self.server.pipeline(transaction=False)
            pipe.sadd(self.key, *values)
            if self.index:  # (index key, this set's name): SharedSets.items() finds the set
                pipe.sadd(self.index[0], self.index[1])
            pipe.execute()

    def __contains__(self, value) -> bool:
        return value is not None and bool(self.server.sismember(self.key, value))

    def __iter__(self):
        return iter(self.snapshot())

    def __len__(self) -> int:
        return int(self.server.scard(self.key))

    def __bool__(self) -> bool:
        return len(self) > 0

    def snapshot(self) -> set[str]:
        return {v.decode() for v in self.server.smembers(self.key)}


class SharedSets:
    """A mapping name → SharedSet in Redis, for the spider's ``listed`` (portal → the URLs its lists
    showed) and ``portal_addresses`` (portal → the addresses its start host resolved to, the only
    internal addresses its requests may reach: the worker that fetches a report may not be the one
    that fetched its portal's start page)."""

    def __init__(self, server, prefix: str):
        self.server, self.prefix = server, prefix

    def __getitem__(self, name) -> SharedSet:
        return SharedSet(self.server, f"{self.prefix}:{name}", (self.prefix + "-index", name))

    def get(self, name, default=None):
        members = self[name].snapshot()
        return members if members else default

    def keys(self) -> list[str]:
        return sorted(v.decode() for v in self.server.smembers(self.prefix + "-index"))

    def values(self) -> list[set[str]]:
        return [members for _, members in self.items()]

    def items(self) -> list[tuple[str, set[str]]]:
        return [(name, self[name].snapshot()) for name in self.keys()]

    def __bool__(self) -> bool:
        return bool(self.server.scard(self.prefix + "-index"))

    def snapshot(self) -> dict[str, set[str]]:
        return dict(self.items())


# --- the scheduler ---------------------------------------------------------------------------
class SharedScheduler(Scheduler):
    """scrapy-redis's scheduler (queue and dupefilter in Redis, SCHEDULER_PERSIST) with requests in
    flight kept in Redis until settled, the crawl's end decided for all workers, and its keys
    deleted by the last worker of a finished crawl."""

    @classmethod
    def from_crawler(cls, crawler):
        scheduler = super().from_crawler(crawler)
        scheduler.crawler = crawler
        scheduler.shared = shared_crawl(crawler)
        scheduler.unsettled = {}  # in-flight field -> True once its response or failure reached the spider
        scheduler.numbers = itertools.count(1)
        scheduler.loops = []
        crawler.signals.connect(scheduler.spider_idle, signal=signals.spider_idle)
        return scheduler

    def open(self, spider):
        shared = self.shared
        generation = shared.join(spider.name)
        self.queue_key = shared.key("requests")
        self.df = RFPDupeFilter(self.server, key=shared.key("dupefilter"),
                                debug=self.crawler.settings.getbool("DUPEFILTER_DEBUG"))
        # scrapy-redis's open() without its "Resuming crawl" spider.log() (deprecated in Scrapy 2.13+:
        # the join line below says how many requests are queued) and without its flush on start
        self.spider = spider
        self.queue = load_object(self.queue_cls)(server=self.server, spider=spider, key=self.queue_key,
                                                 serializer=self.serializer)
        # shared by the workers: the lists read and the portals not read to their end (for `gone`),
        # the addresses of the portals' start hosts (scraper.middlewares.SafeRequestsMiddleware)
        spider.listed = SharedSets(self.server, shared.key("listed"))
        spider.incomplete_portals = SharedSet(self.server, shared.key("incomplete"))
        spider.portal_addresses = SharedSets(self.server, shared.key("addresses"))
        self._follow_scrapes()
        for call, interval in ((shared.beat, shared.heartbeat), (self._wake, self.crawler.settings.getfloat(
                "NIANBAO_REDIS_POLL", POLL_SECONDS))):
            loop = task.LoopingCall(call)
            loop.start(interval, now=False).addErrback(
                lambda failure: logger.error("distributed crawl: %s", failure.getErrorMessage()))
            self.loops.append(loop)
        logger.info("worker %s joined crawl %d on %s: %d request(s) queued, %d worker(s)", shared.worker,
                    generation, self.crawler.settings.get("NIANBAO_REDIS_URL"), shared.queued(), shared.workers())

    def _follow_scrapes(self) -> None:
        """Settle a popped request when the engine is done with its response or failure: after its
        items went through the archive pipeline and the requests it yielded were queued (Scrapy's
        Scraper.enqueue_scrape fires then). Scrapy has no signal for that moment and no setting for
        the scraper class, so the engine's scraper is wrapped, on this crawler only."""
        scraper = self.crawler.engine.scraper
        enqueue_scrape = scraper.enqueue_scrape

        def enqueue_and_settle(result, request):
            field = request.meta.get(IN_FLIGHT)
            if field in self.unsettled:
                self.unsettled[field] = True
            done = enqueue_scrape(result, request)
            done.addBoth(self._scraped, field, result, request)
            return done

        scraper.enqueue_scrape = enqueue_and_settle

    def _scraped(self, passed, field, result, request):
        try:
            route = request.meta.get("route")
            if route == "start" and getattr(result, "status", 999) < 400:
                self.shared.reached(request.meta.get("portal_url"))
            elif route == "listing" and request.meta.get("portal_url"):
                self.shared.read_list_page(request.meta["portal_url"])  # a ledger row in some archive
            self._settle(field)
        except Exception as exc:  # Redis unreachable: the request stays in flight and goes back later
            logger.error("distributed crawl: cannot settle %s: %s", request.url, exc)
        return passed

    def _settle(self, field) -> None:
        if field is not None and self.unsettled.pop(field, None) is not None:
            self.shared.settle(field)

    def next_request(self):
        field = f"{self.shared.worker}|{next(self.numbers)}"
        data = self.shared.pop(field)
        if not data:
            return None
        request = self.queue._decode_request(data)
        request.meta[IN_FLIGHT] = field
        self.unsettled[field] = False
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def enqueue_request(self, request):
        field = request.meta.get(IN_FLIGHT)
        seed = request.url if request.meta.pop(SEED, False) else None
        fingerprint = None if request.dont_filter else self.df.request_fingerprint(request)
        outcome = self.shared.push(fingerprint, -request.priority, self.queue._encode_request(request), seed)
        queued = outcome == 1
        if outcome == 0:
            logger.info("start URL %s is already queued in this crawl", request.url)
        elif outcome < 0:
            self.df.log(request, self.spider)
        elif self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        if field in self.unsettled and not self.unsettled[field]:
            # a downloader middleware replaced the popped request (a redirect, a retry): the new one
            # is queued now (or dropped as already seen), so the popped one is settled
            self._settle(field)
        return queued

    def has_pending_requests(self):
        return self.shared.queued() > 0

    def _wake(self) -> None:
        """Have the engine look at the shared queue (Scrapy's own look comes every 5 s when idle):
        requests other workers queue are taken soon, and the crawl's end is noticed."""
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None and slot.closing is None:
            slot.nextcall.schedule()

    def spider_idle(self, spider):
        if self.unsettled:
            # nothing is downloading or being scraped here, yet requests are still marked in flight:
            # give them back rather than hold the crawl open forever
            logger.warning("%d request(s) were in flight with nothing to show for them: back to the queue",
                           len(self.unsettled))
            self.unsettled.clear()
            self.shared.requeue_own()
        if self.shared.over():
            logger.info("the distributed crawl is over: worker %s closes", self.shared.worker)
            return
        raise DontCloseSpider

    def close(self, reason):
        for loop in self.loops:
            if loop.running:
                loop.stop()
        shared = self.shared
        requeued = shared.requeue_own()
        if requeued:
            logger.info("%d request(s) in flight went back to the queue for the other workers", requeued)
        spider = self.spider
        # what `gone` and the monitors read after this, when the keys may be gone
        if isinstance(spider.listed, SharedSets):
            spider.listed = spider.listed.snapshot()
            spider.incomplete_portals = spider.incomplete_portals.snapshot()
            spider.portal_addresses = spider.portal_addresses.snapshot()
            spider.list_pages_read = shared.list_pages()
        reached = self.crawler.settings.get("NIANBAO_REDIS_PORTALS_REACHED")
        if reached is not None:
            reached.update(shared.portals_reached())
        if shared.leave():
            logger.info("worker %s was the last of finished crawl %d: its keys are deleted", shared.worker,
                        shared.generation)
        super().close(reason)


# --- the start URLs --------------------------------------------------------------------------
class DistributedOnly:
    """A component of a distributed crawl: not loaded (NotConfigured) unless NIANBAO_REDIS_URL is set."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.get("NIANBAO_REDIS_URL"):
            raise NotConfigured
        return cls(crawler)


class SeedOnceMiddleware(DistributedOnly):
    """Start requests bypass the dupefilter (dont_filter), and every worker's start() yields them:
    they are marked as seeds, and each start URL is queued by the first worker only (a Redis set
    per crawl, SharedScheduler.enqueue_request)."""


    async def process_start(self, start):
        async for item_or_request in start:
            if isinstance(item_or_request, Request):
                item_or_request.meta[SEED] = True  # SharedScheduler.enqueue_request queues it once
            yield item_or_request


# --- conditional requests --------------------------------------------------------------------
class OwnValidators(DistributedOnly):
    """A report request is made by the worker that read its list and downloaded by whichever worker
    pops it: the validators it carries are replaced by the downloading worker's own (its archive
    gets the 304 or the body)."""

    CONDITIONAL = (b"If-None-Match", b"If-Modified-Since")


    def process_request(self, request, spider=None):
        spider = self.crawler.spider
        if request.meta.get("route") not in ("report", "attachment") or request.meta.get("redirect_urls"):
            return None
        for name in self.CONDITIONAL:
            request.headers.pop(name, None)
        known = getattr(spider, "known", {}).get(request.url)
        if known is not None and known.has_validators and not getattr(spider, "refresh", False):
            if known.etag:
                request.headers[b"If-None-Match"] = known.etag
            if known.last_modified:
                request.headers[b"If-Modified-Since"] = known.last_modified
        return None


# --- politeness across workers ---------------------------------------------------------------
class SharedHostBudget(DistributedOnly):
    """At most CONCURRENT_REQUESTS_PER_DOMAIN requests in flight on one host across all workers,
    and request starts on a host spaced by the download delay (DOWNLOAD_DELAY, or the delay
    AutoThrottle has set for the host in this worker). A slot is taken just before the download
    and given back with its response or error; it expires after NIANBAO_REDIS_SLOT_TTL, so a
    worker that dies holding slots frees them. Scrapy's per-worker limits still apply too."""

    def __init__(self, crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.shared = shared_crawl(crawler)
        self.limit = max(1, settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 2))
        self.delay = settings.getfloat("DOWNLOAD_DELAY", 0)
        self.slot_ttl_ms = int(1000 * settings.getfloat("NIANBAO_REDIS_SLOT_TTL",
                                                        settings.getfloat("DOWNLOAD_TIMEOUT", 180) + 30))
        self.tokens = itertools.count(1)
        self._acquire = self.shared.server.register_script(ACQUIRE_LUA)


    def _spacing_ms(self, host_key: str) -> int:
        slot = self.crawler.engine.downloader.slots.get(host_key)
        return int(1000 * max(self.delay, slot.delay if slot is not None else 0))

    async def process_request(self, request, spider=None):
        from twisted.internet import reactor  # the one Scrapy installed (importing it earlier installs another)

        host_key = self.crawler.engine.downloader.get_slot_key(request)
        keys = [f"{KEY_ROOT}:host:{host_key}:busy", f"{KEY_ROOT}:host:{host_key}:next"]
        token = f"{self.shared.worker}|{next(self.tokens)}"
        while True:
            wait_ms = int(self._acquire(keys=keys, args=[token, self.limit, self.slot_ttl_ms,
                                                         self._spacing_ms(host_key)]))
            if wait_ms == 0:
                break
            seconds = BUDGET_POLL_SECONDS if wait_ms < 0 else wait_ms / 1000
            await maybe_deferred_to_future(task.deferLater(reactor, seconds, lambda: None))
        request.meta[HOST_SLOT] = (keys[0], token)
        return None

    def _release(self, request) -> None:
        held = request.meta.pop(HOST_SLOT, None)
        if held is not None:
            self.shared.server.zrem(*held)

    def process_response(self, request, response, spider=None):
        self._release(request)
        return response

    def process_exception(self, request, exception, spider=None):
        self._release(request)
        return None
