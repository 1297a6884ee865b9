"""Applications: the job-search processes read from ATS and recruiter mail, and the job mail
read for each (so that later mail in its thread ties to it).

Invariants: one application per company and role (a message that names no role updates the
company's latest one); a message is recorded once (its key is the primary key); `status` is
the latest event read, by the message's own date.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from followthru.adapters.store.codec import utc
from followthru.core.jobmail import ApplicationNews, company_key
from followthru.core.reading.jobs import JobReading


@dataclass(frozen=True, slots=True)
class Application:
    id: int
    company: str
    role: str
    ats: str | None
    status: str
    message_id: str
    created_at: datetime
    updated_at: datetime


_COLUMNS = "id, company, role, ats, status, message_id, created_at, updated_at"


class ApplicationTable:
    """The `applications` and `job_messages` tables."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def note(self, news: ApplicationNews, key: str, at: datetime) -> int:
        """Record `news` read in the message `key` (dated `at`): the application is created
        when new, its role, ATS and status brought up to date; returns its id."""
        found = self._find(company_key(news.company), news.role)
        if found is None:
            cur = self._conn.execute(
                "INSERT INTO applications (company, company_key, role, ats, status, message_id,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (news.company, company_key(news.company), news.role or "", news.ats,
                 news.event, key, utc(at), utc(at)),
            )  # fmt: skip
            app_id = int(cur.lastrowid or 0)
        else:
            app_id = found
            self._conn.execute(
                "UPDATE applications SET status = CASE WHEN updated_at <= ? THEN ? ELSE status END,"
                " updated_at = MAX(updated_at, ?), ats = COALESCE(ats, ?) WHERE id = ?",
                (utc(at), news.event, utc(at), news.ats, app_id),
            )
        self._conn.execute(
            "INSERT OR IGNORE INTO job_messages (message_key, application_id, event, at)"
            " VALUES (?, ?, ?, ?)",
            (key, app_id, news.event, utc(at)),
        )
        return app_id

    def _find(self, key: str, role: str | None) -> int | None:
        if role:
            row = self._conn.execute(
                "SELECT id FROM applications WHERE company_key = ? AND role IN (?, '')"
                " ORDER BY role = '' LIMIT 1",
                (key, role),
            ).fetchone()
            if row is not None and role:
                self._conn.execute(
                    "UPDATE applications SET role = ? WHERE id = ? AND role = ''", (role, row[0])
                )
        else:
            row = self._conn.execute(
                "SELECT id FROM applications WHERE company_key = ? ORDER BY updated_at DESC LIMIT 1",
                (key,),
            ).fetchone()
        return int(row[0]) if row else None

    def company_of(self, keys: Iterable[str]) -> str | None:
        """The company of the application one of these message keys was read for (a thread's
        In-Reply-To and References), or None."""
        wanted = [k for k in keys if k]
        if not wanted:
            return None
        marks = ", ".join("?" for _ in wanted)
        row = self._conn.execute(
            f"SELECT a.company FROM job_messages m JOIN applications a ON a.id = m.application_id"  # noqa: S608 - placeholders
            f" WHERE m.message_key IN ({marks}) ORDER BY m.at DESC LIMIT 1",
            wanted,
        ).fetchone()
        return str(row[0]) if row else None

    def listed(self) -> list[Application]:
        """Every application, the latest news first."""
        rows = self._conn.execute(
            f"SELECT {_COLUMNS} FROM applications ORDER BY updated_at DESC, id DESC"  # noqa: S608
        )
        return [_application(r) for r in rows]


@dataclass(frozen=True, slots=True)
class Question:
    """A low reading the user was asked to confirm by flagging its message."""

    key: str
    folder: str
    uidvalidity: int
    uid: int
    reading: JobReading
    at: datetime
    asked_at: datetime


class QuestionTable:
    """The `job_questions` table."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def ask(self, account: str, where: tuple[str, int, int], key: str, reading: JobReading,
            at: datetime, now: datetime) -> None:  # fmt: skip
        folder, uidvalidity, uid = where
        self._conn.execute(
            "INSERT OR IGNORE INTO job_questions (message_key, account, folder, uidvalidity, uid,"
            " reading, at, asked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (key, account, folder, uidvalidity, uid, _encoded(reading), utc(at), utc(now)),
        )

    def asked(self, account: str) -> list[Question]:
        """The account's open questions, oldest first."""
        rows = self._conn.execute(
            "SELECT message_key, folder, uidvalidity, uid, reading, at, asked_at FROM job_questions"
            " WHERE account = ? ORDER BY asked_at, message_key",
            (account,),
        )
        return [
            Question(str(k), str(f), int(v), int(u), _decoded(str(r)),
                     datetime.fromisoformat(str(a)), datetime.fromisoformat(str(q)))
            for k, f, v, u, r, a, q in rows
        ]  # fmt: skip

    def settle(self, key: str) -> None:
        self._conn.execute("DELETE FROM job_questions WHERE message_key = ?", (key,))


def _encoded(reading: JobReading) -> str:
    return json.dumps({
        "event": reading.event, "ats": reading.ats, "company": reading.company,
        "role": reading.role, "confidence": reading.confidence, "reason": reading.reason,
        "deadline": reading.deadline.isoformat() if reading.deadline else None,
    })  # fmt: skip


def _decoded(raw: str) -> JobReading:
    data = json.loads(raw)
    deadline = date.fromisoformat(data["deadline"]) if data["deadline"] else None
    return JobReading(data["event"], data["ats"], data["company"], data["role"], deadline,
                      data["confidence"], data["reason"])  # fmt: skip


def _application(row: tuple[object, ...]) -> Application:
    return Application(
        int(str(row[0])), str(row[1]), str(row[2]), None if row[3] is None else str(row[3]),
        str(row[4]), str(row[5]), datetime.fromisoformat(str(row[6])),
        datetime.fromisoformat(str(row[7])),
    )  # fmt: skip
