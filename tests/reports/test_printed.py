"""The files a leader prints: real numbers in Excel, print setup on every sheet, small counts
hidden in Word as its footnote says, rows kept whole, chart targets on their own bars, units
named by their Vietnamese name on the command line. Checked by reading the files back."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import shutil
import subprocess

import openpyxl
import pytest
from docx import Document
from docx.oxml.ns import qn

from bot import texts
from bot.__main__ import main
from bot.reports.compute import Figure, TrendPoint, build
from bot.reports.render import XL_INT, XL_LINE_PT, XL_PCT, render
from storage.db import Database
from storage.reports import AREAS, TOPICS

AS_OF = dt.date(2026, 11, 30)


async def sample(tmp_path, unit: str = "province:19"):
    """A province report with realistic figures: 2.350 registered of 182.500, one topic with
    only 3 people informed, ninety-odd communes with small and large counts."""
    db = await Database.open(tmp_path / "s.db")
    async with db.transaction() as s:
        r = await build(s, unit, AS_OF, AS_OF)
    await db.close()
    res, reg = 182_500, 2_350

    def fig(n: int) -> Figure:
        return Figure(
            count=n, of_registered=round(100 * n / reg, 1), of_residents=round(100 * n / res, 1)
        )

    subs = []
    for i, s in enumerate(r.sub_units):
        n, p = (i * 7) % 61, (i * 5) % 31
        p = min(p, n)
        hide = r.suppressed_below is not None
        subs.append(
            s.model_copy(
                update={
                    "older_residents": 1000 + 17 * i,
                    "registered": None if hide and 0 < n < 5 else n,
                    "proficient": Figure(count=None)
                    if hide and 0 < p < 5
                    else Figure(count=p, of_registered=round(100 * p / max(n, 1), 1)),
                    "areas": {a: (i + k) % 40 for k, a in enumerate(AREAS)},
                }
            )
        )
    informed = dict(zip(TOPICS, (3, 1900, 1500, 1210, 800, 700, 600), strict=False))
    return r.model_copy(
        update={
            "older_residents": res,
            "registered": reg,
            "helpers": 41,
            "active_30d": 1204,
            "registered_of_residents": round(100 * reg / res, 1),
            "areas": {a: fig(n) for a, n in zip(AREAS, (1200, 980, 760, 1500, 300), strict=True)},
            "proficient": fig(612),
            "informed": {t: fig(informed[t]) for t in TOPICS},
            "trend": [
                TrendPoint(
                    month=f"2026-{m:02d}",
                    registered=200 * m,
                    proficient=50 * m,
                    areas={a: 90 * m for a in AREAS},
                    informed={t: 100 * m for t in TOPICS},
                )
                for m in range(1, 12)
            ],
            "sub_units": subs,
        }
    )


def values(ws) -> list:
    return [c.value for row in ws.iter_rows() for c in row if c.value is not None]


async def test_excel_numbers_are_numbers_and_every_sheet_prints_one_page_wide(tmp_path):
    r = await sample(tmp_path)
    book = openpyxl.load_workbook(render(r, "xlsx", tmp_path / "r.xlsx"))
    for ws in book.worksheets:
        # No count glued to its share as text ("6 (0,3%)"): nothing to sum there.
        glued = [v for v in values(ws) if isinstance(v, str) and re.search(r"\d+ \(\d", v)]
        assert glued == [], (ws.title, glued)
        assert ws.print_area, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0, ws.title
        assert int(ws.page_setup.paperSize) == 9  # A4
    summary, subs, trend, groups, other = book.worksheets
    assert summary.page_setup.orientation == other.page_setup.orientation == "portrait"
    assert subs.page_setup.orientation == trend.page_setup.orientation == "landscape"
    assert summary.print_title_rows == "$9:$9" and subs.print_title_rows == "$1:$1"
    assert trend.print_title_rows == groups.print_title_rows == "$1:$1"
    # The print area covers the whole table and its notes, nothing more.
    last = summary.print_area.split(":")[-1]
    assert last.startswith("$F$")
    assert texts.REPORT_SUPPRESSED_NOTE.format(n=5) in values(summary)

    # The headline table: counts are integers, shares fractions shown as percentages.
    rows = {
        summary.cell(i, 1).value: [summary.cell(i, j) for j in range(2, 5)]
        for i in range(10, summary.max_row + 1)
    }
    count, of_reg, of_res = rows[texts.REPORT_PROFICIENT]
    assert count.value == 612 and count.data_type == "n" and count.number_format == XL_INT
    assert of_reg.value == pytest.approx(0.26) and of_reg.number_format == XL_PCT
    assert of_res.value == pytest.approx(0.003) and of_res.number_format == XL_PCT
    # Three people informed: hidden, with the shares that would give them away.
    small = rows[texts.REPORT_INFORMED.format(topic=texts.TOPICS[TOPICS[0]].lower())]
    assert [c.value for c in small] == [texts.REPORT_HIDDEN, texts.REPORT_NONE, texts.REPORT_NONE]
    assert summary.cell(4, 2).value == 182_500  # residents: a number
    assert summary.cell(5, 2).value == 2_350 and summary.cell(5, 3).number_format == XL_PCT

    # Sub-units sum: every shown count is an int.
    regs = [subs.cell(i, 4).value for i in range(2, 2 + len(r.sub_units))]
    assert all(isinstance(v, int) or v == texts.REPORT_HIDDEN for v in regs)
    assert sum(v for v in regs if isinstance(v, int)) > 0
    assert all(isinstance(subs.cell(i, 1).value, int) for i in range(2, 2 + len(r.sub_units)))
    # Labels that wrap get rows tall enough for their lines (Excel would cut them otherwise).
    for ws in (summary, subs, trend):
        head = 9 if ws is summary else 1
        assert ws.row_dimensions[head].height >= 2 * XL_LINE_PT, ws.title
        assert all(ws.cell(head, j).alignment.wrap_text for j in range(1, ws.max_column + 1))
    assert summary.row_dimensions[5].height >= 2 * XL_LINE_PT  # the long «đăng ký học» label


async def test_word_hides_small_counts_everywhere_and_keeps_rows_whole(tmp_path):
    r = await sample(tmp_path, "commune:5800")
    doc = Document(render(r, "docx", tmp_path / "r.docx"))
    body = "\n".join(p.text for p in doc.paragraphs)
    assert texts.REPORT_SUPPRESSED_NOTE.format(n=5) in body
    main_table = next(t for t in doc.tables if t.rows[0].cells[0].text == texts.REPORT_DOC_HEAD[0])
    label = texts.REPORT_INFORMED.format(topic=texts.TOPICS[TOPICS[0]].lower())
    row = next(r_ for r_ in main_table.rows if r_.cells[0].text == label)
    assert [c.text for c in row.cells[1:4]] == [texts.REPORT_HIDDEN, "—", "—"]
    assert "- " + texts.REPORT_L_HELPERS + ": 41" in body
    for table in doc.tables[1:-1]:  # the bordered tables (not the heading or signature)
        for i, tr in enumerate(table.rows):
            pr = tr._tr.trPr
            assert pr is not None and pr.find(qn("w:cantSplit")) is not None
            assert (pr.find(qn("w:tblHeader")) is not None) == (i == 0)
    # No cell anywhere shows a count from 1 to 4.
    cells = [c.text for t in doc.tables[1:-1] for row in t.rows[1:] for c in row.cells[1:4]]
    assert not [c for c in cells if re.fullmatch(r"[1-4]", c)]

    # A branch's own report hides nothing (its footnote is absent too).
    b = r.model_copy(update={"suppressed_below": None, "unit": "branch:1"})
    doc = Document(render(b, "docx", tmp_path / "b.docx"))
    main_table = next(t for t in doc.tables if t.rows[0].cells[0].text == texts.REPORT_DOC_HEAD[0])
    row = next(r_ for r_ in main_table.rows if r_.cells[0].text == label)
    assert row.cells[1].text == "3"
    assert texts.REPORT_SUPPRESSED_NOTE.format(n=5) not in "\n".join(p.text for p in doc.paragraphs)


async def test_chart_targets_sit_on_the_bars_they_are_for(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from bot.reports import render as rr

    r = await sample(tmp_path)
    captured = {}
    real = rr.chart_figure

    def keep(*a, **kw):
        captured["fig"] = fig = real(*a, **kw)
        return fig

    rr.chart_figure = keep
    try:
        assert rr.png_bytes(r)[:4] == b"\x89PNG"
    finally:
        rr.chart_figure = real
    skills, informed = captured["fig"].axes
    plt.close(captured["fig"])

    def marks(ax) -> list[tuple[float, float, float]]:
        out = []
        for coll in ax.collections:
            if (coll.get_gid() or "").startswith("target:"):
                for seg in coll.get_segments():
                    (x0, y0), (x1, y1) = seg
                    assert x0 == x1
                    out.append((x0, min(y0, y1), max(y0, y1)))
        return out

    bars = {b.get_y() + b.get_height() / 2: b for b in skills.patches}
    proficient_y = min(bars)  # the last label, drawn at the bottom
    skill_marks = marks(skills)
    assert sorted(x for x, _, _ in skill_marks) == [50.0, 70.0]
    for _, lo, hi in skill_marks:  # only across «thành thạo cả 4»
        assert lo < proficient_y < hi and hi - lo < 1
    other_bars = [y for y in bars if y != proficient_y]
    assert not any(lo < y < hi for y in other_bars for _, lo, hi in skill_marks)
    topic_marks = marks(informed)
    assert sorted({x for x, _, _ in topic_marks}) == [90.0, 100.0]
    assert len(topic_marks) == 2 * len(TOPICS)  # each topic bar gets its own two marks


def test_units_are_named_in_vietnamese_on_the_command_line(tmp_path, capsys):
    db = tmp_path / "u.db"

    async def one_branch() -> None:
        database = await Database.open(db)
        async with database.sql(write=True) as conn:
            await conn.execute(
                "INSERT INTO branches (id, commune_code, name, created_at)"
                " VALUES (1, 5800, 'Xóm Đồng Tâm', 'x')"
            )
        await database.close()

    asyncio.run(one_branch())

    def run(unit: str) -> tuple[int, str, str]:
        out = tmp_path / "r.json"
        out.unlink(missing_ok=True)
        code = main(["report", "--unit", unit, "--format", "json", "--out", str(out),
                     "--db", str(db)])  # fmt: skip
        got = capsys.readouterr()
        name = out.read_text(encoding="utf-8") if out.exists() else ""
        return code, name + got.out, got.err

    for typed in ("Phú Thịnh", "phu thinh", "xã Phú Thịnh", "commune:5800"):
        code, out, _ = run(typed)
        assert code == 0 and '"unit": "commune:5800"' in out, typed
    for typed in ("Trường Vinh", "truong vinh", "commune:16690"):
        code, out, _ = run(typed)
        assert code == 0 and '"unit": "commune:16690"' in out, typed
    code, out, _ = run("Xóm Đồng Tâm")  # a branch, by its name
    assert code == 0 and '"unit": "branch:1"' in out
    code, out, _ = run("chi hoi xom dong tam")
    assert code == 0 and '"unit": "branch:1"' in out
    code, out, _ = run("Thái Nguyên")
    assert code == 0 and '"unit": "province:19"' in out

    # Several communes share a name: listed with codes and names, nothing written.
    code, out, err = run("Tân Phú")
    assert code == 2 and out == ""
    listed = re.findall(r"^\s+(commune:\d+)\s+(.+)$", err, re.M)
    assert len(listed) >= 5 and all("Tân Phú" in name for _, name in listed)
    assert texts.CLI_UNIT_WHICH.format(unit="Tân Phú", n=len(listed)) in err
    code, _, err = run("khong co noi nay dau")
    assert code == 2 and "Không có đơn vị" in err


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_printed_through_libreoffice_the_pages_are_few(tmp_path):
    """What a leader's printer gets: the province report's workbook in a few pages (its ninety
    communes take three landscape pages), the Word report in two."""
    r = asyncio.run(sample(tmp_path))
    for fmt, most in (("xlsx", 7), ("docx", 3)):
        src = render(r, fmt, tmp_path / f"r.{fmt}")
        subprocess.run(
            ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
             "--convert-to", "pdf", "--outdir", str(tmp_path / fmt), str(src)],
            check=True, capture_output=True, timeout=240,
        )  # fmt: skip
        pdf = (tmp_path / fmt / "r.pdf").read_bytes()
        pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
        assert 1 <= pages <= most, (fmt, pages)
