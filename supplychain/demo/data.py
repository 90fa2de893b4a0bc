"""演示数据 vocabularies: the static words the demo generator draws from.

Hangzhou districts with a centre and a spread (degrees, WGS-84), streets, store and
group-buy name parts, people's names, suppliers and product families. Plain tuples and
frozen dataclasses only: no randomness here (that is generator.py) and no database.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class District:
    name: str  # 西湖区
    lat: float  # centre of where the shops are, not the administrative centroid
    lon: float
    spread: float  # standard deviation of the scatter, degrees
    weight: int  # relative number of merchants
    streets: tuple[str, ...]
    communities: tuple[str, ...]  # 小区 / neighbourhoods, for group-buy leaders


# Points are drawn around the centre and clipped to 2 spreads. The districts that
# straddle West Lake or the Qiantang River are placed so that the clipped disc stays
# mostly on land; WATER below removes what remains.
# fmt: off
DISTRICTS: tuple[District, ...] = (
    District(
        "上城区", 30.262, 120.19, 0.018, 14,
        (
            "解放路", "庆春路", "望江路", "秋涛路", "江城路", "清泰街", "凯旋路",
            "景芳路", "采荷路", "钱江路", "丁桥路", "九堡大街", "笕桥路", "南星路",
        ),
        (
            "景芳三区", "采荷新村", "闸弄口新村", "丁桥新苑", "近江家园",
            "钱江新城公寓", "三里新城", "九堡家苑", "红梅新村",
        ),
    ),
    District(
        "拱墅区", 30.32, 120.15, 0.02, 15,
        (
            "莫干山路", "湖墅南路", "大关路", "上塘路", "登云路", "和睦路", "东新路",
            "石桥路", "杭行路", "文晖路", "潮王路", "丽水路", "康桥路", "半山路",
        ),
        (
            "朝晖九区", "德胜新村", "和睦新村", "大关苑", "香积寺小区", "左家新村",
            "米市巷小区", "长庆潮鸣", "半山花园", "瓜山新苑",
        ),
    ),
    District(
        "西湖区", 30.285, 120.105, 0.018, 16,
        (
            "文三路", "文二路", "文一西路", "教工路", "学院路", "古墩路", "天目山路",
            "西溪路", "留和路", "益乐路", "紫荆花路", "三墩路", "西园路", "转塘街",
        ),
        (
            "翠苑一区", "文鼎苑", "嘉绿苑", "古荡新村", "三墩北苑", "金都花园",
            "蒋村花园", "骆家庄", "留下小区", "之江花园",
        ),
    ),
    District(
        "滨江区", 30.205, 120.205, 0.014, 10,
        (
            "江南大道", "滨盛路", "长河路", "江汉路", "西兴路", "浦沿路", "建业路",
            "江陵路", "火炬大道", "闻涛路", "秋溢路",
        ),
        (
            "东方郡", "钱塘春晓", "星耀城", "缤纷小区", "江南之星", "聚才苑",
            "冠山小区",
        ),
    ),
    District(
        "萧山区", 30.175, 120.27, 0.03, 14,
        (
            "市心路", "金城路", "人民路", "通惠路", "山阴路", "育才路", "萧绍路",
            "北干路", "建设四路", "博学路", "新街大道", "湘湖路",
        ),
        (
            "北干花园", "城厢小区", "湘湖人家", "信息港小区", "银河小区", "高桥小区",
            "新塘家园", "宁围花园",
        ),
    ),
    District(
        "余杭区", 30.3, 120.01, 0.03, 13,
        (
            "文一西路", "五常大道", "良渚路", "闲林街", "仓前街", "余杭塘路",
            "荆长大道", "高教路", "海曙路", "未来科技城大道", "古墩路",
        ),
        (
            "良渚文化村", "闲林山水", "五常小区", "仓前家园", "西溪诚园",
            "梦想小镇公寓", "竹径茶语", "西溪水岸",
        ),
    ),
    District(
        "临平区", 30.42, 120.3, 0.025, 9,
        (
            "临平大道", "世纪大道", "迎宾路", "星光街", "南苑街", "乔司路", "东湖路",
            "藕花洲大街", "超山路", "北沙路",
        ),
        ("临平新城", "星桥小区", "东湖花园", "乔司新苑", "南苑家园", "运河人家"),
    ),
    District(
        "钱塘区", 30.31, 120.36, 0.02, 9,
        (
            "学林街", "文泽路", "下沙路", "听涛路", "6号大街", "月雅路", "金沙大道",
            "义蓬路", "幸福南路", "海达南路",
        ),
        ("金沙湖家园", "下沙新苑", "文海小区", "云水苑", "高沙小区", "月雅城"),
    ),
)
# fmt: on

# Hangzhou as drawn by the demo: every merchant and warehouse lies in this box.
CITY_BOX = (30.05, 119.90, 30.55, 120.50)  # (south, west, north, east)
CITY_CENTRE = (30.274, 120.155)

# Water to keep stores out of: West Lake as a circle and the Qiantang River as a
# polyline with a half-width, all in degrees (lat, lon). Rough, but it keeps the map
# believable.
WEST_LAKE = ((30.246, 120.143), 0.016)
QIANTANG_RIVER = (
    (
        (30.120, 120.060),
        (30.180, 120.110),
        (30.203, 120.155),
        (30.218, 120.180),
        (30.243, 120.217),
        (30.265, 120.255),
        (30.280, 120.300),
        (30.285, 120.340),
        (30.275, 120.380),
        (30.290, 120.430),
        (30.330, 120.500),
    ),
    0.008,
)

MERCHANT_KIND_SHARES = (("store", 85), ("group_leader", 12), ("wholesale", 3))
KIND_PREFIX = {"store": "S", "group_leader": "L", "wholesale": "W"}
KIND_GRADE = {"store": "RETAIL", "group_leader": "LEADER", "wholesale": "WHOLESALE"}

# (code, Chinese name, discount off the list price); RETAIL is the list price itself
PRICE_GRADES = (
    ("RETAIL", "门店价 Store price", "1.00"),
    ("LEADER", "团长价 Group-buy leader price", "0.92"),
    ("WHOLESALE", "批发价 Wholesale price", "0.85"),
)

# delivery windows (local time) with relative frequency, per merchant kind
DELIVERY_WINDOWS = {
    "store": (
        (("07:00", "10:00"), 5),
        (("08:00", "11:00"), 4),
        (("09:00", "12:00"), 2),
        (("14:00", "17:00"), 2),
        (("13:00", "16:00"), 1),
    ),
    "group_leader": (
        (("14:00", "17:00"), 3),
        (("15:00", "18:00"), 3),
        (("08:00", "11:00"), 1),
    ),
    "wholesale": ((("08:00", "17:00"), 2), (("07:00", "12:00"), 1)),
}

# credit limits in yuan (None = unlimited), per kind with relative frequency
CREDIT_LIMITS = {
    "store": (("5000", 3), ("8000", 3), ("10000", 4), ("15000", 2), ("20000", 1)),
    "group_leader": (("3000", 3), ("5000", 3), ("8000", 1)),
    "wholesale": (("50000", 2), ("100000", 2), ("200000", 1), (None, 1)),
}
PAYMENT_TERMS = {
    "store": ((0, 5), (15, 2), (30, 1)),
    "group_leader": ((0, 1),),
    "wholesale": ((30, 2), (45, 1)),
}

# fmt: off
STORE_BRANDS = (
    "康之源", "百草园", "颐年堂", "益寿", "福康", "仁心", "康宁", "鹤年堂", "和顺",
    "惠民", "安康", "同德", "正和", "慈济", "善元", "寿康", "悦康", "禾泰", "泰和",
    "养元", "怡康", "济生", "国草", "春晖", "乐活", "本草纲", "艾生活", "润生",
)
# fmt: on
# fmt: off
STORE_TYPES = (
    "健康馆", "养生馆", "保健品店", "滋补堂", "艾灸馆", "健康生活馆", "参茸行",
    "健康驿站", "滋补养生馆", "便民健康店",
)
# fmt: on
WHOLESALE_PATTERNS = (
    "杭州{brand}保健品商贸有限公司",
    "杭州{brand}医药健康科技有限公司",
    "{district}{brand}滋补品批发部",
    "浙江{brand}健康产业有限公司",
)
LEADER_TITLES = ("姐", "阿姨", "大姐", "哥", "嫂", "妈妈", "老师")
LEADER_PATTERNS = (
    "{leader}社区团购",
    "{leader}健康团",
    "{leader}团购群",
    "{leader}优选",
)

# fmt: off
SURNAMES = (
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱",
    "胡", "郭", "何", "林", "罗", "高", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯",
    "邓", "曹", "彭", "曾", "沈", "蒋", "金", "钱", "俞", "楼", "施", "傅",
)
# fmt: on
# fmt: off
GIVEN_NAMES = (
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛", "明", "超", "秀英", "霞", "平", "刚", "桂英", "建华", "丽娟", "海燕", "晓东",
    "文杰", "志强", "红梅", "雪梅", "建国", "玉兰", "佳怡", "浩然", "子涵", "梓萱",
)
# fmt: on
# fmt: off
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
    "153", "155", "156", "157", "158", "159", "177", "180", "181", "186", "187", "188",
    "189", "199",
)
# fmt: on


@dataclass(frozen=True)
class SupplierInfo:
    code: str
    name: str
    province_city: str  # where the address starts, e.g. 山东省聊城市东阿县
    lead_time_days: int
    company_prefix: (
        str  # 7 digits of the EAN-13 (69 + 5), for the barcodes of its goods
    )


# fmt: off
SUPPLIERS: tuple[SupplierInfo, ...] = (
    SupplierInfo("SUP-EJ", "东阿阿胶供应商", "山东省聊城市东阿县", 3, "6901018"),
    SupplierInfo("SUP-NY", "南阳艾草制品有限公司", "河南省南阳市卧龙区", 3, "6922145"),
    SupplierInfo("SUP-QA", "蕲春蕲艾实业有限公司", "湖北省黄冈市蕲春县", 4, "6938472"),
    SupplierInfo(
        "SUP-LQ", "龙泉灵芝生物科技有限公司", "浙江省丽水市龙泉市", 2, "6953306",
    ),
    SupplierInfo(
        "SUP-YW", "厦门金燕燕窝贸易有限公司", "福建省厦门市湖里区", 3, "6947751",
    ),
    SupplierInfo(
        "SUP-GQ", "宁夏中宁枸杞供应商", "宁夏回族自治区中卫市中宁县", 5, "6970334",
    ),
    SupplierInfo(
        "SUP-KW", "广州康维营养品有限公司", "广东省广州市白云区", 3, "6921178",
    ),
    SupplierInfo(
        "SUP-AH", "浙江安护医疗用品有限公司", "浙江省湖州市吴兴区", 1, "6935529",
    ),
    SupplierInfo(
        "SUP-LJ", "杭州西湖龙井茶叶有限公司", "浙江省杭州市西湖区", 1, "6909813",
    ),
    SupplierInfo("SUP-AX", "福建安溪茶业有限公司", "福建省泉州市安溪县", 4, "6943327"),
    SupplierInfo(
        "SUP-SK", "浙江寿康保健食品有限公司", "浙江省金华市武义县", 2, "6958890",
    ),
    SupplierInfo(
        "SUP-KH", "江苏康禾医疗器械有限公司", "江苏省丹阳市开发区", 3, "6926614",
    ),
    SupplierInfo(
        "SUP-LK", "深圳乐康电子科技有限公司", "广东省深圳市宝安区", 4, "6972205",
    ),
    SupplierInfo("SUP-SQ", "云南文山三七供应商", "云南省文山州文山市", 6, "6944468"),
    SupplierInfo("SUP-RS", "长白山人参供应商", "吉林省白山市抚松县", 5, "6931157"),
    SupplierInfo(
        "SUP-SH", "乐清铁皮石斛专业合作社", "浙江省温州市乐清市", 2, "6966043",
    ),
)
# fmt: on


@dataclass(frozen=True)
class CategoryInfo:
    code: str
    name: str
    name_en: str
    parent: str | None
    sku_prefix: str


# fmt: off
CATEGORIES: tuple[CategoryInfo, ...] = (
    CategoryInfo("MOXA", "艾灸", "Moxibustion", None, "AJ"),
    CategoryInfo("MOXA-PATCH", "艾灸贴", "Moxa patches", "MOXA", "AJT"),
    CategoryInfo("MOXA-STICK", "艾条", "Moxa sticks", "MOXA", "AJC"),
    CategoryInfo("TONIC", "滋补", "Tonics", None, "ZB"),
    CategoryInfo("TONIC-EJIAO", "阿胶", "Donkey-hide gelatin", "TONIC", "EJ"),
    CategoryInfo("TONIC-LINGZHI", "灵芝", "Ganoderma", "TONIC", "LZ"),
    CategoryInfo("TONIC-NEST", "燕窝", "Bird's nest", "TONIC", "YW"),
    CategoryInfo("TONIC-GOJI", "枸杞", "Goji berries", "TONIC", "GQ"),
    CategoryInfo("TONIC-HERB", "参茸药食", "Ginseng and herbs", "TONIC", "SR"),
    CategoryInfo("VITAMIN", "维生素", "Vitamins", None, "WS"),
    CategoryInfo("MASK", "口罩", "Masks", None, "KZ"),
    CategoryInfo("TEA", "茶", "Tea", None, "CY"),
    CategoryInfo("FOOD", "保健食品", "Health foods", None, "BJ"),
    CategoryInfo("DEVICE", "器械", "Devices", None, "QX"),
)
# fmt: on


@dataclass(frozen=True)
class Family:
    """A kind of product; the generator makes several SKUs of it (brands × specs)."""

    category: str
    name: str  # 阿胶膏
    name_en: str
    unit: str  # selling unit: 盒, 瓶, 袋, 罐, 包, 台, 支
    specs: tuple[str, ...]  # "Chinese spec|English spec", e.g. "10贴|10 patches"
    price_low: int  # list price range in yuan (per selling unit)
    price_high: int
    case_qtys: tuple[int, ...]  # selling units per carton
    weight_g: int  # grams per selling unit (for routing loads)
    suppliers: tuple[str, ...]  # supplier codes, preferred first
    popularity: int  # relative daily demand per store
    shelf_life_days: int | None = None
    is_lot_tracked: bool = False
    stocked_share: int = (
        100  # percentage of its SKUs that are stocked (else purchase-to-order)
    )


# fmt: off
FAMILIES: tuple[Family, ...] = (
    Family(
        "MOXA-PATCH", "艾灸贴", "Moxa heat patch", "盒",
        (
            "10贴|10 patches", "20贴|20 patches", "颈椎型10贴|neck, 10 patches",
            "腰腹型10贴|waist, 10 patches", "膝盖型12贴|knee, 12 patches",
            "肩周型10贴|shoulder, 10 patches",
        ),
        19, 69, (40, 50, 60), 120, ("SUP-NY", "SUP-QA"), 9, 1095,
    ),
    Family(
        "MOXA-PATCH", "艾草足贴", "Mugwort foot patch", "盒",
        ("30贴|30 patches", "50贴|50 patches"), 25, 59, (40, 60), 200, ("SUP-NY",), 4,
        1095,
    ),
    Family(
        "MOXA-PATCH", "暖宫贴", "Warming belly patch", "盒",
        ("5贴|5 patches", "10贴|10 patches"), 15, 39, (50, 100), 80,
        ("SUP-QA", "SUP-NY"), 3, 1095,
    ),
    Family(
        "MOXA-STICK", "艾条", "Moxa stick", "盒",
        (
            "五年陈10支|5-year aged, 10 sticks", "十年陈10支|10-year aged, 10 sticks",
            "无烟型10支|smokeless, 10 sticks", "手工艾条20支|hand-rolled, 20 sticks",
        ),
        28, 168, (20, 30), 250, ("SUP-QA", "SUP-NY"), 4, 1825,
    ),
    Family(
        "MOXA-STICK", "艾绒", "Moxa wool", "袋", ("250g|250 g", "500g|500 g"), 35, 120,
        (20, 40), 300, ("SUP-QA",), 2, 1825,
    ),
    Family(
        "MOXA-STICK", "艾灸盒", "Moxa box", "个",
        ("单孔|single", "双孔|double", "六孔|six-hole"), 18, 88, (20, 40), 400,
        ("SUP-NY",), 1,
    ),
    Family(
        "TONIC-EJIAO", "阿胶膏", "Donkey-hide gelatin paste", "瓶",
        ("200g|200 g", "400g|400 g", "固元膏500g|Guyuan paste 500 g"), 68, 298,
        (12, 24), 450, ("SUP-EJ",), 7, 730, True,
    ),
    Family(
        "TONIC-EJIAO", "阿胶糕", "Donkey-hide gelatin cake", "盒",
        ("250g|250 g", "500g|500 g", "即食小袋装300g|ready-to-eat sachets 300 g"), 58,
        268, (12, 20), 550, ("SUP-EJ",), 6, 365, True,
    ),
    Family(
        "TONIC-EJIAO", "阿胶块", "Donkey-hide gelatin block", "盒",
        ("250g|250 g", "500g|500 g"), 398, 1280, (10, 20), 600, ("SUP-EJ",), 1, 1825,
        True, 60,
    ),
    Family(
        "TONIC-LINGZHI", "灵芝孢子粉", "Ganoderma spore powder", "盒",
        (
            "破壁1g×30袋|cracked, 1 g × 30", "破壁1g×60袋|cracked, 1 g × 60",
            "去壁2g×30袋|shell-free, 2 g × 30",
        ),
        198, 798, (10, 20), 120, ("SUP-LQ",), 5, 730, True,
    ),
    Family(
        "TONIC-LINGZHI", "灵芝切片", "Ganoderma slices", "罐",
        ("100g|100 g", "250g|250 g"), 68, 198, (12, 24), 280, ("SUP-LQ",), 2, 730, True,
    ),
    Family(
        "TONIC-NEST", "即食燕窝", "Ready-to-eat bird's nest", "盒",
        (
            "70g×6瓶|70 g × 6 jars", "45g×8瓶|45 g × 8 jars",
            "冰糖燕窝70g×12瓶|rock sugar, 70 g × 12 jars",
        ),
        168, 588, (6, 8), 900, ("SUP-YW",), 3, 540, True,
    ),
    Family(
        "TONIC-NEST", "干燕窝", "Dried bird's nest", "盒",
        ("燕盏50g|cups 50 g", "燕条100g|strips 100 g"), 680, 2680, (10,), 200,
        ("SUP-YW",), 1, 1095, True, 40,
    ),
    Family(
        "TONIC-GOJI", "枸杞", "Goji berries", "袋",
        ("250g|250 g", "500g|500 g", "特优级500g|premium 500 g"), 25, 88, (40, 50), 550,
        ("SUP-GQ",), 6, 365, True,
    ),
    Family(
        "TONIC-GOJI", "黑枸杞", "Black goji berries", "罐",
        ("100g|100 g", "200g|200 g"), 48, 168, (24, 30), 250, ("SUP-GQ",), 2, 365, True,
    ),
    Family(
        "TONIC-HERB", "红枣", "Red jujube", "袋", ("500g|500 g", "1kg|1 kg"), 19, 59,
        (20, 30), 700, ("SUP-SK",), 4, 365, True,
    ),
    Family(
        "TONIC-HERB", "桂圆干", "Dried longan", "袋", ("500g|500 g",), 29, 58, (20, 30),
        550, ("SUP-SK",), 2, 365, True,
    ),
    Family(
        "TONIC-HERB", "铁皮石斛", "Dendrobium", "盒",
        (
            "枫斗50g|Fengdou 50 g", "鲜条250g|fresh stems 250 g",
            "石斛粉60g|powder 60 g",
        ),
        128, 698, (10, 20), 200, ("SUP-SH",), 2, 730, True,
    ),
    Family(
        "TONIC-HERB", "三七粉", "Notoginseng powder", "罐",
        ("100g|100 g", "250g|250 g"), 58, 198, (24, 30), 280, ("SUP-SQ",), 2, 730, True,
    ),
    Family(
        "TONIC-HERB", "西洋参片", "American ginseng slices", "盒",
        ("50g|50 g", "100g|100 g"), 128, 458, (10, 20), 180, ("SUP-RS",), 2, 730, True,
    ),
    Family(
        "TONIC-HERB", "人参", "Ginseng", "盒",
        ("林下参5支|forest-grown, 5 roots", "生晒参100g|sun-dried 100 g"), 198, 980,
        (10,), 200, ("SUP-RS",), 1, 1095, True, 70,
    ),
    Family(
        "TONIC-HERB", "黄芪片", "Astragalus slices", "袋", ("250g|250 g",), 29, 59,
        (30, 40), 300, ("SUP-SK", "SUP-RS"), 2, 540, True,
    ),
    Family(
        "VITAMIN", "维生素C片", "Vitamin C tablets", "瓶",
        ("100片|100 tablets", "60片咀嚼片|60 chewables"), 29, 98, (48, 60), 150,
        ("SUP-KW",), 5, 730, True,
    ),
    Family(
        "VITAMIN", "复合维生素", "Multivitamin", "瓶",
        ("60片|60 tablets", "100片|100 tablets", "女士型60片|women's, 60 tablets"), 68,
        218, (36, 48), 180, ("SUP-KW",), 4, 730, True,
    ),
    Family(
        "VITAMIN", "维生素D3软胶囊", "Vitamin D3 softgels", "瓶",
        ("60粒|60 softgels", "90粒|90 softgels"), 48, 128, (48,), 100, ("SUP-KW",), 3,
        730, True,
    ),
    Family(
        "VITAMIN", "钙片", "Calcium tablets", "瓶",
        (
            "碳酸钙D3 100片|calcium carbonate D3, 100 tablets",
            "液体钙60粒|liquid calcium, 60 softgels",
        ),
        38, 158, (36, 48), 200, ("SUP-KW",), 4, 730, True,
    ),
    Family(
        "VITAMIN", "B族维生素", "Vitamin B complex", "瓶", ("100片|100 tablets",), 35,
        88, (48,), 120, ("SUP-KW",), 2, 730, True,
    ),
    Family(
        "MASK", "医用外科口罩", "Surgical mask", "盒",
        ("50只|50 pcs", "10只独立装|10 pcs, individually wrapped"), 12, 45, (40, 50),
        150, ("SUP-AH",), 8, 730,
    ),
    Family(
        "MASK", "KN95口罩", "KN95 respirator", "盒",
        ("10只|10 pcs", "20只|20 pcs", "25只独立装|25 pcs, individually wrapped"), 25,
        89, (20, 40), 180, ("SUP-AH",), 5, 730,
    ),
    Family(
        "MASK", "儿童口罩", "Children's mask", "包", ("10只|10 pcs", "30只|30 pcs"), 9,
        39, (50, 100), 80, ("SUP-AH",), 3, 730,
    ),
    Family(
        "TEA", "西湖龙井", "West Lake Longjing tea", "罐",
        (
            "明前100g|pre-Qingming 100 g", "雨前250g|pre-Guyu 250 g",
            "礼盒250g|gift box 250 g",
        ),
        128, 980, (12, 20), 300, ("SUP-LJ",), 3, 540, False, 90,
    ),
    Family(
        "TEA", "杭白菊", "Hangzhou chrysanthemum tea", "罐",
        ("胎菊50g|bud 50 g", "100g|100 g"), 25, 78, (24, 40), 120, ("SUP-LJ",), 3, 540,
    ),
    Family(
        "TEA", "铁观音", "Tieguanyin oolong", "盒",
        ("清香型250g|light 250 g", "浓香型250g|roasted 250 g"), 88, 398, (20,), 350,
        ("SUP-AX",), 2, 540,
    ),
    Family(
        "TEA", "养生花茶", "Herbal blend tea", "盒",
        (
            "红枣桂圆茶|jujube and longan", "玫瑰花茶|rose",
            "菊花决明子茶|chrysanthemum and cassia seed",
            "红豆薏米茶|red bean and coix seed", "人参五宝茶|ginseng five treasures",
        ),
        29, 79, (40, 50), 200, ("SUP-SK", "SUP-AX"), 5, 540,
    ),
    Family(
        "FOOD", "蛋白粉", "Protein powder", "罐",
        ("400g|400 g", "乳清蛋白900g|whey 900 g"), 128, 398, (6, 12), 600,
        ("SUP-KW", "SUP-SK"), 3, 730, True,
    ),
    Family(
        "FOOD", "深海鱼油软胶囊", "Fish oil softgels", "瓶",
        ("100粒|100 softgels", "200粒|200 softgels"), 88, 268, (24, 36), 250,
        ("SUP-KW",), 3, 730, True,
    ),
    Family(
        "FOOD", "益生菌", "Probiotic powder", "盒",
        ("2g×20袋|2 g × 20 sachets", "儿童型2g×30袋|children's, 2 g × 30 sachets"), 98,
        298, (20, 40), 120, ("SUP-SK", "SUP-KW"), 3, 540, True,
    ),
    Family(
        "FOOD", "葡萄籽胶囊", "Grape seed capsules", "瓶", ("60粒|60 capsules",), 98,
        198, (36,), 100, ("SUP-SK",), 1, 730, True,
    ),
    Family(
        "FOOD", "蜂胶软胶囊", "Propolis softgels", "瓶",
        ("60粒|60 softgels", "120粒|120 softgels"), 88, 258, (36, 48), 120, ("SUP-SK",),
        2, 730, True,
    ),
    Family(
        "FOOD", "黑芝麻丸", "Black sesame balls", "盒",
        ("9g×12丸|9 g × 12 balls", "9g×24丸|9 g × 24 balls"), 39, 99, (30, 40), 250,
        ("SUP-SK",), 4, 365, True,
    ),
    Family(
        "DEVICE", "电子血压计", "Blood pressure monitor", "台",
        ("上臂式|upper arm", "腕式|wrist", "语音款|talking"), 129, 499, (6, 10), 800,
        ("SUP-KH", "SUP-LK"), 2, None, False, 70,
    ),
    Family(
        "DEVICE", "血糖仪", "Blood glucose meter", "套",
        ("仪器+50试纸|meter + 50 strips",), 99, 299, (10,), 400, ("SUP-KH",), 1, None,
        False, 60,
    ),
    Family(
        "DEVICE", "血糖试纸", "Glucose test strips", "盒",
        ("50片|50 strips", "100片|100 strips"), 49, 129, (40, 50), 100, ("SUP-KH",), 2,
        540, True,
    ),
    Family(
        "DEVICE", "电子体温计", "Digital thermometer", "支",
        ("软头|flexible tip", "额温枪|forehead"), 15, 129, (50, 100), 60,
        ("SUP-KH", "SUP-LK"), 2,
    ),
    Family(
        "DEVICE", "颈椎按摩仪", "Neck massager", "台",
        ("U型|U-shaped", "热敷款|heated"), 199, 599, (8, 10), 900, ("SUP-LK",), 1, None,
        False, 50,
    ),
    Family(
        "DEVICE", "真空拔罐器", "Vacuum cupping set", "套",
        ("12罐|12 cups", "24罐|24 cups"), 39, 129, (10, 20), 900, ("SUP-KH",), 1,
    ),
    Family(
        "DEVICE", "医用护膝", "Medical knee support", "副",
        ("加热款|heated", "基础款|basic"), 49, 199, (20, 30), 300, ("SUP-LK", "SUP-KH"),
        1,
    ),
    Family(
        "DEVICE", "家用制氧机", "Home oxygen concentrator", "台", ("1L|1 L", "3L|3 L"),
        999, 2999, (1, 2), 12000, ("SUP-KH",), 1, None, False, 0,
    ),
)
# fmt: on

# Brand words printed in front of a family name, per supplier (made-up brands):
# "中文|Pinyin"
# fmt: off
BRANDS: dict[str, tuple[str, ...]] = {
    "SUP-EJ": ("东阿|Dong'e", "福胶坊|Fujiaofang", "阿胶世家|Ejiao Shijia"),
    "SUP-NY": ("宛艾|Wan'ai", "艾草堂|Aicaotang", "仲景艾|Zhongjing"),
    "SUP-QA": ("蕲艾坊|Qi'aifang", "时珍艾|Shizhen", "灸大夫|Jiudaifu"),
    "SUP-LQ": ("龙泉|Longquan", "芝源|Zhiyuan", "仙草坊|Xiancaofang"),
    "SUP-YW": ("金燕|Jinyan", "燕语|Yanyu", "燕之源|Yanzhiyuan"),
    "SUP-GQ": ("中宁|Zhongning", "杞乡|Qixiang", "宁杞红|Ningqihong"),
    "SUP-KW": ("康维|Kangwei", "维乐|Weile", "倍康|Beikang"),
    "SUP-AH": ("安护|Anhu", "净呼吸|Jinghuxi", "医护宝|Yihubao"),
    "SUP-LJ": ("西湖|Xihu", "狮峰|Shifeng", "梅家坞|Meijiawu"),
    "SUP-AX": ("安溪|Anxi", "凤山|Fengshan", "茗香|Mingxiang"),
    "SUP-SK": ("寿康|Shoukang", "膳方|Shanfang", "百草园|Baicaoyuan"),
    "SUP-KH": ("康禾|Kanghe", "安测|Ance", "医家|Yijia"),
    "SUP-LK": ("乐康|Lekang", "舒眠|Shumian", "按乐|Anle"),
    "SUP-SQ": ("文山|Wenshan", "七丹|Qidan", "云七|Yunqi"),
    "SUP-RS": ("长白|Changbai", "参王|Shenwang", "抚松|Fusong"),
    "SUP-SH": ("乐清|Yueqing", "斛农|Hunong", "雁荡|Yandang"),
}
# fmt: on

# Two warehouses: the default one (bootstrap creates code MAIN; the demo renames and
# lays it out) and a smaller one south of the river that serves the districts closest to
# it.
WAREHOUSES = (
    {
        "code": "MAIN",
        "name": "杭州主仓",
        "district": "余杭区",
        "address": "浙江省杭州市余杭区良渚街道好运街88号",
        "lat": 30.372,
        "lon": 120.040,
        "n_aisles": 12,
        "n_cross_aisles": 3,
        "bays_per_block": 10,
        "levels": 2,
    },
    {
        "code": "XS",
        "name": "萧山仓",
        "district": "萧山区",
        "address": "浙江省杭州市萧山区经济技术开发区建设二路518号",
        "lat": 30.190,
        "lon": 120.285,
        "n_aisles": 6,
        "n_cross_aisles": 2,
        "bays_per_block": 10,
        "levels": 2,
    },
)
# districts delivered from XS (the rest from MAIN)
XS_DISTRICTS = ("萧山区", "滨江区")

# (model name, boxes, kg, count, new-energy?) — a fleet of about a dozen vans
VEHICLE_MODELS = (
    ("五菱荣光 EV 小面", 60, 600, 3, True),
    ("上汽大通 EV30", 90, 900, 4, True),
    ("江铃全顺 中面", 150, 1500, 3, False),
    ("福田 4.2米厢式货车", 320, 3000, 2, False),
)
VEHICLE_SHIFTS = (("06:00", "14:00"), ("07:00", "15:00"), ("12:00", "20:00"))
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O on Chinese plates

# demo staff, one user per role (drivers get a few)
STAFF_USERS = (
    ("admin", "admin", "系统管理员"),
    ("sales", "sales", "销售 周敏"),
    ("buyer", "buyer", "采购 陈刚"),
    ("warehouse", "warehouse", "仓管 徐磊"),
    ("manager", "warehouse_manager", "仓库主管 韩梅"),
    ("dispatcher", "dispatcher", "调度 吴涛"),
    ("driver1", "driver", "司机 王建国"),
    ("driver2", "driver", "司机 李志强"),
    ("driver3", "driver", "司机 张勇"),
    ("finance", "finance", "财务 沈丽娟"),
)
# merchant logins for the first merchants of each kind: (username prefix, kind, how
# many)
MERCHANT_USERS = (
    ("store", "store", 3),
    ("leader", "group_leader", 2),
    ("wholesale", "wholesale", 1),
)


def demo_password(role: str) -> str:
    """The one documented demo password per role, e.g. ``demo-admin-2026``."""
    return f"demo-{role}-2026"


# stock moves' reason texts
REASON_OPENING = "期初库存 Opening stock count"
REASON_RECEIPT = "采购入库 Receipt from {supplier}"
REASON_ISSUE = "配送出库 Delivery to {count} merchants"
REASON_DAMAGE = "破损报损 Damaged in handling"
REASON_COUNT = "盘点差异 Stock count difference"
