"""One verdict from the text signs, the links, any QR code and the trained model.

The score mixes the model's probability with the explainable signs; a strong sign alone (a
look-alike bank domain, a request for the OTP, an APK) keeps the score high. The verdict has
three levels and is never "safe": "ok" means only that no sign was found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from bot.scamcheck import links as links_mod
from bot.scamcheck import model, ocr, qr, rules
from bot.scamcheck.normalize import fold

#: The model's share is chosen on the training split, with the model's out-of-fold
#: probabilities; the threshold for 'scam' on the real messages already read (they train the
#: model since round 8, so their scores are cross-validated by page): the highest F1 among 0.40,
#: 0.45 and 0.50 whose false alarms stay under 5% there and on the held-out written messages,
#: and that calls no held-out everyday message (greetings, family chat: `NE1`) a scam
#: (`python benchmarks/scamcheck_eval.py --tune`). Round 8, on the 631 read, it picks 0.45 (F1
#: 0.87, false alarms 3.3%; 0.50: F1 0.84, 2.2%), but 0.45 calls a bank's own code SMS ("… là
#: mã xác thực … không đọc cho ai") and a sister paying back a loan a scam (`test_detector.py`):
#: the threshold stays at 0.5.
MODEL_SHARE = 0.6
SCAM_AT = 0.5
UNSURE_AT = 0.3
#: 'cần cẩn thận' with a score midway: a payment QR whose bank or checksum is wrong, a picture
#: with a QR code and no text
DOUBT = (UNSURE_AT + SCAM_AT) / 2
#: Every link goes to an official site and no strong sign: real notices of banks, carriers and
#: state bodies look like this ("cập nhật thông tin tại https://vneid.gov.vn"), so the words
#: "update", "authority" weigh less. Never below "unsure" on its own: they may still be scams.
#: A link to a page anyone can open (zalo.me/..., facebook.com/...) is no such site: a job scam's
#: "Liên hệ zalo.me/..." was damped to 'unsure' by it.
OFFICIAL_DAMP = 0.6
LINK_WEIGHTS = {
    "link_blocked": 0.95,
    "link_brand": 0.85,
    "link_lookalike": 0.85,
    "link_homoglyph": 0.85,
    "link_ip": 0.7,
    "apk": 0.8,
    "link_risky_tld": 0.5,
    "link_short": 0.4,
    "link_unknown": 0.2,
    "qr_bad_crc": 0.5,
    "qr_unknown_bank": 0.3,
    "link_pretext": 0.8,
    "fee_pretext": 0.75,
}
STRONG = frozenset(
    {
        "link_blocked",
        "link_brand",
        "link_lookalike",
        "link_homoglyph",
        "link_ip",
        "apk",
        "otp",
        "borrow_back",
        "topup",
        "link_pretext",
        "fee_pretext",
        "extort",
        "hostage",
    }
)
#: A reason to click that real senders give in their own app, not by a link in a message: a
#: parcel held or undelivered, a traffic fine, a refund. With a link that goes to no official
#: site, or words telling to click, it is the fake-delivery / fake-fine SMS the police describe.
PRETEXT = frozenset({"parcel", "fine"})
REFUND = re.compile(r"\b(hoan tien|hoan phi|hoan lai (tien|phi)|nhan lai (tien|khoan tien))\b")
#: A parcel "held" until a fee is paid: real carriers collect at the door (COD), not in advance.
FEE = re.compile(
    r"\b(tra|nop|thanh toan|chuyen|dong) (them |)(mot |)(khoan |)(phi|le phi|tien phi|cuoc)\b"
)
LINK_LESSON = {
    "apk": "at-08-ung-dung-gia",
    "qr_bad_crc": "tt-06-ma-qr-gia",
    "link_pretext": "at-07-tin-nhan-gia",
    "fee_pretext": "at-07-tin-nhan-gia",
}
#: The model alone judged it (no rule sign, no link): the learner is told it is the wording.
WORDING = "wording"
#: A warning against scams (advice not to do what they ask): it says "cần cẩn thận" at most.
ADVICE_DAMP = 0.6
PHONE = re.compile(r"(?<!\d)(?:\+?84|0)(?:[\s.\-]?\d){8,10}(?!\d)")


@dataclass
class Verdict:
    verdict: str  # "scam" | "unsure" | "ok"
    score: float
    signs: list[str] = field(default_factory=list)  # keys, strongest first
    links: list[links_mod.LinkFinding] = field(default_factory=list)
    qr: list[qr.VietQR] = field(default_factory=list)
    qr_texts: list[str] = field(default_factory=list)  # QR codes that are not VietQR
    lesson: str | None = None
    #: for a picture: no text and no QR code could be read (then the verdict says "unsure")
    unreadable: bool = False
    ocr_missing: bool = False
    #: it reads as a warning against scams (advice not to do what scams ask), not as one
    advice: bool = False

    @property
    def officials(self) -> list[str]:
        return sorted({f.official.name for f in self.links if _sender_site(f)})

    @property
    def socials(self) -> list[str]:
        """Sites where anyone can open an account, linked to: named apart, never as 'real'."""
        return sorted(
            {f.official.name for f in self.links if f.official and f.official.open_to_all}
        )


def _sender_site(f: links_mod.LinkFinding) -> bool:
    """The link goes to an official body's or company's own site, not to a page anyone opens."""
    return f.official is not None and not f.official.open_to_all


def has_contact(text: str) -> bool:
    """A link or a phone number: what makes a pasted text worth offering a check."""
    return bool(links_mod.extract(text) or PHONE.search(text))


def _weight(key: str) -> float:
    rule = rules.BY_KEY.get(key)
    return rule.weight if rule else LINK_WEIGHTS.get(key, 0.2)


def _lesson(key: str) -> str:
    rule = rules.BY_KEY.get(key)
    return rule.lesson if rule else LINK_LESSON.get(key, "at-07-tin-nhan-gia")


def score_text(text: str, m: model.Model | None = None) -> Verdict:
    folded = fold(text)
    signs = rules.signs(folded)
    found = links_mod.check_links(text)
    for f in found:
        for s in f.signs:
            if s not in signs:
                signs.append(s)
    unofficial = any(f.official is None for f in found)
    pretext = any(k in PRETEXT for k in signs) or bool(REFUND.search(folded))
    if pretext and (unofficial or "click" in signs):
        signs.append("link_pretext")
    if "parcel" in signs and FEE.search(folded):
        signs.append("fee_pretext")
    signs.sort(key=lambda k: -_weight(k))
    p = (m or model.default()).probability(folded) if folded else 0.0
    keep = 1.0
    for key in signs:
        keep *= 1 - _weight(key)
    from_signs = 1 - keep
    score = MODEL_SHARE * p + (1 - MODEL_SHARE) * from_signs
    official_only = bool(found) and all(_sender_site(f) and not f.signs for f in found)
    # a warning links only to official sites, if anywhere; a link elsewhere voids the frame
    warning = rules.advice(folded) and not unofficial
    if warning:
        # its words name what it warns about: they are its topic, not a request
        signs = []
        score = min(ADVICE_DAMP * MODEL_SHARE * p, SCAM_AT - 0.01)
    elif any(s in STRONG for s in signs):
        score = max(score, 0.75)
    elif official_only:
        score *= OFFICIAL_DAMP
    verdict = "scam" if score >= SCAM_AT else "unsure" if score >= UNSURE_AT else "ok"
    if verdict != "ok" and not signs and not warning:
        signs = [WORDING]  # never a verdict without a reason to show
    return Verdict(
        verdict,
        round(score, 3),
        signs,
        found,
        lesson=_lesson(signs[0]) if signs else None,
        advice=warning,
    )


def check_text(text: str) -> Verdict:
    """Judge a pasted or forwarded message."""
    return score_text(text)


def check_image(path: str | Path, m: model.Model | None = None) -> Verdict:
    """Judge a screenshot or a photo of a QR code: QR codes first, then the text in it."""
    try:
        codes = qr.decode(path)
    except (OSError, ValueError, Image.DecompressionBombError):
        return Verdict("unsure", DOUBT, unreadable=True)  # not a picture we can open
    parts: list[str] = []
    parsed: list[qr.VietQR] = []
    others: list[str] = []
    for code in codes:
        v = qr.parse_vietqr(code)
        if v is not None:
            parsed.append(v)
        else:
            others.append(code)
            parts.append(code)  # a QR holding a link or text goes through the same checks
    ocr_missing = False
    try:
        parts.append(ocr.read_text(path))
    except ocr.OcrUnavailable:
        ocr_missing = True
    except (OSError, ValueError, Image.DecompressionBombError):
        pass
    text = "\n".join(p for p in parts if p)
    result = score_text(text, m) if text.strip() else Verdict("unsure", DOUBT)
    result.qr, result.qr_texts, result.ocr_missing = parsed, others, ocr_missing
    for v in parsed:
        extra = [
            k for k, bad in (("qr_bad_crc", not v.crc_ok), ("qr_unknown_bank", not v.bank)) if bad
        ]
        result.signs += [k for k in extra if k not in result.signs]
        if extra:
            result.score = max(result.score, DOUBT)
        if result.lesson is None:
            result.lesson = "tt-06-ma-qr-gia"
    if parsed and result.verdict == "ok":
        result.verdict = "unsure"  # a payment QR: always check the name in the bank app
        result.score = max(result.score, UNSURE_AT)
    if not text.strip() and not parsed:
        result.unreadable = True  # nothing read: unsure, never "ok" and never a guess
        return result
    if result.verdict != "scam" and result.score >= SCAM_AT:
        result.verdict = "scam"
    elif result.verdict == "ok" and result.score >= UNSURE_AT:
        result.verdict = "unsure"
    return result
