"""The text detector, the link checks and the VietQR parser, without the chat around them."""

import pytest

from bot import texts
from bot.scamcheck import check_text, has_contact
from bot.scamcheck.links import check_url, extract, parse_blocklist
from bot.scamcheck.mask import mask
from bot.scamcheck.normalize import fold
from bot.scamcheck.qr import build_vietqr, crc16, parse_vietqr
from bot.scamcheck.rules import RULES


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("B4m v4o l!nk để nhận thưởng", "bam vao link de nhan thuong"),
        ("đ!ều k!ện nhận quà", "dieu kien nhan qua"),
        ("n_h_a_n t.h.u.o.n.g ngay", "nhan thuong ngay"),
        ("Сông аn phường", "cong an phuong"),  # Cyrillic С and а
        ("Mã 0TP của bạn", "ma otp cua ban"),
        ("ｏｔｐ", "otp"),  # full-width
        ("giảm 500k, 10tr, 24h", "giam 500k, 10tr, 24h"),  # amounts stay numbers
        ("tr\u200bung thu\u200bong", "trung thuong"),  # zero-width spaces
    ],
)
def test_obfuscation_is_undone(raw, folded):
    assert fold(raw) == folded


def test_every_sign_has_words_for_people():
    from bot.scamcheck.check import LINK_WEIGHTS, WORDING

    for key in [r.key for r in RULES] + list(LINK_WEIGHTS) + [WORDING]:
        assert key in texts.SCAM_SIGNS, key


@pytest.mark.parametrize(
    ("url", "sign"),
    [
        ("https://vietcombank.vn-ms.top/login", "link_brand"),
        ("vietcombank-xacthuc.top", "link_brand"),
        ("vietcornbank.com", "link_lookalike"),
        ("http://xn--vietcmbank-f6a.com", "link_homoglyph"),
        ("http://103.25.1.4/otp", "link_ip"),
        ("bit.ly/3abc", "link_short"),
        ("abc-qua.xyz", "link_risky_tld"),
        ("evn-hotro.com/app.apk", "apk"),
        ("some-shop.com.vn", "link_unknown"),
    ],
)
def test_links_are_judged(url, sign):
    assert sign in check_url(url).signs


@pytest.mark.parametrize(
    "url",
    ["https://vietcombank.com.vn/abc", "dichvucong.gov.vn", "shopee.vn/x", "vssid.vss.gov.vn"],
)
def test_official_domains_have_no_sign(url):
    f = check_url(url)
    assert f.signs == [] and f.official is not None


def test_defanged_and_spaced_links_are_found():
    assert extract("vào vietcombank-xacthuc[.]top ngay") == ["vietcombank-xacthuc.top"]
    assert extract("hxxps://abc(.)xyz/a") == ["https://abc.xyz/a"]
    assert extract("trang vneid-capnhat . com nhé") == ["vneid-capnhat.com"]
    assert extract("Cảm ơn. Hẹn gặp lại, email a@b.com") == []


def test_a_word_typed_against_a_link_is_not_part_of_it():
    # a real COVID notice pasted without its space: no look-alike letter in the address
    text = "cài đặt ứng dụng BlueZone tại địa chỉ https://www.bluezone.gov.vnđể được cảnh báo"
    assert extract(text) == ["https://www.bluezone.gov.vn"]
    assert extract("vào https://vpbank.com.vn-vb.top… ngay") == ["https://vpbank.com.vn-vb.top"]
    assert "link_homoglyph" not in check_url(extract(text)[0]).signs
    # a look-alike letter inside the address, or an ending that is no known one, stays
    assert extract("https://vietcоmbank.com/x") == ["https://vietcоmbank.com/x"]
    assert "link_homoglyph" in check_url("https://vietcombank.cоm").signs
    assert extract("http://xn--vietcmbank-f6a.com") == ["http://xn--vietcmbank-f6a.com"]


def test_shortened_links_on_short_endings_are_found_without_a_scheme():
    assert extract("dang nhap shorturl.at/frXYZ de lay") == ["shorturl.at/frXYZ"]
    assert extract("xem s.id/abc và rb.gy/x1") == ["s.id/abc", "rb.gy/x1"]
    assert extract("rb.gy là gì") == []  # the bare name, no link
    assert "link_short" in check_url("t.ly/ab").signs


def test_a_blocklist_file_accepts_comments_defanged_forms_and_urls():
    hosts = parse_blocklist("# lừa đảo\nevil[.]top\nhttps://Bad.Example.com/x\n\nnot a domain\n")
    assert hosts == ["bad.example.com", "evil.top"]


def test_the_operator_blocklist_is_read(tmp_path, monkeypatch):
    path = tmp_path / "bl.txt"
    path.write_text("lua-dao-moi.com\n")
    monkeypatch.setenv("HOCSO_SCAM_BLOCKLIST", str(path))
    assert "link_blocked" in check_url("https://lua-dao-moi.com/a").signs
    assert check_text("Bác xem trang lua-dao-moi.com nhé").verdict == "scam"


@pytest.mark.parametrize(
    "text",
    [
        "Em bên ngân hàng, bác đọc giúp em mã OTP vừa gửi về máy nhé",
        "[Vietcombank] Tai khoan se bi khoa sau 24h do chua cap nhat sinh trac hoc. "
        "Truy cap vietcombank-xacthuc[.]top",
        "B4m v4o l!nk d3 nh4n 5 tr!eu t!en h0 tr0: hotro-nguoidan.top",
        "Công an quận: ông liên quan vụ án rửa tiền, chuyển tiền vào tài khoản tạm giữ, "
        "không được nói với ai.",
    ],
)
def test_scams_are_called_scams(text):
    v = check_text(text)
    assert v.verdict == "scam", (v.score, v.signs)
    assert v.signs and v.lesson


@pytest.mark.parametrize(
    "text",
    [
        "Vietcombank: Ma OTP cua Quy khach la 482913. TUYET DOI KHONG cung cap ma nay cho ai.",
        "Mẹ ơi tối nay con về ăn cơm nhé, con mua cá rồi.",
        "Bà ơi cháu gửi link video tập dưỡng sinh: youtube.com/watch?v=abc",
    ],
)
def test_ordinary_messages_are_not_called_scams(text):
    assert check_text(text).verdict != "scam"


# Written by the project in the forms banks and apps use (no real message): each one brings its
# own code and warns not to pass it on, so "nhập mã", "OTP để xác thực" are the owner's own use.
OTP_DELIVERIES = [
    "Ma OTP de xac thuc giao dich chuyen khoan la 123456. Tuyet doi KHONG cung cap OTP cho bat ky ai.",
    "Ma xac thuc cua ban la 4821. Vui long nhap ma OTP tren ung dung de hoan tat giao dich.",
    "Mã OTP để xác nhận thanh toán 250.000đ tại cửa hàng là 771204. Không chia sẻ mã này.",
    "OTP: 829104. Ma co hieu luc 3 phut. Khong cung cap ma OTP cho bat ky ai.",
    "556677 la ma xac thuc de dang nhap ung dung. Nhap ma tren ung dung, khong doc cho ai.",
]


@pytest.mark.parametrize("text", OTP_DELIVERIES)
def test_a_message_delivering_a_code_is_not_a_request_for_one(text):
    v = check_text(text)
    assert "otp" not in v.signs and "transfer" not in v.signs, v.signs
    assert v.verdict != "scam", (v.score, v.signs)


@pytest.mark.parametrize(
    "text",
    [
        # asking to pass a code on stays a scam sign, even when the message brings a code
        "Ma OTP cua ban la 123456. Vui long doc ma OTP cho nhan vien de xac nhan.",
        "Mã xác thực của bạn là 4821, bạn gửi lại mã xác thực cho em để em hủy đơn nhé",
        # no code of its own: "nhập mã OTP", "gửi mã OTP", "OTP để xác thực" are requests
        "Vui long nhap ma OTP tai trang nay de xac thuc tai khoan",
        "Hệ thống gửi nhầm mã OTP, gửi giúp mình nhé!",
        "Bác gửi mã OTP để xác minh giúp cháu với",
    ],
)
def test_a_request_for_a_code_is_still_the_strong_otp_sign(text):
    v = check_text(text)
    assert "otp" in v.signs and v.verdict == "scam", (v.score, v.signs)


def test_a_payment_sign_stops_at_the_end_of_its_sentence():
    """ "chuyển khoản ... là 123456. ... cho" is two sentences, not a transfer to someone."""
    assert (
        "transfer"
        not in check_text(
            "OTP xac thuc giao dich chuyen tien 2,000,000d la 918273. Khong cung cap OTP cho ai."
        ).signs
    )
    for scam in (
        "Chuyển khoản ngay 5.000.000đ vào số tài khoản 0123456789 để mở khóa",
        "Ong chuyen tien tam giu 20 trieu vao tai khoan an toan cua co quan dieu tra",
    ):
        assert "transfer" in check_text(scam).signs, scam


@pytest.mark.parametrize(
    ("text", "threat"),
    [
        # a warning not to break the law, or that the police never work this way: no threat
        ("Thủ tướng kêu gọi mọi người không có những hành động vi phạm pháp luật", False),
        ("Công an không bao giờ gửi lệnh bắt qua tin nhắn", False),
        ("Bộ Công an khuyến cáo: không có chuyện chuyển tiền để điều tra", False),
        # a condition is not a negation: "nếu không ... sẽ bị khởi tố" is the threat itself
        ("Nếu không hợp tác ông sẽ bị khởi tố về tội rửa tiền", True),
        ("neu khong nop phat trong hom nay se bi cuong che", True),
        ("CANH BAO: Ban dang bi dieu tra lien quan vu an rua tien", True),
    ],
)
def test_a_negated_threat_is_a_warning_and_a_conditional_one_is_not(text, threat):
    assert ("threat" in check_text(text).signs) is threat


def test_the_verdict_is_never_safe_only_no_sign_found():
    assert set(texts.SCAM_HEAD) == {"scam", "unsure", "ok"}
    for line in texts.SCAM_HEAD.values():
        assert "an toàn tuyệt đối" not in line.lower()
    assert "156" in texts.SCAM_TODO["unsure"] and "thẻ" in texts.SCAM_TODO["unsure"]


def test_contacts_are_links_or_phone_numbers():
    assert has_contact("gọi 0912 345 678")
    assert has_contact("+84 912345678")
    assert has_contact("xem abc.top")
    assert not has_contact("năm 2025 tôi 70 tuổi")


def test_vietqr_is_parsed_with_its_checksum_and_bank():
    payload = build_vietqr("970436", "0011001234567", amount="150000", message="TIEN DIEN")
    v = parse_vietqr(payload)
    assert v is not None and v.crc_ok
    assert (v.bank, v.account, v.amount, v.message) == (
        "Vietcombank", "0011001234567", "150000", "TIEN DIEN",
    )  # fmt: skip
    tampered = payload.replace("0011001234567", "0011009999999")
    assert parse_vietqr(tampered).crc_ok is False
    assert parse_vietqr(build_vietqr("999999", "123")).bank is None
    assert parse_vietqr("https://example.com") is None
    assert crc16(b"123456789") == "29B1"  # the CRC-16/CCITT-FALSE check value


def test_shared_examples_are_masked():
    out = mask(
        "Con gửi mẹ số tài khoản 0123456789, tên TRAN THI LAN, gọi 0912 345 678, anh Minh, "
        "Nguyễn Văn Bình, Telegram @viecnhe247, a@b.com"
    )
    for secret in ("0123456789", "TRAN", "0912", "Minh", "Bình", "viecnhe247", "a@b.com"):
        assert secret not in out


# The kinds of scam the first two blind sets showed were missed (issue 14), each written by the
# project (invented names, amounts and domains), with the ordinary messages they must not catch.


@pytest.mark.parametrize(
    "text",
    [
        "Anh ơi còn tiền không, cho em mượn 8 triệu, tối nay em trả liền",
        "Tk con tien k chuyen giup chi 6tr, mai chi gui lai nhe",
        "Bác cho cháu vay tạm 3 triệu, 4h chiều cháu chuyển lại ạ",
        "Cô ơi con đang bận họp không nghe máy được, cô chuyển giúp con 10 triệu vào số này nhé",
        "Day la so moi cua em, anh cho em muon 5 trieu, thu hai em tra",
    ],
)
def test_an_acquaintance_borrowing_with_a_promise_is_called_a_scam(text):
    v = check_text(text)
    assert "borrow_back" in v.signs and v.verdict == "scam", (v.score, v.signs)
    assert v.lesson == "at-05-nguoi-than-cap-cuu"


@pytest.mark.parametrize(
    "text",
    [
        "Chị ơi em gửi lại chị 2 triệu hôm trước mượn nhé, cảm ơn chị",
        "Con chuyển cho mẹ 2 triệu tiền chợ rồi nhé, mẹ xem tài khoản giúp con",
        "Anh ơi tối nay em bận họp nên không nghe máy được, có gì anh nhắn em nhé",
        "Bố ơi con đổi số rồi, số mới của con là 0912 000 111, bố lưu lại nhé",
        "Chú ơi cháu mượn chú cái thang tuần trước, chiều nay cháu mang trả chú nhé",
        "Cảnh giác: đừng cho ai mượn tiền khi nhận tin nhắn hẹn mai trả, hãy gọi điện hỏi lại",
    ],
)
def test_family_messages_about_money_or_a_new_number_are_no_borrowing_scam(text):
    v = check_text(text)
    assert "borrow_back" not in v.signs and v.verdict != "scam", (v.score, v.signs)


@pytest.mark.parametrize(
    "text",
    [
        "Nhà mạng đang khuyến mãi x10 giá trị thẻ nạp, làm ngay kẻo hết",
        "Bạn mình làm ở Vinaphone nói nạp thẻ giờ này được cộng gấp 10 lần, mình thử rồi",
        "nap 1 duoc 10, the 100k thanh 1 trieu, ai can thi nap qua trang nay",
        "Khuyến mãi 500% thẻ nạp cho mọi mạng, chỉ hôm nay",
        "Ưu đãi nạp thẻ dành cho nhân viên nội bộ nhà mạng, mình chia sẻ cho mọi người",
    ],
)
def test_a_top_up_that_multiplies_itself_is_called_a_scam(text):
    v = check_text(text)
    assert "topup" in v.signs and v.verdict == "scam", (v.score, v.signs)


@pytest.mark.parametrize(
    "text",
    [
        "Viettel: Khuyến mãi 20% giá trị thẻ nạp cho thuê bao trả trước nạp thẻ ngày 15/12.",
        "VinaPhone: nạp thẻ từ 50.000đ được tặng 20% giá trị thẻ nạp, chi tiết trên My VNPT",
        "Cháu nạp cho bà thẻ 100 nghìn rồi nhé, bà gọi thử xem",
    ],
)
def test_a_real_carrier_promotion_is_no_top_up_scam(text):
    v = check_text(text)
    assert "topup" not in v.signs and v.verdict != "scam", (v.score, v.signs)


@pytest.mark.parametrize(
    "text",
    [
        "Đơn hàng của bạn giao không thành công, cập nhật địa chỉ tại giaohang-vn[.]top",
        "Giao hàng thất bại, đơn sẽ bị hoàn. Bấm vào đây để chọn lại giờ giao.",
        "CSGT: xe của bạn vi phạm giao thông, tiền phạt 800.000đ, nộp tại csgt-phat[.]cc",
        "Ban co bien ban vi pham giao thong, click de xem loi",
        "Bạn được hoàn tiền 150.000đ, bấm link để nhận lại tiền: hoantien-nhanh[.]vip",
    ],
)
def test_a_delivery_fine_or_refund_pretext_with_a_strange_link_is_a_scam(text):
    v = check_text(text)
    assert "link_pretext" in v.signs and v.verdict == "scam", (v.score, v.signs)


def test_a_parcel_held_for_a_fee_is_a_scam():
    v = check_text(
        "Gói hàng của bạn không thể được giao do thiếu phí, vui lòng trả một khoản phí 30.000đ"
    )
    assert "fee_pretext" in v.signs and v.verdict == "scam", (v.score, v.signs)


@pytest.mark.parametrize(
    "text",
    [
        # the same pretexts without a strange link: official sites, or advice not to click
        "Shopee: Yêu cầu hoàn tiền đã được chấp nhận, xem trong ứng dụng tại shopee.vn",
        "Cổng Dịch vụ công: quyết định xử phạt vi phạm giao thông, tra cứu tại dichvucong.gov.vn",
        "Công an khuyến cáo: tra cứu phạt nguội trên VNeTraffic, không bấm link trong tin nhắn lạ",
        "GHTK: Giao hàng không thành công do không liên lạc được, shipper giao lại ngày mai",
        "Tiệm thuốc: hôm qua cháu thu thừa của bác 20 nghìn, mai cháu hoàn tiền lại ạ",
    ],
)
def test_a_pretext_without_a_strange_link_is_no_link_scam(text):
    v = check_text(text)
    assert "link_pretext" not in v.signs and v.verdict != "scam", (v.score, v.signs)


def test_the_new_signs_call_no_legitimate_development_message_a_scam():
    """Real legitimate notices (shipped model) and held-out legitimate messages (model trained on
    the training split only, as the benchmark does): the two held-out false alarms are older than
    these signs (Điện lực's meter notice and the court's summons notice, both warnings)."""
    from bot.scamcheck import model
    from bot.scamcheck.check import score_text

    for e in model.real_examples():
        if e.label == "ok":
            assert check_text(e.text).verdict != "scam", e.id
    train, held = model.split(model.examples())
    m = model.Model(train)
    alarms = {e.id for e in held if e.label == "ok" and score_text(e.text, m).verdict == "scam"}
    # hard negatives written in the very form of a scam (a relative asking to transfer "and I'll
    # pay you back tomorrow", a trip's cost to split by transfer, a bank's call about a blocked
    # card, money "sent back, check your account", a school nurse calling about a sick child):
    # calling them 'scam' sends the learner to check by phone, which is right. Round 6 (naive
    # Bayes beside the logistic model) swapped two of them (m0164, m0249 out; m0315, m1873 in).
    assert alarms <= {"m0315", "m1590", "m1593", "m1797", "m1873"}, alarms


# Warnings against scams, written by the project in the way police, banks and schools advise:
# they use every word a scam uses, but ask the reader to do nothing.
WARNINGS = [
    "Công an phường khuyến cáo: không cung cấp mã OTP cho bất kỳ ai, không chuyển tiền cho "
    "người tự xưng là công an gọi điện đến.",
    "1. Ngân hàng KHÔNG BAO GIỜ gọi điện yêu cầu cung cấp mật khẩu, mã OTP. 2. Không bấm vào "
    "đường link lạ. 3. Khi nghi ngờ, gọi tổng đài in trên thẻ.",
    "Toà án không gọi điện thoại để triệu tập hay đòi nộp tiền bảo lãnh.",
    "Nha truong luu y phu huynh: tai khoan Zalo cua co giao bi ke gian chiem, khong chuyen tien "
    "theo tin nhan vay muon, hay goi dien truc tiep cho co de kiem chung.",
    "Hội Người cao tuổi xã nhắc: đối tượng giả danh cán bộ bảo hiểm xã hội hay gọi hỏi số căn "
    "cước, tuyệt đối không đọc số cho người lạ.",
    # a scam told in the third person, with the advice after it
    "Kẻ gian giả nhân viên điện lực gọi báo cắt điện, bảo người dân nhập mã OTP vào trang lạ. "
    "Điện lực đề nghị bà con gọi tổng đài 19001006 khi nghi ngờ.",
    # a bank named by its short name saying what it never does
    "ACB không bao giờ gọi điện hỏi mã OTP hay mật khẩu của quý khách.",
]


@pytest.mark.parametrize("text", WARNINGS)
def test_a_warning_against_scams_is_advice_and_never_called_a_scam(text):
    v = check_text(text)
    assert v.advice and v.verdict != "scam", v
    assert not {"otp", "transfer", "threat", "authority", "borrow"} & set(v.signs)


@pytest.mark.parametrize(
    "text",
    [
        # a warning's words wrapped around a fake link stay a scam: its own link betrays it
        "Cảnh giác lừa đảo! Không cung cấp OTP cho ai. Tài khoản của quý khách sẽ bị khóa, "
        "xác thực ngay tại vietcombank-xacthuc.top",
        # ... and so does a link to no official site, even without a brand in it
        "Để tránh lừa đảo, không chia sẻ mật khẩu. Vui lòng xác thực tài khoản tại "
        "bao-mat-tk.top trong 24h.",
        # a scammer's own "don'ts" come with the account to pay into
        "Tài khoản của ông liên quan đường dây rửa tiền, ông không được rút tiền, không chuyển "
        "cho ai, hãy chuyển hết vào tài khoản tạm giữ 0123456789 của cơ quan điều tra.",
        # a condition in a threat is no advice
        "Nếu không chuyển tiền ngay, anh sẽ bị khởi tố vì liên quan đường dây rửa tiền.",
        # secrecy a fake policeman asks for is no advice either
        "Đây là công an quận, bác không được nói cho ai biết, chuyển tiền vào tài khoản tạm giữ.",
    ],
)
def test_warning_words_do_not_clear_a_scam(text):
    v = check_text(text)
    assert not v.advice and v.verdict == "scam", v


def test_talking_about_handing_over_a_code_is_not_asking_for_it():
    assert "otp" not in check_text("Việc cung cấp mã OTP là cho phép người khác rút tiền.").signs
    assert "otp" in check_text("Bác cung cấp mã OTP cho cháu để nhận quà nhé.").signs


@pytest.mark.parametrize(
    ("text", "sign"),
    [
        ("Ban oi minh chuyen nham 2 trieu vao tk cua ban, ban chuyen lai giup minh vao so nay nhe",
         "wrong_transfer"),
        ("Muốn tôi xóa video thì chuyển 50 triệu, không tôi gửi hết cho vợ con ông.", "extort"),
        ("Con ông đang ở chỗ tôi, nếu báo công an thì đừng mong gặp lại.", "hostage"),
        ("Cô chú làm ơn giúp cháu, bố cháu nằm viện không có tiền mổ, STK 0123456789 ạ.",
         "charity"),
        ("Chuc mung quy khach da nhan duoc giai thuong xe may tu chuong trinh quay so.", "prize"),
        ("Chúc mừng anh đủ điều kiện phát hành thẻ tín dụng, nhấn phím 1 để gặp tư vấn.", "prize"),
        ("Cần tuyển 20 cộng tác viên làm online tại nhà, chỉ cần điện thoại.", "job"),
        ("Mời bác tham gia nhóm Zalo để nhận tín hiệu cổ phiếu miễn phí từ chuyên gia.", "invest"),
        ("Ban nhan duoc qua tang bi mat. Soan tin QUA gui 2 lan den 8769 de mo qua.", "premium"),
        ("Việc online, thu nhập 500k mỗi ngày, nhận tiền trong ngày, liên hệ Zalo.", "job"),
        ("Anh chị giúp em với, em cần tiền chữa bệnh, mỗi người 1 triệu thôi ạ.", "charity"),
        ("Em gửi giúp chị một đoạn video quay khuôn mặt cầm căn cước nhé.", "id_video"),
        ("Nhóm hỗ trợ lấy lại tiền bị lừa, uy tín, phí thấp, liên hệ ngay.", "recover"),
        ("Con bác bị tai nạn giao thông, đang phải cấp cứu.", "family"),
        ("Anh khai đi, quan hệ thế nào với kẻ cầm đầu đường dây?", "threat"),
        ("Tuyển người làm online, mỗi ngày thu nhập ít nhất 200.000 đồng.", "job"),
    ],
)  # fmt: skip
def test_the_newer_signs_fire_on_their_kind(text, sign):
    assert sign in check_text(text).signs


@pytest.mark.parametrize(
    "text",
    [
        "Mẹ ơi con chuyển tiền học cho cháu rồi nhé, mẹ kiểm tra giúp con.",
        "Chúc mừng sinh nhật bác, chúc bác luôn mạnh khỏe!",
        "Chiều nay họp chi hội lúc 14 giờ tại nhà văn hóa, mời các cụ đến đúng giờ.",
        "Viettel: Quý khách còn 2GB. Đăng ký thêm dung lượng, soạn MUA gửi 191.",
        "Vinaphone: soạn DK gửi 9123 để gia hạn gói cước, cước tin nhắn 0 đồng.",
        "Bệnh viện thông báo: trong dịp Tết vẫn khám và cấp cứu 24/24.",
        "Việc bỏ phiếu bắt đầu từ 7 giờ sáng tại nhà văn hóa thôn.",
        "Điều tra viên của tổng điều tra dân số sẽ đến từng hộ trong tháng 4, mong bà con hợp tác.",
    ],
)
def test_the_newer_signs_leave_everyday_messages_alone(text):
    v = check_text(text)
    newer = {"wrong_transfer", "extort", "hostage", "charity", "prize", "job", "premium"}
    newer |= {"id_video", "recover", "family", "invest", "threat"}
    assert not newer & set(v.signs)
    assert v.verdict != "scam"


@pytest.mark.parametrize(
    "text",
    [
        "Bác đừng nghe ai khác, không cung cấp mã này cho ai ngoài cháu nhé.",
        "Chúng tôi không yêu cầu ông lên trụ sở, chỉ cần làm việc qua điện thoại với cán bộ.",
    ],
)
def test_a_scammers_dont_is_no_advice(text):
    assert not check_text(text).advice


def test_the_phone_number_that_receives_codes_is_no_request_for_a_code():
    text = "Ngân hàng X: Quý khách vừa đổi số điện thoại nhận OTP lúc 08:15 ngày 02/12."
    assert "otp" not in check_text(text).signs
    assert "otp" in check_text("Bác điền mã OTP vào đây giúp cháu nhé").signs


def test_a_request_to_the_reader_voids_the_advice_frame():
    text = "Cảnh giác kẻ gian! Quý khách vui lòng cung cấp mã OTP để chúng tôi khóa tài khoản."
    v = check_text(text)
    assert not v.advice and "otp" in v.signs


def test_a_verdict_from_the_model_alone_names_the_wording_as_its_reason():
    """Never 'lừa đảo' or 'cần cẩn thận' without a reason the learner can read."""
    from bot.scamcheck import check

    class Sure:
        def probability(self, folded: str) -> float:
            return 0.99

    v = check.score_text("Có phải anh đang dùng máy mới không?", Sure())
    assert v.signs == [check.WORDING] and v.verdict == "scam"
    assert check.WORDING in texts.SCAM_SIGNS
    assert (
        check.score_text(
            "Chiều nay họp chi hội.", type("No", (), {"probability": lambda s, f: 0.0})()
        ).signs
        == []
    )


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        # "tài khoản" begins with "khoa": no lock in it
        ("Nạp thẻ được cộng 50% vào tài khoản khuyến mại gọi nội mạng và cố định.", "locked"),
        # "từ ngày 1-12" folds to "tu ngay": the day, not "chuyển tiền ngay"
        ("BHXH sẽ chuyển tiền lương hưu từ ngày làm việc đầu tiên của tháng.", "transfer"),
        # "nhận qua tài khoản" is receiving by account, not "nhận quà"
        ("Người nhận qua tài khoản cá nhân sẽ có tiền từ ngày 2.", "prize"),
        # a step in the official app: the owner's own code
        ("Bước 3: Mở ứng dụng VNeID, nhập mã OTP đã được gửi về số điện thoại của bạn.", "otp"),
    ],
)
def test_words_that_fold_alike_do_not_make_a_sign(text, absent):
    assert absent not in check_text(text).signs


def test_a_dont_meant_for_anyone_is_advice():
    v = check_text("Người dân tuyệt đối không cung cấp mã OTP cho người khác.")
    assert v.advice and v.verdict != "scam"


@pytest.mark.parametrize(
    ("text", "sign"),
    [
        ("Mẹ chuyển 20 triệu cho con ngay nhé, con đang kẹt.", "transfer"),
        ("Ông phải trả ngay, nếu không tôi giết nó.", "hostage"),
        ("Cháu nhà chị bị té ở trường, đang ở phòng cấp cứu.", "family"),
        ("Nhà mạng sẽ khóa số điện thoại của quý khách trong hai tiếng nữa.", "locked"),
        ("Nhà mạng sẽ khóa số điện thoại của quý khách trong hai tiếng nữa.", "urgent"),
        ("Sàn vàng có đòn bẩy, chốt lời trong ngày, bên em cung cấp tín hiệu miễn phí.", "invest"),
        ("Chắc chắn lấy lại được tiền, chỉ cần nạp thêm 10% số tiền đã mất.", "recover"),
        ("Ông/bà cố tình trì hoãn kéo dài thời gian thanh toán nợ.", "debt"),
        # round four
        (
            "Thuốc gia truyền chữa khỏi hẳn tiểu đường, không tái phát, không cần tiêm insulin.",
            "cure",
        ),
        ("Lợi nhuận 20%/tháng, ngồi im cũng có tiền, bác tham gia ngay.", "invest"),
        ("Việc nhẹ, kiếm 300-800k VND 1 ngày, nhắn Zalo để nhận việc.", "job"),
        ("Bạn đã đủ điều kiện đăng ký xin trợ cấp, hoàn thành thủ tục trong hôm nay.", "prize"),
        ("Ban co sao xau chieu menh, xem van han: XEM <NAM SINH> gui 8713", "premium"),
        # round five (written from the eleventh and twelfth sets)
        ("Uống 3 viên mỗi ngày, một liệu trình xóa sổ bệnh gút.", "cure"),
        ("Nhà tôi bốn đời bốc thuốc chữa dạ dày.", "cure"),
        ("Bố ơi máy con bị rơi hỏng loa rồi, bố nhắn tin cho con nhé.", "family"),
        ("Tôi là sĩ quan quân đội Mỹ, muốn làm quen với bạn.", "romance"),
        ("Minh la ky su nguoi Duc lam tren gian khoan, muon ket ban voi chi.", "romance"),
        # round six (written from the thirteenth to eighteenth sets)
        ("Chỉ cần thả tim video, mỗi lượt thích được trả 5.000 đồng.", "job"),
        ("Mỗi bình luận nhận 10k, làm lúc nào cũng được.", "job"),
        ("Bệnh tiểu đường và mỡ máu sẽ được đẩy lùi hoàn toàn sau 2 hộp.", "cure"),
        ("Xem tu vi tron doi, soan TV <ngay sinh> gui 86XX", "premium"),
        ("Cháu đang phải phẫu thuật gấp, bác chuyển giúp viện phí.", "family"),
    ],
)
def test_the_kinds_of_the_later_sets_have_their_signs(text, sign):
    assert sign in check_text(text).signs


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("Đơn hàng đã được xác nhận, người bán đang đóng gói, chưa giao cho đơn vị vận chuyển.",
         "parcel"),
        ("Bác chuyển khoản 8000 đồng phí tin nhắn, hoặc gửi 6000 đồng tại quầy.", "premium"),
        ("Thuốc điều trị tiểu đường phải dùng theo đơn, không tự ý bỏ thuốc.", "cure"),
        ("Mẹ ơi điện thoại con hỏng loa, tối con về sửa.", "family"),
        ("Bác sĩ trạm y tế xã khám miễn phí cho người cao tuổi sáng thứ bảy.", "romance"),
        ("Mỗi đơn hàng giao thành công, anh shipper được công ty trả 15 nghìn.", "job"),
        ("Bỏ hoàn toàn thuốc lá giúp hạ huyết áp, bác nhé.", "cure"),
        ("Cảm ơn bác sĩ đã phẫu thuật cho mẹ cháu, mẹ cháu khỏe rồi ạ.", "family"),
        ("Bác gọi 1900 9095 để hỏi về điện, tổng đài miễn phí.", "premium"),
    ],
)  # fmt: skip
def test_round_four_signs_leave_their_look_alikes(text, absent):
    assert absent not in check_text(text).signs


# A probe of everyday chat written on 2026-12-06 (round 5): the model after round 5 answers three
# of them 'cần cẩn thận' (data/README.md says why); none may become 'scam', and no more may leave 'ok'.
EVERYDAY_PROBE = [
    "Chúc mừng sinh nhật bác, chúc bác luôn mạnh khỏe!",
    "Chúc mừng năm mới cả nhà, năm mới an khang thịnh vượng",
    "Mẹ ơi tối nay con về ăn cơm nhé",
    "Bà ơi cuối tuần cháu về thăm bà",
    "Sáng mai 7h họp chi hội người cao tuổi tại nhà văn hóa thôn",
    "Anh ơi chiều nay đi đánh cờ không?",
    "Cô ơi con gửi cô ít rau nhà trồng, cô ra cổng lấy nhé",
    "Chú ơi mai chú có ở nhà không, con qua chơi",
    "Bố nhớ uống thuốc huyết áp đúng giờ nhé",
    "Thứ bảy này lớp học điện thoại ở nhà văn hóa, các bác nhớ mang máy theo",
    "Cháu chúc ông bà năm mới mạnh khỏe, sống lâu trăm tuổi",
    "Hôm nay trời lạnh, bác mặc ấm nhé",
    "Con đã chuyển tiền học cho cháu rồi mẹ nhé",
    "Bác ơi con là Lan, con gửi bác ảnh cháu đi học",
    "Kính mời bác đến dự tiệc mừng thọ của mẹ cháu vào chủ nhật",
]


def test_everyday_chat_is_never_a_scam_and_rarely_unsure():
    verdicts = [check_text(t).verdict for t in EVERYDAY_PROBE]
    assert "scam" not in verdicts
    assert verdicts.count("unsure") <= 3, verdicts


JOB_AD = (
    "Cần tuyển cộng tác viên làm tại nhà, thu nhập 500k mỗi ngày, nhận lương trong ngày. "
    "Liên hệ {link}"
)


@pytest.mark.parametrize("link", ["zalo.me/0912345678", "facebook.com/tuyendung.online"])
def test_a_link_to_a_page_anyone_opens_is_no_official_site(link, monkeypatch):
    """A job scam's 'contact zalo.me/...' is not a bank's own site: nothing is damped, and the
    learner is not told the link goes to something 'real'."""
    from bot.scamcheck import check

    v = check_text(JOB_AD.format(link=link))
    monkeypatch.setattr(check, "OFFICIAL_DAMP", 1.0)
    assert check_text(JOB_AD.format(link=link)).score == v.score
    assert v.officials == [] and v.socials in (["Zalo"], ["Facebook"])


def test_a_link_to_an_official_site_alone_is_damped(monkeypatch):
    from bot.scamcheck import check

    text = "Cập nhật thông tin cư trú của ông bà tại dichvucong.gov.vn trước ngày 30/6."
    damped = check_text(text).score
    monkeypatch.setattr(check, "OFFICIAL_DAMP", 1.0)
    assert damped < check_text(text).score


def test_a_link_to_a_senders_own_site_is_still_named_as_real():
    v = check_text("Vietcombank thông báo lịch bảo trì hệ thống, chi tiết tại vietcombank.com.vn")
    assert v.officials == ["Vietcombank"] and v.socials == []


def test_a_father_who_died_is_no_threat_to_show_a_face():
    # folded, "bố mất" (father died) and "bộ mặt" (a face shown to all) are the same words
    letter = (
        "Từ ngày bố mất, mẹ lúc nào cũng lủi thủi một mình, nhìn mẹ ăn cơm một mình con xót quá"
    )
    assert "extort" not in check_text(letter).signs
    threat = "Không chuyển 10 triệu thì tôi cho cả thiên hạ biết bộ mặt thật của ông"
    assert "extort" in check_text(threat).signs
