"""A `Report` as JSON, an Excel workbook, a Word report to sign, or a chart picture.

Every renderer reads the same `Report` object, so the four always agree. The Word layout follows
Nghị định 30/2020/NĐ-CP (Phụ lục I): A4, Times New Roman 13–14, margins 20/20/30/15 mm,
national heading and motto on the right, issuing body on the left, number and symbol, place
and date, title, body, recipients ("Nơi nhận") and the signature block.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

from bot import texts
from bot.reports.compute import Figure, Report
from storage.reports import AREAS, TOPICS

FORMATS = ("json", "xlsx", "docx", "png")
T = texts


def render(report: Report, fmt: str, out: Path) -> Path:
    """Write the report in `fmt` to `out` (parents created); returns the path."""
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "json":
        out.write_text(to_json(report), encoding="utf-8")
    elif fmt == "xlsx":
        to_xlsx(report, out)
    elif fmt == "docx":
        to_docx(report, out)
    elif fmt == "png":
        to_png(report, out)
    else:
        raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    return out


def to_json(report: Report) -> str:
    return json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=2)


# --- the rows every table shows, in one place ---


def count_text(v: int | None) -> str:
    """1.200 as Vietnamese write it, or «<5» where a small count is hidden."""
    return T.REPORT_HIDDEN if v is None else f"{v:,}".replace(",", ".")


def share_text(v: float | None) -> str:
    """12,5% (or — when there is no denominator)."""
    return T.REPORT_NONE if v is None else f"{v:.1f}%".replace(".", ",")


def headline_rows(r: Report) -> list[tuple[str, Figure]]:
    """(label, figure) for every skill and topic indicator, in the plans' order."""
    rows = [(T.REPORT_AREAS[a], r.areas[a]) for a in AREAS]
    rows.append((T.REPORT_PROFICIENT, r.proficient))
    rows += [(T.REPORT_INFORMED.format(topic=T.TOPICS[t].lower()), r.informed[t]) for t in TOPICS]
    return rows


def target_cells(r: Report, indicator: str) -> list[str]:
    """For each target year: "2030: 50%, đúng tiến độ" (no verdict before there is a line)."""
    out = []
    for t in r.targets:
        if t.indicator != indicator:
            continue
        cell = T.REPORT_TARGET_CELL.format(year=t.year, target=f"{t.target:g}%".replace(".", ","))
        if t.on_track is not None:
            cell += ", " + (T.REPORT_TRACK_OK if t.on_track else T.REPORT_TRACK_BEHIND)
        out.append(cell)
    return out


def target_notes(r: Report) -> list[str]:
    """Why a target has no verdict yet, said once under the table."""
    if r.older_residents is None:
        return [T.REPORT_NOTE_NO_RESIDENTS]
    if r.first_report >= r.as_of:
        return [T.REPORT_NOTE_FIRST]
    return []


def _widths(table, mm: tuple[float, ...]) -> None:
    """Fixed column widths (Word and LibreOffice read them from every cell)."""
    from docx.shared import Mm

    table.autofit = False
    for col, w in zip(table.columns, mm, strict=True):
        col.width = Mm(w)
    for row in table.rows:
        for c, w in zip(row.cells, mm, strict=True):
            c.width = Mm(w)


def _indicator_key(label_index: int) -> str | None:
    """The target indicator a headline row is measured against (areas have none of their own)."""
    n_areas = len(AREAS)
    if label_index == n_areas:
        return "proficient"
    if label_index > n_areas:
        return f"informed:{TOPICS[label_index - n_areas - 1]}"
    return None


def _summary_lines(r: Report) -> list[tuple[str, str]]:
    res = T.REPORT_NONE if r.older_residents is None else count_text(r.older_residents)
    if r.residents_from_sub_units:
        res += T.REPORT_RES_FROM_SUBS
    return [
        (T.REPORT_L_RESIDENTS, res),
        (
            T.REPORT_L_REGISTERED,
            f"{count_text(r.registered)} ({share_text(r.registered_of_residents)})",
        ),
        (T.REPORT_L_ACTIVE, T.REPORT_NONE if r.active_30d is None else count_text(r.active_30d)),
        (T.REPORT_L_HELPERS, count_text(r.helpers)),
    ]


# --- Excel ---


def to_xlsx(r: Report, out: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    pct_fmt = '0.0"%"'

    def table(ws, top: int, header: list[str], rows: list[list]) -> None:
        for j, h in enumerate(header, 1):
            c = ws.cell(top, j, h)
            c.font, c.fill = bold, head_fill
            c.alignment = Alignment(wrap_text=True, vertical="center")
        for i, row in enumerate(rows, top + 1):
            for j, v in enumerate(row, 1):
                c = ws.cell(i, j, v)
                if isinstance(v, float):
                    c.number_format = pct_fmt
        for j in range(1, len(header) + 1):
            width = max(
                len(str(ws.cell(i, j).value or "")) for i in range(top, top + len(rows) + 1)
            )
            ws.column_dimensions[get_column_letter(j)].width = min(60, max(10, width + 2))

    def cell(v: int | None) -> int | str:
        return T.REPORT_HIDDEN if v is None else v

    ws = wb.active
    ws.title = T.REPORT_SHEET_SUMMARY
    ws["A1"] = T.REPORT_TITLE.format(unit=r.unit_name)
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = T.REPORT_AS_OF.format(date=f"{r.as_of:%d/%m/%Y}")
    for i, (label, value) in enumerate(_summary_lines(r), 4):
        ws.cell(i, 1, label).font = bold
        ws.cell(i, 2, value)
    rows = []
    for k, (label, f) in enumerate(headline_rows(r)):
        key = _indicator_key(k)
        rows.append(
            [label, cell(f.count), f.of_registered, f.of_residents]
            + (target_cells(r, key) if key else ["", ""])
        )
    table(ws, 9, T.REPORT_HEAD_MAIN, rows)
    for i, note in enumerate(target_notes(r), 10 + len(rows) + 1):
        ws.cell(i, 1, note).font = Font(italic=True)

    ws = wb.create_sheet(T.REPORT_SHEET_SUBUNITS)
    rows = [
        [
            i,
            s.name,
            s.older_residents,
            cell(s.registered),
            cell(s.proficient.count),
            s.proficient.of_registered,
            s.proficient.of_residents,
            *(cell(s.areas[a]) for a in AREAS),
        ]
        for i, s in enumerate(r.sub_units, 1)
    ]
    table(ws, 1, [*T.REPORT_HEAD_SUBUNITS, *(T.REPORT_AREAS_SHORT[a] for a in AREAS)], rows)

    ws = wb.create_sheet(T.REPORT_SHEET_TREND)
    rows = [
        [
            p.month,
            p.registered,
            p.proficient,
            *(p.areas[a] for a in AREAS),
            *(p.informed[t] for t in TOPICS),
        ]
        for p in r.trend
    ]
    header = [
        *T.REPORT_HEAD_TREND,
        *(T.REPORT_AREAS_SHORT[a] for a in AREAS),
        *(T.TOPICS[t] for t in TOPICS),
    ]
    table(ws, 1, header, rows)

    ws = wb.create_sheet(T.REPORT_SHEET_GROUPS)
    if r.breakdowns is None:
        ws["A1"] = T.REPORT_NO_BREAKDOWN_PAST
    else:
        rows = [
            [
                T.REPORT_DIMS[dim],
                b.label,
                cell(b.registered),
                cell(b.proficient),
                b.proficient_share,
            ]
            for dim, items in r.breakdowns.items()
            for b in items
        ]
        table(ws, 1, T.REPORT_HEAD_GROUPS, rows)

    ws = wb.create_sheet(T.REPORT_SHEET_OTHER)
    rows = [[i.name, i.total, i.target, i.target_year, i.share] for i in r.indicators]
    table(ws, 1, T.REPORT_HEAD_OTHER, rows)

    if r.suppressed_below:
        for sheet in wb.worksheets:
            sheet.cell(sheet.max_row + 2, 1, T.REPORT_SUPPRESSED_NOTE.format(n=r.suppressed_below))
    wb.save(out)


# --- Word (Nghị định 30/2020/NĐ-CP) ---


def to_docx(r: Report, out: Path) -> None:
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin = Mm(20), Mm(20)
    sec.left_margin, sec.right_margin = Mm(30), Mm(15)
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "Times New Roman")
    style.paragraph_format.space_after = Pt(0)

    def para(cell_or_doc, text: str = "", *, bold=False, italic=False, size=13, align=None,
             underline=False, before=0, after=0):  # fmt: skip
        p = cell_or_doc.add_paragraph()
        if align is not None:
            p.alignment = align
        p.paragraph_format.space_before, p.paragraph_format.space_after = Pt(before), Pt(after)
        run = p.add_run(text)
        run.bold, run.italic, run.underline = bold, italic, underline
        run.font.size = Pt(size)
        return p

    center = WD_ALIGN_PARAGRAPH.CENTER
    head = doc.add_table(rows=1, cols=2)
    head.autofit = False
    _widths(head, (68, 97))
    left, right = head.rows[0].cells
    left.paragraphs[0].text = ""
    right.paragraphs[0].text = ""
    issuer = T.REPORT_ISSUER.format(unit=r.unit_name).upper()
    p = left.paragraphs[0]
    p.alignment = center
    by = p.add_run(issuer)
    by.bold, by.font.size = True, Pt(12)
    para(left, "———", align=center)
    para(left, T.REPORT_NUMBER, align=center)
    p = right.paragraphs[0]
    p.alignment = center
    nation = p.add_run(T.REPORT_NATION)
    nation.bold, nation.font.size = True, Pt(12)
    para(right, T.REPORT_MOTTO, bold=True, size=13, align=center, underline=True)
    day = r.as_of
    where = r.place
    para(
        right,
        T.REPORT_PLACE_DATE.format(place=where, d=day.day, m=day.month, y=day.year),
        italic=True,
        size=14,
        align=center,
        before=6,
    )

    para(doc, T.REPORT_DOC_KIND, bold=True, size=14, align=center, before=18)
    para(doc, T.REPORT_DOC_TITLE.format(unit=r.unit_name), bold=True, size=14, align=center)
    para(doc, "———", align=center, after=12)

    justify = WD_ALIGN_PARAGRAPH.JUSTIFY
    para(doc, T.REPORT_DOC_BASIS, align=justify, after=6)
    para(doc, T.REPORT_DOC_PART1, bold=True, before=6, after=6)
    for label, value in _summary_lines(r):
        para(doc, f"- {label}: {value}", align=justify)

    def grid(header, rows, widths, *, centered=False, size=None) -> None:
        """A bordered table: bold header, one row of strings each, fixed column widths."""
        table = doc.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        if centered:
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for c, h in zip(table.rows[0].cells, header, strict=True):
            c.text = ""
            c.paragraphs[0].add_run(h).bold = True
            if centered:
                c.paragraphs[0].alignment = center
        for values in rows:
            for c, v in zip(table.add_row().cells, values, strict=True):
                c.text = v
        _widths(table, widths)
        if size:
            for run in (run for row in table.rows for c in row.cells for p in c.paragraphs
                        for run in p.runs):  # fmt: skip
                run.font.size = Pt(size)

    grid(
        T.REPORT_DOC_HEAD,
        [
            [
                label,
                count_text(f.count),
                share_text(f.of_registered),
                share_text(f.of_residents),
                "\n".join(target_cells(r, key)) if (key := _indicator_key(k)) else T.REPORT_NONE,
            ]
            for k, (label, f) in enumerate(headline_rows(r))
        ],
        (58, 20, 24, 24, 39),
        centered=True,
        size=12,
    )
    for note in target_notes(r):
        para(doc, note, italic=True, size=11, before=4)

    if r.sub_units:
        para(doc, T.REPORT_DOC_PART_SUB, bold=True, before=12, after=6)
        grid(
            T.REPORT_DOC_SUB_HEAD,
            [
                [
                    str(i),
                    s.name,
                    count_text(s.registered),
                    count_text(s.proficient.count),
                    share_text(s.proficient.of_residents),
                ]
                for i, s in enumerate(r.sub_units[:15], 1)
            ],
            (12, 75, 26, 26, 26),
        )
        if len(r.sub_units) > 15:
            para(doc, T.REPORT_DOC_SUB_MORE.format(n=len(r.sub_units) - 15), italic=True)

    para(doc, T.REPORT_DOC_PART_OTHER, bold=True, before=12, after=6)
    grid(
        T.REPORT_DOC_OTHER_HEAD,
        [
            [
                i.name,
                count_text(i.total),
                T.REPORT_NONE
                if i.target is None
                else T.REPORT_OTHER_TARGET.format(
                    target=count_text(i.target), year=i.target_year, share=share_text(i.share)
                ),
            ]
            for i in r.indicators
        ],
        (80, 30, 55),
    )

    if r.suppressed_below:
        para(doc, T.REPORT_SUPPRESSED_NOTE.format(n=r.suppressed_below), italic=True, size=11,
             before=6)  # fmt: skip
    para(doc, T.REPORT_DOC_PART2, bold=True, before=12, after=6)
    for _ in range(4):
        para(doc, "." * 150, size=11, after=4)
    para(doc, T.REPORT_DOC_PART3, bold=True, before=12, after=6)
    for _ in range(4):
        para(doc, "." * 150, size=11, after=4)

    sign = doc.add_table(rows=1, cols=2)
    left, right = sign.rows[0].cells
    left.paragraphs[0].text = ""
    p = left.paragraphs[0]
    run = p.add_run(T.REPORT_RECIPIENTS)
    run.bold, run.italic = True, True
    run.font.size = Pt(12)
    for line in T.REPORT_RECIPIENT_LINES:
        para(left, line, size=11)
    right.paragraphs[0].text = ""
    p = right.paragraphs[0]
    p.alignment = center
    p.add_run(T.REPORT_SIGN_FOR).bold = True
    para(right, T.REPORT_SIGN_TITLE, bold=True, align=center)
    para(right, T.REPORT_SIGN_HINT, italic=True, align=center)
    doc.core_properties.title = T.REPORT_TITLE.format(unit=r.unit_name)
    doc.core_properties.created = dt.datetime.combine(r.as_of, dt.time())
    doc.save(out)


# --- chart ---


def to_png(r: Report, out: Path) -> None:
    out.write_bytes(png_bytes(r))


def png_bytes(r: Report) -> bytes:
    """Two panels: skills (and proficiency) and topics informed, each bar the share of older
    residents (of registered learners when residents are not entered), with the targets."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    basis = "of_residents" if r.older_residents else "of_registered"
    goals = {t.indicator.partition(":")[0]: {} for t in r.targets}
    for t in r.targets:
        goals[t.indicator.partition(":")[0]][t.year] = t.target
    panels = [
        (
            T.REPORT_CHART_SKILLS,
            [T.REPORT_AREAS_SHORT[a] for a in AREAS] + [T.REPORT_PROFICIENT_SHORT],
            [getattr(r.areas[a], basis) or 0.0 for a in AREAS]
            + [getattr(r.proficient, basis) or 0.0],
            goals.get("proficient", {}),
        ),
        (
            T.REPORT_CHART_INFORMED,
            [T.TOPICS[t] for t in TOPICS],
            [getattr(r.informed[t], basis) or 0.0 for t in TOPICS],
            goals.get("informed", {}),
        ),
    ]
    plt.rcParams["font.family"] = "DejaVu Sans"
    fig, axes = plt.subplots(1, 2, figsize=(12, 5.4), dpi=110, width_ratios=[1.3, 1])
    colors = ("#e08a00", "#1f6fb4")
    for ax, (title, labels, values, goal) in zip(axes, panels, strict=True):
        y = list(range(len(labels)))[::-1]
        bars = ax.barh(y, values, color="#4c9a2a", height=0.6)
        if title == T.REPORT_CHART_SKILLS:
            bars[-1].set_color("#2b5d16")
        for (year, target), color in zip(sorted(goal.items()), colors, strict=False):
            label = T.REPORT_CHART_TARGET.format(year=year, target=f"{target:g}")
            ax.axvline(target, color=color, linestyle="--", linewidth=2, label=label)
        for rect, v in zip(bars, values, strict=True):
            ax.text(rect.get_width() + 1, rect.get_y() + rect.get_height() / 2,
                    f"{v:.1f}%".replace(".", ","), va="center", fontsize=11)  # fmt: skip
        ax.set_yticks(y, labels, fontsize=11)
        ax.set_xlim(0, 110)
        ax.legend(loc="lower right", fontsize=10, framealpha=0.9)
        ax.set_title(title, fontsize=13, fontweight="bold")
        ax.spines[["top", "right"]].set_visible(False)
    unit_basis = T.REPORT_CHART_BASIS_RES if basis == "of_residents" else T.REPORT_CHART_BASIS_REG
    fig.suptitle(
        T.REPORT_CHART_TITLE.format(unit=r.unit_name, date=f"{r.as_of:%d/%m/%Y}", basis=unit_basis),
        fontsize=14,
    )
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()
