"""Command line: `python -m bot run | chat | simulate | content check`."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import sys
import tempfile
from pathlib import Path

from bot import texts
from bot.config import Settings


def _content(args: argparse.Namespace) -> int:
    from bot.content_check import check, scenario_table, table

    report = check(
        Path(args.dir) if args.dir else None, Path(args.scenarios) if args.scenarios else None
    )
    if report.content is not None:
        print(table(report.content))
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
        async with open_engine(settings, db_path, clock) as engine:
            await run(engine, clock, sys.stdin, sys.stdout)
    return 0


async def _chat(args: argparse.Namespace, settings: Settings) -> int:
    from bot.channels.console import chat
    from bot.runtime import open_engine

    async with open_engine(settings, args.db) as engine:
        await chat(engine, args.user)
    return 0


async def _run(settings: Settings) -> int:
    if not settings.channels_configured():
        print(texts.CLI_NO_CHANNEL, file=sys.stderr)
        return 2
    from bot.app import serve

    return await serve(settings)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Học Số")
    sub = parser.add_subparsers(dest="cmd", required=True)

    sub.add_parser("run", help="chạy bot trên các kênh đã cấu hình (Telegram, Zalo)")

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

    args = parser.parse_args(argv)
    settings = Settings()
    logging.basicConfig(
        level=settings.log_level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if args.cmd == "content":
        return _content(args)
    if args.cmd == "simulate":
        return asyncio.run(_simulate(args, settings))
    if args.cmd == "chat":
        return asyncio.run(_chat(args, settings))
    if args.cmd == "run":
        return asyncio.run(_run(settings))
    return 2


if __name__ == "__main__":
    sys.exit(main())
