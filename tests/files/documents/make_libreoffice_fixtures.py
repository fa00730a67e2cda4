"""Regenerate the LibreOffice-made PDF fixtures in tests/files/documents/libreoffice/ (dev only;
the files are committed, so the tests and CI need no LibreOffice for them).

    apt-get install -y --no-install-recommends libreoffice-writer-nogui fonts-noto-cjk
    .venv/bin/python tests/files/documents/make_libreoffice_fixtures.py

PDFs made the way portals make them: a report laid out by a word processor and exported
to PDF. The reports are HTML pages of the labelled corpus (tests/corpus: their statistics
tables have merged cells, and their numbers are labelled by hand). Each page's report
content (parsing.html_text.find_content: title, paragraphs, tables) is saved as a bare HTML
document, which LibreOffice opens and saves as DOCX (`--convert-to docx`), and the DOCX is
exported to PDF (`--convert-to pdf`). LibreOffice lays out every page: the long table 三
breaks across pages, its merged cells are cut by the break, header rows wrap. Two variants:

  <name>.ruled.pdf    the tables with rules (border="1"), as most reports print them
  <name>.unruled.pdf  the same tables without any rules: cells are found from text positions

More ruled PDFs (EXTRA_RULED), of another report and with roomier cells (cellpadding), so
LibreOffice breaks the tables at other rows: table 二's last row alone at the top of a page and a
row of table 三 broken inside its label (full_2021_c); table 四's first row alone at the foot of a
page, and a row broken with nothing left to print below the break (full_2019_b.pad5); the total
172 of table 三 wrapped as 17 | 2 across the break (full_2021_b.pad5); a merged label and its
row's label both cut by the break (real_050.pad8).

and radicals.pdf: a report whose text layer carries Kangxi radicals and CJK Radicals
Supplement code points for some characters (⼈⺠ for 人民, ⽂ for 文, 部⻔ for 部门), as PDFs
whose fonts map glyphs to those code points do.

The tests compare every statistics cell read from each PDF with the cells read from the HTML
page it was made from (tests/test_pdf_tables.py); sources.json says which page that is.
"""
from __future__ import annotations

import html
import json
import pathlib
import shutil
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).parent
OUT = HERE / "libreoffice"
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT))

# corpus fixture → the page's body (both templates, Word-exported tables, a real report's tables)
SOURCES = {
    "full_2019_a": "tests/corpus/full_2019_a.json",
    "full_2019_c": "tests/corpus/full_2019_c.json",
    "full_2021_a": "tests/corpus/full_2021_a.json",
    "full_2021_b": "tests/corpus/full_2021_b.json",
    "full_word_b": "tests/corpus/full_word_b.json",
    "seed_qingtian": "tests/corpus/real_seed_qingtian.json",
    "real_050": "tests/corpus/real_050.json",
}
# More ruled PDFs: PDF name → (corpus fixture, cellpadding). Roomier cells break tables at other rows.
EXTRA_RULED = {
    "full_2021_c.ruled.pdf": ("tests/corpus/full_2021_c.json", 2),
    "full_2019_b.pad5.ruled.pdf": ("tests/corpus/full_2019_b.json", 5),
    "full_2021_b.pad5.ruled.pdf": ("tests/corpus/full_2021_b.json", 5),
    "real_050.pad8.ruled.pdf": ("tests/corpus/real_050.json", 8),
}
# Radical code points for characters of the report text: what such PDFs' text layers say.
RADICAL_FORMS = {"人": "\u2f08", "民": "\u2ea0", "文": "\u2f42", "门": "\u2ed4", "长": "\u2ed3"}


def report_html(fixture: str, ruled: bool, radicals: bool = False, cellpadding: int = 2) -> str:
    """The report content of a corpus page as a bare HTML document."""
    from lxml import etree

    from parsing import parse_report
    from parsing.encoding import decode_html
    from parsing.evaluate import read_fixture
    from parsing.html_text import drop_noise, find_content, parse_tree

    fx = read_fixture(ROOT / fixture)
    body = fx.body_path.read_bytes()
    content_type = dict((k.lower(), v) for k, v in fx.headers).get("content-type")
    title = parse_report(body, fx.url, content_type).title or ""
    text, _ = decode_html(body, content_type)
    root = parse_tree(text)
    drop_noise(root)
    content = find_content(root)
    for table in content.iter("table"):
        for attr in ("border", "style", "class", "width"):
            table.attrib.pop(attr, None)
        table.set("border", "1" if ruled else "0")
        table.set("cellspacing", "0")
        table.set("width", "100%")  # without it LibreOffice lets a wide table run off the page
        table.set("cellpadding", str(cellpadding))
        for cell in table.iter("td", "th"):
            cell.attrib.pop("style", None)
    inner = etree.tostring(content, encoding="unicode", method="html")
    if title and title in inner[:2000]:
        head = ""
    else:
        head = f"<p align=center><b>{html.escape(title)}</b></p>"
    page = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>'
            f"<body>{head}{inner}</body></html>")
    if radicals:
        page = page.translate(str.maketrans(RADICAL_FORMS))
    return page


def soffice_convert(soffice: str, src: pathlib.Path, target: str, workdir: pathlib.Path) -> pathlib.Path:
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{workdir}/profile",
                    "--convert-to", target, "--outdir", str(workdir), str(src)],
                   check=True, capture_output=True, timeout=180)
    return workdir / (src.stem + "." + target.split(":")[0])


def make_pdf(soffice: str, page: str, name: str, workdir: pathlib.Path) -> bytes:
    src = workdir / f"{name}.html"
    src.write_text(page, encoding="utf-8")
    docx = soffice_convert(soffice, src, "docx:MS Word 2007 XML", workdir)
    return soffice_convert(soffice, docx, "pdf", workdir).read_bytes()


def main() -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        sys.exit("LibreOffice is needed: apt-get install -y --no-install-recommends libreoffice-writer-nogui")
    OUT.mkdir(exist_ok=True)
    sources = {}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = pathlib.Path(tmp)
        for name, fixture in SOURCES.items():
            for ruled in (True, False):
                pdf_name = f"{name}.{'ruled' if ruled else 'unruled'}.pdf"
                data = make_pdf(soffice, report_html(fixture, ruled), pdf_name[:-4].replace(".", "_"), workdir)
                (OUT / pdf_name).write_bytes(data)
                sources[pdf_name] = fixture
                print(f"{pdf_name}: {len(data):,} bytes")
        for pdf_name, (fixture, cellpadding) in EXTRA_RULED.items():
            page = report_html(fixture, True, cellpadding=cellpadding)
            data = make_pdf(soffice, page, pdf_name[:-4].replace(".", "_"), workdir)
            (OUT / pdf_name).write_bytes(data)
            sources[pdf_name] = fixture
            print(f"{pdf_name}: {len(data):,} bytes")
        data = make_pdf(soffice, report_html(SOURCES["full_2021_a"], True, radicals=True), "radicals", workdir)
        (OUT / "radicals.pdf").write_bytes(data)
        sources["radicals.pdf"] = SOURCES["full_2021_a"]
        print(f"radicals.pdf: {len(data):,} bytes")
    (OUT / "sources.json").write_text(json.dumps(sources, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
