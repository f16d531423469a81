"""What the PII engine finds: entity types with their display labels and JR/T 0171-2020 classes, and hits.

Entity names are stable identifiers used in policies, reports and the scan JSON; the Chinese labels are what
placeholders and the console show. Classes follow JR/T 0171-2020 §4.2: C3 is authentication information
(card PINs, passwords: never stored here), C2 identifies a person or an account.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

ID_CARD = "ID_CARD"
BANK_CARD = "BANK_CARD"
BANK_ACCOUNT = "BANK_ACCOUNT"
PHONE = "PHONE"
EMAIL = "EMAIL"
PERSON_NAME = "PERSON_NAME"
ADDRESS = "ADDRESS"
LICENSE_PLATE = "LICENSE_PLATE"
PASSPORT = "PASSPORT"
TRAVEL_PERMIT = "TRAVEL_PERMIT"
IP_ADDRESS = "IP_ADDRESS"


@dataclass(frozen=True, slots=True)
class EntityType:
    name: str
    label: str
    jrt_class: str


ENTITY_TYPES: dict[str, EntityType] = {
    e.name: e
    for e in (
        EntityType(ID_CARD, "身份证号", "C2"),
        EntityType(BANK_CARD, "银行卡号", "C2"),
        EntityType(BANK_ACCOUNT, "银行账号", "C2"),
        EntityType(PHONE, "电话号码", "C2"),
        EntityType(EMAIL, "电子邮箱", "C2"),
        EntityType(PERSON_NAME, "姓名", "C2"),
        EntityType(ADDRESS, "地址", "C2"),
        EntityType(LICENSE_PLATE, "车牌号", "C2"),
        EntityType(PASSPORT, "护照号", "C2"),
        EntityType(TRAVEL_PERMIT, "港澳台通行证号", "C2"),
        EntityType(IP_ADDRESS, "IP地址", "C2"),
    )
}


class Hit(NamedTuple):
    """One finding: ``text[start:end]`` is an ``entity`` with ``confidence``; ``reason`` says why (for auditors).

    A named tuple rather than a frozen dataclass: scans create many of these and tuple construction is several
    times cheaper.
    """

    entity: str
    start: int
    end: int
    text: str
    confidence: float
    recogniser: str
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "entity": self.entity,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "confidence": round(self.confidence, 3),
            "recogniser": self.recogniser,
            "reason": self.reason,
        }
