/* test_vm_commands.c - the 2500 parameters text read at ingest as METHOD.md §1.10 says: valid JSON
 * decoded, anything else verbatim between the quotes, and how each was read. */
#include <stdlib.h>

#include "check.h"
#include "vm_commands.h"

int main(void)
{
	struct vm_command_parameters p;

	/* The NPA sample's JSON is not valid (unescaped backslashes): the values are taken verbatim,
	 * "\r" stays a backslash and an r. */
	CHECK_INT(vm_commands_parse_parameters(
			  "{ \"CommandLine\": \"C:\\HostUsers\\Public\\run.bat\", \"User\": "
			  "\"WDAGUtilityAccount\", \"ConsoleSize\": [0,0], \"UseExistingLogin\": true}",
			  &p),
		  0);
	CHECK_STR(p.command_line, "C:\\HostUsers\\Public\\run.bat");
	CHECK_STR(p.user, "WDAGUtilityAccount");
	CHECK_STR(p.read_as, "verbatim");
	CHECK_STR(p.note, "not valid JSON: values taken verbatim between the quotes");
	vm_commands_parameters_clear(&p);
	CHECK_INT(vm_commands_parse_parameters(
			  "{\"commandline\":\"reg add HKLM\\Software\\test /d \\\"x\\\"\" }", &p),
		  0);
	CHECK_STR(p.command_line, "reg add HKLM\\Software\\test /d \\\"x\\\"");
	CHECK(p.user == NULL);
	CHECK_STR(p.read_as, "verbatim");
	vm_commands_parameters_clear(&p);
	/* Valid JSON is decoded (issue 10, class 1): doubled backslashes become one. */
	CHECK_INT(vm_commands_parse_parameters(
			  "{\"CommandLine\": \"C:\\\\docs\\\\cache\\\\7za.exe x a.7z\", \"User\": "
			  "\"NT AUTHORITY\\\\SYSTEM\", \"ConsoleSize\": [0, 0], \"UseExistingLogin\": true, "
			  "\"Extra\": {\"a\": [1.5e3, null, false]}}",
			  &p),
		  0);
	CHECK_STR(p.command_line, "C:\\docs\\cache\\7za.exe x a.7z");
	CHECK_STR(p.user, "NT AUTHORITY\\SYSTEM");
	CHECK_STR(p.read_as, "json");
	CHECK(p.note == NULL);
	vm_commands_parameters_clear(&p);
	/* Valid JSON that decodes to a tab ("C:\temp"): read verbatim, and said so. */
	CHECK_INT(vm_commands_parse_parameters("{\"CommandLine\": \"C:\\temp\\new.bat\"}", &p), 0);
	CHECK_STR(p.command_line, "C:\\temp\\new.bat");
	CHECK(p.user == NULL);
	CHECK_STR(p.read_as, "verbatim");
	CHECK_STR(p.note, "valid JSON, but a value read verbatim: decoded, it would hold a control "
			  "character");
	vm_commands_parameters_clear(&p);
	/* Valid JSON without the members: nothing is read, not even a nested "CommandLine". */
	CHECK_INT(vm_commands_parse_parameters("{\"Inner\": {\"CommandLine\": \"x.exe\"}}", &p), 0);
	CHECK(p.command_line == NULL && p.user == NULL);
	CHECK_STR(p.read_as, "none");
	vm_commands_parameters_clear(&p);
	CHECK_INT(vm_commands_parse_parameters("garbage", &p), 0);
	CHECK(p.command_line == NULL && p.user == NULL);
	CHECK_STR(p.read_as, "none");
	CHECK_STR(p.note, "no CommandLine or User in the parameters text");
	vm_commands_parameters_clear(&p);
	CHECK_INT(vm_commands_parse_parameters(NULL, &p), 0);
	CHECK_STR(p.read_as, "none");
	CHECK_STR(p.note, "no field holds the process parameters");
	vm_commands_parameters_clear(&p);
	return check_done("test_vm_commands");
}
