"""Scale-out in one run: SQLite with one process beside PostgreSQL with one and two workers,
and the province report on PostgreSQL beside SQLite, printed as one table with ratios.

Webhook rows. Every configuration gets a fresh database (a SQLite file, or a PostgreSQL
database created on the server and dropped afterwards) and the same fake Telegram Bot API
(tests/fakes) in this process. A separate sender process (this file with --sender) POSTs
signed webhook updates to the web role: `--chats` people each send the same five-message
script (/start, agree, «Bà», «Lan», «1955»), one message after the previous POST's 200 (as
Telegram delivers a chat's updates), all chats at once, 64 requests in flight; a 503 («not
stored, try again») is posted again after 0.5 s and counted. Replies are counted at the fake
API: an update's answer is the message that closes its turn (it carries the keyboard).

- updates/s: updates answered from the first POST to the last answer;
- p50/p99: from an update's POST to its answer;
- checks: every chat got exactly one answer per update (0 lost, 0 duplicated), every chat's
  transcript is the same as every other's (a chat handled out of order says something else),
  the k-th answer came after the k-th POST, and the database holds each update once, done;
- CPU ms/update: process CPU (user + system, /proc) of the bot processes during the burst,
  for the web role and the workers apart; on SQLite the database works inside the process,
  on aiosqlite's thread, whose CPU is shown as the database's share;
- DB ms/update (PostgreSQL): `active_time` of pg_stat_database (time the server spent
  executing statements for this database) and the CPU of the server's backends for this
  database (/proc), over the burst; transactions committed per update.

Report rows. benchmarks/report_speed.py builds a synthetic province of `--learners` learners
into SQLite (the production schema and triggers); `python -m bot db copy`'s copy
(storage/copy.py) moves it into a fresh PostgreSQL database, which is then ANALYZEd (as an
operator does after a bulk load); the province report (compute.build + JSON) is timed
`--repeat` times on each, medians and the ratio printed, and the two JSON reports compared.

This machine has 2 cores, shared by the sender, the fake API, the web role, the workers and
PostgreSQL: two workers cannot get a core each, so the two-worker row shows the claims'
cost more than a gain. docs/scaling.md turns the per-update costs into a national sizing.

    python benchmarks/scale_out.py [--chats 200] [--learners 100000] [--repeat 5]
        [--pg postgresql://postgres@127.0.0.1:5432/postgres] [--quick]

The PostgreSQL server is --pg, else HOCSO_TEST_DATABASE_URL, else 127.0.0.1:5432 (trust
auth); in --quick mode (the test suite) only HOCSO_TEST_DATABASE_URL, and without it the
PostgreSQL rows are skipped with the reason printed (the SQLite rows still run).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import secrets
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from tests.channels.run_helpers import free_port  # noqa: E402

SECRET = "bench-scale-out-secret"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
TICK = os.sysconf("SC_CLK_TCK")
IN_FLIGHT = 64


# --- the sender process ---


async def sender(spec: Path) -> None:
    """POST each chat's updates in order (next after the 200), all chats at once; print when
    each update was first POSTed (time.monotonic, one clock for every process)."""
    import httpx

    job = json.loads(spec.read_text(encoding="utf-8"))
    url, chats = job["url"], job["chats"]
    gate = asyncio.Semaphore(IN_FLIGHT)
    posted: dict[str, list[float]] = {}
    retries = 0
    limits = httpx.Limits(max_connections=IN_FLIGHT, max_keepalive_connections=IN_FLIGHT)
    async with httpx.AsyncClient(trust_env=False, timeout=120, limits=limits) as client:

        async def chat(key: str, updates: list[dict]) -> None:
            nonlocal retries
            times = posted.setdefault(key, [])
            for update in updates:
                async with gate:
                    times.append(time.monotonic())
                    while True:  # 503: not stored, deliver again (as Telegram does)
                        r = await client.post(
                            url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
                        )
                        if r.status_code != 503:
                            break
                        retries += 1
                        await asyncio.sleep(0.5)
                    r.raise_for_status()

        await asyncio.gather(*(chat(k, u) for k, u in chats.items()))
    print(json.dumps({"posted": posted, "retries": retries}))


# --- measuring processes ---


def _cpu(pid: int) -> float:
    """User + system CPU seconds of a process (all its threads)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def _thread_cpu(pid: int) -> float:
    """CPU seconds of a process's threads other than the main one (aiosqlite's thread)."""
    total = 0.0
    for task in Path(f"/proc/{pid}/task").iterdir():
        if int(task.name) == pid:
            continue
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / TICK
    return total


@dataclass
class Proc:
    role: str
    proc: asyncio.subprocess.Process
    lines: list[str] = field(default_factory=list)
    cpu0: float = 0.0
    thr0: float = 0.0


async def _start(env: dict[str, str], role: str) -> Proc:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--role", role, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    p = Proc(role, proc)

    async def read() -> None:
        async for raw in proc.stderr:
            p.lines.append(raw.decode("utf-8", "replace"))

    asyncio.get_running_loop().create_task(read())
    needle = "running; stop with" if role == "all" else f"role {role} started"
    deadline = time.monotonic() + 120
    while not any(needle in line for line in p.lines):
        if proc.returncode is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{role} did not start:\n" + "".join(p.lines))
        await asyncio.sleep(0.05)
    return p


async def _stop(procs: list[Proc]) -> None:
    for p in procs:
        if p.proc.returncode is None:
            p.proc.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            await asyncio.wait_for(p.proc.wait(), 30)
        except TimeoutError:
            p.proc.kill()
            await p.proc.wait()


# --- PostgreSQL databases ---


def _with_db(server: str, name: str) -> str:
    return urlunsplit(urlsplit(server)._replace(path="/" + name))


class FreshPg:
    """A database created on the server for one configuration and dropped afterwards."""

    def __init__(self, server: str, prefix: str):
        self.server = server
        self.name = f"{prefix}_{secrets.token_hex(5)}"
        self.url = _with_db(server, self.name)

    async def __aenter__(self) -> FreshPg:
        import asyncpg

        admin = await asyncpg.connect(_with_db(self.server, "postgres"))
        try:
            await admin.execute(f'CREATE DATABASE "{self.name}"')
        finally:
            await admin.close()
        return self

    async def __aexit__(self, *exc) -> None:
        import asyncpg

        admin = await asyncpg.connect(_with_db(self.server, "postgres"))
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        finally:
            await admin.close()


async def _pg_sample(server: str, name: str) -> tuple[float, int, float]:
    """(active_time ms, transactions committed, CPU s of the backends now serving `name`)."""
    import asyncpg

    conn = await asyncpg.connect(_with_db(server, "postgres"))
    try:
        await conn.execute("SELECT pg_stat_clear_snapshot()")
        row = await conn.fetchrow(
            "SELECT active_time, xact_commit FROM pg_stat_database WHERE datname = $1", name
        )
        pids = await conn.fetch("SELECT pid FROM pg_stat_activity WHERE datname = $1", name)
    finally:
        await conn.close()
    cpu = {r["pid"]: _cpu(r["pid"]) for r in pids}
    return float(row["active_time"] or 0.0), int(row["xact_commit"] or 0), sum(cpu.values())


async def _pg_backends(server: str, name: str) -> dict[int, float]:
    import asyncpg

    conn = await asyncpg.connect(_with_db(server, "postgres"))
    try:
        pids = await conn.fetch("SELECT pid FROM pg_stat_activity WHERE datname = $1", name)
    finally:
        await conn.close()
    return {r["pid"]: _cpu(r["pid"]) for r in pids}


# --- one webhook configuration ---

SCRIPT_KEYS = ("/start", "BTN_AGREE", "Bà", "Lan", "1955")


@dataclass
class Row:
    name: str
    updates: int = 0
    rate: float = 0.0
    p50: float = 0.0
    p99: float = 0.0
    retries: int = 0
    web_cpu: float = 0.0  # ms/update
    worker_cpu: float = 0.0  # ms/update, all workers together (or the one process)
    db_thread_cpu: float = 0.0  # ms/update, SQLite: aiosqlite's thread
    pg_active: float | None = None  # ms/update
    pg_backend_cpu: float | None = None  # ms/update
    pg_xacts: float | None = None  # per update
    checks: list[str] = field(default_factory=list)
    transcript: tuple = ()


def _pct(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))]


async def webhook_run(fake, name: str, workers: int, chats: int, tmp: Path,
                      pg: FreshPg | None) -> Row:  # fmt: skip
    """One configuration: start the processes, let the sender post, wait for every answer."""
    from bot import texts

    script = ["/start", texts.BTN_AGREE, "Bà", "Lan", "1955"]
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOCSO_")}
    env.update(
        PYTHONPATH=str(ROOT),
        HOCSO_DB_PATH=str(tmp / f"bench-{time.monotonic_ns()}.db"),
        HOCSO_TELEGRAM_TOKEN=fake.token,
        HOCSO_TELEGRAM_BASE_URL=fake.base_url,
        HOCSO_TELEGRAM_WEBHOOK_URL=f"http://127.0.0.1:{port}/tg",
        HOCSO_TELEGRAM_WEBHOOK_SECRET=SECRET,
        HOCSO_WEBHOOK_HOST="127.0.0.1",
        HOCSO_WEBHOOK_PORT=str(port),
        HOCSO_WEB_PORT="0",
        HOCSO_LOG_LEVEL="INFO",
    )  # the shipped defaults otherwise (HOCSO_WORKER_POLL 0.2 s, pool of 10 per process)
    if pg is not None:
        env["HOCSO_DATABASE_URL"] = pg.url
    row = Row(name)
    base = 30_000_000 + workers * 1_000_000 + (0 if pg is None else 500_000)
    chat_ids = [base + i for i in range(chats)]
    uid = iter(range(base * 10, base * 10 + 10**6))
    job = {
        "url": f"http://127.0.0.1:{port}/tg",
        "chats": {str(c): [{"update_id": next(uid), **fake.text(c, t)} for t in script]
                  for c in chat_ids},
    }  # fmt: skip
    spec = tmp / f"job-{base}.json"
    spec.write_text(json.dumps(job), encoding="utf-8")

    print(f"{name}: starting", file=sys.stderr, flush=True)
    procs = [await _start(env, "all" if workers == 0 else "web")]
    for _ in range(workers):
        procs.append(await _start(env, "worker"))
    try:
        await asyncio.sleep(1.0)  # let start-up work (webhook set, first due round) finish
        fake.calls.clear()
        fake.by_chat.clear()
        for p in procs:
            p.cpu0, p.thr0 = _cpu(p.proc.pid), _thread_cpu(p.proc.pid)
        pg0 = await _pg_sample(pg.server, pg.name) if pg else None
        backends0 = await _pg_backends(pg.server, pg.name) if pg else {}

        t0 = time.monotonic()
        send = await asyncio.create_subprocess_exec(
            sys.executable, str(Path(__file__).resolve()), "--sender", str(spec),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, cwd=ROOT,
        )  # fmt: skip
        out, err = await send.communicate()
        print(f"{name}: posted in {time.monotonic() - t0:.1f} s", file=sys.stderr, flush=True)
        if send.returncode != 0:
            raise RuntimeError("sender failed:\n" + err.decode())
        result = json.loads(out)
        posted = {int(k): v for k, v in result["posted"].items()}
        row.retries = result["retries"]
        n = len(script)
        deadline = time.monotonic() + 60 + chats
        while True:
            if all(len(fake.turn_ends(c)) >= n for c in chat_ids):
                break
            if time.monotonic() > deadline:
                missing = sum(n - len(fake.turn_ends(c)) for c in chat_ids)
                logs = "".join(line for p in procs for line in p.lines[-15:])
                raise TimeoutError(f"{name}: {missing} updates not answered\n{logs}")
            await asyncio.sleep(0.05)
        await asyncio.sleep(1.0)  # anything duplicated or late shows up now
        cpu = {id(p): (_cpu(p.proc.pid) - p.cpu0, _thread_cpu(p.proc.pid) - p.thr0)
               for p in procs}  # fmt: skip
        pg1 = await _pg_sample(pg.server, pg.name) if pg else None
        backends1 = await _pg_backends(pg.server, pg.name) if pg else {}
    finally:
        await _stop(procs)

    ends = {c: fake.turn_ends(c) for c in chat_ids}
    total = chats * n
    row.updates = total
    first = min(t[0] for t in posted.values())
    last = max(e[n - 1].at for e in ends.values())
    row.rate = total / (last - first)
    lat = sorted(ends[c][k].at - posted[c][k] for c in chat_ids for k in range(n))
    row.p50, row.p99 = _pct(lat, 0.5), _pct(lat, 0.99)
    for p in procs:
        spent, threads = cpu[id(p)]
        if p.role == "web":
            row.web_cpu += spent * 1000 / total
        else:
            row.worker_cpu += spent * 1000 / total
            row.db_thread_cpu += threads * 1000 / total
    if pg is not None:
        row.pg_active = (pg1[0] - pg0[0]) / total
        row.pg_xacts = (pg1[1] - pg0[1]) / total
        spent = sum(t - backends0.get(pid, 0.0) for pid, t in backends1.items())
        row.pg_backend_cpu = spent * 1000 / total

    # checks: 0 lost, 0 duplicated, per-chat order
    counts = {len(e) for e in ends.values()}
    row.checks.append("0 lost, 0 duplicated" if counts == {n} else f"ANSWERS PER CHAT {counts}")
    transcripts = {tuple(c.params.get("text", "") for c in e) for e in ends.values()}
    row.transcript = next(iter(transcripts))
    in_order = len(transcripts) == 1 and all(
        e[k].at > posted[c][k] for c, e in ends.items() for k in range(n)
    )
    row.checks.append("per-chat order kept" if in_order else "ORDER BROKEN")
    row.checks.append(await _stored(pg.url if pg else env["HOCSO_DB_PATH"], total))
    return row


async def _stored(target: str, total: int) -> str:
    """The inbox: every update once, all done; inbound_events: each update key once."""
    from storage.db import Database

    db = await Database.open(target)
    try:
        async with db.sql() as conn:
            inbox = await conn.execute_fetchall("SELECT status, COUNT(*) FROM inbox GROUP BY 1")
            keys = await conn.execute_fetchall(
                "SELECT COUNT(*), COUNT(DISTINCT key) FROM inbound_events"
                " WHERE key LIKE 'telegram:update:%'"
            )
    finally:
        await db.close()
    inbox = {r[0]: r[1] for r in inbox}
    n, distinct = keys[0][0], keys[0][1]
    ok = inbox == {"done": total} and n == distinct == total
    return "stored once each, all done" if ok else f"STORED inbox {inbox} events {n}/{distinct}"


# --- the province report ---


@dataclass
class ReportRow:
    learners: int
    build_s: float = 0.0
    copy_s: float = 0.0
    sqlite: list[float] = field(default_factory=list)
    pg: list[float] = field(default_factory=list)
    same: str = ""
    sqlite_mb: float = 0.0
    pg_mb: float = 0.0


async def report_rows(learners: int, repeat: int, tmp: Path, server: str | None) -> ReportRow:
    import report_speed

    from bot.reports import compute, render
    from lessons import load_content
    from scenarios.loader import load_scenarios
    from storage.copy import copy_sqlite_to_postgresql
    from storage.db import Database
    from storage.store import Store

    out = ReportRow(learners)
    args = argparse.Namespace(learners=learners, communes=100, answers=20, province=1, seed=1)
    content = load_content()
    scenarios = load_scenarios(None, content.competency_area)
    path = tmp / "province.db"
    t0 = time.perf_counter()
    db = await Database.open(path)
    await db.close()
    today = dt.datetime.now(report_speed.VN).date()
    report_speed.build(path, content, scenarios, args, today)
    out.build_s = time.perf_counter() - t0
    out.sqlite_mb = path.stat().st_size / 1e6
    unit = f"province:{args.province}"

    async def timed(store: Store, dest: Path) -> float:
        t = time.perf_counter()
        report = await compute.build(store, unit, today, today)
        render.render(report, "json", dest)
        return time.perf_counter() - t

    src = await Database.open(path)
    try:
        async with src.reading() as store:
            await timed(store, tmp / "warm.json")  # the baseline row is written once
        for _ in range(repeat):
            async with src.reading() as store:
                out.sqlite.append(await timed(store, tmp / "sqlite.json"))
        if server is None:
            return out
        async with FreshPg(server, "hocso_report") as fresh:
            dst = await Database.open(fresh.url, media=tmp / "media.db")
            try:
                t0 = time.perf_counter()
                await copy_sqlite_to_postgresql(src, dst)
                async with dst.sql(write=True) as conn:
                    await conn.execute("ANALYZE")
                out.copy_s = time.perf_counter() - t0
                async with dst.sql() as conn:
                    size = await conn.execute_fetchall(
                        "SELECT pg_database_size(current_database())"
                    )
                out.pg_mb = size[0][0] / 1e6
                async with dst.reading() as store:
                    await timed(store, tmp / "warm.json")
                for _ in range(repeat):
                    async with dst.reading() as store:
                        out.pg.append(await timed(store, tmp / "pg.json"))
            finally:
                await dst.close()
        a = json.loads((tmp / "sqlite.json").read_text(encoding="utf-8"))
        b = json.loads((tmp / "pg.json").read_text(encoding="utf-8"))
        out.same = "the same JSON report on both" if a == b else "REPORTS DIFFER"
    finally:
        await src.close()
    return out


# --- the table ---


def _ms(x: float | None, digits: int = 1) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def print_table(rows: list[Row], skipped: str | None, chats: int, report: ReportRow | None,
                report_skipped: str | None) -> None:  # fmt: skip
    print(
        f"Webhook burst: {chats} chats x 5 updates, sent by another process, {IN_FLIGHT} POSTs in"
        f" flight; fake Bot API; {os.cpu_count()} cores shared by the sender, the fake API,"
        " the bot processes and PostgreSQL"
    )
    head = (
        f"{'configuration':30s} {'updates/s':>9s} {'ratio':>6s} {'p50 ms':>7s} {'p99 ms':>7s}"
        f" {'web CPU':>8s} {'bot CPU':>8s} {'DB thread':>9s}"
        f" {'PG active':>9s} {'PG CPU':>7s} {'xacts':>6s} {'503s':>5s}"
    )
    print(head)
    print(
        "  (ms per update; web CPU: the web role; bot CPU: the workers together, or the one"
        " process; DB thread: of it, aiosqlite's thread; PG active: pg_stat_database.active_time;"
        " PG CPU: the server's backends for this database; xacts: commits per update)"
    )
    one = rows[0].rate if rows else 1.0
    for r in rows:
        print(
            f"{r.name:30s} {r.rate:9.1f} {r.rate / one:5.2f}x {r.p50 * 1000:7.0f}"
            f" {r.p99 * 1000:7.0f} {_ms(r.web_cpu):>8s} {_ms(r.worker_cpu):>8s}"
            f" {_ms(r.db_thread_cpu):>9s} {_ms(r.pg_active):>9s} {_ms(r.pg_backend_cpu):>7s}"
            f" {_ms(r.pg_xacts):>6s} {r.retries:5d}"
        )
    for r in rows:
        print(f"  {r.name}: {r.updates} updates; " + "; ".join(r.checks))
    if len({r.transcript for r in rows}) > 1:
        print("  TRANSCRIPTS DIFFER BETWEEN CONFIGURATIONS")
    elif rows:
        print("  every configuration gave every chat the same conversation")
    if skipped:
        print(f"  PostgreSQL rows skipped: {skipped}")
    with open("/proc/loadavg") as f:
        print(f"  load average at the end (1, 5, 15 min): {' '.join(f.read().split()[:3])}")
    if report is None:
        return
    print()
    print(
        f"Province report, {report.learners:,} learners (synthetic, benchmarks/report_speed.py;"
        f" built in {report.build_s:.0f} s), median of {len(report.sqlite)}:"
    )
    s = statistics.median(report.sqlite)
    print(
        f"  SQLite      {s * 1000:8.1f} ms  ({', '.join(f'{t * 1000:.0f}' for t in report.sqlite)})"
    )
    if report.pg:
        p = statistics.median(report.pg)
        print(
            f"  PostgreSQL  {p * 1000:8.1f} ms  ({', '.join(f'{t * 1000:.0f}' for t in report.pg)})"
            f"  PostgreSQL / SQLite {p / s:.2f}x"
        )
        print(
            f"  copied into PostgreSQL (db copy + ANALYZE) in {report.copy_s:.0f} s; {report.same}"
        )
        print(
            f"  database size: SQLite file {report.sqlite_mb:,.0f} MB,"
            f" PostgreSQL {report.pg_mb:,.0f} MB (tables, indexes, counters)"
        )
    if report_skipped:
        print(f"  PostgreSQL report skipped: {report_skipped}")


async def main(args: argparse.Namespace) -> int:
    from tests.fakes import FakeTelegram

    server = args.pg or os.environ.get("HOCSO_TEST_DATABASE_URL")
    skipped = None
    if server is None and args.quick:
        skipped = "HOCSO_TEST_DATABASE_URL is not set (the quick mode runs PostgreSQL only there)"
    elif server is None:
        server = DEFAULT_PG
    if server is not None:
        try:
            import asyncpg

            conn = await asyncpg.connect(_with_db(server, "postgres"), timeout=5)
            await conn.close()
        except Exception as exc:  # any failure to reach the server skips the PostgreSQL rows
            skipped, server = f"no PostgreSQL server at {server}: {exc}", None
    configs = [("SQLite, one process", 0, False)]
    if server is not None:
        configs += [
            ("PostgreSQL, web + 1 worker", 1, True),
            ("PostgreSQL, web + 2 workers", 2, True),
        ]
    rows: list[Row] = []
    async with FakeTelegram() as fake:
        with tempfile.TemporaryDirectory(prefix="hocso-scale-") as tmp:
            for name, workers, on_pg in configs:
                if on_pg:
                    async with FreshPg(server, "hocso_scale") as fresh:
                        rows.append(await webhook_run(fake, name, workers, args.chats,
                                                      Path(tmp), fresh))  # fmt: skip
                else:
                    rows.append(await webhook_run(fake, name, workers, args.chats, Path(tmp), None))
            report = None
            if args.learners > 0:
                report = await report_rows(args.learners, args.repeat, Path(tmp), server)
    print_table(rows, skipped, args.chats, report, skipped if report else None)
    good = {"0 lost, 0 duplicated", "per-chat order kept", "stored once each, all done"}
    bad = [c for r in rows for c in r.checks if c not in good]
    if report and report.same == "REPORTS DIFFER":
        bad.append(report.same)
    return 1 if bad else 0


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--chats", type=int, default=200, help="people sending at once (5 updates each)"
    )
    ap.add_argument("--learners", type=int, default=100_000, help="province size (0: no report)")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--pg", help="PostgreSQL server URL (a database is created and dropped)")
    ap.add_argument("--quick", action="store_true", help="40 chats, 3,000 learners, 3 repeats")
    ap.add_argument("--sender", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.sender:
        asyncio.run(sender(Path(a.sender)))
        sys.exit(0)
    if a.quick:
        a.chats, a.learners, a.repeat = 40, 3000, 3
    sys.exit(asyncio.run(main(a)))
