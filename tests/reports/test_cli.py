"""`python -m bot report` and `python -m bot admin`: any database, every format, clean refusals."""

from __future__ import annotations

import json
import sqlite3

import openpyxl
from docx import Document
from PIL import Image

from bot import texts
from bot.__main__ import main


def report(db, tmp_path, unit: str, fmt: str, *extra: str) -> tuple[int, object]:
    out = tmp_path / f"r.{fmt}"
    code = main(
        ["report", "--unit", unit, "--format", fmt, "--out", str(out), "--db", str(db), *extra]
    )
    return code, out


def test_every_format_on_an_empty_database_gives_zeros(tmp_path, capsys):
    db = tmp_path / "empty.db"
    code, out = report(db, tmp_path, "province:19", "json")
    assert code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["unit_name"] == "Thái Nguyên"
    assert data["registered"] == 0 and data["proficient"]["count"] == 0
    assert data["older_residents"] is None and data["proficient"]["of_residents"] is None
    assert len(data["sub_units"]) > 50  # every commune of the province, with zeros
    assert [t["target"] for t in data["targets"] if t["indicator"] == "proficient"] == [50.0, 70.0]
    assert {i["key"]: i["total"] for i in data["indicators"]}["trees"] == 0

    code, out = report(db, tmp_path, "commune:5800", "xlsx")
    assert code == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == [
        texts.REPORT_SHEET_SUMMARY,
        texts.REPORT_SHEET_SUBUNITS,
        texts.REPORT_SHEET_TREND,
        texts.REPORT_SHEET_GROUPS,
        texts.REPORT_SHEET_OTHER,
    ]
    code, out = report(db, tmp_path, "all", "docx")
    assert code == 0
    body = "\n".join(p.text for p in Document(out).paragraphs)
    assert texts.REPORT_DOC_KIND in body and texts.REPORT_SIGN_HINT in "\n".join(
        c.text for t in Document(out).tables for row in t.rows for c in row.cells
    )
    code, out = report(db, tmp_path, "province:19", "png")
    assert code == 0 and Image.open(out).format == "PNG"
    assert "Đã ghi báo cáo" in capsys.readouterr().out


def test_unknown_units_and_future_dates_are_refused_politely(tmp_path, capsys):
    db = tmp_path / "x.db"
    for unit in ("province:999", "commune:abc", "xa:1", "branch:7"):
        code, out = report(db, tmp_path, unit, "json")
        assert code == 2 and not out.exists()
        assert "Không có đơn vị" in capsys.readouterr().err
    code, _ = report(db, tmp_path, "all", "json", "--as-of", "2999-01-01")
    assert code == 2
    assert texts.CLI_REPORT_FUTURE in capsys.readouterr().err


def test_targets_set_for_a_province_apply_to_its_communes_and_are_audited(tmp_path):
    db = str(tmp_path / "t.db")
    lao_cai = "province:15"
    for args in (
        ["target", "--indicator", "proficient", "--year", "2030", "--percent", "35"],
        ["target", "--indicator", "proficient", "--year", "2035", "--percent", "45"],
        ["target", "--indicator", "informed", "--year", "2030", "--percent", "60"],
        ["population", "--value", "52000"],
        ["indicator", "--indicator", "trees", "--value", "1000", "--note", "Tết trồng cây"],
        ["indicator-target", "--indicator", "trees", "--year", "2030", "--value", "10000"],
    ):
        assert main(["admin", *args, "--unit", lao_cai, "--db", db]) == 0
    assert main(["admin", "population", "--value", "-3", "--unit", lao_cai, "--db", db]) == 2
    assert main(["admin", "target", "--indicator", "informed", "--year", "2030",
                 "--percent", "130", "--unit", lao_cai, "--db", db]) == 2  # fmt: skip

    commune = next(
        s["unit"]
        for s in json.loads(report(db, tmp_path, lao_cai, "json")[1].read_text())["sub_units"]
    )
    data = json.loads(report(db, tmp_path, commune, "json")[1].read_text())
    goals = {(t["indicator"], t["year"]): t["target"] for t in data["targets"]}
    assert goals[("proficient", 2030)] == 35 and goals[("proficient", 2035)] == 45
    assert goals[("informed:viec_lam", 2030)] == 60 and goals[("informed:viec_lam", 2035)] == 100
    province = json.loads(report(db, tmp_path, lao_cai, "json")[1].read_text())
    assert province["older_residents"] == 52000
    trees = next(i for i in province["indicators"] if i["key"] == "trees")
    assert (trees["total"], trees["target"], trees["share"]) == (1000, 10000, 10.0)
    with sqlite3.connect(db) as conn:
        actions = [a for (a,) in conn.execute("SELECT action FROM audit_log ORDER BY id")]
    assert actions == [
        "cli:target",
        "cli:target",
        "cli:target",
        "cli:population",
        "cli:indicator",
        "cli:indicator-target",
    ]
