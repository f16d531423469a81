"""The card issuer's input tables, shaped like warehouse extracts (English snake_case).

Enumerations are closed: a value outside ``allowed`` is quarantined, so a new code in a bank's
extract is noticed rather than silently mis-modelled. Extend an enumeration here (and in the docs,
which are rendered from this module) when a bank's extract needs it.
"""

from __future__ import annotations

from grayshield.contract.model import Column, DType, Sensitivity, Table

S, INT, F, B, D, T, P, V = (
    DType.STRING, DType.INT, DType.FLOAT, DType.BOOL, DType.DATE, DType.TIMESTAMP, DType.PHONE, DType.FLOAT_LIST,
)
C2 = Sensitivity.C2
C1 = Sensitivity.C1


def col(name: str, dtype: DType, description: str, **kwargs: object) -> Column:
    return Column(name, dtype, description, **kwargs)  # type: ignore[arg-type]


def opt(name: str, dtype: DType, description: str, **kwargs: object) -> Column:
    """An optional, nullable column: may be absent from the file or empty in a row."""
    return Column(name, dtype, description, required=False, nullable=True, **kwargs)  # type: ignore[arg-type]


PLATFORMS = ("douyin", "kuaishou", "weibo", "xiaohongshu", "bilibili", "zhihu", "wechat_channels", "tieba", "other")
BUCKETS = ("M0", "M1", "M2", "M3", "M4", "M5", "M6+")

CUSTOMERS = Table(
    name="customers",
    description="Cardholders and their attributes as of the extract date (one row per customer).",
    grain="one row per customer",
    primary_key=("customer_id",),
    columns=(
        col("customer_id", S, "Bank-internal customer number (stable, not PII)."),
        col("name", S, "Full name.", sensitivity=C2),
        col("id_number", S, "Resident ID number (18 digits, GB 11643) or passport/permit number.", sensitivity=C2),
        col("gender", S, "Gender.", allowed=("M", "F", "U")),
        col("birth_date", D, "Date of birth."),
        col("province", S, "Province of residence (Chinese name, e.g. 广东省)."),
        col("city", S, "City of residence (e.g. 深圳市)."),
        opt("address", S, "Residential address.", sensitivity=C2),
        col("registered_phone", P, "Mobile number registered at onboarding.", sensitivity=C2),
        opt("occupation", S, "Occupation category.", allowed=(
            "employee", "civil_servant", "self_employed", "freelancer", "student", "retired", "unemployed", "other")),
        opt("annual_income", F, "Declared annual income in CNY.", min_value=0),
        opt("education", S, "Highest education.", allowed=("below_high_school", "high_school", "college", "bachelor",
                                                           "master_or_above", "unknown")),
        col("onboard_date", D, "Date the customer relationship started."),
        col("segment", S, "Customer segment.", allowed=("mass", "affluent", "vip", "private", "young", "senior")),
    ),
)

ACCOUNTS = Table(
    name="accounts",
    description="Credit-card accounts (one per card product held).",
    grain="one row per account",
    primary_key=("account_id",),
    foreign_keys={"customer_id": "customers.customer_id"},
    columns=(
        col("account_id", S, "Card account number, bank-internal."),
        col("customer_id", S, "Owner."),
        col("card_number", S, "Primary card number (PAN, 16-19 digits).", sensitivity=C2),
        col("product_code", S, "Card product code (e.g. STD01, GLD02, PLT01, COB03)."),
        col("card_level", S, "Card level.", allowed=("standard", "gold", "platinum", "diamond")),
        col("credit_limit", F, "Current credit limit in CNY.", min_value=0),
        col("application_date", D, "Application date."),
        col("open_date", D, "Approval and issue date."),
        opt("activation_date", D, "Activation date; empty if never activated."),
        col("acquisition_channel", S, "How the card was sold.", allowed=(
            "branch", "online", "partner", "telemarketing", "referral")),
        col("status", S, "Status at extract.", allowed=("active", "dormant", "blocked", "closed", "written_off")),
        opt("close_date", D, "Date closed or written off."),
    ),
)

STATEMENTS = Table(
    name="statements",
    description="Monthly statements per account.",
    grain="one row per account and statement date",
    primary_key=("account_id", "statement_date"),
    foreign_keys={"account_id": "accounts.account_id", "customer_id": "customers.customer_id"},
    partition_by="statement_date",
    columns=(
        col("account_id", S, "Account."),
        col("customer_id", S, "Owner."),
        col("statement_date", D, "Statement (billing cycle) date."),
        col("due_date", D, "Payment due date."),
        col("statement_balance", F, "New balance on the statement, CNY."),
        col("minimum_due", F, "Minimum payment due, CNY.", min_value=0),
        col("spend_amount", F, "Purchases in the cycle, CNY.", min_value=0),
        col("cash_advance_amount", F, "Cash advances in the cycle, CNY.", min_value=0),
        col("interest_charged", F, "Interest charged in the cycle, CNY.", min_value=0),
        col("fees_charged", F, "Fees charged in the cycle (late, over-limit, annual, cash), CNY.", min_value=0),
        col("paid_amount", F, "Total repaid in the cycle, CNY.", min_value=0),
        col("days_past_due", INT, "Days past due at the statement date.", min_value=0),
        col("delinquency_bucket", S, "Delinquency bucket at the statement date.", allowed=BUCKETS),
        col("credit_limit", F, "Credit limit at the statement date, CNY.", min_value=0),
    ),
)

REPAYMENTS = Table(
    name="repayments",
    description="Individual repayments received.",
    grain="one row per repayment",
    primary_key=("repayment_id",),
    foreign_keys={"account_id": "accounts.account_id"},
    partition_by="paid_time",
    columns=(
        col("repayment_id", S, "Repayment id."),
        col("account_id", S, "Account."),
        col("customer_id", S, "Owner."),
        col("paid_time", T, "When the repayment posted."),
        col("amount", F, "Amount, CNY.", min_value=0),
        col("channel", S, "Repayment channel.", allowed=(
            "auto_debit", "app", "bank_transfer", "third_party", "branch", "collection_agency")),
    ),
)

DELINQUENCY = Table(
    name="delinquency",
    description="Delinquency status snapshots (month end, or whenever the bucket changes).",
    grain="one row per account and snapshot date",
    primary_key=("account_id", "snapshot_date"),
    foreign_keys={"account_id": "accounts.account_id"},
    partition_by="snapshot_date",
    columns=(
        col("account_id", S, "Account."),
        col("customer_id", S, "Owner."),
        col("snapshot_date", D, "Snapshot date."),
        col("days_past_due", INT, "Days past due.", min_value=0),
        col("delinquency_bucket", S, "Bucket.", allowed=BUCKETS),
        col("overdue_amount", F, "Overdue principal, interest and fees, CNY.", min_value=0),
        col("collection_stage", S, "Where the account sits in collections.", allowed=(
            "none", "early_reminder", "internal_collection", "outsourced", "legal", "written_off")),
    ),
)

COLLECTION_ACTIONS = Table(
    name="collection_actions",
    description="Collection actions taken on delinquent accounts.",
    grain="one row per action",
    primary_key=("action_id",),
    foreign_keys={"account_id": "accounts.account_id"},
    partition_by="action_time",
    columns=(
        col("action_id", S, "Action id."),
        col("account_id", S, "Account."),
        col("customer_id", S, "Owner."),
        col("action_time", T, "When the action happened."),
        col("action_type", S, "Kind of action.", allowed=(
            "call", "sms", "letter", "email", "app_push", "outsourced_call", "visit", "legal_notice")),
        col("agency", S, "'internal' or the outsourced agency code."),
        opt("agent_id", S, "Staff or agency agent."),
        opt("call_id", S, "The call, when the action is a call in the calls table."),
        col("result", S, "Outcome.", allowed=(
            "no_answer", "promise_to_pay", "refused", "paid", "wrong_number", "third_party_answered",
            "dispute_raised", "delivered", "failed")),
        col("delinquency_bucket", S, "Bucket when the action was taken.", allowed=BUCKETS),
    ),
)

PRODUCT_EVENTS = Table(
    name="product_events",
    description="Product and service events: fees, interest, instalment plans, waivers, limit changes, blocks.",
    grain="one row per event",
    primary_key=("event_id",),
    foreign_keys={"account_id": "accounts.account_id"},
    partition_by="event_time",
    columns=(
        col("event_id", S, "Event id."),
        col("account_id", S, "Account."),
        col("customer_id", S, "Owner."),
        col("event_time", T, "When the event happened."),
        col("event_type", S, "Event type.", allowed=(
            "annual_fee", "late_fee", "overlimit_fee", "cash_advance_fee", "interest_charge", "instalment_plan",
            "negotiated_repayment_plan", "fee_waiver", "interest_waiver", "limit_increase", "limit_decrease",
            "card_block", "card_unblock", "card_closure", "card_replacement", "transaction_dispute",
            "service_failure", "activation", "product_upgrade", "points_redemption")),
        opt("amount", F, "Amount in CNY (fee, waiver, plan principal, new limit) where it applies."),
        opt("term_months", INT, "Instalment / repayment plan term.", min_value=1, max_value=120),
        col("initiated_by", S, "Who triggered it.", allowed=("customer", "bank", "system", "third_party")),
        col("channel", S, "Channel.", allowed=("app", "hotline", "branch", "system", "online", "mail")),
        opt("detail", S, "Free-text detail or reason code."),
    ),
)

CONTACT_CHANGES = Table(
    name="contact_changes",
    description="Changes of a customer's contact information.",
    grain="one row per change",
    primary_key=("change_id",),
    foreign_keys={"customer_id": "customers.customer_id"},
    partition_by="change_time",
    columns=(
        col("change_id", S, "Change id."),
        col("customer_id", S, "Customer."),
        col("change_time", T, "When the change was made."),
        col("field", S, "What changed.", allowed=(
            "mobile", "home_phone", "work_phone", "emergency_contact_phone", "address", "email")),
        opt("old_value", S, "Previous value.", sensitivity=C2),
        opt("new_value", S, "New value.", sensitivity=C2),
        col("channel", S, "Channel of the change.", allowed=("app", "hotline", "branch", "online", "collection")),
        col("verified", B, "Whether the change passed identity verification."),
        opt("staff_id", S, "Staff who processed it, if any."),
    ),
)

CALLS = Table(
    name="calls",
    description="Calls to and from the bank's call centres (service, collection, complaint lines).",
    grain="one row per call",
    primary_key=("call_id",),
    partition_by="start_time",
    columns=(
        col("call_id", S, "Call id."),
        opt("caller_number", P, "Calling number (inbound) — empty when withheld.", sensitivity=C2),
        col("called_line", S, "Bank line or number dialled (e.g. 95555, collection line code)."),
        col("direction", S, "Direction.", allowed=("inbound", "outbound")),
        col("start_time", T, "Call start."),
        col("duration_s", INT, "Duration in seconds.", min_value=0, max_value=86_400),
        opt("ivr_path", S, "IVR menu path, '>'-separated node codes."),
        opt("agent_id", S, "Agent who handled it; empty if IVR only."),
        opt("queue", S, "Queue / skill group.", allowed=(
            "general_service", "card_service", "collection", "complaint", "vip", "fraud", "ivr_only")),
        opt("claimed_customer_id", S, "Customer the caller claims to be or to call for."),
        opt("caller_relation", S, "Relation the caller declared.", allowed=(
            "self", "spouse", "parent", "child", "relative", "friend", "lawyer", "agency", "other", "unknown")),
        col("identity_verified", B, "Whether identity verification passed."),
        opt("customer_number", P, "For outbound calls: the customer number dialled.", sensitivity=C2),
    ),
)

CALL_UTTERANCES = Table(
    name="call_utterances",
    description="Speech-to-text transcripts: one row per utterance.",
    grain="one row per call and utterance sequence number",
    primary_key=("call_id", "seq"),
    foreign_keys={"call_id": "calls.call_id"},
    columns=(
        col("call_id", S, "Call."),
        col("seq", INT, "Utterance order in the call, from 0.", min_value=0),
        col("speaker", S, "Speaker role.", allowed=("agent", "caller", "ivr")),
        col("start_ms", INT, "Offset of the utterance start from call start, ms.", min_value=0),
        col("end_ms", INT, "Offset of the utterance end, ms.", min_value=0),
        col("text", S, "Transcribed text (may contain PII; stored masked downstream).", sensitivity=C2),
    ),
)

VOICEPRINTS = Table(
    name="voiceprints",
    description="Optional speaker embeddings exported by the bank's voiceprint system.",
    grain="one row per call side",
    primary_key=("call_id", "side"),
    foreign_keys={"call_id": "calls.call_id"},
    columns=(
        col("call_id", S, "Call."),
        col("side", S, "Which speaker.", allowed=("caller", "agent")),
        col("embedding", V, "Speaker embedding (fixed dimension per export, L2-normalisable).", sensitivity=C2),
        opt("model_version", S, "Voiceprint model that produced it."),
    ),
)

COMPLAINTS = Table(
    name="complaints",
    description="Complaints received on every channel, including regulator referrals.",
    grain="one row per complaint",
    primary_key=("complaint_id",),
    foreign_keys={"customer_id": "customers.customer_id"},
    partition_by="received_time",
    columns=(
        col("complaint_id", S, "Complaint id."),
        col("customer_id", S, "Customer the complaint is about."),
        col("received_time", T, "When received."),
        col("channel", S, "Channel.", allowed=(
            "hotline", "app", "branch", "email", "letter", "regulator", "social_media", "online_portal")),
        opt("regulator_ref", S, "Regulator referral reference, for regulator-forwarded complaints."),
        col("category", S, "Bank's category.", allowed=(
            "fees_interest", "collection", "service", "transaction_dispute", "negotiated_repayment",
            "credit_report", "product_terms", "marketing", "information_security", "other")),
        opt("demand", S, "What the complainant asks for.", allowed=(
            "negotiated_repayment", "fee_waiver", "interest_waiver", "stop_collection", "apology",
            "compensation", "credit_report_correction", "refund", "explanation", "other")),
        col("text", S, "Complaint text as received.", sensitivity=C2),
        opt("contact_phone", P, "Callback number given with the complaint.", sensitivity=C2),
        col("representative_type", S, "Who filed it.", allowed=(
            "self", "relative", "lawyer", "agency", "other")),
        opt("representative_name", S, "Declared representative's name.", sensitivity=C2),
        col("material_count", INT, "Number of attached materials.", min_value=0),
        opt("closed_time", T, "When closed."),
        opt("outcome", S, "Outcome.", allowed=(
            "pending", "resolved_customer_favour", "resolved_bank_favour", "partially_upheld", "withdrawn",
            "rejected_false_material")),
    ),
)

COMPLAINT_MATERIALS = Table(
    name="complaint_materials",
    description="Metadata of material attached to complaints (never the files themselves).",
    grain="one row per attachment",
    primary_key=("material_id",),
    foreign_keys={"complaint_id": "complaints.complaint_id"},
    columns=(
        col("material_id", S, "Attachment id."),
        col("complaint_id", S, "Complaint."),
        col("material_type", S, "What it claims to be.", allowed=(
            "hardship_certificate", "medical_record", "unemployment_proof", "id_copy", "power_of_attorney",
            "bank_statement", "chat_screenshot", "other")),
        col("file_name", S, "Original file name."),
        col("file_size", INT, "Bytes.", min_value=0),
        col("sha256", S, "Content hash (hex)."),
        opt("perceptual_hash", S, "64-bit perceptual hash (hex) of the first page / image."),
        opt("producer", S, "Producing software from file metadata."),
        opt("author", S, "Author field from file metadata."),
        opt("created_time", T, "Creation time from file metadata."),
    ),
)

COMPLAINT_EVENTS = Table(
    name="complaint_events",
    description="Complaint-handling event log (one row per step), for process monitoring.",
    grain="one row per event",
    primary_key=("event_id",),
    foreign_keys={"complaint_id": "complaints.complaint_id"},
    partition_by="event_time",
    columns=(
        col("event_id", S, "Event id."),
        col("complaint_id", S, "Complaint."),
        col("event_time", T, "When."),
        col("activity", S, "Step.", allowed=(
            "received", "registered", "identity_verified", "assigned", "investigated", "customer_contacted",
            "resolution_proposed", "supervisor_approved", "resolution_accepted", "closed", "reopened",
            "escalated_to_regulator")),
        opt("staff_id", S, "Who did it."),
    ),
)

SOCIAL_ACCOUNTS = Table(
    name="social_accounts",
    description="Social-media accounts as crawled or bought from a licensed vendor (one row per crawl).",
    grain="one row per platform, account and crawl time",
    primary_key=("platform", "account_id", "crawled_time"),
    partition_by="crawled_time",
    columns=(
        col("platform", S, "Platform.", allowed=PLATFORMS),
        col("account_id", S, "Platform's account id."),
        col("nickname", S, "Display name."),
        opt("bio", S, "Profile text."),
        opt("ip_location", S, "IP location shown by the platform (e.g. 广东)."),
        opt("profile_region", S, "Region stated in the profile."),
        col("followers", INT, "Followers.", min_value=0),
        opt("following", INT, "Following.", min_value=0),
        opt("posts_count", INT, "Posts.", min_value=0),
        opt("likes_total", INT, "Likes received in total.", min_value=0),
        col("verified", B, "Platform verification badge."),
        opt("account_type", S, "Declared type.", allowed=("personal", "enterprise", "media", "government", "unknown")),
        opt("url", S, "Profile URL."),
        col("crawled_time", T, "When crawled."),
    ),
)

SOCIAL_POSTS = Table(
    name="social_posts",
    description="Posts, videos and comments (one row per crawl, so engagement history is kept).",
    grain="one row per platform, post and crawl time",
    primary_key=("platform", "post_id", "crawled_time"),
    partition_by="posted_time",
    columns=(
        col("platform", S, "Platform.", allowed=PLATFORMS),
        col("post_id", S, "Platform's post / comment id."),
        col("account_id", S, "Author's account id."),
        col("post_type", S, "Kind.", allowed=("post", "video", "comment", "article")),
        opt("parent_post_id", S, "For comments: the post commented on."),
        opt("title", S, "Title (videos, articles)."),
        col("text", S, "Text / description / comment body."),
        col("posted_time", T, "Publication time."),
        opt("ip_location", S, "IP location shown with the post."),
        col("likes", INT, "Likes.", min_value=0),
        col("comments", INT, "Comments.", min_value=0),
        col("shares", INT, "Shares.", min_value=0),
        opt("views", INT, "Views / plays.", min_value=0),
        opt("collects", INT, "Favourites.", min_value=0),
        opt("url", S, "URL."),
        col("crawled_time", T, "When crawled."),
        opt("removed", B, "Whether the platform showed it as removed at crawl time."),
    ),
)

STAFF = Table(
    name="staff",
    description="Bank staff and outsourced agents known to the systems.",
    grain="one row per staff member",
    primary_key=("staff_id",),
    columns=(
        col("staff_id", S, "Staff id."),
        col("team", S, "Team code."),
        col("role", S, "Role.", allowed=(
            "service_agent", "collector", "complaint_handler", "supervisor", "back_office", "outsourced_agent")),
        col("site", S, "Work site code."),
        opt("shift", S, "Usual shift.", allowed=("day", "evening", "night", "flexible")),
        col("hire_date", D, "Hire date."),
    ),
)

STAFF_OPERATIONS = Table(
    name="staff_operations",
    description="Staff operation log: who did what to which customer, when, from where.",
    grain="one row per operation",
    primary_key=("op_id",),
    foreign_keys={"staff_id": "staff.staff_id"},
    partition_by="op_time",
    columns=(
        col("op_id", S, "Operation id."),
        col("staff_id", S, "Who."),
        col("op_time", T, "When."),
        col("operation", S, "What.", allowed=(
            "login", "customer_lookup", "view_card_details", "view_transactions", "identity_verification",
            "contact_change", "fee_waiver", "interest_waiver", "limit_change", "instalment_setup",
            "negotiated_plan_setup", "card_block", "export_customer_list", "complaint_update", "complaint_close",
            "note_added")),
        opt("customer_id", S, "Customer touched."),
        opt("account_id", S, "Account touched."),
        opt("call_id", S, "Call during which it happened."),
        opt("complaint_id", S, "Complaint it belongs to."),
        opt("amount", F, "Amount for waivers and limit changes, CNY."),
        col("terminal_ip", S, "Terminal IP address."),
        col("location", S, "Site or 'remote'."),
        opt("in_queue", B, "Whether the customer was in the staff member's work queue."),
    ),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        CUSTOMERS, ACCOUNTS, STATEMENTS, REPAYMENTS, DELINQUENCY, COLLECTION_ACTIONS, PRODUCT_EVENTS,
        CONTACT_CHANGES, CALLS, CALL_UTTERANCES, VOICEPRINTS, COMPLAINTS, COMPLAINT_MATERIALS, COMPLAINT_EVENTS,
        SOCIAL_ACCOUNTS, SOCIAL_POSTS, STAFF, STAFF_OPERATIONS,
    )
}
