/*
 * test_archive.c - unit tests for parsers/archive.c (METHOD.md §5.3): archives are written
 * at run time into a temporary folder with libarchive (zip, zip with PKWARE and AES encryption,
 * 7z, tar.gz) and, when Debian's p7zip-full is installed, with the 7z command (7z with encrypted
 * data, 7z with encrypted headers: libarchive cannot write encrypted 7z). Then renamed, cut
 * short or corrupted, and inspected field by field.
 */
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "parsers/archive.h"

static char folder[] = "/tmp/sandtrace-test-archive-XXXXXX";

static const char *in_folder(const char *name)
{
	static char paths[8][512];
	static int next;
	char *path = paths[next++ % 8];
	snprintf(path, sizeof paths[0], "%s/%s", folder, name);
	return path;
}

/* Writes NAMES (COUNT entries, content "data-<i>") with FORMAT; OPTIONS/PASSPHRASE may be NULL.
 * Returns 0, or -1 if libarchive refused (then the caller skips). */
static int write_archive(const char *path, const char *format, const char *filter,
			 const char *options, const char *passphrase, const char *const *names,
			 size_t count)
{
	struct archive *w = archive_write_new();
	int rc = -1;

	if (archive_write_set_format_by_name(w, format) != ARCHIVE_OK)
		goto out;
	if (filter && archive_write_add_filter_by_name(w, filter) != ARCHIVE_OK)
		goto out;
	if (options && archive_write_set_options(w, options) != ARCHIVE_OK) {
		printf("skip: libarchive refuses \"%s\": %s\n", options, archive_error_string(w));
		goto out;
	}
	if (passphrase && archive_write_set_passphrase(w, passphrase) != ARCHIVE_OK)
		goto out;
	if (archive_write_open_filename(w, path) != ARCHIVE_OK)
		goto out;
	for (size_t i = 0; i < count; i++) {
		struct archive_entry *entry = archive_entry_new();
		char data[32];
		int length = snprintf(data, sizeof data, "data-%zu", i);
		archive_entry_set_pathname(entry, names[i]);
		archive_entry_set_filetype(entry, AE_IFREG);
		archive_entry_set_perm(entry, 0644);
		archive_entry_set_size(entry, length);
		archive_entry_set_mtime(entry, 1700000000, 0);
		if (archive_write_header(w, entry) != ARCHIVE_OK ||
		    archive_write_data(w, data, (size_t)length) != length) {
			archive_entry_free(entry);
			goto out;
		}
		archive_entry_free(entry);
	}
	rc = archive_write_close(w) == ARCHIVE_OK ? 0 : -1;
out:
	archive_write_free(w);
	return rc;
}

static const char *const THREE[] = {"payload/loader.exe", "config.wsb", "readme.txt"};

static int copy_file(const char *from, const char *to, long limit, const char *append,
		     size_t append_length)
{
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	char buffer[4096];
	long done = 0;
	size_t got;
	int rc = -1;

	if (!in || !out)
		goto out;
	while ((limit < 0 || done < limit) && (got = fread(buffer, 1, sizeof buffer, in)) > 0) {
		if (limit >= 0 && done + (long)got > limit)
			got = (size_t)(limit - done);
		if (fwrite(buffer, 1, got, out) != got)
			goto out;
		done += (long)got;
	}
	if (append && fwrite(append, 1, append_length, out) != append_length)
		goto out;
	rc = 0;
out:
	if (in)
		fclose(in);
	if (out)
		fclose(out);
	return rc;
}

static struct archive_report *inspect(const char *path)
{
	struct archive_report *report = NULL;
	char err[256] = "";
	int rc = archive_inspect_file(path, &report, err, sizeof err);
	CHECK_INT(rc, 0);
	if (rc != 0)
		fprintf(stderr, "inspect %s: %s\n", path, err);
	return report;
}

static void test_plain_zip_fields(void)
{
	const char *zip = in_folder("plain.zip");
	struct archive_report *r;

	CHECK_INT(write_archive(zip, "zip", NULL, NULL, NULL, THREE, 3), 0);
	r = inspect(zip);
	if (!r)
		return;
	CHECK_STR(r->magic, "zip");
	CHECK_STR(r->family, "zip");
	CHECK(strncmp(r->format_name, "ZIP", 3) == 0);
	CHECK_INT(r->is_archive, 1);
	CHECK_INT(r->entry_count, 3);
	CHECK_INT(r->entries_capped, 0);
	CHECK_INT(r->complete, 1);
	CHECK_STR(r->reason, "");
	CHECK_INT(r->encrypted, 0);
	CHECK_INT(r->headers_encrypted, 0);
	CHECK_INT(r->encrypted_entries, 0);
	CHECK_INT(r->has_encrypted_entries, 0);
	CHECK_INT(r->name_count, 3);
	CHECK_STR(r->names[0], "payload/loader.exe");
	CHECK_STR(r->names[1], "config.wsb");
	CHECK_STR(r->names[2], "readme.txt");
	CHECK_STR(r->extension, "zip");
	CHECK_INT(r->extension_mismatch, 0);
	CHECK(r->file_size > 0);
	archive_report_free(r);
}

static void test_extension_verdicts(void)
{
	static const struct {
		const char *name;
		int mismatch;
	} CASES[] = {
		{"evidence.dat", 1}, {"cache.db", 1}, {"trace.LOG", 1}, {"x.tmp", 1},
		{"noextension", 1}, {"report.docx", 0}, {"book.XLSX", 0}, {"tool.jar", 0},
		{"app.apk", 0}, {"again.ZIP", 0}, {"wrong.7z", 1}, {"wrong.rar", 1},
		{".zip", 1}, {"dir.d/file", 1},
	};
	char zip[512];

	snprintf(zip, sizeof zip, "%s", in_folder("base.zip"));
	CHECK_INT(write_archive(zip, "zip", NULL, NULL, NULL, THREE, 3), 0);
	mkdir(in_folder("dir.d"), 0700);
	for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
		const char *path = in_folder(CASES[i].name);
		struct archive_report *r;
		CHECK_INT(copy_file(zip, path, -1, NULL, 0), 0);
		r = inspect(path);
		if (!r)
			continue;
		if (r->extension_mismatch != CASES[i].mismatch)
			fprintf(stderr, "extension case %s\n", CASES[i].name);
		CHECK_INT(r->extension_mismatch, CASES[i].mismatch);
		CHECK_STR(r->family, "zip");
		CHECK_INT(r->entry_count, 3);
		archive_report_free(r);
	}
}

static void test_encrypted_zip(const char *options, const char *name)
{
	const char *zip = in_folder(name);
	struct archive_report *r;

	if (write_archive(zip, "zip", NULL, options, "infected", THREE, 3) != 0) {
		printf("skip: this libarchive cannot write a zip with %s\n", options);
		return;
	}
	r = inspect(zip);
	if (!r)
		return;
	CHECK_STR(r->family, "zip");
	CHECK_INT(r->entry_count, 3);
	CHECK_INT(r->complete, 1);
	CHECK_INT(r->encrypted, 1);
	CHECK_INT(r->headers_encrypted, 0);
	CHECK_INT(r->encrypted_entries, 3);
	CHECK_INT(r->data_encrypted_entries, 3);
	CHECK_INT(r->metadata_encrypted_entries, 0);
	CHECK_INT(r->has_encrypted_entries, 1);
	CHECK_STR(r->names[1], "config.wsb"); /* zip names stay readable */
	CHECK_INT(r->extension_mismatch, 1);  /* ".bin" */
	archive_report_free(r);
}

static void test_plain_7z_disguised(void)
{
	const char *path = in_folder("session.db");
	struct archive_report *r;

	CHECK_INT(write_archive(path, "7zip", NULL, NULL, NULL, THREE, 3), 0);
	r = inspect(path);
	if (!r)
		return;
	CHECK_STR(r->magic, "7z");
	CHECK_STR(r->family, "7z");
	CHECK_STR(r->format_name, "7-Zip");
	CHECK_INT(r->entry_count, 3);
	CHECK_INT(r->complete, 1);
	CHECK_INT(r->encrypted, 0);
	CHECK_STR(r->extension, "db");
	CHECK_INT(r->extension_mismatch, 1);
	CHECK_STR(r->names[0], "payload/loader.exe");
	archive_report_free(r);
}

static int have_7z(void)
{
	return system("command -v 7z >/dev/null 2>&1") == 0;
}

/* 7z with encrypted data, and with encrypted headers (-mhe=on): the latter lists nothing. */
static void test_encrypted_7z(void)
{
	char command[1600];
	struct archive_report *r;

	if (!have_7z()) {
		printf("skip: 7z (Debian p7zip-full) not installed: no encrypted 7z tests\n");
		return;
	}
	{
		FILE *f = fopen(in_folder("a.txt"), "w");
		CHECK(f != NULL);
		if (!f)
			return;
		fputs("hello\n", f);
		fclose(f);
	}
	snprintf(command, sizeof command,
		 "cd '%s' && 7z a -pinfected -mhe=on headers.dat a.txt >/dev/null 2>&1 && "
		 "7z a -pinfected data.log a.txt >/dev/null 2>&1 && "
		 "7z a -t7z named.7z a.txt >/dev/null 2>&1",
		 folder);
	CHECK_INT(system(command), 0);

	r = inspect(in_folder("headers.dat"));
	if (r) {
		CHECK_STR(r->magic, "7z");
		CHECK_STR(r->family, "7z");
		CHECK_INT(r->is_archive, 1);
		CHECK_INT(r->entry_count, 0);
		CHECK_INT(r->complete, 0);
		CHECK_INT(r->headers_encrypted, 1);
		CHECK_INT(r->encrypted, 1);
		CHECK(strncmp(r->reason, "encrypted headers: ", 19) == 0);
		CHECK(strstr(r->reason, "corrupt") == NULL);
		CHECK_INT(r->extension_mismatch, 1);
		archive_report_free(r);
	}
	r = inspect(in_folder("data.log"));
	if (r) {
		CHECK_STR(r->family, "7z");
		CHECK_INT(r->entry_count, 1);
		CHECK_INT(r->complete, 1);
		CHECK_INT(r->headers_encrypted, 0);
		CHECK_INT(r->encrypted, 1);
		CHECK_INT(r->encrypted_entries, 1);
		CHECK_INT(r->data_encrypted_entries, 1);
		CHECK_STR(r->names[0], "a.txt");
		CHECK_INT(r->extension_mismatch, 1);
		archive_report_free(r);
	}
	r = inspect(in_folder("named.7z"));
	if (r) {
		CHECK_INT(r->encrypted, 0);
		CHECK_INT(r->extension_mismatch, 0);
		archive_report_free(r);
	}
}

static void test_truncated_zip(void)
{
	const char *const many[] = {"a.txt", "b.txt", "c.txt", "d.txt", "e.txt", "f.txt"};
	const char *zip = in_folder("whole.zip"), *cut = in_folder("cut.tmp");
	struct archive_report *r;
	struct stat st;

	CHECK_INT(write_archive(zip, "zip", NULL, "zip:compression=store", NULL, many, 6), 0);
	CHECK_INT(stat(zip, &st), 0);
	/* keep the first local headers, lose the central directory */
	CHECK_INT(copy_file(zip, cut, (long)st.st_size / 4, NULL, 0), 0);
	r = inspect(cut);
	if (!r)
		return;
	CHECK_STR(r->magic, "zip");
	CHECK_INT(r->is_archive, 1);
	CHECK_INT(r->complete, 0);
	CHECK(r->entry_count < 6);
	if (r->entry_count >= 6 || r->complete)
		fprintf(stderr, "truncated: %llu entries, reason %s\n",
			(unsigned long long)r->entry_count, r->reason);
	CHECK(r->reason[0] != 0);
	CHECK_INT(r->headers_encrypted, 0);
	CHECK_INT(r->encrypted, -1); /* nothing seen, listing incomplete */
	CHECK_INT(r->extension_mismatch, 1);
	archive_report_free(r);
}

static void test_garbage_after_magic(void)
{
	static const char SEVEN[] = "\x37\x7A\xBC\xAF\x27\x1C";
	static const char ZIP[] = "PK\x03\x04";
	char garbage[600];
	struct archive_report *r;
	FILE *f;

	for (size_t i = 0; i < sizeof garbage; i++)
		garbage[i] = (char)(i * 37 + 11);
	f = fopen(in_folder("fake7z.dat"), "wb");
	CHECK(f != NULL);
	if (!f)
		return;
	fwrite(SEVEN, 1, 6, f);
	fwrite(garbage, 1, sizeof garbage, f);
	fclose(f);
	r = inspect(in_folder("fake7z.dat"));
	if (r) {
		CHECK_STR(r->magic, "7z");
		CHECK_INT(r->is_archive, 1);
		CHECK_INT(r->complete, 0);
		CHECK_INT(r->entry_count, 0);
		CHECK_INT(r->headers_encrypted, 0);
		CHECK(r->reason[0] != 0);
		CHECK_INT(r->encrypted, -1);
		CHECK_INT(r->extension_mismatch, 1);
		archive_report_free(r);
	}
	f = fopen(in_folder("fakezip.zip"), "wb");
	CHECK(f != NULL);
	if (!f)
		return;
	fwrite(ZIP, 1, 4, f);
	fwrite(garbage, 1, sizeof garbage, f);
	fclose(f);
	r = inspect(in_folder("fakezip.zip"));
	if (r) {
		CHECK_STR(r->magic, "zip");
		CHECK_INT(r->complete, 0);
		CHECK(r->reason[0] != 0);
		CHECK_INT(r->extension_mismatch, 0);
		archive_report_free(r);
	}
}

static void test_not_an_archive(void)
{
	struct archive_report *r;
	char err[128] = "";
	FILE *f = fopen(in_folder("notes.txt"), "w");

	CHECK(f != NULL);
	if (!f)
		return;
	fputs("just some text, no archive here\n", f);
	fclose(f);
	r = inspect(in_folder("notes.txt"));
	if (r) {
		CHECK_INT(r->is_archive, 0);
		CHECK_STR(r->magic, "");
		CHECK_STR(r->family, "");
		CHECK_STR(r->format_name, "");
		CHECK_INT(r->extension_mismatch, -1);
		CHECK(strncmp(r->reason, "not an archive libarchive recognises", 36) == 0);
		archive_report_free(r);
	}
	f = fopen(in_folder("empty.zip"), "w");
	if (f)
		fclose(f);
	r = inspect(in_folder("empty.zip"));
	if (r) {
		CHECK_INT(r->is_archive, 0);
		CHECK_INT(r->file_size, 0);
		archive_report_free(r);
	}
	r = (struct archive_report *)1;
	CHECK_INT(archive_inspect_file(in_folder("missing.zip"), &r, err, sizeof err), -1);
	CHECK(r == NULL);
	CHECK(strncmp(err, "cannot open", 11) == 0);
	CHECK_INT(archive_inspect_file(folder, &r, err, sizeof err), -1);
	CHECK_STR(err, "not a regular file");
	CHECK_INT(symlink(in_folder("notes.txt"), in_folder("link.zip")), 0);
	CHECK_INT(archive_inspect_file(in_folder("link.zip"), &r, err, sizeof err), -1);
}

static void test_tar_gz(void)
{
	const char *path = in_folder("bundle.tgz"), *renamed = in_folder("bundle.log");
	struct archive_report *r;

	CHECK_INT(write_archive(path, "pax", "gzip", NULL, NULL, THREE, 3), 0);
	r = inspect(path);
	if (r) {
		CHECK_STR(r->magic, "gzip");
		CHECK_STR(r->family, "tar");
		CHECK_STR(r->filter_name, "gzip");
		CHECK_INT(r->entry_count, 3);
		CHECK_INT(r->encrypted, 0);
		CHECK_INT(r->has_encrypted_entries, ARCHIVE_READ_FORMAT_ENCRYPTION_UNSUPPORTED);
		CHECK_INT(r->extension_mismatch, 0);
		archive_report_free(r);
	}
	CHECK_INT(copy_file(path, renamed, -1, NULL, 0), 0);
	r = inspect(renamed);
	if (r) {
		CHECK_INT(r->extension_mismatch, 1);
		archive_report_free(r);
	}
}

static void test_bounds(void)
{
	enum { MANY = ARCHIVE_REPORT_MAX_ENTRIES + 5 };
	char **names = calloc(MANY, sizeof *names);
	char long_name[700];
	const char *path = in_folder("many.tar");
	const char *one[1];
	struct archive_report *r;

	CHECK(names != NULL);
	if (!names)
		return;
	for (size_t i = 0; i < MANY; i++) {
		names[i] = malloc(16);
		if (names[i])
			snprintf(names[i], 16, "f%zu", i);
	}
	CHECK_INT(write_archive(path, "ustar", NULL, NULL, NULL, (const char *const *)names, MANY),
		  0);
	r = inspect(path);
	if (r) {
		CHECK_INT(r->entry_count, ARCHIVE_REPORT_MAX_ENTRIES);
		CHECK_INT(r->entries_capped, 1);
		CHECK_INT(r->complete, 0);
		CHECK_INT(r->name_count, ARCHIVE_REPORT_MAX_NAMES);
		CHECK_STR(r->names[ARCHIVE_REPORT_MAX_NAMES - 1], "f31");
		CHECK(strstr(r->reason, "ARCHIVE_REPORT_MAX_ENTRIES") != NULL);
		archive_report_free(r);
	}
	for (size_t i = 0; i < MANY; i++)
		free(names[i]);
	free(names);

	/* a 600-byte name with a 2-byte UTF-8 character across the 512-byte cut */
	memset(long_name, 'a', sizeof long_name);
	memcpy(long_name + 511, "\xC3\xA9", 2);
	long_name[600] = 0;
	one[0] = long_name;
	path = in_folder("longname.zip");
	CHECK_INT(write_archive(path, "zip", NULL, NULL, NULL, one, 1), 0);
	r = inspect(path);
	if (r) {
		CHECK_INT(r->name_count, 1);
		CHECK_INT(strlen(r->names[0]), 511);
		archive_report_free(r);
	}
}

int main(void)
{
	char command[600];

	if (!mkdtemp(folder)) {
		perror("mkdtemp");
		return 1;
	}
	test_plain_zip_fields();
	test_extension_verdicts();
	test_encrypted_zip("zip:encryption=zipcrypt", "pkware.bin");
	test_encrypted_zip("zip:encryption=aes256", "aes.bin");
	test_plain_7z_disguised();
	test_encrypted_7z();
	test_truncated_zip();
	test_garbage_after_magic();
	test_not_an_archive();
	test_tar_gz();
	test_bounds();
	snprintf(command, sizeof command, "rm -rf '%s'", folder);
	if (system(command) != 0)
		fprintf(stderr, "could not remove %s\n", folder);
	return check_done("test_archive");
}
