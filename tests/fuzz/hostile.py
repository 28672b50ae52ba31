"""Hostile simulator lines and the harness that checks what comes back.

`Lines(seed)` makes input lines (bytes, as `python -m bot simulate` reads them): people who
follow the buttons on screen (so sign-up, lessons, quizzes, practice and staff screens are all
reached) mixed with odd Unicode, huge text, malformed JSON, unknown buttons and ids, SQL- and
format-string-like text, attachments, clock jumps, many users and staff commands from people
who are not staff. `Harness` feeds them, one at a time, through `simulator.run` (the code path
of the command line) and records every problem: a crash, a traceback or error logged, a failed
turn, a reply over 4,096 characters, output that is not valid UTF-8 JSON, a broken contract.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bot import texts
from bot.channels import simulator
from bot.config import Settings
from bot.core.engine import Engine
from lessons import load_content
from scenarios.loader import load_scenarios
from storage.db import Database

START = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC)  # 08:00 in Vietnam
MAX_REPLY = 4096
FAILED = texts.ERROR.split("{")[0]  # "Xin lỗi ": the failed-turn apology

WORDS = [
    "menu", "trợ giúp", "tro giup", "quay lại", "dừng", "bắt đầu", "đồng ý", "không", "có",
    "tiến độ", "ôn tập", "học bài mới", "tiếp", "bỏ qua", "xong", "Lan", "bà", "ông", "1955",
    "58", "70 tuổi", "thai nguyen", "ha noi", "phu thinh", "hoan kiem", "1", "2", "3", "a", "b",
    "c", "d", "7 giờ sáng", "19h", "8:30 tối", "không cần nhắc", "liên kết", "liên kết 123456",
    "da doc", "✅ Đã đọc", "Quản lý", "📊 Báo cáo", "1.250", "1 3", "1 và 3", "nam", "nữ",
    "xóa thông tin của tôi", "xóa hết", "luyện tình huống", "8:00 25/12", "Xóm Đồng Tâm",
]  # fmt: skip
HOSTILE = [
    "{0}", "{}", "{ong_ba}", "{Ong_ba} {ten} {x}", "%s %d %(name)s", "%n%n%n", "'; DROP TABLE users;--",
    "\" OR 1=1 --", "Robert'); DELETE FROM outbox; --", "\\x00\\u0000", "\x00\x01\x02\x1b[31m",
    "a\u0301\u0302\u0303\u0304" * 50, "\u202eđồng ý\u202c", "\u200b\u200c\u200dmenu\ufeff",
    "👨‍👩‍👧‍👦" * 30, "🏳️‍🌈🧑🏽‍💻", "\u0645\u0631\u062d\u0628\u0627", "ﷺ" * 100, "Z̴̡̛͔͈a̵l̷g̸o̶",
    "²", "፩", "٣", "𝟏𝟐", "①", "99999999999999999999", "-1", "1e309", "NaN", "0x41",
    "HS-AAAAAA", "HS-ZZZZZZ", "hs-abc", "ack:1", "ack:99999999999999999999", "ack:²", "ack:-1",
    "liên kết 999999", "liên kết ፩፪፫፬፭፮", "/start", "\n\n\n", " ", "\t", "ǅ", "İ", "ß" * 200,
    "lien ket 12345678901234567890", "1/1/99999 8:00", "25:99 31/2", "8:00 32/13/2026",
]  # fmt: skip
ODD_IDS = [
    "ack:99999999999999999999", "ack:9223372036854775808", "ack:²", "opt:99999999999999999999",
    "opt:-1", "opt:²", "place:99999999999999999999", "place:²", "m:99999999999999999999", "m:²",
    "unit:province:99999999999999999999", "unit:commune:5800", "unit:all", "sub:commune:70",
    "menu:staff", "menu:report", "menu:learn", "consent:yes", "consent:no", "addr:bà",
    "addr:{0}", "remind:25:99", "remind:07:00", "sex:x", "grp:poor", "grp:done", "word", "subs",
    "subscribe", "month", "aud:all", "aud:x", "back", "menu", "skip", "", "x" * 300,
]  # fmt: skip
ANSWERS = [
    (("sinh năm",), ["1955", "1948", "58", "70 tuổi", "2010", "1800", "năm ngoái"]),
    (("tỉnh", "thành phố"), ["thai nguyen", "ha noi", "lang son", "xyz", "Lào Cai"]),
    (("xã", "phường"), ["phu thinh", "hoan kiem", "1", "xyz"]),
    (("gọi", "tên"), ["Lan", "Bà Tư", "{0}", "X" * 80, "Nguyễn Thị Lan"]),
    (("giờ",), ["7 giờ sáng", "19h", "3 giờ chiều", "25h", "không cần nhắc"]),
    (("số người",), ["1.250", "20000001", "²", "0"]),
    (("chi hội", "tên chi"), ["Xóm Đồng Tâm", "Tổ 5"]),
    (("soạn", "nội dung", "thông báo"), ["Mời bà con dự họp lúc 8:00 thứ Hai", "{ong_ba} %s"]),
    (("khi nào", "lúc nào", "gửi vào"), ["8:00 25/12", "14h30 1/1/2027", "hôm qua"]),
]
COMMANDS = ["start", "menu", "help", "back", "stop", "resume", "staff", "report", "x" * 32]
MALFORMED = [
    b"not json", b"{", b"}", b"[]", b"[1,2]", b"null", b"42", b'"text"', b"{'user': 'u1'}",
    b'{"user": "u1"}', b'{"user": "u1", "text": 5}', b'{"user": 5, "text": "hi"}',
    b'{"user": "", "text": "hi"}', b'{"user": "a b", "text": "hi"}', b'{"user": "' + b"u" * 100
    + b'", "text": "hi"}', b'{"user": "u1", "text": "hi", "extra": 1}',
    b'{"user": "u1", "button": null}', b'{"user": "u1", "attachment": "pdf"}',
    b'{"user": "u1", "attachment": "file", "path": "/etc/shadow-not-here"}',
    b'{"user": "u1", "attachment": "file", "path": "relative.txt"}',
    b'{"advance_seconds": -1}', b'{"advance_seconds": 1e999}', b'{"advance_seconds": NaN}',
    b'{"advance_seconds": "1"}', b'{"advance_seconds": 99999999999}',
    b'{"user": "u1", "text": "\\ud800"}', b'{"user": "u1", "text": "\\udfff\\ud800"}',
    b'{"\\ud800": 1}', b'{"user": "u1", "command": ""}', b'{"user": "u1", "text": "a", "text": 1}',
    b"\xff\xfe\xfd", b"\xc3\x28", b"\xed\xa0\x80", b'{"user": "u1", "text": "\xe9"}', b"\x00",
]  # fmt: skip


def deep(rng: random.Random) -> bytes:
    n = rng.choice([100, 1_000, 100_000])
    return rng.choice([b"[" * n, b'{"a":' * n, b"[" * n + b"]" * n])


@dataclass
class Lines:
    """A reproducible stream of simulator lines; `seen` is told the buttons each user got."""

    seed: int = 0
    users: int = 60
    attachment_path: str | None = None
    rng: random.Random = field(init=False)
    buttons: dict[str, list[dict]] = field(default_factory=dict)
    asked: dict[str, str] = field(default_factory=dict)  # the last thing said to each user
    codes: list[str] = field(default_factory=list)  # invitation and link codes seen in replies
    kinds: Counter = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def seen(self, user: str, replies: list[dict]) -> None:
        if not replies:
            return
        self.buttons[user] = replies[-1].get("buttons") or []
        self.asked[user] = replies[-1]["text"]
        for r in replies:
            for code in re.findall(r"HS-[A-Z2-9]{6}|\b\d{3} \d{3}\b", r["text"]):
                self.codes.append(code if code.startswith("HS-") else f"liên kết {code}")
                del self.codes[:-20]

    def _answer(self, user: str) -> str:
        """What a cooperative person would type to the question on screen."""
        asked = self.asked.get(user, "").lower()
        for words, answers in ANSWERS:
            if any(w in asked for w in words):
                return self.rng.choice(answers)
        return self.rng.choice(WORDS)

    def _user(self) -> str:
        r = self.rng.random()
        if r < 0.04:
            return "admin"  # the one admin (HOCSO_ADMIN_IDS): staff screens are reached too
        if r < 0.05:
            return self.rng.choice(["ü", "用户", "👵", "u\u200b1", "x" * 64, "Robert');--"])
        return f"u{int(self.rng.paretovariate(1.2)) % self.users}"  # a few busy people

    def _text(self) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.55:
            return rng.choice(WORDS)
        if r < 0.85:
            return rng.choice(HOSTILE)
        if r < 0.9:
            return rng.choice(WORDS) + " " + rng.choice(HOSTILE)
        if r < 0.95:  # long text, around the limits (1,000 characters understood)
            n = rng.choice([999, 1000, 1001, 4096, 5000, 50_000])
            return (rng.choice(WORDS + HOSTILE) * n)[:n]
        return "".join(chr(rng.choice([rng.randrange(0x20, 0xD800), rng.randrange(0xE000, 0x110000)])) for _ in range(rng.randrange(1, 40)))  # fmt: skip

    def _dump(self, obj: dict) -> bytes:
        return json.dumps(obj, ensure_ascii=self.rng.random() < 0.5).encode("utf-8")

    def __next__(self) -> tuple[str | None, bytes]:
        """(the user it is from, if any; the line)."""
        rng = self.rng
        r = rng.random()
        user = self._user()
        if r < 0.42 and user in self.asked and not self.buttons.get(user):
            obj = {"user": user, "text": self._answer(user)}  # a question without buttons
            self.kinds["answer"] += 1
        elif 0.42 <= r < 0.44 and self.codes:  # a code someone was given, typed by anyone
            obj = {"user": user, "text": rng.choice(self.codes)}
            self.kinds["code"] += 1
        elif r < 0.44:  # a press of something on screen: id, label, number, or typed label
            shown = self.buttons.get(user) or [{"id": "consent:yes", "label": texts.BTN_AGREE}]
            b = rng.choice(shown)
            how = rng.random()
            if how < 0.5:
                obj = {"user": user, "button": b["id"]}
            elif how < 0.8:
                obj = {"user": user, "button": b["label"]}
            elif how < 0.9:
                obj = {"user": user, "text": str(shown.index(b) + 1)}
            else:
                obj = {"user": user, "text": b["label"]}
            self.kinds["press"] += 1
        elif r < 0.72:
            obj = {"user": user, "text": self._text()}
            self.kinds["text"] += 1
        elif r < 0.79:
            button = rng.choice(ODD_IDS + HOSTILE)
            obj = {"user": user, "button": button}
            self.kinds["odd button"] += 1
        elif r < 0.84:
            obj = {"user": user, "command": rng.choice(COMMANDS)}
            if rng.random() < 0.4:
                obj["args"] = rng.choice(["HS-AAAAAA", "hs-2345ab", self._text()[:200], ""])
            self.kinds["command"] += 1
        elif r < 0.89:
            kind = rng.choice(["sticker", "photo", "voice", "video", "file", "location"])
            obj = {"user": user, "attachment": kind}
            if kind in ("photo", "file") and self.attachment_path and rng.random() < 0.5:
                obj["path"] = self.attachment_path
                obj["caption"] = self._text()[:300]
            self.kinds["attachment"] += 1
        elif r < 0.92:
            seconds = rng.choice([1, 30, 600, 3600, 6 * 3600, 86400, 3 * 86400, 40 * 86400])
            self.kinds["clock jump"] += 1
            return None, self._dump({"advance_seconds": seconds})
        else:
            self.kinds["malformed"] += 1
            return None, deep(rng) if rng.random() < 0.05 else rng.choice(MALFORMED)
        return user, self._dump(obj)

    def __iter__(self):
        return self


@dataclass
class Problems:
    """What went wrong, with the first few examples of each kind."""

    counts: Counter = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def add(self, kind: str, example: str) -> None:
        self.counts[kind] += 1
        self.examples.setdefault(kind, [])
        if len(self.examples[kind]) < 3:
            self.examples[kind].append(example[:500])

    def __bool__(self) -> bool:
        return bool(self.counts)

    def __str__(self) -> str:
        return "\n".join(f"{k}: {n}, e.g. {self.examples[k]}" for k, n in self.counts.items())


class _Errors(logging.Handler):
    """Every record at ERROR or above, from any logger: a traceback or a failed turn."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _placeholder_files(_report, paths) -> None:
    for _, path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"report placeholder")


@dataclass
class Harness:
    """`real_reports=False` writes placeholder report files instead of rendering them (still in
    the render worker, after the commit): a chart, Excel and Word file take about half a second
    of CPU each time a leader opens a report, which the fuzzing leader does often; rendering
    has its own tests (tests/reports)."""

    db_path: Path
    real_reports: bool = False
    engine: Engine | None = None
    problems: Problems = field(default_factory=Problems)
    stats: Counter = field(default_factory=Counter)
    states: Counter = field(default_factory=Counter)

    async def open(self) -> Harness:
        from bot.core import reporting

        self._render_all = reporting._render_all
        if not self.real_reports:
            reporting._render_all = _placeholder_files
        settings = Settings(_env_file=None)
        content = load_content(settings.content_dir)
        scenarios = load_scenarios(settings.scenario_dir, content.competency_area)
        db = await Database.open(self.db_path)
        self.clock = simulator.SimClock(START)
        self.engine = Engine(db, content, self.clock, scenarios, frozenset({"sim:admin"}))
        return self

    async def close(self) -> None:
        from bot.core import reporting

        reporting._render_all = self._render_all
        if self.engine is not None:
            await self.engine.db.close()

    async def prologue(self, lines: Lines) -> None:
        """Sign up the admin and a few people and hand out invitation codes, so that the fuzz
        also reaches staff screens (with staff among the users) and not only sign-up."""
        errors = _Errors()
        signup = ["Đồng ý", "Bà", "Lan", "1955", "thai nguyen", "1", "phu thinh", "1",
                  texts.BTN_SKIP, texts.BTN_NO_REMINDER, texts.BTN_SKIP]  # fmt: skip
        script: list[tuple[str, dict]] = []
        for user in ("admin", "u0", "u6", "u9"):
            script.append((user, {"command": "start"}))
            script += [(user, {"text": t}) for t in signup]
        for kind in ("staff", "leader"):
            script += [("admin", {"text": t}) for t in ("menu", texts.BTN_STAFF)]
            script += [("admin", {"text": t}) for t in (texts.BTN_ST_INVITE, "phu thinh", "1")]
            script.append(("admin", {"text": texts.INVITE_KINDS[kind]}))
        for i, (user, obj) in enumerate(script):
            line = json.dumps({"user": user, **obj}).encode()
            await self._one(-i, user, line, lines, errors)
        for user, code in zip(("u6", "u9"), lines.codes, strict=False):  # a staff member, a leader
            await self._one(
                0, user, json.dumps({"user": user, "text": code}).encode(), lines, errors
            )
        for record in errors.records:
            self.problems.add("error logged", f"prologue: {record.getMessage()}")

    async def run(self, lines: Lines, n: int) -> float:
        """Feed `n` lines; returns the seconds it took."""
        errors = _Errors()
        root = logging.getLogger()
        level = root.level
        root.setLevel(min(level, logging.ERROR))  # every error is seen, whatever is configured
        root.addHandler(errors)
        t0 = time.perf_counter()
        try:
            for i in range(n):
                user, line = next(lines)
                await self._one(i + 1, user, line, lines, errors)
        finally:
            root.removeHandler(errors)
            root.setLevel(level)
        return time.perf_counter() - t0

    async def _one(self, i: int, user: str | None, line: bytes, lines: Lines, errors) -> None:
        out = io.StringIO()
        before = len(errors.records)
        shown = line[:200].decode("utf-8", "replace")
        try:
            await simulator.run(self.engine, self.clock, [line], out)
        except BaseException as exc:  # a crash: the command line would have died here
            self.problems.add("crash", f"line {i} {shown!r}: {type(exc).__name__}: {exc}")
            return
        for record in errors.records[before:]:
            self.problems.add(
                "error logged", f"line {i} {shown!r}: {record.name}: {record.getMessage()}"
            )
        got = out.getvalue()
        try:
            got.encode("utf-8")  # strict, as the command line writes it
        except UnicodeEncodeError as exc:
            self.problems.add("invalid UTF-8", f"line {i} {shown!r}: {exc}")
            return
        objs = []
        for raw in got.splitlines():
            try:
                objs.append(json.loads(raw))
            except ValueError:
                self.problems.add("invalid JSON out", f"line {i}: {raw[:200]!r}")
        if not objs or objs[-1] != {"turn_done": 1}:
            self.problems.add("no turn_done", f"line {i} {shown!r}: {objs[-1:]}")
        replies = [o for o in objs if "to" in o]
        self.stats["lines"] += 1
        self.stats["replies"] += len(replies)
        self.stats["errors"] += sum("error" in o for o in objs)
        for o in replies:
            if set(o) != {"to", "text", "buttons", "files"}:
                self.problems.add("contract", f"line {i}: keys {sorted(o)}")
            if len(o["text"]) > MAX_REPLY:
                self.problems.add("reply over 4,096", f"line {i} {shown!r}: {len(o['text'])}")
            if o["text"].startswith(FAILED) and "trục trặc" in o["text"]:
                self.problems.add("failed turn", f"line {i} {shown!r}")
            for b in o["buttons"]:
                if len(b["label"]) > MAX_REPLY or not b["id"]:
                    self.problems.add("button", f"line {i}: {b}")
        if user is not None:
            mine = [o for o in replies if o["to"] == user]
            lines.seen(user, mine)
        for o in replies:  # bulk messages and reminders reach other people too
            if user is None or o["to"] != user:
                lines.seen(o["to"], [o])

    async def check_database(self) -> None:
        conn = self.engine.db.conn
        integrity = await conn.execute_fetchall("PRAGMA integrity_check")
        if [tuple(r) for r in integrity] != [("ok",)]:
            self.problems.add("integrity_check", str([tuple(r) for r in integrity][:5]))
        foreign = await conn.execute_fetchall("PRAGMA foreign_key_check")
        for row in foreign:
            self.problems.add("foreign_key_check", str(tuple(row)))
        for table in (
            "users",
            "answers",
            "mastery",
            "lesson_progress",
            "review_cards",
            "roles",
            "invitations",
            "announcements",
            "outbox",
            "audit_log",
        ):
            try:
                n = (await conn.execute_fetchall(f"SELECT COUNT(*) FROM {table}"))[0][0]
            except Exception:
                continue
            self.stats[f"rows in {table}"] = n
        states = await conn.execute_fetchall("SELECT state FROM conversations")
        self.states = Counter(r[0] for r in states)
