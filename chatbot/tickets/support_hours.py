"""Support hours (``data/support_hours.yml``) and when a new ticket can expect an answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

__all__ = ["SupportHours"]

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _clock(text: str) -> time:
    hours, minutes = str(text).split(":")
    return time(int(hours), int(minutes))


@dataclass(frozen=True, slots=True)
class SupportHours:
    timezone: ZoneInfo
    #: weekday (0 = Monday) -> (open, close), or None when closed
    hours: tuple[tuple[time, time] | None, ...]
    priority_hours: tuple[time, time]
    same_day_before: time
    next_day_within: timedelta
    priority_within: timedelta
    holidays: frozenset[date]
    priority_plans: frozenset[str] = frozenset()

    @classmethod
    def load(cls, path: Path) -> SupportHours:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        raw_hours = data.get("hours") or {}
        hours = tuple(
            (_clock(raw_hours[d][0]), _clock(raw_hours[d][1])) if raw_hours.get(d) else None
            for d in _DAYS
        )
        priority = data.get("priority_hours") or ["10:00", "18:00"]
        return cls(
            timezone=ZoneInfo(str(data.get("timezone", "UTC"))),
            hours=hours,
            priority_hours=(_clock(priority[0]), _clock(priority[1])),
            same_day_before=_clock(data.get("same_day_before", "16:00")),
            next_day_within=timedelta(hours=float(data.get("next_day_within_hours", 4))),
            priority_within=timedelta(hours=float(data.get("priority_within_hours", 1))),
            holidays=frozenset(date.fromisoformat(str(d)) for d in data.get("holidays") or []),
            priority_plans=frozenset(str(p).lower() for p in data.get("priority_plans") or []),
        )

    def opening(self, day: date, priority: bool) -> tuple[time, time] | None:
        if day in self.holidays:
            return self.priority_hours if priority else None
        regular = self.hours[day.weekday()]
        if regular is None and priority:
            return self.priority_hours
        return regular

    def expected_response(self, created: datetime, priority: bool) -> datetime:
        """When a ticket created at ``created`` (aware) will be answered, local time."""
        local = created.astimezone(self.timezone)
        within = self.priority_within if priority else self.next_day_within
        day = local.date()
        for offset in range(0, 15):
            current = day + timedelta(days=offset)
            hours = self.opening(current, priority)
            if hours is None:
                continue
            start = datetime.combine(current, hours[0], self.timezone)
            end = datetime.combine(current, hours[1], self.timezone)
            if offset == 0:
                if local >= end:
                    continue
                if priority:
                    return min(max(local, start) + within, end)
                if local.time() < self.same_day_before:
                    return end
                continue
            return min(start + within, end)
        return local + timedelta(days=1)
