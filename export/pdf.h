/*
 * pdf.h - printing the HTML report to PDF through headless Chromium, when it is installed.
 *
 * sandtrace does not lay out PDF itself: Chromium's print engine reads the report's @page rules
 * (A4, header and footer on every page, one session per page). The browser runs with no network
 * (every host name resolves to nothing), a throw-away profile, and a time limit.
 */
#ifndef SANDTRACE_EXPORT_PDF_H
#define SANDTRACE_EXPORT_PDF_H

#include <stddef.h>

/* The Chromium program found: $SANDTRACE_CHROMIUM if set, else the first of chromium,
 * chromium-browser, google-chrome on PATH. Returns a malloc'ed path, or NULL if none. */
char *pdf_find_chromium(void);

/* Prints the HTML file HTML_PATH to PDF_PATH (written under a temporary name, renamed when
 * complete). Returns 0; 1 when no Chromium is installed (ERR says how to get it); -1 when printing
 * failed (ERR says why). */
int pdf_print(const char *html_path, const char *pdf_path, char *err, size_t err_size);

#endif
