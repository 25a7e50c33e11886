"""The database: declarative base, shared column types, the session-per-request rule, and what an erasure
asks of SQLite's files (deleted values zeroed, the write-ahead log emptied after the commit).

A request gets one session (``db.session``); services flush, never commit; the request commits once,
after the view succeeded, and rolls back on any error (see ``atn_hub.__init__``).
"""
from __future__ import annotations

import logging
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Annotated, Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    create_engine,
    event,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import CursorResult, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Session, mapped_column, object_session, scoped_session, sessionmaker
from sqlalchemy.sql.expression import ColumnElement, FunctionElement, Update
from sqlalchemy.types import Boolean

# Whether the current unit of work may write. GET requests set it to False, so that on SQLite they start a
# plain (deferred) transaction and never wait for writers; writers start with BEGIN IMMEDIATE.
write_intent: ContextVar[bool] = ContextVar("write_intent", default=True)


@contextmanager
def _intent(writes: bool) -> Iterator[None]:
    token = write_intent.set(writes)
    try:
        yield
    finally:
        write_intent.reset(token)


def reading():
    """Within: transactions only read (on SQLite a deferred BEGIN: they never wait for, or block, writers)."""
    return _intent(False)


def writing():
    """Within: transactions write (on SQLite BEGIN IMMEDIATE), also inside a request that only reads."""
    return _intent(True)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timezone-aware datetimes on every backend (SQLite stores naive values: read them back as UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        if value is not None and dialect.name == "sqlite":
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


JSONType = JSON().with_variant(JSONB(), "postgresql")
BigIntPK = BigInteger().with_variant(Integer(), "sqlite")

uuid_pk = Annotated[uuid.UUID, mapped_column(primary_key=True, default=uuid.uuid4)]
str200 = Annotated[str, mapped_column(String(200))]
text = Annotated[str, mapped_column(Text)]
timestamp = Annotated[datetime, mapped_column(UTCDateTime(), default=utcnow)]
json_list = Annotated[list[Any], mapped_column(JSONType, default=list)]

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSONType, list[Any]: JSONType}


def sql_function(name: str, type_, doc: str, *, postgresql: str, sqlite: str):
    """A SQL function written for each database: its arguments go in the templates' ``{0}``, ``{1}``, ..."""
    function = type(name, (FunctionElement,), {"type": type_, "inherit_cache": True, "name": name, "__doc__": doc})

    def written_as(template: str):
        return lambda element, compiler, **kw: template.format(*(compiler.process(c, **kw) for c in element.clauses))

    compiles(function, "postgresql")(written_as(postgresql))
    compiles(function)(written_as(sqlite))
    return function


json_array_contains = sql_function(
    "json_array_contains", Boolean(),
    "``column`` (a JSON array of strings) holds ``value``: portable across SQLite and PostgreSQL.",
    postgresql="({0} @> jsonb_build_array(CAST({1} AS TEXT)))",
    sqlite="EXISTS (SELECT 1 FROM json_each({0}) WHERE json_each.value = {1})")


def array_contains(column, value) -> ColumnElement[bool]:
    return json_array_contains(column, value)


json_has_key = sql_function(
    "json_has_key", Boolean(), "``column`` (a JSON object) has the key ``value``.",
    postgresql="jsonb_exists({0}, CAST({1} AS TEXT))",
    sqlite="EXISTS (SELECT 1 FROM json_each({0}) WHERE json_each.key = {1})")
json_first = sql_function(
    "json_first", String(), "The first element of ``column`` (a JSON array of strings), as text; NULL when empty.",
    postgresql="({0} ->> 0)", sqlite="json_extract({0}, '$[0]')")

MAX_OFFSET = 2 ** 53  # far past any table here; keeps absurd page numbers within every database's integers


def dialect_insert(session, table):
    """An INSERT that can say ``on_conflict_do_nothing()``/``on_conflict_do_update()`` on either database."""
    from sqlalchemy.dialects import postgresql, sqlite

    return (postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert)(table)


month_of = sql_function(  # SQLite keeps times as UTC text (``db.UTCDateTime``)
    "month_of", String(), "A time's month in UTC, as ``YYYY-MM`` text.",
    postgresql="to_char(({0} AT TIME ZONE 'UTC'), 'YYYY-MM')", sqlite="strftime('%Y-%m', {0})")
hours_between = sql_function(
    "hours_between", Float(), "The hours from the first time to the second, as a number.",
    postgresql="(EXTRACT(EPOCH FROM ({1} - {0})) / 3600.0)", sqlite="((julianday({1}) - julianday({0})) * 24.0)")


def json_elements(session: Session, column):
    """The elements of a JSON array column as a table with a ``value`` column, to join to its row: a function
    in FROM may read the rows before it on both databases (PostgreSQL's function calls are lateral)."""
    name = "jsonb_array_elements_text" if session.get_bind().dialect.name == "postgresql" else "json_each"
    return getattr(func, name)(column).table_valued("value")


def session_of(instance: object) -> Session:
    """The session an ORM object was loaded into or added to, through which a service reads what goes with it
    (a record's pending revision, its files)."""
    session = object_session(instance)
    if session is None:
        raise RuntimeError(f"{instance!r} belongs to no session: what goes with it cannot be read.")
    return session


def execute_update(session: Session, statement: Update) -> CursorResult:
    """``session.execute`` for an UPDATE, typed as what it returns: a CursorResult, whose ``rowcount`` says how
    many rows it matched (``Session.execute`` is typed to return a Result, which has no ``rowcount``)."""
    result = session.execute(statement)
    assert isinstance(result, CursorResult), f"an UPDATE answered with a {type(result).__name__}"
    return result


def page_offset(page: int, page_size: int) -> int:
    """The row offset of a page: a page far past the end is simply empty, never a database error."""
    return min((page - 1) * page_size, MAX_OFFSET)


def make_engine(url: str, statement_timeout_ms: int = 30_000) -> Engine:
    kwargs: dict[str, Any] = {}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        # No statement runs away with a connection: PostgreSQL cancels it after ATN_DB_STATEMENT_TIMEOUT_MS.
        kwargs.update(pool_pre_ping=True, pool_size=5, max_overflow=10,
                      connect_args={"options": f"-c statement_timeout={statement_timeout_ms}", "connect_timeout": 10})
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):
        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - trivial
            # Autocommit at the driver level, so that SQLAlchemy's BEGIN is the one that starts transactions
            # (write transactions then take the database lock at BEGIN IMMEDIATE, see below).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            # Deleted and overwritten values are zeroed, not left in free space for anyone holding the file
            # (an erased contact's email would stay readable in it otherwise); see ``erase_on_commit``.
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):  # pragma: no cover - trivial
            # Writers take the lock at the start of their transaction (IMMEDIATE): they serialise, so the
            # change log's sequence order is its commit order, and a reader turned writer never fails with
            # SQLITE_BUSY on a stale snapshot. Readers (WAL) never wait.
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")
    return engine


# --- erasure: what the database files keep of deleted values ------------------------------------------
ERASED = "atn_erased"  # session.info key: this transaction erased personal data
CHECKPOINT_WAIT_MS = 5000


def erase_on_commit(session: Session) -> None:
    """After this session's transaction commits, have SQLite write the erased values out of its files too:
    ``secure_delete`` zeroes them in the pages written, but the write-ahead log still holds the pages as
    they were, so a checkpoint copies the new pages into the database file and empties the log (TRUNCATE).
    PostgreSQL is left as it is: its old row versions stay in the table's files until VACUUM reuses them
    (and in its WAL archive and backups)."""
    session.info[ERASED] = True


@event.listens_for(Session, "after_commit")
def _checkpoint_after_erasure(session: Session) -> None:
    if session.info.pop(ERASED, False):
        bind = session.get_bind()
        try:
            checkpoint_wal(getattr(bind, "engine", bind))
        except (sqlite3.Error, SQLAlchemyError) as exc:  # the erasure is committed: say so, do not fail it
            logging.getLogger("atn_hub.db").warning("wal checkpoint after an erasure failed",
                                                    extra={"error": exc.__class__.__name__})


@event.listens_for(Session, "after_rollback")
def _nothing_erased(session: Session) -> None:
    session.info.pop(ERASED, None)


def checkpoint_wal(engine: Engine) -> bool:
    """``PRAGMA wal_checkpoint(TRUNCATE)`` on SQLite (elsewhere nothing); True when the log was emptied. It
    waits for readers up to ``CHECKPOINT_WAIT_MS``; one still reading then keeps the log as it is (logged:
    the erased values stay in the log until it is overwritten or truncated by a later checkpoint)."""
    if engine.dialect.name != "sqlite":
        return False
    raw = engine.raw_connection()  # outside SQLAlchemy's transactions: a checkpoint cannot run inside one
    try:
        cursor = raw.cursor()
        waited = cursor.execute("PRAGMA busy_timeout").fetchone()[0]
        cursor.execute(f"PRAGMA busy_timeout={CHECKPOINT_WAIT_MS}")
        try:
            busy, frames, copied = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            cursor.execute(f"PRAGMA busy_timeout={int(waited)}")
            cursor.close()
    finally:
        raw.close()
    if busy:
        logging.getLogger("atn_hub.db").warning(
            "wal checkpoint after an erasure incomplete: the log keeps erased values for now",
            extra={"frames": frames, "copied": copied})
    return not busy


class Database:
    """Engine and a scoped session, bound to an app by ``init_app``."""

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self.session_factory: sessionmaker | None = None
        self.session: scoped_session | None = None

    def configure(self, url: str, statement_timeout_ms: int = 30_000) -> None:
        if self.engine is not None:
            self.engine.dispose()
        self.engine = make_engine(url, statement_timeout_ms)
        self.session_factory = sessionmaker(bind=self.engine, expire_on_commit=False)
        self.session = scoped_session(self.session_factory)

    def new_session(self) -> Session:
        assert self.session_factory is not None
        return self.session_factory()
