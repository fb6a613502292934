/* Hostile guest: random mmap/munmap/mprotect/madvise/mremap, checked per page.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>

/*
 * A window of NPAGES pages is reserved, then changed at random with
 * MAP_FIXED mappings, unmaps, protection changes, MADV_DONTNEED and
 * mremap. A shadow copy says what each page must hold; every readable
 * page is checked after each step. Passes on a Linux host as well. On
 * kiln, every frame must be back once the window is unmapped.
 */
#define NPAGES 192
#define PG     4096UL
#define STEPS  10000

enum { UNMAPPED, NONE, RO, RW };

static unsigned char state[NPAGES];
static unsigned char value[NPAGES]; /* byte every word of the page holds */
static unsigned char *win;
static uint64_t seed = 0x9e3779b97f4a7c15ULL;
static int failures;

static unsigned rnd(unsigned n)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return (unsigned)(seed % n);
}

static void fail(const char *what, unsigned page, long got)
{
	if (failures++ < 10)
		printf("mmapstress: FAILED %s at page %u (%ld)\n", what, page,
		       got);
}

static void check_all(void)
{
	for (unsigned p = 0; p < NPAGES; p++) {
		if (state[p] != RO && state[p] != RW)
			continue;
		volatile unsigned char *b = win + p * PG;
		if (b[0] != value[p] || b[PG - 1] != value[p] ||
		    b[PG / 2] != value[p])
			fail("content", p, b[0]);
	}
}

static int prot_of(int st)
{
	return st == RW ? PROT_READ | PROT_WRITE : st == RO ? PROT_READ : 0;
}

static void step(void)
{
	unsigned p = rnd(NPAGES), n = 1 + rnd(12), op = rnd(6);
	void *r;

	if (p + n > NPAGES)
		n = NPAGES - p;
	switch (op) {
	case 0: /* fresh zero pages */
		r = mmap(win + p * PG, n * PG, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		if (r != win + p * PG) {
			fail("mmap fixed", p, (long)r);
			return;
		}
		memset(state + p, RW, n);
		memset(value + p, 0, n);
		break;
	case 1:
		if (munmap(win + p * PG, n * PG) != 0)
			fail("munmap", p, -1);
		memset(state + p, UNMAPPED, n);
		break;
	case 2: { /* change protection of mapped runs only */
		int st = RO + (int)rnd(2) - (rnd(4) == 0);
		unsigned q = p;
		while (q < p + n && state[q] != UNMAPPED)
			q++;
		if (q == p)
			return;
		if (mprotect(win + p * PG, (q - p) * PG, prot_of(st)) != 0)
			fail("mprotect", p, -1);
		memset(state + p, st, q - p);
		break;
	}
	case 3: /* write a new value to writable pages */
		for (unsigned q = p; q < p + n; q++) {
			if (state[q] != RW)
				continue;
			value[q] = (unsigned char)(1 + rnd(255));
			memset(win + q * PG, value[q], PG);
		}
		break;
	case 4: /* drop contents: zero on next touch */
		for (unsigned q = p; q < p + n; q++) {
			if (state[q] == UNMAPPED)
				continue;
			if (madvise(win + q * PG, PG, MADV_DONTNEED) != 0)
				fail("madvise", q, -1);
			value[q] = 0;
		}
		break;
	case 5: { /* move a single mapped page elsewhere in the window */
		unsigned to = rnd(NPAGES);
		if (state[p] == UNMAPPED || to == p)
			return;
		r = mremap(win + p * PG, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED,
			   win + to * PG);
		if (r != win + to * PG) {
			fail("mremap", p, (long)r);
			return;
		}
		state[to] = state[p];
		value[to] = value[p];
		state[p] = UNMAPPED;
		break;
	}
	}
}

static int on_kiln(void)
{
	struct utsname u;

	return uname(&u) == 0 && strstr(u.release, "kiln") != NULL;
}

int main(void)
{
	struct sysinfo before, after;

	win = mmap(0, NPAGES * PG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (win == MAP_FAILED) {
		printf("mmapstress: FAILED reserving the window\n");
		return 1;
	}
	/* Touch it all once so its page tables exist before counting. */
	memset(win, 1, NPAGES * PG);
	mmap(win, NPAGES * PG, PROT_NONE,
	     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	sysinfo(&before);
	for (int i = 0; i < STEPS && failures < 10; i++) {
		step();
		if (i % 16 == 0)
			check_all();
	}
	check_all();
	if (munmap(win, NPAGES * PG) != 0)
		fail("munmap window", 0, -1);
	sysinfo(&after);
	if (on_kiln() && after.freeram != before.freeram) {
		printf("mmapstress: FAILED %ld bytes not freed\n",
		       (long)(before.freeram - after.freeram));
		failures++;
	}
	if (failures) {
		printf("mmapstress: %d FAILED\n", failures);
		return 1;
	}
	printf("mmapstress ok\n");
	return 0;
}
