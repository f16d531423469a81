"""The tag taxonomy: what can be said about a subject, on which subjects, for how long, and what it means at the
phone. Banks add their own tag types to :data:`TAG_TYPES` (stable names, duplicates refused).
"""

from __future__ import annotations

from dataclasses import dataclass

from grayshield.core.errors import ValidationError
from grayshield.core.registry import Registry

SUBJECT_TYPES = ("number", "customer", "social_account", "device")
SUBJECT_ZH = {"number": "电话号码", "customer": "客户", "social_account": "社交账号", "device": "设备"}
SOURCES = ("model", "rule", "analyst", "imported")
SOURCE_ZH = {"model": "模型", "rule": "规则", "analyst": "分析员", "imported": "外部名单"}
STATES = ("proposed", "confirmed", "rejected", "expired")
STATE_ZH = {"proposed": "待审核", "confirmed": "已确认", "rejected": "已驳回", "expired": "已过期"}
OPEN_STATES = ("proposed", "confirmed")


@dataclass(frozen=True)
class TagType:
    """``risk`` is what a confirmed tag adds at screening (negative for reassuring tags); ``validity_days`` is
    the default life of a tag, after which intelligence about numbers and accounts goes stale."""

    name: str
    label_zh: str
    subjects: tuple[str, ...]
    risk: int
    validity_days: int | None


TAG_TYPES: Registry[TagType] = Registry("tag type")

for _tag in (
    TagType("blackgray_number", "黑灰产惯用号码", ("number",), 3, 180),
    TagType("proxy_agency", "代理维权/反催收机构", ("number", "social_account", "device", "customer"), 3, 365),
    TagType("recruited_customer", "被黑灰产招揽客户", ("customer",), 2, 365),
    TagType("forged_material_submitter", "伪造材料提交者", ("customer", "device", "number"), 2, 730),
    TagType("blackgray_social_account", "黑灰产社交账号", ("social_account",), 2, 180),
    TagType("suspect_device", "可疑设备", ("device",), 2, 180),
    TagType("verified_representative", "已核实合法代理人（律师/亲属）", ("number", "customer"), -2, 365),
):
    TAG_TYPES.register(_tag.name, _tag)


def tag_type(name: str) -> TagType:
    """The registered tag type ``name``; an unknown name is a validation error listing the known ones."""
    if name not in TAG_TYPES:
        raise ValidationError(f"未知标签类型 {name!r}；可用类型: {', '.join(TAG_TYPES.names())}")
    return TAG_TYPES.get(name)


def check_subject(tag: TagType, subject_type: str) -> None:
    if subject_type not in SUBJECT_TYPES:
        raise ValidationError(f"未知标签对象类型 {subject_type!r}；可用: {', '.join(SUBJECT_TYPES)}")
    if subject_type not in tag.subjects:
        raise ValidationError(f"标签 {tag.name}（{tag.label_zh}）不能用于{SUBJECT_ZH[subject_type]}；"
                              f"适用对象: {', '.join(tag.subjects)}")
