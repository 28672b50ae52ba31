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


# --- small counts, hidden the same way in every printed table ---


def shown(r: Report, n: int | None) -> int | None:
    """`n`, or None where the printed files' footnote says counts from 1 to 4 are hidden (every
    report above a branch): headline figures too, so no table contradicts the note."""
    if n is None or not r.suppressed_below:
        return n
    return None if 0 < n < r.suppressed_below else n


def shown_figure(r: Report, f: Figure) -> Figure:
    """A figure with its count hidden, and its shares with it (a share would give it away)."""
    if shown(r, f.count) is None and f.count is not None:
        return Figure(count=None)
    return f


def shown_headline(r: Report) -> list[tuple[str, Figure]]:
    """The headline rows as printed: small counts hidden."""
    return [(label, shown_figure(r, f)) for label, f in headline_rows(r)]


def _printed_summary(r: Report) -> list[tuple[str, int | str | None, float | None]]:
    """(label, count, share) for the lines above the main table; hidden counts None."""
    res_label = T.REPORT_L_RESIDENTS
    if r.residents_from_sub_units and r.older_residents is not None:
        res_label += T.REPORT_RES_FROM_SUBS
    reg = shown(r, r.registered)
    active = T.REPORT_NONE if r.active_30d is None else shown(r, r.active_30d)
    return [
        (res_label, T.REPORT_NONE if r.older_residents is None else r.older_residents, None),
        (T.REPORT_L_REGISTERED, reg, r.registered_of_residents if reg is not None else None),
        (T.REPORT_L_ACTIVE, active, None),
        (T.REPORT_L_HELPERS, shown(r, r.helpers), None),
    ]


# --- Excel ---

XL_LINE_PT = 16.5  # one line of 11 pt text with Vietnamese stacked marks (ế, ộ, ữ) uncut
XL_PCT = "0.0%"
XL_INT = "#,##0"


def to_xlsx(r: Report, out: Path) -> None:
    """A workbook a leader can sum and print: counts are integers and shares real percentages
    (with number formats), each sheet has its print area, fits one page wide (landscape where
    the table is wide), repeats its header row on every page, and its rows are tall enough
    for the wrapped Vietnamese labels."""
    import math

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    wb = Workbook()
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    thin = Side(style="thin", color="808080")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="center")
    right = Alignment(horizontal="right", vertical="center")

    def put(ws, row: int, col: int, v, *, pct: bool = False):
        """One cell: an int count, a share as a fraction shown as a percentage, a hidden count
        as «<5» (text, said in the note), or a label that wraps."""
        if v is None:
            c = ws.cell(row, col, T.REPORT_HIDDEN if not pct else T.REPORT_NONE)
            c.alignment = right
        elif pct:
            c = ws.cell(row, col, round(v / 100, 4))
            c.number_format, c.alignment = XL_PCT, right
        elif isinstance(v, int):
            c = ws.cell(row, col, v)
            c.number_format, c.alignment = XL_INT, right
        else:
            c = ws.cell(row, col, v)
            c.alignment = wrap
        return c

    def fit_height(ws, row: int, widths: list[float], first_col: int = 1) -> None:
        """Row height for the longest wrapped cell (Excel does not grow rows by itself)."""
        lines = 1
        for j, w in enumerate(widths, first_col):
            v = ws.cell(row, j).value
            if isinstance(v, str):
                per_line = max(1.0, w * 1.1 - 1)  # characters per line at 11 pt, roughly
                lines = max(lines, sum(math.ceil(len(part) / per_line) or 1
                                       for part in v.split("\n")))  # fmt: skip
        ws.row_dimensions[row].height = round(lines * XL_LINE_PT + 3, 1)

    def table(ws, top: int, header: list[str], rows: list[list], widths: list[float],
              pct_cols: set[int] = frozenset()) -> int:  # fmt: skip
        """Header and rows from `top`; returns the last row. Columns are 1-based in pct_cols."""
        for j, w in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(j)].width = w
        for j, h in enumerate(header, 1):
            c = ws.cell(top, j, h)
            c.font, c.fill, c.border = bold, head_fill, box
            c.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        fit_height(ws, top, widths)
        for i, row in enumerate(rows, top + 1):
            for j, v in enumerate(row, 1):
                put(ws, i, j, v, pct=j in pct_cols).border = box
            fit_height(ws, i, widths)
        return top + len(rows)

    def page(ws, last_col: int, last_row: int, header_row: int | None, landscape: bool) -> None:
        """Print setup: A4, area, one page wide, header row repeated, centred."""
        ws.print_area = f"A1:{get_column_letter(last_col)}{max(last_row, 1)}"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape" if landscape else "portrait"
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0  # as many pages tall as the rows need
        if header_row:
            ws.print_title_rows = f"{header_row}:{header_row}"
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.5
        ws.page_margins.top = ws.page_margins.bottom = 0.6
        ws.oddFooter.center.text = "&P / &N"

    def note(ws, row: int, text: str, width_cols: int) -> int:
        """An italic note across the table's width, wrapped; returns its row."""
        c = ws.cell(row, 1, text)
        c.font, c.alignment = Font(italic=True), Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width_cols)
        total = sum(ws.column_dimensions[get_column_letter(j)].width or 10
                    for j in range(1, width_cols + 1))  # fmt: skip
        per_line = max(1.0, total * 1.1)
        ws.row_dimensions[row].height = round(math.ceil(len(text) / per_line) * XL_LINE_PT + 3, 1)
        return row

    def notes(ws, row: int, width_cols: int, extra: list[str] = ()) -> int:
        last = row - 1
        texts_ = [*extra]
        if r.suppressed_below:
            texts_.append(T.REPORT_SUPPRESSED_NOTE.format(n=r.suppressed_below))
        for k, text in enumerate(texts_):
            last = note(ws, row + k, text, width_cols)
        return last

    # Summary: the headline figures, portrait.
    ws = wb.active
    ws.title = T.REPORT_SHEET_SUMMARY
    widths = [44, 12, 14, 14, 18, 18]
    for j, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(j)].width = w
    ws["A1"] = T.REPORT_TITLE.format(unit=r.unit_name)
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(wrap_text=True, vertical="center")
    ws.merge_cells("A1:F1")
    ws.row_dimensions[1].height = 2 * 21 + 3
    ws["A2"] = T.REPORT_AS_OF.format(date=f"{r.as_of:%d/%m/%Y}")
    ws.merge_cells("A2:F2")
    for i, (label, value, share) in enumerate(_printed_summary(r), 4):
        c = ws.cell(i, 1, label)
        c.font, c.alignment = bold, wrap
        put(ws, i, 2, value)
        if share is not None:
            put(ws, i, 3, share, pct=True)
        fit_height(ws, i, widths[:1])
    rows = []
    for k, (label, f) in enumerate(headline_rows(r)):
        key = _indicator_key(k)
        f = shown_figure(r, f)
        rows.append(
            [label, f.count, f.of_registered, f.of_residents]
            + (target_cells(r, key) if key else [T.REPORT_NONE, T.REPORT_NONE])
        )
    head_row = 9
    last = table(ws, head_row, T.REPORT_HEAD_MAIN, rows, widths, {3, 4})
    last = notes(ws, last + 2, len(widths), target_notes(r))
    page(ws, len(widths), last, head_row, landscape=False)

    # Sub-units: wide, landscape.
    ws = wb.create_sheet(T.REPORT_SHEET_SUBUNITS)
    rows = [
        [
            i,
            s.name,
            s.older_residents if s.older_residents is not None else T.REPORT_NONE,
            s.registered,
            s.proficient.count,
            s.proficient.of_registered,
            s.proficient.of_residents,
            *(s.areas[a] for a in AREAS),
        ]
        for i, s in enumerate(r.sub_units, 1)
    ]
    header = [*T.REPORT_HEAD_SUBUNITS, *(T.REPORT_AREAS_SHORT[a] for a in AREAS)]
    widths = [6, 34, 11, 11, 12, 11, 11, *(11 for _ in AREAS)]
    last = table(ws, 1, header, rows, widths, {6, 7})
    last = notes(ws, last + 2, len(widths))
    page(ws, len(widths), last, 1, landscape=True)

    # Trend: one row a month, landscape.
    ws = wb.create_sheet(T.REPORT_SHEET_TREND)
    rows = [
        [
            p.month,
            shown(r, p.registered),
            shown(r, p.proficient),
            *(shown(r, p.areas[a]) for a in AREAS),
            *(shown(r, p.informed[t]) for t in TOPICS),
        ]
        for p in r.trend
    ]
    header = [
        *T.REPORT_HEAD_TREND,
        *(T.REPORT_AREAS_SHORT[a] for a in AREAS),
        *(T.TOPICS[t] for t in TOPICS),
    ]
    widths = [10, 11, 12, *(11 for _ in AREAS), *(11 for _ in TOPICS)]
    last = table(ws, 1, header, rows, widths)
    last = notes(ws, last + 2, len(widths))
    page(ws, len(widths), last, 1, landscape=True)

    # Groups: portrait.
    ws = wb.create_sheet(T.REPORT_SHEET_GROUPS)
    widths = [18, 26, 14, 16, 12]
    if r.breakdowns is None:
        for j, w in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(j)].width = w
        last = note(ws, 1, T.REPORT_NO_BREAKDOWN_PAST, len(widths))
        page(ws, len(widths), last, None, landscape=False)
    else:
        rows = [
            [T.REPORT_DIMS[dim], b.label, b.registered, b.proficient, b.proficient_share]
            for dim, items in r.breakdowns.items()
            for b in items
        ]
        last = table(ws, 1, T.REPORT_HEAD_GROUPS, rows, widths, {5})
        last = notes(ws, last + 2, len(widths))
        page(ws, len(widths), last, 1, landscape=False)

    # Other indicators: portrait.
    ws = wb.create_sheet(T.REPORT_SHEET_OTHER)
    rows = [
        [
            i.name,
            i.total,
            T.REPORT_NONE if i.target is None else i.target,
            T.REPORT_NONE if i.target_year is None else str(i.target_year),
            i.share,
        ]
        for i in r.indicators
    ]
    widths = [42, 12, 12, 8, 13]
    last = table(ws, 1, T.REPORT_HEAD_OTHER, rows, widths, {5})
    page(ws, len(widths), last, 1, landscape=False)
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
    for label, value, share in _printed_summary(r):
        value = count_text(value) if value is None or isinstance(value, int) else value
        if share is not None:
            value += f" ({share_text(share)})"
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
        _keep_rows_whole(table)
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
            for k, (label, f) in enumerate(shown_headline(r))
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


def _keep_rows_whole(table) -> None:
    """No row split across two pages (w:cantSplit), and the header row repeated on every page
    the table runs onto (w:tblHeader)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for i, row in enumerate(table.rows):
        tr_pr = row._tr.get_or_add_trPr()
        for tag in ("w:cantSplit", *(("w:tblHeader",) if i == 0 else ())):
            if tr_pr.find(qn(tag)) is None:
                el = OxmlElement(tag)
                el.set(qn("w:val"), "true")
                tr_pr.append(el)


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
    fig = chart_figure(r, plt, panels, basis)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


BAR_HEIGHT = 0.6
TARGET_REACH = 0.42  # a target mark spans its bar and a little more, not the whole panel


def chart_figure(r: Report, plt, panels, basis: str):
    """The figure itself (kept apart so tests can read where each target line is drawn)."""
    fig, axes = plt.subplots(1, 2, figsize=(12, 5.4), dpi=110, width_ratios=[1.3, 1])
    colors = ("#e08a00", "#1f6fb4")
    for ax, (title, labels, values, goal) in zip(axes, panels, strict=True):
        y = list(range(len(labels)))[::-1]
        bars = ax.barh(y, values, color="#4c9a2a", height=BAR_HEIGHT)
        skills = title == T.REPORT_CHART_SKILLS
        if skills:
            bars[-1].set_color("#2b5d16")
        # A target is a mark across the bars it is set for: «thành thạo cả 4» among the skills
        # (the areas have no target of their own), every topic's bar among the informed.
        aimed = [y[-1]] if skills else y
        for (year, target), color in zip(sorted(goal.items()), colors, strict=False):
            label = T.REPORT_CHART_TARGET.format(year=year, target=f"{target:g}")
            for k, at in enumerate(aimed):
                ax.vlines(target, at - TARGET_REACH, at + TARGET_REACH, color=color,
                          linestyle="--", linewidth=2.5, gid=f"target:{title}:{year}",
                          label=label if k == 0 else None)  # fmt: skip
        for rect, v in zip(bars, values, strict=True):
            ax.text(rect.get_width() + 1, rect.get_y() + rect.get_height() / 2,
                    f"{v:.1f}%".replace(".", ","), va="center", fontsize=11)  # fmt: skip
        ax.set_yticks(y, labels, fontsize=11)
        ax.set_xlim(0, 110)
        if goal:
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.06), ncol=2, fontsize=10,
                      frameon=False)  # fmt: skip
        ax.set_title(title, fontsize=13, fontweight="bold")
        ax.spines[["top", "right"]].set_visible(False)
    unit_basis = T.REPORT_CHART_BASIS_RES if basis == "of_residents" else T.REPORT_CHART_BASIS_REG
    fig.suptitle(
        T.REPORT_CHART_TITLE.format(unit=r.unit_name, date=f"{r.as_of:%d/%m/%Y}", basis=unit_basis),
        fontsize=14,
    )
    fig.tight_layout()
    return fig
