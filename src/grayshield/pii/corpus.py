"""A labelled evaluation corpus: complaint and call-note templates filled with generated PII at known spans.

Deterministic for a seed, so two runs on one world agree and two worlds give two corpora. Values are made the
way real ones are (GB 11643 check digits, Luhn, real issuer prefixes and area codes) and written the way
customers and agents write them (spaced, dashed, +86, Chinese numerals). Distractors that must NOT be found
(amounts, dates, order numbers, place names) sit beside them. Hand-written tricky cases come from
``data/tricky_cases.jsonl``.
"""

from __future__ import annotations

import json
import random
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources

from grayshield.core.errors import ValidationError
from grayshield.pii import entities as E
from grayshield.pii import validators as V
from grayshield.pii.lexicon import load_lexicon

Span = tuple[int, int, str]


@dataclass(frozen=True)
class LabelledDoc:
    text: str
    spans: tuple[Span, ...]
    source: str = "generated"


SLOT_ENTITIES = {
    "NAME": E.PERSON_NAME,
    "ID": E.ID_CARD,
    "CARD": E.BANK_CARD,
    "ACCOUNT": E.BANK_ACCOUNT,
    "PHONE": E.PHONE,
    "EMAIL": E.EMAIL,
    "ADDR": E.ADDRESS,
    "PLATE": E.LICENSE_PLATE,
    "PASSPORT": E.PASSPORT,
    "PERMIT": E.TRAVEL_PERMIT,
    "IP": E.IP_ADDRESS,
}

TEMPLATES = (
    "客户{NAME}来电称，有中介以停息挂账为名收取{AMOUNT}服务费，客户手机{PHONE}，身份证号{ID}。",
    "持卡人{NAME}，卡号{CARD}，于{DATE}投诉分期手续费过高，要求协商还款。",
    "我叫{NAME}，我的电话是{PHONE}，家住{ADDR}，想办理个性化分期。",
    "{NAME}先生反映其信用卡{CARD}被盗刷{AMOUNT}，订单号{ORDER}，已报警。",
    "{NAME}女士来电，称代理机构让她把身份证{ID}和卡号{CARD}发过去，对方电话{PHONE}。",
    "投诉人{NAME}，联系电话{PHONE}，住址{ADDR}，邮箱{EMAIL}，要求减免违约金。",
    "本人{NAME}，身份证号码{ID}，现住{ADDR}，因失业无法按时还款。",
    "紧急联系人{NAME}，电话{PHONE}，与持卡人系朋友关系。",
    "催收记录：{DATE}致电{PHONE}无人接听，客户{NAME}名下欠款{AMOUNT}。",
    "客户经理{NAME}核实：客户登录IP {IP}，设备异常，账单金额{AMOUNT}。",
    "对公账号{ACCOUNT}于{DATE}转入{AMOUNT}，备注为协商费，收款人{NAME}。",
    "客户称车牌{PLATE}的车辆停在{ADDR}，曾与中介人员见面。",
    "申请人{NAME}，护照号{PASSPORT}，港澳通行证{PERMIT}，申请境外消费额度。",
    "请将材料寄到{ADDR}，收件人{NAME}，电话{PHONE}。",
    "来电号码{PHONE}自称律师，要求客户{NAME}提供卡号{CARD}和验证码。",
    "{NAME}先生您好，您尾号{TAIL}的信用卡本期账单{AMOUNT}，还款日{DATE}。",
    "客户{NAME}的邮箱{EMAIL}收到仿冒短信，链接指向IP {IP}。",
    "借款人{NAME}，身份证{ID}，工作单位在{ADDR}，月收入{AMOUNT}。",
    "投诉编号{ORDER}：客户{NAME}称坐席态度差，回拨电话{PHONE}。",
    "我是{NAME}，卡号是{CARD}，手机{PHONE}，帮我查一下{DATE}的交易。",
    "户名{NAME}，账号{ACCOUNT}，开户地址{ADDR}。",
    "代理人{NAME}携带委托书，委托人身份证号{ID}，电话{PHONE}。",
    "经查，{NAME}女士名下车辆{PLATE}，住址{ADDR}，已联系。",
    "客户反映：有人冒充银行，用{PHONE}打给她，让她联系{NAME}办理停息挂账。",
    "回乡证{PERMIT}的客户{NAME}来电咨询境外还款，电话{PHONE}。",
    "坐席：您好，请问是{NAME}吗？客户：对，我手机号{PHONE}，上个月在{ADDR}附近被人拉去办了停息挂账。",
    "【投诉摘要】投诉人：{NAME}；证件号码：{ID}；联系方式：{PHONE}；诉求：撤销分期，退还{AMOUNT}。",
    "据{NAME}反映，某法务公司通过微信{PHONE}联系她，自称能协商还款，要求先付{AMOUNT}。",
    "核实信息：姓名{NAME}，卡号后四位{TAIL}，预留手机{PHONE}，通讯地址{ADDR}。",
    "客户来信称其身份证{ID}被冒用，于{DATE}在{ADDR}办理了一张卡{CARD}。",
    "回访记录：{DATE}回访{NAME}先生，电话{PHONE}，客户表示已自行还款，不再委托中介。",
    "外呼名单第3条：{NAME}，{PHONE}，逾期{AMOUNT}，车牌{PLATE}。",
    "委托协议显示乙方为{NAME}，乙方账户{ACCOUNT}，乙方电子邮箱{EMAIL}，协议编号{ORDER}。",
)

# Written after the recognisers were tuned and never tuned against: evaluate_world reports them separately,
# the honest estimate for phrasing the recognisers have not seen. (An earlier held-out set, which was then used
# for tuning, now sits at the end of TEMPLATES.)
HELD_OUT_TEMPLATES = (
    "工单备注：来电人自称{NAME}的家属，询问{NAME}名下卡片{CARD}的欠款，来电号码{PHONE}，未通过身份核验。",
    "{DATE}，{NAME}（身份证{ID}）到网点办理挂失，现居{ADDR}。",
    "经办人：{NAME}；复核人：{NAME}；客户证件{ID}；结论：疑似代理投诉。",
    "短信内容：尊敬的{NAME}，您的账单{AMOUNT}已逾期，请速联系{PHONE}办理个性化分期。",
    "监管转办件：{NAME}投诉我行，称其在{ADDR}被上门催收，电话{PHONE}，邮箱{EMAIL}。",
    "客户说：“我姓{SURNAME}，叫{NAME}，电话你们有，{PHONE}。”",
    "涉案车辆{PLATE}登记车主{NAME}，联系地址{ADDR}。",
    "境外交易核查：持卡人{NAME}，护照{PASSPORT}，登录IP {IP}，交易卡号{CARD}。",
)

_GIVEN_EXTRA = "蕊澍骞赟祎旻琬晞濛珩彧翀"  # rarer given-name characters the recogniser does not list
_BINS = (
    "622202",
    "622848",
    "621700",
    "622588",
    "625911",
    "436742",
    "524094",
    "356895",
    "622700",
    "623058",
    "601382",
)
_AREA_CODES = ("010", "021", "020", "022", "023", "0755", "0571", "028", "027", "0512", "0731", "0351")
_MOBILE_PREFIXES = (
    "130",
    "131",
    "135",
    "136",
    "138",
    "139",
    "150",
    "152",
    "157",
    "158",
    "166",
    "177",
    "180",
    "186",
    "189",
    "199",
)
_DOMAINS = ("qq.com", "163.com", "126.com", "sina.com", "gmail.com", "foxmail.com", "139.com", "outlook.com")
_WORDS = (
    "zhang",
    "wei",
    "li",
    "na",
    "wang",
    "fang",
    "liu",
    "yang",
    "chen",
    "jing",
    "xiao",
    "ming",
    "hong",
    "jun",
)
_STREETS = "人民 建设 解放 中山 和平 文化 新华 胜利 朝阳 长江 黄河 光明 迎宾 幸福 科技 创业 学府 滨江 东风 青年".split()
_ESTATES = "阳光 碧桂 万科 金地 翠湖 锦绣 华府 御景 星河 绿城 海悦 龙湖".split()
_CN_DIGITS = "零一二三四五六七八九"
_PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def make_id(rng: random.Random) -> str:
    province = rng.choice(sorted(V.PROVINCE_CODES - {"71", "81", "82", "91"}))
    birth = f"{rng.randint(1950, 2004)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    if rng.random() < 0.05:  # legacy 15-digit: no century, no check character
        return f"{province}{rng.randint(1, 20):02d}{rng.randint(1, 30):02d}{birth[2:]}{_digits(rng, 3)}"
    body = f"{province}{rng.randint(1, 20):02d}{rng.randint(1, 30):02d}{birth}{_digits(rng, 3)}"
    return body + V.id_check_char(body)


def make_card(rng: random.Random) -> str:
    body = rng.choice(_BINS) + _digits(rng, rng.choice((9, 12)))
    check = next(d for d in "0123456789" if V.luhn_ok(body + d))
    number = body + check
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4)) if rng.random() < 0.3 else number


def make_phone(rng: random.Random) -> str:
    if rng.random() < 0.15:
        area = rng.choice(_AREA_CODES)
        local = _digits(rng, 8 if len(area) == 3 else rng.choice((7, 8)))
        return f"{area}-{local}" if rng.random() < 0.7 else f"{area}{local}"
    number = rng.choice(_MOBILE_PREFIXES) + _digits(rng, 8)
    style = rng.random()
    if style < 0.1:
        return "".join(_CN_DIGITS[int(d)] for d in number)
    if style < 0.25:
        return f"{number[:3]} {number[3:7]} {number[7:]}"
    if style < 0.35:
        return f"{number[:3]}-{number[3:7]}-{number[7:]}"
    if style < 0.45:
        return f"+86 {number}"
    return number


def make_name(rng: random.Random) -> str:
    lexicon = load_lexicon()
    surnames = [*lexicon.ranked_surnames[:150], *sorted(lexicon.compound_surnames)[:5]]
    given_pool = sorted(lexicon.given_chars) + list(_GIVEN_EXTRA)
    return rng.choice(surnames) + "".join(rng.choice(given_pool) for _ in range(rng.choice((1, 2, 2))))


def make_address(rng: random.Random) -> str:
    lexicon = load_lexicon()
    province = rng.choice(lexicon.provinces[:31])
    unit = rng.choice(province.units)
    municipality = province.full.endswith("市")
    city = unit if municipality or unit.endswith(("州", "盟", "地区", "区")) else unit + "市"
    district = "" if municipality else rng.choice(lexicon.districts)
    street = f"{rng.choice(_STREETS)}{rng.choice(('路', '街', '大道'))}{rng.randint(1, 999)}号"
    estate = f"{rng.choice(_ESTATES)}{rng.choice(('小区', '花园', '家园'))}" if rng.random() < 0.5 else ""
    room = (
        f"{rng.randint(1, 30)}栋{rng.randint(1, 4)}单元{rng.randint(1, 33)}0{rng.randint(1, 4)}室"
        if rng.random() < 0.6
        else ""
    )
    head = province.full + city if municipality else (province.full if rng.random() < 0.6 else "") + city
    return head + district + street + estate + room


def make_plate(rng: random.Random) -> str:
    tail = "".join(rng.choice(_PLATE_LETTERS[:8] + "0123456789") for _ in range(4)) + str(rng.randint(0, 9))
    return (
        rng.choice("京津沪渝冀豫云辽黑湘皖鲁苏浙赣鄂桂甘晋陕吉闽贵粤川琼") + rng.choice(_PLATE_LETTERS) + tail
    )


def make_email(rng: random.Random) -> str:
    local = (
        rng.choice(_WORDS) + rng.choice(("", ".", "_")) + rng.choice(_WORDS) + _digits(rng, rng.randint(0, 4))
    )
    return f"{local}@{rng.choice(_DOMAINS)}"


def make_account(rng: random.Random) -> str:
    return _digits(rng, rng.choice((12, 15, 17, 20)))


def make_ip(rng: random.Random) -> str:
    return ".".join(str(rng.randint(1, 254)) for _ in range(4))


GENERATORS: dict[str, Callable[[random.Random], str]] = {
    "NAME": make_name,
    "ID": make_id,
    "CARD": make_card,
    "ACCOUNT": make_account,
    "PHONE": make_phone,
    "EMAIL": make_email,
    "ADDR": make_address,
    "PLATE": make_plate,
    "PASSPORT": lambda rng: "E" + _digits(rng, 8),
    "PERMIT": lambda rng: rng.choice("CH") + _digits(rng, 8),
    "IP": make_ip,
    # distractors: never PII
    "AMOUNT": lambda rng: rng.choice(
        (
            f"{rng.randint(100, 99999)}元",
            f"{rng.randint(1, 50)}万元",
            f"{rng.randint(1000, 9999)}.{rng.randint(10, 99)}元",
        )
    ),
    "DATE": lambda rng: rng.choice(
        (
            f"{rng.randint(2019, 2025)}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日",
            f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            f"2024{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}",
        )
    ),
    "ORDER": lambda rng: rng.choice(
        ("DD" + _digits(rng, 14), "2024" + _digits(rng, rng.choice((10, 12, 14))), "TS-" + _digits(rng, 8))
    ),
    "TAIL": lambda rng: _digits(rng, 4),
    "SURNAME": lambda rng: rng.choice(load_lexicon().ranked_surnames[:50]),
}
_SLOT = re.compile(r"\{([A-Z]+)\}")


def fill(
    template: str,
    rng: random.Random,
    overrides: dict[str, Sequence[str]] | None = None,
    generators: Mapping[str, Callable[[random.Random], str]] = GENERATORS,
) -> LabelledDoc:
    """Fill ``template``'s slots; PII slots become labelled spans. ``overrides`` supplies real-world values."""
    pieces: list[str] = []
    spans: list[Span] = []
    length = 0
    cursor = 0
    for match in _SLOT.finditer(template):
        literal = template[cursor : match.start()]
        pieces.append(literal)
        length += len(literal)
        slot = match.group(1)
        pool = (overrides or {}).get(slot)
        value = rng.choice(pool) if pool and rng.random() < 0.5 else generators[slot](rng)
        if slot in SLOT_ENTITIES:
            spans.append((length, length + len(value), SLOT_ENTITIES[slot]))
        pieces.append(value)
        length += len(value)
        cursor = match.end()
    pieces.append(template[cursor:])
    return LabelledDoc("".join(pieces), tuple(spans))


def generate_corpus(
    seed: int,
    n_docs: int,
    *,
    names: Sequence[str] = (),
    phones: Sequence[str] = (),
    templates: Sequence[str] = TEMPLATES,
    source: str = "generated",
    generators: Mapping[str, Callable[[random.Random], str]] = GENERATORS,
) -> list[LabelledDoc]:
    """``n_docs`` labelled documents for ``seed``; ``names``/``phones`` (from a world) are mixed in when given."""
    rng = random.Random(seed)
    overrides = {k: v for k, v in (("NAME", names), ("PHONE", phones)) if v}
    docs = (fill(rng.choice(templates), rng, overrides, generators) for _ in range(n_docs))
    return [LabelledDoc(doc.text, doc.spans, source) for doc in docs]


# --- held-out sets (data/held_out.toml): wider name and address pools than the development templates -------

# Given-name characters real names use that the recognisers' list does not hold.
HELD_OUT_GIVEN_EXTRA = "苒芊箐珞璟湉骅霁琮玥沅曜翾蕊澍骞赟祎旻琬晞濛珩彧翀柘棣砚"
_TOWNS = "城关 新安 柳林 王庄 李家 河口 石桥 高庄 张湾 青山 马集 白沙 黄土 杨柳 东湖 西河".split()


def make_held_out_name(rng: random.Random) -> str:
    """Names as a customer file holds them: compound surnames, one- and two-character given names, and given
    characters outside the recognisers' list (a fifth of them)."""
    lexicon = load_lexicon()
    surname = (
        rng.choice(sorted(lexicon.compound_surnames))
        if rng.random() < 0.15
        else rng.choice(lexicon.ranked_surnames[:200])
    )
    pool = sorted(lexicon.given_chars)
    size = 1 if rng.random() < 0.4 else 2
    return surname + "".join(
        rng.choice(HELD_OUT_GIVEN_EXTRA) if rng.random() < 0.2 else rng.choice(pool) for _ in range(size)
    )


def make_held_out_address(rng: random.Random) -> str:
    """Village, street-only and 街道/社区 addresses next to the development shape."""
    lexicon = load_lexicon()
    province = rng.choice(lexicon.provinces[:31])
    unit = rng.choice(province.units)
    city = unit if unit.endswith(("州", "盟", "地区", "区", "市")) else unit + "市"
    district = rng.choice(lexicon.districts)
    town, village = rng.choice(_TOWNS), rng.choice(_TOWNS)
    street = f"{rng.choice(_STREETS)}{rng.choice(('路', '街', '大道', '巷'))}{rng.randint(1, 399)}号"
    shape = rng.randrange(4)
    if shape == 0 and not province.full.endswith("市"):
        return f"{province.full}{city}{district}{town}镇{village}村{rng.randint(1, 12)}组"
    if shape == 1:
        return f"{city}{district}{street}"
    if shape == 2:
        estate = f"{rng.choice(_ESTATES)}{rng.choice(('小区', '花园', '苑'))}"
        return f"{city}{district}{town}街道{estate}{rng.randint(1, 30)}栋{rng.randint(1, 28)}0{rng.randint(1, 4)}"
    return make_address(rng)


HELD_OUT_GENERATORS: dict[str, Callable[[random.Random], str]] = {
    **GENERATORS,
    "NAME": make_held_out_name,
    "ADDR": make_held_out_address,
}


def held_out_templates(version: str) -> tuple[str, ...]:
    """The templates of one held-out set (``v1``, ``v2``…) from ``data/held_out.toml``."""
    text = resources.files("grayshield.pii").joinpath("data/held_out.toml").read_text(encoding="utf-8")
    sets = tomllib.loads(text)
    if version not in sets:
        raise ValidationError(f"unknown held-out set {version!r}; known: {', '.join(sets)}")
    return tuple(sets[version]["templates"])


def held_out_corpus(version: str, seed: int, n_docs: int, *, names: Sequence[str] = ()) -> list[LabelledDoc]:
    """``n_docs`` documents of held-out set ``version`` (``source="held_out_<version>"``)."""
    templates = held_out_templates(version)
    if not templates:
        return []
    return generate_corpus(
        seed,
        n_docs,
        names=names,
        templates=templates,
        source=f"held_out_{version}",
        generators=HELD_OUT_GENERATORS,
    )


def tricky_cases() -> list[LabelledDoc]:
    """Hand-written cases (look-alike numbers, names inside place names…), spans located by their text."""
    text = resources.files("grayshield.pii").joinpath("data/tricky_cases.jsonl").read_text(encoding="utf-8")
    docs: list[LabelledDoc] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("//"):
            continue
        case = json.loads(line)
        spans: list[Span] = []
        for entity, value in case["pii"]:
            start = case["text"].find(value)
            if start < 0 or entity not in E.ENTITY_TYPES:
                raise ValidationError(f"tricky_cases.jsonl line {number}: {entity} {value!r} not in the text")
            spans.append((start, start + len(value), entity))
        docs.append(LabelledDoc(case["text"], tuple(sorted(spans)), "tricky"))
    return docs


def join_documents(docs: Sequence[LabelledDoc], per_document: int) -> list[LabelledDoc]:
    """Concatenate consecutive documents ``per_document`` at a time: call transcripts and complaint files are
    many sentences long, and per-document cost depends on length."""
    joined: list[LabelledDoc] = []
    for first in range(0, len(docs), per_document):
        parts = docs[first : first + per_document]
        spans: list[Span] = []
        offset = 0
        for part in parts:
            spans.extend((s + offset, e + offset, entity) for s, e, entity in part.spans)
            offset += len(part.text)
        joined.append(LabelledDoc("".join(p.text for p in parts), tuple(spans), parts[0].source))
    return joined
