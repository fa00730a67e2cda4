"""nianbao's Scrapy project: crawling decides what to fetch."""
