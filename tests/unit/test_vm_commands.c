/* test_vm_commands.c - the 2500 parameters text read at ingest as METHOD.md §1.10 says: valid JSON
 * decoded, anything else verbatim between the quotes, and how each was read. */
#include <stdlib.h>

#include "check.h"
#include "vm_commands.h"

/* TEXT must read as COMMAND and USER (NULL: absent), READ_AS, with NOTE (NULL: none). */
static void expect(const char *text, const char *command, const char *user, const char *read_as,
		   const char *note)
{
	struct vm_command_parameters p;

	CHECK_INT(vm_commands_parse_parameters(text, &p), 0);
	if (command)
		CHECK_STR(p.command_line, command);
	else
		CHECK(p.command_line == NULL);
	if (user)
		CHECK_STR(p.user, user);
	else
		CHECK(p.user == NULL);
	CHECK_STR(p.read_as, read_as);
	if (note)
		CHECK_STR(p.note, note);
	else
		CHECK(p.note == NULL);
	vm_commands_parameters_clear(&p);
}

int main(void)
{
	static const char NOT_JSON[] = "not valid JSON: values taken verbatim between the quotes";

	/* The NPA sample's JSON is not valid (unescaped backslashes): the values are taken
	 * verbatim, "\r" stays a backslash and an r. */
	expect("{ \"CommandLine\": \"C:\\HostUsers\\Public\\run.bat\", \"User\": "
	       "\"WDAGUtilityAccount\", \"ConsoleSize\": [0,0], \"UseExistingLogin\": true}",
	       "C:\\HostUsers\\Public\\run.bat", "WDAGUtilityAccount", "verbatim", NOT_JSON);
	expect("{\"commandline\":\"reg add HKLM\\Software\\test /d \\\"x\\\"\" }",
	       "reg add HKLM\\Software\\test /d \\\"x\\\"", NULL, "verbatim", NOT_JSON);
	/* Valid JSON is decoded (issue 10, class 1): doubled backslashes become one. */
	expect("{\"CommandLine\": \"C:\\\\docs\\\\cache\\\\7za.exe x a.7z\", \"User\": "
	       "\"NT AUTHORITY\\\\SYSTEM\", \"ConsoleSize\": [0, 0], \"UseExistingLogin\": true, "
	       "\"Extra\": {\"a\": [1.5e3, null, false]}}",
	       "C:\\docs\\cache\\7za.exe x a.7z", "NT AUTHORITY\\SYSTEM", "json", NULL);
	/* Valid JSON that decodes to a tab ("C:\temp"): read verbatim, and said so. */
	expect("{\"CommandLine\": \"C:\\temp\\new.bat\"}", "C:\\temp\\new.bat", NULL, "verbatim",
	       "valid JSON, but a value read verbatim: decoded, it would hold a control character");
	/* Valid JSON without the members: nothing is read, not even a nested "CommandLine". */
	expect("{\"Inner\": {\"CommandLine\": \"x.exe\"}}", NULL, NULL, "none",
	       "no CommandLine or User in the parameters text");
	expect("garbage", NULL, NULL, "none", "no CommandLine or User in the parameters text");
	expect(NULL, NULL, NULL, "none", "no field holds the process parameters");
	return check_done("test_vm_commands");
}
