/*
 * forge_main.c - stforge, the evidence forge's command line.
 *
 *   stforge evtx [--damage=crc,truncate,zero-record,dirty] IN.xml OUT.evtx
 *   stforge hive IN.reg OUT [LOG1.reg [LOG2.reg]]
 *   stforge case SOURCE_DIR OUT_DIR
 *
 * `case` turns a tree of text sources (testdata/case) into a host collection, file by file:
 *   NAME.evtx.xml -> NAME.evtx   (evtx_writer)
 *   NAME.hive.reg -> NAME        (hive_writer)
 *   NAME.LOG1.reg, NAME.LOG2.reg beside it -> NAME dirty, with NAME.LOG1, NAME.LOG2 holding those
 *                                keys (hive_forge_dirty: they exist only once the logs are replayed)
 *   NAME.utf16    -> NAME        (UTF-8 source written as UTF-16LE with BOM, as Windows writes task XML)
 *   anything else -> copied unchanged
 * Every output file gets the same fixed mtime so that a case built twice is identical.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "evtx_writer.h"
#include "hive_writer.h"

/* 2025-01-10T00:00:00Z, after every event of the bundled case: the moment the triage was taken. */
static const time_t CASE_MTIME = 1736467200;
/* The same moment as a FILETIME, for hive keys without a ;@lastwrite comment. */
static const uint64_t CASE_FILETIME = (uint64_t)1736467200 * 10000000u + 116444736000000000u;

static int usage(void)
{
	fprintf(stderr, "usage: stforge evtx [--damage=crc,truncate,zero-record,dirty] IN.xml OUT.evtx\n"
			"       stforge hive IN.reg OUT [LOG1.reg [LOG2.reg]]\n"
			"       stforge case SOURCE_DIR OUT_DIR\n");
	return 2;
}

static int parse_damage(const char *list, unsigned *damage)
{
	static const struct {
		const char *name;
		unsigned flag;
	} NAMES[] = {
		{"crc", EVTX_DAMAGE_CHUNK_CRC},
		{"truncate", EVTX_DAMAGE_TRUNCATE_LAST},
		{"zero-record", EVTX_DAMAGE_ZERO_RECORD},
		{"dirty", EVTX_DAMAGE_DIRTY_HEADER},
	};
	const char *p = list;

	while (*p) {
		size_t len = strcspn(p, ",");
		size_t i;

		for (i = 0; i < sizeof NAMES / sizeof NAMES[0]; i++)
			if (strlen(NAMES[i].name) == len && strncmp(NAMES[i].name, p, len) == 0)
				break;
		if (i == sizeof NAMES / sizeof NAMES[0]) {
			fprintf(stderr, "stforge: unknown damage '%.*s'\n", (int)len, p);
			return -1;
		}
		*damage |= NAMES[i].flag;
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

static int ends_with(const char *text, const char *suffix)
{
	size_t a = strlen(text), b = strlen(suffix);
	return a >= b && strcmp(text + a - b, suffix) == 0;
}

static int read_whole(const char *path, char **data, size_t *size)
{
	FILE *file = fopen(path, "rb");
	char *buffer = NULL;
	size_t used = 0, capacity = 0, got;
	int rc = -1;

	if (!file) {
		fprintf(stderr, "stforge: %s: %s\n", path, strerror(errno));
		return -1;
	}
	do {
		if (capacity - used < 65536) {
			char *grown = realloc(buffer, capacity + 65536 + 1);
			if (!grown)
				goto out;
			buffer = grown;
			capacity += 65536;
		}
		got = fread(buffer + used, 1, capacity - used, file);
		used += got;
	} while (got > 0);
	if (ferror(file)) {
		fprintf(stderr, "stforge: %s: read error\n", path);
		goto out;
	}
	*data = buffer;
	*size = used;
	buffer = NULL;
	rc = 0;
out:
	free(buffer);
	fclose(file);
	return rc;
}

static int write_whole(const char *path, const char *data, size_t size)
{
	FILE *file = fopen(path, "wb");
	int rc = 0;

	if (!file) {
		fprintf(stderr, "stforge: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (size && fwrite(data, 1, size, file) != size)
		rc = -1;
	if (fclose(file) != 0)
		rc = -1;
	if (rc)
		fprintf(stderr, "stforge: %s: write error\n", path);
	return rc;
}

/* UTF-8 IN -> UTF-16LE with a byte-order mark at OUT. */
static int write_utf16(const char *in, const char *out)
{
	char *source = NULL, *target = NULL;
	size_t source_size, capacity;
	iconv_t convert = (iconv_t)-1;
	int rc = -1;

	if (read_whole(in, &source, &source_size) != 0)
		return -1;
	capacity = source_size * 4 + 2;
	target = malloc(capacity);
	convert = iconv_open("UTF-16LE", "UTF-8");
	if (!target || convert == (iconv_t)-1)
		goto out;
	{
		char *inp = source, *outp = target + 2;
		size_t inleft = source_size, outleft = capacity - 2;

		target[0] = (char)0xFF;
		target[1] = (char)0xFE;
		if (iconv(convert, &inp, &inleft, &outp, &outleft) == (size_t)-1) {
			fprintf(stderr, "stforge: %s: not valid UTF-8\n", in);
			goto out;
		}
		rc = write_whole(out, target, capacity - outleft);
	}
out:
	if (convert != (iconv_t)-1)
		iconv_close(convert);
	free(source);
	free(target);
	return rc;
}

static int copy_file(const char *in, const char *out)
{
	char *data = NULL;
	size_t size;
	int rc;

	if (read_whole(in, &data, &size) != 0)
		return -1;
	rc = write_whole(out, data, size);
	free(data);
	return rc;
}

static int fix_mtime(const char *path)
{
	struct timespec times[2] = {{CASE_MTIME, 0}, {CASE_MTIME, 0}};
	return utimensat(AT_FDCWD, path, times, 0);
}

/* NAME.LOG1.reg, NAME.LOG2.reg...: the keys of a hive's transaction log (forge_one). */
static int is_log_source(const char *name)
{
	const char *dot = strstr(name, ".LOG");
	return dot && dot[4] >= '1' && dot[4] <= '9' && strcmp(dot + 5, ".reg") == 0;
}

/* Builds one source file IN into the folder OUT_DIR under its target name. */
static int forge_one(const char *in, const char *name, const char *out_dir)
{
	char out[4096], err[512] = "";
	size_t len = strlen(name);
	int rc;

	if (ends_with(name, ".evtx.xml")) {
		snprintf(out, sizeof out, "%s/%.*s", out_dir, (int)(len - 4), name);
		rc = evtx_forge_file(in, out, EVTX_DAMAGE_NONE, err, sizeof err);
	} else if (ends_with(name, ".hive.reg")) {
		char logs[HIVE_FORGE_LOGS_MAX][4096];
		const char *log_paths[HIVE_FORGE_LOGS_MAX];
		size_t log_count = 0;
		struct stat st;

		for (unsigned n = 1; n <= HIVE_FORGE_LOGS_MAX; n++) {
			snprintf(logs[log_count], sizeof logs[log_count], "%.*s.LOG%u.reg",
				 (int)(strlen(in) - 9), in, n);
			if (stat(logs[log_count], &st) != 0)
				break;
			log_paths[log_count] = logs[log_count];
			log_count++;
		}
		snprintf(out, sizeof out, "%s/%.*s", out_dir, (int)(len - 9), name);
		rc = hive_forge_dirty(in, log_paths, log_count, out, CASE_FILETIME, err, sizeof err);
		for (unsigned n = 1; rc == 0 && n <= log_count; n++) {
			char log_out[4200];
			snprintf(log_out, sizeof log_out, "%s.LOG%u", out, n);
			rc = fix_mtime(log_out);
		}
	} else if (is_log_source(name)) {
		return 0; /* forged with its hive, above */
	} else if (ends_with(name, ".utf16")) {
		snprintf(out, sizeof out, "%s/%.*s", out_dir, (int)(len - 6), name);
		rc = write_utf16(in, out);
	} else {
		snprintf(out, sizeof out, "%s/%s", out_dir, name);
		rc = copy_file(in, out);
	}
	if (rc != 0) {
		fprintf(stderr, "stforge: %s: %s\n", in, err[0] ? err : "failed");
		return -1;
	}
	return fix_mtime(out);
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int forge_tree(const char *source_dir, const char *out_dir)
{
	DIR *dir;
	struct dirent *entry;
	char **names = NULL;
	size_t count = 0;
	int rc = 0;

	if (mkdir(out_dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "stforge: %s: %s\n", out_dir, strerror(errno));
		return -1;
	}
	dir = opendir(source_dir);
	if (!dir) {
		fprintf(stderr, "stforge: %s: %s\n", source_dir, strerror(errno));
		return -1;
	}
	while ((entry = readdir(dir)) != NULL) {
		char **grown;
		if (entry->d_name[0] == '.' &&
		    (entry->d_name[1] == 0 || (entry->d_name[1] == '.' && entry->d_name[2] == 0)))
			continue;
		grown = realloc(names, (count + 1) * sizeof *names);
		if (!grown || !(grown[count] = strdup(entry->d_name))) {
			names = grown ? grown : names;
			rc = -1;
			break;
		}
		names = grown;
		count++;
	}
	closedir(dir);
	if (count)
		qsort(names, count, sizeof *names, compare_names);
	for (size_t i = 0; i < count && rc == 0; i++) {
		char in[4096], sub[4096];
		struct stat st;

		snprintf(in, sizeof in, "%s/%s", source_dir, names[i]);
		if (lstat(in, &st) != 0) {
			rc = -1;
		} else if (S_ISDIR(st.st_mode)) {
			snprintf(sub, sizeof sub, "%s/%s", out_dir, names[i]);
			rc = forge_tree(in, sub);
			if (rc == 0)
				rc = fix_mtime(sub);
		} else if (S_ISREG(st.st_mode)) {
			rc = forge_one(in, names[i], out_dir);
		}
	}
	for (size_t i = 0; i < count; i++)
		free(names[i]);
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	char err[512] = "";

	if (argc >= 2 && strcmp(argv[1], "evtx") == 0) {
		unsigned damage = EVTX_DAMAGE_NONE;
		int arg = 2;

		if (arg < argc && strncmp(argv[arg], "--damage=", 9) == 0) {
			if (parse_damage(argv[arg] + 9, &damage) != 0)
				return 2;
			arg++;
		}
		if (argc - arg != 2)
			return usage();
		if (evtx_forge_file(argv[arg], argv[arg + 1], damage, err, sizeof err) != 0) {
			fprintf(stderr, "stforge: %s: %s\n", argv[arg], err);
			return 1;
		}
		return 0;
	}
	if (argc >= 4 && argc <= 4 + (int)HIVE_FORGE_LOGS_MAX && strcmp(argv[1], "hive") == 0) {
		const char *logs[HIVE_FORGE_LOGS_MAX];
		for (int i = 4; i < argc; i++)
			logs[i - 4] = argv[i];
		if (hive_forge_dirty(argv[2], logs, (size_t)(argc - 4), argv[3], CASE_FILETIME, err,
				     sizeof err) != 0) {
			fprintf(stderr, "stforge: %s: %s\n", argv[2], err);
			return 1;
		}
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "case") == 0)
		return forge_tree(argv[2], argv[3]) == 0 ? 0 : 1;
	return usage();
}
