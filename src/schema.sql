-- schema.sql - the sandtrace case store (one SQLite file per case). Compiled into the binary.
--
-- PRAGMA user_version is the schema version (store.c refuses a store of another version).
-- Times are integer FILETIMEs: 100 ns units since 1601-01-01 UTC. Views render them as ISO-8601.
-- Every row that states something names the evidence it was read from (evidence_id) and where in it.

PRAGMA user_version = 10;

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

-- A file `sandtrace analyze` wrote beside the store, hashed as it was completed: a second anchor
-- for the outputs besides manifest.txt (verify compares both with the files). case.db, report.html
-- and manifest.txt are not here: they are written after these rows (the report shows this table).
CREATE TABLE outputs (
  run_id        INTEGER NOT NULL REFERENCES run(id), -- the analyze run that wrote it
  name          TEXT NOT NULL,      -- file name in the output folder
  sha256        TEXT NOT NULL,      -- lower-case hex
  size          INTEGER NOT NULL,   -- bytes
  PRIMARY KEY (run_id, name)
);

-- One distinct input content (the same bytes found twice are one row, with two evidence_paths).
-- Every regular file of a collection has a row, evidence or not (src/discover.h): what sandtrace
-- did not read is listed and hashed too, with the reason.
CREATE TABLE evidence (
  id            INTEGER PRIMARY KEY,
  sha256        TEXT NOT NULL UNIQUE, -- lower-case hex of the whole file
  md5           TEXT NOT NULL,        -- lower-case hex, for chains of custody that use it
  sha1          TEXT NOT NULL,        -- lower-case hex, likewise
  size          INTEGER NOT NULL,     -- bytes
  kind          TEXT NOT NULL,        -- evtx | hive | hive_log | task_xml | wsb | archive |
                                      -- collection (a zip/7z/tar container given as the
                                      -- collection: its members are evidence rows of their own,
                                      -- found at CONTAINER!MEMBER) | unknown:
                                      -- by content; by name or place when the content is not
                                      -- recognised (status_reason then says so) and for hive_log
                                      -- (a hive's transaction log); unknown = not evidence
  status        TEXT NOT NULL,        -- parsed | partly (some parts unreadable) | failed (nothing
                                      -- read) | skipped (evidence not read, e.g. a hive_log
                                      -- with no hive beside it or not needed by it) |
                                      -- not_evidence (not a kind sandtrace reads) | pending (being
                                      -- parsed; left by an interrupted run, read again next run)
  status_reason TEXT,                 -- why the status is not plain "parsed", in words: "not a kind
                                      -- of evidence sandtrace reads (content: ...)", "named like
                                      -- an event log (*.evtx), but its content is not recognised
                                      -- (...)", the first problem that made it partly or failed;
                                      -- a hive read with its transaction logs replayed: which
                                      -- (hive_log_replays); a log: "applied to PATH" or why not;
                                      -- else NULL for evidence recognised by content and fully
                                      -- parsed
  records_read      INTEGER NOT NULL DEFAULT 0, -- allocated records read (evtx)
  records_recovered INTEGER NOT NULL DEFAULT 0, -- recovered (deleted/slack) records read (evtx)
  records_failed    INTEGER NOT NULL DEFAULT 0, -- records that could not be read at all
  run_id        INTEGER NOT NULL REFERENCES run(id) -- run that first read this content
);

-- Every path where a piece of evidence was found.
CREATE TABLE evidence_paths (
  id            INTEGER PRIMARY KEY,
  evidence_id   INTEGER NOT NULL REFERENCES evidence(id),
  path          TEXT NOT NULL,      -- path as found (as given on the command line + walk); a member
                                    -- of a collection container: CONTAINER!MEMBER (the provenance
                                    -- citations show)
  mtime         INTEGER,            -- file system (or container entry) modification time, FILETIME
  run_id        INTEGER NOT NULL REFERENCES run(id),
  windows_path  TEXT,               -- where the file was on the host, from the collection's layout:
                                    -- C:\Windows\System32\winevt\Logs\Security.evtx; NULL when
                                    -- no layout is recognised (METHOD.md §8.6). What rules and
                                    -- matches on Windows paths read.
  layout        TEXT,               -- kape | velociraptor | volume_root (drive letter taken as C:) |
                                    -- NULL: what WINDOWS_PATH was read from
  UNIQUE (evidence_id, path)
);

-- A collection argument of `ingest`/`analyze` (a folder, a file or a container) as typed: the
-- outer limit of the folders a file may take its host from (METHOD.md §2.7).
CREATE TABLE collection_roots (
  path          TEXT NOT NULL,      -- the argument as typed (a prefix of the evidence_paths it gave)
  run_id        INTEGER NOT NULL REFERENCES run(id), -- the run it was given to
  UNIQUE (path, run_id)
);

-- A computer the evidence of the case names (correlate/hosts.c, METHOD.md §2.7): one row per
-- machine, whatever the number of files naming it. Rebuilt by `correlate`; ids follow the name
-- order (case-insensitive), so sessions numbered host by host read in name order.
CREATE TABLE hosts (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE COLLATE NOCASE, -- as the evidence spells it: a SYSTEM hive's
                                    -- ComputerName when one names it, else the System/Computer
                                    -- most records of its event logs carry
  basis         TEXT NOT NULL,      -- the rows naming it: "reg_values:12" and/or "events.id=7"
                                    -- (the first record of each log that names it), ';'-joined
  confidence    TEXT NOT NULL       -- high: every naming file agrees on it alone; medium: a log
                                    -- naming it also names other computers
);

-- Which host an evidence file belongs to (METHOD.md §2.7), one row per (file, host); a file found
-- in the folders of two hosts (the same bytes twice) has two rows. A file no host can be given to
-- has one row with host_id NULL, saying why: never a guess.
CREATE TABLE evidence_hosts (
  evidence_id   INTEGER NOT NULL REFERENCES evidence(id),
  host_id       INTEGER REFERENCES hosts(id), -- NULL = unassigned
  how           TEXT NOT NULL,      -- names_itself (a SYSTEM hive's ComputerName, an event log's
                                    -- Computer) | folder (the nearest enclosing folder whose
                                    -- self-naming files name exactly one host) | only_host (the
                                    -- case's files name one host) | unassigned
  basis         TEXT NOT NULL,      -- in words: the row or the folder it rests on, or why none
  UNIQUE (evidence_id, host_id)
);
CREATE INDEX evidence_hosts_host ON evidence_hosts(host_id, evidence_id);

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

-- How many of a file's stored event records name each computer (System/Computer), counted by the
-- writer as it stores them (METHOD.md §2.6): the rows of events first read from this file plus its
-- rows of event_sources (a record first read from another file). A file without stored records
-- has no row. Read to name the host of each log (correlate/hosts.c, host facts).
CREATE TABLE evidence_computers (
  evidence_id   INTEGER NOT NULL REFERENCES evidence(id),
  computer      TEXT NOT NULL,      -- System/Computer as written ('' if the record had none)
  records       INTEGER NOT NULL,   -- stored records of this file naming it
  first_event   INTEGER NOT NULL,   -- the smallest events.id among them
  PRIMARY KEY (evidence_id, computer)
);

-- The System fields many records share (provider, its GUID, channel, computer, keywords, user SID,
-- qualifiers, version, level, task, opcode), kept once per distinct combination and named by
-- event_rows.system_id (METHOD.md §8.13). Read them through the view events.
CREATE TABLE system_fields (
  id            INTEGER PRIMARY KEY,
  provider      TEXT,               -- System/Provider/@Name
  provider_guid TEXT,               -- System/Provider/@Guid, as written
  channel       TEXT,               -- System/Channel
  computer      TEXT,               -- System/Computer
  keywords      TEXT,               -- System/Keywords as written (0x... hex)
  user_sid      TEXT,               -- System/Security/@UserID
  qualifiers    INTEGER,            -- System/EventID/@Qualifiers
  version       INTEGER,            -- System/Version
  level         INTEGER,            -- System/Level
  task          INTEGER,            -- System/Task
  opcode        INTEGER             -- System/Opcode
);
-- The writer finds a combination it has not met in this run through this index (src/system_fields.c).
CREATE INDEX system_fields_key ON system_fields(provider, channel, computer, keywords, user_sid,
  provider_guid, qualifiers, version, level, task, opcode);

-- One event record (deduplicated across files: same System fields, record id and content), as
-- stored. Read records through the view events, which has every field of a record by name.
CREATE TABLE event_rows (
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
  system_id     INTEGER NOT NULL REFERENCES system_fields(id), -- its shared System fields
  event_id      INTEGER NOT NULL,   -- System/EventID
  activity_id   TEXT,               -- System/Correlation/@ActivityID
  related_activity_id TEXT,         -- System/Correlation/@RelatedActivityID
  process_id    INTEGER,            -- System/Execution/@ProcessID
  thread_id     INTEGER,            -- System/Execution/@ThreadID
  data          TEXT NOT NULL,      -- payload as a JSON object name -> value (see parsers/evtx.h)
  xml           BLOB,               -- the record as rendered, UTF-8, in the SQLite Archive layout
                                    -- (METHOD.md §8.12): zlib-compressed when that is shorter,
                                    -- else as is; read it as
                                    -- CAST(sqlar_uncompress(xml, xml_size) AS TEXT) (the sqlite3
                                    -- shell and sandtrace both have that function). NULL if it
                                    -- could not be rendered, or if it is outside the catalogue
                                    -- and stored by --all-events: fields and offset only, §8.8
  xml_size      INTEGER,            -- bytes of the rendered record (== length(xml): stored as is)
  content_hash  INTEGER NOT NULL,   -- the dedup key's content part, 64-bit FNV-1a: of the rendered
                                    -- record when xml is kept; of its fields (never rendered) for
                                    -- the --all-events remainder (METHOD.md §8.8). Either hash
                                    -- covers the System fields, so this key keeps one row per
                                    -- channel, computer, record id and content (§8.13)
  UNIQUE (system_id, record_id, content_hash)
);
CREATE INDEX events_time ON event_rows(time);
-- The derivations and the correlator select records by event id (and provider): a few ids of a
-- large log are read through this index, not by scanning every row (METHOD.md §8.11).
CREATE INDEX events_id ON event_rows(event_id);

-- One event record with all its fields, as every reader sees it (the columns of the events table
-- of schema versions 9 and earlier, in the same order). Plain SQL, no function: any SQLite tool
-- reads it. CROSS JOIN keeps SQLite reading event_rows first, through its own indexes (a query
-- for some event ids of a provider goes through events_id), and system_fields by its key; with a
-- plain JOIN it began from the few system_fields rows of the provider and read every record of
-- each (METHOD.md §8.13).
CREATE VIEW events AS
  SELECT r.id, r.evidence_id, r.record_id, r.header_record_id, r.chunk, r.offset, r.recovered,
         r.time, r.written_time, s.provider, s.provider_guid, r.event_id, s.qualifiers,
         s.version, s.level, s.task, s.opcode, s.keywords, s.channel, s.computer, s.user_sid,
         r.activity_id, r.related_activity_id, r.process_id, r.thread_id, r.data, r.xml,
         r.xml_size, r.content_hash
  FROM event_rows r CROSS JOIN system_fields s ON s.id = r.system_id;

-- A stored process start (Security 4688, Sysmon 1) whose payload mentions a sandbox launcher
-- ("wsb" or "WindowsSandbox", case ignored), with the fields a launcher call is read from, copied
-- by the writer as it stores the record (src/wsb_calls.c): the launcher calls (wsb_calls) are
-- decoded from these rows, without reading every process start of the store again (METHOD.md
-- §5.2, §8.11).
CREATE TABLE launcher_candidates (
  event_ref     INTEGER PRIMARY KEY REFERENCES event_rows(id),
  evidence_id   INTEGER NOT NULL REFERENCES evidence(id), -- the record's events.evidence_id
  time          INTEGER NOT NULL,   -- its time (the written time without one; 0 without either)
  image         TEXT,               -- its NewProcessName (4688) or Image (Sysmon 1)
  command_line  TEXT                -- its CommandLine
);

-- A further file that holds a record already in events (an overlapping export, a VSS copy).
CREATE TABLE event_sources (
  event_id_ref  INTEGER NOT NULL REFERENCES event_rows(id),
  evidence_id   INTEGER NOT NULL REFERENCES evidence(id),
  chunk         INTEGER,
  offset        INTEGER,
  recovered     INTEGER NOT NULL,
  PRIMARY KEY (event_id_ref, evidence_id, offset)
);

-- A scheduled task definition, from a task XML file, a 4698/4702 TaskContent, or the TaskCache
-- (METHOD.md §4). Raw texts are kept as written; booleans are effective values (schema defaults).
CREATE TABLE tasks (
  id            INTEGER PRIMARY KEY,
  evidence_id   INTEGER NOT NULL REFERENCES evidence(id),
  source        TEXT NOT NULL,      -- task_file | event_4698 | event_4702 | taskcache
  location      TEXT NOT NULL,      -- path inside the collection, "events.id=N", or the key path
  event_ref     INTEGER REFERENCES event_rows(id), -- the 4698/4702 it came from
  well_formed   INTEGER NOT NULL,   -- 0 = XML was malformed and read in recovery mode
  encoding_repaired INTEGER NOT NULL DEFAULT 0, -- 1 = the declared encoding contradicted the bytes
  parse_problem TEXT,               -- libxml2's message when not well formed or repaired
  uri           TEXT,               -- RegistrationInfo/URI (or the Tasks\{GUID}\Path)
  author        TEXT,               -- RegistrationInfo/Author (free text, forgeable)
  description   TEXT,
  registration_date TEXT,           -- RegistrationInfo/Date as written (usually local time, no zone)
  security_descriptor TEXT,         -- RegistrationInfo/SecurityDescriptor (SDDL)
  principal_user TEXT,              -- the Principal the actions run as (Actions/@Context): UserId
  principal_group TEXT,
  principal_logon_type TEXT,
  principal_run_level TEXT,
  enabled       INTEGER,            -- Settings/Enabled, effective (default 1)
  enabled_raw   TEXT,
  hidden        INTEGER,            -- Settings/Hidden, effective (default 0)
  hidden_raw    TEXT,
  sandbox_launcher INTEGER NOT NULL DEFAULT 0, -- 1 = an Exec action starts Windows Sandbox
  launcher_reason TEXT,             -- why (e.g. "Exec runs WindowsSandbox.exe")
  wsb_path      TEXT,               -- the .wsb the launcher names, as written
  inline_config TEXT,               -- an inline <Configuration> in the arguments (wsb.exe, §5.2)
  xml_sha256    TEXT,               -- SHA-256 of the XML without BOM (TaskCache Hash join, §4.2)
  registered_time INTEGER,          -- TaskCache DynamicInfo creation time, FILETIME (§4.2)
  last_run_time INTEGER,            -- TaskCache DynamicInfo last run, FILETIME (NULL = never)
  last_result   INTEGER,            -- TaskCache DynamicInfo last run result (HRESULT / exit code)
  basis         TEXT                -- for taskcache rows: the reg_values rows read
);
CREATE INDEX tasks_uri ON tasks(uri);

-- A trigger of a task, in document order.
CREATE TABLE task_triggers (
  task_id       INTEGER NOT NULL REFERENCES tasks(id),
  position      INTEGER NOT NULL,   -- 0-based order in Triggers
  type          TEXT NOT NULL,      -- element name: BootTrigger, LogonTrigger, TimeTrigger, ...
  enabled       INTEGER,            -- effective (default 1; NULL = unrecognised value)
  enabled_raw   TEXT,
  start_boundary TEXT,              -- as written
  end_boundary  TEXT,
  delay         TEXT,               -- ISO-8601 duration as written
  user_id       TEXT,               -- logon / session triggers
  subscription  TEXT,               -- event triggers: the query
  PRIMARY KEY (task_id, position)
);

-- An action of a task, in document order.
CREATE TABLE task_actions (
  task_id       INTEGER NOT NULL REFERENCES tasks(id),
  position      INTEGER NOT NULL,
  type          TEXT NOT NULL,      -- Exec | ComHandler | SendEmail | ShowMessage | other name
  command       TEXT,               -- Exec/Command
  arguments     TEXT,               -- Exec/Arguments
  working_directory TEXT,           -- Exec/WorkingDirectory
  class_id      TEXT,               -- ComHandler/ClassId
  data          TEXT,               -- ComHandler/Data
  PRIMARY KEY (task_id, position)
);

-- A Windows Sandbox configuration: a .wsb file, an inline <Configuration> of wsb.exe, or one
-- named on a command line (METHOD.md §5.1, §5.2).
CREATE TABLE wsb_configs (
  id            INTEGER PRIMARY KEY,
  evidence_id   INTEGER NOT NULL REFERENCES evidence(id),
  source        TEXT NOT NULL,      -- file | inline_command_line | inline_task (a task file's
                                    -- arguments) | inline_event_task (a 4698/4702's)
  location      TEXT NOT NULL,      -- path inside the collection, or "events.id=N" / "tasks.id=N"
  well_formed   INTEGER NOT NULL,   -- 0 = malformed XML read in recovery mode
  parse_problem TEXT,
  memory_raw    TEXT,               -- MemoryInMB as written
  memory_mb     INTEGER,            -- parsed; NULL = not set (automatic) or not a number
  logon_command TEXT                -- LogonCommand/Command as written
);

-- A Windows Sandbox launcher call (METHOD.md §5.2), decoded once at ingest (src/wsb_calls.c with
-- parsers/wsb_cli.c) from the command line of a process-creation record (4688, Sysmon 1) or of a
-- task's Exec action that runs WindowsSandbox.exe / wsb.exe. The correlator and the rules read
-- these columns, never the command line again.
CREATE TABLE wsb_calls (
  id            INTEGER PRIMARY KEY,
  event_ref     INTEGER REFERENCES event_rows(id), -- the 4688 / Sysmon 1 (NULL for a task action)
  task_ref      INTEGER,            -- the task whose Exec action it is (NULL for an event) ...
  action_position INTEGER,          -- ... and that action's position
  time          INTEGER NOT NULL,   -- the record's FILETIME (0 for a task action)
  image         TEXT,               -- NewProcessName / Image, or the action's Command
  command_line  TEXT NOT NULL,      -- as recorded; a task action's is "Command" Arguments
  status        TEXT NOT NULL,      -- call (wsb.exe with a verb) | configuration (a .wsb or an
                                    -- inline configuration only) | none (nothing read)
  verb          TEXT,               -- wsb.exe verb as written: start | exec | share | map | ...
  vm_id         TEXT,               -- --id as written
  command       TEXT,               -- -c / --command / --config value
  run_as        TEXT,               -- -r / --run-as
  host_path     TEXT,               -- -f / --host-path
  sandbox_path  TEXT,               -- -s / --sandbox-path
  allow_write   INTEGER NOT NULL,   -- 1 = -w / --allow-write[=true|1]; 0 absent, =false, =0
  config_path   TEXT,               -- the .wsb the line names
  inline_config_id INTEGER REFERENCES wsb_configs(id), -- its inline <Configuration>, as stored
  FOREIGN KEY (task_ref, action_position) REFERENCES task_actions(task_id, position)
);

-- A command the host ran in a VM (METHOD.md §1.4): one row per record whose catalogue row gives
-- the command role (Hyper-V-Compute 2500), decoded once at ingest (src/vm_commands.c). The
-- parameters text is read as §1.10 says; the correlator reads these columns, never the record.
CREATE TABLE vm_commands (
  event_ref     INTEGER PRIMARY KEY REFERENCES event_rows(id),
  vm_id         TEXT,               -- the VM key field as the record writes it (SystemId)
  command_line  TEXT,               -- CommandLine; NULL = none found
  user          TEXT,               -- User; NULL = none found
  guest_pid     TEXT,               -- Parameter0 as written: a process id inside the VM
  read_as       TEXT NOT NULL,      -- json (valid JSON, decoded) | verbatim (between the quotes,
                                    -- as written) | fields (plain fields of the layout) | none
  note          TEXT                -- why it was read so, when not plain json / fields
);

-- Every Enable/Disable setting of a configuration: raw text and effective value with its origin, so
-- "Networking: enabled (default, element absent)" differs from "enabled (explicit)".
CREATE TABLE wsb_settings (
  config_id     INTEGER NOT NULL REFERENCES wsb_configs(id),
  name          TEXT NOT NULL,      -- vGPU, Networking, AudioInput, VideoInput, ProtectedClient, ...
  raw           TEXT,               -- element text as written; NULL = element absent
  effective     INTEGER,            -- 1 on, 0 off, NULL unknown (unrecognised value)
  origin        TEXT NOT NULL,      -- absent | default | explicit | invalid
  description   TEXT NOT NULL,      -- the sentence a report prints
  PRIMARY KEY (config_id, name)
);

-- A mapped folder of a configuration.
CREATE TABLE wsb_folders (
  config_id     INTEGER NOT NULL REFERENCES wsb_configs(id),
  position      INTEGER NOT NULL,
  host_folder   TEXT,               -- HostFolder as written
  sandbox_folder_raw TEXT,          -- SandboxFolder as written
  sandbox_folder TEXT,              -- effective path inside the sandbox (documented default applied)
  sandbox_folder_is_default INTEGER NOT NULL,
  read_only_raw TEXT,               -- ReadOnly as written
  read_only     INTEGER,            -- effective: 1 read-only, 0 writable, NULL unknown
  read_only_is_default INTEGER NOT NULL,
  PRIMARY KEY (config_id, position)
);

-- A risk flag of a configuration, with its reason (the findings rules refer to the ids).
CREATE TABLE wsb_risks (
  config_id     INTEGER NOT NULL REFERENCES wsb_configs(id),
  risk_id       TEXT NOT NULL,      -- WSB-WRITABLE-ROOT-MAPPING, WSB-NETWORKING-ON, ...
  severity      TEXT NOT NULL,      -- high | medium | low | info
  section       TEXT NOT NULL,      -- the METHOD.md section it rests on
  reason        TEXT NOT NULL,      -- a sentence for the report
  folder_position INTEGER           -- the mapped folder concerned, NULL if none
);

-- A registry value (or key, value_name NULL) read from one of the keys sandtrace knows
-- (parsers/hive.c cites METHOD.md §2-§4 for each). Raw data is kept so a report can show
-- exactly what was read.
CREATE TABLE reg_values (
  id            INTEGER PRIMARY KEY,
  evidence_id   INTEGER NOT NULL REFERENCES evidence(id),
  hive_kind     TEXT NOT NULL,      -- SOFTWARE | SYSTEM | SECURITY | other (detected by content)
  key_path      TEXT NOT NULL,      -- relative to the hive root, '\'-separated, as stored
  key_last_write INTEGER,           -- the key's LastWrite, FILETIME (UTC)
  value_name    TEXT,               -- '' = the default value; NULL = a row for the key itself
  value_type    INTEGER,            -- REG_* number
  value_type_name TEXT,             -- REG_SZ, REG_DWORD, ...
  raw_hex       TEXT,               -- the value's bytes, lower-case hex
  decoded       TEXT,               -- strings as text, numbers in decimal; NULL for binary
  section       TEXT,               -- the METHOD.md section that made sandtrace read this key
  replay        TEXT                -- NULL: as in the primary file; else the row comes from the
                                    -- hive's transaction logs: the log and what the primary file
                                    -- holds ("absent from the primary file" or its value), §8.3
);
CREATE INDEX reg_values_key ON reg_values(key_path);

-- One transaction log (NAME.LOG, .LOG1, .LOG2 beside a hive) and what the replay did with it
-- (parsers/hive_log.h). A hive with a row here whose applied = 1 had its reg_values read from the
-- replayed state: the primary file with the logs' pages written over it, as Windows would load it;
-- the file itself is never written. The log's own evidence row says the same in its status.
CREATE TABLE hive_log_replays (
  id               INTEGER PRIMARY KEY,
  hive_evidence_id INTEGER NOT NULL REFERENCES evidence(id), -- the primary file
  log_evidence_id  INTEGER REFERENCES evidence(id), -- the log; NULL when it could not be hashed
  log_path         TEXT NOT NULL,     -- the log's path as found
  format           TEXT NOT NULL,     -- new (HvLE entries, Windows 8.1+) | old (DIRT dirty
                                      -- vector, Windows XP-8) | unknown (not read that far)
  applied          INTEGER NOT NULL,  -- 1 = its pages are in the state the hive was read from
  refused          INTEGER NOT NULL,  -- 1 = not applied because its bytes are wrong or not this
                                      -- hive's (damaged, another hive's, a gap in the sequence);
                                      -- 0 with applied 0 = not needed (clean hive, older, empty)
  first_sequence   INTEGER,           -- applied: sequence numbers of the first and last log
  last_sequence    INTEGER,           -- entries applied (old format: the log's own, both)
  entries          INTEGER NOT NULL,  -- log entries applied (old format: 1 when applied)
  pages            INTEGER NOT NULL,  -- 512-byte pages written over the primary's bytes
  reason           TEXT,              -- not applied: why, in words; applied: what ended the replay
                                      -- before the log's last entry; NULL otherwise
  run_id           INTEGER NOT NULL REFERENCES run(id),
  UNIQUE (hive_evidence_id, log_path)
);

-- A line of a servicing text log (CBS.log, CbsPersist_*.log, dism.log) that names the Windows
-- Sandbox feature Containers-DisposableClientVM (parsers/servicing_log.c, METHOD.md §2.8). The time
-- is as the log writes it: the host's local time, no offset; the host facts convert it with the
-- host's time zone (correlate/servicing_facts.c).
CREATE TABLE servicing_log_lines (
  id            INTEGER PRIMARY KEY,
  evidence_id   INTEGER NOT NULL REFERENCES evidence(id),
  line_number   INTEGER NOT NULL,   -- 1-based
  byte_offset   INTEGER NOT NULL,   -- offset of the line's first byte in the file
  continues     INTEGER,            -- a continuation line: the dated line it continues (its time)
  local_time    TEXT,               -- 'YYYY-MM-DD HH:MM:SS' as written; NULL before any dated line
  level         TEXT,               -- Info | Warning | Error | ...
  component     TEXT,               -- CBS | DISM | CSI | ...
  action        TEXT NOT NULL,      -- enable | disable | mention
  action_basis  TEXT NOT NULL,      -- the wording that decided the action
  message       TEXT NOT NULL       -- the line after its component (at most 8 KiB)
);

-- A host fact derived from registry rows (correlate/host_facts.c): feature state, sandbox policy,
-- audit policy and its coverage of the events sessions rely on, services, computer name.
CREATE TABLE facts (
  id            INTEGER PRIMARY KEY,
  kind          TEXT NOT NULL,      -- feature_state | sandbox_policy | audit_policy |
                                    -- audit_coverage | cmdline_audit | service | host
  subject       TEXT NOT NULL,      -- what the fact is about (a feature, a value, a subcategory, ...)
  value         TEXT NOT NULL,      -- the finding in a word or two ("enabled", "success", ...)
  detail        TEXT NOT NULL,      -- the sentence a report prints, with its reasoning
  time          INTEGER,            -- FILETIME the basis last changed (key LastWrite), if known
  basis         TEXT NOT NULL,      -- the rows it rests on: "reg_values:12,13" ('' = absence)
  evidence_id   INTEGER REFERENCES evidence(id), -- the hive it was read from, if one
  confidence    TEXT NOT NULL,      -- high | medium | low
  section       TEXT NOT NULL,      -- the METHOD.md section the reasoning follows
  host_id       INTEGER REFERENCES hosts(id) -- the host it describes (§2.7); NULL when the case
                                    -- names no host or the fact is about unassigned files
);

-- A cross-check of the TaskCache Tree and Tasks keys against each other and the task files
-- (METHOD.md §4.2), made once at ingest (src/task_cache.c) from the decoded TaskCache values; the
-- host facts copy each row into a fact of kind 'task_cache'.
CREATE TABLE taskcache_findings (
  id            INTEGER PRIMARY KEY,
  subject       TEXT NOT NULL,      -- the task path (\Folder\Task) or the Tasks GUID it is about
  code          TEXT NOT NULL,      -- tree-without-sd | tree-without-index | task-without-xml | ...
  detail        TEXT NOT NULL,      -- the sentence a report prints
  basis         TEXT NOT NULL,      -- the reg_values rows of the key: "reg_values:12,13"
  evidence_id   INTEGER NOT NULL REFERENCES evidence(id), -- the SOFTWARE hive
  confidence    TEXT NOT NULL       -- high | low
);

-- An archive found by content (METHOD.md §5.3): whether its name hides what it is, and
-- whether it is encrypted.
CREATE TABLE archives (
  id            INTEGER PRIMARY KEY,
  evidence_id   INTEGER NOT NULL REFERENCES evidence(id),
  path          TEXT NOT NULL,      -- where it was found
  family        TEXT,               -- 7z | zip | rar | cab | ... (from the magic)
  format_name   TEXT,               -- libarchive's name for the format
  extension     TEXT,               -- the file name's extension, lower case ('' if none)
  name_mismatch INTEGER,            -- 1 = the extension does not say archive (.dat, .db, ...)
  encrypted     INTEGER,            -- 1 yes, 0 no, NULL unknown
  headers_encrypted INTEGER NOT NULL, -- 1 = even the entry list is encrypted (7z -mhe)
  entry_count   INTEGER,            -- entries listed (capped, see complete)
  encrypted_entries INTEGER,
  names         TEXT,               -- the first entry names, JSON array
  complete      INTEGER NOT NULL,   -- 0 = listing stopped early (damage, cap, time limit)
  reason        TEXT                -- why it stopped, or NULL
);

-- A Windows Sandbox session: one run of one sandbox VM, keyed by its VM GUID (METHOD.md §6).
-- Rebuilt from the other tables by `sandtrace correlate` (ids in start order, deterministic).
CREATE TABLE sessions (
  id            INTEGER PRIMARY KEY,
  vm_guid       TEXT NOT NULL,      -- upper case, no braces; unique per host
  vm_sid        TEXT NOT NULL,      -- S-1-5-83-1-... computed from the GUID (§0.3)
  kind          TEXT NOT NULL,      -- sandbox | sandbox-likely (§6.6)
  kind_basis    TEXT NOT NULL,      -- why
  start         INTEGER,            -- FILETIME of the earliest VM start record; NULL = unknown
  end           INTEGER,            -- FILETIME of the latest exit record (or last record)
  end_inferred  INTEGER NOT NULL,   -- 1 = no exit record: end is the last linked record (§6.4)
  confidence    TEXT NOT NULL,      -- high | medium | low (§6.5)
  verdict       TEXT NOT NULL,      -- malicious | suspicious | benign-looking (§7)
  score         INTEGER NOT NULL,   -- sum of the findings' scores
  trigger_kind  TEXT NOT NULL,      -- task | user | unknown
  trigger_task  TEXT,               -- task URI when a task started it
  trigger_user  TEXT,               -- principal / subject
  launcher_image TEXT,
  launcher_pid  INTEGER,
  launcher_command_line TEXT,
  wsb_path      TEXT,               -- the configuration the launcher named
  wsb_config_id INTEGER REFERENCES wsb_configs(id),
  missing       TEXT NOT NULL,      -- JSON array of sentences: what is missing and why
  host_id       INTEGER REFERENCES hosts(id), -- the host whose evidence it was rebuilt from
                                    -- (§2.7); NULL: the case names no host, or unassigned files
  UNIQUE (host_id, vm_guid)
);

-- A row linked to a session, with its role and the basis and confidence of the link (§6.5).
CREATE TABLE session_events (
  session_id    INTEGER NOT NULL REFERENCES sessions(id),
  role          TEXT NOT NULL,      -- trigger | launch | vm_start | logon | share | command |
                                    -- network | exit | lifecycle | config; the story of §6.8:
                                    -- registration | registering_process | host_context |
                                    -- account | file
  source_table  TEXT NOT NULL,      -- events | tasks | wsb_configs | reg_values | evidence
  row_id        INTEGER NOT NULL,
  time          INTEGER,            -- FILETIME of the row, when it has one
  basis         TEXT NOT NULL,      -- the key that links it (VM GUID, VM SID, PID, time window, ...)
  confidence    TEXT NOT NULL,      -- strong | medium | weak
  detail        TEXT NOT NULL DEFAULT '{}' -- JSON object of what the row says for its role
                                    -- (share: host_path, read_only; command: command_line, user; ...)
);
CREATE INDEX session_events_session ON session_events(session_id);

-- A VM that is not a sandbox session, kept so the examiner sees why it was excluded (§6.6).
CREATE TABLE other_vms (
  vm_guid       TEXT NOT NULL,      -- upper case, no braces; unique per host
  kind          TEXT NOT NULL,      -- classic-vm | other-hcs | unknown-vm
  kind_basis    TEXT NOT NULL,
  first_seen    INTEGER,
  last_seen     INTEGER,
  records       INTEGER NOT NULL,
  host_id       INTEGER REFERENCES hosts(id), -- as sessions.host_id
  UNIQUE (host_id, vm_guid)
);

-- A rule of correlate/rules.def that fired for a session (§7), with the rows it rests on.
CREATE TABLE findings (
  session_id    INTEGER NOT NULL REFERENCES sessions(id),
  rule_id       TEXT NOT NULL,      -- ST-...
  title         TEXT NOT NULL,      -- the sentence the examiner reads
  score         INTEGER NOT NULL,
  attack        TEXT NOT NULL,      -- ATT&CK technique ids, comma-separated
  section       TEXT NOT NULL,      -- the METHOD.md section
  reason        TEXT NOT NULL,      -- what matched, in one sentence
  basis         TEXT NOT NULL       -- JSON array of row references ("events.id=12", ...)
);

-- Events with their times as ISO-8601 UTC, for people reading the store with sqlite3.
CREATE VIEW v_events AS
  SELECT e.*, strftime('%Y-%m-%dT%H:%M:%S', (e.time - 116444736000000000) / 10000000, 'unixepoch')
           || printf('.%07dZ', e.time % 10000000) AS time_utc,
         ev.sha256 AS evidence_sha256
  FROM events e JOIN evidence ev ON ev.id = e.evidence_id;

-- The sessions as the JSON objects `sandtrace sessions --json` prints (one row per session, in id
-- order). Times are ISO-8601 UTC with 100 ns digits; booleans are JSON booleans; absent is null.
-- The account of a session's interactive start (§6.8): one row per session that has one, the
-- first account step linked. Read by v_session_json and by `show` (export/session_text.c).
CREATE VIEW v_session_account AS
  SELECT session_id, json_extract(detail, '$.account') AS account,
         json_extract(detail, '$.sid') AS sid
  FROM session_events
  WHERE role = 'account' AND rowid = (SELECT min(x.rowid) FROM session_events x
                                     WHERE x.session_id = session_events.session_id
                                       AND x.role = 'account');

-- The further copies of each event record linked to a session (METHOD.md §8.2): a record found in
-- more than one file (a log collected twice, a shadow copy) is stored once; its citation names the
-- first path of the file it was stored from, and this view lists every other path and file it was
-- found in, one row per (session, record), for the report's and `show`'s evidence lists.
CREATE VIEW v_session_record_copies AS
  WITH linked AS (SELECT DISTINCT session_id, row_id AS event_row FROM session_events
                  WHERE source_table = 'events'),
  found AS (SELECT l.session_id, l.event_row, e.evidence_id FROM linked l
            JOIN events e ON e.id = l.event_row
            UNION
            SELECT l.session_id, l.event_row, s.evidence_id FROM linked l
            JOIN event_sources s ON s.event_id_ref = l.event_row),
  others AS (SELECT f.session_id, f.event_row, p.path, v.sha256 FROM found f
             JOIN evidence v ON v.id = f.evidence_id
             JOIN evidence_paths p ON p.evidence_id = v.id
             WHERE p.path != (SELECT min(q.path) FROM events e JOIN evidence_paths q
                              ON q.evidence_id = e.evidence_id WHERE e.id = f.event_row)
             ORDER BY f.session_id, f.event_row, p.path)
  SELECT o.session_id, o.event_row, c.label AS record, count(*) AS other_files,
         group_concat(o.path || ' (sha256 ' || o.sha256 || ')', '; ') AS copies
  FROM others o JOIN v_citation_events c ON c.row_id = o.event_row
  GROUP BY o.session_id, o.event_row;

CREATE VIEW v_session_json AS
  SELECT s.id AS id, json_object(
    'id', s.id,
    -- the host whose evidence the session was rebuilt from (§2.7); null: the case names none
    'host', (SELECT name FROM hosts WHERE id = s.host_id),
    'vm_id', s.vm_guid,
    'vm_sid', s.vm_sid,
    'kind', s.kind,
    'kind_basis', s.kind_basis,
    'start', CASE WHEN s.start IS NULL THEN NULL ELSE strftime('%Y-%m-%dT%H:%M:%S',
              (s.start - 116444736000000000) / 10000000, 'unixepoch')
              || printf('.%07dZ', s.start % 10000000) END,
    'end', CASE WHEN s.end IS NULL THEN NULL ELSE strftime('%Y-%m-%dT%H:%M:%S',
              (s.end - 116444736000000000) / 10000000, 'unixepoch')
              || printf('.%07dZ', s.end % 10000000) END,
    'end_inferred', json(CASE WHEN s.end_inferred THEN 'true' ELSE 'false' END),
    'confidence', s.confidence,
    'verdict', s.verdict,
    'score', s.score,
    'trigger', json_object('kind', s.trigger_kind, 'task_name', s.trigger_task,
                           'user', s.trigger_user,
                           -- an interactive start's account SID (§6.8)
                           'user_sid', (SELECT sid FROM v_session_account
                                        WHERE session_id = s.id)),
    'launcher', json_object('image', s.launcher_image, 'pid', s.launcher_pid,
                            'command_line', s.launcher_command_line),
    'wsb', json_object(
      'path', s.wsb_path,
      'networking', (SELECT json(CASE effective WHEN 1 THEN 'true' WHEN 0 THEN 'false' END)
                     FROM wsb_settings WHERE config_id = s.wsb_config_id AND name = 'Networking'),
      'logon_command', (SELECT logon_command FROM wsb_configs WHERE id = s.wsb_config_id),
      'mapped_folders', (SELECT json_group_array(json_object('host', host_folder,
                           'sandbox', sandbox_folder, 'read_only',
                           json(CASE read_only WHEN 1 THEN 'true' WHEN 0 THEN 'false' ELSE 'null' END)))
                         FROM (SELECT * FROM wsb_folders WHERE config_id = s.wsb_config_id
                               ORDER BY position))),
    'shares', (SELECT json_group_array(json_object(
                 'time', strftime('%Y-%m-%dT%H:%M:%S', (time - 116444736000000000) / 10000000,
                         'unixepoch') || printf('.%07dZ', time % 10000000),
                 'host_path', json_extract(detail, '$.host_path'),
                 'read_only', json(CASE json_extract(detail, '$.read_only') WHEN 'true' THEN 'true'
                                   WHEN 'false' THEN 'false' ELSE 'null' END),
                 'internal', json(CASE json_extract(detail, '$.internal') WHEN 'true' THEN 'true'
                                  ELSE 'false' END),
                 'share_flags', json_extract(detail, '$.share_flags')))
               FROM (SELECT * FROM session_events WHERE session_id = s.id AND role = 'share'
                     AND coalesce(json_extract(detail, '$.internal'), '') != 'true'
                     ORDER BY time, row_id)),
    -- the sandbox's own base-image and package shares: context, never mapped folders (§7)
    'system_shares', (SELECT count(*) FROM session_events WHERE session_id = s.id AND
                      role = 'share' AND json_extract(detail, '$.internal') = 'true'),
    'commands', (SELECT json_group_array(json_object(
                 'time', strftime('%Y-%m-%dT%H:%M:%S', (time - 116444736000000000) / 10000000,
                         'unixepoch') || printf('.%07dZ', time % 10000000),
                 'command_line', json_extract(detail, '$.command_line'),
                 'user', json_extract(detail, '$.user')))
               FROM (SELECT * FROM session_events WHERE session_id = s.id AND role = 'command'
                     ORDER BY time, row_id)),
    'network', (SELECT json_group_array(json_object(
                 'time', strftime('%Y-%m-%dT%H:%M:%S', (time - 116444736000000000) / 10000000,
                         'unixepoch') || printf('.%07dZ', time % 10000000),
                 'event', json_extract(detail, '$.event')))
               FROM (SELECT * FROM session_events WHERE session_id = s.id AND role = 'network'
                     ORDER BY time, row_id)),
    -- §6.8: where the starting task came from: its registration records (in time order, undated
    -- ones last) and the process chain that registered it (the registering process first)
    'origin', CASE WHEN EXISTS (SELECT 1 FROM session_events WHERE session_id = s.id AND role IN
                                ('registration', 'registering_process')) THEN json_object(
      'registrations', (SELECT json_group_array(json_object(
                 'time', CASE WHEN time IS NULL THEN NULL ELSE strftime('%Y-%m-%dT%H:%M:%S', (time - 116444736000000000) / 10000000,
                         'unixepoch') || printf('.%07dZ', time % 10000000) END,
                 'source', json_extract(detail, '$.source'),
                 'user', json_extract(detail, '$.user'), 'sid', json_extract(detail, '$.sid'),
                 'definition', json_extract(detail, '$.definition'),
                 'author', json_extract(detail, '$.author'), 'date', json_extract(detail, '$.date'),
                 'link', confidence))
               FROM (SELECT * FROM session_events WHERE session_id = s.id AND role = 'registration'
                     ORDER BY time IS NULL, time, source_table, row_id)),
      'process_chain', (SELECT json_group_array(json_object(
                 'time', strftime('%Y-%m-%dT%H:%M:%S', (time - 116444736000000000) / 10000000,
                         'unixepoch') || printf('.%07dZ', time % 10000000),
                 'image', json_extract(detail, '$.image'),
                 'pid', CAST(json_extract(detail, '$.pid') AS INTEGER),
                 'parent_pid', CAST(json_extract(detail, '$.parent_pid') AS INTEGER),
                 'command_line', json_extract(detail, '$.command_line'),
                 'user', json_extract(detail, '$.user'), 'sid', json_extract(detail, '$.sid'),
                 'link', confidence))
               FROM (SELECT * FROM session_events WHERE session_id = s.id AND
                     role = 'registering_process'
                     ORDER BY CAST(json_extract(detail, '$.depth') AS INTEGER)))) END,
    -- §6.8: boots, shutdowns, log clears, audit-policy and clock changes near the session
    'host_context', (SELECT json_group_array(json_object(
                 'time', strftime('%Y-%m-%dT%H:%M:%S', (time - 116444736000000000) / 10000000,
                         'unixepoch') || printf('.%07dZ', time % 10000000),
                 'event', json_extract(detail, '$.event'), 'what', json_extract(detail, '$.what')))
               FROM (SELECT * FROM session_events WHERE session_id = s.id AND role = 'host_context'
                     ORDER BY time, row_id)),
    -- §6.8: the files of the collection the session names: its .wsb, the files its logon command
    -- and commands run from the mapped folders
    'files', (SELECT json_group_array(json(item)) FROM (
                 SELECT json_object('path', s.wsb_path, 'kind', 'wsb', 'sha256', v.sha256,
                                    'named_by', 'the launcher or task', 'collection_path',
                                    c.location) AS item, 0 AS k, se.rowid AS r
                 FROM session_events se JOIN wsb_configs c ON c.id = se.row_id
                 JOIN evidence v ON v.id = c.evidence_id
                 WHERE se.session_id = s.id AND se.source_table = 'wsb_configs' AND c.source = 'file'
                 UNION ALL
                 SELECT json_object('path', json_extract(se.detail, '$.path'),
                                    'kind', json_extract(se.detail, '$.kind'),
                                    'sha256', json_extract(se.detail, '$.sha256'),
                                    'named_by', json_extract(se.detail, '$.named_by'),
                                    'collection_path', json_extract(se.detail, '$.collection_path')),
                        1, se.rowid
                 FROM session_events se WHERE se.session_id = s.id AND se.role = 'file'
                 ORDER BY k, r)),
    'findings', (SELECT json_group_array(json_object('id', rule_id, 'title', title,
                   'attack', attack, 'score', score, 'reason', reason, 'basis', json(basis)))
                 FROM (SELECT * FROM findings WHERE session_id = s.id ORDER BY rowid)),
    'missing', json(s.missing),
    'evidence', (SELECT json_group_array(json(item)) FROM (
                   SELECT json_object('role', se.role, 'sha256', v.sha256, 'record', e.record_id,
                                      'channel', e.channel, 'event_id', e.event_id,
                                      'link', se.confidence) AS item, se.time AS t, se.rowid AS r
                   FROM session_events se JOIN events e ON e.id = se.row_id
                   JOIN evidence v ON v.id = e.evidence_id
                   WHERE se.session_id = s.id AND se.source_table = 'events'
                   UNION ALL
                   SELECT json_object('role', se.role, 'sha256', v.sha256, 'location', t.location,
                                      'link', se.confidence), se.time, se.rowid
                   FROM session_events se JOIN tasks t ON t.id = se.row_id
                   JOIN evidence v ON v.id = t.evidence_id
                   WHERE se.session_id = s.id AND se.source_table = 'tasks'
                   UNION ALL
                   SELECT json_object('role', se.role, 'sha256', v.sha256, 'location', c.location,
                                      'link', se.confidence), se.time, se.rowid
                   FROM session_events se JOIN wsb_configs c ON c.id = se.row_id
                   JOIN evidence v ON v.id = c.evidence_id
                   WHERE se.session_id = s.id AND se.source_table = 'wsb_configs'
                   UNION ALL
                   SELECT json_object('role', se.role, 'sha256', v.sha256, 'location', g.key_path,
                                      'link', se.confidence), se.time, se.rowid
                   FROM session_events se JOIN reg_values g ON g.id = se.row_id
                   JOIN evidence v ON v.id = g.evidence_id
                   WHERE se.session_id = s.id AND se.source_table = 'reg_values'
                   UNION ALL
                   SELECT json_object('role', se.role, 'sha256', v.sha256,
                                      'location', json_extract(se.detail, '$.collection_path'),
                                      'link', se.confidence), se.time, se.rowid
                   FROM session_events se JOIN evidence v ON v.id = se.row_id
                   WHERE se.session_id = s.id AND se.source_table = 'evidence'
                   ORDER BY t, r))
  ) AS json
  FROM sessions s;


-- How a timeline row reads for each (provider, event id): a printf format and up to six payload
-- fields (names in events.data), so that 825 logons do not all read "Security 4624". Data, not
-- code: a new event's message is a new row. An absent field prints as '-'. Field names follow the
-- providers' manifests (METHOD.md §1).
CREATE TABLE event_messages (
  provider      TEXT NOT NULL,
  event_id      INTEGER NOT NULL,
  format        TEXT NOT NULL,      -- SQLite printf format, one %s per field
  f1 TEXT, f2 TEXT, f3 TEXT, f4 TEXT, f5 TEXT, f6 TEXT,
  PRIMARY KEY (provider, event_id)
);
INSERT INTO event_messages VALUES
  ('Microsoft-Windows-Security-Auditing', 4624, 'Logon of %s\%s (logon type %s) from %s %s by process %s',
   'TargetDomainName', 'TargetUserName', 'LogonType', 'WorkstationName', 'IpAddress', 'ProcessName'),
  ('Microsoft-Windows-Security-Auditing', 4625, 'Failed logon of %s\%s (logon type %s) from %s %s: status %s',
   'TargetDomainName', 'TargetUserName', 'LogonType', 'WorkstationName', 'IpAddress', 'Status'),
  ('Microsoft-Windows-Security-Auditing', 4634, 'Logoff of %s\%s (logon type %s, logon id %s)',
   'TargetDomainName', 'TargetUserName', 'LogonType', 'TargetLogonId', NULL, NULL),
  ('Microsoft-Windows-Security-Auditing', 4647, 'Logoff requested by %s\%s',
   'TargetDomainName', 'TargetUserName', NULL, NULL, NULL, NULL),
  ('Microsoft-Windows-Security-Auditing', 4648, 'Logon with explicit credentials of %s\%s by %s\%s, process %s',
   'TargetDomainName', 'TargetUserName', 'SubjectDomainName', 'SubjectUserName', 'ProcessName', NULL),
  ('Microsoft-Windows-Security-Auditing', 4672, 'Special privileges assigned to %s\%s: %s',
   'SubjectDomainName', 'SubjectUserName', 'PrivilegeList', NULL, NULL, NULL),
  ('Microsoft-Windows-Security-Auditing', 4688, 'Process %s started by %s\%s: %s (parent %s)',
   'NewProcessName', 'SubjectDomainName', 'SubjectUserName', 'CommandLine', 'ParentProcessName', NULL),
  ('Microsoft-Windows-Security-Auditing', 4689, 'Process %s exited with status %s (%s\%s)',
   'ProcessName', 'Status', 'SubjectDomainName', 'SubjectUserName', NULL, NULL),
  ('Microsoft-Windows-Security-Auditing', 4697, 'Service %s installed by %s\%s: %s',
   'ServiceName', 'SubjectDomainName', 'SubjectUserName', 'ServiceFileName', NULL, NULL),
  ('Microsoft-Windows-Security-Auditing', 4698, 'Scheduled task %s created by %s\%s',
   'TaskName', 'SubjectDomainName', 'SubjectUserName', NULL, NULL, NULL),
  ('Microsoft-Windows-Security-Auditing', 4699, 'Scheduled task %s deleted by %s\%s',
   'TaskName', 'SubjectDomainName', 'SubjectUserName', NULL, NULL, NULL),
  ('Microsoft-Windows-Security-Auditing', 4700, 'Scheduled task %s enabled by %s\%s',
   'TaskName', 'SubjectDomainName', 'SubjectUserName', NULL, NULL, NULL),
  ('Microsoft-Windows-Security-Auditing', 4701, 'Scheduled task %s disabled by %s\%s',
   'TaskName', 'SubjectDomainName', 'SubjectUserName', NULL, NULL, NULL),
  ('Microsoft-Windows-Security-Auditing', 4702, 'Scheduled task %s updated by %s\%s',
   'TaskName', 'SubjectDomainName', 'SubjectUserName', NULL, NULL, NULL),
  ('Microsoft-Windows-Security-Auditing', 4719, 'Audit policy changed by %s\%s: subcategory %s, %s',
   'SubjectDomainName', 'SubjectUserName', 'SubcategoryGuid', 'AuditPolicyChanges', NULL, NULL),
  ('Microsoft-Windows-Security-Auditing', 4616, 'System time changed from %s to %s by %s\%s (%s)',
   'PreviousTime', 'NewTime', 'SubjectDomainName', 'SubjectUserName', 'ProcessName', NULL),
  ('Microsoft-Windows-Eventlog', 1102, 'Security log cleared by %s\%s',
   'SubjectDomainName', 'SubjectUserName', NULL, NULL, NULL, NULL),
  ('Microsoft-Windows-Eventlog', 104, 'Event log %s cleared by %s\%s',
   'Channel', 'SubjectDomainName', 'SubjectUserName', NULL, NULL, NULL),
  ('Service Control Manager', 7045, 'Service %s installed: %s (start type %s, account %s)',
   'ServiceName', 'ImagePath', 'StartType', 'AccountName', NULL, NULL),
  ('Microsoft-Windows-Sysmon', 1, 'Process %s started by %s: %s (parent %s)',
   'Image', 'User', 'CommandLine', 'ParentImage', NULL, NULL),
  ('Microsoft-Windows-Sysmon', 3, 'Network connection by %s: %s:%s -> %s:%s',
   'Image', 'SourceIp', 'SourcePort', 'DestinationIp', 'DestinationPort', NULL),
  ('Microsoft-Windows-Sysmon', 11, 'File %s created by %s',
   'TargetFilename', 'Image', NULL, NULL, NULL, NULL),
  ('Microsoft-Windows-TaskScheduler', 100, 'Task %s started (instance %s) for %s',
   'TaskName', 'InstanceId', 'UserContext', NULL, NULL, NULL),
  ('Microsoft-Windows-TaskScheduler', 102, 'Task %s finished (instance %s) for %s',
   'TaskName', 'InstanceId', 'UserName', NULL, NULL, NULL),
  ('Microsoft-Windows-TaskScheduler', 106, 'Task %s registered by %s',
   'TaskName', 'UserContext', NULL, NULL, NULL, NULL),
  ('Microsoft-Windows-TaskScheduler', 107, 'Task %s triggered by its schedule (instance %s)',
   'TaskName', 'InstanceId', NULL, NULL, NULL, NULL),
  ('Microsoft-Windows-TaskScheduler', 110, 'Task %s triggered by %s (instance %s)',
   'TaskName', 'UserContext', 'InstanceId', NULL, NULL, NULL),
  ('Microsoft-Windows-TaskScheduler', 118, 'Task %s triggered at boot (instance %s)',
   'TaskName', 'InstanceId', NULL, NULL, NULL, NULL),
  ('Microsoft-Windows-TaskScheduler', 119, 'Task %s triggered at logon of %s (instance %s)',
   'TaskName', 'UserName', 'InstanceId', NULL, NULL, NULL),
  ('Microsoft-Windows-TaskScheduler', 129, 'Task %s launched %s (process id %s)',
   'TaskName', 'Path', 'ProcessID', NULL, NULL, NULL),
  ('Microsoft-Windows-TaskScheduler', 140, 'Task %s updated by %s',
   'TaskName', 'UserName', NULL, NULL, NULL, NULL),
  ('Microsoft-Windows-TaskScheduler', 141, 'Task %s deleted by %s',
   'TaskName', 'UserName', NULL, NULL, NULL, NULL),
  ('Microsoft-Windows-TaskScheduler', 200, 'Task %s started action %s (engine process id %s)',
   'TaskName', 'ActionName', 'EnginePID', NULL, NULL, NULL),
  ('Microsoft-Windows-TaskScheduler', 201, 'Task %s completed action %s (result %s)',
   'TaskName', 'ActionName', 'ResultCode', NULL, NULL, NULL),
  ('Microsoft-Windows-Hyper-V-Compute', 2000, 'Compute system %s created (result %s)',
   'SystemId', 'Result', NULL, NULL, NULL, NULL),
  ('Microsoft-Windows-Hyper-V-Compute', 2001, 'Compute system %s started (result %s)',
   'SystemId', 'Result', NULL, NULL, NULL, NULL),
  ('Microsoft-Windows-Hyper-V-Compute', 2002, 'Compute system %s shut down (result %s)',
   'SystemId', 'Result', NULL, NULL, NULL, NULL),
  ('Microsoft-Windows-Hyper-V-Compute', 2003, 'Compute system %s terminated (result %s)',
   'SystemId', 'Result', NULL, NULL, NULL, NULL),
  ('Microsoft-Windows-Hyper-V-Compute', 2500, 'Process created in compute system %s (guest process id %s): %s',
   'SystemId', 'Parameter0', 'Parameter1', NULL, NULL, NULL),
  ('Microsoft-Windows-Hyper-V-Worker', 18500, 'VM %s (%s) started',
   'VmName', 'VmId', NULL, NULL, NULL, NULL),
  ('Microsoft-Windows-Hyper-V-Worker', 18502, 'VM %s (%s) turned off',
   'VmName', 'VmId', NULL, NULL, NULL, NULL),
  ('Microsoft-Windows-Hyper-V-Worker', 18504, 'VM %s (%s) shut down by its guest',
   'VmName', 'VmId', NULL, NULL, NULL, NULL),
  ('Microsoft-Windows-Hyper-V-VSmb', 301, 'Host folder %s shared into VM %s as %s (flags %s)',
   'SharePath', 'VMId', 'ShareName', 'ShareFlags', NULL, NULL),
  ('Microsoft-Windows-Kernel-General', 12, 'Operating system started at %s',
   'StartTime', NULL, NULL, NULL, NULL, NULL),
  ('Microsoft-Windows-Kernel-General', 13, 'Operating system shut down at %s',
   'StopTime', NULL, NULL, NULL, NULL, NULL),
  ('Microsoft-Windows-Kernel-Power', 41, 'System rebooted without a clean shutdown (bug check %s)',
   'BugcheckCode', NULL, NULL, NULL, NULL, NULL),
  ('EventLog', 6008, 'The previous shutdown at %s %s was unexpected',
   '#1', '#2', NULL, NULL, NULL, NULL),
  ('EventLog', 6005, 'Event log service started (system start)',
   NULL, NULL, NULL, NULL, NULL, NULL),
  ('EventLog', 6006, 'Event log service stopped (system shutdown)',
   NULL, NULL, NULL, NULL, NULL, NULL),
  ('Service Control Manager', 7036, 'Service %s entered the %s state',
   'param1', 'param2', NULL, NULL, NULL, NULL),
  ('Service Control Manager', 7040, 'Start type of service %s changed from %s to %s',
   'param1', 'param2', 'param3', NULL, NULL, NULL),
  ('Microsoft-Windows-Hyper-V-VmSwitch', 232, 'VM network adapter %s (%s) connected to port %s on switch %s',
   'NicName', 'NicFName', 'PortName', 'SwitchFName', NULL, NULL),
  ('Microsoft-Windows-Hyper-V-VmSwitch', 234, 'VM network adapter %s (%s) disconnected from port %s',
   'NicName', 'NicFName', 'PortName', NULL, NULL, NULL);

-- How a report or a terminal view cites a stored row: what a reader can check without the store
-- (the file by name and SHA-256 prefix, the record with its chunk and byte offset, the hive key
-- and value, the task file), never a database id. One row per (tbl, row_id).
CREATE VIEW v_file_name AS
  SELECT e.id AS evidence_id, e.sha256 AS sha256,
         (SELECT replace(min(p.path), rtrim(min(p.path), replace(min(p.path), '/', '')), '')
            FROM evidence_paths p WHERE p.evidence_id = e.id) AS name
  FROM evidence e;
CREATE VIEW v_citation AS
  SELECT 'events' AS tbl, row_id, label FROM v_citation_events
  UNION ALL
  SELECT 'reg_values', g.id,
         g.hive_kind || ' hive (' || f.name || ', sha256 ' || substr(f.sha256, 1, 16) || '): '
         || g.key_path || CASE WHEN g.value_name IS NULL THEN ' (key)'
                               WHEN g.value_name = '' THEN ' : (default)'
                               ELSE ' : ' || g.value_name END
  FROM reg_values g JOIN v_file_name f ON f.evidence_id = g.evidence_id
  UNION ALL
  SELECT 'tasks', t.id,
         CASE t.source WHEN 'task_file' THEN 'task file ' || t.location
                       WHEN 'taskcache' THEN 'TaskCache entry ' || coalesce(t.uri, t.location)
                       ELSE 'task ' || coalesce(t.uri, '?') || ' in the TaskContent of '
                            || coalesce((SELECT c.label FROM v_citation_events c
                                         WHERE c.row_id = t.event_ref), 'an event record') END
         || CASE WHEN t.source = 'task_file' THEN ', sha256 ' || substr(f.sha256, 1, 16) ELSE '' END
  FROM tasks t JOIN v_file_name f ON f.evidence_id = t.evidence_id
  UNION ALL
  SELECT 'wsb_configs', w.id,
         CASE w.source WHEN 'file' THEN '.wsb file ' || w.location || ', sha256 '
                                        || substr(f.sha256, 1, 16)
                       ELSE 'configuration inline in '
                            || coalesce((SELECT 'task ' || coalesce(t.uri, t.location) FROM tasks t
                                         WHERE w.location = 'tasks.id=' || t.id),
                                        (SELECT c.label FROM v_citation_events c
                                         WHERE w.location = 'events.id=' || c.row_id),
                                        w.location) END
  FROM wsb_configs w JOIN v_file_name f ON f.evidence_id = w.evidence_id
  UNION ALL
  SELECT 'servicing_log_lines', l.id,
         'servicing log ' || f.name || ' line ' || l.line_number || ' (byte offset '
         || l.byte_offset || '), sha256 ' || substr(f.sha256, 1, 16)
  FROM servicing_log_lines l JOIN v_file_name f ON f.evidence_id = l.evidence_id  UNION ALL
  SELECT 'facts', h.id, 'host fact ' || h.kind || ': ' || h.subject FROM facts h
  UNION ALL
  SELECT 'archives', a.id, 'archive ' || a.path || ', sha256 ' || substr(f.sha256, 1, 16)
  FROM archives a JOIN v_file_name f ON f.evidence_id = a.evidence_id
  UNION ALL
  SELECT 'evidence', f.evidence_id, 'file ' || f.name || ', sha256 ' || substr(f.sha256, 1, 16)
  FROM v_file_name f;
-- The event part of v_citation (the task and configuration labels also name the record they
-- were read from).
CREATE VIEW v_citation_events AS
  SELECT ev.id AS row_id,
         coalesce(ev.channel, '?') || ' record ' || ev.record_id || ' (event ' || ev.event_id || ')'
         || CASE WHEN ev.recovered THEN ', recovered' ELSE '' END || ', ' || f.name
         || CASE WHEN ev.offset IS NOT NULL THEN ' chunk ' || ev.chunk || ' offset ' || ev.offset
                 ELSE ' (offset not established)' END
         || ', sha256 ' || substr(f.sha256, 1, 16) AS label
  FROM events ev JOIN v_file_name f ON f.evidence_id = ev.evidence_id;

-- The host of each evidence file as one name (METHOD.md §2.7): the host's name; the names joined
-- with ", " in name order for the rare file found in two hosts' folders; NULL when unassigned.
CREATE VIEW v_evidence_host AS
  SELECT v.id AS evidence_id,
         (SELECT group_concat(name, ', ') FROM (SELECT h.name FROM evidence_hosts x
            JOIN hosts h ON h.id = x.host_id WHERE x.evidence_id = v.id ORDER BY h.id)) AS name
  FROM evidence v;

-- Every dated row of the case as one timeline: the one thing the exporters read (DESIGN.md).
-- One row per (time, what happened); session-linked events carry the session, role and a message
-- that says what the record shows for the session; hostname is the host of the row's file or
-- session (v_evidence_host, §2.7). Sort: time, source, row (total, stable).
CREATE VIEW timeline AS
  SELECT e.time AS time,
         'Event Logged' AS timestamp_desc,
         'event' AS source,
         coalesce(e.channel, '?') || ' ' || e.event_id AS kind,
         CASE
           WHEN se.role = 'command' THEN 'Sandbox ' || substr(s.vm_guid, 1, 8) || ': host ran "'
                || coalesce(json_extract(se.detail, '$.command_line'), '?') || '" as '
                || coalesce(json_extract(se.detail, '$.user'), '?')
           WHEN se.role = 'share' THEN 'Sandbox ' || substr(s.vm_guid, 1, 8) || ': host folder '
                || coalesce(json_extract(se.detail, '$.host_path'), '?') || ' shared into the VM'
                || CASE json_extract(se.detail, '$.read_only') WHEN 'true' THEN ' (read-only)'
                   WHEN 'false' THEN ' (writable)' ELSE '' END
           WHEN se.role = 'network' THEN 'Sandbox ' || substr(s.vm_guid, 1, 8) || ': VM network adapter '
                || CASE json_extract(se.detail, '$.event') WHEN 'nic-connected' THEN 'connected'
                   ELSE 'disconnected' END
           WHEN se.role = 'launch' THEN 'Sandbox ' || substr(s.vm_guid, 1, 8) || ': launcher '
                || coalesce(json_extract(se.detail, '$.image'), '?') || ' started: '
                || coalesce(json_extract(se.detail, '$.command_line'), '')
           WHEN se.role = 'trigger' THEN 'Sandbox ' || substr(s.vm_guid, 1, 8)
                || ': scheduled task run that started the launcher ('
                || coalesce(json_extract(e.data, '$.TaskName'), '?') || ')'
           ELSE CASE WHEN se.role IS NOT NULL THEN 'Sandbox ' || substr(s.vm_guid, 1, 8) || ': '
                     || se.role || ': ' ELSE '' END
                || coalesce(CASE WHEN mf.format IS NOT NULL THEN printf(mf.format,
                  coalesce(json_extract(e.data, '$."' || mf.f1 || '"'), '-'),
                  coalesce(json_extract(e.data, '$."' || mf.f2 || '"'), '-'),
                  coalesce(json_extract(e.data, '$."' || mf.f3 || '"'), '-'),
                  coalesce(json_extract(e.data, '$."' || mf.f4 || '"'), '-'),
                  coalesce(json_extract(e.data, '$."' || mf.f5 || '"'), '-'),
                  coalesce(json_extract(e.data, '$."' || mf.f6 || '"'), '-')) END,
                            coalesce(e.channel, '?') || ' ' || e.event_id
                            || CASE WHEN se.role IS NULL THEN ' (' || coalesce(e.provider, '?') || ')'
                                    ELSE '' END)
         END || CASE WHEN e.recovered THEN ' [recovered from unallocated space]' ELSE '' END
           AS message,
         se.session_id AS session_id,
         se.role AS role,
         NULL AS finding,
         NULL AS attack,
         v.sha256 AS evidence_sha256,
         (SELECT path FROM evidence_paths p WHERE p.evidence_id = v.id ORDER BY p.id LIMIT 1)
           AS evidence_path,
         'record ' || e.record_id || coalesce(' chunk ' || e.chunk, '')
           || coalesce(' offset ' || e.offset, '') AS location,
         e.event_id AS event_identifier,
         e.record_id AS record_number,
         e.provider AS source_name,
         e.channel AS channel,
         e.computer AS computer_name,
         CAST(sqlar_uncompress(e.xml, e.xml_size) AS TEXT) AS xml_string,   -- NULL (empty in exports) for the --all-events remainder, §8.8; §8.12
         e.data AS data,
         e.id AS row_id,
         e.user_sid AS user_sid,
         e.level AS event_level,
         e.recovered AS recovered,
         (SELECT name FROM v_evidence_host h WHERE h.evidence_id = e.evidence_id) AS hostname
  FROM events e
  JOIN evidence v ON v.id = e.evidence_id
  LEFT JOIN event_messages mf ON mf.provider = e.provider AND mf.event_id = e.event_id
  -- the story steps of §6.8 (host records, the registration, its process chain) may be shared by
  -- several sessions: they stay plain host rows here, one row per record
  LEFT JOIN session_events se ON se.source_table = 'events' AND se.row_id = e.id
    AND se.role NOT IN ('registration', 'registering_process', 'host_context', 'account')
  LEFT JOIN sessions s ON s.id = se.session_id
  WHERE e.time IS NOT NULL AND e.time > 0
  UNION ALL
  SELECT s.start, 'Session Start', 'session', 'session start',
         'Sandbox ' || substr(s.vm_guid, 1, 8) || ': session ' || s.id || ' (VM ' || s.vm_guid
           || ') started; verdict ' || s.verdict || ', score ' || s.score || ', trigger '
           || s.trigger_kind || coalesce(' ' || s.trigger_task, ''),
         s.id, 'vm_start', NULL, NULL, NULL, NULL, 'sessions.id=' || s.id,
         NULL, NULL, NULL, NULL, NULL, NULL, NULL, s.id, NULL, NULL, NULL,
         (SELECT name FROM hosts WHERE id = s.host_id)
  FROM sessions s WHERE s.start IS NOT NULL
  UNION ALL
  SELECT s.end, CASE WHEN s.end_inferred THEN 'Session Last Record' ELSE 'Session End' END,
         'session', 'session end',
         'Sandbox ' || substr(s.vm_guid, 1, 8) || ': session ' || s.id || ' ended'
           || CASE WHEN s.end_inferred THEN ' (inferred: last linked record, no exit record)'
              ELSE '' END,
         s.id, 'exit', NULL, NULL, NULL, NULL, 'sessions.id=' || s.id,
         NULL, NULL, NULL, NULL, NULL, NULL, NULL, s.id, NULL, NULL, NULL,
         (SELECT name FROM hosts WHERE id = s.host_id)
  FROM sessions s WHERE s.end IS NOT NULL
  UNION ALL
  SELECT coalesce(s.start, s.end), 'Finding', 'finding', f.rule_id,
         'Sandbox ' || substr(s.vm_guid, 1, 8) || ': finding ' || f.rule_id || ' (' || f.score
           || '): ' || f.title,
         s.id, 'finding', f.rule_id, f.attack, NULL, NULL, 'findings of sessions.id=' || s.id,
         NULL, NULL, NULL, NULL, NULL, NULL, NULL, f.rowid, NULL, NULL, NULL,
         (SELECT name FROM hosts WHERE id = s.host_id)
  FROM findings f JOIN sessions s ON s.id = f.session_id
  WHERE coalesce(s.start, s.end) IS NOT NULL
  UNION ALL
  SELECT t.registered_time, 'Task Registered (TaskCache)', 'task', 'taskcache',
         'Task ' || coalesce(t.uri, '?') || ' registered (TaskCache DynamicInfo)'
           || CASE WHEN t.sandbox_launcher THEN '; it starts Windows Sandbox' ELSE '' END,
         NULL, NULL, NULL, NULL, v.sha256,
         (SELECT path FROM evidence_paths p WHERE p.evidence_id = v.id ORDER BY p.id LIMIT 1),
         t.location, NULL, NULL, NULL, NULL, NULL, NULL, NULL, t.id, NULL, NULL, NULL,
         (SELECT name FROM v_evidence_host h WHERE h.evidence_id = t.evidence_id)
  FROM tasks t JOIN evidence v ON v.id = t.evidence_id WHERE t.registered_time > 0
  UNION ALL
  SELECT t.last_run_time, 'Task Last Run (TaskCache)', 'task', 'taskcache',
         'Task ' || coalesce(t.uri, '?') || ' last ran (TaskCache DynamicInfo)',
         NULL, NULL, NULL, NULL, v.sha256,
         (SELECT path FROM evidence_paths p WHERE p.evidence_id = v.id ORDER BY p.id LIMIT 1),
         t.location, NULL, NULL, NULL, NULL, NULL, NULL, NULL, t.id, NULL, NULL, NULL,
         (SELECT name FROM v_evidence_host h WHERE h.evidence_id = t.evidence_id)
  FROM tasks t JOIN evidence v ON v.id = t.evidence_id WHERE t.last_run_time > 0
  UNION ALL
  SELECT f.time, 'Registry Key Last Written', 'fact', f.kind,
         'Host fact ' || f.kind || ': ' || f.subject || ' = ' || f.value,
         NULL, NULL, NULL, NULL, v.sha256,
         (SELECT path FROM evidence_paths p WHERE p.evidence_id = v.id ORDER BY p.id LIMIT 1),
         f.basis, NULL, NULL, NULL, NULL, NULL, NULL, NULL, f.id, NULL, NULL, NULL,
         (SELECT name FROM hosts WHERE id = f.host_id)
  FROM facts f LEFT JOIN evidence v ON v.id = f.evidence_id
  WHERE f.time > 0 AND f.kind IN ('feature_state', 'sandbox_policy', 'audit_policy')
  UNION ALL
  -- a servicing-log line enabling or disabling the feature, its local time converted (§2.8)
  SELECT f.time, 'Servicing Log Line', 'fact', f.kind,
         'Windows Sandbox feature ' || f.value || 'd: ' || f.subject,
         NULL, NULL, NULL, NULL, v.sha256,
         (SELECT path FROM evidence_paths p WHERE p.evidence_id = v.id ORDER BY p.id LIMIT 1),
         f.basis, NULL, NULL, NULL, NULL, NULL, NULL, NULL, f.id, NULL, NULL, NULL,
         (SELECT name FROM hosts WHERE id = f.host_id)
  FROM facts f LEFT JOIN evidence v ON v.id = f.evidence_id
  WHERE f.time > 0 AND f.kind = 'feature_change' AND f.value IN ('enable', 'disable');


-- ---- What the report reads (export/report.c reads these views and v_citation only) ----------
-- Each view is one section's rows; the report adds the ORDER BY (a total order, so the same store
-- gives the same bytes). Column name prefixes tell the report how to show a cell: a_ (the row's
-- anchor), n_ (a number), t_ (a FILETIME), sha_ (an evidence link), ref_ and regs_ (row
-- references).

-- The case name and examiner the latest run recorded.
CREATE VIEW v_report_case AS
  SELECT (SELECT case_name FROM run WHERE case_name IS NOT NULL ORDER BY id DESC LIMIT 1)
           AS case_name,
         (SELECT examiner FROM run WHERE examiner IS NOT NULL ORDER BY id DESC LIMIT 1)
           AS examiner;
CREATE VIEW v_report_runs AS
  SELECT id, started, finished, tool_version, command_line, libraries FROM run;
-- The outputs of the latest run that wrote any.
CREATE VIEW v_report_outputs AS
  SELECT name, sha256, size FROM outputs WHERE run_id = (SELECT max(run_id) FROM outputs);
-- One row per evidence file; paths: every path it was found at, one per line.
CREATE VIEW v_report_evidence AS
  SELECT e.sha256, e.md5, e.sha1, e.size, e.kind, e.status, e.records_read, e.records_recovered,
         e.records_failed,
         (SELECT group_concat(path, char(10)) FROM
            (SELECT path || coalesce(' [on the host: ' || windows_path || ']', '') AS path
             FROM evidence_paths p WHERE p.evidence_id = e.id ORDER BY path)) AS paths,
         e.status_reason,
         (SELECT min(path) FROM evidence_paths p WHERE p.evidence_id = e.id) AS first_path
  FROM evidence e;
-- The counts the report states, in one row.
CREATE VIEW v_report_counts AS
  SELECT (SELECT count(*) FROM sessions) AS sessions,
         (SELECT count(*) FROM evidence) AS evidence,
         (SELECT count(*) FROM evidence WHERE status != 'parsed') AS evidence_not_parsed,
         (SELECT count(*) FROM parse_errors) AS parse_errors,
         (SELECT count(*) FROM other_vms) AS other_vms,
         (SELECT count(*) FROM archives) AS archives,
         (SELECT count(*) FROM v_report_outputs) AS outputs;
-- Host facts with the file they were read from (SHA-256 and first path), the host they describe
-- (the fact's host, §2.7; for a fact of no host, the computer name the SYSTEM hive states when the
-- collection has exactly one), and the report's section order.
CREATE VIEW v_report_facts AS
  SELECT f.id, f.kind, f.subject, f.value, f.detail, f.basis, f.confidence, f.section, f.time,
         v.sha256,
         (SELECT min(p.path) FROM evidence_paths p WHERE p.evidence_id = v.id) AS evidence_path,
         coalesce((SELECT name FROM hosts WHERE id = f.host_id),
                  (SELECT CASE WHEN count(DISTINCT h.value) = 1 THEN min(h.value) END FROM facts h
                   WHERE h.kind = 'host' AND h.subject = 'ComputerName')) AS host,
         CASE f.kind WHEN 'feature_state' THEN 0 WHEN 'sandbox_policy' THEN 1
                     WHEN 'feature_change' THEN 0 WHEN 'audit_coverage' THEN 2 WHEN 'cmdline_audit' THEN 3
                     WHEN 'audit_policy' THEN 4 WHEN 'task_cache' THEN 5 WHEN 'service' THEN 6
                     WHEN 'host' THEN 7 ELSE 8 END AS kind_order
  FROM facts f LEFT JOIN evidence v ON v.id = f.evidence_id;
-- Per provider: records seen, and the period its dated records cover.
CREATE VIEW v_report_provider_seen AS
  SELECT provider, sum(seen) AS seen FROM event_counts GROUP BY provider;
CREATE VIEW v_report_provider_period AS
  SELECT provider, min(time) AS first_time, max(time) AS last_time FROM events WHERE time > 0
  GROUP BY provider;
-- Page one: one row per session with what the answer says of it.
CREATE VIEW v_report_answer AS
  SELECT v.id AS id, json_extract(v.json, '$.vm_id') AS vm_id, s.start, s.end, s.end_inferred,
    s.verdict, s.score, s.confidence, s.trigger_kind, s.trigger_task, s.trigger_user,
    s.launcher_image, s.launcher_command_line, json_extract(v.json, '$.wsb.path') AS wsb_path,
    json_extract(v.json, '$.wsb.networking') AS wsb_networking,
    json_extract(v.json, '$.wsb.logon_command') AS wsb_logon_command,
    coalesce((SELECT group_concat(json_extract(f.value, '$.host') || CASE WHEN
      json_extract(f.value, '$.read_only') THEN ' (read-only)' ELSE ' (writable)' END, '; ')
      FROM json_each(v.json, '$.wsb.mapped_folders') f),
      (SELECT group_concat(json_extract(h.value, '$.host_path') || CASE json_extract(h.value,
        '$.read_only') WHEN 1 THEN ' (read-only)' WHEN 0 THEN ' (writable)' ELSE '' END, '; ')
       FROM json_each(v.json, '$.shares') h WHERE NOT json_extract(h.value, '$.internal')))
      AS folders,
    (SELECT count(*) FROM json_each(v.json, '$.commands')) AS commands,
    json_extract(v.json, '$.commands[0].command_line') AS first_command,
    (SELECT count(*) FROM json_each(v.json, '$.network') n
     WHERE json_extract(n.value, '$.event') = 'nic-connected') AS nic_connects,
    (SELECT group_concat(t, '; ') FROM (SELECT lower(substr(json_extract(f.value, '$.title'),
       1, 1)) || substr(json_extract(f.value, '$.title'), 2) AS t FROM json_each(v.json,
       '$.findings') f ORDER BY json_extract(f.value, '$.score') DESC, f.key LIMIT 3))
      AS top_findings,
    (SELECT e.sha256 FROM wsb_configs c JOIN evidence e ON e.id = c.evidence_id
     WHERE c.id = s.wsb_config_id AND c.source = 'file') AS wsb_sha256
  FROM v_session_json v JOIN sessions s ON s.id = v.id;
-- What each session's records could not show (sessions.missing), one row per sentence.
CREATE VIEW v_report_session_gaps AS
  SELECT s.id AS session_id, j.key AS position, j.value AS gap
  FROM sessions s, json_each(CASE WHEN json_valid(s.missing) THEN s.missing ELSE '[]' END) j;
-- Sandbox configurations with risky settings that no session links.
CREATE VIEW v_report_unlinked_configs AS
  SELECT c.location,
         (SELECT group_concat(k, char(10)) FROM (SELECT risk_id || ' (' || severity || '): '
            || reason AS k FROM wsb_risks WHERE config_id = c.id
            ORDER BY risk_id, coalesce(folder_position, -1))) AS risks,
         v.sha256 AS sha_evidence
  FROM wsb_configs c JOIN evidence v ON v.id = c.evidence_id
  WHERE EXISTS (SELECT 1 FROM wsb_risks k WHERE k.config_id = c.id)
    AND c.id NOT IN (SELECT wsb_config_id FROM sessions WHERE wsb_config_id IS NOT NULL)
    AND c.id NOT IN (SELECT row_id FROM session_events WHERE source_table = 'wsb_configs');
CREATE VIEW v_report_sessions AS
  SELECT id, vm_guid, vm_sid, kind, kind_basis, start, end, end_inferred, confidence, verdict,
         score, trigger_kind, trigger_task, trigger_user, launcher_image, launcher_pid,
         launcher_command_line, wsb_path, wsb_config_id
  FROM sessions;
-- A session's linked rows with the detail the behaviour graph draws.
CREATE VIEW v_report_links AS
  SELECT session_id, role, source_table, row_id, time,
         json_extract(detail, '$.command_line') AS command_line,
         json_extract(detail, '$.user') AS user,
         json_extract(detail, '$.host_path') AS host_path,
         json_extract(detail, '$.read_only') AS read_only,
         json_extract(detail, '$.internal') AS internal,
         json_extract(detail, '$.event') AS event
  FROM session_events;
-- Findings with their basis, one row reference per line; position keeps the order they fired in.
CREATE VIEW v_report_findings AS
  SELECT f.session_id, f.rowid AS position, f.rule_id, f.title, f.score, f.attack, f.section,
         f.reason,
         (SELECT group_concat(value, char(10)) FROM (SELECT j.value FROM json_each(CASE WHEN
            json_valid(f.basis) THEN f.basis ELSE '[]' END) j ORDER BY j.key)) AS basis_lines
  FROM findings f;
CREATE VIEW v_report_event_counts AS
  SELECT channel, provider, event_id AS n_id, sum(seen) AS n_seen, sum(stored) AS n_stored,
         count(DISTINCT evidence_id) AS n_files
  FROM event_counts GROUP BY channel, provider, event_id;
-- Parse errors summarised per file and reason (the full list stays in parse_errors).
CREATE VIEW v_report_parse_errors AS
  SELECT pe.path, count(*) AS n_times, pe.reason, min(pe.location) AS first_location,
         v.sha256 AS sha_evidence
  FROM parse_errors pe LEFT JOIN evidence v ON v.id = pe.evidence_id
  GROUP BY pe.path, pe.reason, v.sha256;
CREATE VIEW v_report_other_vms AS
  SELECT vm_guid, kind, kind_basis, first_seen AS t_first, last_seen AS t_last,
         records AS n_records
  FROM other_vms;
-- The appendix's events: every event linked to a session, read by a task, named by a finding or
-- drawn in a behaviour graph (v_report_process_chain).
CREATE VIEW v_report_appendix_events AS
  SELECT e.id, e.channel, e.provider, e.event_id, e.record_id, e.time, v.sha256, e.chunk,
         e.offset, e.recovered, e.computer,
         (SELECT group_concat(session_id, ' ') FROM (SELECT DISTINCT session_id
            FROM session_events se WHERE se.source_table = 'events' AND se.row_id = e.id
            ORDER BY session_id)) AS sessions,
         CAST(sqlar_uncompress(e.xml, e.xml_size) AS TEXT) AS xml
  FROM events e JOIN evidence v ON v.id = e.evidence_id
  WHERE e.id IN (SELECT row_id FROM session_events WHERE source_table = 'events'
                 UNION SELECT event_ref FROM tasks WHERE event_ref IS NOT NULL
                 UNION SELECT CAST(substr(j.value, 11) AS INTEGER)
                   FROM findings f, json_each(CASE WHEN json_valid(f.basis) THEN f.basis
                                                   ELSE '[]' END) j
                   WHERE j.value LIKE 'events.id=%'
                 UNION SELECT row_id FROM v_report_process_chain);
CREATE VIEW v_report_tasks AS
  SELECT t.id, v.sha256, t.uri,
    CASE WHEN t.event_ref IS NOT NULL THEN 'events.id=' || t.event_ref END AS ref_event,
    t.source, CASE WHEN t.location NOT LIKE '%.id=%' THEN t.location END AS location, t.author,
    t.description, t.registration_date, t.principal_user, t.principal_group,
    t.principal_logon_type, t.principal_run_level, t.enabled_raw, t.hidden, t.hidden_raw,
    t.sandbox_launcher, t.launcher_reason, t.wsb_path, t.inline_config, t.security_descriptor,
    t.xml_sha256, t.parse_problem,
    (SELECT group_concat(a, char(10)) FROM (SELECT position || ': ' || type
       || coalesce(' ' || command, '') || coalesce(' ' || arguments, '')
       || coalesce(' ' || class_id, '') AS a FROM task_actions WHERE task_id = t.id
       ORDER BY position)) AS actions,
    (SELECT group_concat(g, char(10)) FROM (SELECT position || ': ' || type
       || coalesce(' start ' || start_boundary, '') || coalesce(' delay ' || delay, '')
       || coalesce(' user ' || user_id, '') AS g FROM task_triggers WHERE task_id = t.id
       ORDER BY position)) AS triggers,
    t.basis AS regs_basis,
    -- task XML writes local times of the host without an offset (METHOD.md §8.7)
    CASE WHEN t.source != 'taskcache' THEN
      (SELECT group_concat(w, char(10)) FROM (
         SELECT 0 AS k, 'registration ' || t.registration_date AS w
         WHERE t.registration_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]'
         UNION ALL
         SELECT 1 + position, 'trigger ' || position || ' start ' || start_boundary
         FROM task_triggers WHERE task_id = t.id AND start_boundary GLOB
           '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]'
         ORDER BY k)) END AS lt_local_times
  FROM tasks t JOIN evidence v ON v.id = t.evidence_id;
CREATE VIEW v_report_configs AS
  SELECT c.id, v.sha256, c.location, c.source, c.well_formed, c.parse_problem, c.memory_raw,
    c.logon_command,
    (SELECT group_concat(s, char(10)) FROM (SELECT name || ': ' || description AS s
       FROM wsb_settings WHERE config_id = c.id ORDER BY name)) AS settings,
    (SELECT group_concat(f, char(10)) FROM (SELECT position || ': '
       || coalesce(host_folder, '?') || ' -> ' || coalesce(sandbox_folder, '?')
       || CASE read_only WHEN 1 THEN ' (read-only)' WHEN 0 THEN ' (writable)'
          ELSE ' (unknown)' END AS f
       FROM wsb_folders WHERE config_id = c.id ORDER BY position)) AS mapped_folders,
    (SELECT group_concat(k, char(10)) FROM (SELECT risk_id || ' [' || severity || ', '
       || section || ']: ' || reason AS k FROM wsb_risks WHERE config_id = c.id
       ORDER BY risk_id, coalesce(folder_position, -1))) AS risks
  FROM wsb_configs c JOIN evidence v ON v.id = c.evidence_id;
CREATE VIEW v_report_archives AS
  SELECT a.id, v.sha256, a.path, a.family, a.format_name, a.extension, a.name_mismatch,
         a.encrypted, a.headers_encrypted, a.entry_count, a.encrypted_entries, a.names,
         a.complete, a.reason
  FROM archives a JOIN evidence v ON v.id = a.evidence_id;
CREATE VIEW v_report_reg_values AS
  SELECT 'reg-' || g.id AS a_anchor, g.id AS n_id, g.hive_kind, g.key_path, g.value_name,
         g.value_type_name,
         coalesce(g.decoded, CASE WHEN length(g.raw_hex) > 1024
                                  THEN substr(g.raw_hex, 1, 1024) || '… ('
                                       || (length(g.raw_hex) / 2) || ' bytes)'
                                  ELSE g.raw_hex END) AS value,
         g.key_last_write AS t_written
  FROM reg_values g;
-- The process chains the behaviour graph draws (METHOD.md §6.9). chain 'origin' is the story of
-- §6.8 as correlate/story.c linked it: depth -1 the task's registration record (its Security 4698,
-- else its Task Scheduler 106), depth 0 the process that registered the task, 1.. its ancestors.
-- chain 'launch': the session's launcher record (depth 0) and its ancestors (depth 1-2), by the
-- parent rule of §6.8: the latest 4688 on the same computer, at or before the child, whose new
-- process id is the child's parent process id, with no boot (Kernel-General 12) in between.
CREATE VIEW v_report_process_chain AS
  WITH RECURSIVE
  chain(session_id, depth, row_id) AS (
    SELECT l.session_id, 0, min(l.row_id) FROM session_events l
    WHERE l.role = 'launch' AND l.source_table = 'events' GROUP BY l.session_id
    UNION ALL
    SELECT h.session_id, h.depth + 1,
           (SELECT c.id FROM events c
            WHERE c.provider = 'Microsoft-Windows-Security-Auditing' AND c.event_id = 4688
              AND json_extract(c.data, '$.NewProcessId') = json_extract(p.data, '$.ProcessId')
              AND c.computer IS p.computer AND c.time <= p.time AND c.id != p.id
              AND NOT EXISTS (SELECT 1 FROM events b
                              WHERE b.provider = 'Microsoft-Windows-Kernel-General'
                                AND b.event_id = 12 AND b.time > c.time AND b.time <= p.time)
            ORDER BY c.time DESC, c.id DESC LIMIT 1)
    FROM chain h JOIN events p ON p.id = h.row_id
    WHERE h.depth < 2)
  SELECT r.session_id, 'origin' AS chain, -1 AS depth, r.row_id, e.time, NULL AS image,
         NULL AS pid, NULL AS command_line, json_extract(r.detail, '$.user') AS user,
         NULL AS parent_image, e.provider || ' ' || e.event_id AS what
  FROM session_events r JOIN events e ON e.id = r.row_id
  WHERE r.role = 'registration' AND r.source_table = 'events'
    AND r.row_id = (SELECT q.row_id FROM session_events q JOIN events f ON f.id = q.row_id
                    WHERE q.session_id = r.session_id AND q.role = 'registration'
                      AND q.source_table = 'events'
                    ORDER BY f.event_id = 4698 DESC, f.time DESC, f.id DESC LIMIT 1)
  UNION ALL
  SELECT r.session_id, 'origin', CAST(json_extract(r.detail, '$.depth') AS INTEGER), r.row_id,
         e.time, json_extract(r.detail, '$.image'), json_extract(r.detail, '$.pid'),
         json_extract(r.detail, '$.command_line'), json_extract(r.detail, '$.user'),
         NULL, e.provider || ' ' || e.event_id
  FROM session_events r JOIN events e ON e.id = r.row_id
  WHERE r.role = 'registering_process' AND r.source_table = 'events'
  UNION ALL
  SELECT h.session_id, 'launch', h.depth, h.row_id, e.time, json_extract(e.data, '$.NewProcessName'),
         json_extract(e.data, '$.NewProcessId'), json_extract(e.data, '$.CommandLine'),
         json_extract(e.data, '$.SubjectDomainName') || '\'
           || json_extract(e.data, '$.SubjectUserName'),
         json_extract(e.data, '$.ParentProcessName'), e.provider || ' ' || e.event_id
  FROM chain h JOIN events e ON e.id = h.row_id;
-- The folders a session's configuration maps into the sandbox (to name the host file behind a
-- path the VM ran).
CREATE VIEW v_report_mapped_folders AS
  SELECT s.id AS session_id, f.position, f.host_folder, f.sandbox_folder, f.read_only
  FROM sessions s JOIN wsb_folders f ON f.config_id = s.wsb_config_id;
-- Configurations and task definitions as files: the SHA-256 and name the graph shows.
CREATE VIEW v_report_definition_files AS
  SELECT 'wsb_configs' AS tbl, c.id AS row_id, c.source, v.sha256, NULL AS uri
  FROM wsb_configs c JOIN evidence v ON v.id = c.evidence_id
  UNION ALL
  SELECT 'tasks', t.id, t.source, v.sha256, t.uri
  FROM tasks t JOIN evidence v ON v.id = t.evidence_id;
