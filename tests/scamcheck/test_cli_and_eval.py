"""`python -m bot scamcheck` (the JSON lines contract) and the benchmark's quick mode."""

import json
import subprocess
import sys
from pathlib import Path

from bot.scamcheck import check
from tests.scamcheck.test_blind_set import _eval_module

ROOT = Path(__file__).resolve().parents[2]


def run(args, stdin="", env=None):
    import os

    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=ROOT, input=stdin, capture_output=True,
        text=True, timeout=120, env={**os.environ, **(env or {})},
    )  # fmt: skip


def test_json_lines_in_one_verdict_or_error_per_line(tmp_path):
    lines = [
        json.dumps({"text": "Em bên ngân hàng, bác đọc giúp em mã OTP vừa gửi về nhé"}),
        "not json",
        json.dumps({"x": 1}),
        json.dumps({"image": str(tmp_path / "missing.png")}),
        json.dumps({"text": "Mẹ ơi tối nay con về ăn cơm nhé"}),
    ]
    out = run(["scamcheck"], "\n".join(lines) + "\n")
    assert out.returncode == 0, out.stderr
    got = [json.loads(x) for x in out.stdout.splitlines()]
    assert len(got) == 5
    assert got[0]["verdict"] == "scam" and 0 <= got[0]["score"] <= 1 and got[0]["signs"]
    assert all("error" in g for g in got[1:4])
    assert got[4]["verdict"] in ("ok", "unsure") and set(got[4]) >= {"verdict", "score", "signs"}


def test_a_warning_is_marked_as_advice_in_the_json():
    text = "Công an khuyến cáo: tuyệt đối không cung cấp mã OTP, không chuyển tiền cho người lạ."
    out = run(["scamcheck"], json.dumps({"text": text}) + "\n")
    got = json.loads(out.stdout)
    assert got["advice"] is True and got["verdict"] != "scam"
    plain = json.loads(run(["scamcheck"], json.dumps({"text": "Chào bác"}) + "\n").stdout)
    assert "advice" not in plain


def test_update_blocklist_offline(tmp_path):
    src = tmp_path / "list.txt"
    src.write_text("# mới\nlua-dao-abc[.]com\n")
    env = {"HOCSO_SCAM_BLOCKLIST": str(tmp_path / "bl.txt")}
    out = run(["scamcheck", "update-blocklist", str(src)], env=env)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "bl.txt").read_text().split() == ["lua-dao-abc.com"]
    verdict = run(["scamcheck"], json.dumps({"text": "vào lua-dao-abc.com nhé"}) + "\n", env=env)
    assert "link_blocked" in json.loads(verdict.stdout)["codes"]


def test_eval_quick_prints_honest_figures():
    out = subprocess.run(
        [sys.executable, "benchmarks/scamcheck_eval.py", "--quick"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    print(out.stdout)
    assert out.returncode == 0, out.stderr
    for word in ("Split:", "held out", "precision", "recall", "F1", "false alarms", "median"):
        assert word in out.stdout
    assert "first check" in out.stdout
    assert "written by the project" in out.stdout  # the provenance is printed
    # the read real messages train the model, so they are judged cross-validated by page
    assert "READ real messages (data/real_read.csv), cross-validated by page" in out.stdout
    # a blind set still unread apart, by the shipped model, with the false-alarm rate's upper
    # bound; then all the real sets together
    if ev_files_still_blind():
        assert "STILL BLIND (" in out.stdout
    assert "95% upper: exact" in out.stdout
    assert "ALL REAL (real_messages.csv + real_blind*.csv)" in out.stdout
    # the fixed split by file, and the false-alarm rate's two-sided interval
    assert "Real split (fixed, by file)" in out.stdout and "real_blind2.csv" in out.stdout
    assert "95% CI: Wilson" in out.stdout
    # the threshold's trade-off is printed, with the shipped threshold marked
    assert "threshold trade-off" in out.stdout and f" *{check.SCAM_AT:.2f}: F1 " in out.stdout
    # the careful reader's verdicts beside the checker's, on the same rows
    assert "A careful reader, from the text alone, on 230" in out.stdout
    assert "reader, verdict 'scam'" in out.stdout and "checker, verdict 'scam'" in out.stdout
    # rows of files still blind are counted, never printed
    blind_ids = {e.id for p in ev_files_still_blind() for e in _eval_module().blind_examples(p)}
    listed = {
        line.split()[0]
        for line in out.stdout.splitlines()
        if line.startswith("  ") and " -> " in line
    }
    assert not blind_ids & listed


def ev_files_still_blind():
    ev = _eval_module()
    return [p for p in ev.blind_files() if p.name not in ev.SEEN]
