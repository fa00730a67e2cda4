"""Offline demo portal: four fictional county sites (青溪县 TRS, 云岭县 Hanweb, 石门川县 VSB,
桃源湾县 generic PHP) serving real-looking 政府信息公开工作年度报告 and look-alike pages.

MANIFEST (the truth the site is generated from):

- ``REPORTS``: one dict per annual report: ``path`` (URL path incl. query), ``title``, ``year``
  (year reported on), ``issuer``, ``published`` (YYYY-MM-DD, shown on the page), ``family``,
  ``sections`` (headings as written), ``contact`` ({address, postcode, phones, fax, email};
  phones/fax ASCII ``area-number``; None/[] when absent), ``has_tables``, ``template``
  ("2019"/"2021" for table reports, else None).
- ``LOOKALIKES``: pages in the same columns that are NOT annual reports: ``path``, ``title``,
  ``published``, ``family``.
- ``PORTALS``: per family: ``family``, ``county``, ``site``, ``prefix``, ``homepage``,
  ``column`` (first list page), ``per_page``.
"""
from .content import manifest
from .render import Page
from .server import DemoServer, start
from .site import build_site

REPORTS, LOOKALIKES, PORTALS = manifest()

__all__ = ["REPORTS", "LOOKALIKES", "PORTALS", "Page", "build_site", "start", "DemoServer"]
