/*
 * hive_replay_marks.c - notes on the rows a transaction-log replay changed (see the header).
 */
#include "parsers/hive_replay_marks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

#define STATES_MAX 8   /* the primary and up to 7 logs applied (Windows keeps at most 3) */
#define BEFORE_MAX 64  /* bytes of the earlier value shown in a note */

/* The row of STATE with ROW's key path and value name (NULL: a key row), or NULL. */
static const struct hive_row *same_row(const struct hive_result *state, const struct hive_row *row)
{
	for (size_t i = 0; state && i < state->row_count; i++) {
		const struct hive_row *other = &state->rows[i];

		if (strcmp(other->key_path, row->key_path) != 0)
			continue;
		if (!row->value_name ? !other->value_name
				     : other->value_name && !strcmp(other->value_name, row->value_name))
			return other;
	}
	return NULL;
}

static int same_value(const struct hive_row *a, const struct hive_row *b)
{
	return a && b && a->value_type == b->value_type && a->data_size == b->data_size &&
	       (!a->data_size || memcmp(a->data, b->data, a->data_size) == 0);
}

/* The file name of PATH, without its folders. */
static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* "before the replay: absent" or its text or its first bytes in hex. */
static void describe_before(struct strbuf *note, const struct hive_row *before)
{
	if (!before) {
		strbuf_append_str(note, "absent from the primary file");
		return;
	}
	if (before->text) {
		strbuf_printf(note, "the primary file holds \"%.200s\"", before->text);
		return;
	}
	strbuf_append_str(note, "the primary file holds hex ");
	for (size_t i = 0; i < before->data_size && i < BEFORE_MAX; i++)
		strbuf_printf(note, "%02x", before->data[i]);
	if (before->data_size > BEFORE_MAX)
		strbuf_printf(note, "... (%zu bytes)", before->data_size);
}

int hive_mark_replay(struct hive_result *replayed, const char *primary_path,
		     const struct hive_replay *replay, char *err, size_t err_size)
{
	struct hive_result *states[STATES_MAX] = {NULL};
	const struct hive_log_outcome *applied[STATES_MAX];
	char *paths[STATES_MAX];
	size_t count = 0;
	int rc = -1;

	/* The applied logs in the order of their first sequence number. */
	for (size_t i = 0; i < replay->log_count && count + 1 < STATES_MAX; i++) {
		const struct hive_log_outcome *o = &replay->logs[i];
		size_t at = count;

		if (!o->applied)
			continue;
		while (at > 0 && (int32_t)(applied[at - 1]->first_sequence - o->first_sequence) > 0) {
			applied[at] = applied[at - 1];
			at--;
		}
		applied[at] = o;
		count++;
	}
	if (hive_parse_file(primary_path, &states[0], err, err_size) != 0)
		goto out;
	/* State K: the primary with the first K applied logs (the last state is REPLAYED itself). */
	for (size_t k = 1; k < count; k++) {
		struct hive_replay *partial = NULL;

		paths[k - 1] = applied[k - 1]->name;
		if (hive_log_replay_files(primary_path, paths, k, &partial, err, err_size) != 0)
			goto out;
		if (hive_parse_memory(partial->data, partial->size, &states[k], err, err_size) != 0) {
			hive_replay_free(partial);
			goto out;
		}
		hive_replay_free(partial);
	}
	states[count] = replayed;
	for (size_t i = 0; i < replayed->row_count; i++) {
		struct hive_row *row = &replayed->rows[i];
		const struct hive_row *before = same_row(states[0], row);
		struct strbuf note = STRBUF_INIT;
		size_t k = 1;

		if (row->value_name ? same_value(before, row) : before != NULL)
			continue;
		while (k < count && !(row->value_name ? same_value(same_row(states[k], row), row)
						      : same_row(states[k], row) != NULL))
			k++;
		strbuf_printf(&note, "from the transaction log %s (sequence %u-%u); ",
			      base_name(applied[k - 1]->name), applied[k - 1]->first_sequence,
			      applied[k - 1]->last_sequence);
		describe_before(&note, before);
		row->replay = strbuf_detach(&note);
		if (!row->replay) {
			snprintf(err, err_size, "out of memory");
			goto out;
		}
	}
	rc = 0;
out:
	for (size_t k = 0; k < count; k++)
		hive_result_free(states[k]);
	return rc;
}
