"""Anonymised scam examples learners chose to share with their association (migration 0100)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from storage.sql import Conn


@dataclass(frozen=True)
class ScamExample:
    id: int
    shared_at: str
    unit: str | None
    verdict: str
    score: float
    signs: list[str]
    text: str


class ScamExampleRepo:
    def __init__(self, conn: Conn):
        self.conn = conn

    async def add(
        self,
        text: str,
        verdict: str,
        score: float,
        signs: list[str],
        unit: str | None,
        now: dt.datetime,
    ) -> int:
        """Keep an example that is already masked; no user id goes with it."""
        cur = await self.conn.execute(
            "INSERT INTO scam_examples (shared_at, unit, verdict, score, signs, text)"
            " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            (now.isoformat(), unit, verdict, score, json.dumps(signs), text),
        )
        return int((await cur.fetchone())[0])

    async def recent(self, units: list[str] | None = None, limit: int = 50) -> list[ScamExample]:
        """The newest examples, for staff of `units` (every unit when None)."""
        if units == []:  # staff of no unit see none (and `IN ()` is SQLite's alone)
            return []
        sql = "SELECT id, shared_at, unit, verdict, score, signs, text FROM scam_examples"
        args: list = []
        if units is not None:
            sql += f" WHERE unit IN ({','.join('?' * len(units))})"
            args += units
        sql += " ORDER BY id DESC LIMIT ?"
        async with self.conn.execute(sql, [*args, limit]) as cur:
            rows = await cur.fetchall()
        return [ScamExample(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), r[6]) for r in rows]

    @staticmethod
    def _below(units: list[str] | None) -> tuple[str, list]:
        """Rows shared in `units` or in a branch of a listed commune (every row when None)."""
        if units is None:
            return "1 = 1", []
        if not units:
            return "1 = 0", []
        marks = ",".join("?" * len(units))
        where = (
            f"(unit IN ({marks}) OR unit IN (SELECT 'branch:' || id FROM branches"
            f" WHERE 'commune:' || commune_code IN ({marks})))"
        )
        return where, [*units, *units]

    async def count_below(self, units: list[str] | None) -> int:
        """How many examples `page_below` can show for these units."""
        where, args = self._below(units)
        rows = await self.conn.execute_fetchall(
            f"SELECT COUNT(*) FROM scam_examples WHERE {where}", args
        )
        return int(rows[0][0])

    async def page_below(
        self, units: list[str] | None, offset: int, limit: int
    ) -> list[ScamExample]:
        """One page, newest first, of the examples shared in `units` and the branches of the
        communes among them (staff of a province pass its communes too)."""
        where, args = self._below(units)
        sql = (
            "SELECT id, shared_at, unit, verdict, score, signs, text FROM scam_examples"
            f" WHERE {where} ORDER BY id DESC LIMIT ? OFFSET ?"
        )
        rows = await self.conn.execute_fetchall(sql, [*args, int(limit), int(offset)])
        return [ScamExample(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), r[6]) for r in rows]
