"""Small human slips in any text: typos, punctuation variants, fillers.

They keep a detector from keying on exact punctuation or on a perfectly clean phrase, and they
are what separates two renders of one gang complaint template.
"""

from __future__ import annotations

from grayshield.sim.content.draw import Draw

# Common real-world slips: 的/得/地 and 在/再 confusion, full- and half-width punctuation.
_SWAPS = (("的", "得"), ("得", "的"), ("在", "再"), ("再", "在"), ("，", ","), ("。", "."), ("！", "!"),
          ("？", "?"), ("：", ":"), ("本人", "我"), ("贵行", "你行"), ("停止", "暂停"), ("减免", "免除"),
          ("严重", "极大"), ("已经", "已"), ("目前", "现在"), ("要求", "请求"), ("非常", "很"))
_PAUSES = frozenset("，。！？；,!?;…\n")  # no spaces or dots: they also group the digits of a number
_FILLERS = ("啊", "吧", "哈", "呢", "…", "。。", "！！", "~", " ")
SENTENCE_CHARS = 30


def add_noise(text: str, draw: Draw, rate: float, segment: int = SENTENCE_CHARS) -> str:
    """Each ``segment`` characters (about a sentence) gets a slip with probability ``rate``."""
    if rate <= 0.0 or not text:
        return text
    for _ in range(1 + len(text) // segment):
        if draw.random() >= rate:
            continue
        roll = draw.random()
        if roll < 0.6:
            old, new = _SWAPS[int(draw.random() * len(_SWAPS))]
            at = text.find(old, int(draw.random() * len(text)))
            if at < 0:
                at = text.find(old)
            if at >= 0:
                text = text[:at] + new + text[at + len(old):]
        elif roll < 0.85:
            # Fillers go where a writer pauses (before a punctuation mark), not inside a word.
            at = _next_pause(text, int(draw.random() * len(text)))
            text = text[:at] + _FILLERS[int(draw.random() * len(_FILLERS))] + text[at:]
        elif len(text) > 8:
            # A dropped character, only ever a Chinese one: digits and handles must survive intact.
            at = int(draw.random() * len(text))
            if "\u4e00" <= text[at] <= "\u9fff":
                text = text[:at] + text[at + 1:]
    return text


def _next_pause(text: str, start: int) -> int:
    for i in range(start, len(text)):
        if text[i] in _PAUSES:
            return i
    return len(text)
