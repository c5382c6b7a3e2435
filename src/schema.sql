-- schema.sql - the sandtrace case store (one SQLite file per case). Compiled into the binary.
--
-- PRAGMA user_version is the schema version (store.c refuses a store of another version).
-- Times are integer FILETIMEs: 100 ns units since 1601-01-01 UTC. Views render them as ISO-8601.
-- Every row that states something names the evidence it was read from (evidence_id) and where in it.

PRAGMA user_version = 1;

-- One invocation of sandtrace that wrote to this store.
CREATE TABLE run (
  id            INTEGER PRIMARY KEY,
  started       INTEGER NOT NULL,   -- FILETIME (UTC) when the run began
  finished      INTEGER,            -- FILETIME (UTC) when it ended; NULL if it was interrupted
  tool_version  TEXT NOT NULL,      -- "sandtrace 0.1.0"
  libraries     TEXT NOT NULL,      -- "libevtx 20181227; libregf ...": versions actually loaded
  command_line  TEXT NOT NULL,      -- argv joined with spaces, as typed
  case_name     TEXT,               -- --case-name, if given
  examiner      TEXT                -- --examiner, if given
);

-- One distinct input content (the same bytes found twice are one row, with two evidence_paths).
CREATE TABLE evidence (
  id            INTEGER PRIMARY KEY,
  sha256        TEXT NOT NULL UNIQUE, -- lower-case hex of the whole file
  md5           TEXT NOT NULL,        -- lower-case hex, for chains of custody that use it
  sha1          TEXT NOT NULL,        -- lower-case hex, likewise
  size          INTEGER NOT NULL,     -- bytes
  kind          TEXT NOT NULL,        -- evtx | hive | task_xml | wsb | archive | unknown (by content)
  status        TEXT NOT NULL,        -- parsed | partly (some parts unreadable) | failed | skipped
  records_read      INTEGER NOT NULL DEFAULT 0, -- allocated records read (evtx)
  records_recovered INTEGER NOT NULL DEFAULT 0, -- recovered (deleted/slack) records read (evtx)
  records_failed    INTEGER NOT NULL DEFAULT 0, -- records that could not be read at all
  run_id        INTEGER NOT NULL REFERENCES run(id) -- run that first read this content
);

-- Every path where a piece of evidence was found.
CREATE TABLE evidence_paths (
  id            INTEGER PRIMARY KEY,
  evidence_id   INTEGER NOT NULL REFERENCES evidence(id),
  path          TEXT NOT NULL,      -- path as found (as given on the command line + walk)
  mtime         INTEGER,            -- file system modification time, FILETIME (UTC)
  run_id        INTEGER NOT NULL REFERENCES run(id),
  UNIQUE (evidence_id, path)
);

-- A problem met while reading: evidence problems are data, not crashes.
CREATE TABLE parse_errors (
  id            INTEGER PRIMARY KEY,
  evidence_id   INTEGER REFERENCES evidence(id), -- NULL when the file could not even be hashed
  path          TEXT NOT NULL,      -- path of the file concerned
  location      TEXT NOT NULL,      -- where in it: "record 17", "recovered 3", "chunk 2", "file"
  reason        TEXT NOT NULL,      -- what went wrong, in words
  run_id        INTEGER NOT NULL REFERENCES run(id),
  UNIQUE (evidence_id, path, location, reason)
);

-- How many records of each (channel, provider, event id) a file held, and how many were stored:
-- what the default profile did not store stays visible.
CREATE TABLE event_counts (
  evidence_id   INTEGER NOT NULL REFERENCES evidence(id),
  channel       TEXT NOT NULL,      -- System/Channel as written ('' if the record had none)
  provider      TEXT NOT NULL,      -- System/Provider/@Name
  event_id      INTEGER NOT NULL,   -- System/EventID
  seen          INTEGER NOT NULL,   -- records in the file (allocated and recovered)
  stored        INTEGER NOT NULL,   -- of those, stored in events (or already stored from another file)
  PRIMARY KEY (evidence_id, channel, provider, event_id)
);

-- One event record (deduplicated across files: same channel, computer, record id and content).
CREATE TABLE events (
  id            INTEGER PRIMARY KEY,
  evidence_id   INTEGER NOT NULL REFERENCES evidence(id), -- first file it was read from
  record_id     INTEGER NOT NULL,   -- System/EventRecordID (the header's number if the XML has none)
  header_record_id INTEGER,         -- the record header's own number; differs from EventRecordID
                                    -- in logs that were saved into a new file
  chunk         INTEGER,            -- 0-based 64 KiB chunk index in the file, when known
  offset        INTEGER,            -- byte offset of the record in the file
  recovered     INTEGER NOT NULL,   -- 1 = recovered by libevtx from unallocated space, 0 = allocated
  time          INTEGER,            -- System/TimeCreated/@SystemTime as FILETIME (NULL if unreadable)
  written_time  INTEGER,            -- the record header's written time, FILETIME
  provider      TEXT,               -- System/Provider/@Name
  provider_guid TEXT,               -- System/Provider/@Guid, as written
  event_id      INTEGER NOT NULL,   -- System/EventID
  qualifiers    INTEGER,            -- System/EventID/@Qualifiers
  version       INTEGER,            -- System/Version
  level         INTEGER,            -- System/Level
  task          INTEGER,            -- System/Task
  opcode        INTEGER,            -- System/Opcode
  keywords      TEXT,               -- System/Keywords as written (0x... hex)
  channel       TEXT,               -- System/Channel
  computer      TEXT,               -- System/Computer
  user_sid      TEXT,               -- System/Security/@UserID
  activity_id   TEXT,               -- System/Correlation/@ActivityID
  related_activity_id TEXT,         -- System/Correlation/@RelatedActivityID
  process_id    INTEGER,            -- System/Execution/@ProcessID
  thread_id     INTEGER,            -- System/Execution/@ThreadID
  data          TEXT NOT NULL,      -- payload as a JSON object name -> value (see parsers/evtx.h)
  xml           TEXT,               -- the record as rendered by libevtx (NULL if it could not be)
  content_hash  INTEGER NOT NULL,   -- 64-bit FNV-1a of the rendered record, the dedup key's content part
  UNIQUE (channel, computer, record_id, content_hash)
);
CREATE INDEX events_time ON events(time);
CREATE INDEX events_id ON events(channel, event_id);

-- A further file that holds a record already in events (an overlapping export, a VSS copy).
CREATE TABLE event_sources (
  event_id_ref  INTEGER NOT NULL REFERENCES events(id),
  evidence_id   INTEGER NOT NULL REFERENCES evidence(id),
  chunk         INTEGER,
  offset        INTEGER,
  recovered     INTEGER NOT NULL,
  PRIMARY KEY (event_id_ref, evidence_id, offset)
);

-- Events with their times as ISO-8601 UTC, for people reading the store with sqlite3.
CREATE VIEW v_events AS
  SELECT e.*, strftime('%Y-%m-%dT%H:%M:%S', (e.time - 116444736000000000) / 10000000, 'unixepoch')
           || printf('.%07dZ', e.time % 10000000) AS time_utc,
         ev.sha256 AS evidence_sha256
  FROM events e JOIN evidence ev ON ev.id = e.evidence_id;
