/* cmd-disk-int.h: what the files of disk image TARGETs share (cmd-disk.c:
 * which TARGETs are images, names respelled, output shown; cmd-disk-run.c:
 * scan, the dry run and apply; cmd-disk-undo.c: undo).  Not for use
 * outside them: cmd.h is the API. */
#ifndef KBFIX_CMD_DISK_INT_H
#define KBFIX_CMD_DISK_INT_H

#include <stdio.h>

#include "audit.h"
#include "cmd.h"
#include "diag.h"
#include "stage.h"

/* One Windows installation of the image. */
struct machine {
	char *device;
	char *name;		/* in the run: the target, or IMAGE:DEVICE */
	char *shown;		/* its files are shown as SHOWN/path: "IMAGE:"
				 * or "IMAGE:DEVICE:" (the overlay's name for
				 * --overlay) */
	char *abs_shown;	/* SHOWN with the image's absolute path: the
				 * root an undo manifest records */
	char *root;		/* its staging folder */
	int hibernated;
	struct cmd_outcome o;
	char *text;		/* what the run printed */
	size_t ntext;
	struct diag d;
	char *audit;		/* its private audit log, or NULL */
	char **hashes;		/* pairs: a file's SHA-256 in the audit log,
				 * and after the names in it were respelled */
	size_t nhashes;
	int changed;		/* written into the image's overlay */
	int late;		/* failed after it was: nothing was changed */
	int audit_shown;	/* its records are in the run's log */
};

/* cmd-disk.c: the functions' comments say who frees what. */
const char *cmd_disk_format_of(const struct cmd_args *a, const char *path);
char *cmd_disk_respell(const char *s, size_t len, const char *from,
    const char *to, size_t *n);
char *cmd_disk_abs_new(const char *path);
char *cmd_disk_stage_make(struct diag *d);
int cmd_disk_is_fs(const char *type);
char *cmd_disk_slurp(const char *path, size_t *len);
int cmd_disk_respell_undo_files(struct machine *m, const char *folder,
    const struct stage_snap *before, struct diag *d);
void cmd_disk_show_machine(struct machine *m, FILE *out, int json,
    int heading, int first);
void cmd_disk_show_messages(struct machine *m, struct diag *d);
void cmd_disk_show_audit(struct machine *m, struct audit *au,
    struct diag *d);
void cmd_disk_machine_free(struct machine *m);

#endif
