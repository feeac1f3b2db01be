"""Chinese content for the samples: filler prose of an exact 字数, and the invented cast."""
from __future__ import annotations

import random
from dataclasses import dataclass

# Clauses of ideographs only (numbers written in Chinese), so that a text's 字数 is its length
# whichever way a counter treats Latin runs and digits.
_CLAUSES = (
    "围绕碳达峰碳中和目标统筹推进节能降碳工作", "坚持生态优先和绿色发展的总体思路",
    "建成屋顶分布式光伏发电项目", "年发电量约一千二百万千瓦时",
    "推动数据中心机房实施液冷改造", "通过能耗在线监测平台实现用能精细管理",
    "单位产值能耗同比下降百分之八", "带动上下游企业开展绿色供应链协同",
    "余热回收系统为周边建筑提供冬季供暖", "建立碳排放核算和信息披露制度",
    "引入第三方机构开展能源审计", "推广储能与光伏一体化解决方案",
    "工业固体废物综合利用率稳步提升", "废旧通信设备实现规范回收和梯次利用",
    "组织员工参与节能宣传和低碳志愿服务", "形成了可复制可推广的经验做法",
    "获得社会各界的广泛认可", "每年减少二氧化碳排放约八千吨",
    "改善了区域生态环境质量", "为同类单位提供了有益借鉴",
    "完善节能管理制度和考核机制", "对高耗能设备进行升级改造",
    "应用智能化用能控制和高效制冷技术", "搭建绿色公共服务平台",
    "持续优化能源结构和产业结构", "推进污水处理设施提标改造",
    "开展清洁生产审核和绿色工厂创建", "加强与高校和科研院所的合作",
    "积极参与绿色电力交易", "探索绿色金融支持节能项目的新模式",
    "深化数字技术与绿色低碳的融合应用", "基站智能关断技术覆盖全部站点",
    "降低了企业运营成本", "提升了园区的可持续投资环境",
)
_PUNCT = "，。、；"


def filler(n: int, seed: int | str) -> str:
    """Prose of exactly `n` 字 (ideographs and full-width punctuation), ending with 。."""
    if n < 2:
        raise ValueError("filler needs at least 2 字")
    rng = random.Random(f"filler-{seed}")
    text = ""
    while len(text) < n:
        clauses = rng.sample(_CLAUSES, rng.randint(2, 4))
        text += "，".join(clauses) + "。"
    body = text[: n - 1]
    if body[-1] in _PUNCT:
        body = body[:-1] + "等"
    return body + "。"


def paragraphs(text: str, size: int = 280) -> list[str]:
    """`text` cut at sentence ends into paragraphs of about `size` 字, nothing added or lost."""
    out, current = [], ""
    for sentence in text.split("。"):
        if not sentence:
            continue
        current += sentence + "。"
        if len(current) >= size:
            out.append(current)
            current = ""
    if current:
        out.append(current)
    return out


@dataclass(frozen=True)
class Person:
    """An invented applicant; phones are in the 138-0000 and 0x0-8000 blocks, mail at example."""

    name: str
    title: str
    mobile: str
    landline: str
    email: str

    def sender(self) -> str:
        return f"{self.name} <{self.email}>"

    def fields(self, role: str = "contact", landline: bool = False) -> dict[str, str]:
        """Form values for this person in a role: {role}_name, _title, _phone, _email."""
        phone = self.landline if landline else self.mobile
        return {f"{role}_name": self.name, f"{role}_title": self.title,
                f"{role}_phone": phone, f"{role}_email": self.email}


def _person(n: int, name: str, title: str, login: str, domain: str = "example.cn",
            area: str = "010") -> Person:
    return Person(name, title, f"138000000{n:02d}", f"{area}-800000{n:02d}", f"{login}@{domain}")


WANG = _person(1, "王晓明", "节能办主任", "wangxiaoming")
LIU_JJ = _person(2, "刘建军", "总经理", "liujianjun")
LI = _person(3, "李静怡", "综合部经理", "lijingyi", "example.com")
GUO = _person(4, "郭振华", "董事长", "guozhenhua", "example.com")
CHEN = _person(5, "陈思远", "社会责任专员", "chensiyuan")
SUN = _person(6, "孙丽娟", "品牌部主管", "sunlijuan", "example.com")
ZHOU = _person(7, "周建国", "应对气候变化处副处长", "zhoujianguo", "example.cn", "0571")
MA_WJ = _person(8, "马文静", "能源管理部经理", "mawenjing", "example.com", "0571")
HUANG = _person(9, "黄海涛", "科员", "huanghaitao", "example.cn", "0571")
XIE = _person(10, "谢雨晴", "社区主任", "xieyuqing", "example.org", "0571")
ZHAO = _person(11, "赵一鸣", "项目经理", "zhaoyiming", "example.com")
ZHANG = _person(12, "张伟华", "生态环境局科长", "zhangweihua")
LIU_Y = _person(13, "刘洋", "经济发展局科员", "liuyang", "example.org")
HE = _person(14, "何雨桐", "安环部经理", "heyutong", "example.com")
WU = _person(15, "吴敏", "设备部主管", "wumin", "example.com")
ZHENG = _person(16, "郑浩然", "招商局科长", "zhenghaoran", "example.org")
GAO = _person(17, "高志强", "总工程师", "gaozhiqiang", "example.com")
QIAN = _person(18, "钱振宇", "生态环境局科员", "qianzhenyu", "example.org")
MA_X = _person(19, "马骁", "解决方案部经理", "maxiao", "example.cn", "023")
LIN = _person(20, "林晓燕", "市场部主管", "linxiaoyan", "example.com", "023")
XU = _person(21, "许文斌", "秘书长", "xuwenbin", "example.org")
