"""How many of an announcement's recipients each channel can reach now, shown to staff before
they send (in chat and on the web page).

Telegram and Zalo Bot members are reached at once. A Zalo OA follower is reached at once only
inside the conversation window Zalo allows after their last message (or on the OA's package
quota, where the operator allows it); the others wait in the outbox until they write again.
People who blocked the bot are not reached at all. The counting is one SQL query in storage.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot import texts
from storage.staff import ChannelReach, OaReachRule
from storage.store import Store

#: the order channels are listed in
CHANNEL_ORDER = ("telegram", "zalo", "zalo_oa", "other")


@dataclass(frozen=True)
class OaRules:
    """Zalo OA's commercial rules, from the settings (HOCSO_ZALO_OA_WINDOW_HOURS, …)."""

    window: dt.timedelta = dt.timedelta(hours=48)
    messages: int = 8
    use_package_quota: bool = False

    def rule(self, now: dt.datetime) -> OaReachRule:
        return OaReachRule(now - self.window, self.messages, self.use_package_quota)


async def reach(
    store: Store, unit: str, only_not: str | None, rules: OaRules, now: dt.datetime
) -> dict[str, ChannelReach]:
    """Recipients per channel ("telegram", "zalo", "zalo_oa", "other"), only channels with some."""
    return await store.staff.reach(unit, only_not, rules.rule(now))


def ordered(per: dict[str, ChannelReach]) -> list[tuple[str, ChannelReach]]:
    return sorted(per.items(), key=lambda kv: CHANNEL_ORDER.index(kv[0]))


def channel_name(channel: str) -> str:
    return texts.WEB_CHANNELS.get(channel, texts.WEB_CHANNELS["other"])


def count_text(n: int) -> str:
    """1.200, as Vietnamese write it."""
    return f"{n:,}".replace(",", ".")


def reach_text(per: dict[str, ChannelReach], rules: OaRules) -> str:
    """The lines staff read under the preview (empty when nobody is reached at all)."""
    if not per:
        return ""
    now = " · ".join(
        texts.REACH_CHANNEL.format(channel=channel_name(ch), n=count_text(r.now))
        for ch, r in ordered(per)
    )
    lines = [texts.REACH_NOW.format(channels=now)]
    waiting = sum(r.waiting for r in per.values())
    if waiting:
        template = texts.REACH_OA_NO_QUOTA if rules.use_package_quota else texts.REACH_OA_WAITING
        hours = round(rules.window.total_seconds() / 3600)
        lines.append(template.format(n=count_text(waiting), hours=hours))
    blocked = sum(r.blocked for r in per.values())
    if blocked:
        lines.append(texts.REACH_BLOCKED.format(n=count_text(blocked)))
    return "\n".join(lines)
