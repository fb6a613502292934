/* A bounded byte ring in page-sized chunks taken on first use (AF_UNIX). */
#include <kernel/errno.h>

#include "unix_ring.h"

/* Visit [pos, pos + n) of the ring (modulo its size) chunk by chunk. */
static int walk(const struct uring *r, size_t pos, size_t n, uring_copy_fn fn,
		void *ctx)
{
	size_t done = 0;
	int err;

	while (done < n) {
		size_t at = (pos + done) % URING_SIZE;
		size_t c = URING_CHUNK - at % URING_CHUNK;

		if (c > n - done)
			c = n - done;
		err = fn(ctx, done,
			 (char *)r->chunk[at / URING_CHUNK] + at % URING_CHUNK,
			 c);
		if (err < 0)
			return err;
		done += c;
	}
	return 0;
}

int uring_put(struct uring *r, size_t n, uring_copy_fn from, void *ctx)
{
	size_t pos = r->head + r->len;
	int err;

	if (n > uring_room(r))
		return -ENOMEM;
	/* every chunk the bytes land in, before any is written */
	for (size_t i = 0; i < n; i += URING_CHUNK) {
		size_t c = ((pos + i) % URING_SIZE) / URING_CHUNK;

		if (!r->chunk[c] && !(r->chunk[c] = uring_chunk_alloc()))
			return -ENOMEM;
	}
	if (n) {
		size_t c = ((pos + n - 1) % URING_SIZE) / URING_CHUNK;

		if (!r->chunk[c] && !(r->chunk[c] = uring_chunk_alloc()))
			return -ENOMEM;
	}
	if ((err = walk(r, pos, n, from, ctx)) < 0)
		return err;
	r->len += n;
	return 0;
}

int uring_peek(const struct uring *r, size_t off, size_t n, uring_copy_fn to,
	       void *ctx)
{
	if (off + n > r->len)
		return -ENOMEM;
	return walk(r, r->head + off, n, to, ctx);
}

void uring_drop(struct uring *r, size_t n)
{
	if (n > r->len)
		n = r->len;
	r->head = (r->head + n) % URING_SIZE;
	r->len -= n;
	if (r->len)
		return;
	r->head = 0;
	for (int i = 1; i < URING_CHUNKS; i++) {
		if (r->chunk[i])
			uring_chunk_free(r->chunk[i]);
		r->chunk[i] = NULL;
	}
}

void uring_free(struct uring *r)
{
	for (int i = 0; i < URING_CHUNKS; i++) {
		if (r->chunk[i])
			uring_chunk_free(r->chunk[i]);
		r->chunk[i] = NULL;
	}
	r->head = r->len = 0;
}
