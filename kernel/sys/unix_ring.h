/* A bounded byte ring in page-sized chunks taken on first use (AF_UNIX). */
#ifndef KERNEL_SYS_UNIX_RING_H
#define KERNEL_SYS_UNIX_RING_H

#include <stddef.h>
#include <stdint.h>

#define URING_CHUNK  4096
#define URING_CHUNKS 52 /* 212,992 bytes: Linux's default socket buffer */
#define URING_SIZE   (URING_CHUNK * URING_CHUNKS)

/*
 * Bytes [head, head + len) modulo URING_SIZE are held. A chunk is taken
 * (uring_chunk_alloc) the first time a byte lands in it; when the ring
 * empties, every chunk but the first goes back (the head starts again at
 * 0), so an idle socket costs at most one page, and small messages going
 * back and forth reuse that page without touching the allocator.
 */
struct uring {
	void *chunk[URING_CHUNKS];
	size_t head, len;
};

/* Copies n bytes between p (ring memory) and the caller's data at offset
 * at of it (user memory: may fail with -EFAULT). */
typedef int (*uring_copy_fn)(void *ctx, size_t at, void *p, size_t n);

/* Provided by the user of the ring (the kernel: a page; unit tests:
 * malloc). NULL when out of memory. */
void *uring_chunk_alloc(void);
void uring_chunk_free(void *p);

static inline size_t uring_room(const struct uring *r)
{
	return URING_SIZE - r->len;
}

/* Append n bytes (n <= room) copied by from(ctx, 0.., ...): 0, or -ENOMEM
 * / the copy's error with nothing appended. */
int uring_put(struct uring *r, size_t n, uring_copy_fn from, void *ctx);
/* Copy n bytes starting off bytes after the head (off + n <= len) out
 * through to(ctx, 0.., ...), leaving the ring as it is. */
int uring_peek(const struct uring *r, size_t off, size_t n, uring_copy_fn to,
	       void *ctx);
/* Drop n bytes (n <= len) from the head; empty, give back all chunks but
 * the first. */
void uring_drop(struct uring *r, size_t n);
void uring_free(struct uring *r);

#endif
