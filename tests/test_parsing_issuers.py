"""issuer_level and place_from_issuer on the issuers of the labelled corpus."""
import json
from pathlib import Path

import pytest

from parsing.issuers import issuer_level, place_from_issuer

TESTS = Path(__file__).parent
LABELLED_ISSUERS = sorted({json.loads(p.read_text(encoding="utf-8"))["expected"].get("issuer") or ""
                           for p in (TESTS / "corpus").glob("*.json")} - {""})


@pytest.mark.parametrize("issuer, level", [
    # From tests/corpus labels.
    ("青田县人民政府", "government"),
    ("福州市晋安区人民政府", "government"),
    ("湖南省人民政府辦公廳", "government_office"),
    ("岳阳市教育局", "department"),
    ("縉雲縣市場監督管理局", "department"),
    ("桐鄉(xiāng)市教育局", "department"),
    ("青川县乡村振兴局", "department"),  # 乡 inside a department's name
    ("湖南衡山萱洲国家湿地公园管理处", "department"),
    ("大埔县三河镇人民政府", "township"),
    ("龙游县大街乡", "township"),
    ("枫林县城东街道办事处", "township"),
    ("唐村镇", "township"),
    # Other real forms.
    ("上海市人民政府办公厅", "government_office"),
    ("绥宁县人民政府办公室", "government_office"),
    ("某市发展和改革委员会", "department"),
    ("某县政务服务中心", "department"),
    ("达拉特旗树林召镇", "township"),
    ("某旗某苏木人民政府", "township"),
    ("某经济技术开发区管理委员会", "development_zone"),
    ("某市高新区管委会", "development_zone"),
    ("上海市浦东新区人民政府", "government"),  # a district's government, not a zone
    ("", None),
    (None, None),
    ("政府信息公开", None),
])
def test_issuer_level(issuer, level):
    assert issuer_level(issuer) == level


def test_every_labelled_issuer_has_a_level():
    assert len(LABELLED_ISSUERS) >= 40
    assert {i: issuer_level(i) for i in LABELLED_ISSUERS if issuer_level(i) is None} == {}


@pytest.mark.parametrize("issuer, place", [
    ("青田县人民政府", (None, None, "青田县")),
    ("广东省开平市农业农村局", ("广东省", "开平市", None)),
    ("福州市晋安区人民政府", (None, "福州市", "晋安区")),
    ("岳阳市教育局", (None, "岳阳市", None)),
    ("大埔县三河镇人民政府", (None, None, "大埔县")),
    ("縉雲縣市場監督管理局", (None, None, "缙云县")),
    ("湖南省人民政府辦公廳", ("湖南省", None, None)),
    ("桐鄉(xiāng)市教育局", (None, "桐乡市", None)),
    ("湘西土家族苗族自治州龙山县人民政府", (None, "湘西土家族苗族自治州", "龙山县")),
    ("北京市通州区人民政府", ("北京市", "北京市", "通州区")),
    ("鄂尔多斯市达拉特旗人民政府", (None, "鄂尔多斯市", "达拉特旗")),
    ("某市高新区管委会", (None, "某市", None)),  # a zone is not a district
    ("唐村镇", (None, None, None)),
    (None, (None, None, None)),
])
def test_place_from_issuer(issuer, place):
    assert place_from_issuer(issuer) == place
