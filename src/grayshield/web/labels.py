"""Chinese labels for codes the store keeps in English (roles, proxy levels, customer attributes)."""

from __future__ import annotations

from typing import Final

ROLE_LABELS: Final = {"analyst": "分析员", "investigator": "调查员", "qa": "质检", "supervisor": "主管",
                      "admin": "管理员"}
PROXY_LABELS: Final = {"high": "高", "medium": "中", "low": "低"}
ATTRIBUTE_LABELS: Final = {"gender": "性别", "province": "省份", "city": "城市", "segment": "客群",
                           "occupation": "职业", "onboard_date": "开户日期"}
DRIFT_LABELS: Final = {"ok": "正常", "warn": "关注", "alert": "告警"}
