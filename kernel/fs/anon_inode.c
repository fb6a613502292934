/* Anonymous inodes: what stat says of an epoll or eventfd file. */
#include <kernel/file.h>

#include "fs/vfs.h"

/* epoll and eventfd files are anonymous inodes, as Linux's anon_inodefs
 * has them: one device, mode 0600 and no file type. */
#define ANON_INODE_DEV 13

int anon_inode_stat(struct file *f, struct kstat *st)
{
	(void)f;
	*st = (struct kstat){
		.dev = ANON_INODE_DEV,
		.ino = 1,
		.nlink = 1,
		.mode = 0600,
		.blksize = PAGE_SIZE,
	};
	return 0;
}
