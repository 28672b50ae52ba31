"""Explainable signs of a scam, matched on folded text (no diacritics, obfuscation undone).

Each sign has a weight (how much it alone says "scam") and the lesson that teaches it. The
words people read for each sign are in `bot/texts.py` (SCAM_SIGNS).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    key: str
    weight: float
    lesson: str
    patterns: tuple[re.Pattern[str], ...]
    #: when one of these is near, the words are a warning, not a request ("không cung cấp OTP")
    unless: re.Pattern[str] | None = None
    #: the same, said after the words in the clause ("chỉ cung cấp OTP cho các kênh chính thức")
    unless_after: re.Pattern[str] | None = None
    #: patterns that count only when `weak_unless` is nowhere in the message
    weak: tuple[re.Pattern[str], ...] = ()
    weak_unless: re.Pattern[str] | None = None


def _r(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


#: "dung" is "đừng" (don't) but also "dụng" in "ứng dụng", "sử dụng", "tín dụng", "áp dụng"
_DUNG = r"(?<!ung )(?<!su )(?<!tin )(?<!ap )dung"
#: A warning, not a request: a negation earlier in the same clause ("không bao giờ gửi link
#: yêu cầu cung cấp mã OTP", "tuyệt đối không cung cấp ...").
_NEGATED = re.compile(
    r"\b(khong|" + _DUNG + r"|chang|cam|chua bao gio|khong bao gio|"
    r"canh giac|luu y|khuyen cao|canh bao)\b"
)
#: The same for threats, except "nếu không ... sẽ bị khởi tố": a condition, not a negation.
_NEGATED_THREAT = re.compile(
    r"\b((?<!neu )khong|chang|chua bao gio|khong bao gio|canh giac|luu y|khuyen cao|canh bao)\b"
)
_CLAUSE_END = re.compile(r"[.,;:!?\n]")
#: An instruction to use only the sender's own channels, as real carrier and bank notices say.
_OFFICIAL_ONLY = re.compile(r"\b(cho|qua|tai|o) (cac |)(kenh|diem giao dich|ung dung) chinh thuc\b")
#: The message itself carries a one-time code ("Mã OTP ... là 483920", "OTP: 829104", "123456 là
#: mã xác thực"): a bank or an app delivering a code. Someone asking for a code sends none, so
#: here "nhập mã OTP", "OTP để xác thực giao dịch" describe the owner's own use and are no sign;
#: asking to pass the code on ("đọc", "cung cấp", "... cho em") still is.
_DELIVERS_CODE = re.compile(
    r"\b(otp|ma xac (thuc|nhan|minh)|ma kich hoat|ma giao dich|ma bao mat)\b"
    r"(?:[^.;!?\n]|\.(?=\d)){0,60}?"  # within the sentence ("250.000d" is no end)
    r"(\bla\b:?|:)\s*\d{4,8}\b"
    r"|\b\d{4,8} (la|:) ma (otp|xac (thuc|nhan|minh)|kich hoat)\b"
)
#: A step in an official app ("Mở ứng dụng VNeID ... nhập mã OTP"): the owner's own use.
_OWN_APP = (
    r"\b(mo|vao|tren|trong|tai) (ung dung|app) (vneid|vssid|etax|vcb digibank|digibank|bidv smartbanking|"
    r"agribank plus|mb bank|momo|zalopay|viettel money|my viettel|my vnpt|my mobifone|"
    r"dich vu cong|ngan hang)\b"
)
_SECRET = r"(ma )?(otp|ma xac (thuc|nhan|minh)|mat khau|ma pin|so the|cvv|ma bao mat)"
#: Words up to a sentence's end: a token ending in ". " closes the sentence.
_WORDS = r"(?:\s+\S*[^\s.!?;])"
#: Someone close asking for money by message: "cho em mượn 5 triệu", "vay tạm 3 triệu",
#: "tài khoản còn tiền không", "chuyển giúp anh" (the police describe hacked Zalo and Facebook
#: accounts writing this to every contact).
_PRONOUN = r"(em|anh|chi|minh|to|toi|chau|con|tui|tao|bac|co|chu|ban)"
_ASK_MONEY = (
    r"(\bcho (" + _PRONOUN + r" )?(muon|vay)\b"
    r"|\b(muon|vay) (tam |giup |gap |)(\d+|vai|it|mot it|mot chut) ?(trieu|tr|k|nghin|ngan|cu|lit)?\b"
    r"|\b(tk|tai khoan|the) (con|co|du) tien (khong|ko|k|hok)\b"
    r"|\bcon tien (khong|ko|k|hok)\b"
    r"|\bchuyen (khoan |tien )?(giup|gium|dum|ho|tam)\b"
    r"|\bnho (" + _PRONOUN + r" )?chuyen\b)"
)
#: ... and the promise that makes it sound ordinary: paid back tonight, tomorrow, at 1 p.m.; or
#: why the person cannot simply be called ("đang bận không nghe máy được", a new number).
_PAY_BACK = (
    r"(\b(mai|sang mai|chieu mai|toi mai|chieu nay|toi nay|chieu|toi|tuan sau|cuoi tuan|thu hai|"
    r"dau thang|cuoi thang|hom nao|vai hom|lat nua|lat|xong viec|\d+ ?h( chieu| sang| toi)?|\d+ gio)"
    r" (" + _PRONOUN + r" )?(tra|gui lai|chuyen lai|hoan lai|tra lai|gui tra|chuyen tra)\b"
    r"|\b(tra|gui lai|chuyen lai|tra lai) (" + _PRONOUN + r" )?(ngay|luon|lien|sau)\b"
    r"|\b(dang ban|ban qua|ban hop)\b.{0,40}\b(khong|ko|k|chua) (nghe|goi|nghe may|noi chuyen)"
    r"|\bkhong (nghe may|goi dien|goi) (duoc|dc)\b"
    r"|\b(dung|day la|nhan qua) so (moi|nay)\b|\bdoi so\b)"
)
#: A top-up that multiplies itself: "khuyến mãi x10 giá trị thẻ nạp", "nạp 1 được 10", an uncle
#: "làm ở Viettel" who let the secret out (posts on Facebook since 2014; carriers never run them).
_CARRIER = r"(viettel|mobifone|mobi|vinaphone|vina|vnpt|vietnamobile|nha mang)"
#: "x10", "x5", "x100" as folding leaves them (digits read as letters: "xio", "xs", "xioo")
_TIMES = r"x ?(\d+|io+|so?)\b"

RULES: tuple[Rule, ...] = (
    Rule(
        "otp",
        0.8,
        "at-01-ma-otp",
        _r(
            # handing a code to someone: a sign whoever sent the code
            # "việc cung cấp OTP là ..." talks about the act; it asks nothing
            r"\b(?<!viec )(cung cap|doc|bao|cho (?:em|chi|anh|toi) xin|xin)\b(?:\s+\S+){0,4}?\s+"
            + _SECRET,
            r"\b(otp|ma xac thuc)\b(?:\s+\S+){0,4}\s+cho (em|chi|anh|nhan vien|toi|chung toi)\b",
        ),
        unless=_NEGATED,
        unless_after=_OFFICIAL_ONLY,
        # using a code oneself: a sign only when the message brings no code of its own
        weak=_r(
            # "dien" is "điền" (fill in), not "điện" in "số điện thoại nhận OTP"
            r"\b(gui|nhap|dien(?! thoai| luc| tu| may))\b(?:\s+\S+){0,4}?\s+" + _SECRET,
            r"\b(otp|ma xac thuc)\b(?:\s+\S+){0,4}\s+de (xac (thuc|minh|nhan)|hoan|nhan|mo khoa|huy)",
        ),
        weak_unless=re.compile(_DELIVERS_CODE.pattern + "|" + _OWN_APP),
    ),
    Rule(
        "transfer",
        0.55,
        "tt-03-chuyen-tien",
        _r(
            r"\b(chuyen (khoan|tien)|nop (tien|phi)|dat coc|thanh toan phi|phi (giao dich|xu ly|"
            r"kich hoat|ho so|bao hiem|van chuyen|thu tuc|mo khoa)|ung truoc|tam ung|ky quy)\b"
            + _WORDS
            # not "ngay": "chuyển tiền từ ngày 1-12" folds to it
            + r"{0,8}\s+(vao|den|toi|qua|cho|de|truoc|theo|stk|so tai khoan)\b",
            r"\b(chuyen|gui|ck|nap) (gap |ngay |)(\d+[.,]?\d*|vai|mot) ?(trieu|tr|k|nghin|ngan|dong|ty)\b"
            r"(?:\s+\S+){0,3}?\s+(cho|vao|den|qua|toi)\b",
            r"\b(stk|so tai khoan)\b.{0,40}\b(chuyen|nop|gui)\b",
            r"\bchuyen (gap|ngay|truoc)\b",
        ),
        unless=_NEGATED,
    ),
    Rule(
        "urgent",
        0.3,
        "at-07-tin-nhan-gia",
        _r(
            r"\b(khan cap|gap|ngay lap tuc|ngay hom nay|trong (vong )?\d+ ?(h|gio|phut)|"
            r"truoc \d+ ?h|het han|sap het han|cuoi cung|lan cuoi|han chot|nhanh chong|"
            r"trong (vong )?(mot|hai|ba|vai|\d+) (tieng|gio|phut) (nua|toi))\b",
        ),
    ),
    Rule(
        "locked",
        0.5,
        "at-07-tin-nhan-gia",
        _r(
            r"\b(bi |se bi |tam )(khoa|dong bang|phong toa|dinh chi|vo hieu hoa|thu hoi|cat)\b",
            # "khoa" a word of its own: "tài khoản" starts with it
            r"\b(tai khoan|the|sim|so dien thoai|thue bao)\b.{0,30}\b(khoa|dinh chi|ngung hoat dong)\b",
            r"\b(khoa|dinh chi|ngung|cat|thu hoi) (so dien thoai|sim|thue bao|tai khoan|the)\b",
        ),
        unless=_NEGATED,
    ),
    Rule(
        "threat",
        0.6,
        "at-04-cong-an-gia",
        _r(
            r"\b(khoi to|lenh bat|truy na|bat giam|tam giam|cuong che|xu ly hinh su|trieu tap|"
            # "điều tra viên", "tổng điều tra dân số": the census, not an investigation
            r"rua tien|duong day (ma tuy|toi pham|lua dao)|lien quan (den |toi )?vu an|"
            r"(?<!tong )dieu tra(?! vien| dan so| nong thon| nong nghiep| thong ke| kinh te)|"
            r"vi pham phap luat|phat nguoi|xu phat|(doi tuong|ke) cam dau|dong pham|to chuc toi pham|"
            r"yeu cau (anh|chi|ong|ba|ban|bac) hop tac|hop tac dieu tra)\b",
        ),
        # "không có những hành động vi phạm pháp luật", "không bao giờ gửi lệnh bắt": warnings
        unless=_NEGATED_THREAT,
    ),
    Rule(
        "authority",
        0.35,
        "at-04-cong-an-gia",
        _r(
            r"\b(cong an|toa an|vien kiem sat|co quan (thue|dieu tra|cong an)|cuc thue|chi cuc thue|"
            r"bhxh|bao hiem xa hoi|evn|dien luc|ngan hang nha nuoc|bo cong an|canh sat|"
            r"to cong tac|can bo (phuong|xa)|vneid|dinh danh dien tu)\b",
        ),
    ),
    Rule(
        "update_data",
        0.55,
        "at-07-tin-nhan-gia",
        _r(
            r"\b(cap nhat|xac thuc|xac minh|chuan hoa|dong bo|bo sung|tich hop|kich hoat)\b"
            r"(?:\s+\S+){0,3}\s+(thong tin|du lieu|sinh trac|khuon mat|cccd|can cuoc|dinh danh|"
            r"muc 2|tai khoan|ho so)",
            r"\bsinh trac hoc\b.{0,40}\b(link|duong dan|truy cap|bam|nhan vao|cai|tai)\b",
        ),
        unless=_NEGATED,
    ),
    Rule(
        "prize",
        0.5,
        "at-09-trung-thuong",
        _r(
            r"\b(trung thuong|trung giai|qua tang|qua tri an|tri an khach hang|nhan thuong|"
            r"nhan qua(?! (tai khoan|buu dien|ngan hang|the|vi|ung dung|email|zalo|dien thoai|so|"
            r"hinh thuc|kenh|duong|mang|tin nhan))|doi qua|diem thuong|phan thuong|may man|duoc chon|iphone|xe may sh|"
            r"hoan tien|hoan phi|boi thuong|ho tro tet|qua tet|tang luong huu|tien ho tro|"
            r"giai thuong|quay so|li ?xi|tang (the|the nap|the cao) ?\d+ ?k?|"
            r"du dieu kien (dang ky |)(xin |nhan |)tro cap)\b",
            # "chúc mừng bạn đã nhận được / đủ điều kiện ...": nobody wins what they never entered
            r"\bchuc mung (ban|quy khach|anh|chi|ong|ba|bac|co|chu|em|thue bao)?\s?(da )?"
            r"(nhan duoc|trung|du dieu kien|duoc (chon|tang|nhan)|tro thanh)\b",
            r"\bdu dieu kien (nhan|phat hanh|mo the|vay|duoc (nhan|vay|cap))\b",
            # an automated call's menu: "nhấn phím 1 để gặp nhân viên tư vấn"
            r"\b(nhan|bam|an|chon) phim (\d|so \d)\b",
            # a gift claimed by texting a paid short code ("soạn DK gửi 8xxx")
            r"\b(tang|qua|mien phi|trung|nhan duoc)\b.{0,100}\bsoan (tin )?\S+( \S+)? (gui|den) \d{4,5}\b",
            r"\b(dien|nhap|khai) (day du |)(thong tin|ho so)( ca nhan|) de (nhan|lay) "
            r"(tien|qua|thuong|ho tro)\b",
        ),
    ),
    Rule(
        "job",
        0.55,
        "at-10-viec-nhe-luong-cao",
        _r(
            r"\b(viec nhe|luong cao|lam tai nha|thu nhap (tu |len den |khoang |it nhat (la |)|"
            r"toi thieu |)\d+ ?(k|tr|trieu|"
            r"nghin|ngan|d)?|nhan (tien|luong) (trong ngay|ngay|moi ngay|theo ngay)|hoa hong|"
            r"lam nhiem vu|nhiem vu|cong tac vien|tuyen ctv|ctv|like (video|bai)|"
            r"tha tim|danh gia (san pham|shop)|\d+ ?(k|tr|trieu|nghin)\s*(/|mot|moi) ?ngay|"
            r"lam viec tai nha|viec lam online|lam online|"
            r"kiem (duoc |)\d+[\d.,]*( ?- ?\d+[\d.,]*)? ?(k|tr|trieu|nghin|ngan)( vnd| dong)? "
            r"(1|mot|moi) (ngay|gio|buoi)|"
            r"(thang|ngay|tuan) (co |kiem |kiem duoc |duoc |)(hon |)(chuc|vai chuc|\d+) cu)\b",
            r"\b(can |)tuyen (dung |gap |them |)(nhan vien|ctv|cong tac vien|nguoi|\d+ (ban|nguoi))"
            r"\b.{0,80}\b(tai nha|online|tu xa|qua mang|tren dien thoai|bang dien thoai)\b",
            r"\b(hop tac|doi tac|lien ket) (voi|cung|cua) (amazon|shopee|lazada|tiki|tiktok|alibaba)\b",
            # paid per task: "mỗi bình luận được trả 10.000 đồng", "mỗi lượt like nhận 5k"
            r"\bmoi (binh luan|luot (thich|like|xem|binh luan|danh gia)|like|video|nhiem vu|"
            r"danh gia|don hang|don)\b (\w+ ){0,2}(duoc |se duoc |)(tra|nhan|huong|thuong) "
            r"(them |ngay |)\d",
        ),
    ),
    Rule(
        "invest",
        0.5,
        "at-11-nhom-dau-tu",
        _r(
            # "bắt đầu từ 7h" folds to "bat dau tu": no investment
            r"\b((?<!bat )dau tu|lai suat|loi nhuan|sinh loi|x2|x3|nhan doi|tien ao|coin|forex|"
            r"chuyen gia|tu do tai chinh|tri tue nhan tao|crypto|don bay|chot loi|"
            r"\d+ ?(- ?\d+ ?)?% ?(/|mot|moi) ?(thang|ngay|tuan)|ngoi (im|khong|yen) cung co tien|"
            r"tin hieu (mua|ban|mien phi|vang|co phieu)|"
            r"san giao dich|cam ket lai|lai (\d+|cao)|bao lai|chuyen gia (chung khoan|tai chinh))\b",
            r"\b(tham gia|vao) (cung |)(team|nhom|group|room)\b.{0,60}\b(nhan|loi|lai|danh muc|"
            r"tin hieu|keo|co phieu|chung khoan)\b",
        ),
    ),
    Rule(
        "debt",
        0.5,
        "at-07-tin-nhan-gia",
        _r(
            r"\b(no qua han|thu hoi no|doi no|khoan vay|vay nhanh|giai ngan|no xau|"
            r"cong khai thong tin|gui (anh|hinh) (cho|ve) (gia dinh|nguoi than)|boc phot|xa hoi den|"
            r"thanh toan no|tri hoan (\S+ ){0,4}thanh toan|vi pham hop dong)\b",
        ),
    ),
    Rule(
        "voice",
        0.6,
        "at-07-tin-nhan-gia",
        _r(r"\b(loi nhan thoai|tin nhan thoai|thu thoai|hop thu thoai|voice ?mail)\b"),
    ),
    Rule(
        "app",
        0.6,
        "at-08-ung-dung-gia",
        _r(
            r"\b(\.apk|apk)\b",
            r"\b(tai|cai|cai dat|download)\b(?:\s+\S+){0,3}\s+(ung dung|app|phan mem)\b"
            r"(?:\s+\S+){0,6}\s+(link|duong dan|theo|tai day|qua)",
        ),
        unless=_NEGATED,
    ),
    Rule(
        "borrow_back",
        0.8,
        "at-05-nguoi-than-cap-cuu",
        _r(
            _ASK_MONEY + r".{0,120}" + _PAY_BACK,
            _PAY_BACK + r".{0,120}" + _ASK_MONEY,
        ),
        unless=_NEGATED,
    ),
    Rule(
        "borrow",
        0.55,
        "at-05-nguoi-than-cap-cuu",
        _r(_ASK_MONEY),
        unless=_NEGATED,
    ),
    Rule(
        "topup",
        0.8,
        "at-09-trung-thuong",
        _r(
            r"\b(khuyen mai|km|tang|nhan) (gap |)(" + _TIMES + r"|\d+ lan|\d{3,} ?%)",
            r"\b" + _TIMES + r" (gia tri |menh gia |)(the nap|the cao|tien nap|nap the|nap tien)\b",
            r"\b(nap|mua) (1|mot) (the |)(duoc|nhan|thanh|ra) (10|muoi|5|nam|\d+)\b",
            r"\b(the nap|the cao|nap the|nap tien|menh gia)\b.{0,80}"
            r"(\bgap (\d+|muoi|nam|hai|ba) lan|\b" + _TIMES + r"|\b\d{3,} ?%)",
            r"\b(ong|ba|chu|bac|anh|chi|co|cau|di|thim|em|ban) (ho |ruot |)(minh |toi |em |)"
            r"(lam|o) (o |ben |tai |trong |)" + _CARRIER + r"\b.{0,200}\b(nap|the|khuyen mai)\b",
            r"\b(thong tin|tin) (moi |noi bo |)(lo ra|ro ri)\b.{0,200}\b(nap|the|khuyen mai)\b",
            r"\bhack (tien|the|he thong|tai khoan) (cua )?" + _CARRIER,
            # a top-up promotion "for the carriers' own staff" that a stranger passes on
            r"\b(khuyen mai|uu dai) (nap the|nap tien|the nap)\b.{0,60}\b(nhan vien|noi bo)\b",
        ),
        unless=_NEGATED,
    ),
    Rule(
        "wrong_transfer",
        0.55,
        "tt-03-chuyen-tien",
        _r(
            # "chị chuyển nhầm, em chuyển lại giúp": the money came from a loan in your name, or
            # the "return" goes to another account (banks say: return it only through the bank)
            r"\b(chuyen|gui|ck|chuyen khoan) nham\b",
            r"\bnham (so tai khoan|stk|tai khoan|so the)\b",
        ),
        unless=_NEGATED,
    ),
    Rule(
        "extort",
        0.7,
        "at-04-cong-an-gia",
        _r(
            r"\b(video|clip|hinh|anh) (nhay cam|nong|khoa than|rieng tu)\b",
            r"\bxoa (het |)(video|clip|hinh|anh)\b",
            r"\b(gui|tung|phat tan|dang|chia se) (het |)(video|clip|hinh anh|anh|hinh)\b.{0,60}"
            r"\b(vo|chong|con|vo con|gia dinh|nguoi than|co quan|ban be|len mang)\b",
            r"\bgiai quyet (em dep|rieng|nhe nhang)\b",
            # "bộ mặt (thật)" of the victim shown to all; folded, "bố mất" (father died) reads
            # the same, so the face must be someone's or shown to someone
            r"\b(bo mat (that|benh hoan|cua)|cho (ca )?thien ha biet)\b",
        ),
    ),
    Rule(
        "hostage",
        0.7,
        "at-05-nguoi-than-cap-cuu",
        _r(
            # "nếu báo công an thì con mày ...": a kidnapping or a fake one
            r"\b(neu|ma|con) (bao|bao cho|trinh bao|goi) (cong an|canh sat)\b",
            r"\bbat coc\b",
            r"\b(khong song (noi|duoc)|dung mong gap lai|gap nguy hiem den tinh mang)\b",
            r"\bneu khong\b.{0,30}\b(giet|xu|hai|chat tay|danh chet)\b",
        ),
    ),
    Rule(
        "charity",
        0.4,
        "tt-03-chuyen-tien",
        _r(
            r"\b(giup (em|chau|con|minh|toi|do em)|cuu (em|giup)|lam on|ung ho|quyen gop)\b.{0,160}"
            r"\b(stk|so tai khoan|chuyen khoan|ngan hang|momo|vi dien tu)\b",
            r"\bhoan canh (gia dinh |)(em |chau |toi |minh |)(rat |qua |vo cung |)(kho khan|ngheo|"
            r"bi dat)\b.{0,200}\b(giup|ung ho|chuyen|stk|so tai khoan|xin)\b",
            # help asked of many at once, with the sum each should give
            r"\b(giup|giup do|cuu) (em|chau|minh|toi)\b.{0,120}\bmoi nguoi (\d+|vai|mot it)\b",
        ),
        unless=_NEGATED,
    ),
    Rule(
        "id_video",
        0.6,
        "at-04-cong-an-gia",
        _r(
            # a video or photo of the face with the identity card: what opens accounts and loans
            # in someone's name (real services take it in their own app, never by message)
            r"\b(quay|chup|gui)(?:\s+\S+){0,4}?\s+(video|clip|anh|hinh)\b.{0,40}"
            r"\b(cccd|can cuoc|cmnd|chung minh|khuon mat|chan dung)\b",
            r"\b(cam|cho|de|giu) (the |)(cccd|can cuoc|cmnd)\b.{0,40}\b(quay|chup|video)\b",
            r"\b(anh|hinh) (2|hai) mat (the |)(cccd|can cuoc|cmnd)\b",
        ),
        unless=_NEGATED,
    ),
    Rule(
        "recover",
        0.6,
        "at-13-khi-bi-lua",
        _r(
            # "we get your lost money back": the victims of a scam are scammed twice
            r"\b(lay lai|thu hoi|doi lai|tim lai) (duoc |)(so |khoan |)(tien|tai san)\b"
            r".{0,80}\b(lien he|lien lac|ib|inbox|nhan tin|dich vu|phi|chi phi|ho tro|nap them|"
            r"nap|dong them)\b",
            r"\b(ho tro|dich vu) (lay lai|thu hoi) (tien|tai san)\b",
        ),
        unless=_NEGATED,
    ),
    Rule(
        "cure",
        0.55,
        "at-15-tin-gia-suc-khoe",
        _r(
            # a medicine or "product" that cures what medicine manages: diabetes, cancer, joints
            r"\b(khac tinh|het benh|khoi han|khoi benh|chua khoi|danh bai (benh|can benh)|"
            r"khong tai phat|than duoc|gia truyen|dac tri|tri dut diem|"
            r"cuu (song |)\d+ ?% (benh nhan|nguoi benh))\b",
            r"\b(khong tiem insulin|ngung (dung |)thuoc tay|bo thuoc tay|khong can (dung |)thuoc)\b",
            # "xóa sổ bệnh tiểu đường", "ba đời chữa xương khớp", "chặn biến chứng", "dứt điểm"
            r"\b(xoa so (benh|can benh)?|(\d|ba|bon|nam) doi (chua|boc thuoc|lam thuoc|gia truyen)|"
            r"chan (dung |het |)bien chung|(chua|tri|dieu tri|khoi) (\w+ ){0,3}tan goc|dut diem)\b",
            # "bệnh cao huyết áp ... sẽ được loại bỏ hoàn toàn"
            r"\b(tieu duong|duong huyet|huyet ap|xuong khop|ung thu|gout|tim mach|dot quy|"
            r"tai bien)\b.{0,80}\b(loai bo|day lui|danh bay|khoi|chua khoi) hoan toan\b",
        ),
        unless=_NEGATED,
    ),
    Rule(
        "premium",
        0.5,
        "at-09-trung-thuong",
        _r(
            # texting a content provider's paid short code (6x, 7x, 8x, 1900): a few thousand
            # đồng per message, sent "3 lần" to "xem chi tiết" a prize that does not exist
            r"\bsoan (tin )?.{0,40}?\b(gui|goi|den|toi)\b( \d+ lan)?( den| toi| [a-z]+:)? ?"
            r"([678]\d{3}|[678]\dxx|1900 ?\d{4,})\b",
            r"\b(xem|dk|dang ky|tra cuu|nhan)\b.{0,30}\b(gui|den) [678]\d{3}\b"
            r"(?!\s*(d|dong|vnd|k|nghin|ngan)\b)",
        ),
    ),
    Rule(
        "fine",
        0.45,
        "at-07-tin-nhan-gia",
        _r(
            # "tiền phát sinh" (an extra charge on a bill) is no fine
            r"\b(vi pham giao thong|phat nguoi|nop phat|(tien|khoan|khoan tien) phat(?! sinh)|"
            r"bien ban (xu phat|vi pham)|hinh phat vi pham|loi vi pham|quyet dinh xu phat|"
            r"bien so (xe )?(cua ban|cua quy khach))\b",
        ),
        unless=_NEGATED_THREAT,
    ),
    Rule(
        "family",
        0.5,
        "at-05-nguoi-than-cap-cuu",
        _r(
            # someone in an emergency; not a hospital's "cấp cứu 24/24" or "giải quyết bệnh cấp cứu"
            r"\b((dang|phai|duoc dua|dua|dua di|nhap vien|di) (di |vao |)cap cuu|cap cuu gap|"
            r"(bi|gap) tai nan|tai nan (giao thong|nang)|(bi|da bi) (nga|te|chan thuong)|"
            r"(vao|den|o) phong cap cuu|"
            r"dang nam vien|dang mo|(dang|phai|can|chuan bi|cho) phau thuat|phau thuat gap|bi bat|"
            r"dang o don)\b",
            r"\b(con|chau|em) (dang |)?(can tien|het tien|bi ke)\b",
            # a new number or a broken phone, so "text me" (the voice would give them away)
            r"\b(doi so|so moi|mat dien thoai|(dien thoai|may)( \w+){0,3} (bi )?(hong|roi|vo|hu))\b"
            r".{0,60}\b(chuyen|gui|muon|nhan tin)\b",
        ),
    ),
    Rule(
        "romance",
        0.5,
        "at-09-trung-thuong",
        _r(
            # a stranger abroad (an officer, a doctor with the UN, a soldier in Syria) who wants
            # friendship: the gift or the money "held at customs" comes later
            r"\b(si|sy) quan (quan doi |luc quan |hai quan |)(my|anh|phap|duc|uc|lien hop quoc)\b",
            r"\b(quan nhan|linh|bac si|ky su) (nguoi |quan doi |)(my|anh|phap|duc|uc)\b.{0,80}"
            r"\b(lam quen|ket ban|lam ban|tro chuyen|nguoi ban|tinh yeu|moi quan he|qua|gui)\b",
            r"\b(lam viec (cho|voi|o|tai) lien hop quoc|gin giu hoa binh)\b",
            r"\b(dang|hien dang|dong quan|lam nhiem vu) (o |tai )"
            r"(syria|libya|lybia|yemen|afghanistan|iraq|somalia|gian khoan)\b",
        ),
    ),
    Rule(
        "secret",
        0.45,
        "at-04-cong-an-gia",
        _r(
            r"\b(giu bi mat|khong (duoc )?(noi|bao|ke) (cho|voi) (ai|nguoi than|gia dinh|con chau))",
        ),
    ),
    Rule(
        "call_number",
        0.25,
        "at-12-bao-tin-lua-dao",
        _r(
            r"\b(goi (ngay|lai|den|toi)?|lien he|lien lac|ket ban zalo|zalo|bam so)\b"
            r"(?:\s+\S+){0,4}\s+\+?\d[\d .]{7,}",
        ),
    ),
    Rule(
        "odd_login",
        0.5,
        "at-07-tin-nhan-gia",
        _r(
            r"\b(thiet bi la|dang nhap (bat thuong|khac vung|la|tren thiet bi)|"
            r"tieu dung o nuoc ngoai|giao dich (bat thuong|la)|tai khoan (co dau hieu )?bat thuong)\b",
        ),
        unless=_NEGATED,
    ),
    Rule(
        "fee_cancel",
        0.45,
        "at-07-tin-nhan-gia",
        _r(
            r"\b(da dang ky|thu phi|tru phi|phi duy tri)\b.{0,80}\b(kiem tra hoac (de )?huy|de huy|"
            r"huy (dich vu|goi|dang ky))\b",
        ),
    ),
    Rule(
        "parcel",
        0.45,
        "at-07-tin-nhan-gia",
        _r(
            # not a shop's status "... chưa giao cho đơn vị vận chuyển" (not yet handed over)
            r"\b(don hang|buu pham|buu kien|kien hang|goi hang)\b.{0,60}\b(chua (duoc )?giao"
            r"(?! cho (don vi|ben|hang) van chuyen)|"
            r"khong the (duoc )?giao|giao khong thanh|"
            r"bi giu|bi treo|phi luu kho|cap nhat (dia chi|thong tin)|xac nhan gap)",
            r"\b(khong|chua) (the )?giao (hang |don |)(duoc|thanh cong)\b",
            r"\b(giao hang|phat hang|giao don|goi hang)\b.{0,40}\b(khong thanh cong|that bai)\b",
        ),
    ),
    Rule(
        "click",
        0.3,
        "at-07-tin-nhan-gia",
        _r(
            r"\b(bam|nhan|click|truy cap|vao) (vao )?(link|duong dan|day|duong link)\b",
            r"\b(click|bam|cham) (vao )?de (xem|kiem tra|nhan|cap nhat|thanh toan|tra cuu)\b",
        ),
        unless=_NEGATED,
    ),
)

BY_KEY = {r.key: r for r in RULES}

#: Advice not to do something: "không cung cấp", "tuyệt đối không chuyển tiền", "tránh bấm".
#: Not "nếu không chuyển tiền ..." (a condition in a threat) nor "không được nói cho ai" (secrecy
#: a fake policeman asks for: the `secret` sign).
_DONT = re.compile(
    r"\b(?<!neu )(khong|" + _DUNG + r"|tranh|khong nen|chang)"
    r" (bao gio |nen |tu y |vo tinh |)"
    r"(cung cap|chuyen|bam|nhan vao|truy cap|cai|tai|lam theo|nghe theo|click|chia se|"
    r"tiet lo|doc|quet|ket ban|dang nhap|nhap|dien|gui (ma|tien|thong tin|anh))\b"
)
#: What a scammer's own "don't" gives away: "không cung cấp cho ai ngoài em", an account or
#: phone number to use (a warning names only hotlines: 113, 156, 1800..., 1900...).
_SCAMMERS_DONT = re.compile(
    r"\b(ngoai|tru|chi) (em|anh|chi|toi|chau|chung toi|nhan vien|can bo)\b"
    r"|(?<![\d.])(?!1800|1900)\d(?:[ .]?\d){7,}"
)
#: A body saying what it never does: "Cơ quan Công an không gọi video call để làm việc ...",
#: "Ngân hàng không bao giờ yêu cầu ...".
_NEVER_DOES = re.compile(
    r"\b(cong an|ngan hang|co quan|vien kiem sat|toa an|bhxh|bao hiem xa hoi|dien luc|evn|"
    # not "chúng tôi": "chúng tôi không yêu cầu ông lên trụ sở" is what a fake policeman says
    r"nha truong|nha mang|[a-z]+bank|mb|acb|bidv|vib|shb|msb|ocb|scb|zalo|ubnd|hoi)\b"
    r"(?:\s+\S+){0,4}?\s+(se |)(khong bao gio|chua bao gio|khong he|khong)\s+"
    r"(goi|yeu cau|gui|nhan tin|lam viec|thu|de nghi|lien he|lien lac|xin|hoi|chi tra)\b"
    # "..., không gọi điện đòi tiền": the body is named earlier in the sentence
    r"|\bkhong (bao gio |he |)(goi dien|nhan tin|gui tin nhan) (de |)(doi|yeu cau|bat) "
    r"(tien|chuyen|nop|cung cap)\b"
)
#: A scam told in the third person: "các đối tượng mạo danh nhân viên ngân hàng ...".
_NARRATES = re.compile(
    r"\b(doi tuong|ke gian|ke lua dao|toi pham)\b(?:\s+\S+){0,2}?\s+"
    r"(mao danh|gia danh|gia mao|gia lam|gia|tu xung|lua|chiem (doat|quyen))\b"
)
#: A request made to the reader, not negated: what a warning never does.
_ASKS = re.compile(
    r"\b(ong|ba|bac|anh|ban|quy khach|em|chu)\b (hay |vui long |can |phai |lam on |nho |)"
    r"(chuyen (tien|khoan|ngay|gap|vao)|cung cap|doc (ma|so)|gui (ma|anh|tien|cho)|"
    r"cai (dat |)(ung dung|app)|bam (vao|link)|truy cap|nhap (ma|mat khau|thong tin)|ket ban|"
    r"lam theo huong dan cua (toi|em|chung toi))\b"
)
#: Words that talk about scams and scammers from the outside, and the advice around them.
_ABOUT_SCAMS = re.compile(
    r"\b(lua dao|mao danh|gia mao|gia danh|thu doan|chieu tro|chieu thuc|ke gian|doi tuong|"
    r"nan nhan|canh giac|khuyen cao|trinh bao|to giac|kiem chung|xac minh ky|bat ky ai|bat cu ai|"
    r"nguoi la|kenh chinh thuc|khong ro nguon goc|khong ro danh tinh|phuong thuc|"
    r"bat ky nguoi nao)\b"
)


#: "... cho người khác / cho bất kỳ ai": a "don't" meant for everybody, which is advice.
_DONT_ANYONE = re.compile(r"\bcho (nguoi khac|bat ky ai|bat cu ai|bat ky nguoi nao|nguoi la)\b")


def advice(folded: str) -> bool:
    """A warning against scams, not a scam: advice not to do what scams ask, or a body saying
    what it never does. Such texts use the scams' own words (OTP, chuyển tiền, công an)."""
    if _SCAMMERS_DONT.search(folded):
        return False
    for m in _ASKS.finditer(folded):
        if not _NEGATED.search(_clause_before(folded, m.start())):
            return False
    if _NEVER_DOES.search(folded) or _NARRATES.search(folded):
        return True
    donts = len(_DONT.findall(folded))
    about = _ABOUT_SCAMS.search(folded) or _DONT_ANYONE.search(folded)
    return donts >= 2 or (donts >= 1 and bool(about))


def _clause_before(text: str, at: int) -> str:
    ends = [m.end() for m in _CLAUSE_END.finditer(text, 0, at)]
    return text[ends[-1] if ends else 0 : at]


def _clause_after(text: str, at: int) -> str:
    m = _CLAUSE_END.search(text, at)
    return text[at : m.start() if m else len(text)]


def _hit(rule: Rule, text: str) -> bool:
    patterns = rule.patterns
    if rule.weak and not (rule.weak_unless is not None and rule.weak_unless.search(text)):
        patterns += rule.weak
    for p in patterns:
        for m in p.finditer(text):
            if rule.unless is not None and rule.unless.search(_clause_before(text, m.start())):
                continue
            if rule.unless_after is not None and rule.unless_after.search(
                _clause_after(text, m.end())
            ):
                continue
            return True
    return False


def signs(folded: str) -> list[str]:
    """The keys of the rules that match, strongest first."""
    found = [r for r in RULES if _hit(r, folded)]
    return [r.key for r in sorted(found, key=lambda r: -r.weight)]
