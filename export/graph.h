/*
 * graph.h - a session's behaviour graph, as a sandbox report draws it: the process chain from
 * the process that registered the task (or the launcher's own parents) through the task, the
 * launcher and the VM to the commands run in the VM, with the host files each step used (the task
 * definition, the .wsb, the folders mapped into the VM, the file behind a command) as nodes beside
 * it. Inline SVG, no script; drawn for a portrait page (700 units wide) and never cutting a name:
 * long text is wrapped at safe points (after a separator; a run without one, such as a hash, at a
 * fixed width), so every name can be read whole. Reads the v_report_* views only.
 */
#ifndef SANDTRACE_EXPORT_GRAPH_H
#define SANDTRACE_EXPORT_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

struct store;

/* Width in view-box units of the drawing (the A4 content width at 96 dpi is ~703). */
enum { GRAPH_WIDTH = 700 };

/* Appends the <figure> with the SVG of session SESSION_ID to OUT. Returns 0, or -1 when a query
 * failed (OUT then holds what was drawn so far). */
int graph_write_session(struct store *store, int64_t session_id, struct strbuf *out);

/* Wraps TEXT into lines of at most WIDTH code points, breaking after a space or one of \ / - _ , ; =
 * when one lies in the line, else at WIDTH; appends each line and a '\n' to OUT. No text is
 * dropped: the lines joined give TEXT back (spaces at a break are kept at the line's end). */
void graph_wrap(const char *text, size_t width, struct strbuf *out);

#endif
