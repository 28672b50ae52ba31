"""Shared values and builders of the storage contract suite (Store calls only, no SQL)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from storage.repos import User, iso
from storage.store import Store

NOW = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC)  # 08:00 in Vietnam
MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)

PROVINCE = 19  # any codes: the storage does not check them against the official list
COMMUNE = 5800
OTHER_PROVINCE = 20
OTHER_COMMUNE = 6100


async def learner(
    store: Store,
    identity: str,
    *,
    now: dt.datetime = NOW,
    registered: bool = True,
    province: int | None = PROVINCE,
    commune: int | None = COMMUNE,
    **fields: Any,
) -> User:
    """A consenting learner, registered (as sign-up leaves them) unless told otherwise."""
    user = await store.users.create(identity, "given", now)
    values: dict[str, Any] = {"province_code": province, "commune_code": commune, **fields}
    if registered:
        values["registered_at"] = iso(now)
    await store.users.update(user.id, **values)
    found = await store.users.by_id(user.id)
    assert found is not None
    return found
