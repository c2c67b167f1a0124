// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* libmicrohttpd and GnuTLS on demand (see httplib.h). */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#define HTTPLIB_NO_REDIRECT
#include "httplib.h"

struct httplib httplib;

static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;
static int loaded;

static void *open_lib(const char *soname, const char *package, char *err, size_t errlen)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

	if (!h)
		snprintf(err, errlen, "the exporter needs %s (Debian package %s): %s",
			 soname, package, dlerror());
	return h;
}

/* one symbol into its typed slot; the slot's type is the header's prototype */
#define LOAD_SYM(lib, f)							\
	do {									\
		void *p_ = dlsym(lib, #f);					\
										\
		if (!p_) {							\
			snprintf(err, errlen, "%s has no %s: %s", soname_of_##lib, #f, \
				 dlerror());					\
			goto cleanup;						\
		}								\
		httplib.f = (__typeof__(httplib.f))p_;				\
	} while (0)

int httplib_load(char *err, size_t errlen)
{
	static const char soname_of_mhd[] = HTTPLIB_MHD_SONAME;
	static const char soname_of_tls[] = HTTPLIB_GNUTLS_SONAME;
	void *mhd = NULL, *tls = NULL;
	int ret = -ENOENT;

	pthread_mutex_lock(&load_lock);
	if (loaded) {
		ret = 0;
		goto cleanup;
	}
	/* GnuTLS first: libmicrohttpd needs it too, and the message names it */
	tls = open_lib(HTTPLIB_GNUTLS_SONAME, "libgnutls30", err, errlen);
	if (!tls)
		goto cleanup;
	mhd = open_lib(HTTPLIB_MHD_SONAME, "libmicrohttpd12", err, errlen);
	if (!mhd)
		goto cleanup;
#define LOAD_MHD(f) LOAD_SYM(mhd, f);
#define LOAD_TLS(f) LOAD_SYM(tls, f);
	HTTPLIB_MHD_FUNCS(LOAD_MHD)
	HTTPLIB_GNUTLS_FUNCS(LOAD_TLS)
	/* both stay loaded for the life of the process */
	mhd = tls = NULL;
	loaded = 1;
	ret = 0;
cleanup:
	if (ret)
		memset(&httplib, 0, sizeof(httplib));
	if (tls)
		dlclose(tls);
	if (mhd)
		dlclose(mhd);
	pthread_mutex_unlock(&load_lock);
	return ret;
}
