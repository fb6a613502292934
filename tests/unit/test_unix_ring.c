/* Host tests of the AF_UNIX byte ring (kernel/sys/unix_ring.c). */
#include <stdlib.h>
#include <string.h>

#include "sys/unix_ring.h"
#include "unit.h"

/* --- shim: chunks from malloc, counted; one can be made to fail --- */

static int chunks_live, chunks_left = -1;

void *uring_chunk_alloc(void)
{
	if (chunks_left == 0)
		return NULL;
	if (chunks_left > 0)
		chunks_left--;
	chunks_live++;
	return malloc(URING_CHUNK);
}

void uring_chunk_free(void *p)
{
	chunks_live--;
	free(p);
}

static int from_buf(void *ctx, size_t at, void *p, size_t n)
{
	memcpy(p, (char *)ctx + at, n);
	return 0;
}

static int to_buf(void *ctx, size_t at, void *p, size_t n)
{
	memcpy((char *)ctx + at, p, n);
	return 0;
}

static int fail_copy(void *ctx, size_t at, void *p, size_t n)
{
	(void)ctx;
	(void)p;
	return at + n > 5000 ? -14 : 0; /* -EFAULT past byte 5000 */
}

static void fill(char *b, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (char)(seed + i * 7);
}

TEST(uring_empty_takes_no_chunk)
{
	struct uring r = {0};

	CHECK(uring_room(&r) == URING_SIZE);
	CHECK(uring_put(&r, 0, from_buf, NULL) == 0);
	CHECK(chunks_live == 0);
	uring_free(&r);
}

TEST(uring_round_trip_across_chunks)
{
	static char in[3 * URING_CHUNK + 123], out[sizeof in];
	struct uring r = {0};

	fill(in, sizeof in, 1);
	CHECK(uring_put(&r, 100, from_buf, in) == 0);
	CHECK(chunks_live == 1);
	CHECK(uring_put(&r, sizeof in - 100, from_buf, in + 100) == 0);
	CHECK(chunks_live == 4);
	CHECK(r.len == sizeof in);
	CHECK(uring_peek(&r, 0, sizeof in, to_buf, out) == 0);
	CHECK(!memcmp(in, out, sizeof in));
	memset(out, 0, sizeof out);
	CHECK(uring_peek(&r, 4000, 500, to_buf, out) == 0);
	CHECK(!memcmp(in + 4000, out, 500));
	uring_drop(&r, sizeof in);
	CHECK(r.len == 0 && r.head == 0);
	CHECK(chunks_live == 1); /* empty: the first chunk stays */
	uring_free(&r);
	CHECK(chunks_live == 0);
}

TEST(uring_wraps_and_fills_exactly)
{
	static char in[URING_SIZE], out[URING_SIZE];
	struct uring r = {0};

	fill(in, sizeof in, 3);
	CHECK(uring_put(&r, 10000, from_buf, in) == 0);
	uring_drop(&r, 9999); /* head moves; one byte stays */
	CHECK(uring_put(&r, URING_SIZE - 1, from_buf, in) == 0);
	CHECK(uring_room(&r) == 0);
	CHECK(uring_put(&r, 1, from_buf, in) < 0);
	CHECK(uring_peek(&r, 1, URING_SIZE - 1, to_buf, out) == 0);
	CHECK(!memcmp(in, out, URING_SIZE - 1));
	CHECK(uring_peek(&r, 1, URING_SIZE, to_buf, out) < 0);
	CHECK(chunks_live == URING_CHUNKS);
	uring_drop(&r, 1);
	CHECK(chunks_live == URING_CHUNKS);
	uring_drop(&r, URING_SIZE - 1);
	CHECK(chunks_live == 1 && r.head == 0);
	uring_free(&r);
	CHECK(chunks_live == 0);
}

TEST(uring_failed_put_changes_nothing)
{
	static char in[8192];
	struct uring r = {0};

	CHECK(uring_put(&r, 8192, fail_copy, in) < 0);
	CHECK(r.len == 0);
	chunks_left = 0;
	CHECK(uring_put(&r, 4097 + 4096, from_buf, in) < 0);
	chunks_left = -1;
	CHECK(r.len == 0);
	uring_free(&r);
	CHECK(chunks_live == 0);
}
