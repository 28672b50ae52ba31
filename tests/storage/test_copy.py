"""`python -m bot db copy --to postgresql://...`: a SQLite database with a little of everything
(learners in a branch, a linked identity, answers, mastery, areas, an announcement read, the
outbox, audit rows, an erased learner) arrives whole, its reports read the same, new ids follow
on from the copied ones, and a target that is not empty is refused."""

from __future__ import annotations

import asyncio
import datetime as dt
import os

import pytest

from bot.__main__ import main
from bot.reports.compute import build
from storage.db import Database
from storage.outbox import OutboxItem
from storage.pg import PgDatabase
from tests.conftest import PG_ENV, pg_database
from tests.storage.contract import DAY, NOW, learner

needs_pg = pytest.mark.skipif(
    not os.environ.get(PG_ENV), reason=f"postgresql: set {PG_ENV} to run it"
)
THAI_NGUYEN, PHU_THINH, HA_NOI, HOAN_KIEM = 19, 5800, 1, 70


async def _fill(path) -> int:
    """A small SQLite database; returns the id of the learner it erased (the highest)."""
    db = await Database.open(path)
    try:
        async with db.transaction() as s:
            admin = await learner(s, "telegram:1", birth_year=1950)
            branch = await s.staff.create_branch(PHU_THINH, "Xóm Đồng Tâm", admin.id, NOW)
            lan = await learner(s, "telegram:2", birth_year=1950, sex="nu", rural=1)
            await s.users.set_branch(lan.id, branch.id)
            await s.identities.link("zalo:2", lan.id, NOW)
            ha = await learner(s, "zalo:3", birth_year=1990, province=HA_NOI, commune=HOAN_KIEM)
            for uid in (lan.id, ha.id):
                await s.progress.record_answer(uid, "q1", "l1", 0, True, "lesson", NOW)
                await s.progress.set_mastery(uid, "dvc.a", 0.97, True, True, NOW)
                await s.progress.set_area(uid, "dich_vu_cong", True, NOW)
                await s.progress.lesson_started(uid, "l1", NOW)
            await s.users.update(lan.id, proficient=True)
            await s.staff.set_population(f"province:{THAI_NGUYEN}", 3000, admin.id, NOW)
            ann = await s.staff.create_announcement(
                admin.id, f"province:{THAI_NGUYEN}", "chuyen_doi_so", "Lớp VNeID", None, NOW,
                False, NOW,
            )  # fmt: skip
            await s.outbox.enqueue([OutboxItem("telegram:2", "Lớp VNeID", announcement_id=ann)])
            await s.staff.ack(ann, lan.id, NOW + DAY)
            await s.staff.audit(admin.id, "announce", f"province:{THAI_NGUYEN}", NOW, n=1)
            await s.users.anon_key("telegram:9")  # the salt refusals are hashed with
            kim = await learner(s, "telegram:4", birth_year=1948)
        async with db.transaction() as s:
            await s.privacy.erase(kim.id, [], NOW + 2 * DAY)
        return kim.id
    finally:
        await db.close()


async def _counts(db) -> dict[str, int]:
    async with db.sql() as conn:
        if db.dialect == "sqlite":
            q = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        else:
            q = (
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            )
        names = [r[0] for r in await conn.execute_fetchall(q)]
        return {
            t: (await conn.execute_fetchall(f'SELECT COUNT(*) FROM "{t}"'))[0][0]
            for t in names
            if t != "schema_migrations"
        }


async def _report(db, unit: str) -> dict:
    async with db.reading() as store:
        day = dt.date(2026, 11, 30)
        return (await build(store, unit, day, day, record_baseline=False)).model_dump(mode="json")


def _copy(*args: str) -> int:
    return main(["db", "copy", *args])


@needs_pg
def test_a_sqlite_database_is_copied_whole_and_checked(tmp_path, capsys):
    src_path = tmp_path / "hocso.db"
    erased = asyncio.run(_fill(src_path))

    async def scenario() -> None:
        async with pg_database() as url:
            code = await asyncio.to_thread(_copy, "--to", url, "--from", str(src_path))
            out = capsys.readouterr()
            assert code == 0, out.err
            assert "Đã chép" in out.out and "khớp" in out.out

            src = await Database.open(src_path)
            dst = await PgDatabase.open(url, tmp_path / "media.db")
            try:
                had, got = await _counts(src), await _counts(dst)
                assert {t: n for t, n in had.items() if t != "stat_delta"} == {
                    t: n for t, n in got.items() if t != "stat_delta"
                }
                for t in ("users", "identities", "answers", "mastery", "area_mastery",
                          "outbox", "audit_log", "stat_cells", "stat_days", "informed", "meta",
                          "branches"):  # fmt: skip
                    assert got[t] > 0, t
                for unit in ("all", f"province:{THAI_NGUYEN}", f"commune:{PHU_THINH}",
                             "branch:1", f"province:{HA_NOI}"):  # fmt: skip
                    assert await _report(src, unit) == await _report(dst, unit), unit
                # ids go on from the copied ones: the erased learner's id is never given again
                async with dst.transaction() as s:
                    new = await s.users.create("telegram:5", "given", NOW)
                    branch = await s.staff.create_branch(PHU_THINH, "Xóm Mới", new.id, NOW)
                    lan = await s.users.by_identity("telegram:2")
                    assert await s.identities.alias("zalo:2") == (lan.id, False)
                assert new.id == erased + 1
                assert branch.id == 2
            finally:
                await src.close()
                await dst.close()

            # a second copy into the same (now full) database is refused, and changes nothing
            code = await asyncio.to_thread(_copy, "--to", url, "--from", str(src_path))
            out = capsys.readouterr()
            assert code == 2
            assert "đã có dữ liệu" in out.err and "users" in out.err
            dst = await PgDatabase.open(url, tmp_path / "media.db")
            try:
                assert (await _counts(dst))["users"] == got["users"] + 1
            finally:
                await dst.close()

    asyncio.run(scenario())


def test_the_target_must_be_postgresql_and_the_source_must_exist(tmp_path, capsys):
    assert _copy("--to", str(tmp_path / "x.db"), "--from", str(tmp_path / "a.db")) == 2
    assert "postgresql://" in capsys.readouterr().err
    assert _copy("--to", "postgresql://localhost/x", "--from", str(tmp_path / "none.db")) == 2
    assert "Không có tệp" in capsys.readouterr().err
