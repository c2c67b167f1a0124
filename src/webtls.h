/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * TLS for the exporter (GnuTLS, the library libmicrohttpd serves TLS with):
 * the exporter-toolkit's tls_server_config turned into what GnuTLS does.
 *
 *   min/max_version, cipher_suites, curve_preferences,
 *   prefer_server_cipher_suites   -> one GnuTLS priority string
 *   client_auth_type              -> per session: certificate request mode
 *                                    and a verify function run during the
 *                                    handshake (chain against client_ca,
 *                                    purpose TLS client, client_allowed_sans)
 *   cipher_suites (TLS <= 1.2)    -> a priority string allows the product of
 *                                    its key exchanges, ciphers and MACs; a
 *                                    suite outside the list is refused before
 *                                    any request is answered on it
 */
#ifndef TPHTRACE_WEBTLS_H
#define TPHTRACE_WEBTLS_H

#include <stdbool.h>
#include <stddef.h>
#include <gnutls/gnutls.h>
#include "webcfg.h"

/* Build c->priorities and check that GnuTLS accepts it; -EINVAL naming the key. */
int webtls_priorities(struct webcfg *c, char *err, size_t errlen);
/* Load certificate, key (they must match) and client CAs the way the server will. */
int webtls_check(struct webcfg *c, char *why, size_t whylen);
/* A new server session: what to ask of the client. */
void webtls_session_init(const struct webcfg *c, gnutls_session_t s);
/* During the handshake: 0 if the client's certificate (or its absence) is acceptable. */
int webtls_verify_peer(const struct webcfg *c, gnutls_session_t s);
/* After the handshake: the negotiated suite is one of cipher_suites (or any if none). */
bool webtls_suite_allowed(const struct webcfg *c, gnutls_session_t s);

#endif /* TPHTRACE_WEBTLS_H */
