/* hivediff: the differential test of kbfix's structure check against
 * hivex (hivexwalk.h), on hive files.
 *
 *   hivediff FILE...
 *   hivediff --walk TIMEOUT FILE
 *
 * For each FILE one line: its name and both verdicts (hivex is asked even
 * when kbfix accepts the hive).  A hive hivex reads whole that kbfix
 * refuses for no hostile shape of regfcheck.h is a disagreement: the line
 * starts with "DISAGREE: " and the exit status is 1.
 *
 * With --walk it is the child process of hivexwalk_read
 * ($KBFIX_HIVEXWALK): hivex's walk of FILE, as a struct hivexwalk on
 * standard output.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hivexwalk.h"

int
main(int argc, char **argv)
{
	struct hivexwalk_verdict v;
	char line[1200];
	int i, bad = 0;

	if (argc == 4 && strcmp(argv[1], "--walk") == 0)
		hivexwalk_run(argv[3], (unsigned)strtoul(argv[2], NULL, 10), 1);
	for (i = 1; i < argc; i++) {
		int r = hivexwalk_compare(argv[i], 1, &v);

		printf("%s%s: %s\n", r < 0 ? "DISAGREE: " : "", argv[i],
		    hivexwalk_text(&v, line, sizeof line));
		if (r < 0)
			bad = 1;
	}
	return bad;
}
