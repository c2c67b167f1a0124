# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# make install / make uninstall, honouring PREFIX (default /usr/local) and
# DESTDIR (staging root for packages). Installs:
#   $(SBINDIR)/tphtrace                                   the binary
#   $(MANDIR)/man8/tphtrace.8                             tphtrace(8)
#   $(BASHCOMPDIR)/tphtrace                               bash completion
#   $(SYSTEMDUNITDIR)/tphtrace-exporter.service           systemd unit (@SBINDIR@ filled in)
#   $(DATADIR)/{tphtrace.rules.yml,prometheus-scrape.yml,grafana-dashboard.json}
#   $(DOCDIR)/ every document --help and tphtrace(8) name (INSTALL_DOCS),
#             README.md and the license texts

PREFIX		?= /usr/local
SBINDIR		?= $(PREFIX)/sbin
MANDIR		?= $(PREFIX)/share/man
DATADIR		?= $(PREFIX)/share/tphtrace
DOCDIR		?= $(PREFIX)/share/doc/tphtrace
BASHCOMPDIR	?= $(PREFIX)/share/bash-completion/completions
# systemd reads /usr/local/lib/systemd/system and /usr/lib/systemd/system
SYSTEMDUNITDIR	?= $(PREFIX)/lib/systemd/system
INSTALL		?= install

INSTALL_DATA	:= deploy/tphtrace.rules.yml deploy/prometheus-scrape.yml \
		   deploy/grafana-dashboard.json
# every document --help and tphtrace(8) point to (tests/exporter/test-exporter.sh
# checks that the list covers them)
INSTALL_DOCS	:= README.md LICENSE docs/ARCHITECTURE.md docs/json.md docs/trace-format.md \
		   docs/rules.md docs/devices.md docs/exporter.md docs/symbols.md
INSTALL_LICENSES := $(wildcard LICENSES/*)
INSTALLED	:= $(SBINDIR)/tphtrace $(MANDIR)/man8/tphtrace.8 \
		   $(BASHCOMPDIR)/tphtrace $(SYSTEMDUNITDIR)/tphtrace-exporter.service \
		   $(addprefix $(DATADIR)/,$(notdir $(INSTALL_DATA))) \
		   $(addprefix $(DOCDIR)/,$(notdir $(INSTALL_DOCS))) \
		   $(addprefix $(DOCDIR)/LICENSES/,$(notdir $(INSTALL_LICENSES)))

install: $(BIN)
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(SYSTEMDUNITDIR) \
		$(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR) $(DESTDIR)$(DOCDIR)/LICENSES
	$(Q)$(INSTALL) -m 0755 $(BIN) $(DESTDIR)$(SBINDIR)/tphtrace
	$(Q)$(INSTALL) -m 0644 docs/tphtrace.8 $(DESTDIR)$(MANDIR)/man8/tphtrace.8
	$(Q)$(INSTALL) -m 0644 contrib/bash-completion/tphtrace $(DESTDIR)$(BASHCOMPDIR)/tphtrace
	$(Q)sed 's|@SBINDIR@|$(SBINDIR)|g' deploy/tphtrace-exporter.service.in > \
		$(DESTDIR)$(SYSTEMDUNITDIR)/tphtrace-exporter.service && \
		chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/tphtrace-exporter.service
	$(Q)$(INSTALL) -m 0644 $(INSTALL_DATA) $(DESTDIR)$(DATADIR)/
	$(Q)$(INSTALL) -m 0644 $(INSTALL_DOCS) $(DESTDIR)$(DOCDIR)/
	$(Q)$(INSTALL) -m 0644 $(INSTALL_LICENSES) $(DESTDIR)$(DOCDIR)/LICENSES/

uninstall:
	$(call msg,UNINSTALL,$(DESTDIR)$(PREFIX))
	$(Q)rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	$(Q)rmdir $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR)/LICENSES $(DESTDIR)$(DOCDIR) \
		2>/dev/null || true
