"""Ground truth that a simulated world ships in ``truth/``: what every detector should find.

Real bank data has no such folder; outcomes from cases, take-downs and complaint verdicts play its
part there. Evaluations (``grayshield eval AREA``) read only these tables and the contract tables,
so a world from any generator that writes them can be used for measurement.
"""

from __future__ import annotations

from grayshield.contract.model import Column, DType, Table
from grayshield.contract.tables import PLATFORMS, col, opt

S, INT, B, D, T = DType.STRING, DType.INT, DType.BOOL, DType.DATE, DType.TIMESTAMP

POST_LABELS = ("blackgray_ad", "consumer_discussion", "news_official")
UTTERANCE_LABELS = ("proxy_representation", "escalation_threat", "coached_customer", "ordinary")
BREACH_TYPES = (
    "none", "threat", "abusive_language", "improper_third_party_contact", "unauthorised_promise",
    "third_party_disclosure",
)
MANDATORY_ITEMS = ("greeting_identification", "recording_notice", "identity_verification", "risk_disclosure")
BUSINESS_TYPES = ("credit_card", "consumer_loan", "online_lending", "mortgage", "other")
OP_ANOMALIES = (
    "none", "bulk_lookup", "waiver_without_verification", "off_hours_access", "out_of_queue_lookup",
    "gang_collusion", "unusual_location",
)
CASE_ANOMALIES = ("none", "closed_without_required_steps", "skipped_identity_verification", "approval_missing")

TRUTH_GANGS = Table(
    name="gangs",
    description="Black/gray gangs in the world.",
    primary_key=("gang_id",),
    columns=(
        col("gang_id", S, "Gang id."),
        col("kind", S, "Business model.", allowed=("anti_collection_alliance", "negotiation_agency", "data_broker")),
        col("home_province", S, "Where it operates from."),
        col("start_date", D, "First activity."),
        col("recruited_customers", INT, "How many customers it recruited."),
    ),
)

TRUTH_CUSTOMERS = Table(
    name="customers",
    description="Per customer: gang recruitment and hard-negative roles.",
    primary_key=("customer_id",),
    columns=(
        col("customer_id", S, "Customer."),
        opt("gang_id", S, "Gang that recruited the customer."),
        col("recruited", B, "Recruited by a gang."),
        opt("recruited_time", T, "When recruited."),
        opt("aware_of_complaints", B, "For recruited customers: knew of complaints filed in their name."),
        col("role", S, "Role in the world.", allowed=(
            "ordinary", "recruited", "self_negotiator", "elderly_with_helper", "genuine_complainant")),
    ),
)

TRUTH_NUMBERS = Table(
    name="numbers",
    description="Every phone number that appears as a caller or contact number, with its nature.",
    primary_key=("number",),
    columns=(
        col("number", DType.PHONE, "E.164 number or service number."),
        col("is_blackgray", B, "A number the black/gray industry habitually uses."),
        opt("gang_id", S, "Owning gang."),
        col("kind", S, "Nature.", allowed=(
            "customer_own", "genuine_relative", "lawyer", "gang_habitual", "gang_rotating", "gang_400_line",
            "gang_virtual", "bank", "other")),
    ),
)

TRUTH_CALLS = Table(
    name="calls",
    description="Per call: proxy behaviour and compliance truth.",
    primary_key=("call_id",),
    columns=(
        col("call_id", S, "Call."),
        col("is_proxy", B, "A black/gray third party acting for (or posing as) the customer."),
        opt("gang_id", S, "Gang behind a proxy call."),
        col("proxy_role", S, "What the proxy posed as.", allowed=(
            "none", "posing_as_customer", "relative", "lawyer", "legal_affairs_company")),
        col("speaker_person_id", S, "The person actually speaking on the caller side (voice identity)."),
        col("missing_mandatory", S, "'|'-separated mandatory items the agent omitted; empty if none."),
    ),
)

TRUTH_UTTERANCES = Table(
    name="utterances",
    description="Per utterance: semantic label (caller side) and breach type (agent side).",
    primary_key=("call_id", "seq"),
    columns=(
        col("call_id", S, "Call."),
        col("seq", INT, "Utterance."),
        col("label", S, "Caller-side semantic label; 'ordinary' for agent and IVR lines.", allowed=UTTERANCE_LABELS),
        col("breach_type", S, "Agent-side compliance breach.", allowed=BREACH_TYPES),
    ),
)

TRUTH_COMPLAINTS = Table(
    name="complaints",
    description="Per complaint: proxy-driven or genuine, template and forged material.",
    primary_key=("complaint_id",),
    columns=(
        col("complaint_id", S, "Complaint."),
        col("is_proxy", B, "Filed or driven by a black/gray gang."),
        opt("gang_id", S, "Gang."),
        opt("template_id", S, "Complaint template the text was made from (gang complaints)."),
        col("forged_material", B, "Carries forged material."),
        col("customer_aware", B, "The customer knew of the complaint."),
        col("label", S, "Text label of the complaint body.", allowed=UTTERANCE_LABELS),
    ),
)

TRUTH_SOCIAL_ACCOUNTS = Table(
    name="social_accounts",
    description="Per social account: black/gray or not.",
    primary_key=("platform", "account_id"),
    columns=(
        col("platform", S, "Platform.", allowed=PLATFORMS),
        col("account_id", S, "Account."),
        col("is_blackgray", B, "Black/gray account."),
        opt("gang_id", S, "Gang."),
        col("kind", S, "Nature.", allowed=("blackgray", "consumer", "news_media", "bank_official", "kol_finance")),
        opt("renamed_from", S, "Earlier account id of the same operator, for re-appearing accounts."),
    ),
)

TRUTH_SOCIAL_POSTS = Table(
    name="social_posts",
    description="Per post / comment: label, evasion and business type.",
    primary_key=("platform", "post_id"),
    columns=(
        col("platform", S, "Platform.", allowed=PLATFORMS),
        col("post_id", S, "Post."),
        col("label", S, "Label.", allowed=POST_LABELS),
        opt("gang_id", S, "Gang."),
        col("evasion", B, "Whether evasion spellings were applied."),
        col("business_type", S, "Business the post is about.", allowed=BUSINESS_TYPES),
        col("contacts", S, "'|'-separated contact handles and numbers embedded (canonical form), empty if none."),
    ),
)

TRUTH_STAFF_OPERATIONS = Table(
    name="staff_operations",
    description="Per staff operation: anomaly type.",
    primary_key=("op_id",),
    columns=(
        col("op_id", S, "Operation."),
        col("anomaly", S, "Anomaly type.", allowed=OP_ANOMALIES),
    ),
)

TRUTH_COMPLAINT_CASES = Table(
    name="complaint_cases",
    description="Per complaint-handling case: process anomaly.",
    primary_key=("complaint_id",),
    columns=(
        col("complaint_id", S, "Complaint."),
        col("anomaly", S, "Process anomaly.", allowed=CASE_ANOMALIES),
    ),
)

TRUTH_TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        TRUTH_GANGS, TRUTH_CUSTOMERS, TRUTH_NUMBERS, TRUTH_CALLS, TRUTH_UTTERANCES, TRUTH_COMPLAINTS,
        TRUTH_SOCIAL_ACCOUNTS, TRUTH_SOCIAL_POSTS, TRUTH_STAFF_OPERATIONS, TRUTH_COMPLAINT_CASES,
    )
}

__all__ = ["TRUTH_TABLES", "Column"]
