"""Phone numbers to one canonical form: E.164 (``+8613812345678``) or a 5-6 digit service number (``95588``).

:func:`normalise_phone` is the authority (``phonenumbers``, Google's libphonenumber metadata) and is what the
caller engine reuses for single values. :func:`normalise_phone_array` gives the same answers for a whole
Arrow column: the common shapes (mainland mobiles in prefixes the metadata fully validates, service numbers)
are handled with vectorised regexes, and only the remaining distinct values go through ``phonenumbers``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

# Separators that bank extracts and customers put inside numbers, full-width brackets included.
_SEPARATORS = r"[\s\-()（）.]"
_SEPARATORS_RE = re.compile(_SEPARATORS)
# Service numbers (95588, 12315, 10086, 955xx6) are not E.164 numbers; they stay as dialled.
_SERVICE = r"[19]\d{4,5}"
_SERVICE_RE = re.compile(_SERVICE)


def is_service_number(number: str) -> bool:
    """A 5-6 digit service number (95528, 12315, 10086) as :func:`normalise_phone` leaves it: an institution's
    public line, shared by everyone who quotes it, so it identifies nobody."""
    return _SERVICE_RE.fullmatch(number) is not None


# 400/800 enterprise lines in canonical form: a company's switchboard number, never a person's phone.
_BUSINESS_LINE_RE = re.compile(r"\+86(?:400|800)\d{7}")


def is_business_line(number: str) -> bool:
    """A 400/800 enterprise line as :func:`normalise_phone` writes it (+86400…): a company's number, so several
    cardholders tied to it point to an agency working them, where a shared mobile may be a relative's."""
    return _BUSINESS_LINE_RE.fullmatch(number) is not None


def normalise_phone(text: str | None) -> str | None:
    """The canonical form of ``text``, or None when it is not a valid phone or service number."""
    import phonenumbers

    if text is None:
        return None
    cleaned = _SEPARATORS_RE.sub("", text.strip())
    if not cleaned:
        return None
    if _SERVICE_RE.fullmatch(cleaned):
        return cleaned
    try:
        number = phonenumbers.parse(cleaned, "CN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    formatted: str = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return formatted


@lru_cache(maxsize=1)
def _fully_valid_mobile_prefixes() -> tuple[str, ...]:
    """Four-digit mobile prefixes where every 11-digit number is valid per the metadata.

    Probing three numbers per prefix keeps this at ~2,000 ``phonenumbers`` calls, done once; a prefix whose
    validity depends on later digits (part of 144x, say) is left to the per-value path.
    """
    fast = []
    for prefix in range(1300, 2000):
        probes = (f"{prefix}{tail}" for tail in ("0000000", "5555555", "9999999"))
        if all(normalise_phone(p) == f"+86{p}" for p in probes):
            fast.append(str(prefix))
    return tuple(fast)


def normalise_phone_array(values: pa.Array) -> pa.Array:
    """Vectorised :func:`normalise_phone`: a string array of canonical numbers, null where not valid."""
    import pyarrow as pa
    import pyarrow.compute as pc

    values = values.cast(pa.string())
    fast_prefixes = pa.array(_fully_valid_mobile_prefixes())
    # Most extracts hold bare 11-digit mobiles: settle those with one regex and leave null for the rest,
    # which the kernels below then skip.
    bare = pc.and_(pc.match_substring_regex(values, r"^1\d{10}$"),
                   pc.is_in(pc.utf8_slice_codeunits(values, 0, 4), value_set=fast_prefixes))
    bare = pc.fill_null(bare, False)
    if pc.all(pc.or_(bare, pc.is_null(values))).as_py():
        return pc.if_else(bare, pc.binary_join_element_wise("+86", values, ""), pa.scalar(None, pa.string()))
    bare_numbers = pc.if_else(bare, pc.binary_join_element_wise("+86", values, ""), pa.scalar(None, pa.string()))
    values = pc.if_else(bare, pa.scalar(None, pa.string()), values)
    cleaned = pc.replace_substring_regex(pc.utf8_trim_whitespace(values), _SEPARATORS, "")
    national = pc.replace_substring_regex(cleaned, r"^(\+86|0086)", "")
    is_fast_mobile = pc.and_(
        pc.match_substring_regex(national, r"^1\d{10}$"),
        pc.is_in(pc.utf8_slice_codeunits(national, 0, 4), value_set=fast_prefixes),
    )
    is_service = pc.match_substring_regex(cleaned, f"^{_SERVICE}$")
    fast = pc.if_else(
        is_fast_mobile,
        pc.binary_join_element_wise("+86", national, ""),
        pc.if_else(is_service, cleaned, pa.scalar(None, pa.string())),
    )
    slow_mask = pc.and_(pc.is_null(fast), pc.invert(pc.equal(cleaned, "")))
    slow_mask = pc.fill_null(slow_mask, False)
    if pc.any(slow_mask).as_py():
        # Looping is confined to distinct leftovers (landlines, foreign numbers, garbage), usually a few.
        distinct = pc.unique(pc.filter(values, slow_mask))
        answers = pa.array([normalise_phone(v) for v in distinct.to_pylist()], pa.string())
        looked_up = pc.take(answers, pc.index_in(values, value_set=distinct))
        fast = pc.if_else(slow_mask, looked_up, fast)
    return pc.coalesce(bare_numbers, fast)
