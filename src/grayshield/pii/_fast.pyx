# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""Native fast path of the PII scanner and masking (see ``grayshield/pii/native.py`` and docs/pii.md).

Every function here mirrors a Python function of the reference engine, named in its docstring; the reference is
the specification, and ``tests/pii/test_pii_native.py`` compares the two on the evaluation corpus. Character
sets of the lexicon become bit flags in a table indexed by code point, per-character scores become arrays, so a
candidate is judged with array reads instead of one-character strings and dictionary look-ups. Candidates are C
structs until the very end; a ``Hit`` is built only for what a scan returns or an operator needs.
"""

import re as _re
from datetime import date as _date

from libc.math cimport NAN, isnan
from libc.stdlib cimport free, malloc, qsort, realloc
from libc.string cimport memset

from grayshield.pii import entities as E
from grayshield.pii import masking as _masking
from grayshield.pii import names as _names
from grayshield.pii import recognisers as _recognisers
from grayshield.pii import validators as V
from grayshield.pii.entities import Hit
from grayshield.pii.lexicon import ORG_WORDS, STOP_CHARS
from grayshield.pii.operators import Mask
from grayshield.pii.recognisers import LexiconMatch, SimpleClassifier

cdef extern from *:
    """
    #ifndef GS_FAST_SOURCE_HASH
    #define GS_FAST_SOURCE_HASH "unknown"
    #endif
    """
    const char* GS_FAST_SOURCE_HASH

SOURCE_HASH = GS_FAST_SOURCE_HASH.decode("ascii")

cdef extern from "Python.h":
    int PyUnicode_KIND(object text)
    int PyUnicode_4BYTE_KIND
    object PyUnicode_FromKindAndData(int kind, const void* buffer, Py_ssize_t size)
    void* PyUnicode_DATA(object text)
    Py_UCS4 PyUnicode_READ(int kind, void* data, Py_ssize_t index)
    bint Py_UNICODE_ISALNUM(Py_UCS4 ch)
    bint Py_UNICODE_ISSPACE(Py_UCS4 ch)
    bint Py_UNICODE_ISDIGIT(Py_UCS4 ch)

# --- character flags ------------------------------------------------------------------------------------------

DEF TABLE = 65536  # the Basic Multilingual Plane: every character of every list below lies in it (checked)

cdef enum:
    F_SURNAME = 1 << 0          # lexicon.surnames
    F_SURNAME_FIRST = 1 << 1    # a surname or a compound surname's first character
    F_COMPOUND_FIRST = 1 << 2   # a compound surname's first character
    F_GIVEN = 1 << 3            # lexicon.given_chars
    F_NAME_STOP = 1 << 4        # STOP_CHARS - given_chars (lexicon.is_name_char)
    F_STOP = 1 << 5             # STOP_CHARS
    F_CLAUSE_START = 1 << 6     # recognisers._CLAUSE_START
    F_CUE_GAP = 1 << 7          # recognisers._CUE_GAP
    F_MEASURE = 1 << 8          # names.MEASURE_SURNAMES
    F_COUNTING = 1 << 9         # names._COUNTING
    F_DIGIT = 1 << 10           # names._DIGITS
    F_NUMERAL = 1 << 11         # names.NUMERALS
    F_CLEAR_AFTER = 1 << 12     # names._CLEAR_AFTER
    F_TITLE_FIRST = 1 << 15     # first character of a title (lexicon.name_after_strong)
    F_NOT_NAME_FIRST = 1 << 16  # first character of a listed non-name (lexicon.not_names)
    F_ORG_FIRST = 1 << 17       # first character of an organisation word (lexicon.ORG_WORDS)
    F_COMMON_ONE = 1 << 18      # a one-character common word
    F_CHINESE_NUMERAL = 1 << 19  # recognisers._CHINESE_NUMERAL (a digit spelled as a numeral)
    F_ADDRESS_GAP = 1 << 20     # what AddressRecogniser.find skips after an address cue
    F_VERB_FIRST = 1 << 21      # first character of an address change verb (改为)
    F_COMPOUND_SECOND = 1 << 22  # a compound surname's second character
    F_EMAIL_CHAR = 1 << 23      # EMAIL_REST's local-part class
    F_HEX = 1 << 24             # [0-9A-Fa-f]
    F_IP_BEFORE = 1 << 25       # IP_REST's look-behind class
    F_ASCII_ALNUM = 1 << 26     # [A-Za-z0-9]
    F_PLATE_LETTER = 1 << 27    # PLATE_REST's letter class
    F_NUMBER_BEFORE = 1 << 28   # recognisers.NUMBER_BEFORE
    F_LISTED_AFTER = 1 << 29    # recognisers.LISTED_AFTER
    F_BOUNDED_BEFORE = 1 << 30  # recognisers.BOUNDED_BEFORE and 的
    F_BOUNDED_AFTER = 1u << 31  # recognisers.BOUNDED_AFTER and 的

# A second table: first characters of the number rule's cue words, and the number pattern's classes.
cdef enum:
    G_ACCOUNT = 1 << 0    # recognisers.ACCOUNT_CUES
    G_PHONE = 1 << 1      # recognisers.PHONE_CUES
    G_ID = 1 << 2         # recognisers.ID_CUES
    G_CARD = 1 << 3       # recognisers.CARD_CUES
    G_PERMIT = 1 << 4     # recognisers.PERMIT_CUES
    G_DIGIT = 1 << 5      # recognisers._DIGIT_CHARS
    G_NEIGHBOUR = 1 << 6  # recognisers._DIGIT_NEIGHBOUR
    G_SEPARATOR = 1 << 7  # what may stand between the digits of a number: [ \-\u3000]
    G_CHECK = 1 << 8      # a trailing ID check character: [XxＸｘ]
    G_CJKN = 1 << 9       # recognisers._CJKN: what an address unit's name is made of
    G_UNIT_FIRST = 1 << 10  # first character of a generic unit (recognisers.ADMIN_UNITS)
    G_ROLE_END = 1 << 11  # recognisers.ROLE_ENDS
    G_LISTED_NUMBER = 1 << 12  # what a listed name's number starts with: [+0-9０-９]

# How the native pattern pass tries one alternative of the joined regex at a position: a built-in alternative
# is first checked against a condition its regex implies (a look-behind, the character after the first), so the
# compiled regex runs only where it can match; the cue-free name rule's pattern is matched here outright.
cdef enum:
    A_GENERIC = 0
    A_EMAIL = 1
    A_IP = 2
    A_LETTER_CODE = 3  # passport, permit
    A_PLATE = 4
    A_NUMBER = 5
    A_LISTED = 6
    A_BOUNDED = 7
    A_CONTEXT_NAME = 8

DEF MAX_ALTERNATIVES = 32

_BMP = "".join(map(chr, range(TABLE)))
_CLASS_MEMBERS = {}


def _members(str pattern):
    """The BMP characters a one-character regex matches (remembered: every scanner asks for the same ones)."""
    members = _CLASS_MEMBERS.get(pattern)
    if members is None:
        members = _CLASS_MEMBERS[pattern] = _re.findall(pattern, _BMP)
    return members


cdef int by_pos(const void* a, const void* b) noexcept nogil:
    cdef const Start* x = <const Start*>a
    cdef const Start* y = <const Start*>b
    if x.pos != y.pos:
        return -1 if x.pos < y.pos else 1
    return x.after_cue - y.after_cue

DEF PAIR_BITS = 20  # 2**20-bit filters of the first two characters of common words and of place names


cdef inline unsigned int pair_slot(Py_UCS4 a, Py_UCS4 b) noexcept:
    return ((<unsigned int>a * 0x9E3779B1u) ^ (<unsigned int>b * 0x85EBCA77u)) >> (32 - PAIR_BITS)


cdef inline bint pair_in(unsigned char* bits, Py_UCS4 a, Py_UCS4 b) noexcept:
    cdef unsigned int slot = pair_slot(a, b)
    return bits[slot >> 3] & (1 << (slot & 7))


cdef inline void pair_add(unsigned char* bits, Py_UCS4 a, Py_UCS4 b) noexcept:
    cdef unsigned int slot = pair_slot(a, b)
    bits[slot >> 3] |= 1 << (slot & 7)

# Rules the engine has built in (native.build_engine names them).
cdef enum:
    R_PYTHON = 0
    R_NUMBER = 1
    R_CONTEXT_NAME = 2
    R_PERSON_NAME = 3
    R_ADDRESS = 4
    R_SIMPLE = 5
    R_LISTED = 6
    R_BOUNDED = 7

# What a candidate's reason and recogniser are made of.
cdef enum:
    S_HIT = 0           # a Python Hit, kept in objs
    S_NUMBER = 1        # a number rule; code indexes NUMBER_REASONS
    S_CONTEXT = 2       # the cue-free name rule; score, left, right make the reason
    S_CUE = 3           # a cue name; objs holds (cue word, recogniser name)
    S_ADDRESS = 4       # an address; objs holds the recogniser's name
    S_FIXED = 5         # objs holds (recogniser, reason)
    S_SIMPLE = 6        # a SimpleClassifier's hit; objs holds the classifier

cdef struct Cand:
    Py_ssize_t start
    Py_ssize_t end
    Py_ssize_t seq
    double conf
    double score
    double left
    double right
    int entity
    int source
    Py_ssize_t obj

cdef struct CueMatch:
    Py_ssize_t start
    Py_ssize_t end
    int tag
    Py_ssize_t word


cdef int push_match(CueMatch** items, Py_ssize_t* count, Py_ssize_t* capacity, Py_ssize_t start, Py_ssize_t end,
                    int tag, Py_ssize_t word) except -1:
    """Append a dictionary match to a growable C array (doubled when full)."""
    cdef CueMatch* grown
    cdef CueMatch* m
    if count[0] == capacity[0]:
        grown = <CueMatch*>realloc(items[0], 2 * capacity[0] * sizeof(CueMatch))
        if grown == NULL:
            raise MemoryError()
        items[0], capacity[0] = grown, 2 * capacity[0]
    m = &items[0][count[0]]
    m.start, m.end, m.tag, m.word = start, end, tag, word
    count[0] += 1
    return 0

cdef struct Start:  # where AddressRecogniser.find tries an address
    Py_ssize_t pos
    int after_cue

cdef enum:
    T_ADMIN = 4
    T_CUE = 5

cdef enum:
    T_BEFORE = 0
    T_BEFORE_WEAK = 1
    T_STRONG = 2
    T_WEAK = 3

_new_match = tuple.__new__  # as scanner._new_match: LexiconMatch's own constructor is a Python function
_TAGS = {"before": T_BEFORE, "before_weak": T_BEFORE_WEAK, "strong": T_STRONG, "weak": T_WEAK}
_ADDRESS_TAGS = {"admin": T_ADMIN, "cue": T_CUE}
ADDRESS_REASON = "gazetteer units and street pattern"  # AddressRecogniser.find's
ADDRESS_TAIL = _recognisers.ADDRESS_TAIL
# module-level names for what the hot paths read (one dictionary look-up instead of two)
_LISTED_NAME, _BOUNDED_NAME = _recognisers.LISTED_NAME, _recognisers.BOUNDED_NAME
_plate_has_digit, _accept_any = _recognisers.plate_has_digit, _recognisers.accept_any
_ADMIN_UNITS, _normalise_digits = _recognisers.ADMIN_UNITS, V.normalise_digits
_CHANGE_VERBS = _recognisers._ADDRESS_CHANGE_VERBS
# recognisers.classify_number's reasons, in the order _number_hit uses them
NUMBER_REASONS = (
    "mobile numbering plan",
    "GB 11643 check digit and birth date",
    "digits after an account cue",
    "15-digit legacy ID: province code and birth date",
    "landline area code and length",
    "Luhn check digit and issuer prefix",
    "digits after a Taiwan permit cue",
)
_ACCOUNT, _PHONE_OR_ID, _ID = _recognisers._ACCOUNT, _recognisers._PHONE_OR_ID, _recognisers._ID
_PHONE, _CARD, _PERMIT = _recognisers._PHONE, _recognisers._CARD, _recognisers._PERMIT


cdef int[12] _MONTH_DAYS
_MONTH_DAYS[:] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
cdef int[10] _LUHN_DOUBLED
_LUHN_DOUBLED[:] = V._LUHN_DOUBLED


cdef inline Py_UCS4 _ch(str text, Py_ssize_t i) noexcept:
    """``_ch(text, i)`` for an index known to be in range: read from the buffer, no call, no bounds check."""
    return PyUnicode_READ(PyUnicode_KIND(text), PyUnicode_DATA(text), i)


cdef inline int _digit(str value, Py_ssize_t i) noexcept:
    cdef Py_UCS4 c = _ch(value, i)
    return <int>c - 48


cdef bint _ascii_digits(str value, Py_ssize_t a, Py_ssize_t b):
    cdef Py_ssize_t i
    for i in range(a, b):
        if not (48 <= _ch(value, i) <= 57):
            return False
    return True


cdef int _int(str digits, Py_ssize_t a, Py_ssize_t b):
    cdef int value = 0
    cdef Py_ssize_t i
    for i in range(a, b):
        value = value * 10 + _digit(digits, i)
    return value


cdef bint _luhn(str number):
    """``validators.luhn_ok`` (ISO/IEC 7812)."""
    cdef Py_ssize_t i, n = len(number)
    cdef int total = 0, digit
    if n == 0 or not _ascii_digits(number, 0, n):
        return False
    for i in range(n):
        digit = _digit(number, n - 1 - i)
        total += _LUHN_DOUBLED[digit] if i % 2 else digit
    return total % 10 == 0


cdef bint _card_bin(str number):
    """``validators.CARD_BIN`` on ASCII digits: UnionPay 62/60/9x, Visa 4, Mastercard 51-55 and 2221-2720, JCB 35."""
    cdef Py_ssize_t n = len(number)
    cdef int two = _int(number, 0, 2) if n >= 2 else -1
    cdef int four = _int(number, 0, 4) if n >= 4 else -1
    if n >= 1 and _ch(number, 0) == 52:  # 4
        return True
    if two == 62 or two == 60 or 90 <= two <= 99 or 51 <= two <= 55 or two == 35:
        return True
    return 2221 <= four <= 2720


cdef bint _isalnum_span(str text, Py_ssize_t a, Py_ssize_t b):
    """``text[a:b].isalnum()``."""
    cdef Py_ssize_t i
    if b <= a:
        return False
    for i in range(a, b):
        if not Py_UNICODE_ISALNUM(_ch(text, i)):
            return False
    return True


cdef bint _is_mobile(str number):
    """``validators.MOBILE`` (``1[3-9]`` and nine digits) on an 11-character normalised number."""
    cdef Py_ssize_t i
    if not (51 <= _ch(number, 1) <= 57):
        return False
    for i in range(2, 11):
        if not (48 <= _ch(number, i) <= 57):
            return False
    return True

cdef inline bint is_cjk(Py_UCS4 c) noexcept:
    return 0x4E00 <= c <= 0x9FFF


cdef inline unsigned long long _edge_key(Py_ssize_t node, Py_UCS4 c) noexcept:
    return ((<unsigned long long>node << 21) | <unsigned long long>c) + 1  # never 0: 0 marks an empty slot


cdef inline unsigned long long _edge_slot(unsigned long long key) noexcept:
    return (key * 0x9E3779B97F4A7C15ull) >> 20


cdef int by_start(const void* a, const void* b) noexcept nogil:
    cdef const Cand* x = <const Cand*>a
    cdef const Cand* y = <const Cand*>b
    if x.start != y.start:
        return -1 if x.start < y.start else 1
    return -1 if x.seq < y.seq else (1 if x.seq > y.seq else 0)


cdef class Engine:
    """One scanner's recognisers, compiled: ``scan`` is ``Scanner._scan``, ``mask`` is scan plus ``apply_hits``.

    A call keeps its candidates and output in buffers of the engine, so calls cannot overlap: one made while
    another runs (another thread, or a plug-in scanning from inside a scan, both possible since the engine calls
    Python code) gets None and the caller uses the Python reference for it.
    """

    cdef bint busy
    cdef unsigned int* flags
    cdef Py_UCS4* out  # the masked text being written (mask)
    cdef Py_ssize_t out_len, out_cap
    cdef unsigned int* alt_first
    cdef unsigned short* flags2
    cdef int n_alts
    cdef int[MAX_ALTERNATIVES] alt_kind
    cdef int[MAX_ALTERNATIVES] alt_group
    cdef list alt_regex, alt_first_regex
    cdef unsigned char* common_pairs
    cdef unsigned char* place_pairs
    cdef Py_ssize_t common_longest
    cdef bint common_empty
    cdef double clear, glued_, word, no_boundary, second_given, accept, needs, best_second
    cdef dict confidences
    cdef double* left_ev
    cdef double* right_ev
    cdef double* char_terms
    cdef double unseen
    cdef dict surname_terms
    cdef frozenset common, compounds, not_names_set
    cdef tuple titles, not_names, org_words
    cdef dict place_heads
    cdef frozenset place_set
    cdef dict nr_places
    cdef list nr_place_lengths
    cdef frozenset nr_place_heads
    cdef str name_left
    cdef object regex
    # Aho-Corasick automaton over code points (scanner.automaton_entries' words): children of the root in an
    # array, other edges in an open-addressing table keyed by (node, character)
    cdef int* ac_root
    cdef unsigned long long* ac_keys
    cdef int* ac_children
    cdef Py_ssize_t ac_mask
    cdef int* ac_fail
    cdef int* ac_out
    cdef int* ac_next_out
    cdef int* use_first       # per output: its uses are use_*[use_first[o]:use_first[o + 1]]
    cdef int* use_index       # context recogniser
    cdef int* use_tag         # a cue name tag (T_*), an address tag, or -1
    cdef int* use_length
    cdef list use_words, use_tags
    cdef bint has_words
    cdef int* rules
    cdef Py_ssize_t n_groups
    cdef list classifiers
    cdef list context, context_rules_py
    cdef int* context_rules
    cdef Py_ssize_t n_context
    cdef double threshold
    cdef dict entity_index
    cdef list entity_names
    cdef Cand* cands
    cdef Py_ssize_t n_cands, cap_cands
    cdef CueMatch* cues
    cdef Py_ssize_t n_cues, cap_cues
    cdef CueMatch* addr
    cdef Py_ssize_t n_addr, cap_addr
    cdef dict places, admin_places, lengths_by_first
    cdef list objs
    cdef int e_person, e_phone, e_id, e_account, e_card, e_permit, e_address
    cdef tuple latest_birth
    cdef bint[100] provinces
    cdef int[17] id_weights
    cdef str id_check

    def __cinit__(self):
        self.flags = <unsigned int*>malloc(TABLE * sizeof(unsigned int))
        self.alt_first = <unsigned int*>malloc(TABLE * sizeof(unsigned int))
        self.flags2 = <unsigned short*>malloc(TABLE * sizeof(unsigned short))
        self.left_ev = <double*>malloc(TABLE * sizeof(double))
        self.right_ev = <double*>malloc(TABLE * sizeof(double))
        self.char_terms = <double*>malloc(TABLE * sizeof(double))
        self.common_pairs = <unsigned char*>malloc(1 << (PAIR_BITS - 3))
        self.place_pairs = <unsigned char*>malloc(1 << (PAIR_BITS - 3))
        self.cap_cands = 256
        self.cands = <Cand*>malloc(self.cap_cands * sizeof(Cand))
        self.cap_cues = 256
        self.cues = <CueMatch*>malloc(self.cap_cues * sizeof(CueMatch))
        self.cap_addr = 256
        self.addr = <CueMatch*>malloc(self.cap_addr * sizeof(CueMatch))
        self.rules = NULL
        self.out = NULL
        self.out_len = self.out_cap = 0
        self.ac_root = self.ac_fail = self.ac_out = self.ac_next_out = self.ac_children = NULL
        self.use_first = self.use_index = self.use_tag = self.use_length = NULL
        self.ac_keys = NULL
        self.context_rules = NULL
        if not (self.flags and self.alt_first and self.flags2 and self.common_pairs and self.place_pairs and self.left_ev and self.right_ev and self.char_terms and self.cands and self.cues
                and self.addr):
            raise MemoryError()

    def __dealloc__(self):
        free(self.flags)
        free(self.out)
        free(self.alt_first)
        free(self.flags2)
        free(self.ac_root)
        free(self.ac_keys)
        free(self.ac_children)
        free(self.ac_fail)
        free(self.ac_out)
        free(self.ac_next_out)
        free(self.use_first)
        free(self.use_index)
        free(self.use_tag)
        free(self.use_length)
        free(self.common_pairs)
        free(self.place_pairs)
        free(self.left_ev)
        free(self.right_ev)
        free(self.char_terms)
        free(self.cands)
        free(self.cues)
        free(self.addr)
        free(self.rules)
        free(self.context_rules)

    def __init__(self, lexicon, patterns, pattern_rules, context, context_rules, regex, entries, threshold):
        cdef Py_ssize_t i
        self.threshold = threshold
        self.regex = regex
        self.entity_names = []
        self.entity_index = {}
        self.e_person = self._entity(E.PERSON_NAME)
        self.e_phone, self.e_id = self._entity(E.PHONE), self._entity(E.ID_CARD)
        self.e_account, self.e_card = self._entity(E.BANK_ACCOUNT), self._entity(E.BANK_CARD)
        self.e_permit, self.e_address = self._entity(E.TRAVEL_PERMIT), self._entity(E.ADDRESS)
        self._load_lexicon(lexicon)
        latest = V._LATEST_BIRTH
        self.latest_birth = (latest.year, latest.month, latest.day)
        if V._EARLIEST_BIRTH != _date(1900, 1, 1) or len(V._ID_WEIGHTS) != 17:
            raise ValueError("the validators changed: the native ID check no longer mirrors them")
        for i in range(100):
            self.provinces[i] = f"{i:02d}" in V.PROVINCE_CODES
        for i in range(17):
            self.id_weights[i] = V._ID_WEIGHTS[i]
        self.id_check = V._ID_CHECK
        # Regex groups: the scanner names alternative i ``r{i}``; the group number is what a match reports.
        self.n_groups = 1 + (regex.groups if regex is not None else 0)
        self.rules = <int*>malloc(self.n_groups * sizeof(int))
        self.classifiers = [None] * self.n_groups
        memset(self.rules, 0, self.n_groups * sizeof(int))
        for i, (pattern, rule) in enumerate(zip(patterns, pattern_rules)):
            group = regex.groupindex[f"r{i}"]
            self.classifiers[group] = pattern.classify
            self.rules[group] = {
                "number": R_NUMBER, "context_name": R_CONTEXT_NAME, "listed_name": R_LISTED, "bounded_name": R_BOUNDED
            }.get(rule, R_SIMPLE if type(pattern.classify) is SimpleClassifier else R_PYTHON)
        self._load_alternatives(patterns, pattern_rules)
        self.context = list(context)
        self.n_context = len(self.context)
        self.context_rules = <int*>malloc((self.n_context + 1) * sizeof(int))
        for i, rule in enumerate(context_rules):
            self.context_rules[i] = {"person_name": R_PERSON_NAME, "address": R_ADDRESS}.get(rule, R_PYTHON)
        self._load_automaton(entries)

    cdef _load_alternatives(self, patterns, pattern_rules):
        """The joined regex's alternatives for the native pattern pass (``n_alts`` 0: use ``finditer``)."""
        cdef int i, bit
        self.n_alts = 0
        self.alt_regex, self.alt_first_regex = [], []
        if self.regex is None or len(patterns) > MAX_ALTERNATIVES:
            return
        memset(self.alt_first, 0, TABLE * sizeof(unsigned int))
        shapes = {
            (_recognisers._ALNUM, _recognisers.EMAIL_REST): A_EMAIL,
            (_recognisers.IP_FIRST, _recognisers.IP_REST): A_IP,
            ("EG", _recognisers.PASSPORT_REST): A_LETTER_CODE,
            ("CWHMLT", _recognisers.PERMIT_REST): A_LETTER_CODE,
            (_recognisers.PLATE_FIRST, _recognisers.PLATE_REST): A_PLATE,
            (_recognisers.NUMBER_FIRST, _recognisers.NUMBER_REST): A_NUMBER,
        }
        marked = {"listed_name": A_LISTED, "bounded_name": A_BOUNDED, "context_name": A_CONTEXT_NAME}
        for i, (pattern, rule) in enumerate(zip(patterns, pattern_rules)):
            self.alt_kind[i] = marked.get(rule, shapes.get((pattern.first, pattern.rest), A_GENERIC))
            self.alt_group[i] = self.regex.groupindex[f"r{i}"]
            self.alt_regex.append(_re.compile(pattern.pattern))
            first = _re.compile(f"[{pattern.first}]")
            self.alt_first_regex.append(first)
            bit = 1 << i
            for c in _members(first.pattern):
                self.alt_first[ord(c)] |= bit
        self.n_alts = len(patterns)

    cdef _load_automaton(self, dict entries):
        """The automaton of ``scanner._build_automaton`` over characters instead of UTF-8 bytes: the same matches,
        reported in the same order (by end, then longest first along the failure links, as pyahocorasick)."""
        cdef Py_ssize_t nodes, i, capacity, slot
        cdef unsigned long long key
        self.has_words = bool(entries)
        children = [{}]
        out = [-1]
        outputs = []
        for word, uses in entries.items():
            node = 0
            for ch in word:
                child = children[node].get(ch)
                if child is None:
                    child = children[node][ch] = len(children)
                    children.append({})
                    out.append(-1)
                node = child
            if node:
                out[node] = len(outputs)
                outputs.append(uses)
        self._load_uses(outputs)
        nodes = len(children)
        fail = [0] * nodes
        next_out = [0] * nodes
        order = list(children[0].values())
        for node in order:  # breadth first: a node's failure link is shallower than the node
            for ch, child in children[node].items():
                target = fail[node]
                while target and ch not in children[target]:
                    target = fail[target]
                link = children[target].get(ch, 0) if node else 0
                fail[child] = link
                next_out[child] = link if out[link] >= 0 else next_out[link]
                order.append(child)
        self.ac_root = <int*>malloc(TABLE * sizeof(int))
        self.ac_fail = <int*>malloc(nodes * sizeof(int))
        self.ac_out = <int*>malloc(nodes * sizeof(int))
        self.ac_next_out = <int*>malloc(nodes * sizeof(int))
        capacity = 16
        while capacity < 2 * nodes:
            capacity *= 2
        self.ac_mask = capacity - 1
        self.ac_keys = <unsigned long long*>malloc(capacity * sizeof(unsigned long long))
        self.ac_children = <int*>malloc(capacity * sizeof(int))
        if not (self.ac_root and self.ac_fail and self.ac_out and self.ac_next_out and self.ac_keys
                and self.ac_children):
            raise MemoryError()
        memset(self.ac_root, 0, TABLE * sizeof(int))
        memset(self.ac_keys, 0, capacity * sizeof(unsigned long long))
        for i in range(nodes):
            self.ac_fail[i], self.ac_out[i], self.ac_next_out[i] = fail[i], out[i], next_out[i]
            for ch, child in children[i].items():
                if i == 0 and ord(ch) < TABLE:
                    self.ac_root[ord(ch)] = child
                    continue
                key = _edge_key(i, ord(ch))
                slot = _edge_slot(key) & self.ac_mask
                while self.ac_keys[slot]:
                    slot = (slot + 1) & self.ac_mask
                self.ac_keys[slot], self.ac_children[slot] = key, child

    cdef _load_uses(self, list outputs):
        """Each automaton output's uses (recogniser, tag, length) as C arrays; words and tags kept as objects."""
        cdef Py_ssize_t o, u = 0, total = sum(map(len, outputs))
        self.use_first = <int*>malloc((len(outputs) + 1) * sizeof(int))
        self.use_index = <int*>malloc((total + 1) * sizeof(int))
        self.use_tag = <int*>malloc((total + 1) * sizeof(int))
        self.use_length = <int*>malloc((total + 1) * sizeof(int))
        if not (self.use_first and self.use_index and self.use_tag and self.use_length):
            raise MemoryError()
        self.use_words, self.use_tags = [], []
        for o, uses in enumerate(outputs):
            self.use_first[o] = u
            for index, tag, word, length in uses:
                rule = self.context_rules[index]
                self.use_index[u], self.use_length[u] = index, length
                if rule == R_PERSON_NAME:
                    self.use_tag[u] = _TAGS[tag]  # NameRecogniser.words gives only the tags it handles
                elif rule == R_ADDRESS:
                    self.use_tag[u] = _ADDRESS_TAGS.get(tag, -1)  # AddressRecogniser.find ignores others
                else:
                    self.use_tag[u] = -1
                self.use_words.append(word)
                self.use_tags.append(tag)
                u += 1
        self.use_first[len(outputs)] = u

    cdef inline int _ac_child(self, int node, Py_UCS4 c) noexcept:
        """The child of ``node`` along ``c``, 0 when there is none (the root is nobody's child)."""
        cdef unsigned long long key
        cdef Py_ssize_t slot
        if node == 0 and c < TABLE:
            return self.ac_root[c]
        key = _edge_key(node, c)
        slot = _edge_slot(key) & self.ac_mask
        while self.ac_keys[slot]:
            if self.ac_keys[slot] == key:
                return self.ac_children[slot]
            slot = (slot + 1) & self.ac_mask
        return 0

    cdef _set_class(self, str body, unsigned int flag):
        """Flag every BMP character a regex character class ``[body]`` matches."""
        for c in _members(f"[{body}]"):
            self.flags[ord(c)] |= flag

    cdef int _entity(self, str name) except -1:
        index = self.entity_index.get(name)
        if index is None:
            index = self.entity_index[name] = len(self.entity_names)
            self.entity_names.append(name)
        return index

    cdef _set(self, chars, unsigned int flag):
        for c in chars:
            if ord(c) >= TABLE:
                raise ValueError(f"character outside the Basic Multilingual Plane in a PII list: {c!r}")
            self.flags[ord(c)] |= flag

    cdef _check_bmp(self, str word):
        for c in word:
            if ord(c) >= TABLE:
                raise ValueError(f"character outside the Basic Multilingual Plane in a PII list: {c!r}")

    cdef _fill(self, double* table, dict values):
        cdef Py_ssize_t i
        for i in range(TABLE):
            table[i] = NAN
        for c, v in values.items():
            if len(c) != 1 or ord(c) >= TABLE:
                raise ValueError(f"not one BMP character in a PII score table: {c!r}")
            table[ord(c)] = v

    cdef _load_lexicon(self, lexicon):
        memset(self.flags, 0, TABLE * sizeof(unsigned int))
        compounds = lexicon.compound_surnames
        self._set(lexicon.surnames, F_SURNAME | F_SURNAME_FIRST)
        self._set({c[0] for c in compounds}, F_SURNAME_FIRST | F_COMPOUND_FIRST)
        self._set({c[1] for c in compounds}, F_COMPOUND_SECOND)
        self._set_class("A-Za-z0-9._%+\\-", F_EMAIL_CHAR)
        self._set_class("0-9A-Fa-f", F_HEX)
        self._set_class("0-9A-Fa-f:.", F_IP_BEFORE)
        self._set_class("A-Za-z0-9", F_ASCII_ALNUM)
        self._set_class("A-HJ-NP-Z", F_PLATE_LETTER)
        self._set_class(_recognisers.NUMBER_BEFORE, F_NUMBER_BEFORE)
        self._set_class(_recognisers.LISTED_AFTER, F_LISTED_AFTER)
        self._set_class(_recognisers.BOUNDED_BEFORE + "的", F_BOUNDED_BEFORE)
        self._set_class(_recognisers.BOUNDED_AFTER + "的", F_BOUNDED_AFTER)
        memset(self.flags2, 0, TABLE * sizeof(unsigned short))
        for cues, bit in ((_recognisers.ACCOUNT_CUES, G_ACCOUNT), (_recognisers.PHONE_CUES, G_PHONE),
                          (_recognisers.ID_CUES, G_ID), (_recognisers.CARD_CUES, G_CARD),
                          (_recognisers.PERMIT_CUES, G_PERMIT)):
            for cue in cues:
                self._check_bmp(cue)
                self.flags2[ord(cue[0])] |= bit
        for body, bit in ((_recognisers._DIGIT_CHARS, G_DIGIT), (_recognisers._DIGIT_NEIGHBOUR, G_NEIGHBOUR),
                          (" \\-\u3000", G_SEPARATOR), ("XxＸｘ", G_CHECK), (_recognisers.ROLE_ENDS, G_ROLE_END),
                          ("+0-9０-９", G_LISTED_NUMBER)):
            for c in _members(f"[{body}]"):
                self.flags2[ord(c)] |= bit
        for c in _members(_recognisers._CJKN):
            self.flags2[ord(c)] |= G_CJKN
        for unit in _ADMIN_UNITS:
            self._check_bmp(unit)
            self.flags2[ord(unit[0])] |= G_UNIT_FIRST
        self._set(lexicon.given_chars, F_GIVEN)
        self._set(STOP_CHARS - lexicon.given_chars, F_NAME_STOP)
        self._set(STOP_CHARS, F_STOP)
        self._set(_recognisers._CLAUSE_START, F_CLAUSE_START)
        self._set(_recognisers._CUE_GAP, F_CUE_GAP)
        self._set(_names.MEASURE_SURNAMES, F_MEASURE)
        self._set(_names._COUNTING, F_COUNTING)
        self._set(_names._DIGITS, F_DIGIT)
        self._set(_names.NUMERALS, F_NUMERAL)
        self._set("零〇一二三四五六七八九幺两", F_CHINESE_NUMERAL)
        self._set("：: 是在\u3000", F_ADDRESS_GAP)
        self._set({v[0] for v in _CHANGE_VERBS}, F_VERB_FIRST)
        self.places = lexicon.places
        # masking's keep_admin reads the default gazetteer, whatever this scanner's lexicon (operators.py)
        parser = _recognisers._address_parser()
        self.admin_places, self.lengths_by_first = parser.lexicon.places, parser._lengths_by_first
        self._set(_names._CLEAR_AFTER, F_CLEAR_AFTER)
        places = frozenset(p for p in lexicon.places if len(p) > 1)
        scorer = _names.NameScorer(lexicon)
        self._fill(self.left_ev, scorer._left_evidence)
        self._fill(self.right_ev, scorer._right_evidence)
        self._fill(self.char_terms, scorer._char_terms)
        self.unseen = scorer._unseen
        # names: the bound on what a second given character can add, as the reference computes it
        self.best_second = max(0.0, scorer.best_char + _names.SECOND_GIVEN)
        self.surname_terms = dict(scorer._surname_terms)
        self.common = lexicon.common_words
        # common-word look-ups go through a filter on the first two characters: most slices are no word
        memset(self.common_pairs, 0, 1 << (PAIR_BITS - 3))
        memset(self.place_pairs, 0, 1 << (PAIR_BITS - 3))
        self.common_longest = max(map(len, self.common), default=0)
        self.common_empty = "" in self.common
        self._set({w for w in self.common if len(w) == 1}, F_COMMON_ONE)
        for w in self.common:
            if len(w) >= 2:
                self._check_bmp(w)
                pair_add(self.common_pairs, w[0], w[1])
        for w in places:
            self._check_bmp(w)
            pair_add(self.place_pairs, w[0], w[1])
        for words, flag in ((lexicon.name_after_strong, F_TITLE_FIRST), (lexicon.not_names, F_NOT_NAME_FIRST),
                            (ORG_WORDS, F_ORG_FIRST)):
            if not all(words):
                raise ValueError("an empty word in a PII word list")
            self._set({w[0] for w in words}, flag)
        self.clear, self.glued_ = _names.CLEAR_BOUNDARY, _names.GLUED
        self.word, self.no_boundary = _names.WORD_BOUNDARY, _names.NO_BOUNDARY
        self.second_given, self.accept, self.needs = _names.SECOND_GIVEN, _names.ACCEPT, _names._NEEDS
        self.confidences = {}
        self.compounds = frozenset(compounds)
        self.titles = tuple(lexicon.name_after_strong)
        self.not_names = tuple(lexicon.not_names)
        self.org_words = tuple(ORG_WORDS)
        self.name_left = _names.NAME_LEFT
        # context_name's touches_place
        self.place_set = places
        heads = {}
        for place in places:
            heads.setdefault(place[:2], set()).add(len(place))
        self.place_heads = {head: tuple(sorted(n)) for head, n in heads.items()}
        # NameRecogniser's _cuts_place
        self.nr_places = {w: len(w) for w in lexicon.places if len(w) > 1}
        self.nr_place_lengths = sorted({len(w) for w in self.nr_places}, reverse=True)
        self.nr_place_heads = frozenset(w[:2] for w in self.nr_places)

    # --- candidates -------------------------------------------------------------------------------------------

    cdef Cand* _new(self, Py_ssize_t start, Py_ssize_t end, int entity, double conf, int source) except NULL:
        cdef Cand* grown
        if self.n_cands == self.cap_cands:
            grown = <Cand*>realloc(self.cands, 2 * self.cap_cands * sizeof(Cand))
            if grown == NULL:
                raise MemoryError()
            self.cands, self.cap_cands = grown, 2 * self.cap_cands
        cdef Cand* c = &self.cands[self.n_cands]
        c.start, c.end, c.seq, c.entity, c.conf, c.source, c.obj = start, end, self.n_cands, entity, conf, source, -1
        self.n_cands += 1
        return c

    cdef _add_hits(self, hits):
        cdef Cand* c
        for hit in hits:
            c = self._new(hit[1], hit[2], self._entity(hit[0]), hit[4], S_HIT)
            c.obj = len(self.objs)
            self.objs.append(hit)

    cdef _hit(self, str text, Cand* c):
        """The ``Hit`` the reference builds for this candidate."""
        if c.source == S_HIT:
            return self.objs[c.obj]
        entity = self.entity_names[c.entity]
        value = text[c.start:c.end]
        if c.source == S_NUMBER:
            return Hit(entity, c.start, c.end, value, c.conf, "number", NUMBER_REASONS[c.obj])
        if c.source == S_CONTEXT:
            reason = _names.context_reason(c.score, c.left, c.right)
            return Hit(entity, c.start, c.end, value, c.conf, "context_name", reason)
        if c.source == S_FIXED:
            recogniser, reason = self.objs[c.obj]
            return Hit(entity, c.start, c.end, value, c.conf, recogniser, reason)
        if c.source == S_SIMPLE:
            classifier = self.objs[c.obj]
            return Hit(entity, c.start, c.end, value, c.conf, classifier.entity.lower(), classifier.reason)
        if c.source == S_ADDRESS:
            return Hit(entity, c.start, c.end, value, c.conf, self.objs[c.obj], ADDRESS_REASON)
        word, recogniser = self.objs[c.obj]
        return Hit(entity, c.start, c.end, value, c.conf, recogniser, f"cue {word}")

    # --- the scan ---------------------------------------------------------------------------------------------

    cdef Py_ssize_t _run(self, str text) except -1:
        """``Scanner._scan`` up to the overlap resolution; leaves the kept candidates first in ``cands``."""
        cdef Py_ssize_t start, end
        self.n_cands = 0
        self.n_cues = 0
        self.n_addr = 0
        self.objs = []
        if self.n_alts:
            self._patterns(text)
        elif self.regex is not None:
            for match in self.regex.finditer(text):
                start, end = match.span()
                self._classify(match.lastindex, text, start, end)
        if self.has_words and len(text):
            self._lexicon(text)
        return self._resolve()

    cdef _classify(self, Py_ssize_t group, str text, Py_ssize_t start, Py_ssize_t end):
        """What ``Scanner._scan`` does with one match of the joined regex."""
        cdef int rule = self.rules[group]
        if rule == R_CONTEXT_NAME:
            self._context_name(text, start, end)
        elif rule == R_NUMBER:
            self._number(text, start, end)
        elif rule == R_BOUNDED:
            self._bounded_name(text, start, end)
        elif rule == R_LISTED:
            self._fixed(start, end, self.e_person, 0.7, _LISTED_NAME)
        elif rule == R_SIMPLE:
            self._simple(self.classifiers[group], text, start, end)
        else:
            self._add_hits(self.classifiers[group](text, start, end))

    cdef _fixed(self, Py_ssize_t start, Py_ssize_t end, int entity, double conf, tuple recogniser_reason):
        cdef Cand* cand = self._new(start, end, entity, conf, S_FIXED)
        cand.obj = len(self.objs)
        self.objs.append(recogniser_reason)

    cdef _bounded_name(self, str text, Py_ssize_t start, Py_ssize_t end):
        """``bounded_name_recogniser``'s classify: after a role noun, 称/为 or 尊敬的 any candidate; elsewhere not
        an ordinary word, a word's head or a listed non-name."""
        cdef bint role_slot = start > 0 and (
            self._g(_ch(text, start - 1)) & G_ROLE_END
            or (start >= 3 and _ch(text, start - 3) == "尊" and _ch(text, start - 2) == "敬" and _ch(text, start - 1) == "的"))
        if not role_slot and (
                self._common(text, start, end)
                or (self._common(text, start, min(start + 2, end)) and text[start : start + 2] not in self.compounds)
                or (self._f(_ch(text, start)) & F_NOT_NAME_FIRST and text.startswith(self.not_names, start, end))):
            return
        self._fixed(start, end, self.e_person, 0.6, _BOUNDED_NAME)

    cdef _simple(self, classifier, str text, Py_ssize_t start, Py_ssize_t end):
        """``SimpleClassifier.__call__``: the check (digits of a plate natively), the veto, the cue boost."""
        cdef Py_ssize_t i
        cdef bint ok
        cdef double conf
        cdef Cand* cand
        check = classifier.check
        if check is _plate_has_digit:
            ok = False
            for i in range(start, end):
                if Py_UNICODE_ISDIGIT(_ch(text, i)):
                    ok = True
                    break
        else:
            ok = check is _accept_any or check(text[start:end])
        if not ok or (classifier.veto and _recognisers._has(classifier.veto, _recognisers._window(text, start, 6))):
            return
        conf = classifier.confidence
        if classifier.cues and _recognisers._has(classifier.cues, _recognisers._window(text, start)):
            conf = min(0.99, conf + 0.1)
        cand = self._new(start, end, self._entity(classifier.entity), conf, S_SIMPLE)
        cand.obj = len(self.objs)
        self.objs.append(classifier)

    cdef _patterns(self, str text):
        """``self.regex.finditer(text)``: at each position the first alternative that matches, then on from its
        end; alternatives whose first character class lacks the character are not tried."""
        cdef Py_ssize_t n = len(text), p = 0, end
        cdef int i
        cdef Py_UCS4 c
        cdef unsigned int bits
        while p < n:
            c = _ch(text, p)
            bits = self.alt_first[c] if c < TABLE else self._astral_bits(text, p)
            if bits == 0:
                p += 1
                continue
            end = -1
            for i in range(self.n_alts):
                if bits & (1u << i):
                    end = self._try(i, text, p)
                    if end >= 0:
                        break
            if end < 0:
                p += 1
                continue
            self._classify(self.alt_group[i], text, p, end)
            p = end

    cdef unsigned int _astral_bits(self, str text, Py_ssize_t p) except? 0:
        cdef unsigned int bits = 0
        cdef int i
        for i in range(self.n_alts):
            if self.alt_first_regex[i].match(text, p) is not None:
                bits |= 1u << i
        return bits

    cdef Py_ssize_t _try(self, int i, str text, Py_ssize_t p) except -2:
        """Where alternative ``i`` matched at ``p`` ends, or -1."""
        cdef int kind = self.alt_kind[i]
        cdef Py_ssize_t n = len(text), k
        cdef Py_UCS4 before = _ch(text, p - 1) if p > 0 else 0
        if kind == A_CONTEXT_NAME:
            return self._match_context_name(text, p)
        if kind == A_EMAIL:  # not after a local-part character; "@" after the run of them
            if p > 0 and self._f(before) & F_EMAIL_CHAR:
                return -1
            k = p + 1
            while k < n and self._f(_ch(text, k)) & F_EMAIL_CHAR:
                k += 1
            if k >= n or _ch(text, k) != "@":
                return -1
        elif kind == A_IP:  # not after hex, ":" or "."; "." or ":" after at most three more hex digits
            if p > 0 and self._f(before) & F_IP_BEFORE:
                return -1
            k = p + 1
            while k < n and k < p + 4 and self._f(_ch(text, k)) & F_HEX:
                k += 1
            if k >= n or (_ch(text, k) != "." and _ch(text, k) != ":"):
                return -1
        elif kind == A_LETTER_CODE:  # not after a letter or digit; a digit or capital next
            if p > 0 and self._f(before) & F_ASCII_ALNUM:
                return -1
            if p + 1 >= n or not (self._f(_ch(text, p + 1)) & F_ASCII_ALNUM) or 97 <= _ch(text, p + 1) <= 122:
                return -1
        elif kind == A_PLATE:  # the letter right after the province character
            if p + 1 >= n or not (self._f(_ch(text, p + 1)) & F_PLATE_LETTER):
                return -1
        elif kind == A_NUMBER:
            if p > 0 and self._f(before) & F_NUMBER_BEFORE:
                return -1
            return self._match_number(text, p)
        elif kind == A_LISTED or kind == A_BOUNDED:
            return self._match_name_shape(text, p, kind == A_LISTED)
        match = self.alt_regex[i].match(text, p)
        return -1 if match is None else match.end()

    cdef inline unsigned short _g(self, Py_UCS4 c) noexcept:
        return self.flags2[c] if c < TABLE else 0

    cdef Py_ssize_t _match_number(self, str text, Py_ssize_t p):
        """The rest of ``recognisers.NUMBER_REST`` after its look-behind: ``+86`` and a digit, or a digit; then
        6 to 27 digits each after an optional separator; an optional check letter; no digit or letter after.
        Each unit is deterministic, so backtracking only gives back whole units from the end, as here."""
        cdef Py_ssize_t n = len(text), q, k, e
        cdef Py_ssize_t[27] ends
        cdef int units = 0
        if _ch(text, p) == "+":
            if not (p + 3 < n and _ch(text, p + 1) == "8" and _ch(text, p + 2) == "6"):
                return -1
            q = p + 3
            if (_ch(text, q) == " " or _ch(text, q) == "-") and q + 1 < n and self._g(_ch(text, q + 1)) & G_DIGIT:  # [ \-]?
                q += 2
            elif self._g(_ch(text, q)) & G_DIGIT:
                q += 1
            else:
                return -1
        elif self._g(_ch(text, p)) & G_DIGIT:
            q = p + 1
        else:
            return -1
        while units < 27 and q < n:
            if self._g(_ch(text, q)) & G_SEPARATOR and q + 1 < n and self._g(_ch(text, q + 1)) & G_DIGIT:
                q += 2
            elif self._g(_ch(text, q)) & G_DIGIT:
                q += 1
            else:
                break
            ends[units] = q
            units += 1
        for k in range(units, 5, -1):
            e = ends[k - 1]
            if e < n and self._g(_ch(text, e)) & G_CHECK and (e + 1 >= n or not (self._g(_ch(text, e + 1)) & G_NEIGHBOUR)):
                return e + 1
            if e >= n or not (self._g(_ch(text, e)) & G_NEIGHBOUR):
                return e
        return -1

    cdef bint _cue(self, str text, Py_ssize_t w, Py_ssize_t start, unsigned short bits, regex) except -1:
        """``regex.search(text[w:start])`` for a cue regex, asked only when a cue's first character is there."""
        cdef Py_ssize_t i
        for i in range(w, start):
            if self._g(_ch(text, i)) & bits:
                return regex.search(text[w:start]) is not None
        return False

    cdef Py_ssize_t _match_name_shape(self, str text, Py_ssize_t p, bint listed):
        """The listed or bounded name rule's pattern after its first character: the look-behinds, a compound
        surname (tried first) or a single one, one or two listed given characters (two tried first), then
        the rule's look-ahead. Backtracking order as the regex engine's."""
        cdef Py_ssize_t n = len(text), s_end, option
        cdef Py_UCS4 before
        if p > 0:
            before = _ch(text, p - 1)
            if listed and is_cjk(before):
                return -1
            if not listed:
                if not (self._f(before) & F_BOUNDED_BEFORE):
                    return -1
                if before == "的" and not (p >= 3 and _ch(text, p - 3) == "尊" and _ch(text, p - 2) == "敬"):
                    return -1
        for option in range(2, 0, -1):
            if option == 2:
                if not (p + 1 < n and self._f(_ch(text, p + 1)) & F_COMPOUND_SECOND and text[p : p + 2] in self.compounds):
                    continue
            elif not (self._f(_ch(text, p)) & F_SURNAME):
                continue
            s_end = p + option
            if s_end < n and self._f(_ch(text, s_end)) & F_GIVEN:
                if s_end + 1 < n and self._f(_ch(text, s_end + 1)) & F_GIVEN and self._name_end(text, s_end + 2, listed):
                    return s_end + 2
                if self._name_end(text, s_end + 1, listed):
                    return s_end + 1
        return -1

    cdef bint _name_end(self, str text, Py_ssize_t k, bint listed):
        """The look-ahead of the listed rule (a separator, spaces, a number) or of the bounded one (a boundary,
        的 or the end)."""
        cdef Py_ssize_t n = len(text)
        if not listed:
            return k >= n or self._f(_ch(text, k)) & F_BOUNDED_AFTER
        if k >= n or not (self._f(_ch(text, k)) & F_LISTED_AFTER):
            return False
        k += 1
        while k < n and Py_UNICODE_ISSPACE(_ch(text, k)):
            k += 1
        return k < n and self._g(_ch(text, k)) & G_LISTED_NUMBER

    cdef Py_ssize_t _generic_admin(self, str text, Py_ssize_t pos) except -2:
        """``GENERIC_ADMIN.match(text, pos).end()`` or -1: one to five name characters (fewest first), a unit."""
        cdef Py_ssize_t n = len(text), q
        for q in range(pos + 1, pos + 6):
            if q > n or not (self._g(_ch(text, q - 1)) & G_CJKN):
                return -1
            if q < n and self._g(_ch(text, q)) & G_UNIT_FIRST:
                for unit in _ADMIN_UNITS:
                    if text.startswith(unit, q):
                        return q + len(unit)
        return -1

    cdef Py_ssize_t _match_context_name(self, str text, Py_ssize_t p):
        """The cue-free name rule's pattern (names.context_name_recogniser): a compound surname (tried first) or
        a single one, followed by a CJK character that is no function word."""
        cdef Py_ssize_t n = len(text)
        if (p + 1 < n and self._f(_ch(text, p + 1)) & F_COMPOUND_SECOND and text[p : p + 2] in self.compounds
                and p + 2 < n and self._name_char(_ch(text, p + 2))):
            return p + 2
        if self._f(_ch(text, p)) & F_SURNAME and p + 1 < n and self._name_char(_ch(text, p + 1)):
            return p + 1
        return -1

    cdef _lexicon(self, str text):
        """``scanner._lexicon_matches`` and each context recogniser's ``find``, in the scanner's order."""
        cdef Py_ssize_t n = len(text), i, end, length, index
        cdef int rule, state = 0, child = 0, node
        cdef Py_UCS4 c
        python_matches = [[] for _ in range(self.n_context)]
        for i in range(n):
            c = _ch(text, i)
            if 0xD800 <= c <= 0xDFFF:  # a lone surrogate: the reference's UTF-8 encoding fails, so must this
                text.encode("utf-8")
            while True:
                child = self._ac_child(state, c)
                if child or state == 0:
                    break
                state = self.ac_fail[state]
            state = child
            node = state if self.ac_out[state] >= 0 else self.ac_next_out[state]
            end = i + 1
            while node:
                for u in range(self.use_first[self.ac_out[node]], self.use_first[self.ac_out[node] + 1]):
                    index = self.use_index[u]
                    rule = self.context_rules[index]
                    length = self.use_length[u]
                    if rule == R_PERSON_NAME:
                        push_match(&self.cues, &self.n_cues, &self.cap_cues, end - length, end, self.use_tag[u], u)
                    elif rule == R_ADDRESS:
                        if self.use_tag[u] < 0:
                            continue
                        push_match(&self.addr, &self.n_addr, &self.cap_addr, end - length, end, self.use_tag[u], u)
                    else:
                        python_matches[index].append(
                            _new_match(LexiconMatch, (end - length, end, self.use_tags[u], self.use_words[u])))
                node = self.ac_next_out[node]
        for i in range(self.n_context):
            if self.context_rules[i] == R_PERSON_NAME:
                if self.n_cues:
                    self._person_names(text, self.context[i].name)
            elif self.context_rules[i] == R_ADDRESS:
                if self.n_addr:
                    self._addresses(text, self.context[i].name)
            elif python_matches[i]:
                self._add_hits(self.context[i].find(text, python_matches[i]))

    cdef Py_ssize_t _resolve(self) except -1:
        """Threshold, then ``scanner.resolve_overlaps``; returns how many candidates are kept (moved first)."""
        cdef Py_ssize_t n = 0, i, j, kept = 0, first, cluster_end
        for i in range(self.n_cands):
            if self.cands[i].conf >= self.threshold:
                self.cands[n] = self.cands[i]
                n += 1
        if n == 0:
            return 0
        qsort(self.cands, n, sizeof(Cand), by_start)
        first, cluster_end = 0, self.cands[0].end
        for i in range(1, n + 1):
            if i == n or self.cands[i].start >= cluster_end:
                kept = self._resolve_cluster(first, i, kept)
                if i < n:
                    first, cluster_end = i, self.cands[i].end
            elif self.cands[i].end > cluster_end:
                cluster_end = self.cands[i].end
        return kept

    cdef Py_ssize_t _resolve_cluster(self, Py_ssize_t first, Py_ssize_t stop, Py_ssize_t kept) except -1:
        """``scanner._resolve_cluster`` on ``cands[first:stop]`` (sorted by start); appends at ``kept``."""
        cdef Py_ssize_t size = stop - first, i, j, k, pos, n_kept
        cdef Cand a, b
        cdef Py_ssize_t* order
        cdef Py_ssize_t* chosen
        cdef Cand* picked
        if size == 1:
            self.cands[kept] = self.cands[first]
            return kept + 1
        if size == 2:
            a, b = self.cands[first], self.cands[first + 1]
            if a.start < a.end and b.start < b.end:
                # _rank: (-confidence, start - end, start), smaller is better
                if (-a.conf < -b.conf or (-a.conf == -b.conf and (a.start - a.end < b.start - b.end or (
                        a.start - a.end == b.start - b.end and a.start <= b.start)))):
                    self.cands[kept] = a
                else:
                    self.cands[kept] = b
                return kept + 1
        order = <Py_ssize_t*>malloc(2 * size * sizeof(Py_ssize_t) + size * sizeof(Cand))
        if order == NULL:
            raise MemoryError()
        chosen = order + size
        picked = <Cand*>(order + 2 * size)
        try:
            for i in range(size):  # stable insertion sort by (-confidence, -(length), start)
                j = i
                while j > 0 and self._ranks_before(first + i, order[j - 1]):
                    order[j] = order[j - 1]
                    j -= 1
                order[j] = first + i
            n_kept = 0  # chosen: indices sorted by start, non-overlapping
            for i in range(size):
                a = self.cands[order[i]]
                pos = 0  # bisect_left on the kept starts
                while pos < n_kept and self.cands[chosen[pos]].start < a.start:
                    pos += 1
                if pos > 0 and self.cands[chosen[pos - 1]].end > a.start:
                    continue
                if pos < n_kept and self.cands[chosen[pos]].start < a.end:
                    continue
                for k in range(n_kept, pos, -1):
                    chosen[k] = chosen[k - 1]
                chosen[pos] = order[i]
                n_kept += 1
            # the output (from kept, which is <= first) may overwrite the cluster: copy out first
            for k in range(n_kept):
                picked[k] = self.cands[chosen[k]]
            for k in range(n_kept):
                self.cands[kept + k] = picked[k]
            return kept + n_kept
        finally:
            free(order)

    cdef bint _ranks_before(self, Py_ssize_t x, Py_ssize_t y) noexcept:
        cdef Cand* a = &self.cands[x]
        cdef Cand* b = &self.cands[y]
        if -a.conf != -b.conf:
            return -a.conf < -b.conf
        if a.end - a.start != b.end - b.start:
            return -(a.end - a.start) < -(b.end - b.start)
        return a.start < b.start

    # --- numbers (recognisers.classify_numbers / _number_hit) -------------------------------------------------

    cdef _number(self, str text, Py_ssize_t start, Py_ssize_t end):
        """``classify_numbers``: the whole digit run typed here (``_number_hit``); a run that is no number as a
        whole (numerals at its edges, numbers side by side) goes to ``classify_numbers`` itself."""
        cdef Py_ssize_t i
        cdef Py_UCS4 c
        cdef bint plain = True, spelled = False
        for i in range(start, end):
            c = _ch(text, i)
            if not (48 <= c <= 57):
                plain = False
                if self._f(c) & F_CHINESE_NUMERAL:
                    spelled = True
        # A run of ASCII digits that is no number as a whole holds none (number_parts finds one chunk, untrimmed)
        if not self._number_hit(text, start, end, plain, spelled) and not plain:
            self._add_hits(_recognisers.number_parts(text, start, end))

    cdef bint _number_hit(self, str text, Py_ssize_t start, Py_ssize_t end, bint plain, bint spelled) except -1:
        """``_number_hit`` then ``classify_number``; whether a candidate was added."""
        cdef Py_ssize_t length, w, i
        cdef Py_UCS4 head
        cdef Cand* cand
        cdef bint card, has_bin
        cdef str raw = text[start:end], number
        number = raw if plain else _normalise_digits(raw)
        length = len(number)
        if length == 0:
            return False
        head = _ch(number, 0)
        w = start - 12 if start >= 12 else 0  # recognisers._window: 12 characters back, never past a NUL
        for i in range(start - 1, w - 1, -1):
            if _ch(text, i) == 0:
                w = i + 1
                break
        if (length == 11 and head == 49 and _is_mobile(number)) or (
                13 <= length <= 15 and (head == 48 or head == 56) and V.MOBILE.match(V.strip_country_code(number))):
            return self._number_cand(start, end, self.e_phone, 0.85 if spelled else 0.95, 0)
        if length == 18 and self._resident_id(number):
            return self._number_cand(start, end, self.e_id, 0.99, 1)
        card = 16 <= length <= 19 and _luhn(number)
        has_bin = card and _card_bin(number)
        if 10 <= length <= 25:
            if (self._cue(text, w, start, G_ACCOUNT, _ACCOUNT)
                    and not self._cue(text, w, start, G_PHONE | G_ID, _PHONE_OR_ID)):
                if number.isdigit() and not has_bin:
                    return self._number_cand(start, end, self.e_account, 0.8, 2)
        if length == 15 and self._legacy_id(number):
            return self._number_cand(
                start, end, self.e_id, 0.95 if self._cue(text, w, start, G_ID, _ID) else 0.7, 3)
        if 10 <= length <= 12 and head == 48 and V.LANDLINE.match(number):
            return self._number_cand(
                start, end, self.e_phone, 0.85 if self._cue(text, w, start, G_PHONE, _PHONE) else 0.7, 4)
        if card and (has_bin or self._cue(text, w, start, G_CARD, _CARD)):
            return self._number_cand(start, end, self.e_card, 0.95 if has_bin else 0.85, 5)
        if (length == 8 or length == 10) and self._cue(text, w, start, G_PERMIT, _PERMIT):
            return self._number_cand(start, end, self.e_permit, 0.8, 6)
        return False

    # --- validators (validators.py: GB 11643, Luhn, issuer prefixes) on ASCII digit strings ---------------------

    cdef bint _birth_date(self, int year, int month, int day) noexcept:
        """``validators._valid_date``: a real calendar date from 1900-01-01 to the reference's today."""
        cdef int days
        if not (1 <= month <= 12 and 1 <= day <= 31) or not 1 <= year <= 9999:
            return False
        days = _MONTH_DAYS[month - 1]
        if month == 2 and (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)):
            days = 29
        if day > days:
            return False
        if year < 1900:
            return False
        return (year, month, day) <= self.latest_birth

    cdef bint _resident_id(self, str number) except -1:
        """``validators.is_resident_id``."""
        cdef Py_ssize_t i
        cdef long weighted = 0
        if len(number) != 18:
            return False
        if not _ascii_digits(number, 0, 17):  # other Unicode digits: the reference decides
            return V.is_resident_id(number)
        if not self.provinces[_int(number, 0, 2)]:
            return False
        if not self._birth_date(_int(number, 6, 10), _int(number, 10, 12), _int(number, 12, 14)):
            return False
        for i in range(17):
            weighted += _digit(number, i) * self.id_weights[i]
        return self.id_check[weighted % 11] == _ch(number, 17)

    cdef bint _legacy_id(self, str number) except -1:
        """``validators.is_legacy_resident_id``."""
        if len(number) != 15:
            return False
        if not _ascii_digits(number, 0, 15):
            return V.is_legacy_resident_id(number)
        if not self.provinces[_int(number, 0, 2)]:
            return False
        return self._birth_date(1900 + _int(number, 6, 8), _int(number, 8, 10), _int(number, 10, 12))

    cdef bint _number_cand(self, Py_ssize_t start, Py_ssize_t end, int entity, double conf, int reason) except -1:
        cdef Cand* cand = self._new(start, end, entity, conf, S_NUMBER)
        cand.obj = reason
        return True

    # --- the cue-free name rule (names.context_name_recogniser, NameScorer) -----------------------------------

    cdef inline unsigned int _f(self, Py_UCS4 c) noexcept:
        return self.flags[c] if c < TABLE else 0

    cdef inline bint _name_char(self, Py_UCS4 c) noexcept:
        return is_cjk(c) and not (self.flags[c] & F_NAME_STOP)

    cdef inline double _given(self, Py_UCS4 c) noexcept:
        cdef double v = self.char_terms[c] if c < TABLE else NAN
        return self.unseen if isnan(v) else v

    cdef bint _common(self, str text, Py_ssize_t a, Py_ssize_t b) except -1:
        """``text[a:b] in lexicon.common_words`` (a >= 0), asking the set only when the filter lets it through."""
        cdef Py_ssize_t n = len(text)
        cdef Py_UCS4 first, second
        if b > n:
            b = n
        if b <= a:
            return self.common_empty
        if b - a == 1:
            return self._f(_ch(text, a)) & F_COMMON_ONE
        if b - a > self.common_longest:
            return False
        first, second = _ch(text, a), _ch(text, a + 1)
        if first >= TABLE or second >= TABLE or not pair_in(self.common_pairs, first, second):
            return False
        return text[a:b] in self.common

    cdef bint _starts(self, str text, tuple words, Py_ssize_t pos, unsigned int flag) except -1:
        """``text.startswith(words, pos)``, asked only when the character there can start one of ``words``."""
        if pos < len(text) and not (self._f(_ch(text, pos)) & flag):
            return False
        return text.startswith(words, pos)

    cdef double _confidence(self, double score) except -1:
        """``names.context_confidence``, remembered per score (scores take few distinct values)."""
        value = self.confidences.get(score)
        if value is None:
            value = self.confidences[score] = _names.context_confidence(score)
        return value

    cdef bint _ends_word(self, str text, Py_ssize_t start):
        return start > 0 and (self._common(text, start - 1, start + 1)
                              or (start > 1 and self._common(text, start - 2, start + 1)))

    cdef double _left(self, str text, Py_ssize_t start):
        cdef Py_UCS4 before
        cdef double glued, evidence
        if start == 0:
            return self.clear
        before = _ch(text, start - 1)
        if not is_cjk(before):
            return self.clear
        glued = self.glued_ if self._ends_word(text, start) else 0.0
        evidence = self.left_ev[before]
        if isnan(evidence) and start > 1:
            if (self._common(text, start - 2, start)
                    or self._common(text, start - 3 if start >= 3 else 0, start)
                    or self._f(_ch(text, start - 2)) & F_DIGIT):
                evidence = self.word
        if not isnan(evidence):
            return glued + evidence
        return glued if glued != 0.0 else self.no_boundary

    cdef double _right(self, str text, Py_ssize_t stop):
        cdef Py_UCS4 after
        cdef double glued, evidence
        if stop >= len(text):
            return self.clear
        after = _ch(text, stop)
        if not is_cjk(after):
            return self.clear
        glued = self.glued_ if self._common(text, stop - 1, stop + 1) else 0.0
        evidence = self.right_ev[after]
        if isnan(evidence) and (self._common(text, stop, stop + 2) or self._common(text, stop, stop + 3)):
            evidence = self.word
        if not isnan(evidence):
            return glued + evidence
        return glued if glued != 0.0 else self.no_boundary

    cdef _context_name(self, str text, Py_ssize_t start, Py_ssize_t end):
        cdef Py_ssize_t n = len(text), stop, stop2 = -1
        cdef Py_UCS4 after = _ch(text, end)
        cdef double first_given, left, base, right, right2 = 0.0, second, score, score2 = 0.0
        cdef Cand* cand
        cdef bint two
        if self._common(text, start, end + 1) or (end - start == 2 and self._common(text, start + 1, end + 1)):
            return
        surname_text = text[start:end]
        if self._f(after) & F_SURNAME and (
            (surname_text in self.name_left) or self._ends_word(text, start)
        ):
            return
        if end - start == 1 and self._f(_ch(text, start)) & F_MEASURE and start > 0 and (
                self._f(_ch(text, start - 1)) & F_COUNTING):
            return
        first_given = self._given(after)
        left = self._left(text, start)
        base = left + <double>self.surname_terms.get(surname_text, 0.0)
        if base + first_given + self.best_second < self.needs:
            return
        right = self._right(text, end + 1)
        score = base + first_given + right
        stop = end + 1
        two = end + 1 < n and self._name_char(_ch(text, end + 1))
        if two:
            second = self._given(_ch(text, end + 1)) + self.second_given
            right2 = self._right(text, end + 2)
            score2 = base + first_given + second + right2
            stop2 = end + 2
            if score2 >= score:  # the better reading first, the longer on a tie
                score, score2 = score2, score
                stop, stop2 = stop2, stop
                right, right2 = right2, right
        if score >= self.accept and not self._ruled_out(text, start, stop, surname_text):
            pass
        elif two and score2 >= self.accept and not self._ruled_out(text, start, stop2, surname_text):
            score, stop, right = score2, stop2, right2
        else:
            return
        cand = self._new(start, stop, self.e_person, self._confidence(score), S_CONTEXT)
        cand.score, cand.left, cand.right = score, left, right

    cdef bint _ruled_out(self, str text, Py_ssize_t start, Py_ssize_t stop, str surname_text) except -1:
        cdef Py_ssize_t k, surname = len(surname_text)
        if (self._common(text, start, stop)
                or (surname == 1 and self._common(text, start, start + 2 if start + 2 < stop else stop))
                or self._common(text, start, stop + 1)
                or self._common(text, start, stop + 2)
                or self._starts(text, self.titles, start + surname, F_TITLE_FIRST)):
            return True
        given = text[start + surname : stop]
        if surname_text in given:
            return True
        for k in range(len(given)):
            if self._f(_ch(given, k)) & F_NUMERAL:
                return True
        if (self._f(_ch(given, len(given) - 1)) & F_SURNAME and self._starts(text, self.titles, stop, F_TITLE_FIRST)
                or self._starts(text, self.not_names, start, F_NOT_NAME_FIRST)
                or self._starts(text, self.org_words, stop, F_ORG_FIRST)):
            return True
        if start > 0 and _ch(text, start - 1) == "的" and not (stop >= len(text) or self._f(_ch(text, stop)) & F_CLEAR_AFTER):
            return True
        return self._touches_place(text, start, stop, surname)

    cdef bint _touches_place(self, str text, Py_ssize_t start, Py_ssize_t end, Py_ssize_t surname_length) except -1:
        cdef Py_ssize_t pos, length, stop
        cdef bint touches
        for pos in range(start - 4 if start >= 4 else 0, end):
            if pos + 1 >= len(text) or not pair_in(self.place_pairs, _ch(text, pos), _ch(text, pos + 1)):
                continue
            lengths = self.place_heads.get(text[pos : pos + 2])
            if lengths is None:
                continue
            for length in lengths:
                stop = pos + length
                if pos < start:
                    touches = stop > start
                elif pos == start:
                    touches = not (surname_length == 2 and length == 2) or stop > end
                else:
                    touches = stop > end
                if touches and text[pos:stop] in self.place_set:
                    return True
        return False

    # --- cue names (recognisers.NameRecogniser) ---------------------------------------------------------------

    cdef Py_ssize_t _surname_len(self, str text, Py_ssize_t pos):
        if self._f(_ch(text, pos)) & F_COMPOUND_FIRST and text[pos : pos + 2] in self.compounds:
            return 2
        return 1 if pos < len(text) and self._f(_ch(text, pos)) & F_SURNAME else 0

    cdef _person_names(self, str text, str recogniser):
        cdef Py_ssize_t i, start, end
        cdef CueMatch* m
        cdef Cand* cand
        cdef bint found
        cdef double conf
        for i in range(self.n_cues):
            m = &self.cues[i]
            if m.tag == T_BEFORE or m.tag == T_BEFORE_WEAK:
                found = self._after_cue(text, m.end, m.tag == T_BEFORE_WEAK, &start, &end)
                conf = 0.85 if m.tag == T_BEFORE else 0.7
            else:
                found = self._before_cue(text, m.start, m.tag == T_WEAK, &start, &end)
                conf = 0.85 if m.tag == T_STRONG else 0.7
            if not found or self._cuts_place(text, start, end):
                continue
            cand = self._new(start, end, self.e_person, conf, S_CUE)
            cand.obj = len(self.objs)
            self.objs.append((self.use_words[m.word], recogniser))

    cdef bint _after_cue(self, str text, Py_ssize_t pos, bint weak, Py_ssize_t* out_start,
                         Py_ssize_t* out_end) except -1:
        cdef Py_ssize_t n = len(text), surname, given, end, k
        cdef Py_UCS4 following
        while pos < n and self._f(_ch(text, pos)) & F_CUE_GAP:
            pos += 1
        if pos >= n or not (self._f(_ch(text, pos)) & F_SURNAME_FIRST):
            return False
        surname = self._surname_len(text, pos)
        given = pos + surname
        if not surname or given >= n or not self._name_char(_ch(text, given)):
            return False
        if self._starts(text, self.titles, given, F_TITLE_FIRST):
            return False
        end = given + 1
        if end < n and self._name_char(_ch(text, end)):
            if end + 1 < n:
                following = _ch(text, end + 1)
                if self._f(_ch(text, end)) & F_GIVEN or not is_cjk(following) or self._f(following) & F_STOP:
                    end += 1
            else:
                end += 1
        if weak:
            for k in range(given, end):
                if not (self._f(_ch(text, k)) & F_GIVEN):
                    return False
        if end - given == 2 and self._common(text, end - 1, end + 1):
            end -= 1
        if self._common(text, pos, end) or (surname == 1 and self._common(text, pos, min(pos + 2, end))):
            return False
        if self._starts(text, self.org_words, end, F_ORG_FIRST):
            return False
        out_start[0], out_end[0] = pos, end
        return True

    cdef bint _boundary_before(self, str text, Py_ssize_t end):
        cdef Py_ssize_t length, start
        for length in range(2, 5):
            start = end - length
            if start == 0 or (start > 0 and self._f(_ch(text, start - 1)) & F_CLAUSE_START):
                return True
        return False

    cdef bint _before_cue(self, str text, Py_ssize_t end, bint weak, Py_ssize_t* out_start,
                          Py_ssize_t* out_end) except -1:
        cdef Py_ssize_t length, start, surname, given_len, k, listed
        cdef bint at_boundary, ok
        if end < 2 or not self._name_char(_ch(text, end - 1)):
            return False
        if weak and not self._boundary_before(text, end):
            return False
        for length in range(4, 1, -1):
            start = end - length
            if start < 0 or not (self._f(_ch(text, start)) & F_SURNAME_FIRST):
                continue
            surname = self._surname_len(text, start)
            given_len = end - start - surname
            if not surname or not 1 <= given_len <= 2:
                continue
            ok = True
            listed = 0
            for k in range(start + surname, end):
                if not self._name_char(_ch(text, k)):
                    ok = False
                    break
                if self._f(_ch(text, k)) & F_GIVEN:
                    listed += 1
            if not ok:
                continue
            at_boundary = start == 0 or self._f(_ch(text, start - 1)) & F_CLAUSE_START
            if weak and listed < given_len:
                continue
            if given_len == 2 and listed < 2 and not (listed == 1 and at_boundary):
                continue
            if weak and start > 0 and not (self._f(_ch(text, start - 1)) & F_CLAUSE_START):
                continue
            if self._common(text, start, end) or (surname == 1 and self._common(text, start, min(start + 2, end))):
                continue
            if start > 0 and self._common(text, start - 1, start + 1):
                continue
            out_start[0], out_end[0] = start, end
            return True
        return False

    cdef bint _cuts_place(self, str text, Py_ssize_t start, Py_ssize_t end) except -1:
        cdef Py_ssize_t pos
        for pos in range(start, end):
            if (pos + 1 >= len(text) or not pair_in(self.place_pairs, _ch(text, pos), _ch(text, pos + 1))
                    or text[pos : pos + 2] not in self.nr_place_heads):
                continue
            for length in self.nr_place_lengths:
                if pos + <Py_ssize_t>length > end and text[pos : pos + length] in self.nr_places:
                    return True
        return False

    # --- addresses (recognisers.AddressRecogniser) ------------------------------------------------------------

    cdef _addresses(self, str text, str recogniser):
        """``AddressRecogniser.find`` over the automaton's gazetteer and cue matches."""
        cdef Py_ssize_t n = len(text), i, k, pos, covered = -1, count = 0
        cdef CueMatch* m
        cdef Start* starts = <Start*>malloc(self.n_addr * sizeof(Start))
        cdef Py_ssize_t end, admins, suffixed
        cdef bint strong_tail, estate, ok
        cdef Cand* cand
        if starts == NULL:
            raise MemoryError()
        admin_end = {}
        try:
            for i in range(self.n_addr):
                m = &self.addr[i]
                if m.tag == T_ADMIN:
                    admin_end[m.start] = max(admin_end.get(m.start, 0), m.end)
                    starts[count].pos, starts[count].after_cue = m.start, 0
                else:
                    pos = m.end
                    while pos < n and self._f(_ch(text, pos)) & F_ADDRESS_GAP:
                        pos += 1
                    if pos < n and self._f(_ch(text, pos)) & F_VERB_FIRST:
                        for verb in _CHANGE_VERBS:  # 地址改为…: the address follows the verb
                            if text.startswith(verb, pos):
                                pos += len(verb)
                                break
                    starts[count].pos, starts[count].after_cue = pos, 1
                count += 1
            qsort(starts, count, sizeof(Start), by_pos)
            for i in range(count):
                if i and starts[i].pos == starts[i - 1].pos and starts[i].after_cue == starts[i - 1].after_cue:
                    continue  # sorted(set(starts))
                pos = starts[i].pos
                if pos < covered:
                    continue
                self._parse(text, pos, admin_end, &end, &admins, &suffixed, &strong_tail, &estate)
                if starts[i].after_cue:
                    ok = admins >= 1 or strong_tail or estate
                else:
                    ok = (admins >= 2 and suffixed >= 1) or (admins >= 1 and strong_tail) or (suffixed >= 1 and estate)
                if ok and end > pos:
                    covered = end
                    cand = self._new(pos, end, self.e_address, 0.9 if admins >= 2 or strong_tail else 0.8,
                                     S_ADDRESS)
                    cand.obj = len(self.objs)
                    self.objs.append(recogniser)
        finally:
            free(starts)

    cdef int _parse(self, str text, Py_ssize_t start, dict admin_end, Py_ssize_t* out_end, Py_ssize_t* out_admins,
                    Py_ssize_t* out_suffixed, bint* out_strong, bint* out_estate) except -1:
        """``AddressRecogniser.parse``: administrative units, then the street tail."""
        cdef Py_ssize_t end = start, admins = 0, suffixed = 0, word_end
        cdef bint strong_tail = False, estate = False
        while True:
            found = admin_end.get(end)
            if found is not None:
                word_end = found
                suffixed += self.places.get(text[end:word_end], False)
                end = word_end
                admins += 1
                continue
            word_end = self._generic_admin(text, end) if admins else -1
            if word_end < 0:
                break
            end = word_end
            admins += 1
            suffixed += 1
        tail = ADDRESS_TAIL.match(text, end)
        if tail is not None and tail.end() > end:
            groups = tail.groupdict()
            strong_tail = bool(groups["number"] or groups["unit"] or (groups["street"] and groups["estate"]))
            estate = bool(groups["estate"])
            if strong_tail or estate:
                end = tail.end()
        out_end[0], out_admins[0], out_suffixed[0], out_strong[0], out_estate[0] = (
            end, admins, suffixed, strong_tail, estate)
        return 0

    cdef Py_ssize_t _admin_prefix(self, str value) except -1:
        """``AddressRecogniser.admin_prefix_length``: the province/city/district part display masking keeps."""
        cdef Py_ssize_t pos = 0, length, n = len(value)
        while pos < n:
            length = 0
            for size in self.lengths_by_first.get(_ch(value, pos), ()):
                if value[pos : pos + size] in self.admin_places:
                    length = size
                    break
            if length:
                pos += length
                continue
            length = self._generic_admin(value, pos) if pos else -1
            if length < 0:
                break
            pos = length
        return pos

    # --- public ----------------------------------------------------------------------------------------------

    cdef int _put_masked(self, tuple mask, str source, Py_ssize_t a, Py_ssize_t b) except -1:
        """``Mask.apply`` on ``source[a:b]`` (separators kept, ``keep_from``, ``keep_admin``), written to the output
        buffer; ``mask`` is the operator's (keep_first, keep_last, mask_char, keep_from, keep_admin)."""
        cdef Py_ssize_t keep_first = mask[0], keep_last = mask[1], value_start = a, value_end = b
        cdef Py_ssize_t i, size, first, last, count = 0, hide_from, hide_to
        cdef Py_UCS4 mask_char = mask[2], c
        keep_from = mask[3]
        if keep_from:  # everything from its first occurrence on is kept
            for i in range(a, b):
                if _ch(source, i) == <Py_UCS4>keep_from:
                    value_end = i
                    break
        if mask[4]:  # keep_admin: province, city and district are kept (the prefix may overshoot: slice-clip it)
            value_start = a + min(self._admin_prefix(source[a:value_end]), value_end - a)
        self._put(source, a, value_start)
        size = value_end - value_start
        if _isalnum_span(source, value_start, value_end):
            first = min(keep_first, size)
            last = min(keep_last, size - first)
            self._put(source, value_start, value_start + first)
            self._put_repeated(mask_char, size - first - last)
            self._put(source, value_end - last, value_end)
        else:
            for i in range(value_start, value_end):  # hide the significant characters between the kept ends
                if Py_UNICODE_ISALNUM(_ch(source, i)):
                    count += 1
            hide_from, hide_to = keep_first, max(keep_first, count - keep_last)
            self._reserve(size)
            count = 0
            for i in range(value_start, value_end):
                c = _ch(source, i)
                if Py_UNICODE_ISALNUM(c):
                    if hide_from <= count < hide_to:
                        c = mask_char
                    count += 1
                self.out[self.out_len] = c
                self.out_len += 1
        self._put(source, value_end, b)
        return 0

    def scan(self, str text):
        """``Scanner._scan(text)``: every hit, non-overlapping, by position; None while the engine is busy."""
        cdef Py_ssize_t kept, i
        if self.busy:
            return None
        self.busy = True
        try:
            kept = self._run(text)
            return [self._hit(text, &self.cands[i]) for i in range(kept)]
        finally:
            self.busy = False

    def mask(self, str text, policy, key):
        """``apply_hits(text, Scanner._scan(text), policy, key)`` and the entity of every hit (for the stats).

        The masked text is written into one character buffer: kept text and display masks are copied there
        directly; only other operators build a string per hit. None while the engine is busy."""
        if self.busy:
            return None
        self.busy = True
        try:
            return self._mask(text, policy, key)
        finally:
            self.busy = False

    cdef tuple _mask(self, str text, policy, key):
        cdef Py_ssize_t kept = self._run(text), i, cursor = 0, size, first, last, a, b
        cdef Cand* c
        cdef list entities = []
        cdef dict plans = {}
        cdef str source
        self.out_len = 0
        for i in range(kept):
            c = &self.cands[i]
            entity = self.entity_names[c.entity]
            entities.append(entity)
            plan = plans.get(entity)
            if plan is None:
                operator, sliced = _masking._plan(policy.operator_for(entity))
                settings = None
                if type(operator) is Mask:
                    settings = (operator.keep_first, operator.keep_last, operator.mask_char, operator.keep_from,
                                operator.keep_admin)
                plan = plans[entity] = (operator, sliced, settings)
            self._put(text, cursor, c.start)
            if c.source == S_HIT:  # a plug-in's hit: its text is what apply_hits masks
                source = self.objs[c.obj].text
                a, b = 0, len(source)
            else:
                source, a, b = text, c.start, c.end
            sliced = plan[1]
            if sliced is not None and _isalnum_span(source, a, b):
                size = b - a
                first = sliced[0] if sliced[0] < size else size
                last = sliced[1] if sliced[1] < size - first else size - first
                self._put(source, a, a + first)
                self._put_repeated(sliced[2], size - first - last)
                self._put(source, b - last, b)
            elif plan[2] is not None:
                self._put_masked(plan[2], source, a, b)
            else:
                piece = plan[0].apply(self._hit(text, c), key)
                self._put(piece, 0, len(piece))
            cursor = c.end
        self._put(text, cursor, len(text))
        return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, self.out, self.out_len), entities

    cdef int _reserve(self, Py_ssize_t extra) except -1:
        cdef Py_ssize_t capacity = self.out_cap
        cdef Py_UCS4* grown
        if self.out_len + extra <= capacity:
            return 0
        while capacity < self.out_len + extra:
            capacity = 2 * capacity if capacity else 4096
        grown = <Py_UCS4*>realloc(self.out, capacity * sizeof(Py_UCS4))
        if grown == NULL:
            raise MemoryError()
        self.out, self.out_cap = grown, capacity
        return 0

    cdef int _put(self, str source, Py_ssize_t a, Py_ssize_t b) except -1:
        """Append ``source[a:b]`` to the output buffer."""
        cdef Py_ssize_t i
        cdef int kind = PyUnicode_KIND(source)
        cdef void* data = PyUnicode_DATA(source)
        if b <= a:
            return 0
        self._reserve(b - a)
        for i in range(a, b):
            self.out[self.out_len] = PyUnicode_READ(kind, data, i)
            self.out_len += 1
        return 0

    cdef int _put_repeated(self, Py_UCS4 c, Py_ssize_t count) except -1:
        cdef Py_ssize_t i
        if count <= 0:
            return 0
        self._reserve(count)
        for i in range(count):
            self.out[self.out_len + i] = c
        self.out_len += count
        return 0
