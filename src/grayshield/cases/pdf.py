"""The case report as a PDF, in Chinese: summary, timeline, entity table, graph picture, evidence list.

reportlab's built-in CID font STSong-Light needs no font file: it is not embedded, and PDF readers with Chinese
support (every reader a Chinese bank or police station uses) supply it. Where the package goes to a reader
without CJK fonts, pass a TrueType font file (e.g. the bank's licensed SimSun) and its glyphs are embedded. The graph picture is drawn with reportlab's own graphics (nodes on
rings by kind, lines for edges): no plotting stack needed on the export path.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from reportlab.graphics.shapes import Circle, Drawing, Line, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from grayshield.core.errors import ValidationError

FONT = "STSong-Light"
KIND_COLOURS = {"customer": colors.HexColor("#4C78A8"), "number": colors.HexColor("#E45756"),
                "account": colors.HexColor("#F58518"), "handle": colors.HexColor("#72B7B2"),
                "complaint": colors.HexColor("#54A24B"), "template": colors.HexColor("#B279A2"),
                "staff": colors.HexColor("#9D755D"), "other": colors.HexColor("#BAB0AC")}
KIND_LABELS = {"customer": "客户", "number": "号码", "account": "社交账号", "handle": "联系方式",
               "complaint": "投诉", "template": "模板", "staff": "员工", "other": "其他"}
MAX_ROWS = 200


def _font(font_file: Path | None) -> str:
    if font_file is None:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        return FONT
    from reportlab.pdfbase.ttfonts import TTFont

    name = f"Embedded-{font_file.stem}"
    try:
        pdfmetrics.registerFont(TTFont(name, str(font_file)))
    except Exception as exc:  # reportlab raises TTFError, OSError or struct errors for a bad file
        raise ValidationError(f"字体文件无法使用（{font_file}）：{exc}") from None
    return name


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("title", parent=base["Title"], fontName=font, wordWrap="CJK"),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontName=font, wordWrap="CJK"),
        "body": ParagraphStyle("body", parent=base["BodyText"], fontName=font, wordWrap="CJK", leading=15),
        "cell": ParagraphStyle("cell", parent=base["BodyText"], fontName=font, wordWrap="CJK", fontSize=8,
                               leading=10),
    }


def render_report(path: Path, report: dict[str, Any], font_file: Path | None = None) -> None:
    """Write ``report`` (as built by :func:`grayshield.cases.package.report_content`) to ``path``."""
    font = _font(font_file)
    styles = _styles(font)

    def para(text: object, style: str = "body") -> Paragraph:
        return Paragraph(_escape(str(text)), styles[style])

    def table(header: list[str], rows: list[list[object]], widths: list[float]) -> Table:
        cells = [[para(h, "cell") for h in header]] + [[para(c, "cell") for c in row] for row in rows[:MAX_ROWS]]
        grid = Table(cells, colWidths=[w * mm for w in widths], repeatRows=1)
        grid.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                                  ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")),
                                  ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return grid

    case = report["case"]
    story: list[Any] = [
        para(f"案件 {case['id']}：{case['title']}", "title"),
        para(f"对象：{case['subject']}　状态：{case['state']}　承办人：{case['assignee'] or '未分配'}"
             f"　截止：{case['deadline'] or '无'}　结论：{case['outcome'] or '未结案'}"),
        para(f"报告对象：{report['recipient_label']}（{'显示完整个人信息' if report['reveal_pii'] else '个人信息已脱敏'}）"
             f"　生成时间：{report['generated_at']}"),
        Spacer(1, 4 * mm), para("一、案情摘要", "h2"), para(report["summary"] or "（无）"),
        para("二、时间线", "h2"),
        table(["时间", "事件", "操作人", "说明"], [[e["time"], e["event"], e["actor"], e["note"]]
                                                for e in report["timeline"]], [38, 30, 25, 77]),
        para("三、涉案实体", "h2"),
        table(["类型", "标识", "说明"], [[e["kind"], e["id"], e["note"]] for e in report["entities"]], [25, 70, 75]),
    ]
    if len(report["entities"]) > MAX_ROWS:
        story.append(para(f"（共 {len(report['entities'])} 个实体，此处列出前 {MAX_ROWS} 个；完整清单见 JSON 数据包）"))
    story += [para("四、关系图", "h2"), graph_drawing(report["graph"], font),
              para("五、证据清单", "h2"),
              table(["编号", "类型", "来源", "标题", "SHA-256"],
                    [[e["id"], e["kind"], e["source"], e["title"], e["sha256"]] for e in report["evidence"]],
                    [12, 22, 35, 45, 56])]
    doc = SimpleDocTemplate(str(path), pagesize=A4, title=f"案件 {case['id']} 证据包", author="GrayShield",
                            leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm, bottomMargin=16 * mm)
    doc.build(story)


def graph_drawing(graph: dict[str, Any], font: str = FONT, width: float = 170 * mm,
                  height: float = 120 * mm) -> Drawing:
    """Nodes on concentric rings by kind (customers outside, numbers and accounts inside), edges as lines."""
    drawing = Drawing(width, height)
    nodes: list[dict[str, Any]] = graph.get("nodes", [])
    if not nodes:
        drawing.add(String(width / 2, height / 2, "（无关系图数据）", fontName=font, fontSize=10, textAnchor="middle"))
        return drawing
    rings = ["number", "account", "handle", "template", "complaint", "staff", "other", "customer"]
    by_ring: dict[str, list[dict[str, Any]]] = {}
    for item in nodes:
        kind = item["kind"] if item["kind"] in KIND_COLOURS else "other"
        by_ring.setdefault(kind, []).append(item)
    cx, cy, radius = width / 2 - 20 * mm, height / 2, min(width - 40 * mm, height) / 2 - 6 * mm
    used = [k for k in rings if k in by_ring]
    position: dict[str, tuple[float, float]] = {}
    for level, kind in enumerate(used, start=1):
        ring = radius * level / len(used)
        members = by_ring[kind]
        for i, item in enumerate(members):
            angle = 2 * math.pi * i / len(members) + level * 0.4
            position[item["id"]] = (cx + ring * math.cos(angle), cy + ring * math.sin(angle))
    for a, b in graph.get("edges", []):
        if a in position and b in position:
            drawing.add(Line(*position[a], *position[b], strokeColor=colors.HexColor("#BBBBBB"),
                             strokeWidth=0.4))
    for item in nodes:
        x, y = position[item["id"]]
        kind = item["kind"] if item["kind"] in KIND_COLOURS else "other"
        drawing.add(Circle(x, y, 2.2 * mm if kind != "customer" else 1.6 * mm, fillColor=KIND_COLOURS[kind],
                           strokeColor=colors.white, strokeWidth=0.3))
    for row, kind in enumerate(used):
        y = height - 8 * mm - row * 6 * mm
        drawing.add(Circle(width - 38 * mm, y + 1 * mm, 1.8 * mm, fillColor=KIND_COLOURS[kind]))
        drawing.add(String(width - 34 * mm, y, f"{KIND_LABELS[kind]}（{len(by_ring[kind])}）", fontName=FONT,
                           fontSize=8))
    return drawing


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
