// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The stop signals and a wait that cannot lose one (see stopsig.h). */
#define _GNU_SOURCE	/* ppoll() */
#include <errno.h>
#include <time.h>
#include "stopsig.h"

const int stop_signals[N_STOP_SIGNALS] = { SIGINT, SIGTERM, SIGHUP };

int poll_unless_stopped(struct pollfd *pfd, nfds_t n, int timeout_ms,
			const volatile sig_atomic_t *stop)
{
	struct timespec ts = { timeout_ms / 1000, (timeout_ms % 1000) * 1000000L };
	sigset_t block, old;
	int i, ret, err;

	sigemptyset(&block);
	for (i = 0; i < N_STOP_SIGNALS; i++)
		sigaddset(&block, stop_signals[i]);
	sigprocmask(SIG_BLOCK, &block, &old);
	if (*stop) {
		ret = -1;
		err = EINTR;
	} else {
		ret = ppoll(pfd, n, timeout_ms < 0 ? NULL : &ts, &old);
		err = errno;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	errno = err;
	return ret;
}
