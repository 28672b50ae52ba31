"""Command line: `python -m bot run|chat|simulate|content check`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _content(args: argparse.Namespace) -> int:
    from bot import texts
    from bot.content_check import check, table

    report = check(Path(args.dir) if args.dir else None)
    if report.content is not None:
        print(table(report.content))
    if report.issues:
        print(texts.CLI_CONTENT_ERRORS.format(n=len(report.issues)), file=sys.stderr)
        for issue in report.issues:
            print(f"  {issue}", file=sys.stderr)
        return 1
    print(texts.CLI_CONTENT_OK)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Học Số")
    sub = parser.add_subparsers(dest="cmd", required=True)

    content = sub.add_parser("content", help="kiểm tra nội dung bài học")
    content.add_argument("action", choices=["check"])
    content.add_argument("--dir", help="thư mục bài học (mặc định: lessons/)")

    args = parser.parse_args(argv)
    if args.cmd == "content":
        return _content(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
