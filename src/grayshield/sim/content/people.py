"""Names, regions and addresses with realistic frequencies (sources cited in ``data/people.toml``)."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any

from grayshield.sim.content.draw import Draw, Weighted


@cache
def _people_data() -> dict[str, Any]:
    return tomllib.loads(resources.files(__package__).joinpath("data/people.toml").read_text("utf-8"))


def provinces() -> tuple[str, ...]:
    """All 31 mainland provincial-level regions the simulated bank serves."""
    return tuple(_people_data()["regions"])


class People:
    """Precomputed weighted pools for names and places."""

    def __init__(self, draw: Draw) -> None:
        data = _people_data()
        self._draw = draw
        surnames: dict[str, float] = data["surnames"]
        self._surnames = Weighted(tuple(surnames), tuple(surnames.values()))
        given = data["given"]
        self._given: dict[str | None, str] = {
            "male": given["male"] + given["neutral"], "female": given["female"] + given["neutral"],
            None: given["male"] + given["female"] + given["neutral"],
        }
        regions = data["regions"]
        self._provinces = Weighted(tuple(regions), [r["weight"] for r in regions.values()])
        self._cities = {
            province: Weighted(tuple(r["cities"]), tuple(r["cities"].values())) for province, r in regions.items()
        }
        self._address = data["address"]

    def name(self, gender: str | None) -> str:
        surname = self._surnames.pick(self._draw)
        pool = self._given.get(gender, self._given[None])
        one_char = len(surname) > 1 or self._draw.chance(0.3)
        first = self._draw.choice(pool)
        return surname + first if one_char else surname + first + self._draw.choice(pool)

    def region(self) -> tuple[str, str]:
        province = self._provinces.pick(self._draw)
        return province, self._cities[province].pick(self._draw)

    def address(self, province: str, city: str) -> str:
        parts = self._address
        draw = self._draw
        if city == province:
            head = f"{city}市"
        else:
            head = f"{province}{_PROVINCE_SUFFIX.get(province, '省')}{city}{_CITY_SUFFIX.get(city, '市')}"
        district = draw.choice(parts["district_prefix"]) + draw.choice(parts["district_suffix"])
        road = draw.choice(parts["road_prefix"]) + draw.choice(parts["road_suffix"])
        estate = draw.choice(parts["estate_prefix"]) + draw.choice(parts["estate_suffix"])
        return (
            f"{head}{district}{road}{draw.between(1, 999)}号{estate}"
            f"{draw.between(1, 32)}栋{draw.between(1, 4)}单元{draw.between(1, 33)}{draw.between(1, 4):02d}室"
        )


_PROVINCE_SUFFIX = {"内蒙古": "自治区", "广西": "壮族自治区", "西藏": "自治区", "宁夏": "回族自治区", "新疆": "维吾尔自治区"}
_CITY_SUFFIX = {"红河": "州", "大理": "州", "伊犁": "州", "喀什": "地区"}
