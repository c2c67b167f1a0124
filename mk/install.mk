# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# make install / make uninstall, honouring PREFIX (default /usr/local) and
# DESTDIR (staging root for packages). Installs:
#   $(SBINDIR)/tphtrace                                   the binary
#   $(MANDIR)/man8/tphtrace.8                             tphtrace(8)
#   $(BASHCOMPDIR)/tphtrace                               bash completion
#   $(SYSTEMDUNITDIR)/tphtrace-exporter.service           systemd unit (@SBINDIR@ filled in)
#   $(DATADIR)/{tphtrace.rules.yml,prometheus-scrape.yml,grafana-dashboard.json}
#   $(DOCDIR)/exporter.md

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
INSTALLED	:= $(SBINDIR)/tphtrace $(MANDIR)/man8/tphtrace.8 \
		   $(BASHCOMPDIR)/tphtrace $(SYSTEMDUNITDIR)/tphtrace-exporter.service \
		   $(addprefix $(DATADIR)/,$(notdir $(INSTALL_DATA))) \
		   $(DOCDIR)/exporter.md

install: $(BIN)
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(SYSTEMDUNITDIR) \
		$(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR)
	$(Q)$(INSTALL) -m 0755 $(BIN) $(DESTDIR)$(SBINDIR)/tphtrace
	$(Q)$(INSTALL) -m 0644 docs/tphtrace.8 $(DESTDIR)$(MANDIR)/man8/tphtrace.8
	$(Q)$(INSTALL) -m 0644 contrib/bash-completion/tphtrace $(DESTDIR)$(BASHCOMPDIR)/tphtrace
	$(Q)sed 's|@SBINDIR@|$(SBINDIR)|g' deploy/tphtrace-exporter.service.in > \
		$(DESTDIR)$(SYSTEMDUNITDIR)/tphtrace-exporter.service && \
		chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/tphtrace-exporter.service
	$(Q)$(INSTALL) -m 0644 deploy/tphtrace.rules.yml deploy/grafana-dashboard.json \
		$(DESTDIR)$(DATADIR)/
	$(Q)sed 's|/usr/local/share/tphtrace/|$(DATADIR)/|g' deploy/prometheus-scrape.yml > \
		$(DESTDIR)$(DATADIR)/prometheus-scrape.yml && \
		chmod 0644 $(DESTDIR)$(DATADIR)/prometheus-scrape.yml
	$(Q)$(INSTALL) -m 0644 docs/exporter.md $(DESTDIR)$(DOCDIR)/exporter.md

uninstall:
	$(call msg,UNINSTALL,$(DESTDIR)$(PREFIX))
	$(Q)rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	$(Q)rmdir $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR) 2>/dev/null || true
