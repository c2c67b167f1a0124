/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * libmicrohttpd and GnuTLS, loaded with dlopen() when the exporter needs
 * them, not by the dynamic loader at every start of tphtrace.
 *
 * Why (issue 14, P3): with both linked, exec() of tphtrace mapped 21 shared
 * libraries (GnuTLS brings nine) and ran GnuTLS's constructor, which reads
 * its system configuration; in the 7.3 TCG guest that was ~0.07 s of a
 * 0.30 s start-up to attached. trace, top, list, check, devices and probe
 * never use either library. With them loaded here and the other libraries
 * linked from Debian's static archives, exec() maps libc alone.
 *
 * Include this instead of <microhttpd.h> and the GnuTLS headers: every
 * function tphtrace calls is a pointer filled in by httplib_load(), and the
 * defines below turn the calls into calls through it, so call sites read as
 * the libraries' own documentation. A function not listed here does not
 * compile (it would be an undefined reference: neither library is linked).
 */
#ifndef TPHTRACE_HTTPLIB_H
#define TPHTRACE_HTTPLIB_H

#include <stddef.h>
#include <microhttpd.h>
#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>

/* the SONAMEs Debian 12's -dev packages link against (libmicrohttpd12, libgnutls30) */
#define HTTPLIB_MHD_SONAME	"libmicrohttpd.so.12"
#define HTTPLIB_GNUTLS_SONAME	"libgnutls.so.30"

#define HTTPLIB_MHD_FUNCS(X)					\
	X(MHD_add_connection)					\
	X(MHD_add_response_header)				\
	X(MHD_basic_auth_get_username_password)			\
	X(MHD_create_response_from_buffer)			\
	X(MHD_destroy_response)					\
	X(MHD_free)						\
	X(MHD_get_connection_info)				\
	X(MHD_get_daemon_info)					\
	X(MHD_get_timeout)					\
	X(MHD_lookup_connection_value)				\
	X(MHD_queue_response)					\
	X(MHD_resume_connection)				\
	X(MHD_run)						\
	X(MHD_start_daemon)					\
	X(MHD_stop_daemon)					\
	X(MHD_suspend_connection)

#define HTTPLIB_GNUTLS_FUNCS(X)					\
	X(gnutls_certificate_allocate_credentials)		\
	X(gnutls_certificate_free_credentials)			\
	X(gnutls_certificate_get_peers)				\
	X(gnutls_certificate_server_set_request)		\
	X(gnutls_certificate_set_x509_key_mem2)			\
	X(gnutls_certificate_set_x509_trust_mem)		\
	X(gnutls_certificate_verify_peers)			\
	X(gnutls_cipher_get)					\
	X(gnutls_cipher_get_name)				\
	X(gnutls_hash_fast)					\
	X(gnutls_kx_get)					\
	X(gnutls_kx_get_name)					\
	X(gnutls_mac_get)					\
	X(gnutls_mac_get_name)					\
	X(gnutls_priority_deinit)				\
	X(gnutls_priority_init)					\
	X(gnutls_protocol_get_version)				\
	X(gnutls_session_get_ptr)				\
	X(gnutls_session_set_verify_function)			\
	X(gnutls_strerror)					\
	X(gnutls_x509_crt_deinit)				\
	X(gnutls_x509_crt_get_subject_alt_name)			\
	X(gnutls_x509_crt_import)				\
	X(gnutls_x509_crt_init)

#define HTTPLIB_PTR(f)	__typeof__(f) *f;
struct httplib {
	HTTPLIB_MHD_FUNCS(HTTPLIB_PTR)
	HTTPLIB_GNUTLS_FUNCS(HTTPLIB_PTR)
};
#undef HTTPLIB_PTR

extern struct httplib httplib;

/*
 * Loads both libraries and every function above, once per process; later
 * calls return at once. 0, or -ENOENT with @err naming the library (and its
 * Debian package) or the symbol that is missing.
 */
int httplib_load(char *err, size_t errlen);

#ifndef HTTPLIB_NO_REDIRECT
#define MHD_add_connection			(*httplib.MHD_add_connection)
#define MHD_add_response_header			(*httplib.MHD_add_response_header)
#define MHD_basic_auth_get_username_password	(*httplib.MHD_basic_auth_get_username_password)
#define MHD_create_response_from_buffer		(*httplib.MHD_create_response_from_buffer)
#define MHD_destroy_response			(*httplib.MHD_destroy_response)
#define MHD_free				(*httplib.MHD_free)
#define MHD_get_connection_info			(*httplib.MHD_get_connection_info)
#define MHD_get_daemon_info			(*httplib.MHD_get_daemon_info)
#define MHD_get_timeout				(*httplib.MHD_get_timeout)
#define MHD_lookup_connection_value		(*httplib.MHD_lookup_connection_value)
#define MHD_queue_response			(*httplib.MHD_queue_response)
#define MHD_resume_connection			(*httplib.MHD_resume_connection)
#define MHD_run					(*httplib.MHD_run)
#define MHD_start_daemon			(*httplib.MHD_start_daemon)
#define MHD_stop_daemon				(*httplib.MHD_stop_daemon)
#define MHD_suspend_connection			(*httplib.MHD_suspend_connection)
#define gnutls_certificate_allocate_credentials	(*httplib.gnutls_certificate_allocate_credentials)
#define gnutls_certificate_free_credentials	(*httplib.gnutls_certificate_free_credentials)
#define gnutls_certificate_get_peers		(*httplib.gnutls_certificate_get_peers)
#define gnutls_certificate_server_set_request	(*httplib.gnutls_certificate_server_set_request)
#define gnutls_certificate_set_x509_key_mem2	(*httplib.gnutls_certificate_set_x509_key_mem2)
#define gnutls_certificate_set_x509_trust_mem	(*httplib.gnutls_certificate_set_x509_trust_mem)
#define gnutls_certificate_verify_peers		(*httplib.gnutls_certificate_verify_peers)
#define gnutls_cipher_get			(*httplib.gnutls_cipher_get)
#define gnutls_cipher_get_name			(*httplib.gnutls_cipher_get_name)
#define gnutls_hash_fast			(*httplib.gnutls_hash_fast)
#define gnutls_kx_get				(*httplib.gnutls_kx_get)
#define gnutls_kx_get_name			(*httplib.gnutls_kx_get_name)
#define gnutls_mac_get				(*httplib.gnutls_mac_get)
#define gnutls_mac_get_name			(*httplib.gnutls_mac_get_name)
#define gnutls_priority_deinit			(*httplib.gnutls_priority_deinit)
#define gnutls_priority_init			(*httplib.gnutls_priority_init)
#define gnutls_protocol_get_version		(*httplib.gnutls_protocol_get_version)
#define gnutls_session_get_ptr			(*httplib.gnutls_session_get_ptr)
#define gnutls_session_set_verify_function	(*httplib.gnutls_session_set_verify_function)
#define gnutls_strerror				(*httplib.gnutls_strerror)
#define gnutls_x509_crt_deinit			(*httplib.gnutls_x509_crt_deinit)
#define gnutls_x509_crt_get_subject_alt_name	(*httplib.gnutls_x509_crt_get_subject_alt_name)
#define gnutls_x509_crt_import			(*httplib.gnutls_x509_crt_import)
#define gnutls_x509_crt_init			(*httplib.gnutls_x509_crt_init)
#endif

#endif /* TPHTRACE_HTTPLIB_H */
