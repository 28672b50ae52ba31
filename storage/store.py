"""The one boundary between the application and the database.

`Database.transaction()` and `Database.reading()` yield a `Store`; its repositories are the only
code that speaks SQL, over the bare aiosqlite connection or, on PostgreSQL, a `PgConn`
(storage/sql.py) with the same surface.
"""

from __future__ import annotations

from storage.outbox import OutboxRepo
from storage.privacy import PrivacyRepo
from storage.reports import RawEvents, ReportRepo
from storage.repos import (
    ConversationRepo,
    IdentityRepo,
    InboundRepo,
    InboxRepo,
    LinkRepo,
    MetaRepo,
    ProgressRepo,
    ThrottleRepo,
    UserRepo,
)
from storage.scam import ScamExampleRepo
from storage.sql import POSTGRESQL, Conn, dialect
from storage.staff import StaffRepo
from storage.web import WebRepo
from storage.zalo_oa import ZaloOaRepo


class Store:
    """Repositories over one connection, inside the caller's transaction."""

    def __init__(self, conn: Conn):
        self.meta = MetaRepo(conn)
        self.users = UserRepo(conn)
        self.identities = IdentityRepo(conn)
        self.links = LinkRepo(conn)
        self.throttle = ThrottleRepo(conn)
        self.conversations = ConversationRepo(conn)
        self.progress = ProgressRepo(conn)
        self.staff = StaffRepo(conn)
        self.outbox = OutboxRepo(conn)
        self.inbox = InboxRepo(conn)
        self.inbound = InboundRepo(conn)
        self.reports = ReportRepo(conn)
        self.raw = RawEvents(conn)
        self.privacy = PrivacyRepo(conn, self)
        self.zalo_oa = ZaloOaRepo(conn)
        self.scam_examples = ScamExampleRepo(conn)
        self.web = WebRepo(conn)
        #: set by an erasure: the WAL is checkpointed after the commit, so no old page
        #: holding the person's data stays in the database files (secure_delete zeroes the rest)
        self.checkpoint_requested = False
        #: ConversationRepo.load locks the conversation until the transaction ends (PostgreSQL,
        #: where several workers write at once; SQLite has one writer at a time anyway)
        self.locks_turns = dialect(conn) == POSTGRESQL
