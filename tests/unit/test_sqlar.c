/* test_sqlar.c - the stored XML's SQLite Archive layout: packed and read back byte for byte, as
 * zlib's own uncompress() and the SQL function sqlar_uncompress read it (METHOD.md §8.12). */
#include "check.h"

#include <sqlite3.h>
#include <zlib.h>

#include "sqlar.h"

/* sqlar_uncompress(?1, ?2) on DB; returns SQLite's step result, the value in *OUT (malloc'd). */
static int sql_uncompress(sqlite3 *db, const void *data, int data_size, sqlite3_int64 size,
			  char **out, int *out_size)
{
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*out_size = -1;
	if (sqlite3_prepare_v2(db, "SELECT sqlar_uncompress(?1, ?2)", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (data)
		sqlite3_bind_blob(st, 1, data, data_size, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, size);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*out_size = sqlite3_column_bytes(st, 0);
		*out = malloc((size_t)*out_size + 1);
		memcpy(*out, sqlite3_column_blob(st, 0), (size_t)*out_size);
		(*out)[*out_size] = '\0';
	}
	sqlite3_finalize(st);
	return rc;
}

int main(void)
{
	struct sqlar_packer *packer = sqlar_packer_new();
	struct sqlar_blob blob, again;
	char err[200], *text = NULL, xml[4096];
	size_t length = 0;
	sqlite3 *db = NULL;
	int got_size;

	CHECK(packer != NULL);
	/* A rendered record: repeated element names compress. */
	for (int i = 0; i < 20; i++)
		length += (size_t)snprintf(xml + length, sizeof xml - length,
					   "  <Data Name=\"Field%d\">value %d</Data>\n", i, i * 7);
	CHECK_INT(sqlar_pack(packer, xml, length, &blob, err, sizeof err), 0);
	CHECK_INT(blob.size, length);
	CHECK(blob.data_size < length / 2);
	CHECK(blob.data_size >= 2 && blob.data[0] == 0x78); /* a zlib stream, as compress() writes */
	/* zlib's own uncompress() reads it: the layout needs nothing of sandtrace's. */
	{
		char *plain = malloc(length + 1);
		uLongf plain_size = (uLongf)length;
		CHECK_INT(uncompress((Bytef *)plain, &plain_size, blob.data, (uLong)blob.data_size), Z_OK);
		CHECK_INT(plain_size, length);
		CHECK(memcmp(plain, xml, length) == 0);
		free(plain);
	}
	CHECK_INT(sqlar_unpack(blob.data, blob.data_size, blob.size, &text, err, sizeof err), 0);
	CHECK_STR(text, xml);
	free(text);
	/* The same text gives the same bytes (the settings are fixed; the packer is reused). */
	CHECK_INT(sqlar_pack(packer, xml, length, &again, err, sizeof err), 0);
	CHECK(again.data_size == blob.data_size && !memcmp(again.data, blob.data, blob.data_size));
	sqlar_blob_free(&again);
	/* A recorded size that is not the text's is an error, never a shorter or padded text. */
	CHECK_INT(sqlar_unpack(blob.data, blob.data_size, blob.size + 1, &text, err, sizeof err), -1);
	CHECK(text == NULL);

	/* A text compression does not shorten is kept as it is: size == its length. */
	CHECK_INT(sqlar_pack(packer, "<E/>", 4, &again, err, sizeof err), 0);
	CHECK(again.size == 4 && again.data_size == 4 && !memcmp(again.data, "<E/>", 4));
	CHECK_INT(sqlar_unpack(again.data, again.data_size, again.size, &text, err, sizeof err), 0);
	CHECK_STR(text, "<E/>");
	free(text);

	/* The SQL function, as the sqlite3 shell's of the same name behaves. */
	CHECK_INT(sqlite3_open(":memory:", &db), SQLITE_OK);
	CHECK_INT(sqlar_register(db), SQLITE_OK);
	CHECK_INT(sql_uncompress(db, blob.data, (int)blob.data_size, (sqlite3_int64)blob.size, &text,
				 &got_size), SQLITE_ROW);
	CHECK_INT(got_size, length);
	CHECK_STR(text, xml);
	free(text);
	CHECK_INT(sql_uncompress(db, again.data, (int)again.data_size, 4, &text, &got_size),
		  SQLITE_ROW);
	CHECK_STR(text, "<E/>");
	free(text);
	CHECK_INT(sql_uncompress(db, NULL, 0, 0, &text, &got_size), SQLITE_ROW); /* NULL stays NULL */
	CHECK(text == NULL && got_size == -1);
	/* Damaged bytes are an SQL error, not a wrong text. */
	blob.data[blob.data_size / 2] ^= 0x55;
	blob.data[blob.data_size - 1] ^= 0x55;
	CHECK_INT(sql_uncompress(db, blob.data, (int)blob.data_size, (sqlite3_int64)blob.size, &text,
				 &got_size), SQLITE_ERROR);
	CHECK(text == NULL);
	sqlite3_close(db);

	sqlar_blob_free(&blob);
	sqlar_blob_free(&again);
	sqlar_packer_free(packer);
	return check_done("sqlar");
}
