"""Command line: `python -m bot run | web | chat | simulate | content check | report | admin |
db copy | scamcheck | health`, also installed as the `hocso` command (`hocso --version`)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import sys
import tempfile
from pathlib import Path

from bot import logs, texts
from bot.config import Settings


def _content(args: argparse.Namespace) -> int:
    from bot.content_check import check, position_table, scenario_table, table

    report = check(
        Path(args.dir) if args.dir else None,
        Path(args.scenarios) if args.scenarios else None,
    )
    if report.content is not None:
        print(table(report.content))
        print(position_table(report.content))
    if report.scenarios is not None:
        print(scenario_table(report.scenarios))
    if report.issues:
        print(texts.CLI_CONTENT_ERRORS.format(n=len(report.issues)), file=sys.stderr)
        for issue in report.issues:
            print(f"  {issue}", file=sys.stderr)
        return 1
    print(texts.CLI_CONTENT_OK)
    return 0


def _parse_now(value: str) -> dt.datetime:
    t = dt.datetime.fromisoformat(value)
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)


async def _simulate(args: argparse.Namespace, settings: Settings) -> int:
    from bot.channels.simulator import SimClock, run
    from bot.runtime import open_engine

    clock = SimClock(args.now or dt.datetime.now(dt.UTC))
    with tempfile.TemporaryDirectory(prefix="hocso-sim-") as tmp:
        db_path = args.db or Path(tmp) / "sim.db"
        # Bytes in (a line that is not UTF-8 gets an error, not a crash), UTF-8 out whatever the
        # locale says.
        sys.stdout.reconfigure(encoding="utf-8", errors="strict")  # type: ignore[union-attr]
        async with open_engine(settings, db_path, clock) as engine:
            await run(engine, clock, sys.stdin.buffer, sys.stdout)
    return 0


async def _chat(args: argparse.Namespace, settings: Settings) -> int:
    from bot.channels.console import chat
    from bot.runtime import open_engine

    async with open_engine(settings, args.db) as engine:
        await chat(engine, args.user)
    return 0


async def _run(settings: Settings, role: str = "all") -> int:
    if not settings.channels_configured():
        print(texts.CLI_NO_CHANNEL, file=sys.stderr)
        return 2
    from bot.app import serve

    return await serve(settings, role=role)


async def _web(args: argparse.Namespace, settings: Settings) -> int:
    import signal

    from bot.web.server import serve_pages

    if args.db:
        settings.db_path = args.db
    if args.port is not None:
        settings.web_port = args.port
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
    try:
        return await serve_pages(settings, stop)
    except OSError as exc:
        print(texts.CLI_WEB_FAILED.format(error=exc), file=sys.stderr)
        return 1


def _vn_today() -> dt.date:
    from bot.core.review import VN

    return dt.datetime.now(VN).date()


CLI_MAX_UNITS = 20


@contextlib.asynccontextmanager
async def _unit_database(args: argparse.Namespace, settings: Settings):
    """The database, or None (said why) when `args.unit` names no unit or several. A unit is
    given by its code or by its Vietnamese name ("Phú Thịnh", "phu thinh", a branch's name);
    when several share the name, they are listed with their codes to choose from."""
    from bot.core.permissions import find_units, unit_name
    from storage.db import Database

    db = await Database.open(settings.database(args.db), media=settings.db_path)
    try:
        async with db.reading() as store:
            found = await find_units(store, args.unit)
            names = [await unit_name(store, u) for u in found[:CLI_MAX_UNITS]]
        if not found:
            print(texts.CLI_BAD_UNIT.format(unit=args.unit), file=sys.stderr)
        elif len(found) > 1:
            print(texts.CLI_UNIT_WHICH.format(unit=args.unit, n=len(found)), file=sys.stderr)
            for u, name in zip(found, names, strict=False):
                print(f"  {u}  {name}", file=sys.stderr)
            if len(found) > CLI_MAX_UNITS:
                print(texts.CLI_UNIT_MORE.format(n=len(found) - CLI_MAX_UNITS), file=sys.stderr)
        else:
            args.unit = found[0]
        yield db if len(found) == 1 else None
    finally:
        await db.close()


async def _report(args: argparse.Namespace, settings: Settings) -> int:
    """Write one unit's report as JSON, Excel, Word or a chart, on any database."""
    from bot.reports.compute import build
    from bot.reports.render import render

    today = _vn_today()
    as_of = args.as_of or today
    if as_of > today:
        print(texts.CLI_REPORT_FUTURE, file=sys.stderr)
        return 2
    async with _unit_database(args, settings) as db:
        if db is None:
            return 2
        async with db.transaction() as store:
            report = await build(store, args.unit, as_of, today)
    out = render(report, args.format, args.out)
    print(texts.CLI_REPORT_WRITTEN.format(path=out))
    return 0


async def _admin(args: argparse.Namespace, settings: Settings) -> int:
    """Targets, residents and the other indicators, for admins working on the server."""
    from bot.core import permissions

    now = dt.datetime.now(dt.UTC)
    async with _unit_database(args, settings) as db:
        if db is None:
            return 2
        async with db.transaction() as store:
            staff = store.staff
            if args.what == "target":
                await store.reports.set_target(
                    args.unit, args.indicator, args.year, args.percent, None, now
                )
                detail = {"indicator": args.indicator, "year": args.year, "percent": args.percent}
            elif args.what == "population":
                await staff.set_population(args.unit, args.value, None, now)
                detail = {"older_residents": args.value}
            elif args.what == "indicator":
                codes = await permissions.unit_codes(store, args.unit)
                await store.reports.add_entry(
                    args.unit, codes, args.indicator, args.date or _vn_today(), args.value,
                    args.note or "", None, now,
                )  # fmt: skip
                detail = {"indicator": args.indicator, "value": args.value, "note": args.note}
            else:  # indicator-target
                await store.reports.set_indicator_target(
                    args.unit, args.indicator, args.year, args.value, None, now
                )
                detail = {"indicator": args.indicator, "year": args.year, "target": args.value}
            await staff.audit(None, f"cli:{args.what}", args.unit, now, **detail)
    print(texts.CLI_ADMIN_DONE)
    return 0


async def _db_copy(args: argparse.Namespace, settings: Settings) -> int:
    """`db copy --to postgresql://...`: the SQLite database into an empty PostgreSQL one,
    checked table by table and report by report before it is committed."""
    from bot.reports.compute import build
    from storage.copy import CopyMismatch, CopyRefused, copy_sqlite_to_postgresql
    from storage.db import Database, is_url
    from storage.pg import PgDatabase

    if not is_url(args.to):
        print(texts.CLI_DB_COPY_NOT_PG, file=sys.stderr)
        return 2
    source = Path(args.source or settings.db_path)
    if not source.is_file():
        print(texts.CLI_DB_COPY_NO_SOURCE.format(path=source), file=sys.stderr)
        return 2
    today = _vn_today()

    async def reports(store) -> dict[str, dict]:
        """The whole country's report and each province's, as JSON, dated today."""
        units = ["all"] + [
            f"province:{code}"
            for code, _, _ in await store.reports.by_sub_unit("all", today)
            if code
        ]
        return {
            u: (await build(store, u, today, today, record_baseline=False)).model_dump(mode="json")
            for u in sorted(set(units))
        }

    src = await Database.open(source)
    try:
        dst = await PgDatabase.open(args.to, source, max_size=2)
    except Exception as exc:  # unreachable server, bad credentials
        await src.close()
        print(texts.CLI_DB_COPY_FAILED.format(error=type(exc).__name__), file=sys.stderr)
        return 1
    try:
        result = await copy_sqlite_to_postgresql(src, dst, verify=reports)
    except CopyRefused as exc:
        msg = texts.CLI_DB_COPY_NOT_EMPTY if exc.reason == "not empty" else texts.CLI_DB_COPY_SCHEMA
        print(msg.format(tables=", ".join(exc.tables)), file=sys.stderr)
        return 2
    except CopyMismatch as exc:
        print(texts.CLI_DB_COPY_MISMATCH.format(what=exc), file=sys.stderr)
        return 1
    finally:
        await src.close()
        await dst.close()
    for table, n in result.counts.items():
        print(texts.CLI_DB_COPY_ROW.format(table=table, rows=n))
    print(
        texts.CLI_DB_COPY_DONE.format(
            rows=sum(result.counts.values()),
            tables=len(result.counts),
            reports=len(result.reports),
            units=", ".join(result.reports),
        )
    )
    return 0


def version() -> str:
    """The installed package's version (pyproject.toml), or a plain marker from a bare checkout."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("hocso")
    except PackageNotFoundError:
        return "0+unknown"


def _health(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0 when healthy: the database answers (--db: directly, for a worker that serves no
    port), or the local /healthz does (the web process: the pages' port by default)."""
    if args.db:
        from bot import health
        from storage.db import Database

        async def check() -> bool:
            db = await Database.open(settings.database(), media=settings.db_path)
            try:
                return await health.database_ok(db)
            finally:
                await db.close()

        try:
            ok = asyncio.run(check())
        except Exception:
            ok = False
        what = texts.CLI_HEALTH_DB
    else:
        import urllib.error
        import urllib.request

        url = args.url or f"http://127.0.0.1:{settings.web_port}/healthz"
        try:
            with urllib.request.urlopen(url, timeout=10) as res:
                ok = res.status == 200
        except (urllib.error.URLError, OSError, ValueError):
            ok = False
        what = url
    print(texts.CLI_HEALTH_OK if ok else texts.CLI_HEALTH_DOWN.format(what=what))
    return 0 if ok else 1


def main(argv: list[str] | None = None, prog: str = "python -m bot") -> int:
    parser = argparse.ArgumentParser(prog=prog, description="Học Số")
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    sub = parser.add_subparsers(dest="cmd", required=True)

    run = sub.add_parser("run", help="chạy bot trên các kênh đã cấu hình (Telegram, Zalo)")
    run.add_argument(
        "--role",
        choices=["all", "web", "worker"],
        default="all",
        help="all: một tiến trình làm hết (mặc định); web: chỉ nhận tin vào hộp thư đến;"
        " worker: xử lý tin đã nhận và gửi hộp thư đi (chạy bao nhiêu tiến trình cũng được)",
    )

    web = sub.add_parser("web", help="chỉ chạy trang quản lý trên web (máy bàn, SQLite)")
    web.add_argument("--db", type=Path, help="tệp cơ sở dữ liệu (mặc định HOCSO_DB_PATH)")
    web.add_argument("--port", type=int, help="cổng (mặc định HOCSO_WEB_PORT, 8081)")

    chat = sub.add_parser("chat", help="trò chuyện với bot ngay trên máy tính")
    chat.add_argument("--db", type=Path, help="tệp cơ sở dữ liệu (mặc định HOCSO_DB_PATH)")
    chat.add_argument("--user", help="định danh người dùng, ví dụ console:lan")

    sim = sub.add_parser("simulate", help="chạy kịch bản JSON lines (cho kiểm thử)")
    sim.add_argument("--db", type=Path, help="tệp cơ sở dữ liệu (mặc định: tệp tạm mới)")
    sim.add_argument("--now", type=_parse_now, help="giờ bắt đầu, ISO-8601")

    content = sub.add_parser("content", help="kiểm tra nội dung bài học")
    content.add_argument("action", choices=["check"])
    content.add_argument("--dir", help="thư mục bài học (mặc định: lessons/)")
    content.add_argument("--scenarios", help="thư mục tình huống (mặc định: scenarios/)")

    from storage.reports import INDICATORS

    report = sub.add_parser("report", help="báo cáo tiến độ của một đơn vị (cho quản trị)")
    report.add_argument("--unit", required=True, help=texts.CLI_UNIT_HELP)
    report.add_argument("--format", required=True, choices=["json", "xlsx", "docx", "png"])
    report.add_argument("--out", required=True, type=Path, help="tệp kết quả")
    report.add_argument("--as-of", type=dt.date.fromisoformat, help="đến hết ngày YYYY-MM-DD")
    report.add_argument("--db", type=Path, help="tệp cơ sở dữ liệu (mặc định HOCSO_DB_PATH)")

    admin = sub.add_parser("admin", help="mục tiêu, số người cao tuổi, chỉ tiêu khác")
    admin_sub = admin.add_subparsers(dest="what", required=True)
    target = admin_sub.add_parser("target", help="mục tiêu % riêng của một đơn vị")
    target.add_argument("--indicator", required=True, choices=["proficient", "informed"])
    target.add_argument("--year", required=True, type=int, choices=range(2025, 2101), metavar="NĂM")
    target.add_argument("--percent", required=True, type=float)
    population = admin_sub.add_parser("population", help="số người cao tuổi của đơn vị")
    population.add_argument("--value", required=True, type=int)
    entry = admin_sub.add_parser("indicator", help="thêm một số liệu chỉ tiêu khác")
    entry.add_argument("--indicator", required=True, choices=INDICATORS)
    entry.add_argument("--value", required=True, type=int)
    entry.add_argument("--date", type=dt.date.fromisoformat, help="ngày YYYY-MM-DD")
    entry.add_argument("--note", help="ghi chú")
    goal = admin_sub.add_parser("indicator-target", help="mục tiêu của một chỉ tiêu khác")
    goal.add_argument("--indicator", required=True, choices=INDICATORS)
    goal.add_argument("--year", required=True, type=int, choices=range(2025, 2101), metavar="NĂM")
    goal.add_argument("--value", required=True, type=int)
    for p in (target, population, entry, goal):
        p.add_argument("--unit", required=True, help=texts.CLI_UNIT_HELP)
        p.add_argument("--db", type=Path, help="tệp cơ sở dữ liệu (mặc định HOCSO_DB_PATH)")

    dbp = sub.add_parser("db", help="cơ sở dữ liệu: chép sang PostgreSQL")
    db_sub = dbp.add_subparsers(dest="db_action", required=True)
    dbcopy = db_sub.add_parser(
        "copy", help="chép toàn bộ cơ sở dữ liệu SQLite sang PostgreSQL trống"
    )
    dbcopy.add_argument("--to", required=True, help="địa chỉ PostgreSQL: postgresql://…")
    dbcopy.add_argument(
        "--from", dest="source", type=Path, help="tệp SQLite (mặc định HOCSO_DB_PATH)"
    )

    scam = sub.add_parser("scamcheck", help="kiểm tra tin nghi ngờ: JSON lines vào, kết luận ra")
    scam_sub = scam.add_subparsers(dest="scam_action")
    block = scam_sub.add_parser("update-blocklist", help="thay danh sách tên miền lừa đảo")
    block.add_argument("file", type=Path, help="tệp, mỗi dòng một tên miền")
    scam_sub.add_parser("build-model", help="huấn luyện lại mô hình và lưu kèm gói")

    health = sub.add_parser("health", help="kiểm tra sức khỏe (cho Docker): cơ sở dữ liệu trả lời?")
    health.add_argument("--url", help="địa chỉ /healthz (mặc định: trang web trên máy này)")
    health.add_argument(
        "--db", action="store_true", help="hỏi thẳng cơ sở dữ liệu (tiến trình worker)"
    )

    args = parser.parse_args(argv)
    settings = Settings()
    logs.configure(settings, sys.stderr)  # secrets redacted at every level
    if args.cmd == "content":
        return _content(args)
    if args.cmd == "simulate":
        return asyncio.run(_simulate(args, settings))
    if args.cmd == "chat":
        return asyncio.run(_chat(args, settings))
    if args.cmd == "report":
        return asyncio.run(_report(args, settings))
    if args.cmd == "admin":
        if getattr(args, "value", 0) is not None and getattr(args, "value", 0) < 0:
            print(texts.CLI_NEGATIVE, file=sys.stderr)
            return 2
        if args.what == "target" and not 0 <= args.percent <= 100:
            print(texts.CLI_PERCENT, file=sys.stderr)
            return 2
        return asyncio.run(_admin(args, settings))
    if args.cmd == "web":
        return asyncio.run(_web(args, settings))
    if args.cmd == "db":
        return asyncio.run(_db_copy(args, settings))
    if args.cmd == "run":
        return asyncio.run(_run(settings, args.role))
    if args.cmd == "health":
        return _health(args, settings)
    if args.cmd == "scamcheck":
        from bot.scamcheck import cli

        if args.scam_action == "update-blocklist":
            return cli.update_blocklist(args.file, sys.stdout)
        if args.scam_action == "build-model":
            return cli.build_model(sys.stdout)
        return cli.run(sys.stdin, sys.stdout)
    return 2


def cli() -> None:
    """The `hocso` console script (pyproject.toml [project.scripts])."""
    sys.exit(main(prog="hocso"))


if __name__ == "__main__":
    sys.exit(main())
