"""The store's schema as an ordered list of migrations; PRAGMA user_version = how many ran.

Never edit a migration that has shipped: append a new one. Statements are separated by a line
holding only `;;` so that trigger bodies may contain `;`.
"""

from __future__ import annotations

V1 = """
CREATE TABLE contacts (
    id             INTEGER PRIMARY KEY,
    email          TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name           TEXT,
    company        TEXT,
    company_domain TEXT COLLATE NOCASE,
    roles          TEXT NOT NULL DEFAULT '',          -- comma-separated: interviewer, referral, source
    state          TEXT NOT NULL,
    timer_at       TEXT,                              -- when the contact's timer fires next (UTC ISO)
    source_id      INTEGER REFERENCES contacts(id),
    data           TEXT NOT NULL DEFAULT '{}',        -- JSON: the interview, notes
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
)
;;
CREATE INDEX contacts_timer ON contacts (timer_at)
;;
CREATE TABLE contact_addresses (
    address    TEXT PRIMARY KEY COLLATE NOCASE,
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE
)
;;
CREATE INDEX contact_addresses_contact ON contact_addresses (contact_id)
;;
CREATE TABLE events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id  INTEGER REFERENCES contacts(id),
    at          TEXT NOT NULL,                         -- when it happened (ISO 8601 with offset)
    type        TEXT NOT NULL,
    reason      TEXT NOT NULL,                         -- the cause, in words
    message_id  TEXT,                                  -- the message that caused it, if any
    data        TEXT NOT NULL DEFAULT '{}',
    recorded_at TEXT NOT NULL
)
;;
CREATE INDEX events_contact ON events (contact_id, id)
;;
CREATE INDEX events_message ON events (message_id)
;;
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END
;;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END
;;
CREATE TABLE outbox (
    id             INTEGER PRIMARY KEY,
    contact_id     INTEGER NOT NULL REFERENCES contacts(id),
    step           TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('email', 'task')),
    status         TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'sending', 'sent', 'done',
                                   'uncertain', 'withdrawn', 'rejected', 'expired')),
    due_at         TEXT NOT NULL,
    to_addrs       TEXT NOT NULL DEFAULT '[]',         -- JSON lists, from the store, never from parsed mail
    cc_addrs       TEXT NOT NULL DEFAULT '[]',
    subject        TEXT,
    follows        TEXT,                               -- Message-ID this step replies to, if any
    message_id     TEXT UNIQUE,                        -- fixed before the draft exists, kept when sent
    rendered       BLOB,                               -- the exact bytes that will be (or were) sent
    content_hash   TEXT,
    draft_account  TEXT,
    draft_folder   TEXT,
    draft_uidvalidity INTEGER,
    draft_uid      INTEGER,
    stale_uid      INTEGER,                            -- an older revision of our draft, to remove
    attempts       INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    sent_at        TEXT
)
;;
CREATE INDEX outbox_contact ON outbox (contact_id, status)
;;
CREATE INDEX outbox_status ON outbox (status, due_at)
;;
CREATE TABLE seen (
    account     TEXT NOT NULL,
    folder      TEXT NOT NULL,
    uidvalidity INTEGER NOT NULL,
    uid         INTEGER NOT NULL,
    message_key TEXT NOT NULL,                         -- Message-ID, or a stable hash without one
    seen_at     TEXT NOT NULL,
    PRIMARY KEY (account, folder, uidvalidity, uid)
)
;;
CREATE INDEX seen_key ON seen (account, message_key)
;;
CREATE TABLE watermarks (
    account       TEXT NOT NULL,
    folder        TEXT NOT NULL,
    uidvalidity   INTEGER NOT NULL,
    last_uid      INTEGER NOT NULL,
    highestmodseq INTEGER,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (account, folder)
)
;;
CREATE TABLE quarantine (
    id          INTEGER PRIMARY KEY,
    account     TEXT NOT NULL,
    folder      TEXT NOT NULL,
    uidvalidity INTEGER NOT NULL,
    uid         INTEGER NOT NULL,
    message_key TEXT,
    error       TEXT NOT NULL,
    at          TEXT NOT NULL,
    UNIQUE (account, folder, uidvalidity, uid)
)
"""

# contacts.snapshot: JSON, the contact as its event log folds, written with each event (NULL:
# replay the log). No comment inside the statement: SQLite appends an added column's text,
# comment included, to the table's CREATE statement, whose closing parenthesis it would hide.
V2 = """
ALTER TABLE contacts ADD COLUMN snapshot TEXT
"""

# notices: what the user must be told (SPEC "Notices and the digest"), kept until read;
# delivered_at: when an urgent one went to the INBOX as a note of its own.
# marks: small named values the daemon keeps between runs (the last digest: its day, UID).
# outbox.filed: 1 once a sent item's copy is in Sent (or needs none): a send whose copy a crash
# kept from Sent is filed on the next pass. Items sent before this migration count as filed.
# outbox.draft_ids: JSON, every Message-ID the item's draft has had (a client that saves an
# edit under a new Message-ID), so that older versions are still known as this draft's.
V3 = """
CREATE TABLE notices (
    id           INTEGER PRIMARY KEY,
    at           TEXT NOT NULL,
    kind         TEXT NOT NULL,
    contact_id   INTEGER REFERENCES contacts(id),
    item_id      INTEGER REFERENCES outbox(id),
    text         TEXT NOT NULL,
    read_at      TEXT,
    delivered_at TEXT
)
;;
CREATE TABLE marks (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
)
;;
CREATE INDEX notices_unread ON notices (read_at, at)
;;
ALTER TABLE outbox ADD COLUMN draft_ids TEXT NOT NULL DEFAULT '[]'
;;
ALTER TABLE outbox ADD COLUMN filed INTEGER NOT NULL DEFAULT 0
;;
UPDATE outbox SET filed = 1 WHERE status = 'sent'
"""

# outbox.before_data: 1 while a `sending` item's message data has certainly not been handed over
# (set with `sending`, cleared, and committed, right before the body is written): a crash then
# sends it again. 0 (every older row, and the default) means it may have gone: `uncertain`.
V4 = """
ALTER TABLE outbox ADD COLUMN before_data INTEGER NOT NULL DEFAULT 0
"""

# applications: the job-search processes read from ATS and recruiter mail (SPEC "Reading
# job-search mail"), one per company and role; status is the latest event read for it.
# job_messages: the job mail read for each application, so that later mail in its thread (or
# the user's answer in Sent) ties to it.
V5 = """
CREATE TABLE applications (
    id          INTEGER PRIMARY KEY,
    company     TEXT NOT NULL,
    company_key TEXT NOT NULL,
    role        TEXT NOT NULL DEFAULT '',
    ats         TEXT,
    status      TEXT NOT NULL,
    message_id  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (company_key, role)
)
;;
CREATE TABLE job_messages (
    message_key    TEXT PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications(id),
    event          TEXT NOT NULL,
    at             TEXT NOT NULL
)
"""

# job_questions: low readings of job mail the user was asked to confirm (SPEC: a low reading
# never changes a process by itself); a flag on the message (folder, uidvalidity, uid) confirms
# it. `reading` is the job reading as JSON. Removed once answered or lapsed.
V6 = """
CREATE TABLE job_questions (
    message_key TEXT PRIMARY KEY,
    account     TEXT NOT NULL,
    folder      TEXT NOT NULL,
    uidvalidity INTEGER NOT NULL,
    uid         INTEGER NOT NULL,
    reading     TEXT NOT NULL,
    at          TEXT NOT NULL,
    asked_at    TEXT NOT NULL
)
"""

MIGRATIONS: tuple[str, ...] = (V1, V2, V3, V4, V5, V6)
