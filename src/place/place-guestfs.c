/* place-guestfs.c: disk images through libguestfs (place.h).
 *
 * libguestfs runs a small Linux appliance in qemu that mounts the image's
 * file systems (NTFS through ntfs-3g) and answers calls over a socket:
 * nothing is mounted on this machine and no root is needed.  Starting the
 * appliance is the slow part (about 13 s without KVM), so one is started
 * per image and every file of every Windows installation on it is read
 * and written through it.
 *
 * Facts learned the hard way:
 *  - libguestfs picks KVM whenever /dev/kvm can be opened, and a nested
 *    KVM that cannot run qemu makes the launch fail ("appliance closed the
 *    connection unexpectedly"): the launch is tried once more with the
 *    "force_tcg" backend setting.
 *  - ntfs-3g asked to mount a hibernated Windows volume (hiberfil.sys
 *    starting with "hibr") or one left dirty by fast startup for writing
 *    mounts it read-only and says so only on the appliance's console; the
 *    mount call succeeds.  statvfs tells.
 *  - add_drive with readonly puts libguestfs's own overlay in front of the
 *    image with the backing file's locking off, so a read-only run works
 *    on an image a running virtual machine holds; a writable drive takes
 *    qemu's write lock and the launch fails if another process has it.
 *  - The appliance's qemu is put in a process group of its own: a ^C meant
 *    for kbfix must not kill it in the middle of a write.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <guestfs.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "place.h"

extern char **environ;

struct gplace {
	struct place p;		/* first: a struct place * is one of these */
	guestfs_h *g;
	int mounted;
	int writable;
};

static guestfs_h *
gh(struct place *p)
{
	return ((struct gplace *)p)->g;
}

/* The last error of P's handle, for a message. */
static const char *
gerr(struct place *p)
{
	const char *e = guestfs_last_error(gh(p));

	return e != NULL ? e : "unknown error";
}

void
place_entries_free(struct place_entry *e, size_t n)
{
	size_t i;

	for (i = 0; e != NULL && i < n; i++)
		free(e[i].name);
	free(e);
}

void
place_volumes_free(struct place_volume *v, size_t n)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++) {
		free(v[i].device);
		free(v[i].type);
	}
	free(v);
}

static void
free_strings(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/* ---------------------------------------------------------------- ops */

/* Add DEV to *OUT when blkid finds a file system on it. */
static int
add_volume(struct place *p, const char *dev, struct place_volume **out,
    size_t *n, struct diag *d)
{
	struct place_volume *nv;
	char *type = guestfs_vfs_type(gh(p), dev);

	if (type == NULL || *type == '\0') {
		free(type);	/* no file system (or an extended partition) */
		return 0;
	}
	if ((nv = realloc(*out, (*n + 1) * sizeof *nv)) == NULL ||
	    (nv[*n].device = strdup(dev)) == NULL) {
		if (nv != NULL)
			*out = nv;
		free(type);
		return diag_oom(d);
	}
	*out = nv;
	nv[*n].type = type;
	(*n)++;
	return 0;
}

/* Partitions, whole disks without a partition table, and logical volumes:
 * asked one by one rather than with list_filesystems, which probes for
 * every kind of volume manager and costs ten seconds without KVM. */
static int
g_volumes(struct place *p, struct place_volume **out, size_t *n,
    struct diag *d)
{
	char **devs = guestfs_list_devices(gh(p));
	char **parts = guestfs_list_partitions(gh(p));
	char **lvs = NULL;
	size_t i, k;
	int r = -1;

	*out = NULL;
	*n = 0;
	if (devs == NULL || parts == NULL) {
		diag_error(d, NULL, 0, "'%s': cannot list its file systems: %s",
		    p->name, gerr(p));
		goto out;
	}
	for (i = 0; devs[i] != NULL; i++) {
		size_t l = strlen(devs[i]);
		int parted = 0;

		for (k = 0; parts[k] != NULL; k++)
			parted |= strncmp(parts[k], devs[i], l) == 0;
		if (!parted && add_volume(p, devs[i], out, n, d) < 0)
			goto out;
	}
	for (k = 0; parts[k] != NULL; k++)
		if (add_volume(p, parts[k], out, n, d) < 0)
			goto out;
	/* No LVM in the appliance: no logical volumes (an error, not one
	 * of the image's; feature_available would tell, but libguestfs
	 * 1.48 leaks what it keeps of it when the appliance dies). */
	lvs = guestfs_lvs(gh(p));
	for (k = 0; lvs != NULL && lvs[k] != NULL; k++)
		if (add_volume(p, lvs[k], out, n, d) < 0)
			goto out;
	r = 0;
out:
	free_strings(devs);
	free_strings(parts);
	free_strings(lvs);
	if (r < 0) {
		place_volumes_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return r;
}

static int
g_umount(struct place *p, struct diag *d)
{
	struct gplace *gp = (struct gplace *)p;

	if (!gp->mounted)
		return 0;
	gp->mounted = 0;
	if (guestfs_umount_all(gp->g) < 0)
		return diag_error(d, NULL, 0, "'%s': cannot unmount: %s",
		    p->name, gerr(p));
	return 0;
}

static int
g_mount(struct place *p, const char *device, int write, struct diag *d)
{
	struct gplace *gp = (struct gplace *)p;
	struct guestfs_statvfs *sv;
	int r;

	if (g_umount(p, d) < 0)
		return -1;
	/* noatime: reading a file must not change the image. */
	r = write ? guestfs_mount_options(gp->g, "noatime", device, "/") :
	    guestfs_mount_ro(gp->g, device, "/");
	if (r < 0)
		return diag_error(d, NULL, 0, "'%s': cannot mount '%s'%s: %s",
		    p->name, device, write ? " for writing" : "", gerr(p));
	gp->mounted = 1;
	if (!write)
		return 0;
	if ((sv = guestfs_statvfs(gp->g, "/")) == NULL)
		return diag_error(d, NULL, 0, "'%s': cannot ask about '%s': %s",
		    p->name, device, gerr(p));
	r = (sv->flag & 1) != 0;	/* ST_RDONLY */
	guestfs_free_statvfs(sv);
	if (r) {
		diag_error(d, NULL, 0, "'%s': '%s' could be mounted only "
		    "read-only", p->name, device);
		g_umount(p, d);
		return -1;
	}
	return 0;
}

static int
cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct place_entry *)a)->name,
	    ((const struct place_entry *)b)->name);
}

static int
g_list(struct place *p, const char *dir, struct place_entry **out, size_t *n,
    struct diag *d)
{
	char **names = guestfs_ls(gh(p), dir);
	struct guestfs_statns_list *st = NULL;
	size_t i, k;

	*out = NULL;
	*n = 0;
	if (names == NULL)
		return diag_error(d, NULL, 0,
		    "'%s': cannot read the folder '%s': %s", p->name, dir,
		    gerr(p));
	for (k = 0; names[k] != NULL; k++)
		;
	if (k > 0 && (st = guestfs_lstatnslist(gh(p), dir, names)) == NULL) {
		diag_error(d, NULL, 0, "'%s': cannot read the folder '%s': %s",
		    p->name, dir, gerr(p));
		free_strings(names);
		return -1;
	}
	if ((st != NULL && st->len != k) ||
	    (*out = calloc(k + 1, sizeof **out)) == NULL) {
		diag_error(d, NULL, 0, "'%s': cannot read the folder '%s'",
		    p->name, dir);
		free_strings(names);
		guestfs_free_statns_list(st);
		return -1;
	}
	for (i = 0; i < k; i++) {
		struct place_entry *e = &(*out)[i];
		int64_t m = st->val[i].st_mode & S_IFMT;

		e->name = names[i];
		names[i] = NULL;
		e->type = m == S_IFREG ? 'f' : m == S_IFDIR ? 'd' :
		    m == S_IFLNK ? 'l' : '?';
		e->size = (uint64_t)st->val[i].st_size;
		e->ino = (uint64_t)st->val[i].st_ino;
	}
	*n = k;
	qsort(*out, k, sizeof **out, cmp_entry);
	free_strings(names);
	guestfs_free_statns_list(st);
	return 0;
}

static char *
g_readlink(struct place *p, const char *path, struct diag *d)
{
	char *s = guestfs_readlink(gh(p), path);

	if (s == NULL)
		diag_error(d, NULL, 0, "'%s': cannot read the link '%s': %s",
		    p->name, path, gerr(p));
	return s;
}

static int
g_head(struct place *p, const char *path, void *buf, size_t n, size_t *got,
    struct diag *d)
{
	size_t len = 0;
	char *s = guestfs_pread(gh(p), path, (int)n, 0, &len);

	*got = 0;
	if (s == NULL)
		return diag_error(d, NULL, 0, "'%s': cannot read '%s': %s",
		    p->name, path, gerr(p));
	if (len > n)
		len = n;
	memcpy(buf, s, len);
	*got = len;
	free(s);
	return 0;
}

static int
g_get(struct place *p, const char *path, const char *local, struct diag *d)
{
	if (guestfs_download(gh(p), path, local) < 0) {
		diag_error(d, NULL, 0, "'%s': cannot read '%s': %s", p->name,
		    path, gerr(p));
		unlink(local);
		return -1;
	}
	return 0;
}

/* Is there an entry PATH?  1, 0, or -1 with D. */
static int
exists(struct place *p, const char *path, struct diag *d)
{
	int r = guestfs_exists(gh(p), path);

	if (r < 0)
		diag_error(d, NULL, 0, "'%s': cannot look for '%s': %s",
		    p->name, path, gerr(p));
	return r;
}

/* 0 when there is no PATH yet; -1 with D when there is one (kbfix never
 * overwrites it) or that cannot be told. */
static int
is_new(struct place *p, const char *path, struct diag *d)
{
	int r = exists(p, path, d);

	if (r > 0)
		diag_error(d, NULL, 0, "'%s': '%s' exists: kbfix does not "
		    "overwrite it", p->name, path);
	return r != 0 ? -1 : 0;
}

static int
g_put(struct place *p, const char *local, const char *path, struct diag *d)
{
	if (is_new(p, path, d) < 0)
		return -1;
	if (guestfs_upload(gh(p), local, path) < 0)
		return diag_error(d, NULL, 0, "'%s': cannot write '%s': %s",
		    p->name, path, gerr(p));
	return 0;
}

static int
g_rename(struct place *p, const char *from, const char *to, struct diag *d)
{
	if (guestfs_rename(gh(p), from, to) < 0)
		return diag_error(d, NULL, 0,
		    "'%s': cannot rename '%s' to '%s': %s", p->name, from, to,
		    gerr(p));
	return 0;
}

static int
g_link(struct place *p, const char *from, const char *to, struct diag *d)
{
	if (is_new(p, to, d) < 0)
		return -1;
	/* NTFS has hard links (ntfs-3g makes them); FAT has none. */
	if (guestfs_ln(gh(p), from, to) == 0)
		return 0;
	if (guestfs_cp(gh(p), from, to) < 0)
		return diag_error(d, NULL, 0,
		    "'%s': cannot keep '%s' as '%s': %s", p->name, from, to,
		    gerr(p));
	return 0;
}

static int
g_remove(struct place *p, const char *path, struct diag *d)
{
	if (guestfs_rm(gh(p), path) < 0)
		return diag_error(d, NULL, 0, "'%s': cannot remove '%s': %s",
		    p->name, path, gerr(p));
	return 0;
}

static int
g_mkdir(struct place *p, const char *path, struct diag *d)
{
	if (guestfs_mkdir(gh(p), path) < 0)
		return diag_error(d, NULL, 0,
		    "'%s': cannot make the folder '%s': %s", p->name, path,
		    gerr(p));
	return 0;
}

static int
g_sha256(struct place *p, const char *path, char hex[65], struct diag *d)
{
	char *s = guestfs_checksum(gh(p), "sha256", path);

	if (s == NULL || strlen(s) != 64) {
		diag_error(d, NULL, 0, "'%s': cannot read '%s': %s", p->name,
		    path, s == NULL ? gerr(p) : "bad checksum");
		free(s);
		return -1;
	}
	memcpy(hex, s, 65);
	free(s);
	return 0;
}

static int
g_sync(struct place *p, struct diag *d)
{
	if (guestfs_sync(gh(p)) < 0)
		return diag_error(d, NULL, 0, "'%s': cannot sync: %s", p->name,
		    gerr(p));
	return 0;
}

static int
g_close(struct place *p, struct diag *d)
{
	struct gplace *gp = (struct gplace *)p;
	int r = 0;

	if (p == NULL)
		return 0;
	if (gp->g != NULL) {
		if (gp->writable && (g_umount(p, d) < 0 || g_sync(p, d) < 0))
			r = -1;
		/* A clean stop: the appliance flushes its disks and qemu
		 * exits with 0; anything else and the writes may be
		 * incomplete. */
		if (guestfs_shutdown(gp->g) < 0 && gp->writable) {
			diag_error(d, NULL, 0, "'%s': the appliance did not "
			    "stop cleanly: %s", p->name, gerr(p));
			r = -1;
		}
		guestfs_close(gp->g);
	}
	free(p->name);
	free(gp);
	return r;
}

static const struct place_ops guestfs_ops = {
	g_volumes, g_mount, g_umount, g_list, g_readlink, g_head, g_get,
	g_put, g_rename, g_link, g_remove, g_mkdir, g_sha256, g_sync, g_close,
};

/* ---------------------------------------------------------------- formats */

const char *
place_disk_format(const char *path)
{
	unsigned char b[1024];
	struct stat st;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return NULL;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return NULL;
	}
	if (S_ISBLK(st.st_mode)) {
		close(fd);
		return "raw";
	}
	memset(b, 0, sizeof b);
	n = S_ISREG(st.st_mode) ? pread(fd, b, sizeof b, 0) : -1;
	if (n < 512) {
		close(fd);
		return NULL;
	}
	if (memcmp(b, "QFI\xfb", 4) == 0) {
		close(fd);
		return "qcow2";
	}
	if (memcmp(b, "KDMV", 4) == 0 || memcmp(b, "COWD", 4) == 0 ||
	    memcmp(b, "# Disk DescriptorFile", 21) == 0) {
		close(fd);
		return "vmdk";
	}
	if (memcmp(b, "vhdxfile", 8) == 0) {
		close(fd);
		return "vhdx";
	}
	if (memcmp(b, "QED\0", 4) == 0) {
		close(fd);
		return "qed";
	}
	if (memcmp(b, "WithoutFreeSpace", 16) == 0 ||
	    memcmp(b, "WithouFreSpacExt", 16) == 0) {
		close(fd);
		return "parallels";
	}
	/* VirtualBox: the signature 0xbeda107f at 0x40. */
	if (b[0x40] == 0x7f && b[0x41] == 0x10 && b[0x42] == 0xda &&
	    b[0x43] == 0xbe) {
		close(fd);
		return "vdi";
	}
	/* VHD: a copy of the footer first (dynamic), or only the footer in
	 * the last 512 bytes (fixed). */
	if (memcmp(b, "conectix", 8) == 0) {
		close(fd);
		return "vpc";
	}
	if (st.st_size >= 1024) {
		unsigned char f[8];

		if (pread(fd, f, sizeof f, st.st_size - 512) == (ssize_t)sizeof f
		    && memcmp(f, "conectix", 8) == 0) {
			close(fd);
			return "vpc";
		}
	}
	close(fd);
	/* Raw: a partition table (MBR or GPT: both end their first sector
	 * with 55 AA) or a volume's boot sector (NTFS, FAT: the same mark). */
	if (b[510] == 0x55 && b[511] == 0xaa)
		return "raw";
	if (memcmp(b + 512, "EFI PART", 8) == 0)
		return "raw";
	return NULL;
}

/* ---------------------------------------------------------------- qemu-img */

/* Run qemu-img with ARGV (ARGV[0] "qemu-img"); *OUT gets what it printed
 * (stdout and stderr, caller frees), without the last newline.  Returns
 * its exit status, or -1 with errno when it could not be run. */
static int
qemu_img(char *const argv[], char **out)
{
	posix_spawn_file_actions_t fa;
	char buf[4096];
	char *text = NULL;
	size_t len = 0;
	int pfd[2], st, e;
	pid_t pid;
	ssize_t n;

	*out = NULL;
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 2);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	e = posix_spawnp(&pid, "qemu-img", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	if (e != 0) {
		close(pfd[0]);
		errno = e;
		return -1;
	}
	while ((n = read(pfd[0], buf, sizeof buf)) != 0) {
		char *nt;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if ((nt = realloc(text, len + (size_t)n + 1)) == NULL)
			break;
		text = nt;
		memcpy(text + len, buf, (size_t)n);
		len += (size_t)n;
		text[len] = '\0';
	}
	close(pfd[0]);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	while (text != NULL && len > 0 && text[len - 1] == '\n')
		text[--len] = '\0';
	*out = text;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* The first line of qemu-img's message, without its "qemu-img: " and
 * "Could not open 'x': " (the caller names the file). */
static const char *
first_line(char *text)
{
	char *s, *nl;

	if (text == NULL)
		return "no message";
	s = text;
	if (strncmp(s, "qemu-img: ", 10) == 0)
		s += 10;
	if (strncmp(s, "Could not open '", 16) == 0 &&
	    (nl = strstr(s, "': ")) != NULL)
		s = nl + 3;
	if ((nl = strchr(s, '\n')) != NULL)
		*nl = '\0';
	return s;
}

int
place_disk_in_use(const char *image, const char *format, char **why,
    struct diag *d)
{
	char *argv[] = { "qemu-img", "info", "-f", (char *)format,
	    (char *)image, NULL };
	char *out = NULL;
	int r = qemu_img(argv, &out);

	*why = NULL;
	if (r < 0)
		return diag_error(d, NULL, 0,
		    "cannot run qemu-img: %s (it is in the "
		    "package qemu-utils)", strerror(errno));
	if (r == 0) {
		free(out);
		return 0;
	}
	/* "Failed to get shared "write" lock": a writer holds it. */
	if (out != NULL && strstr(out, "lock") != NULL) {
		*why = strdup(first_line(out));
		free(out);
		return 1;
	}
	diag_error(d, NULL, 0, "cannot open '%s' as a %s disk image: %s",
	    image, format, first_line(out));
	free(out);
	return -1;
}

int
place_disk_overlay(const char *image, const char *format,
    const char *overlay, struct diag *d)
{
	char *abs = realpath(image, NULL), *out = NULL;
	char *argv[] = { "qemu-img", "create", "-q", "-f", "qcow2", "-F",
	    (char *)format, "-b", abs, (char *)overlay, NULL };
	int fd, r;

	if (abs == NULL)
		return diag_error(d, NULL, 0, "cannot open '%s': %s", image,
		    strerror(errno));
	argv[8] = abs;
	/* The name is taken first, so that an existing file is never
	 * overwritten (qemu-img create would). */
	if ((fd = open(overlay, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0644)) < 0) {
		diag_error(d, NULL, 0, "cannot create the overlay '%s': %s",
		    overlay, strerror(errno));
		free(abs);
		return -1;
	}
	close(fd);
	r = qemu_img(argv, &out);
	if (r != 0) {
		diag_error(d, NULL, 0, "cannot create the overlay '%s': %s",
		    overlay, r < 0 ? strerror(errno) : first_line(out));
		unlink(overlay);
	}
	free(out);
	free(abs);
	return r == 0 ? 0 : -1;
}

int
place_disk_commit(const char *overlay, struct diag *d)
{
	/* -d: the overlay is removed after, so it need not be emptied. */
	char *argv[] = { "qemu-img", "commit", "-q", "-d", "-f", "qcow2",
	    (char *)overlay, NULL };
	char *out = NULL;
	int r = qemu_img(argv, &out);

	if (r != 0) {
		diag_error(d, NULL, 0, "cannot write the changes of '%s' into "
		    "its backing file: %s", overlay, r < 0 ? strerror(errno) :
		    first_line(out));
		free(out);
		return -1;
	}
	free(out);
	unlink(overlay);
	return 0;
}

/* ---------------------------------------------------------------- open */

/* A new handle with DRIVE added; errors are taken from it, not printed. */
static guestfs_h *
new_handle(const char *drive, const char *format, int ro, int tcg,
    struct diag *d, const char *name)
{
	guestfs_h *g = guestfs_create();

	if (g == NULL) {
		diag_error(d, NULL, 0, "'%s': cannot start libguestfs", name);
		return NULL;
	}
	guestfs_set_error_handler(g, NULL, NULL);
	guestfs_set_pgroup(g, 1);
	if (tcg) {
		/* "force_tcg" alone: set_backend_setting would make it
		 * "force_tcg=", which libguestfs does not take for the flag. */
		char *const s[] = { "force_tcg", NULL };

		guestfs_set_backend_settings(g, s);
	}
	if (guestfs_add_drive_opts(g, drive,
	    GUESTFS_ADD_DRIVE_OPTS_FORMAT, format,
	    GUESTFS_ADD_DRIVE_OPTS_READONLY, ro, -1) < 0) {
		diag_error(d, NULL, 0, "cannot open '%s': %s", name,
		    guestfs_last_error(g) ? guestfs_last_error(g) :
		    "unknown error");
		guestfs_close(g);
		return NULL;
	}
	return g;
}

int
place_disk_open(const char *image, const char *format, enum place_mode mode,
    const char *overlay, const char *name, struct place **out,
    struct diag *d)
{
	struct gplace *gp;
	const char *drive = mode == PLACE_OVERLAY ? overlay : image;
	const char *fmt = mode == PLACE_OVERLAY ? "qcow2" : format;
	const char *bs = getenv("LIBGUESTFS_BACKEND_SETTINGS");
	int ro = mode == PLACE_READ;
	guestfs_h *g;

	*out = NULL;
	if ((g = new_handle(drive, fmt, ro, 0, d, name)) == NULL)
		return -1;
	if (guestfs_launch(g) < 0) {
		char *why = strdup(guestfs_last_error(g) ?
		    guestfs_last_error(g) : "unknown error");

		guestfs_close(g);
		g = NULL;
		/* A KVM that cannot run qemu: once more without it. */
		if ((bs == NULL || strstr(bs, "force_tcg") == NULL) &&
		    access("/dev/kvm", R_OK | W_OK) == 0 &&
		    (g = new_handle(drive, fmt, ro, 1, d, name)) != NULL) {
			if (guestfs_launch(g) == 0) {
				diag_note(d, NULL, 0, "the libguestfs appliance "
				    "did not start with KVM, and did without "
				    "it; set LIBGUESTFS_BACKEND_SETTINGS="
				    "force_tcg to skip the first try");
			} else {
				guestfs_close(g);
				g = NULL;
			}
		}
		if (g == NULL) {
			diag_error(d, NULL, 0, "cannot open '%s': the "
			    "libguestfs appliance did not start: %s (run "
			    "libguestfs-test-tool to see why)", name,
			    why ? why : "out of memory");
			free(why);
			return -1;
		}
		free(why);
	}
	if ((gp = calloc(1, sizeof *gp)) == NULL ||
	    (gp->p.name = strdup(name)) == NULL) {
		free(gp);
		guestfs_close(g);
		return diag_oom(d);
	}
	gp->p.ops = &guestfs_ops;
	gp->g = g;
	gp->writable = !ro;
	*out = &gp->p;
	return 0;
}
