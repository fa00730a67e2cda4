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
DEPTH_LIMIT = 6
COOKIES_ENABLED = True
REDIRECT_ENABLED = True
# Error pages (404/500) reach the spider so the ledger records them.
HTTPERROR_ALLOW_ALL = False

ITEM_PIPELINES = {"scraper.pipelines.ArchivePipeline": 300}

# Where the archive lives; `nianbao crawl --db` and `-s NIANBAO_DB=…` set it.
NIANBAO_DB = "nianbao.db"

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False
