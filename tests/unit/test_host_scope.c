/*
 * test_host_scope.c - --host's name matching and scope (src/host_scope.c, METHOD.md §8.9), on a
 * store written here: two hosts with an evidence file, a fact and a session each.
 */
#include "check.h"

#include <unistd.h>

#include "host_scope.h"
#include "store.h"
#include "scratch_store.h"

/* Host NAME as --host WANTED finds it: the stored name, "" when none or several match. */
static const char *found(struct store *store, const char *wanted, char *message, size_t size)
{
	int64_t id = 0;
	int rc = host_scope_find(store, wanted, &id, message, size);
	return rc == 0 ? message : "";
}

int main(void)
{
	char path[] = "/tmp/test_host_scope_XXXXXX", err[512], message[512];
	struct store *store = NULL, *reader = NULL;

	CHECK((store = scratch_store(path)) != NULL);
	if (!store)
		return 1;
	CHECK(store_exec_temp(store,
			      "INSERT INTO evidence (id, sha256, md5, sha1, size, kind, status, run_id) "
			      "VALUES (1, 'a', 'a', 'a', 1, 'evtx', 'parsed', 1), (2, 'b', 'b', 'b', 1, "
			      "'evtx', 'parsed', 1), (3, 'c', 'c', 'c', 1, 'wsb', 'parsed', 1);"
			      "INSERT INTO hosts (id, name, basis, confidence) VALUES (1, "
			      "'PC-K01.corp.example', 'x', 'high'), (2, 'WS-B02', 'y', 'high');"
			      "INSERT INTO evidence_hosts (evidence_id, host_id, how, basis) VALUES (1, 1, "
			      "'names_itself', ''), (2, 2, 'names_itself', ''), (3, NULL, 'unassigned', "
			      "'');"
			      "INSERT INTO facts (kind, subject, value, detail, basis, confidence, section, "
			      "host_id, evidence_id) VALUES ('host', 'ComputerName', 'PC-K01', '', '', "
			      "'high', 'x', 1, 1), ('host', 'ComputerName', 'WS-B02', '', '', 'high', 'x', "
			      "2, 2);") == 0);
	store_close(store);
	CHECK(store_open_read_only(path, &reader, err, sizeof err) == 0);
	if (!reader)
		return 1;

	/* names: case, the first DNS label both ways, never a prefix, never another DNS name */
	CHECK_STR(found(reader, "pc-k01", message, sizeof message), "PC-K01.corp.example");
	CHECK_STR(found(reader, "PC-K01.CORP.example", message, sizeof message), "PC-K01.corp.example");
	CHECK_STR(found(reader, "ws-b02.corp.example", message, sizeof message), "WS-B02");
	CHECK_STR(found(reader, "PC-K01.other.example", message, sizeof message), "");
	CHECK_STR(found(reader, "PC", message, sizeof message), "");
	CHECK(strstr(message, "no host PC in this case") &&
	      strstr(message, "2 hosts: PC-K01.corp.example, WS-B02"));

	/* the scope: one host's rows through tables and views, the store untouched */
	CHECK_INT(count(reader, "SELECT count(*) FROM evidence"), 3);
	CHECK(host_scope_enter(reader, 2, err, sizeof err) == 0);
	CHECK_INT(count(reader, "SELECT count(*) FROM evidence"), 1);
	CHECK_INT(count(reader, "SELECT count(*) FROM evidence WHERE sha256 = 'b'"), 1);
	CHECK_INT(count(reader, "SELECT count(*) FROM v_report_evidence"), 1);
	CHECK_INT(count(reader, "SELECT count(*) FROM facts WHERE value = 'WS-B02'"), 1);
	CHECK_INT(count(reader, "SELECT count(*) FROM v_report_facts"), 1);
	CHECK_INT(count(reader, "SELECT count(*) FROM hosts"), 1);
	CHECK_INT(count(reader, "SELECT count(*) FROM main.evidence"), 3);
	CHECK(host_scope_leave(reader) == 0);
	CHECK_INT(count(reader, "SELECT count(*) FROM v_report_evidence"), 3);
	CHECK(host_scope_enter(reader, STORE_SCOPE_UNASSIGNED, err, sizeof err) == 0);
	CHECK_INT(count(reader, "SELECT count(*) FROM evidence WHERE sha256 = 'c'"), 1);
	CHECK_INT(count(reader, "SELECT count(*) FROM evidence"), 1);
	CHECK_INT(count(reader, "SELECT count(*) FROM facts"), 0);
	CHECK(host_scope_leave(reader) == 0);

	/* the parts of the whole case: both hosts, then what no single host holds */
	struct host_scope_list parts;
	CHECK(host_scope_parts(reader, &parts) == 0);
	CHECK_INT(parts.count, 3);
	if (parts.count == 3) {
		CHECK_STR(parts.parts[0].name, "PC-K01.corp.example");
		CHECK_STR(parts.parts[1].name, "WS-B02");
		CHECK_INT(parts.parts[2].id, STORE_SCOPE_UNASSIGNED);
	}
	host_scope_parts_free(&parts);

	/* a reader's TEMP statements may not write the store */
	CHECK(store_exec_temp(reader, "DELETE FROM main.facts") != 0);
	CHECK_INT(count(reader, "SELECT count(*) FROM main.facts"), 2);
	store_close(reader);

	/* a table with no rule is refused by name, not shown whole */
	CHECK(store_open(path, &store, err, sizeof err) == 0);
	if (store) {
		CHECK(store_exec_temp(store, "CREATE TABLE notes (text TEXT)") == 0);
		CHECK(host_scope_enter(store, 1, err, sizeof err) != 0);
		CHECK(strstr(err, "table notes has no rule") != NULL);
		CHECK_INT(count(store, "SELECT count(*) FROM temp.sqlite_schema"), 0);
		store_close(store);
	}
	unlink(path);
	return check_done("host_scope");
}
