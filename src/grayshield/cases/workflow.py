"""The case workflow as data: states, allowed moves, subjects a case can be opened on, outcomes.

open → investigating → referred_branch / referred_police → closed; a referral can come back to investigating
when the branch or police ask for more, and closing needs an outcome, because outcomes are the labels the
number, complaint and gang models learn from next time.
"""

from __future__ import annotations

STATES: dict[str, str] = {
    "open": "待处理",
    "investigating": "调查中",
    "referred_branch": "已移交分行",
    "referred_police": "已移交公安",
    "closed": "已结案",
}
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "open": ("investigating", "closed"),
    "investigating": ("referred_branch", "referred_police", "closed"),
    "referred_branch": ("investigating", "referred_police", "closed"),
    "referred_police": ("investigating", "closed"),
    "closed": ("investigating",),
}
SUBJECT_TYPES: dict[str, str] = {"gang": "团伙", "number": "号码", "account": "社交账号", "complaint": "投诉",
                                 "customer": "客户"}
OUTCOMES: dict[str, str] = {
    "confirmed_gang": "确认为黑灰产团伙",
    "police_case_filed": "公安已立案",
    "taken_down": "账号/号码已处置",
    "cleared": "排除嫌疑",
    "insufficient_evidence": "证据不足",
}
POSITIVE_OUTCOMES = ("confirmed_gang", "police_case_filed", "taken_down")
EVIDENCE_KINDS: dict[str, str] = {
    "gang_summary": "团伙研判摘要", "call": "通话记录", "complaint": "投诉", "social_post": "社交媒体帖子",
    "contact_change": "联系方式变更", "material": "投诉材料", "tag": "标签", "note": "调查记录", "other": "其他",
    "social_account": "社交账号档案", "alert": "投诉预警",
}
