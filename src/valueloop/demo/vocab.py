"""Names for the synthetic organisation: regions, cities, branches, teams and people.

Kept apart from the generators so the vocabulary can grow (more cities, more team
names) without touching any sampling logic. Everything is Chinese first, because that
is what the users of a demo workspace expect to see in their dashboards.
"""

from __future__ import annotations

from typing import Final

#: Region → {city: districts}. Region order is the order ids ``R01``… are handed out in.
REGIONS: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "华东": {
        "上海": ("浦东", "徐汇", "静安", "闵行"),
        "杭州": ("西湖", "滨江", "余杭"),
        "南京": ("鼓楼", "建邺", "江宁"),
        "苏州": ("工业园区", "姑苏"),
        "宁波": ("鄞州", "海曙"),
    },
    "华北": {
        "北京": ("朝阳", "海淀", "西城", "丰台"),
        "天津": ("和平", "滨海"),
        "石家庄": ("长安", "桥西"),
        "太原": ("小店", "迎泽"),
    },
    "华南": {
        "广州": ("天河", "越秀", "番禺"),
        "深圳": ("南山", "福田", "宝安"),
        "厦门": ("思明", "湖里"),
        "南宁": ("青秀",),
    },
    "西南": {
        "成都": ("锦江", "武侯", "高新"),
        "重庆": ("渝中", "江北", "渝北"),
        "昆明": ("五华", "盘龙"),
        "贵阳": ("观山湖",),
    },
    "华中": {
        "武汉": ("江汉", "武昌", "洪山"),
        "长沙": ("岳麓", "天心"),
        "郑州": ("金水", "二七"),
    },
    "西北": {
        "西安": ("雁塔", "碑林", "未央"),
        "兰州": ("城关",),
        "银川": ("金凤",),
    },
    "东北": {
        "沈阳": ("和平", "浑南"),
        "大连": ("中山", "甘井子"),
        "哈尔滨": ("南岗", "道里"),
    },
}

#: Relative share of branches per region (busier regions get more outlets).
REGION_WEIGHTS: Final[tuple[float, ...]] = (0.30, 0.20, 0.20, 0.12, 0.10, 0.04, 0.04)

INDUSTRIES: Final[tuple[str, ...]] = ("banking", "ecommerce", "hotel", "after_sales", "telecom")
INDUSTRY_WEIGHTS: Final[tuple[float, ...]] = (0.30, 0.20, 0.15, 0.15, 0.20)
INDUSTRY_ZH: Final[tuple[str, ...]] = ("银行", "电商", "酒店", "售后", "通信")

BRANCH_SUFFIX: Final[dict[str, str]] = {
    "banking": "支行",
    "ecommerce": "电商服务中心",
    "hotel": "酒店",
    "after_sales": "售后服务站",
    "telecom": "营业厅",
}

TEAM_NAMES: Final[dict[str, tuple[str, ...]]] = {
    "banking": ("客服一组", "客服二组", "个人业务组", "理财服务组", "对公业务组", "投诉处理组", "VIP服务组"),
    "ecommerce": ("在线客服一组", "在线客服二组", "售前咨询组", "售后服务组", "物流协调组", "退款处理组"),
    "hotel": ("前台接待组", "预订服务组", "客房服务组", "宾客关系组", "礼宾组"),
    "after_sales": ("热线一组", "热线二组", "维修服务组", "上门服务组", "配件组", "投诉处理组"),
    "telecom": ("热线一组", "热线二组", "营业受理组", "宽带装维组", "套餐咨询组", "投诉处理组"),
}

SURNAMES: Final[tuple[str, ...]] = tuple(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
)

GIVEN_NAMES: Final[tuple[str, ...]] = (
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
    "明", "超", "秀英", "霞", "平", "刚", "桂英", "婷", "浩", "宇", "欣怡", "子涵", "梓轩",
    "雨桐", "思远", "晓燕", "建国", "建华", "志强", "海燕", "文博", "佳琪", "俊杰", "嘉怡",
    "诗涵", "一鸣", "晨曦", "天宇", "雅婷", "宏伟", "丹", "鹏", "飞", "辉", "慧", "颖", "琳",
    "倩", "雪", "晶", "斌", "凯", "健", "亮", "晓明",
)  # fmt: skip
