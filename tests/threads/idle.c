/* An idle application: one thread blocked on a condition variable for
 * ever, the first asleep for 5 s. run.sh measures QEMU's CPU time
 * meanwhile: a guest whose threads all wait must halt. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never = PTHREAD_COND_INITIALIZER;

static void *wait_for_ever(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	for (;;)
		pthread_cond_wait(&never, &lock);
	return NULL;
}

int main(void)
{
	pthread_t t;

	pthread_create(&t, NULL, wait_for_ever, NULL);
	printf("idle: sleeping 5 s\n");
	fflush(stdout);
	sleep(5);
	printf("idle: awake\n");
	return 0;
}
