/* fileio.h: whole reads and writes on a file descriptor, the loops every
 * stage that writes a file or reads one at an offset would write again.
 * No diag: the caller names the file in its message (errno says why).
 */
#ifndef KBFIX_FILEIO_H
#define KBFIX_FILEIO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Write all LEN bytes of BUF to FD, again after EINTR and short writes.
 * 0, or -1 with errno set. */
int fileio_write_all(int fd, const void *buf, size_t len);

/* Read LEN bytes at offset OFF of FD into BUF, again after EINTR and
 * short reads.  The bytes read (fewer than LEN only at the end of the
 * file), or -1 with errno set. */
ssize_t fileio_pread_all(int fd, void *buf, size_t len, uint64_t off);

#endif
