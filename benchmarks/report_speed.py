"""Report speed: a province report over a million learners, against recomputing it naively.

The benchmark builds a synthetic province in a SQLite database through the production schema:
`Database.open` applies the migrations, so the triggers of 0060_reports.sql keep the report
counters (stat_cells, stat_days) from the rows inserted, exactly as they do in production.

- Learners spread unevenly over `--communes` communes of one real province (places.communes),
  about ten branches per commune (a fifth of learners in none), birth years from 1925 to 2006
  (about 15% helpers under 60, 1% not given), sex and priority groups as people declare them
  (or not), registered at a random time over the last 12 months.
- Each learner follows one of a few hundred answer patterns (browsing, one area, two areas,
  the local area, all four national areas, an area mastered and then lost, struggling) over
  questions of the real content and practice scenarios. Patterns are replayed once through
  the same BKT rules as bot/core/learning.trace, so `area_mastery` rows and the proficient
  flag follow from the answers (and are written at the answer that changed them). Answer
  counts are chosen so the mean is about `--answers`: reaching all four areas takes ~70.
- Announcements per commune and topic; learners acknowledge some sent after they signed up
  (announcement_acks), and their first acknowledgement per topic is `informed`.

Then it times, on one connection as the bot uses it: the province report (compute.build +
render JSON) and a commune report, each `--repeat` times (median printed), and the naive
recomputation (bot/reports/naive.recompute: users, every answer replayed, acknowledgements)
of the province once, and between them the fair baseline: one plain GROUP BY over the flags
stored per learner (users.proficient, area_mastery, informed; storage/reports.flags_by_sub_unit),
`--repeat` times. It prints each beside the report as ratios, and checks that all agree.

    python benchmarks/report_speed.py [--learners 1000000] [--communes 100] [--answers 20]
        [--province 1] [--db PATH] [--repeat 5] [--profile]

With --db the database is kept, and reused when it exists (the build is skipped). A quick
check: --learners 20000 (under a minute); the full size takes about 10 minutes to build and
4 to recompute naively, on 2 cores. While building, journal_mode and synchronous are OFF (a
crash leaves a broken file: delete it) and the secondary indexes of the tables being filled
are dropped, then created again from their own definitions; rows are generated on one thread
while another writes the previous batch (sqlite3 lets go of the GIL while triggers run).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import queue
import random
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.core import mastery as bkt  # noqa: E402
from bot.core import places  # noqa: E402
from bot.core.review import VN  # noqa: E402
from bot.domain import Unit  # noqa: E402
from bot.reports import compute, naive, render  # noqa: E402
from lessons import Content, load_content  # noqa: E402
from lessons.schema import NATIONAL_AREAS  # noqa: E402
from scenarios.loader import Scenarios, load_scenarios  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.reports import AREAS, TOPICS, ReportRepo  # noqa: E402
from storage.store import Store  # noqa: E402

DAY = 86_400
CHUNK = 25_000  # learners per transaction
PATTERNS_PER_KIND = 64
#: kind -> share of learners
KINDS = {
    "browser": 0.30,
    "one_area": 0.28,
    "two_areas": 0.12,
    "local": 0.05,
    "proficient": 0.12,
    "lapsed": 0.06,
    "struggler": 0.07,
}
#: topic -> share of learners who acknowledged an announcement on it
TOPIC_SHARE = {"chuyen_doi_so": 0.6, "viec_lam": 0.3, "chuyen_doi_xanh": 0.15, "khoi_nghiep": 0.05}
ANNOUNCE_DAYS_AGO = (340, 250, 160, 90, 30, 5)

Row = tuple[str, str, int, int, str]  # question or scenario id, lesson id, option, correct, context


@dataclass
class Pattern:
    """A learner's answers and what they changed: (answer index, area or "", new value)."""

    kind: str
    rows: list[Row]
    areas: list[tuple[int, str, int]] = field(default_factory=list)
    proficient: list[tuple[int, int]] = field(default_factory=list)


class Place:
    """What learners of one place can practise (communes differ only by local content)."""

    def __init__(self, content: Content, scenarios: Scenarios, units: tuple[str, ...]):
        self.content = content
        self.units = units
        self.comps = {a: content.competencies_in(a, units) for a in AREAS}
        self.questions: dict[str, list[tuple[str, str, int, int]]] = {}  # comp -> choices
        self.all_questions: list[tuple[str, str, int, int]] = []
        for area in AREAS:
            for lesson in content.lessons_in(area, units):
                for q in lesson.questions:
                    right = next(i for i, o in enumerate(q.options) if o.correct)
                    wrong = next(i for i, o in enumerate(q.options) if not o.correct)
                    item = (q.id, lesson.id, right, wrong)
                    self.all_questions.append(item)
                    for c in q.competencies:
                        self.questions.setdefault(c, []).append(item)
        self.scenarios = [s for s in scenarios.by_id.values() if s.area in AREAS]
        own = bkt.own_lessons(content)  # the lessons whose questions can master a competency
        self.own_questions = {
            c: [item for item in items if item[1] in own.get(c, ())]
            for c, items in self.questions.items()
        }

    def key(self) -> tuple:
        return tuple(tuple(self.comps[a]) for a in AREAS), len(self.all_questions)


def _answer(item: tuple[str, str, int, int], correct: bool) -> Row:
    qid, lesson, right, wrong = item
    return (qid, lesson, right if correct else wrong, int(correct), "lesson")


def _core(place: Place, kind: str, rng: random.Random) -> list[Row]:
    """The answers that make a pattern what it is (the rest is browsing before them)."""
    national = [a for a in NATIONAL_AREAS if place.comps[a]]

    def master(area: str) -> list[Row]:
        out: list[Row] = []
        for sc in place.scenarios:  # sometimes a practice scenario is part of it
            if sc.area == area and rng.random() < 0.3:
                out.append((sc.id, sc.id, 0, 1, "scenario"))
        comps = list(place.comps[area])
        rng.shuffle(comps)
        for c in comps:  # its own lessons' questions, right, as many as mastery needs
            own = list(place.own_questions[c])
            rng.shuffle(own)
            for k in range(8 + (rng.random() < 0.3)):
                out.append(_answer(own[k % len(own)], True))
        return out

    if kind == "one_area":
        return master(rng.choice(national))
    if kind == "two_areas":
        a, b = rng.sample(national, 2)
        return master(a) + master(b)
    if kind == "local":
        areas = (["dia_phuong"] if place.comps["dia_phuong"] else []) + [rng.choice(national)]
        return [r for a in areas for r in master(a)]
    if kind == "proficient":
        areas = list(national) + (["dia_phuong"] if rng.random() < 0.5 else [])
        rng.shuffle(areas)
        return [r for a in areas for r in master(a)]
    if kind == "lapsed":
        area = rng.choice(national)
        lost = rng.choice(place.comps[area])
        return master(area) + [_answer(rng.choice(place.questions[lost]), False) for _ in range(6)]
    return []


def _browse(place: Place, n: int, right: float, rng: random.Random) -> list[Row]:
    return [_answer(rng.choice(place.all_questions), rng.random() < right) for _ in range(n)]


def replay(place: Place, scenarios: Scenarios, pattern: Pattern) -> None:
    """Fill in what the answers change, as bot/core/learning.trace does turn by turn."""
    content = place.content
    learner = bkt.Learner(bkt.model_for(content, scenarios))
    mastered: dict[str, bool] = {}
    rows: dict[str, bool] = {}
    proficient = False
    for i, (qid, lesson, _opt, correct, context) in enumerate(pattern.rows):
        comps = learner.observe(qid, lesson, context, bool(correct))
        changed = set()
        for c in comps:
            now = learner.mastered(c)
            if now != mastered.get(c, False):
                changed.add(content.competency_area[c])
            mastered[c] = now
        if not changed:
            continue
        for area in sorted(changed):
            comps_in = place.comps[area]
            done = bool(comps_in) and all(mastered.get(c, False) for c in comps_in)
            if rows.get(area) != done:
                pattern.areas.append((i, area, int(done)))
            rows[area] = done
        now_prof = all(rows.get(a, False) for a in NATIONAL_AREAS)
        if now_prof != proficient:
            pattern.proficient.append((i, int(now_prof)))
            proficient = now_prof


def make_patterns(
    place: Place, scenarios: Scenarios, mean_answers: int, rng: random.Random
) -> dict[str, list[Pattern]]:
    """Patterns per kind, browsing answers added before each core so the mean is as asked."""
    cores = {k: [_core(place, k, rng) for _ in range(PATTERNS_PER_KIND)] for k in KINDS}

    def mean_for(base: int) -> float:
        return sum(
            w
            * statistics.fmean(max(len(c), base if k != "browser" else base // 2) for c in cores[k])
            for k, w in KINDS.items()
        )

    base = min(range(0, 20 * mean_answers + 1), key=lambda b: abs(mean_for(b) - mean_answers))
    out: dict[str, list[Pattern]] = {}
    for kind, items in cores.items():
        for core in items:
            n = base // 2 if kind == "browser" else base
            browse = max(0, n - len(core)) if kind != "browser" else max(1, rng.randint(n // 2, n))
            right = {"struggler": 0.25, "browser": 0.55}.get(kind, 0.7)
            pattern = Pattern(kind, _browse(place, browse, right, rng) + core)
            replay(place, scenarios, pattern)
            out.setdefault(kind, []).append(pattern)
    return out


# --- building the database ---


class Iso:
    """UTC ISO strings as the bot writes them (storage.repos.iso: seconds, +00:00), per minute,
    from a day part and a time part so twenty million of them cost little."""

    def __init__(self):
        self.days: dict[int, str] = {}
        self.times = [f"T{m // 60:02d}:{m % 60:02d}:00+00:00" for m in range(1440)]

    def __call__(self, minute: int) -> str:
        day, m = divmod(minute, 1440)
        d = self.days.get(day)
        if d is None:
            d = self.days[day] = dt.date.fromordinal(_EPOCH + day).isoformat()
        return d + self.times[m]


_EPOCH = dt.date(1970, 1, 1).toordinal()


def _person(rng: random.Random, year: int) -> tuple:
    """Birth year, sex and the four priority groups (None: not said)."""
    r = rng.random()
    if r < 0.01:
        born = None
    elif r < 0.16:
        born = year - rng.randint(20, 59)  # helpers
    else:
        born = year - min(100, 60 + int(rng.expovariate(1 / 9)))
    s = rng.random()
    sex = "nu" if s < 0.55 else "nam" if s < 0.95 else None
    if rng.random() < 0.3:
        groups = (None, None, None, None)
    else:
        groups = tuple(int(rng.random() < share) for share in (0.6, 0.1, 0.15, 0.05))
    return born, sex, *groups


@dataclass
class Chunk:
    """One transaction's rows, in the order the bot would have written them."""

    users: list = field(default_factory=list)
    answers: list = field(default_factory=list)
    area_ins: list = field(default_factory=list)
    area_upd: list = field(default_factory=list)
    proficient: list = field(default_factory=list)
    last: list = field(default_factory=list)
    acks: list = field(default_factory=list)
    informed: list = field(default_factory=list)


STATEMENTS = (
    (
        "users",
        "INSERT INTO users (id, identity, consent, consent_at, province_code, commune_code,"
        " branch_id, registered_at, created_at, last_active_at, birth_year, sex, rural, poor,"
        " alone, disabled) VALUES (?, ?, 'given', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    ),
    (
        "answers",
        "INSERT INTO answers (user_id, question_id, lesson_id, option_index, correct, context,"
        " answered_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    ),
    (
        "area_ins",
        "INSERT INTO area_mastery (user_id, area, mastered, updated_at) VALUES (?, ?, ?, ?)",
    ),
    (
        "area_upd",
        "UPDATE area_mastery SET mastered = ?, updated_at = ? WHERE user_id = ? AND area = ?",
    ),
    # The flag changes in the turn of the answer that completed (or broke) the fourth area, so
    # last_active_at is that answer's time: the day the trigger records.
    ("proficient", "UPDATE users SET last_active_at = ?, proficient = ? WHERE id = ?"),
    ("last", "UPDATE users SET last_active_at = ? WHERE id = ?"),
    (
        "acks",
        "INSERT INTO announcement_acks (announcement_id, user_id, acked_at) VALUES (?, ?, ?)",
    ),
    ("informed", "INSERT INTO informed (user_id, topic, first_at) VALUES (?, ?, ?)"),
)
FILLED = (
    "users",
    "answers",
    "area_mastery",
    "informed",
    "announcement_acks",
    "stat_cells",
    "stat_days",
)


def _writer(conn: sqlite3.Connection, chunks: queue.Queue, failed: list) -> None:
    """Write chunks as they come (sqlite3 releases the GIL while the triggers run, so the next
    chunk is generated meanwhile on the other core)."""
    try:
        while (chunk := chunks.get()) is not None:
            conn.execute("BEGIN")
            for name, sql in STATEMENTS:
                conn.executemany(sql, getattr(chunk, name))
            conn.execute("COMMIT")
    except BaseException as exc:  # reported by the generating thread
        failed.append(exc)
        while chunks.get() is not None:
            pass


def build(
    path: Path, content: Content, scenarios: Scenarios, args: argparse.Namespace, today: dt.date
) -> None:
    rng = random.Random(args.seed)
    province = places.province(args.province)
    communes = places.communes(args.province)
    if province is None or len(communes) < args.communes:
        raise SystemExit(f"province {args.province} has {len(communes)} communes")
    chosen = [c.code for c in communes[: args.communes]]
    # Uneven communes: a few large towns, many small ones.
    weights = [1 / (i + 8) for i in range(len(chosen))]
    rng.shuffle(weights)
    cum = list(itertools.accumulate(weights))

    kinds, kind_weights = list(KINDS), list(KINDS.values())
    by_place: dict[tuple, dict[str, list[Pattern]]] = {}
    place_of: dict[int, dict[str, list[Pattern]]] = {}
    for code in chosen:
        place = Place(content, scenarios, (f"province:{args.province}", f"commune:{code}"))
        if place.key() not in by_place:
            by_place[place.key()] = make_patterns(place, scenarios, args.answers, rng)
        place_of[code] = by_place[place.key()]

    end = dt.datetime.combine(today, dt.time(18), VN).astimezone(dt.UTC)  # today, 18:00
    end_min = int(end.timestamp()) // 60
    year_min = 365 * 24 * 60
    iso = Iso()

    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    for pragma in (
        "journal_mode = OFF",
        "synchronous = OFF",
        "cache_size = -4000000",
        "temp_store = MEMORY",
        "foreign_keys = OFF",
    ):
        conn.execute(f"PRAGMA {pragma}")
    # Secondary indexes are dropped while loading and created again, identical, at the end
    # (a bulk build is a sort); the triggers fire on every row as in production.
    marks = ",".join("?" * len(FILLED))
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        f" AND tbl_name IN ({marks})",
        FILLED,
    ).fetchall()
    for name, _ in indexes:
        conn.execute(f"DROP INDEX {name}")
    conn.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('bench_today', ?)", (today.isoformat(),)
    )

    # Branches, ~10 a commune; announcements per commune and topic.
    conn.execute("BEGIN")
    branches: dict[int, list[int]] = {}
    created = iso(end_min - year_min - 1440)
    for code in chosen:
        for k in range(rng.randint(8, 12)):
            cur = conn.execute(
                "INSERT INTO branches (commune_code, name, created_at) VALUES (?, ?, ?)",
                (code, f"Chi hội số {k + 1}", created),
            )
            branches.setdefault(code, []).append(cur.lastrowid)
    announcements: dict[tuple[int, str], list[tuple[int, int]]] = {}  # -> [(id, minute)]
    for code in chosen:
        for topic in TOPICS:
            for days in ANNOUNCE_DAYS_AGO:
                minute = end_min - days * 1440 - rng.randint(0, 600)
                cur = conn.execute(
                    "INSERT INTO announcements (unit, topic, text, send_at, status, recipients,"
                    " created_at) VALUES (?, ?, ?, ?, 'queued', 0, ?)",
                    (f"commune:{code}", topic, "Thông báo của hội", iso(minute), iso(minute)),
                )
                announcements.setdefault((code, topic), []).append((cur.lastrowid, minute))
    conn.execute("COMMIT")

    chunks: queue.Queue = queue.Queue(maxsize=2)
    failed: list[BaseException] = []
    writer = threading.Thread(target=_writer, args=(conn, chunks, failed))
    writer.start()
    t0 = time.perf_counter()
    n_answers = 0
    try:
        for start in range(0, args.learners, CHUNK):
            if failed:
                break
            n = min(CHUNK, args.learners - start)
            c = Chunk()
            codes = rng.choices(chosen, cum_weights=cum, k=n)
            types = rng.choices(kinds, kind_weights, k=n)
            for j in range(n):
                uid = start + j + 1
                code = codes[j]
                branch = rng.choice(branches[code]) if rng.random() < 0.8 else None
                reg = end_min - rng.randint(60, year_min)
                reg_s = iso(reg)
                pattern = rng.choice(place_of[code][types[j]])
                span = min(end_min - reg - 1, int(rng.expovariate(1 / (30 * 1440))) + 10)
                rand = rng.random
                times = sorted(reg + 1 + int(rand() * span) for _ in pattern.rows)
                stamps = [iso(m) for m in times]
                last = stamps[-1] if stamps else reg_s
                c.users.append(
                    (
                        uid,
                        f"bench:{uid}",
                        reg_s,
                        args.province,
                        code,
                        branch,
                        reg_s,
                        reg_s,
                        last,
                        *_person(rng, today.year),
                    )
                )
                c.answers += [(uid, *row, at) for row, at in zip(pattern.rows, stamps, strict=True)]
                seen: set[str] = set()
                for i, area, value in pattern.areas:
                    if area in seen:
                        c.area_upd.append((value, stamps[i], uid, area))
                    else:
                        c.area_ins.append((uid, area, value, stamps[i]))
                        seen.add(area)
                for i, value in pattern.proficient:
                    c.proficient.append((stamps[i], value, uid))
                if pattern.proficient:  # back to the last answer after those turns
                    c.last.append((last, uid))
                for topic, share in TOPIC_SHARE.items():
                    if rand() >= share:
                        continue
                    sent = [(a, m) for a, m in announcements[(code, topic)] if m > reg]
                    if not sent:
                        continue
                    picked = rng.sample(sent, 2 if len(sent) > 1 and rand() < 0.2 else 1)
                    first = None
                    for ann, minute in picked:
                        at = min(end_min - 1, minute + rng.randint(1, 3 * 1440))
                        c.acks.append((ann, uid, iso(at)))
                        first = at if first is None else min(first, at)
                    c.informed.append((uid, topic, iso(first)))
            n_answers += len(c.answers)
            chunks.put(c)
            done = start + n
            if done % (CHUNK * 8) == 0 or done == args.learners:
                rate = done / (time.perf_counter() - t0)
                print(f"  {done:,} learners ({rate:,.0f}/s)", flush=True)
    finally:
        chunks.put(None)
        writer.join()
    if failed:
        raise failed[0]
    print(f"  rows written: {time.perf_counter() - t0:.0f} s; creating indexes", flush=True)
    for _, sql in indexes:
        conn.execute(sql)
    conn.execute("PRAGMA journal_mode = WAL")
    stats = conn.execute(
        "SELECT (SELECT COUNT(*) FROM area_mastery WHERE mastered = 1),"
        " (SELECT COUNT(*) FROM users WHERE proficient = 1),"
        " (SELECT COUNT(*) FROM announcement_acks), (SELECT COUNT(*) FROM informed)"
    ).fetchone()
    conn.close()
    print(
        f"  {n_answers:,} answers (mean {n_answers / args.learners:.1f} a learner),"
        f" {stats[0]:,} areas mastered, {stats[1]:,} proficient, {stats[2]:,} acknowledgements,"
        f" {stats[3]:,} informed on a topic"
    )


# --- timing ---


async def timed(fn, *args, **kwargs) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = await fn(*args, **kwargs)
    return time.perf_counter() - t0, out


async def report_once(conn, unit: str, today: dt.date, out: Path) -> compute.Report:
    report = await compute.build(Store(conn), unit, today, today)
    render.render(report, "json", out)
    return report


def agree(report: compute.Report, full: dict) -> list[str]:
    """Figures where the report and the recomputation differ (hidden cells are skipped)."""
    bad = []
    pairs = [("registered", report.registered, full["registered"])]
    pairs += [("helpers", report.helpers, full["helpers"])]
    pairs += [("proficient", report.proficient.count, full["proficient"])]
    pairs += [(f"area {a}", report.areas[a].count, full["areas"][a]) for a in AREAS]
    pairs += [(f"informed {t}", report.informed[t].count, full["informed"][t]) for t in TOPICS]
    zero = {"registered": 0, "proficient": 0, "areas": dict.fromkeys(AREAS, 0)}
    for s in report.sub_units:
        n = full["sub_units"].get(s.unit, zero)
        pairs += [(f"{s.unit} registered", s.registered, n["registered"])]
        pairs += [(f"{s.unit} proficient", s.proficient.count, n["proficient"])]
        pairs += [(f"{s.unit} {a}", s.areas[a], n["areas"][a]) for a in AREAS]
    for dim, rows in (report.breakdowns or {}).items() if full["breakdowns"] is not None else ():
        for b in rows:
            reg, prof = full["breakdowns"][dim][b.key]
            pairs += [(f"{dim} {b.key} registered", b.registered, reg)]
            pairs += [(f"{dim} {b.key} proficient", b.proficient, prof)]
    for name, got, want in pairs:
        if got is not None and got != want:
            bad.append(f"{name}: report {got}, recomputed {want}")
    return bad


async def group_by_flags(conn, unit: str, today: dt.date) -> dict:
    """The province's figures from the flags stored per learner (users.proficient,
    area_mastery, informed) by one plain GROUP BY (storage/reports.flags_by_sub_unit), shaped
    as naive.recompute's result so `agree` compares it with the report."""
    year = max(today.year, compute.FIRST_YEAR)
    rows = await Store(conn).reports.flags_by_sub_unit(unit, naive.end_of_day(today), year)
    full: dict = {"registered": 0, "helpers": 0, "proficient": 0, "sub_units": {},
                  "areas": dict.fromkeys(AREAS, 0), "informed": dict.fromkeys(TOPICS, 0),
                  "breakdowns": None}  # fmt: skip
    kind = Unit.of(unit).kind
    for code, older, sums in rows:
        if not older:
            full["helpers"] += sums["registered"]
            continue
        full["registered"] += sums["registered"]
        full["proficient"] += sums["proficient"]
        for a in AREAS:
            full["areas"][a] += sums[f"m_{a}"]
        for t in TOPICS:
            full["informed"][t] += sums[f"i_{t}"]
        sub = Unit.commune(code) if kind == "province" else Unit.province(code)
        full["sub_units"][sub] = {"registered": sums["registered"],
                                  "proficient": sums["proficient"],
                                  "areas": {a: sums[f"m_{a}"] for a in AREAS}}  # fmt: skip
    return full


def profiled() -> dict[str, float]:
    """Wrap the report's reads so each one's time is added up (for --profile)."""
    spent: dict[str, float] = {}

    def wrap(name, fn):
        async def inner(*a, **k):
            t0 = time.perf_counter()
            try:
                return await fn(*a, **k)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - t0

        return inner

    for name in ("history", "by_sub_unit", "breakdowns", "active", "populations", "baseline"):
        setattr(ReportRepo, name, wrap(name, getattr(ReportRepo, name)))
    compute._sub_name = wrap("sub-unit names", compute._sub_name)
    return spent


async def measure(path: Path, content: Content, scenarios: Scenarios, args) -> None:
    db = await Database.open(path)
    conn = db.conn
    rows = await conn.execute_fetchall("SELECT value FROM meta WHERE key = 'bench_today'")
    today = dt.date.fromisoformat(rows[0][0])
    counts = {}
    for table in ("users", "answers", "stat_days", "stat_cells"):
        counts[table] = (await conn.execute_fetchall(f"SELECT COUNT(*) FROM {table}"))[0][0]
    print("rows: " + ", ".join(f"{t} {n:,}" for t, n in counts.items()))
    province = f"province:{args.province}"
    (commune,) = (
        await conn.execute_fetchall(
            "SELECT commune_code FROM users WHERE province_code = ? GROUP BY 1"
            " ORDER BY COUNT(*) DESC LIMIT 1",
            (args.province,),
        )
    )[0]
    commune = f"commune:{commune}"
    spent = profiled() if args.profile else {}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        await report_once(conn, province, today, out)  # the baseline row is written once
        spent.clear()
        p_times, c_times = [], []
        for _ in range(args.repeat):
            t, report = await timed(report_once, conn, province, today, out)
            p_times.append(t)
        p_spent = dict(spent)
        spent.clear()
        for _ in range(args.repeat):
            t, c_report = await timed(report_once, conn, commune, today, out)
            c_times.append(t)
        size = out.stat().st_size
    p_med, c_med = statistics.median(p_times), statistics.median(c_times)
    print(
        f"province report ({province}, {len(report.sub_units)} communes, JSON):"
        f" median {p_med * 1000:.0f} ms of {args.repeat}"
        f" ({', '.join(f'{t * 1000:.0f}' for t in p_times)} ms)"
    )
    if p_spent:
        total = sum(p_times)
        print("  where the province report's time goes (all runs):")
        for name, t in sorted(p_spent.items(), key=lambda kv: -kv[1]):
            print(f"    {name:<16} {t * 1000 / args.repeat:7.1f} ms/run ({100 * t / total:.0f}%)")
    print(
        f"commune report ({commune}, {c_report.registered:,} older learners, JSON {size:,} B):"
        f" median {c_med * 1000:.0f} ms of {args.repeat}"
    )
    g_times = []
    for _ in range(args.repeat):
        t, flags = await timed(group_by_flags, conn, province, today)
        g_times.append(t)
    g_med = statistics.median(g_times)
    print(
        f"plain GROUP BY over the stored per-learner flags (the fair baseline):"
        f" median {g_med * 1000:.0f} ms of {args.repeat}"
        f" ({', '.join(f'{t * 1000:.0f}' for t in g_times)} ms)"
    )
    t_naive, full = await timed(naive.recompute, Store(conn), content, scenarios, province, today)
    print(f"naive recomputation of the province (every answer replayed): {t_naive:.1f} s")
    print(
        f"ratios to the province report ({p_med * 1000:.0f} ms):"
        f" GROUP BY {g_med / p_med:,.1f}x slower, naive {t_naive / p_med:,.0f}x slower"
        f" (naive / GROUP BY {t_naive / g_med:,.0f}x)"
    )
    g_bad = agree(report, flags)
    print(
        "GROUP BY and report agree on every figure"
        if not g_bad
        else "GROUP BY DISAGREES:\n  " + "\n  ".join(g_bad[:20])
    )
    bad = agree(report, full)
    print(
        f"report and recomputation agree on every figure"
        f" ({report.registered:,} older learners, {report.helpers:,} helpers,"
        f" {report.proficient.count:,} proficient)"
        if not bad
        else "DISAGREE:\n  " + "\n  ".join(bad[:20])
    )
    print(
        f"targets: province report under 1 s: {'yes' if p_med < 1 else 'NO'};"
        f" at least 50x faster than naive: {'yes' if t_naive / p_med >= 50 else 'NO'}"
    )
    await db.close()


async def main(args: argparse.Namespace) -> int:
    content = load_content()
    scenarios = load_scenarios(None, content.competency_area)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.db) if args.db else Path(tmp) / "bench.db"
        if not path.exists():
            print(
                f"building {args.learners:,} learners in {args.communes} communes of"
                f" {places.province(args.province).name} into {path}"
            )
            t0 = time.perf_counter()
            db = await Database.open(path)  # the production schema, triggers included
            await db.close()
            today = dt.datetime.now(VN).date()
            build(path, content, scenarios, args, today)
            print(f"build: {time.perf_counter() - t0:.0f} s ({path.stat().st_size / 1e9:.2f} GB)")
        else:
            print(f"reusing {path}")
        await measure(path, content, scenarios, args)
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=1_000_000)
    parser.add_argument("--communes", type=int, default=100)
    parser.add_argument("--answers", type=int, default=20, help="mean answers per learner")
    parser.add_argument("--province", type=int, default=1, help="code (1: Hà Nội)")
    parser.add_argument("--db", help="keep the database here; reused when it exists")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="time each read of the report")
    sys.exit(asyncio.run(main(parser.parse_args())))
