// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * LD_PRELOAD shim for tests/reliability/test-lifecycle.sh: every poll() or
 * ppoll() that would wait with no timeout first sleeps SLOWPOLL_MS
 * (restarting the sleep when a signal interrupts it). That holds open the
 * window between a loop's last look at its stop flag and the wait, so that
 * a stop signal sent meanwhile lands in it every time: a loop that can lose
 * the signal there then sleeps for good.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>

static void hold_window(void)
{
	const char *ms = getenv("SLOWPOLL_MS");
	struct timespec left;
	long v = ms ? atol(ms) : 0;

	left.tv_sec = v / 1000;
	left.tv_nsec = (v % 1000) * 1000000L;
	while (v > 0 && nanosleep(&left, &left) < 0 && errno == EINTR)
		;
}

int poll(struct pollfd *fds, nfds_t n, int timeout)
{
	int (*real)(struct pollfd *, nfds_t, int) = dlsym(RTLD_NEXT, "poll");

	if (timeout < 0)
		hold_window();
	return real(fds, n, timeout);
}

int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *ts, const sigset_t *mask)
{
	int (*real)(struct pollfd *, nfds_t, const struct timespec *, const sigset_t *) =
		dlsym(RTLD_NEXT, "ppoll");

	if (!ts)
		hold_window();
	return real(fds, n, ts, mask);
}
