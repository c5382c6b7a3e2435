/*
 * evtx_writer.h - the forge's EVTX writer: event XML in, a Windows-compatible .evtx file out.
 *
 * Input is the XML that Event Viewer / `evtxexport -f xml` shows: an <Events> root (or a bare
 * <Event>) holding <Event> elements with <System> and <EventData> or <UserData>. Output is a
 * complete .evtx file (file header, 64 KiB chunks, string and template tables, BinXML records).
 * The damage flags write deliberately broken files for robustness tests.
 */
#ifndef SANDTRACE_FORGE_EVTX_WRITER_H
#define SANDTRACE_FORGE_EVTX_WRITER_H

#include <stddef.h>

enum evtx_damage {
	EVTX_DAMAGE_NONE = 0,
	EVTX_DAMAGE_CHUNK_CRC = 1 << 0,       /* first chunk's data CRC32 is wrong */
	EVTX_DAMAGE_TRUNCATE_LAST = 1 << 1,   /* final chunk cut short mid-record */
	EVTX_DAMAGE_ZERO_RECORD = 1 << 2,     /* one record in the middle overwritten with zeros */
	EVTX_DAMAGE_DIRTY_HEADER = 1 << 3,    /* file header flags say dirty (not closed cleanly) */
};

/* Writes OUT_PATH from the event XML in XML_PATH with the given damage flags (or'ed
 * enum evtx_damage). The XML is read one <Event> at a time and each 64 KiB chunk is written when
 * full, so memory does not grow with the log; the file is built as OUT_PATH.part and renamed to
 * OUT_PATH when complete, so a failure leaves OUT_PATH as it was. Returns 0, or -1 with a message
 * in ERR (ERR_LEN bytes, may be 0). */
int evtx_forge_file(const char *xml_path, const char *out_path, unsigned damage, char *err,
		    size_t err_len);

#endif
