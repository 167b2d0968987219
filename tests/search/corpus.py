"""Documents the contract suite indexes: openings around 枣庄 and some site content."""

from search.types import (
    DIRECTORY,
    OPERATOR,
    SITE,
    STAFF,
    SUPERVISEE,
    Audience,
    Document,
)

CENTRE = (34.8566, 117.5587)  # 中心街街道
KM_PER_DEGREE_LAT = 111.195
ZHONGXIN = "/370000/370400/370402/370402001/"
KUANGQU = "/370000/370400/370402/370402003/"
WENSHANG = "/370000/370800/370830/370830001/"
OPENINGS_FOR = Audience(audience=frozenset({SUPERVISEE, STAFF, OPERATOR}))


def scope_of(path: str) -> frozenset[str]:
    return frozenset(code for code in path.split("/") if code)


def north_of_centre(km: float) -> tuple[float, float]:
    return (CENTRE[0] + km / KM_PER_DEGREE_LAT, CENTRE[1])


def opening(key, title, kind, km, slots, path=ZHONGXIN, tags=(), body="", access=OPENINGS_FOR):
    return Document(
        key=f"test.opening:{key}",
        index=DIRECTORY,
        kind=kind,
        title=title,
        body=body,
        tags=tuple(tags),
        region_code=path.strip("/").split("/")[-1],
        region_path=path,
        location=north_of_centre(km),
        open_slots=slots,
        access=access,
        url=f"/openings/{key}/",
    )


def page(key, title, body="", kind="legal", **access):
    return Document(
        key=f"test.page:{key}",
        index=SITE,
        kind=kind,
        title=title,
        body=body,
        access=Audience(**access) if access else Audience(),
        url=f"/pages/{key}/",
    )


OPENINGS = [
    opening(
        "electrician",
        "电工学徒",
        "employment",
        2,
        3,
        tags=["电工", "维修"],
        body="持证电工带教，包食宿。",
    ),
    opening(
        "excel",
        "Excel 电脑培训班",
        "training",
        5,
        10,
        tags=["电脑", "办公软件"],
        body="学习 Excel 表格和 Word 文档。",
    ),
    opening("chef", "厨师培训 Chef training", "training", 8, 0, tags=["烹饪"]),
    opening("cleaning", "社区服务 清洁绿化", "welfare", 15, 20, path=KUANGQU),
    opening("welder", "电焊工 招聘", "employment", 40, 4, path=WENSHANG, tags=["电焊"]),
    opening(
        "counselling",
        "心理咨询服务",
        "counselling",
        1,
        5,
        access=Audience(audience=frozenset({STAFF}), scope=scope_of(ZHONGXIN)),
    ),
]

PAGES = [
    page("law", "遵纪守法 从我做起", "做一个守法公民。"),
    page("aid", "法律援助问答", "如何申请法律援助？"),
    page(
        "strict",
        "严管对象专题教育",
        kind="course",
        audience=frozenset({SUPERVISEE, STAFF}),
        levels=frozenset({"strict"}),
    ),
    page(
        "minors",
        "未成年人心理健康",
        kind="course",
        audience=frozenset({SUPERVISEE, STAFF}),
        ages=frozenset({"minor"}),
    ),
    page(
        "jining",
        "济宁地方课程",
        kind="course",
        audience=frozenset({SUPERVISEE, STAFF}),
        regions=frozenset({"370800"}),
    ),
    page(
        "zaozhuang",
        "枣庄地方课程",
        kind="course",
        audience=frozenset({SUPERVISEE, STAFF}),
        regions=frozenset({"370400"}),
    ),
    *[page(f"series{n:02}", f"法治课堂 第{n}讲", kind="news") for n in range(1, 26)],
]
