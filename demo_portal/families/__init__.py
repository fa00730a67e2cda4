"""One template module per CMS family; each exposes PORTAL (facts about the fictional
county site), ``article_path(doc)`` and ``build(reports, lookalikes) -> {path: Page}``."""
from . import generic, hanweb, trs, vsb

FAMILY_MODULES = {"trs": trs, "hanweb": hanweb, "vsb": vsb, "generic": generic}
