/* apply-int.h: what the files of apply share (apply.c: file helpers and
 * stage 1, the temporary files written; apply-commit.c: stage 2, the
 * backups, the undo file and the renames).  Not for use outside them:
 * apply.h is the API. */
#ifndef KBFIX_APPLY_INT_H
#define KBFIX_APPLY_INT_H

#include <stdio.h>

#include "apply.h"

/* apply.c */
char *dir_of(const char *path);
char *dir_slash(const char *dir);
char *base_of(const char *path);
int sync_path(const char *path, int dir);
int copy_file(const char *from, const char *to);
int keep_file(const char *from, const char *to);
int keep_hive(const struct hive *hv, const char *to);
int move_noreplace(const char *from, const char *to);
int make_dirs(struct apply_job *j, const char *dir, struct diag *d);
void remove_temp(struct apply_file *f);

#endif
