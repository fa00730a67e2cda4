"""Offline demo portal: fictional county sites serving real-looking 政府信息公开工作年度报告,
look-alike pages and the hazards a crawler meets on real portals.

Portals (``PORTALS``; ``portal`` is the site, ``family`` its CMS family):
青溪县 TRS, 云岭县 Hanweb (jpage dataproxy.jsp, POST or GET), 石门川县 VSB, 桃源湾县 generic PHP
(each links its 年报 column from its homepage; the last list page has no 下一页/下页), 松林县
``county`` (generic CMS: 年报 column two clicks from the homepage, sub-columns 部门年报 / 乡镇年报,
reports as PDF, DOCX, 详见附件 + DOCX, 图片版, and blocked pages) and 鹤湾县 ``gkmlpt``
(Guangdong JSON list API, documents in ``window._CONFIG.DETAIL``).

MANIFEST (the truth the site is generated from):

- ``REPORTS``: one dict per annual report: ``path`` (URL path incl. query), ``title``, ``year``
  (year reported on), ``issuer``, ``published`` (YYYY-MM-DD, shown on the page / in the list),
  ``family``, ``portal``, ``shape`` (how the report is published, content.SHAPES: ``page`` an
  HTML page; ``pdf`` / ``docx`` the file linked directly from the list, ``path`` is the file;
  ``attachment_page`` an HTML page saying 详见附件, the report in the DOCX at ``attachment``;
  ``image_only`` a 图片版 page of ``<img>`` only, image paths in ``images``), ``sections``
  (headings as written), ``contact`` ({address, postcode, phones, fax, email}; phones/fax ASCII
  ``area-number``; None/[] when absent), ``has_tables``, ``template`` ("2019"/"2021" for table
  reports, else None). An image-only report's sections/contact are empty: its text is in images.
- ``LOOKALIKES``: pages in the same columns that are NOT annual reports: ``path``, ``title``,
  ``published``, ``family``, ``portal``, ``shape`` (``pdf`` for a linked …解读.pdf).
- ``BLOCKED``: report-titled list links whose URL answers an anti-bot challenge, never a
  report: ``path``, ``title``, ``published``, ``family``, ``portal``, ``block``
  (``ruishu_412``: HTTP 412 + ``$_ts`` script; ``wzws``: HTTP 200 with only a challenge script),
  ``status``.
- ``PORTALS``: per portal: ``family``, ``portal``, ``county``, ``site``, ``prefix``, ``homepage``,
  ``column`` (first list page), ``per_page``; county adds ``gateway``, ``sub_columns``,
  ``column_hops``, ``decoy`` (a news article about 年度报告 that is not a column); gkmlpt adds
  ``sid``, ``category``, ``api`` (first API page).

The server (``start()``) answers conditional requests, can switch a report to a corrected,
gone or maintenance variant and logs every request: see ``DemoServer``.
"""
from .content import CORRECTION_NOTE, SHAPES, manifest
from .render import Page
from .server import DemoServer, start
from .site import build_site

REPORTS, LOOKALIKES, PORTALS, BLOCKED = manifest()

__all__ = ["REPORTS", "LOOKALIKES", "PORTALS", "BLOCKED", "SHAPES", "CORRECTION_NOTE", "Page", "build_site",
           "start", "DemoServer"]
