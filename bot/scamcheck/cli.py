"""`python -m bot scamcheck`: JSON lines in, one verdict per line out (the outside contract).

In:  {"text": "..."} or {"image": "/abs/path.png"}
Out: {"verdict": "scam" | "unsure" | "ok", "score": 0.0-1.0, "signs": ["..."], "codes": [...],
      "advice": true}  (the last only when the text reads as a warning against scams)
A malformed line gets {"error": "..."} and the run goes on.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

from PIL import Image

from bot import texts
from bot.scamcheck import check, model
from bot.scamcheck.links import blocklist_path, parse_blocklist


def verdict_json(v: check.Verdict) -> dict:
    return {
        "verdict": v.verdict,
        "score": round(v.score, 3),
        "signs": [texts.SCAM_SIGNS.get(k, k) for k in v.signs],
        "codes": v.signs,
    } | ({"advice": True} if v.advice else {})


def one(line: str, n: int) -> dict:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"error": texts.CLI_BAD_JSON.format(n=n, error=exc)}
    if not isinstance(obj, dict):
        return {"error": texts.CLI_BAD_INPUT.format(n=n, error=texts.CLI_SCAM_NEED)}
    if isinstance(obj.get("text"), str):
        return verdict_json(check.check_text(obj["text"]))
    if isinstance(obj.get("image"), str):
        path = Path(obj["image"])
        if not path.is_absolute() or not path.is_file():
            return {"error": texts.CLI_BAD_INPUT.format(n=n, error=texts.CLI_SCAM_NO_IMAGE.format(path=path))}  # fmt: skip
        try:
            with Image.open(path) as im:
                im.verify()  # a file that is not a picture is an error, not a verdict
            return verdict_json(check.check_image(path))
        except Exception:  # not a picture, or one Pillow cannot read
            return {"error": texts.CLI_BAD_INPUT.format(n=n, error=texts.CLI_SCAM_NO_IMAGE.format(path=path))}  # fmt: skip
    return {"error": texts.CLI_BAD_INPUT.format(n=n, error=texts.CLI_SCAM_NEED)}


def run(inp: TextIO, out: TextIO) -> int:
    for n, line in enumerate(inp, 1):
        if not line.strip():
            continue
        out.write(json.dumps(one(line, n), ensure_ascii=False) + "\n")
        out.flush()
    return 0


def update_blocklist(source: Path, out: TextIO) -> int:
    """Replace the operator's blocklist with the domains in `source` (offline, no download)."""
    hosts = parse_blocklist(source.read_text(encoding="utf-8", errors="replace"))
    if not hosts:
        print(texts.CLI_SCAM_BLOCKLIST_EMPTY.format(path=source), file=out)
        return 1
    dest = blocklist_path()
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(".tmp")
    tmp.write_text("\n".join(hosts) + "\n", encoding="utf-8")
    tmp.replace(dest)
    print(texts.CLI_SCAM_BLOCKLIST.format(n=len(hosts), path=dest), file=out)
    return 0


def build_model(out: TextIO) -> int:
    """Train the shipped model again (after messages.csv changed)."""
    path = model.build()
    print(texts.CLI_SCAM_MODEL_BUILT.format(path=path, size=path.stat().st_size // 1024), file=out)
    return 0
