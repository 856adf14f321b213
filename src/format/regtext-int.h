/* regtext-int.h: what the files of the .reg reader and writer share
 * (regtext.c: reading; regtext-write.c: writing; regtext-apply.c: merging
 * into a hive).  Not for use outside them: regtext.h is the API. */
#ifndef KBFIX_REGTEXT_INT_H
#define KBFIX_REGTEXT_INT_H

/* Nonzero for the blanks .reg text allows around its tokens: space, tab. */
int is_space(int c);

#endif
