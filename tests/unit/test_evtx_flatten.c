/* test_evtx_flatten.c - a rendered record becomes System columns and a name -> value object,
 * by name, from EventData or UserData (METHOD.md §1.10). */
#include <stdlib.h>

#include "check.h"
#include "parsers/evtx.h"

static struct evtx_event *flatten(const char *xml)
{
	struct evtx_event *event = calloc(1, sizeof *event);

	event->qualifiers = event->version = event->level = event->task = event->opcode = -1;
	event->process_id = event->thread_id = -1;
	if (evtx_flatten_xml(xml, strlen(xml), event) != 0) {
		evtx_event_free(event);
		return NULL;
	}
	return event;
}

int main(void)
{
	struct evtx_event *e;

	e = flatten(
		"<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><System>"
		"<Provider Name=\"Microsoft-Windows-Security-Auditing\" "
		"Guid=\"{54849625-5478-4994-A5BA-3E3B0328C30D}\"/><EventID Qualifiers=\"0\">4624</EventID>"
		"<Version>2</Version><Level>0</Level><Task>12544</Task><Opcode>0</Opcode>"
		"<Keywords>0x8020000000000000</Keywords><TimeCreated SystemTime=\"2025-01-08T07:21:18.1234567Z\"/>"
		"<EventRecordID>42</EventRecordID><Correlation ActivityID=\"{AAAAAAAA-0000-0000-0000-000000000001}\"/>"
		"<Execution ProcessID=\"812\" ThreadID=\"4000\"/><Channel>Security</Channel>"
		"<Computer>PC-K01</Computer><Security/></System><EventData>"
		"<Data Name=\"TargetUserName\">BB489898-BD61-4FC7-A343-F90DF8FB4884</Data>"
		"<Data Name=\"ProcessName\">C:\\Windows\\System32\\vmcompute.exe</Data>"
		"<Data Name=\"Empty\"></Data><Data>first</Data><Data>second</Data>"
		"<Data Name=\"Dup\">1</Data><Data Name=\"Dup\">2</Data></EventData></Event>");
	CHECK(e != NULL);
	if (e) {
		CHECK_STR(e->provider, "Microsoft-Windows-Security-Auditing");
		CHECK_STR(e->provider_guid, "{54849625-5478-4994-A5BA-3E3B0328C30D}");
		CHECK_INT(e->event_id, 4624);
		CHECK_INT(e->qualifiers, 0);
		CHECK_INT(e->version, 2);
		CHECK_INT(e->task, 12544);
		CHECK_STR(e->keywords, "0x8020000000000000");
		CHECK_INT(e->time, 133807944781234567ULL);
		CHECK_STR(e->activity_id, "{AAAAAAAA-0000-0000-0000-000000000001}");
		CHECK_INT(e->process_id, 812);
		CHECK_INT(e->thread_id, 4000);
		CHECK_STR(e->channel, "Security");
		CHECK_STR(e->computer, "PC-K01");
		CHECK(e->user_sid == NULL);
		CHECK_STR(e->data, "{\"TargetUserName\":\"BB489898-BD61-4FC7-A343-F90DF8FB4884\","
				   "\"ProcessName\":\"C:\\\\Windows\\\\System32\\\\vmcompute.exe\","
				   "\"Empty\":\"\",\"#1\":\"first\",\"#2\":\"second\",\"Dup\":\"1\","
				   "\"Dup[2]\":\"2\"}");
		evtx_event_free(e);
	}

	/* UserData: the wrapper is dropped, nested elements joined with '/', attributes kept. */
	e = flatten("<Event><System><EventID>18502</EventID><Security UserID=\"S-1-5-83-1-1\"/>"
		    "</System><UserData><VmlEventLog xmlns=\"http://www.microsoft.com/Windows/"
		    "Virtualization/Events\"><VmName>VM TOTAL</VmName><VmId>5D9E9825</VmId>"
		    "<Inner a=\"x\"><Leaf>v</Leaf></Inner></VmlEventLog></UserData></Event>");
	CHECK(e != NULL);
	if (e) {
		CHECK_INT(e->event_id, 18502);
		CHECK_STR(e->user_sid, "S-1-5-83-1-1");
		CHECK_STR(e->data, "{\"VmName\":\"VM TOTAL\",\"VmId\":\"5D9E9825\","
				   "\"Inner/@a\":\"x\",\"Inner/Leaf\":\"v\"}");
		evtx_event_free(e);
	}

	/* Task Scheduler names the template on EventData itself (METHOD.md §1.9 F). */
	e = flatten("<Event><System><EventID>129</EventID></System><EventData Name=\"CreatedTaskProcess\">"
		    "<Data Name=\"ProcessID\">6292</Data></EventData></Event>");
	CHECK(e != NULL);
	if (e) {
		CHECK_STR(e->data, "{\"@Name\":\"CreatedTaskProcess\",\"ProcessID\":\"6292\"}");
		evtx_event_free(e);
	}

	/* Not well-formed, or not an event: refused (the caller keeps libevtx's strings instead). */
	CHECK(flatten("<Event><System>") == NULL);
	CHECK(flatten("<Other/>") == NULL);
	/* External entities are never fetched or expanded. */
	e = flatten("<!DOCTYPE Event [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
		    "<Event><EventData><Data Name=\"a\">&x;</Data></EventData></Event>");
	if (e) {
		CHECK(strstr(e->data, "root:") == NULL);
		evtx_event_free(e);
	}
	return check_done("test_evtx_flatten");
}
