"""Tags: what the platform and its analysts assert about numbers, customers, social accounts and devices.

A taxonomy of tag types, a service that proposes, reviews and expires tags with append-only history and an
audit entry per change, and CSV exchange of external lists.
"""

from grayshield.tags.csvio import ImportReport, export_csv, import_csv
from grayshield.tags.service import TagProposal, TagService, change_marker, normalise_subject
from grayshield.tags.taxonomy import SOURCES, STATES, SUBJECT_TYPES, TAG_TYPES, TagType, tag_type

__all__ = [
    "SOURCES",
    "STATES",
    "SUBJECT_TYPES",
    "TAG_TYPES",
    "ImportReport",
    "TagProposal",
    "TagService",
    "TagType",
    "change_marker",
    "export_csv",
    "import_csv",
    "normalise_subject",
    "tag_type",
]
