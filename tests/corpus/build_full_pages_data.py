"""Page specs (the numbers are the ground truth) and CMS page wrappers for build_full_pages.py.

t2: row_key → values in column order; a value is a number or (value, written, unit).
t3: applicant vectors [自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他] for new/carried and
each non-zero result row; totals, （七）总计 and 四、结转下年度 are computed. t4: [维持, 纠正, 其他, 尚未审结] ×3.
blanks: (prefix of "table:row_key", marker): zero cells there are written with the marker (labelled blank).
bump: deliberate printing errors {(table, row_key, column_key): delta} (full_mismatch only).
"""
NOTICE_2019 = "《国务院办公厅政府信息与政务公开办公室关于政府信息公开工作年度报告有关事项的通知》（国办公开办函〔2019〕60号）"
NOTICE_2021 = "《国务院办公厅政府信息与政务公开办公室关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》（国办公开办函〔2021〕30号）"


def opening(year, who, notice, contact):
    cite = f"和{notice}" if notice else ""
    return (f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）{cite}要求，由{who}编制。全文包括总体情况、"
            f"主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、"
            f"其他需要报告的事项。本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。{contact}")


def contact(address=None, postcode=None, phones=(), fax=(), email=None):
    return {"address": address, "postcode": postcode, "phones": list(phones), "fax": list(fax), "email": email}


PAGES = [
    dict(name="full_2019_a", family="hanweb", site="桐溪县人民政府", tables="2019", year=2019, we="我县",
         url="http://www.tongxi.gov.cn/art/2020/1/19/art_1229001234_4012345.html",
         title="桐溪县2019年政府信息公开工作年度报告", issuer="桐溪县人民政府", published="2020-01-19",
         date_line="发布时间：2020-01-19 10:35", headings=None,
         opening=opening(2019, "桐溪县人民政府办公室", NOTICE_2019,
                         "如对本报告有任何疑问，请与桐溪县人民政府办公室联系（地址：桐溪县人民路88号；邮编：323900；"
                         "电话：0578-6508316；电子邮箱：txxzfb@163.com）。"),
         contact=contact("桐溪县人民路88号", "323900", ["0578-6508316"], [], "txxzfb@163.com"),
         proactive=3265, requests=45,
         proactive_sentence="2019年，全县本年度主动公开政府信息3265条，其中政府网站公开2890条，政务微博公开68条，政务微信公开307条，同比增长12.6%。",
         requests_sentence="全年共收到政府信息公开申请45件，上年结转2件，均在法定期限内答复。",
         t2={"art20_1.regulations": [0, 0, 0], "art20_1.normative_documents": [14, 14, 86],
             "art20_5.licensing": [1136, (22, "+22", None), 28540], "art20_5.other_services": [287, -6, 6312],
             "art20_6.penalty": [3980, 0, 2411], "art20_6.enforcement": [186, 0, 73], "art20_8.fees": [31, -3],
             "art20_9.procurement": [152, (251000, "251000元", "元")]},
         t3={"new": [36, 5, 0, 1, 2, 1], "carried": [2, 0, 0, 0, 0, 0],
             "result.disclosed": [15, 2, 0, 1, 1, 0], "result.partially_disclosed": [4, 1, 0, 0, 0, 0],
             "result.withheld.third_party": [1, 0, 0, 0, 0, 0], "result.withheld.process_info": [2, 0, 0, 0, 0, 0],
             "result.unavailable.not_held": [9, 1, 0, 0, 1, 0], "result.unavailable.needs_creation": [2, 0, 0, 0, 0, 0],
             "result.not_processed.petition": [2, 0, 0, 0, 0, 0], "result.not_processed.repeated": [1, 0, 0, 0, 0, 0],
             "result.other": [1, 0, 0, 0, 0, 0]},
         t4=[[2, 0, 1, 0], [1, 0, 0, 1], [0, 0, 0, 0]], blanks=[("4:", "&nbsp;")],
         source="built in the Hanweb layout (div#zoom in layout tables, UTF-8 meta); 2019 template; headers "
                "本年新<br />制作数量; full-width brackets; 采购总金额 written 251000元; 本年增/减 +22/-6/-3; "
                "table 四 zero cells &nbsp;; bare county title → 人民政府; 政务微博 sub-count in the narrative"),
    dict(name="full_2019_b", family="trs", site="青岚县人民政府", tables="2019", year=2019, we="我局", encoding="gbk",
         url="http://www.qinglan.gov.cn/zwgk/xxgknb/202003/t20200302_3345678.html",
         title="青岚县民政局2019年政府信息公开工作年度报告", issuer="青岚县民政局", published="2020-03-02",
         date_line="发布日期：2020-03-02", headings=None, cells="span", heading="b", ascii="all",
         relabel={"商业企业": "商业 企业", "科研机构": "科研 机构"},
         opening=opening(2019, "青岚县民政局", None,
                         "如对本报告有疑问，请联系青岚县民政局办公室（联系地址：青岚县城关镇府前路12号，邮政编码：334100，"
                         "联系电话：0793—7221035，传真：0793-7221036）。"),
         contact=contact("青岚县城关镇府前路12号", "334100", ["0793-7221035"], ["0793-7221036"], None),
         proactive=486, requests=9,
         proactive_sentence="2019年，我局通过县政府门户网站民政信息公开专栏主动公开政府信息486条，其中低保、特困供养等社会救助信息132条。",
         requests_sentence="全年共受理政府信息公开申请9件，已全部办结。",
         t2={"art20_1.regulations": [0, 0, 0], "art20_1.normative_documents": [3, 3, 17],
             "art20_5.licensing": [12, 0, 356], "art20_5.other_services": [8, (1, "+1", None), 1204],
             "art20_6.penalty": [15, 0, 4], "art20_6.enforcement": [2, 0, 0], "art20_8.fees": [3, 0],
             "art20_9.procurement": [6, (20.3, "20.3万元", "万元")]},
         t3={"new": [8, 1, 0, 0, 0, 0], "result.disclosed": [4, 1, 0, 0, 0, 0],
             "result.partially_disclosed": [1, 0, 0, 0, 0, 0], "result.unavailable.not_held": [2, 0, 0, 0, 0, 0],
             "result.not_processed.repeated": [1, 0, 0, 0, 0, 0]},
         t4=[[1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]], blanks=[("3:result.withheld", "-"), ("4:", "—")],
         source="built in the TRS layout (div.TRS_Editor in layout tables), GBK bytes with only a meta gb2312; "
                "2019 template with ASCII brackets in every label ((一)予以公开, 第二十条第(一)项); 商业 企业 / 科研 机构 "
                "with inner spaces; (三)不予公开 zero cells '-', table 四 zero cells '—'; 采购总金额 20.3万元; "
                "contact with 联系地址/邮政编码/联系电话 em-dash phone/传真, comma separated"),
    dict(name="full_2019_c", family="vsb", site="桐溪县云岭镇人民政府", tables="2019", year=2020, we="我镇",
         url="http://www.tongxi.gov.cn/info/1034/21567.htm",
         title="云岭镇人民政府2020年政府信息公开工作年度报告", issuer="云岭镇人民政府", published="2021-01-22",
         date_line="发布时间：2021年01月22日 09:30", cells="bare", heading="plain", ascii="results",
         headings=["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                   "四、政府信息公开行政复议、行政诉讼情况", "五、存在问题及改进措施", "六、其他需要报告的事项"],
         opening=opening(2020, "云岭镇党政办公室", None,
                         "如对本报告有疑问，请与云岭镇党政办公室联系，电话0578-3321456，电子信箱：ylzdzb@126.com。"),
         contact=contact(None, None, ["0578-3321456"], [], "ylzdzb@126.com"),
         proactive=212, requests=3,
         proactive_sentence="2020年，我镇在政府信息公开平台主动公开政府信息212条，其中机构职能、财政预决算等法定主动公开内容47条。",
         requests_sentence="全年新收政府信息公开申请3件，上年结转1件。",
         t2={"art20_1.regulations": [(0, "/", None)] * 3, "art20_1.normative_documents": [1, 1, 5],
             "art20_5.licensing": [0, 0, 0], "art20_5.other_services": [24, (2, "+2", None), 318],
             "art20_6.penalty": [6, 0, 11], "art20_6.enforcement": [0, 0, 0], "art20_8.fees": [0, 0],
             "art20_9.procurement": [0, 0]},
         t3={"new": [3, 0, 0, 0, 0, 0], "carried": [1, 0, 0, 0, 0, 0], "result.disclosed": [2, 0, 0, 0, 0, 0],
             "result.unavailable.not_held": [1, 0, 0, 0, 0, 0]},
         t4=[[0, 0, 0, 0]] * 3, blanks=[("3:result.not_processed", "")],
         source="built in the VSB layout (div#vsb_content > div.v_news_content inside <form>, UTF-8); a 2020 report in "
                "the 2019 template; ASCII brackets only in (一)…(七) result labels, full-width elsewhere; 规章 cells '/'; "
                "(五)不予处理 zero cells empty; plain <p> headings; contact without address, 电话 without colon, 电子信箱; "
                "date 2021年01月22日"),
    dict(name="full_2021_a", family="gkmlpt", site="桐溪县人民政府", tables="2021", year=2021, we="我局",
         url="http://www.tongxi.gov.cn/txwjj/gkmlpt/content/3/3012/post_3012345.html",
         title="桐溪县卫生健康局2021年政府信息公开工作年度报告", issuer="桐溪县卫生健康局", published="2022-01-20",
         written="2022-01-18", headings=None,
         opening=opening(2021, "桐溪县卫生健康局", NOTICE_2021,
                         "如对本报告有疑问，请与桐溪县卫生健康局办公室联系（地址：桐溪县健康路6号；邮编：323901；"
                         "电话：0578-6512208、0578-6512209；电子邮箱：txwjj@tongxi.gov.cn）。"),
         contact=contact("桐溪县健康路6号", "323901", ["0578-6512208", "0578-6512209"], [], "txwjj@tongxi.gov.cn"),
         proactive=1568, requests=25,
         proactive_sentence="2021年，我局主动公开政府信息1568条，其中疫情防控信息612条，通过“健康桐溪”微信公众号发布信息420条。",
         requests_sentence="全年共收到政府信息公开申请25件，较上年增加6件。",
         t2={"art20_1.regulations": [0, 0, 0], "art20_1.normative_documents": [2, 1, 9],
             "art20_5.licensing": [1842], "art20_6.penalty": [127], "art20_6.enforcement": [0], "art20_8.fees": [20.3]},
         t3={"new": [21, 3, 0, 0, 1, 0], "carried": [1, 0, 0, 0, 0, 0],
             "result.disclosed": [10, 1, 0, 0, 0, 0], "result.partially_disclosed": [2, 0, 0, 0, 0, 0],
             "result.withheld.prohibited_by_law": [1, 0, 0, 0, 0, 0], "result.unavailable.not_held": [5, 1, 0, 0, 1, 0],
             "result.unavailable.unclear": [1, 0, 0, 0, 0, 0], "result.not_processed.petition": [1, 0, 0, 0, 0, 0],
             "result.other.no_correction": [1, 0, 0, 0, 0, 0], "result.other.other": [1, 0, 0, 0, 0, 0]},
         t4=[[1, 1, 0, 0], [0, 0, 0, 1], [0, 0, 0, 0]],
         source="built in the gkmlpt layout (div.article-content, metadata table with 成文日期 before 发布日期, UTF-8); "
                "2021 template with full-width labels, 本年收费金额（单位：万元） 20.3, (六) three rows; two phones with 、"),
    dict(name="full_2021_b", family="vsb", site="枫林县人民政府", tables="2021", year=2022, we="我县",
         url="http://www.fenglin.gov.cn/info/2261/98765.htm",
         title="枫林县2022年政府信息公开工作年度报告", issuer="枫林县人民政府", published="2023-01-16",
         date_line="发布时间：2023-01-16 15:02", ascii="all", cells="p",
         relabel={"商业企业": "商业<br />企业", "科研机构": "科研<br />机构",
                  "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请":
                  "2.申请人逾期未缴费、行政机关不再处理其政府信息公开申请"},
         headings=["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                   "四、政府信息公开行政复议、行政诉讼情况", "五、政府信息公开工作存在的主要问题及改进情况", "六、其他需报告的事项"],
         opening=opening(2022, "枫林县人民政府办公室", NOTICE_2021,
                         "如对本报告有任何疑问，请与枫林县人民政府办公室联系（地址：枫林县红枫大道1号县行政中心；邮编：415200；"
                         "电话：0736-3221100；传真：0736-3221101；电子邮箱：flxzfbgs@163.com）。"),
         contact=contact("枫林县红枫大道1号县行政中心", "415200", ["0736-3221100"], ["0736-3221101"], "flxzfbgs@163.com"),
         proactive=12876, requests=172,
         proactive_sentence="2022年，全县各级行政机关共主动公开政府信息12876条，同比增长8.3%，其中政府网站发布9650条，政务新媒体发布3226条。",
         requests_sentence="全县各级行政机关全年共收到政府信息公开申请172件，另有上年结转申请10件。",
         t2={"art20_1.regulations": [1, 0, 12], "art20_1.normative_documents": [18, 6, 143],
             "art20_5.licensing": [45210], "art20_6.penalty": [3287], "art20_6.enforcement": [412],
             "art20_8.fees": [1286.45]},
         t3={"new": [142, 18, 1, 2, 6, 3], "carried": [9, 1, 0, 0, 0, 0],
             "result.disclosed": [61, 9, 1, 1, 2, 1], "result.partially_disclosed": [18, 2, 0, 0, 1, 0],
             "result.withheld.state_secret": [1, 0, 0, 0, 0, 0], "result.withheld.third_party": [3, 0, 0, 0, 0, 0],
             "result.withheld.internal_affairs": [2, 0, 0, 0, 0, 0], "result.withheld.process_info": [4, 1, 0, 0, 0, 0],
             "result.withheld.enforcement_files": [1, 0, 0, 0, 0, 0], "result.unavailable.not_held": [30, 3, 0, 1, 2, 1],
             "result.unavailable.needs_creation": [4, 0, 0, 0, 0, 0], "result.unavailable.unclear": [3, 0, 0, 0, 0, 0],
             "result.not_processed.petition": [6, 0, 0, 0, 0, 0], "result.not_processed.repeated": [2, 0, 0, 0, 0, 0],
             "result.not_processed.publications": [1, 0, 0, 0, 0, 0], "result.not_processed.excessive": [1, 0, 0, 0, 0, 0],
             "result.other.no_correction": [5, 1, 0, 0, 0, 0], "result.other.fee_unpaid": [1, 0, 0, 0, 0, 0],
             "result.other.other": [3, 0, 0, 0, 0, 0]},
         t4=[[5, 1, 2, 1], [2, 0, 1, 1], [1, 0, 0, 1]],
         source="built in the VSB layout (div#vsb_content in <form>, UTF-8); 2021 template with ASCII brackets "
                "(第二十条第(一)项, 本年收费金额(单位:万元) 1286.45, (一)予以公开); 商业<br />企业; shortened (六) row 2 "
                "申请人逾期未缴费…; headings 五、政府信息公开工作存在的主要问题及改进情况 / 六、其他需报告的事项"),
    dict(name="full_2021_c", family="hanweb", site="青岚县人民政府", tables="2021", year=2020, we="我局", cells="bare",
         url="http://www.qinglan.gov.cn/art/2021/12/20/art_1229112233_4455667.html",
         title="青岚县自然资源局2020年政府信息公开工作年度报告", issuer="青岚县自然资源局", published="2021-12-20",
         date_line="发布时间：2021-12-20 16:20", heading="strong",
         headings=["一、本年度政府信息公开工作的总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                   "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"],
         opening=opening(2020, "青岚县自然资源局", None,
                         "如对本报告有疑问，请与青岚县自然资源局办公室联系（办公地址：青岚县滨江路56号，邮编：334100，"
                         "联系电话：（0793）7236618，电子邮件：qlzrzyj@163.com）。"),
         contact=contact("青岚县滨江路56号", "334100", ["0793-7236618"], [], "qlzrzyj@163.com"),
         proactive=742, requests=13,
         proactive_sentence="2020年，我局累计主动公开政府信息742条，其中土地征收信息85条、规划批前公示36条。",
         requests_sentence="2020年我局共受理政府信息公开申请13件，均已按期答复。",
         t2={"art20_1.regulations": [0, 0, 0], "art20_1.normative_documents": [1, 0, 4],
             "art20_5.licensing": [236], "art20_6.penalty": [41], "art20_6.enforcement": [3], "art20_8.fees": [58.6]},
         t3={"new": [11, 2, 0, 0, 0, 0], "result.disclosed": [5, 1, 0, 0, 0, 0],
             "result.partially_disclosed": [1, 0, 0, 0, 0, 0], "result.unavailable.not_held": [3, 0, 0, 0, 0, 0],
             "result.not_processed.petition": [1, 0, 0, 0, 0, 0], "result.other.other": [1, 0, 0, 0, 0, 0]},
         t4=[[1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]], blanks=[("3:result.withheld", "&nbsp;")],
         source="built in the Hanweb layout (div#zoom, UTF-8); a 2020 report (published late, 2021-12) whose tables use "
                "the 2021 template: template from the labels, not the year; heading 一、本年度政府信息公开工作的总体情况; "
                "(三)不予公开 zero cells &nbsp;; 办公地址 and phone (0793)7236618; 电子邮件"),
    dict(name="full_word_a", family="gkmlpt", site="青岚县人民政府", tables="2019", year=2021, we="我乡", word=True,
         url="http://www.qinglan.gov.cn/jxx/gkmlpt/content/4/4123/post_4123456.html",
         title="金溪乡人民政府2021年政府信息公开工作年度报告", issuer="金溪乡人民政府", published="2022-06-14",
         written="2022-06-10", headings=None,
         opening=opening(2021, "金溪乡人民政府办公室", None,
                         "如对本报告有疑问，请与金溪乡人民政府办公室联系（地址：青岚县金溪乡金溪街8号；邮编：334112；电话：0793-7351002）。"),
         contact=contact("青岚县金溪乡金溪街8号", "334112", ["0793-7351002"], [], None),
         proactive=156, requests=2,
         proactive_sentence="2021年，我乡在县政府信息公开平台主动公开政府信息156条。",
         requests_sentence="2021年我乡共收到政府信息公开申请2件，均已按时办结。",
         t2={"art20_1.regulations": [0, 0, 0], "art20_1.normative_documents": [0, 0, 3],
             "art20_5.licensing": [0, 0, 0], "art20_5.other_services": [15, 0, 210],
             "art20_6.penalty": [2, 0, 3], "art20_6.enforcement": [0, 0, 0], "art20_8.fees": [0, 0],
             "art20_9.procurement": [0, 0]},
         t3={"new": [2, 0, 0, 0, 0, 0], "result.disclosed": [1, 0, 0, 0, 0, 0],
             "result.unavailable.not_held": [1, 0, 0, 0, 0, 0]},
         t4=[[0, 0, 0, 0]] * 3, blanks=[("4:", "&nbsp;"), ("2:art20_9", "&nbsp;")],
         source="Word 'Save as HTML' tables (MsoNormalTable, MsoNormal runs split by script, <o:p>, mso- styles, "
                "<![if !supportMisalignedColumns]> row) pasted into a gkmlpt page; a 2021 report still in the 2019 "
                "template (like 城步县金紫乡); table 四 and 政府集中采购 empty Word cells (&nbsp;); headings split in two runs"),
    dict(name="full_word_b", family="hanweb", site="枫林县人民政府", tables="2021", year=2022, we="我局", word=True,
         url="http://www.fenglin.gov.cn/art/2023/1/28/art_1229556677_5012345.html",
         title="枫林县市场监督管理局2022年政府信息公开工作年度报告", issuer="枫林县市场监督管理局", published="2023-01-28",
         date_line="发布时间：2023-01-28 11:12",
         headings=["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                   "四、政府信息公开行政复议、行政诉讼情况", "五、存在问题及改进情况", "六、其他需要报告的事项"],
         opening=opening(2022, "枫林县市场监督管理局", NOTICE_2021,
                         "如对本报告有疑问，请与枫林县市场监督管理局办公室联系（地址：枫林县迎宾路203号，邮编：415200，"
                         "电话：0736-3356012，传真：0736-3356013，电子邮箱：flxscjgj@163.com）。"),
         contact=contact("枫林县迎宾路203号", "415200", ["0736-3356012"], ["0736-3356013"], "flxscjgj@163.com"),
         proactive=2041, requests=36,
         proactive_sentence="2022年，我局主动公开政府信息2041条，其中“双随机、一公开”抽查结果信息318条。",
         requests_sentence="全年共新收政府信息公开申请36件，上年结转3件。",
         t2={"art20_1.regulations": [0, 0, 0], "art20_1.normative_documents": [3, 2, 11],
             "art20_5.licensing": [5624], "art20_6.penalty": [893], "art20_6.enforcement": [67], "art20_8.fees": [3.75]},
         t3={"new": [27, 6, 0, 0, 2, 1], "carried": [2, 1, 0, 0, 0, 0],
             "result.disclosed": [12, 3, 0, 0, 1, 0], "result.partially_disclosed": [3, 1, 0, 0, 0, 0],
             "result.withheld.third_party": [1, 0, 0, 0, 0, 0], "result.withheld.query_items": [2, 0, 0, 0, 0, 0],
             "result.unavailable.not_held": [6, 1, 0, 0, 1, 1], "result.unavailable.needs_creation": [1, 0, 0, 0, 0, 0],
             "result.not_processed.petition": [2, 0, 0, 0, 0, 0], "result.not_processed.confirmation": [1, 0, 0, 0, 0, 0],
             "result.other.no_correction": [1, 0, 0, 0, 0, 0]},
         t4=[[2, 0, 0, 1], [1, 0, 0, 0], [0, 0, 0, 0]], blanks=[("4:", "&nbsp;")],
         source="Word 'Save as HTML' tables (MsoNormalTable, runs split by script, <o:p>, mso- styles, "
                "<![if !supportMisalignedColumns]> row) pasted into a Hanweb div#zoom; 2021 template; table 四 zero "
                "cells empty Word paragraphs; headings and paragraphs as MsoNormal runs"),
    dict(name="full_images", family="trs", site="桐溪县人民政府", tables=None, year=2020, we="我局", encoding="gbk",
         content_type="text/html; charset=GBK",
         url="http://www.tongxi.gov.cn/zwgk/xxgknb/202101/t20210126_3456789.html",
         title="桐溪县教育局2020年政府信息公开工作年度报告", issuer="桐溪县教育局", published="2021-01-26",
         date_line="发布日期：2021-01-26", cells="p", heading="strong",
         images=["2101261015421", "2101261015887", "2101261016203"], headings=None,
         opening=opening(2020, "桐溪县教育局", None,
                         "如对本报告有疑问，请与桐溪县教育局办公室联系（地址：桐溪县文教路21号；邮编：323900；电话：0578-6523017）。"),
         contact=contact("桐溪县文教路21号", "323900", ["0578-6523017"], [], None),
         proactive=935, requests=4,
         proactive_sentence="2020年，我局主动公开政府信息935条，其中教育收费、招生入学等重点领域信息226条。",
         requests_sentence="全年共收到政府信息公开申请4件，均已按期答复。",
         source="built in the TRS layout, GBK with meta gb2312; the three statistics tables are images "
                "(<p><img src=/picture/0/….png>) under headings 二/三/四: no table, template null, no notice cited"),
    dict(name="full_mismatch", family="hanweb", site="枫林县人民政府", tables="2019", year=2020, we="我街道",
         url="http://www.fenglin.gov.cn/art/2021/1/25/art_1229556688_4501234.html",
         title="枫林县城东街道办事处2020年政府信息公开工作年度报告", issuer="枫林县城东街道办事处", published="2021-01-25",
         date_line="发布时间：2021-01-25 08:50", cells="bare", heading="strong", headings=None,
         opening=opening(2020, "枫林县城东街道办事处", NOTICE_2019,
                         "如对本报告有疑问，请与城东街道党政综合办公室联系（地址：枫林县东环路66号；邮编：415201；电话：0736-3218860）。"),
         contact=contact("枫林县东环路66号", "415201", ["0736-3218860"], [], None),
         proactive=418, requests=17,
         proactive_sentence="2020年，我街道主动公开政府信息418条。",
         requests_sentence="全年共收到政府信息公开申请17件。",
         t2={"art20_1.regulations": [0, 0, 0], "art20_1.normative_documents": [0, 0, 0],
             "art20_5.licensing": [0, 0, 0], "art20_5.other_services": [32, (3, "+3", None), 1460],
             "art20_6.penalty": [0, 0, 0], "art20_6.enforcement": [0, 0, 0], "art20_8.fees": [0, 0],
             "art20_9.procurement": [4, (126.8, "126.8万元", "万元")]},
         t3={"new": [14, 2, 0, 0, 0, 1], "carried": [1, 0, 0, 0, 0, 0],
             "result.disclosed": [6, 1, 0, 0, 0, 0], "result.partially_disclosed": [1, 0, 0, 0, 0, 0],
             "result.withheld.third_party": [1, 0, 0, 0, 0, 0], "result.unavailable.not_held": [5, 1, 0, 0, 0, 1],
             "result.not_processed.repeated": [1, 0, 0, 0, 0, 0]},
         t4=[[1, 0, 0, 1], [0, 0, 0, 0], [0, 0, 0, 0]],
         bump={(3, "result.total", "natural_person"): -1, (3, "result.withheld.third_party", "total"): +1,
               (4, "cases", "review.total"): +1},
         source="built in the Hanweb layout (div#zoom, UTF-8); 2019 template whose own numbers do not add up: (七)总计 "
                "自然人 printed one less than its parts, 保护第三方合法权益 总计 one more than its applicants, 行政复议 总计 "
                "one more than its four parts; the failing checks follow from those three cells"),
]


# ------------------------------------------------------------------ CMS wrappers (portal chrome around the body)
def _foot(site, icp):
    return (f'<div class="footer"><p>主办：{site}办公室　承办：{site}大数据中心</p>'
            f'<p>网站标识码：3311990001　<a href="https://beian.miit.gov.cn/">{icp}</a></p></div>')


TOOLS = ('<div class="tools">【<a href="javascript:window.print()">打印本页</a>】 '
         '【<a href="javascript:window.close()">关闭窗口</a>】</div>')


def _hanweb(p, body, meta):
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml"><head>
{meta}
<title>{p['site']}</title>
<meta name="SiteName" content="{p['site']}" />
<meta name="ArticleTitle" content="{p['title']}" />
<meta name="PubDate" content="{p['date_line'].split('：', 1)[1]}" />
<link href="/images/jcms.css" rel="stylesheet" type="text/css" />
</head><body>
<div class="top"><a href="/col/col1229000099/index.html">无障碍</a> | <a href="/module/search/index.jsp">站内搜索</a></div>
<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" class="bt-position">
<tr><td class="bt_link">当前位置：<a href="/">首页</a> &gt; <a href="javascript:void(0)">政务公开</a> &gt; <a href="javascript:void(0)">政府信息公开年报</a></td></tr></table>
<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" bgcolor="#FFFFFF"><tr><td valign="top" style="padding:20px 40px;">
<!--<$[信息内容]>begin--><table width="100%" border="0" cellspacing="0" cellpadding="0">
<tr><td class="title" align="center" style="font-size:22px;font-weight:bold;">{p['title']}</td></tr>
<tr><td align="center" class="bt_time">{p['date_line']}　信息来源：{p['site']}　浏览次数：<script language="javascript" src="/module/visitcount/articlehits.jsp?artid=1"></script></td></tr>
<tr><td class="bt_content"><div id="zoom">
{body}
</div></td></tr></table><!--<$[信息内容]>end-->
<div class="share">分享到：<a class="bds_weixin">微信</a><a class="bds_tsina">微博</a></div>{TOOLS}
</td></tr></table>{_foot(p['site'], '浙ICP备05003968号')}</body></html>"""


def _trs(p, body, meta):
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html><head>{meta}
<title>{p['title']}_{p['site']}</title>
<meta name="ArticleTitle" content="{p['title']}"><meta name="PubDate" content="{p['published']} 09:00">
</head><body><div class="header"><div class="logo">{p['site']}</div><ul class="nav"><li><a href="/">首页</a></li>
<li><a href="/zwgk/">政务公开</a></li><li><a href="/zmhd/">政民互动</a></li></ul></div>
<div class="position">您当前的位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; <a href="/zwgk/xxgknb/">政府信息公开年报</a></div>
<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" class="article-table">
<tr><td class="title" align="center"><h2>{p['title']}</h2></td></tr>
<tr><td class="info" align="center">{p['date_line']}&nbsp;&nbsp;来源：{p['issuer']}&nbsp;&nbsp;【字体：<a href="javascript:doZoom(16)">大</a> <a href="javascript:doZoom(14)">中</a> <a href="javascript:doZoom(12)">小</a>】</td></tr>
<tr><td><div class="TRS_Editor"><div class="Custom_UnionStyle">
{body}
</div></div></td></tr>
<tr><td>{TOOLS}</td></tr></table>{_foot(p['site'], '赣ICP备05001234号')}</body></html>"""


def _vsb(p, body, meta):
    return f"""<!DOCTYPE html><html><head>{meta}<title>{p['title']}-{p['site']}</title>
<meta name="description" content="{p['title']}"></head><body>
<div class="top"><div class="nav"><a href="../../index.htm">首页</a><a href="../../zwgk.htm">政务公开</a><a href="../../bsfw.htm">办事服务</a></div></div>
<div class="location">当前位置: <a href="../../index.htm">网站首页</a> -&gt; <a href="../../zwgk.htm">政务公开</a> -&gt; 正文</div>
<form name="_newscontent_fromname"><div class="content-title"><h1>{p['title']}</h1></div>
<div class="info">{p['date_line']}&nbsp;&nbsp;来源：{p['issuer']}&nbsp;&nbsp;点击数:<script>_showDynClicks("wbnews", 1596472151, 21567)</script></div>
<div id="vsb_content"><div class="v_news_content">
{body}
</div></div>
<div id="div_vote_id"></div>{TOOLS}</form>{_foot(p['site'], '湘ICP备05002345号')}</body></html>"""


def _gkmlpt(p, body, meta):
    return f"""<!DOCTYPE html><html><head>{meta}<title>{p['title']} - {p['site']}</title></head><body>
<div class="header"><div class="logo">{p['site']}</div></div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/gkmlpt/index">政府信息公开</a> &gt; <a href="/gkmlpt/annualreport">政府信息公开年报</a></div>
<div class="content-box"><div class="introduce"><table class="classify">
<tr><td class="td-title">索引号：</td><td>11330999MB1234567X/2022-0001</td><td class="td-title">分类：</td><td>政府信息公开年报</td></tr>
<tr><td class="td-title">发布机构：</td><td>{p['issuer']}</td><td class="td-title">成文日期：</td><td>{p['written']}</td></tr>
<tr><td class="td-title">名称：</td><td colspan="3">{p['title']}</td></tr>
<tr><td class="td-title">文号：</td><td></td><td class="td-title">发布日期：</td><td>{p['published']}</td></tr></table></div>
<h1 class="title">{p['title']}</h1>
<div class="article-content">
{body}
</div>{TOOLS}</div>{_foot(p['site'], '浙ICP备05003969号')}</body></html>"""


def wrap(p, body):
    gbk = p.get("encoding") == "gbk"
    meta = ('<meta http-equiv="Content-Type" content="text/html; charset=gb2312">' if gbk else
            '<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />')
    return {"hanweb": _hanweb, "trs": _trs, "vsb": _vsb, "gkmlpt": _gkmlpt}[p["family"]](p, body, meta)


# ------------------------------------------------------------------ HTTP response headers, as each kind of server sends them
# The Date of every fixture's response: the day the pages were saved.
SAVED_ON = "Tue, 03 Mar 2026 02:15:07 GMT"
# Content-Type of the built pages by family: Hanweb and gkmlpt sites name the charset; TRS and VSB
# publish static files that nginx serves as plain text/html (the page's meta is all there is).
FAMILY_CONTENT_TYPES = {"hanweb": "text/html; charset=UTF-8", "gkmlpt": "text/html; charset=utf-8",
                        "trs": "text/html", "vsb": "text/html"}
FAMILY_SERVERS = {"hanweb": "static", "gkmlpt": "static", "trs": "static", "vsb": "static"}
# A page with no date was still published some day; its file's mtime is only the server's business.
UNDATED_MTIME = "2020-10-18"


def served_headers(server: str, content_type: str, body: bytes, published: str | None = None) -> list[list[str]]:
    """Response headers as ``server`` sends them for ``body``:
    ``static`` nginx serving a CMS's published file (Last-Modified, nginx's ETag "<mtime hex>-<length hex>");
    ``java`` a JSP/servlet page (session cookie); ``php`` a PHP script (X-Powered-By, no validators);
    ``asp`` classic ASP on IIS."""
    import datetime
    from email.utils import format_datetime

    modified = datetime.datetime.fromisoformat(f"{published or UNDATED_MTIME}T01:30:00+00:00")
    if server == "static":
        return [["Server", "nginx"], ["Date", SAVED_ON], ["Content-Type", content_type],
                ["Last-Modified", format_datetime(modified, usegmt=True)],
                ["Connection", "keep-alive"],
                ["ETag", f'"{int(modified.timestamp()):x}-{len(body):x}"'], ["Accept-Ranges", "bytes"]]
    if server == "java":
        return [["Server", "nginx"], ["Date", SAVED_ON], ["Content-Type", content_type],
                ["Connection", "keep-alive"],
                ["Set-Cookie", "JSESSIONID=8F3C2A51D0E94B7C6A1F2E3D4C5B6A79; Path=/; HttpOnly"],
                ["X-Frame-Options", "SAMEORIGIN"]]
    if server == "php":
        return [["Server", "nginx"], ["Date", SAVED_ON], ["Content-Type", content_type],
                ["Connection", "keep-alive"], ["X-Powered-By", "PHP/5.6.40"],
                ["Cache-Control", "no-store, no-cache, must-revalidate"]]
    if server == "asp":
        return [["Cache-Control", "private"], ["Content-Type", content_type], ["Server", "Microsoft-IIS/6.0"],
                ["X-Powered-By", "ASP.NET"], ["Date", SAVED_ON]]
    raise ValueError(f"unknown server kind {server!r}")
