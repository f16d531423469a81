"""Benchmark: GrayShield's PII engine against Microsoft Presidio on the same labelled corpus, in one run.

Presidio runs the way a team without a Chinese NLP model would run it: ``NoOpNlpEngine`` (no spaCy model
download) and ``PatternRecognizer``s for the same entities, with the same check-digit validators (GB 11643,
Luhn) so the comparison is about the engines, not about who validates. Both sides analyse and then anonymise
every document. Printed: per-document time of each (GrayShield's batch path and one document per call), the
speed ratios, and recall/precision per entity.

    .venv/bin/python bench/pii.py [--docs 2000] [--sentences N] [--seed 1] [--json] [--no-record]

Needs the ``bench`` extra (presidio-analyzer, presidio-anonymizer); Presidio is imported only here.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, cast

from grayshield.pii import default_policy
from grayshield.pii import validators as V
from grayshield.pii.corpus import (
    HELD_OUT_TEMPLATES,
    LabelledDoc,
    generate_corpus,
    join_documents,
    tricky_cases,
)
from grayshield.pii.entities import Hit
from grayshield.pii.evaluation import score
from grayshield.pii.lexicon import load_lexicon
from grayshield.pii.masking import apply_hits, mask_many
from grayshield.pii.scanner import Scanner

LANGUAGE = "zh"
TARGET_RATIO = 20
BATCH_DOCS = 1000  # documents per mask_many call: the chunk a streaming `grayshield pii mask` run hands over
_NO_DIGIT_BEFORE = r"(?<![0-9A-Za-z])"
_NO_DIGIT_AFTER = r"(?![0-9A-Za-z])"


def _presidio_recognizers() -> list[Any]:
    from presidio_analyzer import Pattern, PatternRecognizer

    class Validated(PatternRecognizer):  # type: ignore[misc]
        """A pattern recogniser whose matches must pass a check-digit function (Presidio's documented hook)."""

        def __init__(self, entity: str, regex: str, check: Callable[[str], bool]) -> None:
            super().__init__(
                supported_entity=entity,
                name=f"{entity.lower()}_recognizer",
                supported_language=LANGUAGE,
                patterns=[Pattern(entity.lower(), regex, 0.6)],
            )
            self._check = check

        def validate_result(self, pattern_text: str) -> bool:
            return self._check(V.normalise_digits(pattern_text))

    def plain(entity: str, *regexes: str) -> Any:
        patterns = [Pattern(f"{entity.lower()}_{i}", r, 0.6) for i, r in enumerate(regexes)]
        return PatternRecognizer(
            supported_entity=entity,
            name=f"{entity.lower()}_recognizer",
            supported_language=LANGUAGE,
            patterns=patterns,
        )

    lexicon = load_lexicon()
    surnames = "|".join([*sorted(lexicon.compound_surnames), f"[{''.join(sorted(lexicon.surnames))}]"])
    name_cues = "|".join(sorted(lexicon.name_before, key=len, reverse=True))
    honorifics = "|".join(lexicon.name_after_strong)
    return [
        Validated(
            "ID_CARD",
            _NO_DIGIT_BEFORE + r"(?:\d{17}[\dXx]|\d{15})" + _NO_DIGIT_AFTER,
            lambda n: V.is_resident_id(n) or V.is_legacy_resident_id(n),
        ),
        Validated(
            "BANK_CARD",
            _NO_DIGIT_BEFORE + r"\d{4}(?: ?\d{4}){2,3}(?: ?\d{1,3})?" + _NO_DIGIT_AFTER,
            lambda n: V.is_bank_card(n) and V.has_card_bin(n),
        ),
        Validated(
            "PHONE",
            _NO_DIGIT_BEFORE + r"(?:(?:\+|00)?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}" + _NO_DIGIT_AFTER,
            lambda n: bool(V.MOBILE.match(V.strip_country_code(n))),
        ),
        plain("PHONE", _NO_DIGIT_BEFORE + r"0\d{2,3}-?\d{7,8}" + _NO_DIGIT_AFTER),
        plain("BANK_ACCOUNT", r"(?<=(?:账号|账户|帐号)[：: ]?)\d{10,25}" + _NO_DIGIT_AFTER),
        plain("EMAIL", r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"),
        plain(
            "IP_ADDRESS",
            r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\d.])",
        ),
        plain(
            "LICENSE_PLATE",
            r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-Z][·]?[A-Z0-9]{5,6}",
        ),
        plain("PASSPORT", _NO_DIGIT_BEFORE + r"(?:E[0-9A-Z]\d{7}|G\d{8})" + _NO_DIGIT_AFTER),
        plain(
            "TRAVEL_PERMIT", _NO_DIGIT_BEFORE + r"(?:[CW][0-9A-Z]\d{7}|[HM]\d{8}(?:\d{2})?)" + _NO_DIGIT_AFTER
        ),
        plain(
            "PERSON_NAME",
            rf"(?<=(?:{name_cues})[：: ]?)(?:{surnames})[\u4e00-\u9fff]{{1,2}}",
            rf"(?:{surnames})[\u4e00-\u9fff]{{1,2}}(?=(?:{honorifics}))",
        ),
        plain(
            "ADDRESS",
            r"(?:[\u4e00-\u9fff]{2,8}(?:省|自治区))?[\u4e00-\u9fff]{2,6}市(?:[\u4e00-\u9fff]{1,6}?(?:区|县))?"
            r"(?:[\u4e00-\u9fff\d]{1,10}?(?:路|街|大道)\d+号)?(?:[\u4e00-\u9fff]{2,6}?(?:小区|花园|家园))?"
            r"(?:\d+栋)?(?:\d+单元)?(?:\d+室)?",
        ),
    ]


def presidio_engines() -> tuple[Any, Any]:
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NoOpNlpEngine
    from presidio_anonymizer import AnonymizerEngine

    registry = RecognizerRegistry(recognizers=_presidio_recognizers(), supported_languages=[LANGUAGE])
    nlp_engine = NoOpNlpEngine(models=[{"lang_code": LANGUAGE, "model_name": "none"}])
    analyzer = AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=[LANGUAGE])
    return analyzer, AnonymizerEngine()  # type: ignore[no-untyped-call]


class _PresidioAsScanner:
    """Presidio's analyser behind GrayShield's scanner interface (``scan``), so one scorer judges both."""

    def __init__(self, analyzer: Any) -> None:
        self.analyzer = analyzer

    def scan(self, text: str) -> list[Hit]:
        results = self.analyzer.analyze(text=text, language=LANGUAGE)
        hits = [
            Hit(r.entity_type, r.start, r.end, text[r.start : r.end], r.score, "presidio") for r in results
        ]
        return sorted(hits, key=lambda h: h.start)


def time_grayshield(docs: Sequence[LabelledDoc], batch: int = BATCH_DOCS) -> tuple[float, list[str]]:
    """The batch path (``mask_many``), as ``grayshield pii mask`` runs it: documents in chunks of ``batch``."""
    scanner, policy = Scanner(), default_policy()
    texts = [d.text for d in docs]
    started = time.process_time()
    masked: list[str] = []
    for first in range(0, len(texts), batch):
        masked += mask_many(texts[first : first + batch], policy, scanner=scanner)
    return time.process_time() - started, masked


def time_grayshield_single(docs: Sequence[LabelledDoc]) -> tuple[float, list[str]]:
    """One document per call (``scan`` then the policy), as a caller masking a single transcript runs it."""
    scanner, policy = Scanner(), default_policy()
    started = time.process_time()
    masked = [apply_hits(d.text, scanner.scan(d.text), policy, None) for d in docs]
    return time.process_time() - started, masked


def time_presidio(docs: Sequence[LabelledDoc], analyzer: Any, anonymizer: Any) -> tuple[float, list[str]]:
    started = time.process_time()
    masked = []
    for doc in docs:
        results = analyzer.analyze(text=doc.text, language=LANGUAGE)
        masked.append(anonymizer.anonymize(text=doc.text, analyzer_results=results).text)
    return time.process_time() - started, masked


def _interleaved(
    timers: Sequence[Callable[[], tuple[float, list[str]]]], repeats: int
) -> list[tuple[float, list[str]]]:
    """The fastest of ``repeats`` runs of each timer, the timers taking turns.

    The build machine is shared: other load only ever adds time, and taking turns exposes every engine to the
    same spells of load, so the ratio stays fair even when the absolute figures move.
    """
    best: list[tuple[float, list[str]] | None] = [None] * len(timers)
    for _ in range(repeats):
        for i, timer in enumerate(timers):
            run = timer()
            current = best[i]
            if current is None or run[0] < current[0]:
                best[i] = run
    return [b for b in best if b is not None]


def run(n_docs: int, seed: int, sentences: int = 1, repeats: int = 5) -> dict[str, Any]:
    held_out = generate_corpus(
        seed + 1, n_docs * sentences // 2, templates=HELD_OUT_TEMPLATES, source="held_out"
    )
    docs = join_documents([*generate_corpus(seed, n_docs * sentences), *held_out, *tricky_cases()], sentences)
    analyzer, anonymizer = presidio_engines()
    time_grayshield(docs[:50]), time_presidio(docs[:50], analyzer, anonymizer)  # warm caches and regexes
    load_before = os.getloadavg()[0]
    (gs_seconds, gs_masked), (single_seconds, single_masked), (pr_seconds, _) = _interleaved(
        [
            lambda: time_grayshield(docs),
            lambda: time_grayshield_single(docs),
            lambda: time_presidio(docs, analyzer, anonymizer),
        ],
        repeats,
    )
    load_after = os.getloadavg()[0]
    if gs_masked != single_masked:
        raise AssertionError("the batch path masked differently from the one-document path")
    presidio_scanner = cast(Scanner, _PresidioAsScanner(analyzer))  # score() only calls scan()
    gs_quality, pr_quality = score(docs, Scanner()), score(docs, presidio_scanner)
    return {
        "documents": len(docs),
        "sentences_per_document": sentences,
        "mean_document_chars": sum(len(d.text) for d in docs) / len(docs),
        "seed": seed,
        "batch_documents": BATCH_DOCS,
        "repeats": repeats,
        "grayshield_ms_per_doc": 1000 * gs_seconds / len(docs),
        "grayshield_single_ms_per_doc": 1000 * single_seconds / len(docs),
        "presidio_ms_per_doc": 1000 * pr_seconds / len(docs),
        "speed_ratio": pr_seconds / gs_seconds,
        "speed_ratio_single": pr_seconds / single_seconds,
        "load_average": [round(load_before, 2), round(load_after, 2)],  # the machine is shared: say how busy
        "grayshield": {"overall": gs_quality["overall"], "per_entity": _summary(gs_quality)},
        "presidio": {"overall": pr_quality["overall"], "per_entity": _summary(pr_quality)},
    }


def _summary(report: dict[str, Any]) -> dict[str, dict[str, float]]:
    return {
        e: {"recall": round(v["recall"], 4), "precision": round(v["precision"], 4)}
        for e, v in report["per_entity"].items()
    }


def _render(result: dict[str, Any]) -> str:
    lines = [
        f"documents: {result['documents']} of {result['mean_document_chars']:.0f} characters on average"
        f" ({result['sentences_per_document']} sentences each, seed {result['seed']})",
        f"GrayShield {result['grayshield_ms_per_doc']:.4f} ms/doc (batches of {result['batch_documents']}),"
        f" Presidio {result['presidio_ms_per_doc']:.4f} ms/doc -> GrayShield {result['speed_ratio']:.1f}x faster",
        f"GrayShield one document per call {result['grayshield_single_ms_per_doc']:.4f} ms/doc"
        f" -> {result['speed_ratio_single']:.1f}x faster (best of {result['repeats']} runs each, CPU time)",
        "1-minute load average before / after the timed runs: {} / {}".format(*result["load_average"]),
        f"{'entity':<15}{'GS recall':>10}{'PR recall':>10}{'GS prec':>10}{'PR prec':>10}",
    ]
    gs, pr = result["grayshield"]["per_entity"], result["presidio"]["per_entity"]
    for entity in gs:
        other = pr.get(entity, {"recall": 0.0, "precision": 0.0})
        lines.append(
            f"{entity:<15}{gs[entity]['recall']:>10.4f}{other['recall']:>10.4f}"
            f"{gs[entity]['precision']:>10.4f}{other['precision']:>10.4f}"
        )
    go, po = result["grayshield"]["overall"], result["presidio"]["overall"]
    lines.append(
        f"{'overall':<15}{go['recall']:>10.4f}{po['recall']:>10.4f}{go['precision']:>10.4f}{po['precision']:>10.4f}"
    )
    return "\n".join(lines) + "\n"


def _record(results: list[dict[str, Any]]) -> None:
    """Write the figures into docs/benchmarks.md (section ``pii``), as every bench script does."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _common import record

    lines = [
        f"Target (issue 5): GrayShield at least {TARGET_RATIO}x faster per document than Presidio (NoOpNlpEngine,"
        " pattern recognisers, same validators), with higher recall. CPU time per document, analyse + anonymise,"
        f" same documents; GrayShield's batch path (`mask_many`, {BATCH_DOCS} documents per call, as `pii mask`"
        " streams files) and one document per call; Presidio one document per call (its batch engine loops over"
        " documents). Fastest of interleaved runs; the batch output is checked equal to the one-by-one output.",
        "",
    ]
    for result in results:
        verdict = "met" if result["speed_ratio"] >= TARGET_RATIO else "NOT met (batch path)"
        lines += ["```", _render(result).rstrip("\n"), "```", f"Speed target {verdict}.", ""]
    record("pii", "PII desensitisation against Presidio", lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--docs",
        type=int,
        default=2000,
        help="documents from the development templates; half as many again come"
        " from the held-out templates, and the tricky cases are added",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--sentences",
        type=int,
        default=None,
        help="sentences joined into one document; default: one run with 1 and one with 10 (docs/10 documents)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON lines instead of tables")
    parser.add_argument("--no-record", action="store_true", help="do not update docs/benchmarks.md")
    # BENCH_ARGS is passed to every bench script; options meant for the others are ignored here.
    args, _ = parser.parse_known_args(argv)
    plans = (
        [(args.docs, args.sentences)] if args.sentences else [(args.docs, 1), (max(1, args.docs // 10), 10)]
    )
    results = [run(docs, args.seed, sentences) for docs, sentences in plans]
    for result in results:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n" if args.json else _render(result))
    if not args.no_record:
        _record(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
