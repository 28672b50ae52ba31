"""QR codes in a photo (zxing-cpp) and VietQR payloads (EMVCo merchant-presented mode).

A VietQR payload is a chain of tag-length-value fields; tag 38 holds the NAPAS GUID, the bank's
BIN and the account; 54 the amount, 59 the name, 62/08 the message; 63 a CRC-16/CCITT over
everything before it. The bank's name comes from `data/bank_bins.csv` (with its source).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).parent / "data"
NAPAS_GUID = "A000000727"


@dataclass(frozen=True)
class VietQR:
    bin: str
    bank: str | None  # short name, None when the BIN is not in our list
    account: str
    amount: str | None
    message: str | None
    name: str | None
    crc_ok: bool
    service: str | None  # QRIBFTTA (to an account) or QRIBFTTC (to a card)


@lru_cache(maxsize=1)
def banks() -> dict[str, str]:
    with (DATA / "bank_bins.csv").open(encoding="utf-8") as fh:
        return {r["bin"]: r["short_name"] for r in csv.DictReader(fh)}


def crc16(data: bytes) -> str:
    """CRC-16/CCITT-FALSE (polynomial 0x1021, start 0xFFFF), as EMVCo requires."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return f"{crc:04X}"


def tlv(payload: str) -> dict[str, str] | None:
    """Top-level fields of an EMVCo payload, or None if it is not one."""
    out: dict[str, str] = {}
    i = 0
    while i < len(payload):
        if i + 4 > len(payload) or not payload[i + 2 : i + 4].isdigit():
            return None
        tag, n = payload[i : i + 2], int(payload[i + 2 : i + 4])
        value = payload[i + 4 : i + 4 + n]
        if len(value) != n:
            return None
        out[tag] = value
        i += 4 + n
    return out


def parse_vietqr(payload: str) -> VietQR | None:
    fields = tlv(payload.strip())
    if not fields or fields.get("00") != "01" or "38" not in fields:
        return None
    merchant = tlv(fields["38"]) or {}
    if merchant.get("00") != NAPAS_GUID:
        return None
    org = tlv(merchant.get("01", "")) or {}
    bin_ = org.get("00", "")
    account = org.get("01", "")
    extra = tlv(fields.get("62", "")) or {}
    body = payload.strip()
    crc_ok = (
        "63" in fields
        and body.endswith(fields["63"])
        and (crc16(body[:-4].encode("utf-8")) == fields["63"].upper())
    )
    return VietQR(
        bin=bin_,
        bank=banks().get(bin_),
        account=account,
        amount=fields.get("54"),
        message=extra.get("08"),
        name=fields.get("59"),
        crc_ok=crc_ok,
        service=merchant.get("02"),
    )


def build_vietqr(
    bin_: str, account: str, amount: str | None = None, message: str | None = None
) -> str:
    """A VietQR payload (for tests and the scenario renderer): transfer to an account."""

    def f(tag: str, value: str) -> str:
        return f"{tag}{len(value):02d}{value}"

    org = f("00", bin_) + f("01", account)
    merchant = f("00", NAPAS_GUID) + f("01", org) + f("02", "QRIBFTTA")
    body = f("00", "01") + f("01", "12" if amount else "11") + f("38", merchant) + f("53", "704")
    if amount:
        body += f("54", amount)
    body += f("58", "VN")
    if message:
        body += f("62", f("08", message))
    body += "6304"
    return body + crc16(body.encode("utf-8"))


def decode(path: str | Path) -> list[str]:
    """The text of every QR code in a picture."""
    import zxingcpp
    from PIL import Image

    with Image.open(path) as im:
        im = im.convert("L")
        found = zxingcpp.read_barcodes(im, formats=zxingcpp.BarcodeFormat.QRCode)
    return [r.text for r in found if r.text]
