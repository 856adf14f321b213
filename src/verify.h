/* verify.h: the written hive differs from the original exactly by the
 * plan. */
#ifndef KBFIX_VERIFY_H
#define KBFIX_VERIFY_H

#include "diag.h"
#include "hive.h"
#include "plan.h"

/* Walk BEFORE and AFTER side by side.  Every key and value of BEFORE must
 * be in AFTER with the same name spelling, type and bytes, and AFTER must
 * hold nothing else, except where a change of P on BEFORE says otherwise.
 * Returns 0, or -1 with D naming the first unexpected difference. */
int verify_unchanged(const struct hive *before, const struct hive *after,
    const struct plan *p, struct diag *d);

#endif
