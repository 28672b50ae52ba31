"""Find every link in a message, undo defanging and look-alike letters, and judge each host.

A host is compared with official domains of banks, state bodies and platforms
(`data/official_domains.csv`, with sources), their look-alikes (edit distance, a brand name
inside another domain such as `vietcombank.vn-ms.top`), risky endings, raw IP addresses, link
shorteners and an optional blocklist an operator updates offline.
"""

from __future__ import annotations

import contextlib
import csv
import ipaddress
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from bot.scamcheck.normalize import HOMOGLYPHS, strip_marks

DATA = Path(__file__).parent / "data"

TLDS = frozenset(
    [
        "com",
        "vn",
        "net",
        "org",
        "info",
        "top",
        "xyz",
        "vip",
        "cc",
        "shop",
        "online",
        "site",
        "club",
        "icu",
        "live",
        "link",
        "click",
        "me",
        "io",
        "app",
        "co",
        "biz",
        "asia",
        "pro",
        "tk",
        "ml",
        "ga",
        "cf",
        "gq",
        "buzz",
        "store",
        "tech",
        "website",
        "space",
        "fun",
        "cyou",
        "sbs",
        "cfd",
        "lat",
        "bond",
        "gov",
        "edu",
        "ly",
        "gl",
        "gd",
        "ee",
        "to",
        "in",
        "us",
        "uk",
        "cn",
        "ru",
        "ws",
        "su",
        "pw",
        "win",
        "bid",
        "loan",
        "men",
        "work",
        "cam",
        "rest",
        "fit",
        "ink",
        "life",
        "world",
        "today",
        "monster",
        "beauty",
        "hair",
        "quest",
        "mobi",
        "tv",
        "cloud",
        "dev",
        "page",
        "news",
        "host",
        "uno",
        "one",
    ]
)
RISKY_TLDS = frozenset(
    [
        "top",
        "xyz",
        "vip",
        "cc",
        "icu",
        "click",
        "link",
        "shop",
        "online",
        "site",
        "club",
        "tk",
        "ml",
        "ga",
        "cf",
        "gq",
        "buzz",
        "cyou",
        "sbs",
        "cfd",
        "lat",
        "bond",
        "pw",
        "win",
        "bid",
        "loan",
        "men",
        "work",
        "cam",
        "rest",
        "fit",
        "monster",
        "beauty",
        "hair",
        "quest",
        "uno",
        "live",
        "fun",
        "space",
        "website",
        "store",
    ]
)
SHORTENERS = frozenset(
    [
        "bit.ly",
        "bitly.com",
        "tinyurl.com",
        "t.ly",
        "rb.gy",
        "cutt.ly",
        "shorturl.at",
        "is.gd",
        "goo.gl",
        "ow.ly",
        "s.id",
        "tiny.cc",
        "t.co",
        "v.gd",
        "rebrand.ly",
        "shorten.asia",
        "urlis.net",
        "bom.so",
        "1link.vn",
    ]
)
_SECOND_LEVEL = frozenset(
    ["com", "gov", "edu", "net", "org", "ac", "int", "info", "biz", "pro", "health", "name"]
)

_DEFANG = [
    (re.compile(r"\s*[\[\(\{]\s*(?:\.|dot|chấm|cham)\s*[\]\)\}]\s*", re.IGNORECASE), "."),
    (re.compile(r"\bhxxp", re.IGNORECASE), "http"),
    (re.compile(r"\s+(?:dot|chấm)\s+", re.IGNORECASE), "."),
]
# "vietcombank . com . vn": spaces around dots, joined only before a known ending
_SPACED_DOT = re.compile(r"(?<=[\w-])\s*\.\s+(?=(?:" + "|".join(sorted(TLDS)) + r")\b)")
_URL = re.compile(
    r"(?:(?:https?://)|(?:www\.))[^\s<>\"'，]+"
    r"|(?<![@\w.-])(?:[\w-]+\.)+(?:" + "|".join(sorted(TLDS, key=len, reverse=True)) + r")"
    r"(?![\w-])(?:[:/][^\s<>\"']*)?"
    # shorteners on endings too short to look for in plain text ("shorturl.at/frFHU", "s.id/x")
    r"|(?<![@\w.-])(?:"
    + "|".join(re.escape(h) for h in sorted(SHORTENERS, key=len, reverse=True))
    + r")/[^\s<>\"']+",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Official:
    domain: str
    kind: str  # bank | state | platform | social
    name: str
    brand: str

    @property
    def open_to_all(self) -> bool:
        """Anyone can open a page or account there (zalo.me/..., facebook.com/...): a link to it
        says nothing about who sent the message."""
        return self.kind == "social"


@dataclass
class LinkFinding:
    url: str
    host: str
    signs: list[str] = field(default_factory=list)
    official: Official | None = None


@lru_cache(maxsize=1)
def officials() -> tuple[Official, ...]:
    with (DATA / "official_domains.csv").open(encoding="utf-8") as fh:
        rows = [
            Official(r["domain"].lower(), r["kind"], r["name"], r["brand"])
            for r in csv.DictReader(fh)
        ]
    return tuple(sorted(rows, key=lambda o: -len(o.domain)))  # the most specific first


def blocklist_path() -> Path:
    """The operator's blocklist: HOCSO_SCAM_BLOCKLIST, else beside the database."""
    env = os.environ.get("HOCSO_SCAM_BLOCKLIST")
    if env:
        return Path(env)
    db = os.environ.get("HOCSO_DB_PATH", "data/hocso.db")
    return Path(db).parent / "scam_blocklist.txt"


def parse_blocklist(text: str) -> list[str]:
    """Domains from a file, one a line; '#' comments, defanged forms and URLs accepted."""
    out = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        for pattern, repl in _DEFANG:
            line = pattern.sub(repl, line)
        host = _host(line if "://" in line else "http://" + line)
        if host and "." in host:
            out.append(host)
    return sorted(set(out))


_BLOCK_CACHE: dict[str, tuple[float, frozenset[str]]] = {}


def blocklist() -> frozenset[str]:
    path = blocklist_path()
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return frozenset()
    cached = _BLOCK_CACHE.get(str(path))
    if cached and cached[0] == mtime:
        return cached[1]
    hosts = frozenset(parse_blocklist(path.read_text(encoding="utf-8", errors="replace")))
    _BLOCK_CACHE[str(path)] = (mtime, hosts)
    return hosts


def refang(text: str) -> str:
    for pattern, repl in _DEFANG:
        text = pattern.sub(repl, text)
    return _SPACED_DOT.sub(".", text)


def _host(url: str) -> str:
    m = re.match(r"^(?:[a-z][a-z0-9+.-]*://)?([^/?#\s]+)", url, re.IGNORECASE)
    if not m:
        return ""
    host = m.group(1).rsplit("@", 1)[-1]
    host = re.sub(r":\d+$", "", host).strip(".").lower()
    if host.startswith("[") and host.endswith("]"):
        return host[1:-1]
    labels = []
    for label in host.split("."):
        if label.startswith("xn--"):
            with contextlib.suppress(UnicodeError):
                label = label.encode("ascii").decode("idna")
        labels.append(label)
    return ".".join(labels)


def registrable(host: str) -> str:
    labels = host.split(".")
    if len(labels) >= 3 and labels[-1] == "vn" and labels[-2] in _SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _unglued(url: str) -> str:
    """The link without the next word typed against it: "https://bluezone.gov.vnđể" (a notice
    pasted without its space) or "….top…" end at the known ending, not on a look-alike letter."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    end = re.search(r"[/?#]|$", rest).start()
    head, dot, last = rest[:end].rpartition(".")
    ending = re.match(r"[a-z]*", last, re.IGNORECASE).group(0)
    if dot and not last.isascii() and not last[len(ending)].isascii() and ending.lower() in TLDS:
        return scheme + sep + head + dot + ending
    return url


def extract(text: str) -> list[str]:
    """Every link in the text, defanging undone, in order, without repeats."""
    seen: dict[str, None] = {}
    for m in _URL.finditer(refang(text)):
        url = _unglued(m.group(0)).rstrip(".,;:!?)]}»\"'")
        if "@" in url.split("/")[0] and "://" not in url:
            continue  # an e-mail address
        seen.setdefault(url, None)
    return list(seen)


def _official_for(host: str) -> Official | None:
    for o in officials():
        if host == o.domain or host.endswith("." + o.domain):
            return o
    return None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


def check_url(url: str) -> LinkFinding:
    raw_host = _host(url if re.match(r"^[a-z]+://", url, re.IGNORECASE) else "http://" + url)
    ascii_host = strip_marks(raw_host.translate(HOMOGLYPHS)).lower()
    finding = LinkFinding(url, ascii_host)
    if not ascii_host:
        return finding
    if raw_host != ascii_host or not raw_host.isascii():
        finding.signs.append("link_homoglyph")
    if _is_ip(ascii_host):
        finding.signs.append("link_ip")
        return finding
    blocked = blocklist()
    if ascii_host in blocked or registrable(ascii_host) in blocked:
        finding.signs.append("link_blocked")
    if re.search(r"\.apk(?:$|[?#])", url, re.IGNORECASE):
        finding.signs.append("apk")
    official = _official_for(ascii_host)
    if official is not None and "link_homoglyph" not in finding.signs:
        finding.official = official
        return finding
    reg = registrable(ascii_host)
    if reg in SHORTENERS or ascii_host in SHORTENERS:
        finding.signs.append("link_short")
        return finding
    name = reg.split(".")[0]
    tokens = re.split(r"[.\-_]", ascii_host)
    for o in officials():
        long_brand = len(o.brand) > 4 and o.brand in ascii_host.replace("-", "")
        if o.brand and (long_brand or o.brand in tokens):
            finding.signs.append("link_brand")
            break
        o_name = registrable(o.domain).split(".")[0]
        if len(o_name) >= 5 and name != o_name and Levenshtein.distance(name, o_name) <= 2:
            finding.signs.append("link_lookalike")
            break
    tld = ascii_host.rsplit(".", 1)[-1]
    if tld in RISKY_TLDS:
        finding.signs.append("link_risky_tld")
    if not finding.signs:
        finding.signs.append("link_unknown")
    return finding


def check_links(text: str) -> list[LinkFinding]:
    return [check_url(u) for u in extract(text)]
