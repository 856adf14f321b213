/* hivekind.h: which hive a file is (SYSTEM, SOFTWARE, NTUSER.DAT, ...). */
#ifndef KBFIX_HIVEKIND_H
#define KBFIX_HIVEKIND_H

enum hive_kind {
	HIVE_UNKNOWN = 0,
	HIVE_SYSTEM,
	HIVE_SOFTWARE,
	HIVE_NTUSER,		/* a user's NTUSER.DAT: HKEY_CURRENT_USER */
	HIVE_SAM,
	HIVE_SECURITY,
	HIVE_USRCLASS,		/* UsrClass.dat */
	HIVE_DEFAULT,		/* config\DEFAULT: HKEY_USERS\.DEFAULT */
	HIVE_COMPONENTS,
	HIVE_AMCACHE,
	HIVE__COUNT
};

/* "SYSTEM", "SOFTWARE", "NTUSER", ...; "unknown" for HIVE_UNKNOWN.
 * Static storage. */
const char *hive_kind_name(enum hive_kind k);

/* Parse a hive name as a remedy writes it (case-insensitive; "NTUSER.DAT"
 * and "NTUSER" both give HIVE_NTUSER).  HIVE_UNKNOWN if not recognised. */
enum hive_kind hive_kind_parse(const char *name);

/* The .reg root under which keys of this hive appear, e.g.
 * "HKEY_LOCAL_MACHINE\\SYSTEM", "HKEY_CURRENT_USER".  Static storage;
 * NULL for HIVE_UNKNOWN. */
const char *hive_kind_reg_root(enum hive_kind k);

#endif
