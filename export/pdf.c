/*
 * pdf.c - the HTML report printed to PDF by headless Chromium (see pdf.h).
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include "pdf.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "strbuf.h"

enum { PRINT_SECONDS = 180 }; /* the bundled case prints in about 15 s on 2 cores */

static int is_executable(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

char *pdf_find_chromium(void)
{
	static const char *const NAMES[] = {"chromium", "chromium-browser", "google-chrome"};
	const char *given = getenv("SANDTRACE_CHROMIUM"), *path = getenv("PATH");

	if (given && *given)
		return is_executable(given) ? strdup(given) : NULL;
	for (size_t n = 0; n < sizeof NAMES / sizeof NAMES[0]; n++) {
		const char *dir = path ? path : "/usr/bin:/bin";
		while (*dir) {
			size_t length = strcspn(dir, ":");
			struct strbuf candidate = STRBUF_INIT;
			strbuf_append(&candidate, dir, length);
			strbuf_append_char(&candidate, '/');
			strbuf_append_str(&candidate, NAMES[n]);
			if (!strbuf_failed(&candidate) && is_executable(strbuf_text(&candidate)))
				return strbuf_detach(&candidate);
			strbuf_free(&candidate);
			dir += length;
			if (*dir == ':')
				dir++;
		}
	}
	return NULL;
}

/* file:// URL of the absolute PATH, every byte outside the unreserved set and '/' %-encoded. */
static int file_url(const char *path, struct strbuf *url)
{
	static const char HEX[] = "0123456789ABCDEF";
	char absolute[PATH_MAX];

	if (!realpath(path, absolute))
		return -1;
	strbuf_append_str(url, "file://");
	for (const unsigned char *c = (const unsigned char *)absolute; *c; c++) {
		if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
		    strchr("-._~/", *c)) {
			strbuf_append_char(url, (char)*c);
		} else {
			strbuf_append_char(url, '%');
			strbuf_append_char(url, HEX[*c >> 4]);
			strbuf_append_char(url, HEX[*c & 15]);
		}
	}
	return strbuf_failed(url) ? -1 : 0;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	remove(path);
	return 0;
}

/* Runs ARGV with no input and no output, for at most PRINT_SECONDS. Returns its exit status, or
 * -1 if it could not be run or was stopped. */
static int run_quietly(char *const argv[])
{
	struct timespec pause = {0, 100 * 1000 * 1000};
	pid_t pid = fork();
	int status = 0;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	for (int waited = 0; waited < PRINT_SECONDS * 10; waited++) {
		pid_t done = waitpid(pid, &status, WNOHANG);
		if (done == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		if (done < 0)
			return -1;
		nanosleep(&pause, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

int pdf_print(const char *html_path, const char *pdf_path, char *err, size_t err_size)
{
	struct strbuf url = STRBUF_INIT, partial = STRBUF_INIT, print = STRBUF_INIT,
		      profile_option = STRBUF_INIT;
	char profile[] = "/tmp/sandtrace-chromium-XXXXXX", head[5] = "";
	char *chromium = pdf_find_chromium();
	FILE *check;
	int rc = -1, status;

	if (!chromium) {
		snprintf(err, err_size, "no Chromium found (apt-get install chromium, or set "
					"SANDTRACE_CHROMIUM): report.html was written, the PDF was not");
		return 1;
	}
	if (!mkdtemp(profile)) {
		snprintf(err, err_size, "cannot make a temporary browser profile: %s", strerror(errno));
		free(chromium);
		return -1;
	}
	strbuf_printf(&partial, "%s.partial", pdf_path);
	strbuf_printf(&print, "--print-to-pdf=%s", strbuf_text(&partial));
	strbuf_printf(&profile_option, "--user-data-dir=%s", profile);
	if (file_url(html_path, &url) != 0 || strbuf_failed(&partial) || strbuf_failed(&print) ||
	    strbuf_failed(&profile_option)) {
		snprintf(err, err_size, "%s: cannot name the report as a URL", html_path);
		goto out;
	}
	{
		char *argv[] = {chromium,
				"--headless",
				"--no-sandbox",
				"--disable-gpu",
				"--no-first-run",
				"--disable-background-networking",
				"--disable-component-update",
				"--disable-sync",
				"--host-resolver-rules=MAP * ~NOTFOUND",
				"--no-pdf-header-footer",
				profile_option.data,
				print.data,
				url.data,
				NULL};
		status = run_quietly(argv);
	}
	check = fopen(strbuf_text(&partial), "rb");
	if (check) {
		if (fread(head, 1, 4, check) != 4)
			head[0] = 0;
		fclose(check);
	}
	if (status != 0 || strncmp(head, "%PDF", 4) != 0) {
		snprintf(err, err_size, "%s did not print %s (exit status %d)", chromium, html_path,
			 status);
		unlink(strbuf_text(&partial));
		goto out;
	}
	if (rename(strbuf_text(&partial), pdf_path) != 0) {
		snprintf(err, err_size, "%s: %s", pdf_path, strerror(errno));
		unlink(strbuf_text(&partial));
		goto out;
	}
	rc = 0;
out:
	nftw(profile, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	strbuf_free(&url);
	strbuf_free(&partial);
	strbuf_free(&print);
	strbuf_free(&profile_option);
	free(chromium);
	return rc;
}
