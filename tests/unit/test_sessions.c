/* test_sessions.c - the join keys of METHOD.md §0.2-§0.3, as the session correlator uses them
 * (the 2500 parameters are read at ingest: test_vm_commands.c). */
#include <stdlib.h>

#include "check.h"
#include "correlate/sessions.h"

static void sid_pair(const char *guid, const char *sid)
{
	char got_sid[80], got_guid[40];

	CHECK_INT(sessions_sid_from_guid(guid, got_sid, sizeof got_sid), 0);
	CHECK_STR(got_sid, sid);
	CHECK_INT(sessions_guid_from_sid(sid, got_guid, sizeof got_guid), 0);
	CHECK_STR(got_guid, guid);
}

int main(void)
{
	char guid[37], sid[80];

	/* §0.3: the two pairs confirmed on real events, and the NPA GUID. */
	sid_pair("D9E0EB0A-5B37-508E-9173-67E9ADE83ACF",
		 "S-1-5-83-1-3655396106-1351506743-3915871121-3476744365");
	sid_pair("5D9E9825-1973-4B27-9AF1-BA77940A4066",
		 "S-1-5-83-1-1570674725-1260853619-2008740250-1715473044");
	sid_pair("BB489898-BD61-4FC7-A343-F90DF8FB4884",
		 "S-1-5-83-1-3142097048-1338490209-234439587-2219375608");
	/* Lower case and braces are the same GUID. */
	CHECK_INT(sessions_sid_from_guid("{bb489898-bd61-4fc7-a343-f90df8fb4884}", sid, sizeof sid), 0);
	CHECK_STR(sid, "S-1-5-83-1-3142097048-1338490209-234439587-2219375608");
	/* Not VM SIDs: the group S-1-5-83-0, another authority, an overflowing part, trailing text. */
	CHECK(sessions_guid_from_sid("S-1-5-83-0", guid, sizeof guid) != 0);
	CHECK(sessions_guid_from_sid("S-1-5-21-1-2-3-4", guid, sizeof guid) != 0);
	CHECK(sessions_guid_from_sid("S-1-5-83-1-4294967296-1-2-3", guid, sizeof guid) != 0);
	CHECK(sessions_guid_from_sid("S-1-5-83-1-1-2-3-4x", guid, sizeof guid) != 0);
	CHECK(sessions_sid_from_guid("not-a-guid", sid, sizeof sid) != 0);

	/* A GUID inside text (NIC names, messages); hex next to it is not a GUID boundary. */
	CHECK_INT(sessions_find_guid("e7a13c52-98d4-4f0b-b6c1-3d5f2a8e9047--3F8A2B61-0C4D-4E5F-9A7B-6C1D2E3F4A5B",
				     guid), 1);
	CHECK_STR(guid, "E7A13C52-98D4-4F0B-B6C1-3D5F2A8E9047");
	CHECK_INT(sessions_find_guid("[bb489898-bd61-4fc7-a343-f90df8fb4884] Create process", guid), 1);
	CHECK_STR(guid, "BB489898-BD61-4FC7-A343-F90DF8FB4884");
	CHECK_INT(sessions_find_guid("ab489898-bd61-4fc7-a343-f90df8fb48841", guid), 0);
	CHECK_INT(sessions_find_guid("no guid here", guid), 0);

	return check_done("test_sessions");
}
