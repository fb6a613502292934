/* random_fill(): RDRAND when the CPU has it, else a ChaCha20 stream. */
#include <kernel/arch.h>
#include <kernel/string.h>
#include <kernel/time.h>

#include <kernel/random.h>

/*
 * Without RDRAND (QEMU's qemu64 model under TCG has none) the bytes come
 * from ChaCha20 (RFC 8439, section 2.3) keyed once from the TSC, the RTC
 * and the cycle jitter of the calls that read them. Good for hash seeds
 * and AT_RANDOM canaries; not a substitute for a hardware source.
 */
static uint32_t state[16];
static bool seeded;

static uint32_t rotl(uint32_t v, int n)
{
	return (v << n) | (v >> (32 - n));
}

#define QR(a, b, c, d)                                                         \
	do {                                                                   \
		a += b;                                                        \
		d = rotl(d ^ a, 16);                                           \
		c += d;                                                        \
		b = rotl(b ^ c, 12);                                           \
		a += b;                                                        \
		d = rotl(d ^ a, 8);                                            \
		c += d;                                                        \
		b = rotl(b ^ c, 7);                                            \
	} while (0)

/* One 64-byte block; advances the 64-bit block counter (words 12-13). */
static void chacha_block(uint32_t out[16])
{
	uint32_t x[16];

	memcpy(x, state, sizeof x);
	for (int i = 0; i < 10; i++) {
		QR(x[0], x[4], x[8], x[12]);
		QR(x[1], x[5], x[9], x[13]);
		QR(x[2], x[6], x[10], x[14]);
		QR(x[3], x[7], x[11], x[15]);
		QR(x[0], x[5], x[10], x[15]);
		QR(x[1], x[6], x[11], x[12]);
		QR(x[2], x[7], x[8], x[13]);
		QR(x[3], x[4], x[9], x[14]);
	}
	for (int i = 0; i < 16; i++)
		out[i] = x[i] + state[i];
	if (++state[12] == 0)
		state[13]++;
}

static void seed(void)
{
	uint64_t w[4];

	/* "expand 32-byte k" (RFC 8439, 2.3). */
	state[0] = 0x61707865;
	state[1] = 0x3320646e;
	state[2] = 0x79622d32;
	state[3] = 0x6b206574;
	w[0] = rdtsc();
	w[1] = clock_realtime_ns();
	w[2] = rdtsc() ^ (w[1] << 17);
	if (!arch_random64(&w[3]))
		w[3] = rdtsc() * 0x9e3779b97f4a7c15ULL;
	memcpy(&state[4], w, sizeof w);
	state[14] = (uint32_t)rdtsc();
	state[15] = (uint32_t)(rdtsc() >> 7);
	seeded = true;
}

void random_fill(void *buf, size_t n)
{
	uint8_t *p = buf;
	uint32_t block[16];
	uint64_t v;

	while (n >= 8 && arch_random64(&v)) {
		memcpy(p, &v, 8);
		p += 8;
		n -= 8;
	}
	if (!n)
		return;
	if (!seeded)
		seed();
	while (n) {
		size_t c = MIN(n, sizeof block);

		chacha_block(block);
		memcpy(p, block, c);
		p += c;
		n -= c;
	}
	/* Forget the block just handed out. */
	memset(block, 0, sizeof block);
}
