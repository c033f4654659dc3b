"""The demo's name and detail pools, and `_Maker`, which draws reproducible
people, phone numbers and (synthetic) ID numbers from them."""

from __future__ import annotations

import datetime

from ..idcard import check_char
from ..models import Child
from ..schoolage import school_year_start

# --------------------------------------------------------------------------
# Name and detail pools
# --------------------------------------------------------------------------

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙胡朱高林何郭马罗")
# Rough frequencies, most common first.
SURNAME_WEIGHTS = [20, 20, 18, 16, 14, 10, 9, 8, 8, 7, 7, 6, 6, 5, 5, 5, 4, 4, 4, 4]

MEN = [
    "建国",
    "建华",
    "国华",
    "志强",
    "志明",
    "永红",
    "海波",
    "文斌",
    "立新",
    "卫东",
    "春生",
    "金龙",
    "小平",
    "德胜",
    "红军",
    "国平",
    "伟民",
    "水根",
    "长青",
    "明亮",
    "忠华",
    "新民",
    "家良",
    "义军",
    "光辉",
    "顺发",
    "庆华",
    "文华",
    "俊杰",
    "振华",
]
WOMEN = [
    "秀英",
    "桂英",
    "丽娟",
    "春梅",
    "玉兰",
    "红梅",
    "美华",
    "小红",
    "金凤",
    "凤英",
    "海燕",
    "丽萍",
    "晓燕",
    "秀兰",
    "翠萍",
    "冬梅",
    "淑芬",
    "雪梅",
    "素琴",
    "爱华",
    "月娥",
    "建英",
    "慧敏",
    "巧云",
    "彩霞",
    "春燕",
    "文娟",
    "桂芳",
    "玉梅",
    "菊香",
]
ELDERS_M = ["德福", "长根", "有才", "福生", "金水", "老根", "茂林", "寿山", "炳生", "来福"]
ELDERS_F = ["桂香", "秀珍", "腊梅", "凤莲", "翠花", "玉珍", "金娥", "招娣", "冬英", "月英"]
BOYS = [
    "浩然",
    "子轩",
    "宇航",
    "梓豪",
    "俊熙",
    "博文",
    "天佑",
    "一鸣",
    "子墨",
    "皓轩",
    "思远",
    "嘉豪",
    "明哲",
    "睿泽",
    "宇轩",
    "浩宇",
    "雨泽",
    "文昊",
    "子豪",
    "晨阳",
    "家乐",
    "俊杰",
    "志远",
    "鑫磊",
    "泽宇",
    "铭轩",
    "锦程",
    "逸飞",
    "承泽",
    "瑞霖",
]
GIRLS = [
    "子涵",
    "欣怡",
    "雨涵",
    "梓萱",
    "诗琪",
    "佳怡",
    "可馨",
    "思彤",
    "语嫣",
    "若曦",
    "梦瑶",
    "紫涵",
    "雨欣",
    "欣妍",
    "思雨",
    "佳琪",
    "婧琪",
    "雅琪",
    "梓涵",
    "心怡",
    "晓彤",
    "一诺",
    "安琪",
    "依诺",
    "静怡",
    "雨桐",
    "美琳",
    "诗涵",
    "嘉怡",
    "芷若",
]

# Occupations of parents who live at home; "外出务工" is weighted up.
OCCUPATIONS = [
    "务农",
    "外出务工",
    "个体经营",
    "企业职工",
    "建筑工人",
    "货车司机",
    "家庭主妇",
    "村医",
]
OCCUPATION_WEIGHTS = [30, 30, 10, 8, 8, 5, 6, 1]
AWAY = "外出务工"

# Where the families of 随迁子女 come from.
ELSEWHERE = ["湖南省邵阳市隆回县", "安徽省安庆市宿松县", "贵州省毕节市织金县", "河南省信阳市固始县"]


class _Maker:
    """Random but reproducible people, phones and ID numbers."""

    def __init__(self, rng, today):
        self.rng = rng
        self.today = today
        self.year_start = school_year_start(today)
        self.ids = set()
        self.phones = set()
        self.teachers = {}

    def surname(self):
        return self.rng.choices(SURNAMES, SURNAME_WEIGHTS)[0]

    def phone(self):
        while True:
            number = self.rng.choice(["13", "15", "18"]) + f"{self.rng.randrange(10**9):09d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def occupation(self):
        return self.rng.choices(OCCUPATIONS, OCCUPATION_WEIGHTS)[0]

    def birth_date(self, expected_grade):
        """A birth date that puts a child in `expected_grade` this school year (cutoff 8/31)."""
        entry_year = self.year_start - expected_grade + 1
        first = datetime.date(entry_year - 7, 9, 1)
        last = datetime.date(entry_year - 6, 8, 31)
        return first + datetime.timedelta(days=self.rng.randrange((last - first).days + 1))

    def id_number(self, area, born, gender):
        while True:
            seq = self.rng.randrange(1, 500) * 2 + (1 if gender == Child.Gender.MALE else 0)
            first17 = f"{area}{born:%Y%m%d}{seq:03d}"
            number = first17 + check_char(first17)
            if number not in self.ids:
                self.ids.add(number)
                return number

    def teacher(self, school, grade, class_name):
        key = (school.pk, grade, class_name)
        if key not in self.teachers:
            pool = WOMEN if self.rng.random() < 0.7 else MEN
            self.teachers[key] = self.surname() + self.rng.choice(pool)
        return self.teachers[key]
