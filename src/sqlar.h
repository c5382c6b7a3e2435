/*
 * sqlar.h - a stored record's XML kept compressed, in the layout of the SQLite Archive format
 * (METHOD.md §8.12).
 *
 * A text is kept as two values: DATA, its bytes compressed with zlib's compress() (a zlib stream)
 * when that is shorter, else the bytes as they are; and SIZE, the length of the text in bytes.
 * DATA is compressed exactly when its length differs from SIZE. This is the layout of the `data`
 * and `sz` columns of an SQLite Archive, so the sqlite3 shell's own sqlar_uncompress(DATA, SIZE)
 * reads it back; sandtrace registers a function of that name and meaning on every connection it
 * opens, and every reader of events.xml goes through it.
 */
#ifndef SANDTRACE_SQLAR_H
#define SANDTRACE_SQLAR_H

#include <stddef.h>

#include <sqlite3.h>

/* A text in the layout above. */
struct sqlar_blob {
	unsigned char *data;     /* owned; free with sqlar_blob_free */
	size_t data_size;        /* bytes of DATA */
	size_t size;             /* bytes of the text (== data_size: kept as it is) */
};

/* A zlib compressor kept for many texts: setting one up costs more than compressing a record of
 * 1-2 KB (its tables are allocated and cleared), so each thread that packs keeps one. */
struct sqlar_packer;

/* Returns a new packer, or NULL when out of memory. Free it with sqlar_packer_free. */
struct sqlar_packer *sqlar_packer_new(void);

void sqlar_packer_free(struct sqlar_packer *packer);

/* Packs TEXT (LENGTH bytes) into OUT with PACKER. The compression settings are fixed, so the same
 * text gives the same bytes with the same zlib. Returns 0, or -1 with ERR filled (out of memory,
 * or a text too long for zlib). */
int sqlar_pack(struct sqlar_packer *packer, const char *text, size_t length,
	       struct sqlar_blob *out, char *err, size_t err_size);

void sqlar_blob_free(struct sqlar_blob *blob);

/* Unpacks DATA (DATA_SIZE bytes) of a text of SIZE bytes into a new NUL-terminated buffer
 * (*TEXT, owned by the caller). Returns 0, or -1 with ERR filled when DATA is not a zlib stream
 * giving exactly SIZE bytes. */
int sqlar_unpack(const unsigned char *data, size_t data_size, size_t size, char **text,
		 char *err, size_t err_size);

/* Registers sqlar_uncompress(DATA, SIZE) on DB: DATA as it is when SIZE is NULL, not positive or
 * equal to DATA's length (NULL stays NULL); else DATA inflated, as a blob (read it with
 * CAST(... AS TEXT)); an SQL error when DATA does not inflate to SIZE bytes. Returns SQLite's
 * result code. */
int sqlar_register(sqlite3 *db);

#endif
