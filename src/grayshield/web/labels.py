"""Chinese labels for codes the store keeps in English (roles, proxy levels, customer attributes)."""

from __future__ import annotations

from typing import Final

ROLE_LABELS: Final = {"analyst": "分析员", "investigator": "调查员", "qa": "质检", "supervisor": "主管",
                      "admin": "管理员"}
PROXY_LABELS: Final = {"high": "高", "medium": "中", "low": "低"}
ATTRIBUTE_LABELS: Final = {"gender": "性别", "province": "省份", "city": "城市", "segment": "客群",
                           "occupation": "职业", "onboard_date": "开户日期"}
DRIFT_LABELS: Final = {"ok": "正常", "warn": "关注", "alert": "告警"}
TAG_STATE_LABELS: Final = {"proposed": "待审核", "confirmed": "已确认", "rejected": "已驳回", "expired": "已过期"}
TAG_SOURCE_LABELS: Final = {"model": "模型", "rule": "规则", "analyst": "分析员", "imported": "外部名单"}
SUBJECT_LABELS: Final = {"number": "号码", "customer": "客户", "social_account": "社交账号", "device": "设备"}
SCREEN_LEVEL_LABELS: Final = {"high": "高风险", "medium": "中风险", "low": "低风险"}
