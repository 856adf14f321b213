/* guestfault.c: an LD_PRELOAD library that breaks kbfix's writes into a
 * disk image on purpose, for tests/cli_disk_safety.sh.
 *
 *   KBFIX_GUESTFS_FAULT=upload      writing a file into the image fails
 *   KBFIX_GUESTFS_FAULT=rename      renaming a file into place fails
 *   KBFIX_GUESTFS_FAULT=die:upload  the appliance is killed (SIGKILL) at
 *                                   the first upload, which then fails
 *   KBFIX_GUESTFS_FAULT=die:rename  the same at the first rename
 *
 * A failing call is the real one made to fail (a source that is not
 * there), so that libguestfs itself reports the error as it would.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <guestfs.h>

static const char *
fault(void)
{
	const char *f = getenv("KBFIX_GUESTFS_FAULT");

	return f ? f : "";
}

/* die:STEP: kill the appliance's qemu. */
static void
maybe_die(guestfs_h *g, const char *step)
{
	const char *f = fault();
	int pid;

	if (strncmp(f, "die:", 4) != 0 || strcmp(f + 4, step) != 0)
		return;
	if ((pid = guestfs_get_pid(g)) > 0)
		kill((pid_t)pid, SIGKILL);
}

int
guestfs_upload(guestfs_h *g, const char *local, const char *remote)
{
	int (*real)(guestfs_h *, const char *, const char *) =
	    (int (*)(guestfs_h *, const char *, const char *))
	    dlsym(RTLD_NEXT, "guestfs_upload");

	maybe_die(g, "upload");
	if (strcmp(fault(), "upload") == 0)
		local = "/nonexistent/kbfix-fault";
	return real(g, local, remote);
}

int
guestfs_rename(guestfs_h *g, const char *from, const char *to)
{
	int (*real)(guestfs_h *, const char *, const char *) =
	    (int (*)(guestfs_h *, const char *, const char *))
	    dlsym(RTLD_NEXT, "guestfs_rename");

	maybe_die(g, "rename");
	if (strcmp(fault(), "rename") == 0)
		from = "/kbfix-fault-no-such-file";
	return real(g, from, to);
}
