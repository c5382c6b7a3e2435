/*
 * session_selection.c - the correlation from the records its steps read equals the correlation
 * from every session record (METHOD.md §6.10).
 *
 *   sandtrace_session_selection CASE.db
 *
 * Correlates the store twice in one transaction that is never committed (the store is left as it
 * was): with sessions_correlate, which keeps only the records a step reads, then with
 * sessions_correlate_every_record, which keeps every session record as the correlator did before
 * it selected. After each, every row the correlation writes (sessions, session_events, findings,
 * other_vms, and the facts) is read back in a total order; the two readings must be the same,
 * byte for byte. Prints the number of rows compared and the first difference. Exit 0 equal, 1
 * different, 2 usage or store error. Driven by tests/e2e/check_session_selection.py.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/sessions.h"
#include "store.h"
#include "strbuf.h"

/* Every table the correlation writes, each in an order that does not depend on row ids. */
static const char *const DUMPS[] = {
	"SELECT * FROM sessions ORDER BY id",
	"SELECT * FROM session_events ORDER BY session_id, role, source_table, row_id, time, basis, "
	"confidence, detail",
	"SELECT * FROM findings ORDER BY session_id, rule_id, basis",
	"SELECT * FROM other_vms ORDER BY host_id, vm_guid",
	"SELECT kind, subject, value, detail, time, basis, evidence_id, confidence, section, host_id "
	"FROM facts ORDER BY host_id, kind, subject, value, time, basis, detail",
};

struct dump {
	struct strbuf text;
	size_t rows;
};

static int dump_row(void *context, int columns, const char *const *names, const char *const *values)
{
	struct dump *d = context;

	for (int i = 0; i < columns; i++)
		strbuf_printf(&d->text, "%s%s=%s", i ? "|" : "", names[i],
			      values[i] ? values[i] : "NULL");
	strbuf_append_char(&d->text, '\n');
	d->rows++;
	return 0;
}

static int dump_tables(struct store *store, struct dump *d)
{
	for (size_t i = 0; i < sizeof DUMPS / sizeof DUMPS[0]; i++) {
		strbuf_printf(&d->text, "-- %s\n", DUMPS[i]);
		if (store_query(store, DUMPS[i], dump_row, d) != 0)
			return -1;
	}
	return strbuf_failed(&d->text) ? -1 : 0;
}

/* The first line where A and B differ, printed. */
static void print_difference(const char *a, const char *b)
{
	size_t line = 1;

	while (*a && *a == *b) {
		line += *a == '\n';
		a++;
		b++;
	}
	while (line > 1 && a[-1] != '\n') {
		a--;
		b--;
	}
	fprintf(stderr, "first difference at line %zu:\n  selected: %.300s\n  every record: %.300s\n",
		line, a, b);
}

int main(int argc, char **argv)
{
	struct store *store = NULL;
	struct dump selected = {STRBUF_INIT, 0}, every = {STRBUF_INIT, 0};
	size_t sessions = 0, reference_sessions = 0;
	char err[512];
	int rc = 2;

	if (argc != 2) {
		fprintf(stderr, "usage: sandtrace_session_selection CASE.db\n");
		return 2;
	}
	if (store_open(argv[1], &store, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	if (store_begin(store) != 0 || sessions_correlate(store, &sessions) != 0 ||
	    dump_tables(store, &selected) != 0 ||
	    sessions_correlate_every_record(store, &reference_sessions) != 0 ||
	    dump_tables(store, &every) != 0) {
		fprintf(stderr, "%s: %s\n", argv[1], store_error(store));
		goto out;
	}
	rc = strcmp(strbuf_text(&selected.text), strbuf_text(&every.text)) == 0 ? 0 : 1;
	printf("%s: %zu session(s), %zu row(s) compared: %s\n", argv[1], sessions, selected.rows,
	       rc == 0 ? "equal" : "DIFFERENT");
	if (rc != 0)
		print_difference(strbuf_text(&selected.text), strbuf_text(&every.text));
out:
	strbuf_free(&selected.text);
	strbuf_free(&every.text);
	store_close(store); /* the transaction is not committed: the store is left as it was */
	return rc;
}
