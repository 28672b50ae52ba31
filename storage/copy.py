"""Move up without losing a row: copy a SQLite database into an empty PostgreSQL one.

Every table is copied as it is, the report counters included (they carry history, such as the
days an erased learner was counted on, that replaying the rows could not rebuild), with the
counter triggers switched off for the copy so nothing is counted twice. Then the identity
sequences are set past the highest id copied (and past users_max_id, so erased ids stay
unused), the row counts of every table are compared, and the reports given to `verify` are
built on both sides and compared. All of it is one transaction on the target: on any mismatch
it is rolled back and the target stays empty.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from storage.db import Database
from storage.pg import PgDatabase
from storage.sql import PgConn
from storage.store import Store

#: not copied: each side's own migration log, SQLite's internals, the always-empty delta table
SKIP = {"schema_migrations", "stat_delta"}
BATCH = 5000


class CopyRefused(Exception):
    """The target is not empty, or its tables do not match the source's."""

    def __init__(self, reason: str, tables: list[str]):
        super().__init__(f"{reason}: {', '.join(tables)}")
        self.reason = reason
        self.tables = tables


class CopyMismatch(Exception):
    """What was copied does not read back the same (rolled back)."""


@dataclass
class CopyResult:
    counts: dict[str, int] = field(default_factory=dict)  # table -> rows, equal on both sides
    reports: list[str] = field(default_factory=list)  # the units whose reports were compared


async def _sqlite_tables(src: Database) -> dict[str, list[str]]:
    async with src.sql() as conn:
        names = await conn.execute_fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " ORDER BY name"
        )
        out = {}
        for (name,) in names:
            if name in SKIP:
                continue
            cols = await conn.execute_fetchall(f'PRAGMA table_info("{name}")')
            out[name] = [c[1] for c in cols]
        return out


async def _sqlite_fks(src: Database, table: str) -> list[tuple[str, str]]:
    """(column, referenced table) of each foreign key of `table`."""
    async with src.sql() as conn:
        rows = await conn.execute_fetchall(f'PRAGMA foreign_key_list("{table}")')
    return [(r[3], r[2]) for r in rows]


def _order(tables: list[str], fks: dict[str, list[tuple[str, str]]]) -> list[str]:
    """Parents before children where the references allow it (a cycle is broken anywhere;
    the column that points forward is filled in afterwards)."""
    done: list[str] = []
    seen: set[str] = set()

    def visit(t: str) -> None:
        if t in seen:
            return
        seen.add(t)
        for _, parent in fks.get(t, []):
            if parent != t and parent in fks:
                visit(parent)
        done.append(t)

    for t in tables:
        visit(t)
    return done


async def _pg_columns(raw: Any) -> dict[str, dict[str, str]]:
    rows = await raw.fetch(
        "SELECT table_name, column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = current_schema()"
    )
    out: dict[str, dict[str, str]] = {}
    for r in rows:
        out.setdefault(r["table_name"], {})[r["column_name"]] = r["data_type"]
    return out


def _coerce(kind: str) -> Callable[[Any], Any]:
    if kind == "double precision":
        return lambda v: None if v is None else float(v)
    if kind == "bigint":
        return lambda v: None if v is None else int(v)
    if kind == "text":
        return lambda v: None if v is None else (v if isinstance(v, str) else str(v))
    return lambda v: v


async def copy_sqlite_to_postgresql(
    src: Database,
    dst: PgDatabase,
    verify: Callable[[Store], Awaitable[dict[str, Any]]] | None = None,
) -> CopyResult:
    """Copy every table of `src` into the empty `dst` (both open and migrated).

    `verify(store)` returns what must read the same on both sides (reports as JSON, by unit);
    it runs on the source and, inside the copy's transaction, on the target."""
    tables = await _sqlite_tables(src)
    fks = {t: await _sqlite_fks(src, t) for t in tables}
    order = _order(sorted(tables), fks)
    before: dict[str, Any] = {}
    if verify is not None:
        async with src.reading() as store:
            before = await verify(store)

    result = CopyResult()
    async with dst.pool.acquire() as raw, raw.transaction():
        pg_cols = await _pg_columns(raw)
        missing = [t for t in tables if t not in pg_cols]
        missing += [
            f"{t}.{c}" for t, cols in tables.items() if t in pg_cols for c in cols
            if c not in pg_cols[t]
        ]  # fmt: skip
        if missing:
            raise CopyRefused("not in the target", missing)
        busy = [t for t in pg_cols if t not in SKIP and await raw.fetchval(
            f'SELECT EXISTS (SELECT 1 FROM "{t}")'
        )]  # fmt: skip
        if busy:
            raise CopyRefused("not empty", sorted(busy))
        for t in order:  # counters copied as they are: no trigger may add to them
            await raw.execute(f'ALTER TABLE "{t}" DISABLE TRIGGER USER')

        placed: set[str] = set()
        later: list[tuple[str, str, str]] = []  # (table, column, parent) filled in afterwards
        for t in order:
            cols = tables[t]
            forward = {c for c, parent in fks[t] if parent not in placed and parent in tables}
            later += [(t, c, p) for c, p in fks[t] if c in forward]
            coerce = [_coerce(pg_cols[t][c]) for c in cols]
            n = 0
            async with src.sql() as conn:
                cur = await conn.execute(f'SELECT * FROM "{t}"')
                while batch := await cur.fetchmany(BATCH):
                    records = [
                        tuple(
                            None if c in forward else f(v)
                            for c, f, v in zip(cols, coerce, row, strict=True)
                        )
                        for row in batch
                    ]
                    await raw.copy_records_to_table(t, records=records, columns=cols)
                    n += len(records)
                await cur.close()
            result.counts[t] = n
            placed.add(t)
        for t, c, _ in later:  # the references a cycle put off (users.branch_id)
            keys = await _key_columns(src, t)
            async with src.sql() as conn:
                rows = await conn.execute_fetchall(
                    f'SELECT {", ".join(keys)}, "{c}" FROM "{t}" WHERE "{c}" IS NOT NULL'
                )
            where = " AND ".join(f"{k} = ${i}" for i, k in enumerate(keys, 2))
            await raw.executemany(
                f'UPDATE "{t}" SET "{c}" = $1 WHERE {where}', [(r[-1], *r[:-1]) for r in rows]
            )
        for t in order:
            await raw.execute(f'ALTER TABLE "{t}" ENABLE TRIGGER USER')
        await _reset_sequences(raw)

        for t, n in result.counts.items():  # every row arrived
            got = await raw.fetchval(f'SELECT COUNT(*) FROM "{t}"')
            async with src.sql() as conn:
                had = (await conn.execute_fetchall(f'SELECT COUNT(*) FROM "{t}"'))[0][0]
            if not got == had == n:
                raise CopyMismatch(f"{t}: {had} rows in SQLite, {got} in PostgreSQL")
        if verify is not None:
            after = await verify(Store(PgConn(raw)))
            for unit in before:
                if before[unit] != after.get(unit):
                    raise CopyMismatch(f"report {unit}")
            result.reports = sorted(before)
    return result


async def _key_columns(src: Database, table: str) -> list[str]:
    async with src.sql() as conn:
        cols = await conn.execute_fetchall(f'PRAGMA table_info("{table}")')
    keys = [c[1] for c in sorted(cols, key=lambda c: c[5]) if c[5] > 0]
    if not keys:
        raise CopyRefused("no primary key", [table])
    return [f'"{k}"' for k in keys]


async def _reset_sequences(raw: Any) -> None:
    """Each identity column's next value past the highest id copied; users also past the
    high-water mark SQLite keeps, so the id of someone erased is never given again."""
    rows = await raw.fetch(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND is_identity = 'YES'"
    )
    for r in rows:
        t, c = r["table_name"], r["column_name"]
        top = await raw.fetchval(f'SELECT MAX("{c}") FROM "{t}"') or 0
        if t == "users":
            mark = await raw.fetchval("SELECT value FROM meta WHERE key = 'users_max_id'")
            top = max(top, int(mark or 0))
        seq = await raw.fetchval("SELECT pg_get_serial_sequence($1, $2)", t, c)
        if top:
            await raw.execute("SELECT setval($1, $2, true)", seq, top)
        else:
            await raw.execute("SELECT setval($1, 1, false)", seq)


__all__ = [
    "CopyMismatch",
    "CopyRefused",
    "CopyResult",
    "copy_sqlite_to_postgresql",
]
