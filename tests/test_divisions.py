"""The registry of divisions (GB/T 2260 with history) and the gazetteer that places reports on it.

The registry is yescallop/areacodes' data (built by archive/data/build_divisions.py); the issuers
are real: tests/files/divisions/corpus_titles.json holds the titles, years and place labels of the
30 real reports in the shared corpus (labelled by the people who collected them, e.g. "湖南(邵阳)").
"""
import json
from pathlib import Path

import pytest

from archive.divisions import REGISTRY_CSV, Gazetteer, name_forms, registry_rows
from archive.store import open_archive
from parsing.meta import issuer_from_title

FILES = Path(__file__).parent / "files"


@pytest.fixture(scope="module")
def gazetteer():
    return Gazetteer.from_rows(registry_rows())


def test_the_registry_has_every_county_level_division_in_use_with_history():
    rows = registry_rows()
    in_use = [r for r in rows if r["valid_to"] is None]
    assert sum(r["level"] == "county" for r in in_use) == 2846  # areacodes' count for 2024
    assert sum(r["level"] == "province" for r in in_use) == 34
    assert {r["level"] for r in rows} == {"province", "prefecture", "county"}
    by_code = {(r["code"], r["valid_from"]): r for r in rows}
    # 撤县设区: 密云县 became 密云区 in 2015
    assert by_code[("110228", 1981)] | {} == {"code": "110228", "name": "密云县", "level": "county",
                                               "parent_code": "110000", "valid_from": 1981, "valid_to": 2015,
                                               "successors": "110118"}
    # 更名 in place: one code, two names
    assert [(r["name"], r["valid_to"]) for r in rows if r["code"] == "130502"] == [("桥东区", 2020), ("襄都区", None)]
    assert REGISTRY_CSV.stat().st_size < 200_000


def test_every_archive_has_the_divisions_table_loaded_by_ensure_schema(tmp_path):
    archive = open_archive(str(tmp_path / "a.db"))
    columns = [c.name for c in archive.db["divisions"].columns]
    assert columns[:7] == ["code", "name", "level", "parent_code", "valid_from", "valid_to", "successors"]
    assert archive.conn.execute("select count(*) from divisions where valid_to is null and level = 'county'"
                                ).fetchone()[0] == 2846
    archive.close()
    again = open_archive(str(tmp_path / "a.db"))  # re-running ensure_schema loads nothing twice
    assert again.conn.execute("select count(*) from divisions").fetchone()[0] == len(registry_rows())


@pytest.mark.parametrize("name, level, forms", [
    ("城步苗族自治县", "county", ["城步苗族自治县", "城步县", "城步"]),
    ("鄂温克族自治旗", "county", ["鄂温克族自治旗", "鄂温克旗", "鄂温克"]),
    ("积石山保安族东乡族撒拉族自治县", "county", ["积石山保安族东乡族撒拉族自治县", "积石山县", "积石山"]),
    ("内蒙古自治区", "province", ["内蒙古自治区", "内蒙古"]),
    ("绥宁县", "county", ["绥宁县", "绥宁"]),
])
def test_short_forms(name, level, forms):
    assert [f for f, _ in name_forms(name, level)] == forms


@pytest.mark.parametrize("issuer, context, year, code", [
    # short forms
    ("城步县人民政府", None, 2019, "430529"),          # 城步苗族自治县
    ("鄂温克旗人民政府办公室", None, 2020, "150724"),   # 鄂温克族自治旗
    ("湖南省邵阳市城步县教育局", None, 2019, "430529"),
    # same name in several provinces: the portal's division decides, else nothing is invented
    ("朝阳区人民政府", None, 2020, None),
    ("朝阳区人民政府", "110000", 2020, "110105"),       # a Beijing portal
    ("朝阳区人民政府", "220100", 2020, "220104"),       # a Changchun portal
    ("鼓楼区人民政府", "350000", 2019, "350102"),       # a Fujian portal: Fuzhou's
    ("福州市鼓楼区人民政府", None, 2019, "350102"),     # the parent named in the text
    # a county-level city named alone is a county, not a city
    ("開平市農業農村局", None, 2020, "440783"),
    ("桐鄉(xiāng)市教育局", None, 2014, "330483"),
    # renamed: the code valid in the report's year
    ("邵东县人民政府", None, 2012, "430521"),
    ("邵东市人民政府", None, 2021, "430582"),
    ("密云县人民政府", None, 2012, "110228"),          # 撤县设区 2015: the 2012 code
    ("庐江县人民政府", None, 2010, "341421"),          # 巢湖地区 abolished in 2011: same name,
    ("庐江县人民政府", None, 2012, "340124"),          # new code under 合肥
    ("简阳市人民政府", None, 2015, "512081"),          # moved from 资阳 to 成都 in 2016
    ("简阳市人民政府", None, 2016, "510185"),
    ("密云区人民政府", None, 2020, "110118"),
    ("桥东区人民政府", "130500", 2015, "130502"),       # 邢台's 桥东区, renamed 襄都区 in 2020
    ("襄都区人民政府", None, 2021, "130502"),
    # townships and departments resolve to their county
    ("大埔县三河镇人民政府", None, 2023, "441422"),
    ("邹城市唐村镇", None, 2010, "370883"),
    ("国家税务总局青田县税务局", None, 2019, "331121"),
    # a prefecture's and a province's own
    ("岳阳市教育局", None, 2014, "430600"),
    ("湖南省人民政府办公厅", None, 2020, "430000"),
    # a bare stem before something that is not a division names nothing
    ("湖南衡山萱洲国家湿地公园管理处", None, 2020, None),
])
def test_codes_for_real_issuer_strings(gazetteer, issuer, context, year, code):
    found = gazetteer.resolve(issuer, context, year)
    assert (found.code if found else None) == code


def test_an_issuer_naming_no_division_takes_the_portals_code(gazetteer):
    assert gazetteer.division_of("县教育局", "430527", 2019) == "430527"
    assert gazetteer.division_of("城关镇人民政府", "430527", 2019) == "430527"
    assert gazetteer.division_of("湖南衡山萱洲国家湿地公园管理处", "430423", 2020) == "430423"
    assert gazetteer.division_of("办公室", None, 2019) is None
    # it names one, ambiguously: not silently the portal's
    assert gazetteer.division_of("朝阳区人民政府", None, 2020) is None


def test_the_successor_link_joins_an_old_code_to_todays(gazetteer):
    old = gazetteer.resolve("密云县人民政府", None, 2012)
    assert old.successors == "110118"
    assert gazetteer.get("110118").name == "密云区"
    assert gazetteer.place("110228", 2012) == ("北京市", None, "密云县")


def test_the_real_corpus_issuers_resolve_to_their_labelled_province_and_prefecture(gazetteer):
    """Each of the 30 real reports' issuers (read from its title by the parser) placed without any
    portal context; the collectors' labels say province and prefecture ("湖南(邵阳)")."""
    items = json.loads((FILES / "divisions" / "corpus_titles.json").read_text(encoding="utf-8"))
    placed, unplaced = {}, []
    for item in items:
        title = (item["title"] or "").split(" (")[0].split(" —")[0]
        found = gazetteer.resolve(issuer_from_title(title), None, item["report_year"])
        if found is None:
            unplaced.append(item["id"])
            continue
        province, city, _ = gazetteer.place(found.code, item["report_year"])
        label = item["province"]
        expected_province, _, expected_city = label.partition("(")
        assert province.startswith(expected_province), (item["id"], province, label)
        if expected_city and found.level != "province":
            assert city.startswith(expected_city.rstrip(")")), (item["id"], city, label)
        placed[item["id"]] = found.code
    # 006 is an anonymised 某市; 017 (湖南衡山萱洲国家湿地公园管理处) names no division: its portal places it
    assert unplaced == ["006", "017"]
    assert len(placed) == 28
