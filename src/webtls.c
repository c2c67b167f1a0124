// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* TLS settings of the web configuration through GnuTLS (see webtls.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "httplib.h"
#include "webtls.h"

/* Debian's bundle (ca-certificates): Go's system roots on the same host */
#define SYSTEM_CA_BUNDLE "/etc/ssl/certs/ca-certificates.crt"

static void add(char *buf, size_t len, const char *item)
{
	size_t off = strlen(buf);

	snprintf(buf + off, off < len ? len - off : 0, ":%s", item);
}

/* ":+NAME" unless the string has it already (each algorithm once) */
static void add_once(char *buf, size_t len, const char *name)
{
	char item[64];
	const char *p;
	size_t n;

	snprintf(item, sizeof(item), "+%s", name);
	n = strlen(item);
	for (p = strstr(buf, item); p; p = strstr(p + 1, item))
		if (p > buf && p[-1] == ':' && (p[n] == ':' || !p[n]))
			return;
	add(buf, len, item);
}

int webtls_priorities(struct webcfg *c, char *err, size_t errlen)
{
	static const char *const vers[] = { "VERS-TLS1.0", "VERS-TLS1.1", "VERS-TLS1.2",
					    "VERS-TLS1.3" };
	char *p = c->priorities, item[64];
	size_t len = sizeof(c->priorities);
	gnutls_priority_t prio;
	const char *errpos = NULL;
	unsigned int v, i;
	int ret;

	if (!c->tls) {
		p[0] = '\0';
		return 0;
	}
	ret = httplib_load(err, errlen);
	if (ret)
		return ret;
	snprintf(p, len, "NORMAL:-VERS-ALL");
	for (v = c->min_version; v <= c->max_version && v >= 0x0301 && v <= 0x0304; v++) {
		snprintf(item, sizeof(item), "+%s", vers[v - 0x0301]);
		add(p, len, item);
	}
	if (c->nsuites) {
		add(p, len, "-KX-ALL:-CIPHER-ALL:-MAC-ALL");
		for (i = 0; i < c->nsuites; i++)
			add_once(p, len, c->suites[i]->kx);
		for (i = 0; i < c->nsuites; i++)
			add_once(p, len, c->suites[i]->cipher);
		for (i = 0; i < c->nsuites; i++)
			add_once(p, len, c->suites[i]->mac);
		/* TLS 1.3 suites are not configurable in Go: keep its three */
		if (c->max_version >= 0x0304) {
			add_once(p, len, "AES-128-GCM");
			add_once(p, len, "AES-256-GCM");
			add_once(p, len, "CHACHA20-POLY1305");
			add_once(p, len, "AEAD");
		}
	}
	if (c->ncurves) {
		add(p, len, "-GROUP-ALL");
		for (i = 0; i < c->ncurves; i++) {
			snprintf(item, sizeof(item), "GROUP-%s", c->curves[i]);
			add_once(p, len, item);
		}
	}
	if (c->prefer_server_cipher_suites)
		add(p, len, "%SERVER_PRECEDENCE");
	ret = gnutls_priority_init(&prio, p, &errpos);
	if (ret < 0) {
		snprintf(err, errlen, "%s: tls_server_config: GnuTLS refuses the settings "
			 "(min_version, max_version, cipher_suites, curve_preferences) at "
			 "'%.40s' of priority string '%s': %s", c->path ? c->path : "",
			 errpos ? errpos : "?", p, gnutls_strerror(ret));
		return -EINVAL;
	}
	gnutls_priority_deinit(prio);
	return 0;
}

static int load_system_cas(struct webcfg *c, char *why, size_t whylen)
{
	FILE *f = fopen(SYSTEM_CA_BUNDLE, "re");
	size_t n;
	char *buf;

	if (!f) {
		snprintf(why, whylen, "client_auth_type verifies client certificates and no "
			 "client_ca_file is given, so the system's CAs would be used, but "
			 SYSTEM_CA_BUNDLE " cannot be read: %s", strerror(errno));
		return -ENOENT;
	}
	buf = malloc(8 << 20);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(buf, 1, (8 << 20) - 1, f);
	fclose(f);
	buf[n] = '\0';
	c->client_ca_pem = buf;
	return 0;
}

int webtls_check(struct webcfg *c, char *why, size_t whylen)
{
	gnutls_certificate_credentials_t cred;
	gnutls_datum_t cd, kd, ca;
	int ret;

	if (!c->tls)
		return 0;
	ret = httplib_load(why, whylen);
	if (ret)
		return ret;
	if (c->client_ca_system && !c->client_ca_pem) {
		ret = load_system_cas(c, why, whylen);
		if (ret)
			return ret;
	}
	if (gnutls_certificate_allocate_credentials(&cred) < 0)
		return -ENOMEM;
	cd.data = (unsigned char *)c->cert_pem;
	cd.size = (unsigned int)strlen(c->cert_pem);
	kd.data = (unsigned char *)c->key_pem;
	kd.size = (unsigned int)strlen(c->key_pem);
	ret = gnutls_certificate_set_x509_key_mem2(cred, &cd, &kd, GNUTLS_X509_FMT_PEM,
						   NULL, 0);
	if (ret < 0) {
		snprintf(why, whylen, "cert/cert_file and key/key_file: %s (want a PEM "
			 "certificate chain and its unencrypted PEM key)", gnutls_strerror(ret));
		ret = -EINVAL;
		goto out;
	}
	if (c->client_ca_pem) {
		ca.data = (unsigned char *)c->client_ca_pem;
		ca.size = (unsigned int)strlen(c->client_ca_pem);
		ret = gnutls_certificate_set_x509_trust_mem(cred, &ca, GNUTLS_X509_FMT_PEM);
		if (ret <= 0) {
			snprintf(why, whylen, "client_ca/client_ca_file: %s",
				 ret < 0 ? gnutls_strerror(ret) : "no PEM certificate in it");
			ret = -EINVAL;
			goto out;
		}
	}
	ret = 0;
out:
	gnutls_certificate_free_credentials(cred);
	return ret;
}

static gnutls_certificate_request_t request_mode(enum webcfg_client_auth a)
{
	switch (a) {
	case WEBCFG_REQUEST_CLIENT_CERT:
	case WEBCFG_VERIFY_CLIENT_CERT_IF_GIVEN:
		return GNUTLS_CERT_REQUEST;
	case WEBCFG_REQUIRE_ANY_CLIENT_CERT:
	case WEBCFG_REQUIRE_AND_VERIFY_CLIENT_CERT:
		return GNUTLS_CERT_REQUIRE;
	default:
		return GNUTLS_CERT_IGNORE;
	}
}

void webtls_session_init(const struct webcfg *c, gnutls_session_t s)
{
	/* libmicrohttpd asks for a certificate whenever a trust list is set;
	 * this says what client_auth_type says */
	gnutls_certificate_server_set_request(s, request_mode(c->client_auth));
}

/* One of the client certificate's SANs is listed (Go: VerifyPeerCertificate) */
static bool san_allowed(const struct webcfg *c, const gnutls_datum_t *der)
{
	gnutls_x509_crt_t crt;
	char buf[1024], ip[INET6_ADDRSTRLEN];
	unsigned int seq, i, crit;
	size_t size;
	bool found = false;
	int type;

	if (gnutls_x509_crt_init(&crt) < 0)
		return false;
	if (gnutls_x509_crt_import(crt, der, GNUTLS_X509_FMT_DER) < 0)
		goto out;
	for (seq = 0; !found; seq++) {
		const char *val = buf;

		size = sizeof(buf) - 1;
		type = gnutls_x509_crt_get_subject_alt_name(crt, seq, buf, &size, &crit);
		if (type == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		if (type < 0)
			continue;	/* too long or unreadable: cannot match */
		buf[size] = '\0';
		if (type == GNUTLS_SAN_IPADDRESS) {
			if (!inet_ntop(size == 4 ? AF_INET : AF_INET6, buf, ip, sizeof(ip)))
				continue;
			val = ip;
		} else if (type != GNUTLS_SAN_DNSNAME && type != GNUTLS_SAN_RFC822NAME &&
			   type != GNUTLS_SAN_URI) {
			continue;
		} else if (strlen(buf) != size) {
			continue;	/* a NUL inside: never equal to a configured name */
		}
		for (i = 0; i < c->nsans && !found; i++)
			found = !strcmp(c->sans[i], val);
	}
out:
	gnutls_x509_crt_deinit(crt);
	return found;
}

int webtls_verify_peer(const struct webcfg *c, gnutls_session_t s)
{
	gnutls_typed_vdata_st purpose = {
		.type = GNUTLS_DT_KEY_PURPOSE_OID,
		.data = (unsigned char *)GNUTLS_KP_TLS_WWW_CLIENT,
	};
	const gnutls_datum_t *certs;
	unsigned int n = 0, status = 0;
	bool verify = c->client_auth == WEBCFG_VERIFY_CLIENT_CERT_IF_GIVEN ||
		      c->client_auth == WEBCFG_REQUIRE_AND_VERIFY_CLIENT_CERT;

	certs = gnutls_certificate_get_peers(s, &n);
	if (!certs || !n) {
		/* REQUIRE already failed the handshake; REQUEST may go without */
		return request_mode(c->client_auth) == GNUTLS_CERT_REQUIRE ? -1 : 0;
	}
	if (!verify)
		return 0;
	if (gnutls_certificate_verify_peers(s, &purpose, 1, &status) < 0 || status)
		return -1;
	if (c->nsans && !san_allowed(c, &certs[0]))
		return -1;
	return 0;
}

bool webtls_suite_allowed(const struct webcfg *c, gnutls_session_t s)
{
	const char *kx, *cipher, *mac;
	unsigned int i;

	if (!c->nsuites || gnutls_protocol_get_version(s) >= GNUTLS_TLS1_3)
		return true;
	kx = gnutls_kx_get_name(gnutls_kx_get(s));
	cipher = gnutls_cipher_get_name(gnutls_cipher_get(s));
	mac = gnutls_mac_get_name(gnutls_mac_get(s));
	if (!kx || !cipher || !mac)
		return false;
	for (i = 0; i < c->nsuites; i++)
		if (!strcmp(c->suites[i]->kx, kx) && !strcmp(c->suites[i]->cipher, cipher) &&
		    !strcmp(c->suites[i]->mac, mac))
			return true;
	return false;
}
