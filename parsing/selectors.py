"""Named selectors and chrome patterns, kept in one place (trafilatura style).

Every constant says which portals it comes from, so a new CMS family is an
addition here rather than a change in the parsing logic.
"""
import re

# Containers that hold the report text, most specific first.
# zoom: Hanweb (Zhejiang, Jiangsu, Shandong); TRS_Editor: TRS WCM; vsb_content /
# v_news_content: VSB (博达); UCAP-CONTENT: 开普 UCAP sites; article-content:
# Guangdong gkmlpt; the rest are common generic names.
CONTENT_SELECTORS = (
    "#zoom", "#Zoom", ".zoom",
    ".TRS_Editor", ".trs_editor_view", ".TRS_UEDITOR",
    "#vsb_content", ".v_news_content", "#vsb_content_2",
    "#UCAP-CONTENT", ".article-content", ".article_content",
    "#content", "#Content", ".content", ".article", "article",
    ".main-content", ".detail", "#detail", ".news_content", ".con",
)

# Where the page states the report's title when <title> holds only the site name.
TITLE_META_XPATHS = (
    "//meta[@name='ArticleTitle']/@content",
    "//meta[@name='articletitle']/@content",
    "//meta[@property='og:title']/@content",
    "//meta[@name='title']/@content",
)
TITLE_ELEMENT_XPATHS = (
    "//h1", "//h2",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' title ')]",
    "//*[contains(@class, 'Title') or contains(@class, 'title') or contains(@id, 'title')]",
    # bt / btitle (标题) and articleTitle: older Chinese CMS templates.
    "//*[@class='bt' or @class='btitle' or @class='news_title' or @id='articleTitle' or @class='articleTitle']",
)
PUBLISHED_META_XPATHS = (
    "//meta[@name='PubDate']/@content",
    "//meta[@name='pubdate']/@content",
    "//meta[@name='firstpublishedtime']/@content",
    "//meta[@name='publishdate']/@content",
)

# Elements that are never report text.
DROP_TAGS = ("script", "style", "noscript", "iframe", "object", "embed",
             "select", "button", "input", "textarea", "nav")

# One page tool, bracketed or not: 【打印本页】, [关闭窗口], 收藏.
TOOL = (r"[\[【(（]?\s*(?:打印本页|打印本頁|打印|列印|关闭窗口|關閉窗口|关闭|關閉|关闭本页|收藏|加入收藏|"
        r"返回顶部|返回頂部|返回)\s*[\]】)）]?")
# Account, accessibility and version links (登录 / 注册 / 无障碍浏览 / 长者模式 …).
ACCOUNT = (r"(?:登录|登錄|注册|註冊|个人中心|退出|无障碍浏览|無障礙瀏覽|无障碍|無障礙|长者模式|长者版|关怀版|關懷版|"
           r"适老化|简体版?|繁体版?|繁體版?|English|EN|手机版|移动版|智能问答|微信|微博|今日头条|抖音)")

# Lines of portal chrome, matched against a whole (short) line of text. They
# appear inside the content container on Hanweb and VSB pages as often as outside.
CHROME_LINE_RE = re.compile(
    r"^\s*(?:"
    r"(?:当前位置|您现在的位置|您的位置|现在位置|所在位置|當前位置)\s*[:：]?.*"
    r"|.*(?:浏览次数|瀏覽次數|点击数|點擊數|访问量|阅读次数|访问次数)\s*[:：].*"
    r"|.*字[体號号]\s*[:：]?\s*[\[【(（]?\s*[大中小]\s*[大中小]?\s*[大中小]?.*"
    r"|(?:发布时间|发布日期|發佈時間|发文日期|信息来源|来源)\s*[:：].{0,60}"
    # A row of page tools, in any order, often ending with the share links:
    # "【打印本页】 【关闭窗口】 分享到：微信 微博".
    rf"|(?:{TOOL}\s*)+(?:分享到\s*[:：]?.*|扫一扫.*)?"
    r"|分享到\s*[:：]?.*|扫一扫.*|掃一掃.*"
    # A row of account and accessibility links at the top of a page.
    rf"|(?:{ACCOUNT}\s*[|/｜·]?\s*)+"
    r"|.*(?:版权所有|版權所有|网站标识码|网站标志码|ICP备|ICP證|公网安备|技术支持|主办单位|承办单位)\s*[:：]?.*"
    r"|(?:上一篇|下一篇|相关链接|相关文章|网站地图|联系我们|无障碍|适老化|English)\s*[:：]?.{0,60}"
    r"|(?:索引号|索 引 号|发布机构|發布機構|公开方式|公開方式|组配分类|組配分類|文件编号|文件編號|"
    r"公开时限|公开范围|生成日期|成文日期|主题分类|体裁分类|公开主体|有效性|信息分类|所属机构)\s*[:：]?.{0,80}"
    r")\s*$"
)
# Every chrome line contains one of these; lines without any skip the big regex.
CHROME_HINT_RE = re.compile(
    r"位置|次数|次數|点击|點擊|访问|阅读|字[体號号]|发布|發佈|發布|发文|来源|打印|列印|关闭|關閉|收藏|返回|"
    r"分享|扫一扫|掃一掃|版权|版權|标识码|标志码|ICP|公网安备|技术支持|主办|承办|上一篇|下一篇|相关|网站地图|"
    r"联系我们|无障碍|無障礙|适老化|English|EN|登录|登錄|注册|註冊|个人中心|退出|长者|关怀|關懷|简体|繁体|繁體|手机版|移动版|"
    r"智能问答|微信|微博|今日头条|抖音|索|机构|機構|方式|分类|分類|编号|編號|时限|范围|日期|主题|体裁|主体|有效性|所属"
)
# Lines longer than this are prose even if they contain a chrome word.
CHROME_MAX_LINE = 120

# A line made only of layout-table leftovers (pipes, dashes, bullets, spaces).
PUNCTUATION_ONLY_RE = re.compile(r"^[\s|｜\-—_=·•>＞›»]*$")

# Elements that hold page tools or share buttons, by a class or id token
# (demo and TRS "tools", Baidu Share "bdsharebuttonbox", bShare "bshare-custom",
# Hanweb "bt-share"). Only dropped when their text is short: a container
# named like a tool that holds the report is not a tool.
CHROME_CLASS_TOKENS = frozenset({
    "tools", "tool", "share", "bdsharebuttonbox", "bshare-custom", "bt-share", "fenxiang", "print",
    "article-tools", "article_tools", "share-box", "sharebox", "qrcode", "ewm", "toolbar",
})
CHROME_ELEMENT_MAX_TEXT = 80

# Links to the report as a file: Word, WPS, PDF, OFD (the national e-document
# format), spreadsheets. Query strings and fragments may follow.
ATTACHMENT_HREF_RE = re.compile(r"\.(?:pdf|docx?|wps|ofd|xlsx?|et)(?:[?#]|$)", re.IGNORECASE)
# A report's text is at least this many Chinese characters (the shortest real
# excerpt in the corpus has 250; a list page's own text, under 100).
MIN_REPORT_CJK = 120
# Words every report's prose uses, in any template (folded to simplified first).
REPORT_TEXT_RE = re.compile(r"信息公开|政务公开|公开条例|依申请公开|主动公开")
# Soft 404s: a 200 whose page says the page is gone.
SOFT_404_TITLE_RE = re.compile(r"(?<!\d)404(?!\d)|页面不存在|页面未找到|找不到页面|出错了|错误页面|not\s*found", re.IGNORECASE)
SOFT_404_RE = re.compile(r"您访问的页面不存在|页面不存在|页面已删除|页面未找到|信息不存在|文章不存在|内容不存在|"
                         r"找不到(?:该|您要访问的)?页面|(?<!\d)404(?!\d)|not\s*found|已被删除", re.IGNORECASE)
# Maintenance notices.
MAINTENANCE_RE = re.compile(r"系统维护|网站维护|维护中|系统升级|升级维护|暂停访问|暂停服务")
# Images smaller than this (stated width or height, in pixels) are spacers and trackers.
IMAGE_MIN_SIZE = 32

# The 政府网站标识码 a government site prints in its footer (国办发〔2017〕47号: every government
# website has one; 10 digits, the first six its division's GB/T 2260 code): "网站标识码：5109030018",
# "标识码:4305270002", also split by tags or &nbsp; in the HTML.
SITE_ID_RE = re.compile(r"标识码\s*(?:[:：]|&nbsp;|\s|<[^<>]{0,200}>){0,8}(\d{10})(?!\d)")
