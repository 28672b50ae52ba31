"""The web pages for leaders and staff: Starlette routes, Jinja2 templates, no JavaScript needed.

Every page and download goes through `_guard`: a valid session (signed cookie, not ended, not
idle past the timeout, the person still holding a role), then `permissions.allowed` for the
page's action at the unit in the URL, exactly as chat checks it, then an audit-log row, all in
one transaction. Every form carries the session's CSRF token and is refused without it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import os
import re
import secrets
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from bot import health, texts
from bot.core import media, permissions, places, reach
from bot.core.engine import utc_now
from bot.core.events import MAX_FILE_BYTES
from bot.core.reach import OaRules
from bot.core.staff import (
    ANNOUNCEMENT_MAX,
    CLASS_CAPS,
    CLASS_DAYS,
    INVITE_KINDS,
    TOPICS,
    class_sheet_of,
    class_sheet_paths,
    roles_of,
)
from bot.domain import VN, Unit
from bot.reports import compute, render
from bot.web import auth
from storage.db import Database
from storage.reports import INDICATORS
from storage.repos import User

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
MEMBERS_PER_PAGE = 50
INACTIVE_DAYS = 30
AUDIT_SCANNED = 2000  # latest audit rows looked through for a unit's page
AUDIT_SHOWN = 200
#: matplotlib's pyplot keeps global state: one chart at a time, off the event loop
_RENDER_LOCK = threading.Lock()
#: an upload's whole request: the file (MAX_FILE_BYTES) and the form's few fields around it
UPLOAD_LIMIT = MAX_FILE_BYTES + 64 * 1024
#: a draft file's name: ours (media.accept), never the sender's
DRAFT_NAME = re.compile(r"^[0-9a-f]{32}\.(jpg|png|pdf|docx?|xlsx?)$")
DRAFT_TYPES = {
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
DRAFT_KEEP = dt.timedelta(days=1)
SHEETS = {"png": "image/png", "pdf": "application/pdf"}
DOWNLOADS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "png": "image/png",
}


@dataclass
class Viewer:
    user: User
    roles: list[tuple[str, str]]
    session: str  # the session token's hash
    csrf: str


@dataclass
class WebConfig:
    key: bytes
    idle: dt.timedelta
    admins: frozenset[str]
    secure_default: bool  # the public address is https
    media_dir: Path  # announcement files and class sheets, shared with the chat
    links: dict[str, str]  # deep-link templates per channel, for class codes
    oa_rules: OaRules  # Zalo OA's window, for how many an announcement reaches now


class TooLarge(Exception):
    """The request's body is over UPLOAD_LIMIT."""


async def read_form(request: Request, limit: int = UPLOAD_LIMIT) -> FormData:
    """The request's form, a multipart one with at most one file, never reading more than
    `limit` bytes of body (a declared Content-Length over it is refused unread)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge
        chunks.append(chunk)
    body = b"".join(chunks)
    sent = False

    async def replay() -> dict:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return await Request(request.scope, replay).form(max_files=1, max_fields=20)


#: A form without a file (login, logout, invitations, indicators, roles) is a few hundred bytes
FORM_LIMIT = 64 * 1024


class FormLimit:
    """Every request body but the announcement form's (which takes a file and checks its own
    limit in `read_form`) is read whole up to FORM_LIMIT before the page sees it; a bigger one
    is refused unread with 413, so no form can be made to fill the memory."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["path"].endswith("/thong-bao"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        too_big = declared.isdigit() and int(declared) > FORM_LIMIT
        body, more = b"", not too_big
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            more = message.get("more_body", False)
            too_big = len(body) > FORM_LIMIT
            if too_big:
                break
        if too_big:
            response = PlainTextResponse(texts.WEB_FORM_TOO_BIG, status_code=413)
            await response(scope, receive, send)
            return
        sent = False

        async def replay() -> dict:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


def _neutral(template: str, **kw: object) -> str:
    """A staff text shared with chat, where it speaks to people as they chose to be addressed;
    the pages address everyone the same polite way."""
    return template.format(ong_ba="anh chị", Ong_ba="Anh chị", **kw)


def draft_sig(key: bytes, unit: str, name: str) -> str:
    """A draft file may be attached (and looked at) only at the unit it was uploaded for."""
    return hmac.new(key, f"draft|{unit}|{name}".encode(), hashlib.sha256).hexdigest()[:32]


def _size_text(n: int) -> str:
    return (
        f"{n / 1024 / 1024:.1f} MB".replace(".", ",")
        if n >= 1024 * 1024
        else f"{n // 1024 or 1} KB"
    )


def _unit_url(unit: str, page: str = "") -> str:
    return f"/don-vi/{quote(unit, safe=':')}" + (f"/{page}" if page else "")


def _indicator_name(indicator: str) -> str:
    kind, _, topic = indicator.partition(":")
    if kind == "informed" and topic:
        return texts.REPORT_INFORMED.format(topic=texts.TOPICS.get(topic, topic).lower())
    return texts.REPORT_PROFICIENT if kind == "proficient" else indicator


HELPERS = {
    "texts": texts,
    "unit_url": _unit_url,
    "count": render.count_text,
    "share": render.share_text,
    "people": lambda v: "—" if v is None else render.count_text(v),
    "indicator_name": _indicator_name,
    "area_names": texts.REPORT_AREAS,
}


#: on every answer: nothing cached (personal data), no framing, no script, forms to us only
HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline';"
    " img-src 'self' data:; script-src 'none'; form-action 'self'; frame-ancestors 'none'",
}


def _page(request: Request, template: str, status: int = 200, **ctx) -> HTMLResponse:
    response = TEMPLATES.TemplateResponse(request, template, {**HELPERS, **ctx}, status_code=status)
    response.headers.update(HEADERS)
    return response


def _message(request: Request, text: str, status: int, viewer: Viewer | None = None) -> Response:
    return _page(request, "message.html", status, message=text, viewer=viewer)


def _vn_date(value: str | None, today: dt.date) -> dt.date | None:
    """A date from a form (YYYY-MM-DD), not after today; None when missing or malformed."""
    if not value:
        return today
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return None
    return day if day <= today else None


#: A form's own key (`new_form_key`), as it may come back in a form.
_FORM_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


def new_form_key() -> str:
    """A random key for one form that creates something (an announcement, an indicator
    entry): the same form sent twice (a double click on a slow line, a refresh that sends it
    again, two web processes each taking one request) creates it once (migration 0180)."""
    return secrets.token_urlsafe(18)


def form_key(form: dict) -> str | None:
    """The form's key, or None when it carries none (or not one of ours)."""
    value = str(form.get("form_key", ""))
    return value if _FORM_KEY.fullmatch(value) else None


def create_app(
    db: Database,
    *,
    admins: frozenset[str] = frozenset(),
    secret: bytes | None = None,
    idle_minutes: int = 30,
    public_url: str = "",
    clock: Callable[[], dt.datetime] = utc_now,
    media_dir: Path | None = None,
    links: dict[str, str] | None = None,
    oa_rules: OaRules | None = None,
) -> Starlette:
    cfg = WebConfig(
        key=secret or secrets.token_bytes(32),
        idle=dt.timedelta(minutes=idle_minutes),
        admins=admins,
        secure_default=public_url.startswith("https://"),
        media_dir=(media_dir or db.path.parent / "media").resolve(),
        links=dict(links or {}),
        oa_rules=oa_rules or OaRules(),
    )
    # uploads wait here until confirmed (then they move beside the chat's announcement files);
    # drafts nobody confirmed are removed after DRAFT_KEEP
    drafts = cfg.media_dir / "announcements" / "web-drafts"

    async def viewer_of(request: Request, store, now: dt.datetime) -> Viewer | None:
        token = auth.unsign(cfg.key, request.cookies.get(auth.COOKIE))
        if token is None:
            return None
        h = auth.token_hash(token)
        s = await store.web.session(h)
        if s is None or s.ended_at is not None:
            return None
        if dt.datetime.fromisoformat(s.last_seen) + cfg.idle < now:
            await store.web.end_session(h, now)
            await store.staff.audit(s.user_id, "web:timeout", None, now)
            return None
        user = await store.users.by_id(s.user_id)
        if user is None or not user.tracked:
            await store.web.end_session(h, now)
            return None
        roles = await roles_of(store, user.id, user.identity, cfg.admins)
        if not roles:  # the role was removed: the session ends at once
            await store.web.end_session(h, now)
            await store.staff.audit(user.id, "web:ended_no_role", None, now)
            return None
        await store.web.touch(h, now)
        return Viewer(user, roles, h, s.csrf)

    async def guard(
        request: Request, action: str | None, page: str, *, form: dict | None = None
    ) -> tuple[Viewer, Unit | None] | Response:
        """The viewer and the URL's unit when `action` is allowed there (audited either way);
        otherwise the response to send (login needed, not allowed, bad form)."""
        now = clock()
        raw = request.path_params.get("unit")
        async with db.transaction() as store:
            viewer = await viewer_of(request, store, now)
            if viewer is None:
                return _message(request, texts.WEB_SESSION_ENDED, 401)
            if form is not None and not secrets.compare_digest(
                str(form.get("csrf", "")), viewer.csrf
            ):
                await store.staff.audit(viewer.user.id, "web:csrf_refused", raw, now, page=page)
                return _message(request, texts.WEB_BAD_FORM, 403, viewer)
            unit = Unit.parse(raw) if raw is not None else None
            if raw is not None and (unit is None or await permissions.chain(store, unit) is None):
                return _message(request, texts.WEB_NOT_FOUND, 404, viewer)
            if action is not None and (
                unit is None or not await permissions.allowed(store, viewer.roles, action, unit)
            ):
                await store.staff.audit(viewer.user.id, "web:denied", raw, now, page=page)
                return _message(request, texts.WEB_FORBIDDEN, 403, viewer)
            await store.staff.audit(viewer.user.id, f"web:{page}", raw, now)
        return viewer, unit

    async def nav(viewer: Viewer, unit: Unit) -> dict[str, bool]:
        async with db.reading() as store:
            return {
                a: await permissions.allowed(store, viewer.roles, a, unit)
                for a in (
                    "report",
                    "members",
                    "announce",
                    "record_indicator",
                    "invite_member",
                    "invite_admin",
                    "scam_examples",
                )
            }

    async def nav_all(viewer: Viewer, unit: Unit) -> dict[str, bool]:
        got = await nav(viewer, unit)
        got["class_codes"] = got["invite_member"] and unit.kind in ("branch", "commune")
        return got

    async def unit_page(
        request: Request,
        template: str,
        status: int = 200,
        *,
        viewer: Viewer,
        unit: Unit,
        **ctx: object,
    ) -> HTMLResponse:
        """A page about one unit, with the unit's name and the menu of what the viewer may
        do there, as every unit page shows them."""
        return _page(
            request,
            template,
            status,
            viewer=viewer,
            unit=unit,
            unit_name=await _name(unit),
            nav=await nav_all(viewer, unit),
            **ctx,
        )

    # --- login and logout ---

    async def login(request: Request) -> Response:
        """GET shows a button and uses nothing (chat apps fetch links for their previews);
        the button's POST uses the link and opens the session."""
        token = request.path_params["token"]
        now = clock()
        if request.method == "GET":
            async with db.reading() as store:
                status = await store.web.login_status(auth.token_hash(token), now)
            if status != "ok":
                return _message(request, texts.WEB_LINK_INVALID[status], 403)
            response = _page(request, "login.html", viewer=None)
            response.headers["Referrer-Policy"] = "no-referrer"
            return response
        async with db.transaction() as store:
            status, user_id = await store.web.redeem_login(auth.token_hash(token), now)
            if status == "ok":
                user = await store.users.by_id(user_id)
                roles = (
                    await roles_of(store, user.id, user.identity, cfg.admins)
                    if user and user.tracked
                    else []
                )
                if not roles:
                    status = "no_role"
            await store.staff.audit(user_id, "web:login", None, now, result=status)
            if status != "ok":
                return _message(request, texts.WEB_LINK_INVALID[status], 403)
            session, csrf = auth.new_session_token()
            secure = cfg.secure_default or request.url.scheme == "https"
            await store.web.create_session(auth.token_hash(session), user_id, csrf, secure, now)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(
            auth.COOKIE,
            auth.sign(cfg.key, session),
            httponly=True,
            samesite="lax",
            secure=secure,
            path="/",
        )
        response.headers["Referrer-Policy"] = "no-referrer"  # the used link stays private
        return response

    async def logout(request: Request) -> Response:
        form = dict(await request.form())
        got = await guard(request, None, "logout", form=form)
        if isinstance(got, Response):
            return got
        viewer, _ = got
        async with db.transaction() as store:
            await store.web.end_session(viewer.session, clock())
        response = _page(request, "message.html", message=texts.WEB_LOGGED_OUT, viewer=None)
        response.delete_cookie(auth.COOKIE, path="/")
        return response

    # --- pages ---

    async def home(request: Request) -> Response:
        got = await guard(request, None, "home")
        if isinstance(got, Response):
            return got
        viewer, _ = got
        units = []
        async with db.reading() as store:
            for role, unit in viewer.roles:
                units.append(
                    {
                        "role": texts.WEB_ROLES.get(role, role),
                        "raw": role,
                        "unit": unit,
                        "name": await permissions.unit_name(store, unit),
                    }
                )
            name = viewer.user.display_name or ""
        return _page(request, "home.html", viewer=viewer, units=units, name=name)

    async def overview(request: Request) -> Response:
        got = await guard(request, "report", "overview")
        if isinstance(got, Response):
            return got
        viewer, unit = got
        today = clock().astimezone(VN).date()
        as_of = _vn_date(request.query_params.get("ngay"), today)
        if as_of is None:
            return _message(request, texts.WEB_BAD_DATE, 400, viewer)
        async with db.transaction() as store:
            report = await compute.build(store, unit, as_of, today)
        order = request.query_params.get("sap-xep", "thanh-thao")
        keys = {
            "ten": (lambda s: s.name, False),
            "dang-ky": (lambda s: s.registered or 0, True),
            "thanh-thao": (lambda s: s.proficient.of_registered or 0, True),
        }
        key, reverse = keys.get(order, keys["thanh-thao"])
        subs = sorted(report.sub_units, key=key, reverse=reverse)
        return _page(
            request,
            "overview.html",
            viewer=viewer,
            unit=unit,
            r=report,
            subs=subs,
            order=order,
            trend=_trend_svg(report),
            notes=render.target_notes(report),
            nav=await nav_all(viewer, unit),
            day=as_of.isoformat() if as_of != today else "",
            today=today.isoformat(),
        )

    async def download(request: Request) -> Response:
        fmt = request.path_params["fmt"]
        got = await guard(request, "report", f"download_{fmt}")
        if isinstance(got, Response):
            return got
        viewer, unit = got
        if fmt not in DOWNLOADS:
            return _message(request, texts.WEB_NOT_FOUND, 404, viewer)
        today = clock().astimezone(VN).date()
        as_of = _vn_date(request.query_params.get("ngay"), today)
        if as_of is None:
            return _message(request, texts.WEB_BAD_DATE, 400, viewer)
        async with db.transaction() as store:
            report = await compute.build(store, unit, as_of, today)
        body = await asyncio.to_thread(_render_bytes, report, fmt)
        name = f"bao-cao-{str(unit).replace(':', '-')}-{as_of.isoformat()}.{fmt}"
        disposition = "inline" if fmt == "png" else "attachment"
        return Response(
            body,
            media_type=DOWNLOADS[fmt],
            headers={**HEADERS, "Content-Disposition": f'{disposition}; filename="{name}"'},
        )

    async def members(request: Request) -> Response:
        got = await guard(request, "members", "members")
        if isinstance(got, Response):
            return got
        viewer, unit = got
        now = clock()
        only_inactive = request.query_params.get("chi") == "khong-hoat-dong"
        try:
            page = max(1, int(request.query_params.get("trang", "1")))
        except ValueError:
            page = 1
        cutoff = now - dt.timedelta(days=INACTIVE_DAYS)
        async with db.reading() as store:
            total = await store.web.member_count(unit)
            inactive = await store.web.member_count(unit, cutoff)
            rows = await store.web.members_page(
                unit,
                (page - 1) * MEMBERS_PER_PAGE,
                MEMBERS_PER_PAGE,
                cutoff if only_inactive else None,
            )
            mastered = await store.staff.areas_mastered([m.id for m in rows])
            confirmed = await store.web.confirmed([m.id for m in rows])
            people = []
            for m in rows:
                last = dt.datetime.fromisoformat(m.last_active_at)
                missing = [a for a in compute.NATIONAL if a not in mastered.get(m.id, set())]
                people.append(
                    {
                        "name": f"{m.address_form or ''} {m.display_name or '—'}".strip(),
                        "where": await _member_place(store, m),
                        "proficient": m.proficient,
                        "missing": [texts.REPORT_AREAS_SHORT[a] for a in missing],
                        "to_confirm": [
                            texts.REPORT_AREAS_SHORT[a]
                            for a in compute.NATIONAL
                            if a in mastered.get(m.id, set()) and a not in confirmed[m.id]
                        ],
                        "days": (now - last).days,
                        "inactive": last < cutoff,
                    }
                )
        shown_total = inactive if only_inactive else total
        pages = max(1, -(-shown_total // MEMBERS_PER_PAGE))
        return await unit_page(
            request,
            "members.html",
            viewer=viewer,
            unit=unit,
            people=people,
            total=total,
            inactive=inactive,
            only_inactive=only_inactive,
            page=page,
            pages=pages,
            inactive_days=INACTIVE_DAYS,
        )

    async def announcements(request: Request) -> Response:
        if request.method == "POST":
            return await compose(request)
        got = await guard(request, "announce", "announcements")
        if isinstance(got, Response):
            return got
        viewer, unit = got
        return await _announcements_page(request, viewer, unit)

    async def _announcements_page(
        request: Request, viewer: Viewer, unit: Unit, *, notice: str = "", error: str = "",
        draft: dict | None = None, preview: dict | None = None, status: int = 200,
    ) -> Response:  # fmt: skip
        items = []
        async with db.reading() as store:
            # this unit's announcements and those of the units below it
            below = []
            for u in await store.web.announcement_units():
                above = await permissions.chain(store, u)
                if above and unit in above:
                    below.append(u)
            for a in await store.web.announcements(below):
                delivery = await store.web.delivery(a.id)
                items.append(
                    {
                        "a": a,
                        "unit_name": await permissions.unit_name(store, a.unit),
                        "when": dt.datetime.fromisoformat(a.send_at).astimezone(VN),
                        "topic": texts.TOPICS.get(a.topic, a.topic),
                        "status": texts.WEB_ANN_STATUS.get(a.status, a.status),
                        "delivery": [
                            (
                                texts.WEB_CHANNELS.get(ch, ch),
                                [(texts.WEB_DELIVERY.get(k, k), n) for k, n in sorted(per.items())],
                            )
                            for ch, per in sorted(delivery.items())
                        ],
                        "acks": await store.staff.acks(a.id),
                    }
                )
        return await unit_page(
            request,
            "announcements.html",
            status,
            viewer=viewer,
            unit=unit,
            items=items,
            topics=[(t, texts.TOPICS[t]) for t in TOPICS],
            areas=[(a, texts.REPORT_AREAS_SHORT[a]) for a in compute.NATIONAL],
            notice=notice,
            error=error,
            draft=draft or {},
            preview=preview,
            max_len=ANNOUNCEMENT_MAX,
            max_mb=MAX_FILE_BYTES // (1024 * 1024),
        )

    async def compose(request: Request) -> Response:
        """Preview, then (confirm=1) schedule an announcement, with at most one picture or
        document: checked as the chat checks it (bot/core/media.py), kept as a draft file
        under our own name, carried from preview to confirmation with a signature."""
        try:
            raw = await read_form(request)
        except TooLarge:  # nothing read beyond the limit, nothing done: say why
            got = await guard(request, "announce", "announce_too_big")
            if isinstance(got, Response):
                return got
            viewer, unit = got
            error = _neutral(texts.ST_ANN_FILE_TOO_BIG, mb=MAX_FILE_BYTES // (1024 * 1024))
            return await _announcements_page(request, viewer, unit, error=error, status=413)
        form = {k: v for k, v in raw.multi_items() if not isinstance(v, UploadFile)}
        upload = raw.get("file")
        got = await guard(request, "announce", "announce_form", form=form)
        if isinstance(got, Response):
            await raw.close()
            return got
        viewer, unit = got
        now = clock()
        text = str(form.get("text", "")).strip()
        topic = str(form.get("topic", ""))
        only_not = str(form.get("only_not", "")) or None
        draft = {
            "text": text,
            "topic": topic,
            "only_not": only_not or "",
            "when": form.get("when", ""),
        }
        # the file: a new upload replaces the kept one; "drop_file" removes it
        kept = _kept_file(unit, form)
        if kept is None and form.get("kept"):
            return _message(request, texts.WEB_BAD_FORM, 400, viewer)
        if form.get("drop_file") == "1" and kept:
            media.discard(str(kept))
            kept = False
        if isinstance(upload, UploadFile) and upload.filename:
            data = await upload.read()
            await asyncio.to_thread(_sweep_drafts, drafts)
            received = await media.accept(data, upload.filename, upload.content_type, drafts)
            await raw.close()
            if not received.ok:
                error = {
                    "too_big": texts.ST_ANN_FILE_TOO_BIG,
                    "unsupported": texts.ST_ANN_FILE_UNSUPPORTED,
                }.get(received.problem or "", texts.ST_ANN_FILE_FAILED)
                error = _neutral(error, mb=MAX_FILE_BYTES // (1024 * 1024))
                draft.update(_draft_file(unit, kept or None))
                return await _announcements_page(
                    request, viewer, unit, error=error, draft=draft, status=400
                )
            if kept:
                media.discard(str(kept))
            kept = Path(received.path)
            async with db.transaction() as store:
                await store.staff.audit(
                    viewer.user.id, "web:announce_file", str(unit), now,
                    kind=received.kind, size=kept.stat().st_size,
                )  # fmt: skip
        else:
            await raw.close()
        draft.update(_draft_file(unit, kept or None))
        if not text or len(text) > ANNOUNCEMENT_MAX or topic not in TOPICS:
            error = texts.WEB_ANN_EMPTY.format(n=ANNOUNCEMENT_MAX)
            return await _announcements_page(
                request, viewer, unit, error=error, draft=draft, status=400
            )
        if only_not is not None and only_not not in compute.NATIONAL:
            return _message(request, texts.WEB_BAD_FORM, 400, viewer)
        when_text = str(form.get("when", "")).strip()
        if when_text:
            try:
                send_at = dt.datetime.fromisoformat(when_text).replace(tzinfo=VN)
            except ValueError:
                return await _announcements_page(
                    request, viewer, unit, error=texts.WEB_BAD_DATE, draft=draft, status=400
                )
            send_at = max(send_at, now)
        else:
            send_at = now
        if form.get("confirm") != "1":
            async with db.reading() as store:
                per = await reach.reach(store, str(unit), only_not, cfg.oa_rules, now)
                label = await permissions.unit_name(store, unit)
            preview = {
                "text": texts.ANNOUNCEMENT.format(unit=label, text=text),
                "n": sum(r.now + r.waiting + r.blocked for r in per.values()),
                "when": f"{send_at.astimezone(VN):%H:%M %d/%m/%Y}",
                "reach": [
                    (reach.channel_name(ch), r.now, r.waiting, r.blocked)
                    for ch, r in reach.ordered(per)
                ],
                "reach_text": reach.reach_text(per, cfg.oa_rules).splitlines(),
                "form_key": new_form_key(),  # the confirmation sent twice sends it once
            }
            return await _announcements_page(request, viewer, unit, draft=draft, preview=preview)
        file_kind = file_path = None
        if kept:  # the announcement's own name: a form sent again cannot drop or reuse it
            owned = drafts.parent / f"{secrets.token_hex(16)}{kept.suffix}"
            try:
                kept.rename(owned)
            except OSError:  # sent twice at once: the other one took it
                return _message(request, texts.WEB_BAD_FORM, 400, viewer)
            file_kind, file_path = media.TYPES[owned.suffix][0], str(owned)
        async with db.transaction() as store:
            if not await permissions.allowed(store, viewer.roles, "announce", unit):
                return _message(request, texts.WEB_FORBIDDEN, 403, viewer)
            ann_id = await store.staff.create_announcement(
                viewer.user.id, unit, topic, text, only_not, send_at, False, now,
                file_kind=file_kind, file_path=file_path, form_key=form_key(form),
            )  # fmt: skip
            if ann_id is not None:  # None: this very form was sent already (a double click)
                await store.staff.audit(
                    viewer.user.id, "announce", unit, now, announcement=ann_id, topic=topic,
                    via="web", **({"file": file_kind} if file_kind else {}),
                )  # fmt: skip
        notice = texts.WEB_ANN_SCHEDULED.format(when=f"{send_at.astimezone(VN):%H:%M %d/%m/%Y}")
        return await _announcements_page(request, viewer, unit, notice=notice)

    def _kept_file(unit: Unit, form: dict) -> Path | bool | None:
        """The draft file the form carries: its path; False when it carries none; None when
        what it carries is not a draft of this unit (a forged or stale form)."""
        name = str(form.get("kept", ""))
        if not name:
            return False
        sig = str(form.get("kept_sig", ""))
        path = drafts / name
        if (
            not DRAFT_NAME.match(name)
            or not hmac.compare_digest(sig, draft_sig(cfg.key, str(unit), name))
            or not path.is_file()
        ):
            return None
        return path

    def _draft_file(unit: Unit, path: Path | None) -> dict:
        """What the page needs to show and carry a draft file."""
        if not path:
            return {"file": None}
        kind = media.TYPES[path.suffix][0]
        sig = draft_sig(cfg.key, str(unit), path.name)
        return {
            "file": {
                "name": path.name,
                "sig": sig,
                "kind": kind,
                "what": texts.ST_FILE_NAME[kind],
                "type": path.suffix.lstrip(".").upper().replace("JPG", "JPEG"),
                "size": _size_text(path.stat().st_size),
                "url": _unit_url(str(unit), f"thong-bao/tep/{path.name}") + f"?k={sig}",
            }
        }

    async def draft_file(request: Request) -> Response:
        """A draft's picture or document, for the preview: only at its unit, for those who may
        announce there."""
        got = await guard(request, "announce", "announce_file_view")
        if isinstance(got, Response):
            return got
        viewer, unit = got
        path = _kept_file(
            unit, {"kept": request.path_params["name"], "kept_sig": request.query_params.get("k")}
        )
        if not path:
            return _message(request, texts.WEB_NOT_FOUND, 404, viewer)
        inline = path.suffix in (".jpg", ".png", ".pdf")
        return FileResponse(
            path,
            media_type=DRAFT_TYPES[path.suffix],
            headers=HEADERS,
            filename=f"tep-kem{path.suffix}",
            content_disposition_type="inline" if inline else "attachment",
        )

    async def indicators(request: Request) -> Response:
        form = dict(await request.form()) if request.method == "POST" else None
        got = await guard(request, "record_indicator", "indicators", form=form)
        if isinstance(got, Response):
            return got
        viewer, unit = got
        now = clock()
        today = now.astimezone(VN).date()
        notice = error = ""
        is_admin = (await nav(viewer, unit))["invite_admin"]
        if form is not None:
            error = await _save_indicator(form, viewer, unit, now, today, is_admin)
            notice = "" if error else texts.WEB_SAVED
        async with db.reading() as store:
            totals = await store.reports.indicator_totals(unit, today)
            entries = await store.reports.entries(unit, limit=20)
            goals = await store.reports.indicator_targets(unit)
            population = await store.staff.population(unit)
            targets = await store.reports.targets([unit])
        return await unit_page(
            request,
            "indicators.html",
            (403 if error == texts.WEB_FORBIDDEN else 400) if error else 200,
            viewer=viewer,
            unit=unit,
            names=texts.REPORT_INDICATORS,
            indicators=INDICATORS,
            totals=totals,
            entries=entries,
            goals=goals,
            population=population,
            targets=targets,
            is_admin=is_admin,
            notice=notice,
            error=error,
            today=today.isoformat(),
            target_names=texts.WEB_INDICATOR_NAMES,
            form_key=new_form_key(),  # an entry sent twice counts once
        )

    async def _save_indicator(
        form: dict, viewer: Viewer, unit: Unit, now: dt.datetime, today: dt.date, is_admin: bool
    ) -> str:
        """Save one form; the error text, or "" when saved (and audited)."""
        what = form.get("what")
        if what != "entry" and not is_admin:  # targets and residents: admins only
            return texts.WEB_FORBIDDEN
        try:
            value = float(str(form.get("value", "")).replace(",", "."))
        except ValueError:
            return texts.WEB_BAD_NUMBER
        if value < 0 or value != value:
            return texts.WEB_BAD_NUMBER
        note = str(form.get("note", ""))[:500]
        async with db.transaction() as store:
            if what == "entry":
                indicator = form.get("indicator")
                day = _vn_date(str(form.get("date", "")), today)
                if indicator not in INDICATORS or day is None:
                    return texts.WEB_BAD_FORM
                codes = await permissions.unit_codes(store, unit)
                added = await store.reports.add_entry(
                    unit, codes, indicator, day, int(value), note, viewer.user.id, now,
                    form_key=form_key(form),
                )  # fmt: skip
                if added is None:  # this very form was saved already (sent twice)
                    return ""
                detail = {"indicator": indicator, "value": int(value), "note": note}
            elif what == "population":
                await store.staff.set_population(unit, int(value), viewer.user.id, now)
                detail = {"older_residents": int(value), "note": note}
            elif what in ("target", "indicator_target"):
                try:
                    year = int(str(form.get("year", "")))
                except ValueError:
                    return texts.WEB_BAD_FORM
                if not 2025 <= year <= 2100:
                    return texts.WEB_BAD_FORM
                indicator = form.get("indicator")
                if what == "target":
                    if indicator not in ("proficient", "informed"):
                        return texts.WEB_BAD_FORM
                    if value > 100:
                        return texts.WEB_BAD_PERCENT
                    await store.reports.set_target(
                        unit, indicator, year, value, viewer.user.id, now
                    )
                else:
                    if indicator not in INDICATORS:
                        return texts.WEB_BAD_FORM
                    await store.reports.set_indicator_target(
                        unit, indicator, year, int(value), viewer.user.id, now
                    )
                detail = {"indicator": indicator, "year": year, "value": value, "note": note}
            else:
                return texts.WEB_BAD_FORM
            await store.staff.audit(viewer.user.id, f"web:set_{what}", unit, now, **detail)
        return ""

    async def invite(request: Request) -> Response:
        """Invitation codes, as in chat: each kind needs its own permission at the unit;
        members join a branch."""
        form = dict(await request.form()) if request.method == "POST" else None
        got = await guard(request, "invite_member", "invite", form=form)
        if isinstance(got, Response):
            return got
        viewer, unit = got
        now = clock()
        kinds = []
        async with db.reading() as store:
            for kind, need in INVITE_KINDS:
                if kind == "member" and unit.kind != "branch":
                    continue
                if await permissions.allowed(store, viewer.roles, need, unit):
                    kinds.append((kind, texts.INVITE_KINDS[kind]))
        code = error = ""
        if form is not None:
            kind = form.get("kind")
            if kind not in dict(kinds):
                error = texts.WEB_FORBIDDEN
            else:
                async with db.transaction() as store:
                    code = await store.staff.create_invitation(kind, unit, viewer.user.id, now)
                    await store.staff.audit(
                        viewer.user.id, "invite", unit, now, role=kind, code=code, via="web"
                    )
                code = texts.ST_INVITE_CODE.format(
                    code=code, kind=texts.INVITE_KINDS[kind], unit=await _name(unit)
                )
        return await unit_page(
            request,
            "invite.html",
            403 if error else 200,
            viewer=viewer,
            unit=unit,
            kinds=kinds,
            code=code,
            error=error,
        )

    async def class_codes(request: Request) -> Response:
        """A branch's class codes: the open ones, a new one, each with its printable sheet.
        At a commune: its branches, to choose one."""
        form = dict(await request.form()) if request.method == "POST" else None
        got = await guard(request, "invite_member", "class_codes", form=form)
        if isinstance(got, Response):
            return got
        viewer, unit = got
        now = clock()
        notice = error = ""
        if form is not None:
            try:
                cap = int(str(form.get("cap", "")))
            except ValueError:
                cap = 0
            if unit.kind != "branch" or cap not in CLASS_CAPS:
                error = texts.WEB_BAD_FORM
            else:
                async with db.transaction() as store:
                    code = await store.staff.create_invitation(
                        "member", unit, viewer.user.id, now, days=CLASS_DAYS, max_uses=cap
                    )
                    await store.staff.audit(
                        viewer.user.id, "invite", unit, now, role="member", code=code,
                        max_uses=cap, via="web",
                    )  # fmt: skip
                notice = texts.WEB_CLASS_CREATED.format(code=code, cap=cap)
        codes, branches = [], []
        async with db.reading() as store:
            if unit.kind == "branch":
                for inv in await store.staff.class_codes(unit, now):
                    until = dt.datetime.fromisoformat(inv.expires_at).astimezone(VN)
                    codes.append({"i": inv, "until": f"{until:%d/%m/%Y}"})
            elif unit.kind == "commune":
                for b in await store.staff.branches_in_commune(unit.code):
                    branches.append((str(Unit.branch(b.id)), permissions.branch_title(b.name)))
        return await unit_page(
            request,
            "class_codes.html",
            400 if error else 200,
            viewer=viewer,
            unit=unit,
            codes=codes,
            branches=branches,
            caps=CLASS_CAPS,
            days=CLASS_DAYS,
            notice=notice,
            error=error,
        )

    async def class_sheet(request: Request) -> Response:
        """A class code's printable A4 sheet (PDF or PNG), rendered once and kept with the ones
        the chat sends."""
        fmt = request.path_params["fmt"]
        got = await guard(request, "invite_member", f"class_sheet_{fmt}")
        if isinstance(got, Response):
            return got
        viewer, unit = got
        code = request.path_params["code"]
        async with db.reading() as store:
            found = next(
                (i for i in await store.staff.class_codes(unit, clock()) if i.code == code), None
            )
            if found is None or fmt not in SHEETS:
                return _message(request, texts.WEB_NOT_FOUND, 404, viewer)
            expires = dt.datetime.fromisoformat(found.expires_at)
            sheet = await class_sheet_of(store, code, str(unit), expires, cfg.links)
        png, pdf = class_sheet_paths(cfg.media_dir, code)
        if not (png.is_file() and pdf.is_file()):
            await asyncio.to_thread(_write_sheet, sheet, png, pdf)
        return FileResponse(
            png if fmt == "png" else pdf,
            media_type=SHEETS[fmt],
            headers=HEADERS,
            filename=f"ma-lop-{code}.{fmt}",
            content_disposition_type="attachment",
        )

    async def roles_page(request: Request) -> Response:
        """Admins: who holds a role at this unit and below, each with «Bỏ vai trò»."""
        got = await guard(request, "invite_admin", "roles")
        if isinstance(got, Response):
            return got
        viewer, unit = got
        return await _roles_page(request, viewer, unit)

    async def _roles_page(
        request: Request, viewer: Viewer, unit: Unit, *, notice: str = "", error: str = "",
        confirm: dict | None = None, status: int = 200,
    ) -> Response:  # fmt: skip
        rows = []
        async with db.reading() as store:
            for h in await _holders(store, unit):
                rows.append(
                    {
                        "h": h,
                        "name": f"{h.address_form or ''} {h.display_name or '—'}".strip(),
                        "role": texts.WEB_ROLES.get(h.role, h.role),
                        "unit_name": await permissions.unit_name(store, h.unit),
                        "since": dt.datetime.fromisoformat(h.granted_at).astimezone(VN),
                        "me": h.user_id == viewer.user.id,
                    }
                )
        return await unit_page(
            request,
            "roles.html",
            status,
            viewer=viewer,
            unit=unit,
            rows=rows,
            notice=notice,
            error=error,
            confirm=confirm,
        )

    async def remove_role(request: Request) -> Response:
        """«Bỏ vai trò»: a confirmation page first, then (confirm=1) the role goes, every web
        session of that person ends at once, and the audit log says who did it."""
        form = dict(await request.form())
        got = await guard(request, "invite_admin", "role_remove", form=form)
        if isinstance(got, Response):
            return got
        viewer, unit = got
        now = clock()
        try:
            user_id = int(str(form.get("user", "")))
        except ValueError:
            return _message(request, texts.WEB_BAD_FORM, 400, viewer)
        role, where = str(form.get("role", "")), str(form.get("where", ""))
        outcome, what = "", ""
        async with db.transaction() as store:
            # One removal at a time, and the remover's roles as they are now, not as the
            # session had them: two admins removing each other at once would otherwise both
            # pass the check below, each with the role the other is taking away.
            await store.staff.lock_roles()
            mine = await roles_of(store, viewer.user.id, viewer.user.identity, cfg.admins)
            target = next(
                (
                    h
                    for h in await _holders(store, unit)
                    if (h.user_id, h.role, h.unit) == (user_id, role, where)
                ),
                None,
            )
            if target is None:
                outcome = "gone"
            elif user_id == viewer.user.id:
                outcome = "self"
            else:
                name = f"{target.address_form or ''} {target.display_name or '—'}".strip()
                what = texts.WEB_ROLE_LINE.format(
                    name=name,
                    role=texts.WEB_ROLES.get(role, role),
                    unit=await permissions.unit_name(store, where),
                )
                if form.get("confirm") != "1":
                    outcome = "confirm"
                elif not await permissions.allowed(store, mine, "invite_admin", where):
                    outcome = "forbidden"  # roles may have changed since the page was shown
                else:
                    await store.staff.revoke(user_id, role, where)
                    ended = await store.web.end_sessions_of(user_id, now)
                    await store.staff.audit(
                        viewer.user.id, "role_removed", where, now, user=user_id, role=role,
                        sessions_ended=ended, via="web",
                    )  # fmt: skip
                    outcome = "removed"
        # pages are drawn after the transaction (they read through their own)
        if outcome == "gone":
            return _message(request, texts.WEB_ROLE_GONE, 404, viewer)
        if outcome == "self":
            return await _roles_page(
                request, viewer, unit, error=texts.WEB_ROLE_NOT_SELF, status=400
            )
        if outcome == "forbidden":
            return _message(request, texts.WEB_FORBIDDEN, 403, viewer)
        if outcome == "confirm":
            confirm = {"user": user_id, "role": role, "where": where, "what": what}
            return await _roles_page(request, viewer, unit, confirm=confirm)
        return await _roles_page(
            request, viewer, unit, notice=texts.WEB_ROLE_REMOVED.format(what=what)
        )

    async def _holders(store, unit: Unit) -> list:
        """Roles held at this unit and below."""
        if unit.kind == "all":
            return await store.staff.role_holders(None)
        if unit.kind == "province":
            communes = [c.code for c in places.communes(unit.code)]
            units = [str(unit), *(str(Unit.commune(c)) for c in communes)]
            return await store.staff.role_holders(units, communes)
        if unit.kind == "commune":
            return await store.staff.role_holders([str(unit)], [unit.code])
        return await store.staff.role_holders([str(unit)])

    async def audit_log(request: Request) -> Response:
        got = await guard(request, "invite_admin", "audit_log")
        if isinstance(got, Response):
            return got
        viewer, unit = got
        what = request.query_params.get("viec", "").strip()[:50]
        rows = []
        async with db.reading() as store:
            names: dict[int, str] = {}
            for at, actor, action, where, detail in await store.web.audit_entries(
                what or None, None, limit=AUDIT_SCANNED
            ):
                if unit != "all":  # entries about this unit and below; none without a unit
                    above = await permissions.chain(store, where) if where else None
                    if not above or unit not in above:
                        continue
                if actor is not None and actor not in names:
                    u = await store.users.by_id(actor)
                    names[actor] = (u.display_name or u.identity) if u else "?"
                rows.append(
                    {
                        "at": dt.datetime.fromisoformat(at).astimezone(VN),
                        "who": names.get(actor, texts.WEB_AUDIT_SYSTEM)
                        if actor
                        else texts.WEB_AUDIT_SYSTEM,
                        "action": action,
                        "unit": where or "",
                        "detail": ", ".join(f"{k}={v}" for k, v in detail.items()),
                    }
                )
                if len(rows) >= AUDIT_SHOWN:
                    break
        return await unit_page(
            request,
            "audit.html",
            viewer=viewer,
            unit=unit,
            rows=rows,
            what=what,
        )

    async def scam_examples(request: Request) -> Response:
        """Anonymised messages learners shared after a check, as in chat (staff.scam)."""
        from bot.core.staff import SCAM_PER_PAGE, scam_scope, shared_date

        got = await guard(request, "scam_examples", "scam_examples")
        if isinstance(got, Response):
            return got
        viewer, unit = got
        try:
            page = max(1, int(request.query_params.get("trang", "1")))
        except ValueError:
            page = 1
        scope = scam_scope(unit)
        async with db.reading() as store:
            total = await store.scam_examples.count_below(scope)
            pages = max(1, -(-total // SCAM_PER_PAGE))
            page = min(page, pages)
            found = await store.scam_examples.page_below(
                scope, (page - 1) * SCAM_PER_PAGE, SCAM_PER_PAGE
            )
        rows = [
            {
                "n": (page - 1) * SCAM_PER_PAGE + i,
                "date": shared_date(e.shared_at),
                "verdict": e.verdict,
                "verdict_text": texts.ST_SCAM_VERDICT.get(e.verdict, e.verdict),
                "signs": [texts.SCAM_SIGNS.get(k, k) for k in e.signs],
                "text": e.text,
            }
            for i, e in enumerate(found, start=1)
        ]
        address = viewer.user.address_form or texts.DEFAULT_ADDRESS
        return await unit_page(
            request,
            "scam.html",
            viewer=viewer,
            unit=unit,
            rows=rows,
            total=total,
            page=page,
            pages=pages,
            address=address[:1].upper() + address[1:],
        )

    async def _name(unit: str) -> str:
        async with db.reading() as store:
            return await permissions.unit_name(store, unit)

    async def healthz(request: Request) -> Response:
        """The container's and the load balancer's check (bot/health.py): no session needed,
        nothing said beyond up or down."""
        if await health.database_ok(db):
            return JSONResponse(health.OK)
        return JSONResponse(health.DOWN, 503)

    routes = [
        Route(health.PATH, healthz),
        Route("/", home),
        Route(auth.LOGIN_PATH + "{token}", login, methods=["GET", "POST"]),
        Route("/dang-xuat", logout, methods=["POST"]),
        Route("/don-vi/{unit}", overview),
        Route("/don-vi/{unit}/tai-ve.{fmt}", download),
        Route("/don-vi/{unit}/hoc-vien", members),
        Route("/don-vi/{unit}/thong-bao", announcements, methods=["GET", "POST"]),
        Route("/don-vi/{unit}/thong-bao/tep/{name}", draft_file),
        Route("/don-vi/{unit}/ma-lop", class_codes, methods=["GET", "POST"]),
        Route("/don-vi/{unit}/ma-lop/{code}.{fmt}", class_sheet),
        Route("/don-vi/{unit}/vai-tro", roles_page),
        Route("/don-vi/{unit}/vai-tro/bo", remove_role, methods=["POST"]),
        Route("/don-vi/{unit}/chi-tieu", indicators, methods=["GET", "POST"]),
        Route("/don-vi/{unit}/nhat-ky", audit_log),
        Route("/don-vi/{unit}/moi", invite, methods=["GET", "POST"]),
        Route("/don-vi/{unit}/tin-nghi-ngo", scam_examples),
    ]
    app = Starlette(routes=routes)
    app.state.config = cfg
    app.add_middleware(FormLimit)
    return app


async def _member_place(store, m) -> str:
    if m.branch_id is not None:
        return await permissions.unit_name(store, Unit.branch(m.branch_id))
    if m.commune_code is not None:
        return await permissions.unit_name(store, Unit.commune(m.commune_code))
    if m.province_code is not None:
        return await permissions.unit_name(store, Unit.province(m.province_code))
    return ""


def _sweep_drafts(folder: Path) -> None:
    """Remove uploads older than DRAFT_KEEP that nobody confirmed (confirmed ones moved out)."""
    if not folder.is_dir():
        return
    oldest = time.time() - DRAFT_KEEP.total_seconds()
    for f in folder.iterdir():
        try:
            if f.is_file() and f.stat().st_mtime < oldest:
                f.unlink(missing_ok=True)
        except OSError:
            pass  # another request took it


def _write_sheet(sheet, png: Path, pdf: Path) -> None:
    """Render a class sheet beside a temporary name, then move it in place (a download at the
    same moment never reads half a file)."""
    from bot.reports import class_sheet

    tmp_png = png.with_name(f".{secrets.token_hex(8)}.png")
    tmp_pdf = pdf.with_name(f".{secrets.token_hex(8)}.pdf")
    class_sheet.write(sheet, tmp_png, tmp_pdf)
    os.replace(tmp_png, png)
    os.replace(tmp_pdf, pdf)


def _render_bytes(report: compute.Report, fmt: str) -> bytes:
    """A report file's bytes, in a worker thread (the event loop keeps serving)."""
    with _RENDER_LOCK, tempfile.TemporaryDirectory(prefix="hocso-web-") as tmp:
        out = render.render(report, fmt, Path(tmp) / f"report.{fmt}")
        return out.read_bytes()


def _trend_svg(r: compute.Report) -> dict | None:
    """Points of the monthly trend (registered, proficient) scaled to a 600 x 240 SVG."""
    points = r.trend
    if not points:
        return None
    top = max(1, *(p.registered for p in points))
    w, h, pad = 600, 240, 30
    step = (w - 2 * pad) / max(1, len(points) - 1)

    def line(values: list[int]) -> str:
        return " ".join(
            f"{pad + i * step:.1f},{h - pad - (v / top) * (h - 2 * pad):.1f}"
            for i, v in enumerate(values)
        )

    return {
        "registered": line([p.registered for p in points]),
        "proficient": line([p.proficient for p in points]),
        "labels": [(pad + i * step, f"{p.month[5:]}/{p.month[2:4]}") for i, p in enumerate(points)],
        "top": top,
        "w": w,
        "h": h,
        "pad": pad,
        "last": points[-1],
    }
