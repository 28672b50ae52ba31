"""The shipped model and the real messages: current, exact, with provenance; only read ones trained on."""

import csv
import subprocess
import sys

from bot.scamcheck import check_text, model
from bot.scamcheck.normalize import fold
from bot.scamcheck.rules import signs


def test_shipped_model_is_current_and_answers_like_scikit_learn():
    shipped = model.load_shipped()
    assert shipped is not None, "run: python -m bot scamcheck build-model"
    trained = model.Model(model.training_rows())
    rows = model.examples()[::7] + model.read_real_examples()[::3]
    for e in rows:
        text = fold(e.text)
        assert abs(shipped.probability(text) - trained.probability(text)) < 1e-9, e.id


def test_build_writes_the_same_bytes_each_time(tmp_path):
    a = model.build(tmp_path / "a.json.gz").read_bytes()
    b = model.build(tmp_path / "b.json.gz").read_bytes()
    assert a == b == model.SHIPPED.read_bytes()


def test_stale_or_broken_model_file_is_not_used(tmp_path, monkeypatch):
    assert model.load_shipped(tmp_path / "missing.json.gz") is None
    bad = tmp_path / "bad.json.gz"
    bad.write_bytes(b"not gzip")
    assert model.load_shipped(bad) is None
    monkeypatch.setattr(model, "fingerprint", lambda: {"data_sha256": "other"})
    assert model.load_shipped() is None


def test_first_check_needs_no_scikit_learn():
    code = (
        "import sys; from bot.scamcheck import check; "
        "v = check.check_text('Mẹ ơi tối nay con về ăn cơm'); "
        "print(v.verdict, 'sklearn' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["ok", "False"]


def test_real_messages_have_provenance_and_are_not_written_rows():
    with (model.DATA / "real_messages.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) >= 30
    assert len({r["id"] for r in rows}) == len(rows)
    for r in rows:
        assert r["label"] in {"scam", "ok"}
        assert r["url"].startswith(("http://", "https://")), r["id"]
        assert r["licence"].strip() and r["text"].strip(), r["id"]
    written = {fold(e.text) for e in model.examples()}
    assert not written & {fold(r["text"]) for r in rows}
    assert {e.id for e in model.examples()}.isdisjoint(r["id"] for r in rows)


def test_the_model_learns_from_the_written_and_the_read_real_messages_only():
    files = model.read_files()
    assert files[0].name == "real_messages.csv" and len({p.name for p in files}) == len(files)
    assert all(p.exists() for p in files)
    ids = [e.id for e in model.training_rows()]
    assert len(ids) == len(set(ids))
    # a blind set still unread (not listed) is never trained on
    for p in set(model.DATA.glob("real_blind*.csv")) - set(files):
        with p.open(encoding="utf-8") as fh:
            rows = list(csv.DictReader(x for x in fh if not x.startswith("#")))
        assert not {r["id"] for r in rows} & set(ids), p.name
    read = model.read_real_examples()
    assert {e.label for e in read} == {"scam", "ok"} and all(
        e.source.startswith("http") for e in read
    )
    assert len(model.training_rows()) == len(model.examples()) + len(read)


def test_instructions_to_use_official_channels_are_not_requests():
    assert "otp" not in signs(
        fold("chỉ cung cấp thông tin OTP cho các kênh chính thức của Viettel")
    )
    assert "otp" in signs(fold("cung cấp thông tin OTP cho em để xác thực"))
    # "ứng dụng" is not "đừng": the clause is not a warning
    assert "odd_login" in signs(fold("Ứng dụng của bạn được kích hoạt trên thiết bị lạ."))
    assert "odd_login" not in signs(fold("Đừng tin tin nhắn báo đăng nhập lạ"))


def test_official_links_alone_weigh_less_but_look_alikes_do_not():
    real = check_text(
        "Cục Cảnh sát QLHC về TTXH thông báo: Hồ sơ đăng ký tài khoản định danh điện tử đã được "
        "phê duyệt. Đề nghị truy cập ứng dụng VNeID hoặc địa chỉ https://vneid.gov.vn để kích hoạt"
    )
    fake = check_text(
        "Cục Cảnh sát QLHC về TTXH thông báo: Hồ sơ đăng ký tài khoản định danh điện tử đã được "
        "phê duyệt. Đề nghị truy cập https://vneid-gov.top để kích hoạt"
    )
    assert real.verdict != "scam" and fake.verdict == "scam"
