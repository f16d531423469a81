"""Sample rows shaped like a bank's calls extract, shared by the lake tests."""

from __future__ import annotations

CALLS_HEADER = (
    "call_id,caller_number,called_line,direction,start_time,duration_s,ivr_path,agent_id,queue,"
    "claimed_customer_id,caller_relation,identity_verified,customer_number"
)


def call_line(call_id: str, *, caller: str = "13812345678", start: str = "2024-03-01 09:30:00",
              duration: str = "60", verified: str = "true", ivr: str = "1>2") -> str:
    return f"{call_id},{caller},95555,inbound,{start},{duration},{ivr},A01,card_service,C001,self,{verified},"
