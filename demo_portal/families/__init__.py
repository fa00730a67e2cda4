"""One template module per demo portal; each exposes PORTAL (facts about the fictional
county site, with its CMS ``family``), ``article_path(doc)`` and
``build(reports, lookalikes[, blocked]) -> {path: Page}``; optionally ``routes(reports,
lookalikes) -> {path: handler(params) -> Page | None}`` for answers computed per request.

The first four are one CMS family each and are linked from their homepages directly; 松林县
(``county``, a generic CMS) hides its 年报 column two clicks deep and serves attachments and
blocked pages; 鹤湾县 (``gkmlpt``) is a Guangdong 集约化 site with a JSON list API."""
from . import county, generic, gkmlpt, hanweb, trs, vsb

PORTAL_MODULES = {"trs": trs, "hanweb": hanweb, "vsb": vsb, "generic": generic, "county": county, "gkmlpt": gkmlpt}
