/* place.h: a place where a machine's files live that is not a folder of
 * this machine: a disk image (raw, qcow2, vmdk, vhdx ... through
 * libguestfs, place-guestfs.c).
 *
 * kbfix never plans or writes through a place directly.  stage.h copies
 * what a run looks at (the hives, their logs, the files the remedies name,
 * and the names that decide what apply calls its backups) into a private
 * folder of this machine; the pipeline runs there as on any folder
 * TARGET; then the files it changed are written back through the place,
 * each under a temporary name and renamed into place.  So planning,
 * applying, verifying, undo and the audit log do not know where the files
 * came from, and another kind of place (an NBD export, a remote share) is
 * one more implementation of these operations.
 *
 * Paths inside a place are absolute ("/Windows/System32/config/SYSTEM")
 * on the volume mounted with place_mount.  Every operation reports its
 * failure in D, naming the place and the path, and returns -1.
 */
#ifndef KBFIX_PLACE_H
#define KBFIX_PLACE_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"

/* How a disk image is opened. */
enum place_mode {
	PLACE_READ,		/* read-only; writes go nowhere */
	PLACE_OVERLAY,		/* writes go to a new qcow2 overlay whose
				 * backing file is the image, which stays
				 * as it was */
};

/* One entry of a folder, with what lstat says of it. */
struct place_entry {
	char *name;
	char type;		/* 'f' file, 'd' folder, 'l' symbolic link,
				 * '?' anything else */
	uint64_t size;
	uint64_t ino;		/* the same file reached twice has the same
				 * number (hard links) */
};

/* A file system of the place: the device ("/dev/sda2", "/dev/vg/lv")
 * and its type as blkid names it ("ntfs", "vfat"). */
struct place_volume {
	char *device;
	char *type;
};

struct place;

struct place_ops {
	/* The file systems, in the order of their devices. */
	int (*volumes)(struct place *p, struct place_volume **out, size_t *n,
	    struct diag *d);
	/* Mount DEVICE as "/" (after umounting what was), read-only, or for
	 * writing: a volume that comes up read-only although asked for
	 * writing (ntfs-3g does that with a hibernated Windows) is an
	 * error. */
	int (*mount)(struct place *p, const char *device, int write,
	    struct diag *d);
	int (*umount)(struct place *p, struct diag *d);
	/* The entries of folder DIR ("." and ".." left out), sorted by
	 * name.  Free with place_entries_free. */
	int (*list)(struct place *p, const char *dir, struct place_entry **out,
	    size_t *n, struct diag *d);
	/* What the symbolic link PATH holds (caller frees). */
	char *(*readlink)(struct place *p, const char *path, struct diag *d);
	/* The first N bytes of file PATH into BUF; *GOT says how many were
	 * there. */
	int (*head)(struct place *p, const char *path, void *buf, size_t n,
	    size_t *got, struct diag *d);
	/* Copy file PATH to the new local file LOCAL. */
	int (*get)(struct place *p, const char *path, const char *local,
	    struct diag *d);
	/* Copy the local file LOCAL to PATH, which must not exist. */
	int (*put)(struct place *p, const char *local, const char *path,
	    struct diag *d);
	/* Rename FROM to TO, replacing a file at TO. */
	int (*rename)(struct place *p, const char *from, const char *to,
	    struct diag *d);
	/* A second name TO for the file FROM (a hard link, or a copy where
	 * the file system has none); TO must not exist. */
	int (*link)(struct place *p, const char *from, const char *to,
	    struct diag *d);
	int (*remove)(struct place *p, const char *path, struct diag *d);
	int (*mkdir)(struct place *p, const char *path, struct diag *d);
	/* The SHA-256 of file PATH, as 64 hex digits and a NUL. */
	int (*sha256)(struct place *p, const char *path, char hex[65],
	    struct diag *d);
	/* Everything written so far is on the image (or its overlay). */
	int (*sync)(struct place *p, struct diag *d);
	/* Unmount, sync and stop cleanly: -1 if that cannot be made sure
	 * of (the writes may then be incomplete).  Frees P. */
	int (*close)(struct place *p, struct diag *d);
};

struct place {
	const struct place_ops *ops;
	char *name;		/* for messages: the image as given */
};

void place_entries_free(struct place_entry *e, size_t n);
void place_volumes_free(struct place_volume *v, size_t n);

/* ------------------------------------------------------------ disk images */

/* The format of the disk image at PATH, from its first bytes: "qcow2",
 * "vmdk", "vhdx", "vpc", "vdi", "qed", "parallels", or "raw" for a file
 * that starts with a partition table or a file system's boot sector, and
 * for a block device.  NULL: not a disk image kbfix knows (or not
 * readable).  Static storage. */
const char *place_disk_format(const char *path);

/* Is IMAGE (of FORMAT) held for writing by another process (a running
 * virtual machine)?  1 yes, with what qemu says in *WHY (caller frees);
 * 0 no; -1 with D when that cannot be asked (qemu-img missing). */
int place_disk_in_use(const char *image, const char *format, char **why,
    struct diag *d);

/* Make the new qcow2 file OVERLAY (it must not exist) whose backing file
 * is IMAGE of FORMAT, named by its absolute path.  Returns 0 or -1 with D
 * (nothing made). */
int place_disk_overlay(const char *image, const char *format,
    const char *overlay, struct diag *d);

/* Write the clusters of OVERLAY into its backing file, then remove
 * OVERLAY.  Returns 0 or -1 with D. */
int place_disk_commit(const char *overlay, struct diag *d);

/* Open the disk image IMAGE of FORMAT: read-only (MODE PLACE_READ), or,
 * with PLACE_OVERLAY, the overlay file OVERLAY made by place_disk_overlay,
 * for writing.  This starts the libguestfs appliance (seconds: about 13
 * without KVM), once for the whole run on the image.  NAME names it in
 * messages.  Returns 0 and *OUT (close with (*out)->ops->close), or -1
 * with D. */
int place_disk_open(const char *image, const char *format,
    enum place_mode mode, const char *overlay, const char *name,
    struct place **out, struct diag *d);

#endif
