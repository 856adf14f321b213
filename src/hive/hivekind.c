/* hivekind.c: names of hive kinds. */
#include "config.h"

#include <stddef.h>
#include <strings.h>

#include "hivekind.h"

static const struct {
	const char *name;
	const char *alias;
	const char *root;
} kinds[HIVE__COUNT] = {
	[HIVE_UNKNOWN] = { "unknown", NULL, NULL },
	[HIVE_SYSTEM] = { "SYSTEM", NULL, "HKEY_LOCAL_MACHINE\\SYSTEM" },
	[HIVE_SOFTWARE] = { "SOFTWARE", NULL, "HKEY_LOCAL_MACHINE\\SOFTWARE" },
	[HIVE_NTUSER] = { "NTUSER", "NTUSER.DAT", "HKEY_CURRENT_USER" },
	[HIVE_SAM] = { "SAM", NULL, "HKEY_LOCAL_MACHINE\\SAM" },
	[HIVE_SECURITY] = { "SECURITY", NULL, "HKEY_LOCAL_MACHINE\\SECURITY" },
	[HIVE_USRCLASS] = { "USRCLASS", "UsrClass.dat",
	    "HKEY_CURRENT_USER\\Software\\Classes" },
	[HIVE_DEFAULT] = { "DEFAULT", NULL, "HKEY_USERS\\.DEFAULT" },
	[HIVE_COMPONENTS] = { "COMPONENTS", NULL,
	    "HKEY_LOCAL_MACHINE\\COMPONENTS" },
	[HIVE_AMCACHE] = { "AMCACHE", "Amcache.hve", "Amcache" },
};

const char *
hive_kind_name(enum hive_kind k)
{
	if ((int)k < 0 || k >= HIVE__COUNT)
		k = HIVE_UNKNOWN;
	return kinds[k].name;
}

enum hive_kind
hive_kind_parse(const char *name)
{
	int k;

	for (k = 1; k < HIVE__COUNT; k++) {
		if (strcasecmp(name, kinds[k].name) == 0)
			return k;
		if (kinds[k].alias && strcasecmp(name, kinds[k].alias) == 0)
			return k;
	}
	return HIVE_UNKNOWN;
}

const char *
hive_kind_reg_root(enum hive_kind k)
{
	if ((int)k < 0 || k >= HIVE__COUNT)
		return NULL;
	return kinds[k].root;
}
