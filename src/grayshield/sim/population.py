"""Cardholders and their card accounts for one block of customers.

Attributes are drawn jointly (age -> occupation -> income -> education, segment, limit) so the four
complaint dimensions correlate the way a real book does; two latent traits drive the future: ``risk``
(delinquency) and ``temperament`` (how readily a customer complains), neither of which is published.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from grayshield.sim.content import ContentGenerator
from grayshield.sim.util import (
    NEW_OWN_RANGE,
    ORDINARY_PREFIXES,
    OWN_RANGE,
    RELATIVE_RANGE,
    VIRTUAL_PREFIXES,
    NDArray,
    ids,
    mobiles,
    resident_ids,
)

# GB/T 2260 two-digit province codes (first two digits of a resident ID number).
PROVINCE_CODES = {
    "北京市": 11, "天津市": 12, "河北省": 13, "山西省": 14, "内蒙古自治区": 15, "辽宁省": 21, "吉林省": 22,
    "黑龙江省": 23, "上海市": 31, "江苏省": 32, "浙江省": 33, "安徽省": 34, "福建省": 35, "江西省": 36,
    "山东省": 37, "河南省": 41, "湖北省": 42, "湖南省": 43, "广东省": 44, "广西壮族自治区": 45, "海南省": 46,
    "重庆市": 50, "四川省": 51, "贵州省": 52, "云南省": 53, "西藏自治区": 54, "陕西省": 61, "甘肃省": 62,
    "青海省": 63, "宁夏回族自治区": 64, "新疆维吾尔自治区": 65,
}
RICH_PROVINCES = {"北京市", "上海市", "广东省", "浙江省", "江苏省", "天津市"}
OCCUPATIONS = ("employee", "civil_servant", "self_employed", "freelancer", "student", "retired", "unemployed",
               "other")
WORKING_SHARES = (0.55, 0.08, 0.15, 0.1, 0.0, 0.0, 0.04, 0.08)
OCCUPATION_INCOME = {"employee": 110_000, "civil_servant": 130_000, "self_employed": 160_000,
                     "freelancer": 90_000, "student": 20_000, "retired": 60_000, "unemployed": 25_000,
                     "other": 70_000}
EDUCATION = ("below_high_school", "high_school", "college", "bachelor", "master_or_above", "unknown")
LEVELS = ("standard", "gold", "platinum", "diamond")
PRODUCTS = {"standard": ("STD01", "STD02", "COB01", "COB03"), "gold": ("GLD01", "GLD02", "COB02"),
            "platinum": ("PLT01", "PLT02"), "diamond": ("DMD01",)}
ANNUAL_FEE = {"standard": 0.0, "gold": 300.0, "platinum": 2_000.0, "diamond": 3_600.0}
CHANNELS = ("branch", "online", "partner", "telemarketing", "referral")


@dataclass
class Population:
    """One block's customers (index ``i``) and accounts (index ``a``, owner ``acc_cust[a]``)."""

    offset: int
    cust_id: pa.Array
    name: list[str]
    gender: NDArray
    age: NDArray
    birth: NDArray
    province: NDArray
    city: NDArray
    occupation: NDArray
    income: NDArray
    education: NDArray
    segment: NDArray
    onboard: NDArray
    risk: NDArray
    temperament: NDArray
    own_phone: pa.Array
    relative_phone: pa.Array
    spare_phone: pa.Array  # the number a customer moves to in an ordinary mobile change
    # accounts
    acc_id: pa.Array
    acc_cust: NDArray
    level: NDArray
    product: NDArray
    limit: NDArray
    application: NDArray
    open_day: NDArray
    activation: NDArray  # NaT when never activated
    channel: NDArray
    stmt_day: NDArray
    card_number: list[str]

    @property
    def n(self) -> int:
        return len(self.age)

    @property
    def n_accounts(self) -> int:
        return len(self.acc_cust)


def build_population(
    rng: np.random.Generator, gen: ContentGenerator, offset: int, n: int, first_day: np.datetime64,
    window_days: int,
) -> Population:
    index = offset + np.arange(n)
    gender = np.where(rng.random(n) < 0.52, "M", "F")
    gender[rng.random(n) < 0.002] = "U"
    age = np.where(rng.random(n) < 0.08, rng.uniform(60, 82, n), 20 + rng.gamma(3.2, 5.0, n)).clip(19, 85)
    birth = first_day - (age * 365.25).astype("timedelta64[D]")
    regions = [gen.region() for _ in range(n)]
    province = np.array([r[0] for r in regions], dtype=object)
    city = np.array([r[1] for r in regions], dtype=object)
    names = [gen.person_name(None if g == "U" else ("male" if g == "M" else "female")) for g in gender]

    occupation = np.asarray(OCCUPATIONS)[rng.choice(len(OCCUPATIONS), n, p=WORKING_SHARES)]
    occupation[(age >= 60) & (rng.random(n) < 0.8)] = "retired"
    occupation[(age < 23) & (rng.random(n) < 0.5)] = "student"
    rich = np.isin(province, list(RICH_PROVINCES))
    base = np.vectorize(OCCUPATION_INCOME.__getitem__, otypes=[float])(occupation)
    income = np.round(base * np.where(rich, 1.5, 1.0) * rng.lognormal(0, 0.55, n), -2)
    edu_score = np.log(income / 80_000) + rng.normal(0, 0.8, n)
    education = np.asarray(EDUCATION)[np.digitize(edu_score, [-1.2, -0.5, 0.1, 1.0])]
    education[rng.random(n) < 0.03] = "unknown"
    segment = np.select(
        [age >= 60, age < 26, income > 2_000_000, income > 600_000, income > 250_000],
        ["senior", "young", "private", "vip", "affluent"], "mass",
    )
    tenure = rng.uniform(0, 10 * 365, n)
    onboard = first_day - tenure.astype("timedelta64[D]")
    new_joiners = rng.random(n) < 0.06  # some customers join during the window: applications, activations
    onboard[new_joiners] = first_day + rng.integers(0, max(1, window_days - 30), new_joiners.sum()).astype(
        "timedelta64[D]")
    onboard = np.maximum(onboard, birth + np.timedelta64(18 * 366, "D"))
    risk = (rng.normal(0, 1, n) + 0.5 * (income < 50_000) - 0.4 * (occupation == "civil_servant")
            + 0.3 * (age < 26) + 0.3 * (occupation == "unemployed") - 0.2 * (education == "master_or_above"))
    temperament = rng.normal(0, 1, n)

    prefixes = rng.choice(ORDINARY_PREFIXES, n)
    prefixes[rng.random(n) < 0.03] = rng.choice(VIRTUAL_PREFIXES)  # a few genuine customers on virtual SIMs
    own_phone = mobiles(index, OWN_RANGE, prefixes)
    relative_phone = mobiles(index, RELATIVE_RANGE, rng.choice(ORDINARY_PREFIXES, n))
    spare_phone = mobiles(index, NEW_OWN_RANGE, rng.choice(ORDINARY_PREFIXES, n))

    n_acc = 1 + rng.binomial(2, 0.2, n)
    acc_cust = np.repeat(np.arange(n), n_acc)
    acc_rank = np.concatenate([np.arange(k) for k in n_acc]) if n else np.zeros(0, dtype=np.int64)
    na = len(acc_cust)
    level_score = np.log(income[acc_cust] / 100_000) + rng.normal(0, 0.5, na)
    level = np.asarray(LEVELS)[np.digitize(level_score, [0.4, 1.4, 2.4])]
    product = np.array([PRODUCTS[lv][rng.integers(len(PRODUCTS[lv]))] for lv in level], dtype=object)
    limit_factor = np.select([level == "standard", level == "gold", level == "platinum"], [0.15, 0.25, 0.35], 0.5)
    limit = np.clip(np.round(income[acc_cust] * limit_factor * rng.lognormal(0, 0.3, na), -3), 2_000, 500_000)
    since_onboard = np.maximum((first_day + window_days - onboard[acc_cust]).astype(np.int64), 1)
    application = onboard[acc_cust] + np.where(
        acc_rank == 0, 0, rng.integers(0, since_onboard)).astype("timedelta64[D]")
    application = np.minimum(application, first_day + np.timedelta64(window_days - 20, "D"))
    open_day = application + rng.integers(3, 16, na).astype("timedelta64[D]")
    activation = open_day + rng.integers(1, 30, na).astype("timedelta64[D]")
    activation[rng.random(na) < 0.06] = np.datetime64("NaT")
    serial = (offset * 4 + np.arange(na)) * 7_919 % 1_000_000_000
    bins = rng.choice(np.array(["622588", "625802", "628262", "436742"]), na)
    acc_index = offset * 4 + np.arange(na)  # customers never hold more than three accounts
    return Population(
        offset=offset, cust_id=ids("C", index, 9), name=names, gender=gender, age=age, birth=birth,
        province=province, city=city, occupation=occupation, income=income, education=education,
        segment=segment, onboard=onboard, risk=risk, temperament=temperament, own_phone=own_phone,
        relative_phone=relative_phone, spare_phone=spare_phone, acc_id=ids("A", acc_index, 10),
        acc_cust=acc_cust, level=level, product=product, limit=limit, application=application,
        open_day=open_day, activation=activation, channel=np.asarray(CHANNELS)[rng.integers(0, 5, na)],
        stmt_day=rng.integers(1, 29, na), card_number=luhn_cards(bins, serial),
    )


def luhn_cards(bins: NDArray, serial: NDArray) -> list[str]:
    """16-digit card numbers that pass the Luhn check (PII detectors validate it)."""
    body = np.char.add(bins.astype(str), np.char.zfill(serial.astype(str), 9))
    n = len(body)
    digits = np.frombuffer("".join(body.tolist()).encode(), dtype=np.uint8).reshape(n, 15).astype(np.int64) - 48
    doubled = digits[:, ::-1].copy()
    doubled[:, ::2] *= 2
    doubled[doubled > 9] -= 9
    check = (10 - doubled.sum(axis=1) % 10) % 10
    out: list[str] = np.char.add(body, check.astype(str)).tolist()
    return out


def customer_columns(pop: Population, gen: ContentGenerator, rng: np.random.Generator) -> dict[str, object]:
    """The ``customers`` table for a block (addresses drawn here: they are only needed for output)."""
    area = np.vectorize(lambda p: PROVINCE_CODES.get(p, 11), otypes=[np.int64])(pop.province)
    return {
        "customer_id": pop.cust_id,
        "name": pop.name,
        "id_number": resident_ids(rng, area, pop.birth, pop.gender),
        "gender": pop.gender,
        "birth_date": pop.birth,
        "province": pop.province,
        "city": pop.city,
        "address": [gen.address(p, c) for p, c in zip(pop.province, pop.city, strict=True)],
        "registered_phone": pop.own_phone,
        "occupation": pop.occupation,
        "annual_income": pop.income,
        "education": pop.education,
        "onboard_date": pop.onboard,
        "segment": pop.segment,
    }
