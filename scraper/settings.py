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

CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
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
# (NIANBAO_MAX_LIST_PAGES per column, NIANBAO_MAX_PORTAL_PAGES per portal,
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
# 650: after RedirectMiddleware (600) for requests, before it for responses (see the module).
DOWNLOADER_MIDDLEWARES = {"scraper.middlewares.SafeRequestsMiddleware": 650}

# The archive's pipeline (named here, not imported: the spider does not depend on it).
ITEM_PIPELINES = {"archive.pipeline.ArchivePipeline": 300}

# Where the archive lives; `nianbao crawl --db` and `-s NIANBAO_DB=…` set it.
NIANBAO_DB = "nianbao.db"

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False
