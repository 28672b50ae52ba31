"""Login without passwords: a one-time link from chat opens a session held in a signed cookie.

The link's random token and the session's are stored only as SHA-256 hashes (storage/web.py).
A link is valid `LOGIN_VALID`, once, for the person who asked for it. The cookie carries the
session token and an HMAC of it under the server's key, HttpOnly and SameSite=Lax (Secure when
the pages are served over HTTPS); the session ends after `idle` minutes without a request, at
"Đăng xuất", and at once when the person no longer holds any role.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from storage.store import Store

LOGIN_VALID = dt.timedelta(minutes=10)
COOKIE = "hocso_web"
LOGIN_PATH = "/dang-nhap/"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


async def new_login(store: Store, user_id: int, now: dt.datetime, base_url: str) -> str:
    """A one-time login link for `user_id`, recorded (hashed) in the caller's transaction."""
    token = secrets.token_urlsafe(32)
    await store.web.create_login(token_hash(token), user_id, now, LOGIN_VALID)
    return f"{base_url.rstrip('/')}{LOGIN_PATH}{token}"


def sign(key: bytes, token: str) -> str:
    mac = hmac.new(key, token.encode("ascii"), hashlib.sha256).hexdigest()
    return f"{token}.{mac}"


def unsign(key: bytes, value: str | None) -> str | None:
    """The session token of a cookie value whose signature holds, else None."""
    if not value or value.count(".") != 1:
        return None
    token, mac = value.split(".")
    try:
        expected = hmac.new(key, token.encode("ascii"), hashlib.sha256).hexdigest()
    except UnicodeEncodeError:
        return None
    return token if hmac.compare_digest(mac, expected) else None


def new_session_token() -> tuple[str, str]:
    """(session token, CSRF token)."""
    return secrets.token_urlsafe(32), secrets.token_urlsafe(24)
