/*
 * system_fields.c - the System fields many event records share, stored once (system_fields.h,
 * METHOD.md §8.13).
 */
#include "system_fields.h"

#include <stdlib.h>
#include <string.h>

#include "../parsers/evtx.h"

enum {
	TEXTS = 6,        /* provider, provider_guid, channel, computer, keywords, user_sid */
	NUMBERS = 5,      /* qualifiers, version, level, task, opcode; -1 = absent */
	KEPT = 4096,      /* combinations remembered; past that the memory starts afresh (a log
			     of that many is rare, and the store still answers) */
	SLOTS = 2 * KEPT, /* open addressing, at most half full */
};

/* One combination, as the columns of system_fields hold it (NULL = absent). */
struct key {
	const char *texts[TEXTS];
	int64_t numbers[NUMBERS];
};

struct entry {
	uint64_t hash;
	int64_t id;
	char *texts[TEXTS];
	int64_t numbers[NUMBERS];
};

struct system_fields {
	sqlite3 *db;
	sqlite3_stmt *find, *add;
	struct entry entries[KEPT];
	size_t count;
	int slots[SLOTS]; /* index into entries + 1; 0 = empty */
};

/* Both statements bind the columns in the order of struct key: texts, then numbers. */
static const char FIND_SQL[] =
	"SELECT id FROM system_fields WHERE provider IS ?1 AND provider_guid IS ?2 AND channel IS ?3 "
	"AND computer IS ?4 AND keywords IS ?5 AND user_sid IS ?6 AND qualifiers IS ?7 AND "
	"version IS ?8 AND level IS ?9 AND task IS ?10 AND opcode IS ?11 ORDER BY id LIMIT 1";
static const char ADD_SQL[] =
	"INSERT INTO system_fields (provider, provider_guid, channel, computer, keywords, user_sid, "
	"qualifiers, version, level, task, opcode) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
	"?11)";

static struct key key_of(const struct evtx_event *e)
{
	struct key k = {
		{e->provider, e->provider_guid, e->channel, e->computer, e->keywords, e->user_sid},
		{e->qualifiers, e->version, e->level, e->task, e->opcode},
	};
	return k;
}

/* FNV-1a 64 over the texts (an absent one and an empty one differ) and the numbers. */
static uint64_t key_hash(const struct key *k)
{
	uint64_t hash = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < TEXTS; i++) {
		const unsigned char *p = (const unsigned char *)(k->texts[i] ? k->texts[i] : "");

		for (; *p; p++)
			hash = (hash ^ *p) * 0x100000001b3ULL;
		hash = (hash ^ (k->texts[i] ? 0x1fu : 0x1eu)) * 0x100000001b3ULL;
	}
	for (size_t i = 0; i < NUMBERS; i++)
		hash = (hash ^ (uint64_t)k->numbers[i]) * 0x100000001b3ULL;
	return hash;
}

static int same_text(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static int entry_is(const struct entry *entry, uint64_t hash, const struct key *k)
{
	if (entry->hash != hash)
		return 0;
	for (size_t i = 0; i < TEXTS; i++)
		if (!same_text(entry->texts[i], k->texts[i]))
			return 0;
	return memcmp(entry->numbers, k->numbers, sizeof entry->numbers) == 0;
}

static void forget_all(struct system_fields *fields)
{
	for (size_t i = 0; i < fields->count; i++)
		for (size_t t = 0; t < TEXTS; t++)
			free(fields->entries[i].texts[t]);
	fields->count = 0;
	memset(fields->slots, 0, sizeof fields->slots);
}

/* Remembers K as row ID (slot: the empty slot its probe ended on). Returns 0, or -1 when out of
 * memory (nothing is remembered then: the store still has the row). */
static int remember(struct system_fields *fields, size_t slot, uint64_t hash, const struct key *k,
		    int64_t id)
{
	struct entry *entry = &fields->entries[fields->count];

	memset(entry, 0, sizeof *entry);
	for (size_t i = 0; i < TEXTS; i++)
		if (k->texts[i] && !(entry->texts[i] = strdup(k->texts[i]))) {
			for (size_t t = 0; t < i; t++)
				free(entry->texts[t]);
			return -1;
		}
	entry->hash = hash;
	entry->id = id;
	memcpy(entry->numbers, k->numbers, sizeof entry->numbers);
	fields->slots[slot] = (int)++fields->count;
	return 0;
}

static void bind_key(sqlite3_stmt *st, const struct key *k)
{
	for (int i = 0; i < TEXTS; i++) {
		if (k->texts[i])
			sqlite3_bind_text(st, i + 1, k->texts[i], -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, i + 1);
	}
	for (int i = 0; i < NUMBERS; i++) {
		if (k->numbers[i] >= 0)
			sqlite3_bind_int64(st, TEXTS + i + 1, k->numbers[i]);
		else
			sqlite3_bind_null(st, TEXTS + i + 1);
	}
}

/* Finds K's row in the store, adding it when there is none. Returns 0, or -1 on an error. */
static int find_or_add(struct system_fields *fields, const struct key *k, int64_t *id)
{
	int rc;

	bind_key(fields->find, k);
	rc = sqlite3_step(fields->find);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(fields->find, 0);
	sqlite3_reset(fields->find);
	sqlite3_clear_bindings(fields->find);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return -1;
	bind_key(fields->add, k);
	rc = sqlite3_step(fields->add);
	sqlite3_reset(fields->add);
	sqlite3_clear_bindings(fields->add);
	if (rc != SQLITE_DONE)
		return -1;
	*id = sqlite3_last_insert_rowid(fields->db);
	return 0;
}

int system_fields_id(struct system_fields *fields, const struct evtx_event *event, int64_t *id)
{
	struct key k = key_of(event);
	uint64_t hash;
	size_t slot;

	for (size_t i = 0; i < NUMBERS; i++)
		if (k.numbers[i] < 0)
			k.numbers[i] = -1; /* one spelling of "absent" */
	hash = key_hash(&k);
	for (slot = hash % SLOTS; fields->slots[slot]; slot = (slot + 1) % SLOTS) {
		const struct entry *entry = &fields->entries[fields->slots[slot] - 1];

		if (entry_is(entry, hash, &k)) {
			*id = entry->id;
			return 0;
		}
	}
	if (find_or_add(fields, &k, id) != 0)
		return -1;
	if (fields->count == KEPT) {
		forget_all(fields);
		for (slot = hash % SLOTS; fields->slots[slot]; slot = (slot + 1) % SLOTS)
			;
	}
	(void)remember(fields, slot, hash, &k, *id); /* out of memory: asked of the store next time */
	return 0;
}

struct system_fields *system_fields_open(sqlite3 *db)
{
	struct system_fields *fields = calloc(1, sizeof *fields);

	if (!fields)
		return NULL;
	fields->db = db;
	if (sqlite3_prepare_v2(db, FIND_SQL, -1, &fields->find, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, ADD_SQL, -1, &fields->add, NULL) != SQLITE_OK) {
		system_fields_close(fields);
		return NULL;
	}
	return fields;
}

void system_fields_close(struct system_fields *fields)
{
	if (!fields)
		return;
	forget_all(fields);
	sqlite3_finalize(fields->find);
	sqlite3_finalize(fields->add);
	free(fields);
}
