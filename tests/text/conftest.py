"""A tiny hand-written world: a few posts, caller turns and complaints per label, in the contract schema."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from grayshield.contract import TABLES, TRUTH_TABLES
from grayshield.contract.arrow import arrow_schema

ADS = [
    "专业办理停息挂账，协商还款，薇：shangan888",
    "信用卡逾期不用怕，亭息挂帐找我们，电话 138 1234 5678",
    "个xing化分期，最长六十期，私信了解",
    "tx挂账 gxh分期 一对一免费咨询 vx: debt_help9",
    "債務優化 協商還款 成功率高 加V：fuzhai2024",
    "网贷逾期 征信修复 反催收 专业团队 扣扣 123456789",
    "零元销卡 费息调减 不成功不收费，主页联系",
    "逾期铲单上岸，带你上岸，看主页 www.shangan-help.com",
]
DISCUSSIONS = [
    "有人办过停息挂账吗？靠谱吗，感觉像骗子",
    "我自己打银行客服协商了个性化分期，没花一分钱",
    "千万别信那些协商还款中介，交了钱人就跑了",
    "信用卡逾期了三个月，每天都很焦虑，怎么办",
    "找了代理停息挂账结果被骗了五千块，大家小心",
    "上个月刚还清信用卡，终于上岸了，开心",
    "银行打电话来催收，态度还挺好的",
    "请问逾期会影响征信多久？",
]
NEWS = [
    "警方打掉一个以停息挂账为名实施诈骗的团伙",
    "金融监管总局提示：警惕代理维权、协商还款类骗局",
    "银行业协会发布风险提示，谨防反催收联盟诱导",
    "某银行开展金融知识宣传，提醒消费者远离黑灰产",
    "人民银行：征信修复是骗局，征信不存在付费修复",
    "法院判决一起代理投诉案件，代理人被判诈骗罪",
    "消费者权益保护宣传周：理性借贷，按时还款",
    "公安机关通报非法代理维权典型案例",
]
CONTACTS = {0: "wx:shangan888", 1: "+8613812345678", 3: "wx:debt_help9", 4: "wx:fuzhai2024", 5: "qq:123456789",
            7: "www.shangan-help.com"}
UTTERANCES = {
    "proxy_representation": [
        "你好，我是他的代理人，今天代表客户跟你们协商",
        "我们是律师事务所的，受他委托处理这笔欠款",
        "我当事人现在不方便接电话，由我全权处理",
        "我们法务公司代理这个客户，请你们跟我对接",
        "我是她的代理人，委托书已经发给你们了",
        "我代他来处理，他本人不方便",
    ],
    "escalation_threat": [
        "你们再不处理，我就投诉到银保监",
        "我要去金融监管总局投诉你们，媒体曝光",
        "不给我办我就起诉你们，法院见",
        "我已经打了12378，你们等着",
        "我会一直投诉到底，找记者曝光你们",
        "暴力催收是违法的，我要报警",
    ],
    "coached_customer": [
        "我要求停息挂账，按照规定你们必须给我办",
        "我没有还款能力，我要求个性化分期六十期",
        "我要求减免全部利息和违约金，只还本金",
        "我会录音，录音作为证据",
        "依据第七十条，我有权要求个性化分期",
        "你们必须给我最长期限分期",
    ],
    "ordinary": [
        "你好，我想查一下这个月的账单",
        "我的卡丢了，帮我挂失一下",
        "我想问一下积分怎么兑换",
        "好的，谢谢你，再见",
        "这个月工资晚了，我下周还可以吗",
        "请问最低还款是多少",
    ],
}


def _write(folder: Path, schema: pa.Schema, rows: list[dict[str, Any]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    table = pa.table({f.name: [r.get(f.name) for r in rows] for f in schema},
                     schema=pa.schema([f.with_nullable(True) for f in schema]))
    pq.write_table(table, folder / "part-00000.parquet")


def make_world(root: Path, seed: int = 1) -> Path:
    now = datetime(2026, 10, 1, 12, 0)
    posts, post_truth = [], []
    for label, texts in (("blackgray_ad", ADS), ("consumer_discussion", DISCUSSIONS), ("news_official", NEWS)):
        for i, text in enumerate(texts):
            post_id = f"P{label[:3]}{i}"
            posts.append({"platform": "douyin", "post_id": post_id, "account_id": f"A{i}", "post_type": "post",
                          "text": text, "posted_time": now, "likes": 0, "comments": 0, "shares": 0,
                          "crawled_time": now})
            post_truth.append({"platform": "douyin", "post_id": post_id, "label": label,
                               "evasion": label == "blackgray_ad" and i in (1, 2, 3, 4),
                               "business_type": "credit_card",
                               "contacts": CONTACTS.get(i, "")
                               if label == "blackgray_ad" else ""})
    utterances, utterance_truth, complaints, complaint_truth = [], [], [], []
    for label, texts in UTTERANCES.items():
        for i, text in enumerate(texts):
            call_id = f"CALL-{label[:4]}-{i}"
            utterances += [
                {"call_id": call_id, "seq": 0, "speaker": "agent", "start_ms": 0, "end_ms": 900, "text": "您好，请讲"},
                {"call_id": call_id, "seq": 1, "speaker": "caller", "start_ms": 1000, "end_ms": 4000, "text": text},
            ]
            utterance_truth += [{"call_id": call_id, "seq": 0, "label": "ordinary", "breach_type": "none"},
                                {"call_id": call_id, "seq": 1, "label": label, "breach_type": "none"}]
            complaint_id = f"CMP-{label[:4]}-{i}"
            complaints.append({"complaint_id": complaint_id, "customer_id": f"C{i}", "received_time": now,
                               "channel": "hotline", "category": "other", "text": f"客户来电：{text}",
                               "representative_type": "self", "material_count": 0})
            complaint_truth.append({"complaint_id": complaint_id, "is_proxy": label == "proxy_representation",
                                    "forged_material": False, "customer_aware": True, "label": label})
    for name, rows in (("social_posts", posts), ("call_utterances", utterances), ("complaints", complaints)):
        _write(root / name, arrow_schema(TABLES[name]), rows)
    for name, rows in (("social_posts", post_truth), ("utterances", utterance_truth), ("complaints", complaint_truth)):
        _write(root / "truth" / name, arrow_schema(TRUTH_TABLES[name]), rows)
    (root / "world.json").write_text(json.dumps({"generator": "hand-written test world", "seed": seed}))
    return root


@pytest.fixture(scope="session")
def tiny_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_world(tmp_path_factory.mktemp("text-world"))
