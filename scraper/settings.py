"""Scrapy settings for nianbao: polite by default.

County portals are small servers run by small offices; an archive that takes
them down helps nobody. AutoThrottle adapts the delay to the server's latency,
at most two requests are in flight per host, failures are retried a couple of
times, and responses above DOWNLOAD_MAXSIZE are dropped.

robots.txt policy: obeyed (ROBOTSTXT_OBEY). Annual reports are published for
the public under 条例 Art. 49–50, but a portal that asks crawlers to stay out
of a path is respected; `nianbao crawl --ignore-robots` exists for an
archivist who has decided otherwise for a given portal, and says so in the log.
"""
BOT_NAME = "nianbao"
SPIDER_MODULES = ["scraper.spiders"]
NEWSPIDER_MODULE = "scraper.spiders"

USER_AGENT = "nianbao/0.1 (+https://github.com/nianbao/nianbao; archive of government information-disclosure annual reports)"
ROBOTSTXT_OBEY = True

# In all, not per host. Requests waiting out their host's delay count toward it, so with 8 at most
# 8 of a crawl's portals have a request ready when their delay ends (benchmarks/politeness.py, 20
# hosts). Portals are protected by the per-host limits below, not by this one.
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# Scrapy's downloader, with the per-host limit kept for requests that arrive together (see the module)
DOWNLOADER = "scraper.downloader.PerHostLimitDownloader"
DOWNLOAD_DELAY = 1.0
# No jitter: Scrapy draws a new random delay (0.5–1.5 x) each time it looks at a host's slot, so a
# request waits for the longest of several draws. With the default jitter a 0.5 s delay became a
# 0.645 s mean gap and a 20-host crawl took 1.31x its per-host bound; without it, 0.534 s and 1.08x
# (benchmarks/politeness.py on a quiet machine). The per-host delay and concurrency limits hold either way.
DOWNLOAD_DELAY_JITTER = 0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
RETRY_ENABLED = True
RETRY_TIMES = 2
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 30 * 1024 * 1024
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
# Pagination is not depth: list pages and discovery are bounded by page budgets
# (NIANBAO_MAX_LIST_PAGES per column; NIANBAO_MAX_PORTAL_PAGES requests of every kind per portal:
# start, discovery, list pages, sub-columns, reports, attachments, followed redirects;
# NIANBAO_DISCOVERY_BUDGET pages and NIANBAO_DISCOVERY_HOPS clicks from the start page).
DEPTH_LIMIT = 0
NIANBAO_MAX_LIST_PAGES = 300
NIANBAO_MAX_PORTAL_PAGES = 3000
NIANBAO_DISCOVERY_BUDGET = 40
NIANBAO_DISCOVERY_HOPS = 3
# Seconds a host waits after answering with an anti-bot challenge.
NIANBAO_BLOCK_COOLDOWN = 60
# No cookies: reports are public pages that need no session, and the cookies portals set are
# mostly anti-bot challenge tokens, which nianbao does not solve. (Scrapy's cookie middleware
# would also make tldextract download the Public Suffix List on first use.)
COOKIES_ENABLED = False
REDIRECT_ENABLED = True
# Every status reaches the spider: error pages are recorded whole, 304s as not_modified.
HTTPERROR_ALLOW_ALL = True
# Only http(s): no file://, ftp://, s3://, data: from links on hostile pages.
DOWNLOAD_HANDLERS = {"file": None, "ftp": None, "s3": None, "data": None}
# A body shorter than its Content-Length reaches the spider flagged "dataloss": it is retried, then
# recorded as truncated (degraded for a known report, an error for a new URL), never read as a page.
DOWNLOAD_FAIL_ON_DATALOSS = False
# Redirects that are followed at most; a longer chain is recorded as "too many redirects".
REDIRECT_MAX_TIMES = 10
# The longest Retry-After (429/503) waited for, in seconds; a longer one is recorded, not retried.
NIANBAO_MAX_RETRY_AFTER = 300
# scraper.middlewares: the address check runs before robots.txt (60 < 100, so not even a robots.txt
# is asked of a refused host); Scrapy's redirect, meta-refresh and retry middlewares are replaced by
# subclasses at their own places (checked redirects, Retry-After honoured per host).
DOWNLOADER_MIDDLEWARES = {
    "scraper.middlewares.SafeRequestsMiddleware": 60,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "scraper.middlewares.RetryAfterMiddleware": 550,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "scraper.middlewares.GuardedMetaRefreshMiddleware": 580,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "scraper.middlewares.GuardedRedirectMiddleware": 600,
}

# Fingerprints of the requests made are kept in SQLite, not in a Python set that grows with the
# crawl (scraper/dupefilter.py; a distributed crawl keeps them in Redis: scraper.distributed).
DUPEFILTER_CLASS = "scraper.dupefilter.SQLiteDupeFilter"

# The archive's pipeline (named here, not imported: the spider does not depend on it).
ITEM_PIPELINES = {"archive.pipeline.ArchivePipeline": 300}
# Crawl health: monitors run when the spider closes, after the pipeline has committed (archive/monitors.py).
SPIDERMON_ENABLED = True
EXTENSIONS = {"spidermon.contrib.scrapy.extensions.Spidermon": 500}
SPIDERMON_SPIDER_CLOSE_MONITORS = ("archive.monitors.CrawlHealthSuite",)

# Where the archive lives; `nianbao crawl --db` and `-s NIANBAO_DB=…` set it.
NIANBAO_DB = "nianbao.db"

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False

# `scrapy crawl annual_reports -O items.jsonl`: the records' bodies (bytes) are written as base64.
FEED_EXPORTERS = {
    "json": "scraper.feeds.JsonRecordExporter",
    "jsonlines": "scraper.feeds.JsonLinesRecordExporter",
    "jsonl": "scraper.feeds.JsonLinesRecordExporter",
    "csv": "scraper.feeds.CsvRecordExporter",
    "xml": "scraper.feeds.XmlRecordExporter",
}
