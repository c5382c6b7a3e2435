#!/usr/bin/python3
"""The bundled case's dirty SOFTWARE hive: the malicious task's TaskCache keys (Tree, Boot, Tasks)
are only in SOFTWARE.LOG1 (entry sequence 2: Tree + Boot) and SOFTWARE.LOG2 (sequence 3: Tasks).

Three collections forged from testdata/case, analysed, compared:
  with both logs   the replay applies both; the TaskCache task and its tree-without-sd fact exist;
                   the session's trigger names the TaskCache definition among its evidence; the
                   rows from the logs, and the fact resting on them, name their log and say the
                   primary file does not hold them
  without logs     the primary alone (libregf's view): no TaskCache task, no TaskCache fact, the hive
                   noted as dirty; the trigger still comes from the Task Scheduler 129 record
                   (strong), the task file and the 4698 record
  with LOG1 only   the Tree key without its Tasks key: a tree-id-without-task fact

    check_dirty_case.py STFORGE SANDTRACE TESTDATA_CASE
"""
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

TASK = "\\Microsoft\\Windows\\Maintenance\\MaintenanceSync"
CONFIG = os.path.join("C", "Windows", "System32", "config")
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def analyze(sandtrace, collection, out, label):
    run = subprocess.run([sandtrace, "analyze", collection, "-o", out], capture_output=True, text=True)
    check(run.returncode == 0, "%s: analyze exited %d: %s" % (label, run.returncode, run.stderr[-400:]))
    db = sqlite3.connect(os.path.join(out, "case.db"))
    db.row_factory = sqlite3.Row
    return db


def trigger_of(db):
    """(kind, link, task name) of the session the task started, and the sources of the task
    definitions linked to its trigger."""
    row = db.execute("SELECT id, trigger_kind, trigger_task FROM sessions WHERE trigger_task = ?",
                     (TASK,)).fetchone()
    if row is None:
        return None, []
    sources = sorted(r[0] for r in db.execute(
        "SELECT t.source FROM session_events se JOIN tasks t ON t.id = se.row_id WHERE "
        "se.session_id = ? AND se.role = 'trigger' AND se.source_table = 'tasks'", (row["id"],)))
    link = db.execute("SELECT confidence FROM session_events WHERE session_id = ? AND role = 'trigger' "
                      "AND source_table = 'events'", (row["id"],)).fetchone()
    return (row["trigger_kind"], link[0] if link else None), sources


def taskcache(db):
    tasks = [r[0] for r in db.execute("SELECT uri FROM tasks WHERE source = 'taskcache'")]
    cache_facts = sorted(tuple(r) for r in db.execute("SELECT subject, value FROM facts WHERE kind = 'task_cache'"))
    return tasks, cache_facts


def main():
    stforge, sandtrace, source = sys.argv[1:4]
    with tempfile.TemporaryDirectory() as tmp:
        full = os.path.join(tmp, "full")
        subprocess.run([stforge, "case", source, full], check=True, capture_output=True)
        bare = os.path.join(tmp, "bare")
        shutil.copytree(full, bare)
        first = os.path.join(tmp, "first")
        shutil.copytree(full, first)
        for name in ("SOFTWARE.LOG1", "SOFTWARE.LOG2"):
            os.remove(os.path.join(bare, CONFIG, name))
        os.remove(os.path.join(first, CONFIG, "SOFTWARE.LOG2"))

        # With both logs.
        db = analyze(sandtrace, full, os.path.join(tmp, "full-out"), "with logs")
        replays = [tuple(r) for r in db.execute(
            "SELECT substr(log_path, length(log_path) - 12), format, applied, refused, first_sequence, "
            "last_sequence, entries FROM hive_log_replays ORDER BY log_path")]
        check(replays == [("SOFTWARE.LOG1", "new", 1, 0, 2, 2, 1), ("SOFTWARE.LOG2", "new", 1, 0, 3, 3, 1)],
              "with logs: replays %s" % replays)
        tasks, cache_facts = taskcache(db)
        check(TASK in tasks, "with logs: no TaskCache task %s (tasks %s)" % (TASK, tasks))
        check((TASK, "tree-without-sd") in cache_facts, "with logs: TaskCache facts %s" % cache_facts)
        trigger, sources = trigger_of(db)
        check(trigger == ("task", "strong"), "with logs: trigger %s" % (trigger,))
        check(sources == ["event_4698", "task_file", "taskcache"],
              "with logs: the trigger's definitions %s, want the file, the 4698 and the TaskCache" % sources)
        dirty = db.execute("SELECT count(*) FROM parse_errors WHERE reason LIKE 'transaction logs not applied%'"
                           ).fetchone()[0]
        check(dirty == 0, "with logs: %d 'not applied' notes" % dirty)
        # The rows the replay gave are marked with their log and what the primary held (§8.3): the
        # Tree and Boot keys from LOG1, the Tasks key from LOG2, nothing else.
        marks = {}
        for key, value, note in db.execute("SELECT key_path, value_name, replay FROM reg_values "
                                           "WHERE replay IS NOT NULL"):
            part = "Tree" if "\\Tree\\" in key else "Boot" if "\\Boot" in key else \
                "Tasks" if "\\Tasks\\" in key else key
            marks.setdefault(part, set()).add(note)
        check(marks == {"Tree": {"from the transaction log SOFTWARE.LOG1 (sequence 2-2); absent from the primary file"},
                        "Boot": {"from the transaction log SOFTWARE.LOG1 (sequence 2-2); absent from the primary file"},
                        "Tasks": {"from the transaction log SOFTWARE.LOG2 (sequence 3-3); absent from the primary file"}},
              "with logs: replay marks %s" % marks)
        marked = db.execute("SELECT count(*) FROM facts WHERE kind = 'task_cache' AND subject = ? AND detail "
                            "LIKE '%[changed by the transaction-log replay: from the transaction log SOFTWARE.LOG1%'",
                            (TASK,)).fetchone()[0]
        check(marked == 1, "with logs: the tree-without-sd fact does not say it came from LOG1")
        unmarked = db.execute("SELECT count(*) FROM facts WHERE detail LIKE '%transaction-log replay%'").fetchone()[0]
        check(unmarked == 1, "with logs: %d facts marked, only the TaskCache one rests on logged rows" % unmarked)

        # Without the logs: what libregf alone would give.
        db = analyze(sandtrace, bare, os.path.join(tmp, "bare-out"), "without logs")
        tasks, cache_facts = taskcache(db)
        check(TASK not in tasks, "without logs: the TaskCache task is there: %s" % tasks)
        check(db.execute("SELECT count(*) FROM reg_values WHERE replay IS NOT NULL").fetchone()[0] == 0,
              "without logs: rows marked as replayed")
        check(not any(f[0] == TASK for f in cache_facts), "without logs: TaskCache facts %s" % cache_facts)
        trigger, sources = trigger_of(db)
        check(trigger == ("task", "strong"), "without logs: trigger %s (the 129 record still gives it)" % (trigger,))
        check(sources == ["event_4698", "task_file"], "without logs: the trigger's definitions %s" % sources)
        dirty = db.execute("SELECT count(*) FROM parse_errors p JOIN evidence_paths e ON e.evidence_id = "
                           "p.evidence_id WHERE e.path LIKE '%/SOFTWARE' AND p.reason LIKE "
                           "'transaction logs not applied%'").fetchone()[0]
        check(dirty == 1, "without logs: the dirty SOFTWARE hive is not noted (%d)" % dirty)
        hidden = db.execute("SELECT count(*) FROM findings WHERE rule_id = 'ST-TASK-HIDDEN'").fetchone()[0]
        check(hidden == 1, "without logs: ST-TASK-HIDDEN from the task file's Hidden=true: %d" % hidden)

        # LOG1 only: the Tree key names a task whose Tasks key is not there yet.
        db = analyze(sandtrace, first, os.path.join(tmp, "first-out"), "LOG1 only")
        tasks, cache_facts = taskcache(db)
        check(TASK not in tasks, "LOG1 only: a TaskCache task without its Tasks key: %s" % tasks)
        check((TASK, "tree-id-without-task") in cache_facts and (TASK, "tree-without-sd") in cache_facts,
              "LOG1 only: TaskCache facts %s" % cache_facts)
    for f in failures:
        print("FAIL: " + f)
    if not failures:
        print("ok: the MAL task's TaskCache entries come only from the replayed logs")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
