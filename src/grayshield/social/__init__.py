"""Public-opinion monitoring: black/gray accounts on Douyin, Kuaishou, Weibo, Xiaohongshu and the like.

Importers (contract format, MediaCrawler, vendors) with de-duplication and item history; post and account
detection on the text engine; reach, region, business type and an editable priority score; report batches
with outcomes and effectiveness. See docs/social.md.
"""

from grayshield.social.history import Collected, collect, post_history
from grayshield.social.importers import IMPORTERS, Record, Rejection, import_path
from grayshield.social.model import AccountModel, latest_model, score_accounts
from grayshield.social.priority import PriorityConfig, load_priority, prioritise
from grayshield.social.reports import EXPORTERS, export_batches, report_items
from grayshield.social.stream import score_stream

__all__ = [
    "EXPORTERS",
    "IMPORTERS",
    "AccountModel",
    "Collected",
    "PriorityConfig",
    "Record",
    "Rejection",
    "collect",
    "export_batches",
    "import_path",
    "latest_model",
    "load_priority",
    "post_history",
    "prioritise",
    "report_items",
    "score_accounts",
    "score_stream",
]
