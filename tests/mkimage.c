/* mkimage: the disk images of the tests, made with the libguestfs API in
 * one appliance launch (tests/mkimages.sh).
 *
 *   mkimage HIVES OUT [DIRTY]
 *
 * HIVES is the build tree's tests/hives (the fixture hives), OUT the
 * folder the raw images go to, DIRTY (optional) a folder holding a dirty
 * NTUSER.DAT with its NTUSER.DAT.LOG1 and .LOG2:
 *
 *   win.img   one NTFS partition: Windows\System32\config\SYSTEM
 *             (system) and SOFTWARE (software-sms: an SMS 2.0 SP2 site
 *             server, as Q267971 asks); Users\pat\NTUSER.DAT
 *             (ntuser), Users\lee\NTUSER.DAT (ntuser-path), and with DIRTY
 *             Users\kim\NTUSER.DAT with its logs
 *   two.img   two Windows installations and a FAT volume without one:
 *             /dev/sda1 an Alpha machine in XP's letter case
 *             (WINDOWS\system32\CONFIG\system, system-alpha; Software;
 *             "Documents and Settings"\Pat\NTUSER.DAT; system32\NMPERF.DLL),
 *             /dev/sda2 as win.img without kim, /dev/sda3 FAT
 *   hib.img   two Windows folders as win.img's without users, each that
 *             Windows would resume: /dev/sda1 hibernated (hiberfil.sys
 *             starts with "HIBR"), /dev/sda2 with a hiberfil.sys too short
 *             to say (ntfs-3g mounts it only read-only)
 *
 * With LIBGUESTFS_BACKEND_SETTINGS unset, a launch that fails is tried
 * again with force_tcg (a /dev/kvm that cannot run qemu); the setting
 * that worked is printed on standard output ("" or "force_tcg").  Exit 1
 * with the reason on standard error when libguestfs cannot launch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <guestfs.h>

static guestfs_h *g;
static const char *hives, *out, *dirty;

static void
die(const char *what)
{
	const char *e = g ? guestfs_last_error(g) : NULL;

	fprintf(stderr, "mkimage: %s: %s\n", what, e ? e : "failed");
	exit(1);
}

/* A new raw disk of SIZE MB at OUT/NAME, added to the appliance. */
static void
disk(const char *name, int size)
{
	char path[4096];

	snprintf(path, sizeof path, "%s/%s", out, name);
	if (guestfs_disk_create(g, path, "raw", (int64_t)size << 20, -1) < 0 ||
	    guestfs_add_drive_opts(g, path, GUESTFS_ADD_DRIVE_OPTS_FORMAT,
	    "raw", -1) < 0)
		die(path);
}

static void
mkdirs(const char *path)
{
	if (guestfs_mkdir_p(g, path) < 0)
		die(path);
}

/* The fixture hive HIVES/FIXTURE to PATH on the mounted volume. */
static void
hive(const char *fixture, const char *path)
{
	char local[4096];

	snprintf(local, sizeof local, "%s/%s", hives, fixture);
	if (guestfs_upload(g, local, path) < 0)
		die(path);
}

static void
text(const char *path, const char *content, size_t len)
{
	if (guestfs_write(g, path, content, len) < 0)
		die(path);
}

static void
mount(const char *dev)
{
	if (guestfs_umount_all(g) < 0 || guestfs_mount(g, dev, "/") < 0)
		die(dev);
}

/* A Windows installation as in win.img, on the mounted volume. */
static void
windows(int users)
{
	mkdirs("/Windows/System32/config");
	hive("system/SYSTEM", "/Windows/System32/config/SYSTEM");
	hive("software-sms/SOFTWARE", "/Windows/System32/config/SOFTWARE");
	if (!users)
		return;
	mkdirs("/Users/pat");
	mkdirs("/Users/lee");
	mkdirs("/Users/Public");
	hive("ntuser/NTUSER.DAT", "/Users/pat/NTUSER.DAT");
	hive("ntuser-path/NTUSER.DAT", "/Users/lee/NTUSER.DAT");
}

static void
upload(const char *dir, const char *name, const char *path)
{
	char local[4096];

	snprintf(local, sizeof local, "%s/%s", dir, name);
	if (guestfs_upload(g, local, path) < 0)
		die(path);
}

int
main(int argc, char **argv)
{
	static char hib[8192];
	int tcg = 0;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: mkimage HIVES OUT [DIRTY]\n");
		return 2;
	}
	hives = argv[1];
	out = argv[2];
	dirty = argc > 3 ? argv[3] : NULL;
again:
	if ((g = guestfs_create()) == NULL) {
		fprintf(stderr, "mkimage: cannot create a libguestfs handle\n");
		return 1;
	}
	guestfs_set_error_handler(g, NULL, NULL);
	if (tcg) {
		char *const s[] = { "force_tcg", NULL };

		guestfs_set_backend_settings(g, s);
	}
	disk("win.img", 48);
	disk("two.img", 120);
	disk("hib.img", 32);
	if (guestfs_launch(g) < 0) {
		if (!tcg && getenv("LIBGUESTFS_BACKEND_SETTINGS") == NULL &&
		    access("/dev/kvm", R_OK | W_OK) == 0) {
			guestfs_close(g);
			tcg = 1;
			goto again;
		}
		die("launch");
	}
	/* win.img */
	if (guestfs_part_disk(g, "/dev/sda", "mbr") < 0 ||
	    guestfs_mkfs(g, "ntfs", "/dev/sda1") < 0)
		die("/dev/sda");
	mount("/dev/sda1");
	windows(1);
	if (dirty != NULL) {
		mkdirs("/Users/kim");
		upload(dirty, "NTUSER.DAT", "/Users/kim/NTUSER.DAT");
		upload(dirty, "NTUSER.DAT.LOG1", "/Users/kim/ntuser.dat.LOG1");
		upload(dirty, "NTUSER.DAT.LOG2", "/Users/kim/ntuser.dat.LOG2");
	}
	/* two.img: three partitions. */
	if (guestfs_part_init(g, "/dev/sdb", "mbr") < 0 ||
	    guestfs_part_add(g, "/dev/sdb", "p", 2048, 2048 + 49152 - 1) < 0 ||
	    guestfs_part_add(g, "/dev/sdb", "p", 51200, 51200 + 98304 - 1) < 0 ||
	    guestfs_part_add(g, "/dev/sdb", "p", 149504, 243711) < 0 ||
	    guestfs_mkfs(g, "ntfs", "/dev/sdb1") < 0 ||
	    guestfs_mkfs(g, "ntfs", "/dev/sdb2") < 0 ||
	    guestfs_mkfs(g, "vfat", "/dev/sdb3") < 0)
		die("/dev/sdb");
	mount("/dev/sdb1");
	mkdirs("/WINDOWS/system32/CONFIG");
	mkdirs("/Documents and Settings/Pat");
	mkdirs("/Documents and Settings/All Users");
	hive("system-alpha/SYSTEM", "/WINDOWS/system32/CONFIG/system");
	hive("software/SOFTWARE", "/WINDOWS/system32/CONFIG/Software");
	hive("ntuser/NTUSER.DAT", "/Documents and Settings/Pat/NTUSER.DAT");
	text("/WINDOWS/system32/NMPERF.DLL", "Network Monitor performance "
	    "counters\n", 37);
	mount("/dev/sdb2");
	windows(1);
	mount("/dev/sdb3");
	text("/README.TXT", "not Windows\n", 12);
	/* hib.img */
	if (guestfs_part_init(g, "/dev/sdc", "mbr") < 0 ||
	    guestfs_part_add(g, "/dev/sdc", "p", 2048, 32767) < 0 ||
	    guestfs_part_add(g, "/dev/sdc", "p", 32768, 63487) < 0 ||
	    guestfs_mkfs(g, "ntfs", "/dev/sdc1") < 0 ||
	    guestfs_mkfs(g, "ntfs", "/dev/sdc2") < 0)
		die("/dev/sdc");
	mount("/dev/sdc1");
	windows(0);
	memcpy(hib, "HIBR", 4);
	text("/hiberfil.sys", hib, sizeof hib);
	mount("/dev/sdc2");
	windows(0);
	memset(hib, 0, sizeof hib);
	text("/hiberfil.sys", hib, 16);
	if (guestfs_umount_all(g) < 0 || guestfs_shutdown(g) < 0)
		die("shutdown");
	guestfs_close(g);
	printf("%s\n", tcg ? "force_tcg" : "");
	return 0;
}
