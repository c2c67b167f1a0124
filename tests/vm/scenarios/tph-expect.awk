# SPDX-License-Identifier: GPL-2.0
#
# tph-expect.awk: check a tphsim scenario's expectations against observed
# events. POSIX awk (mawk, gawk, busybox).
#
#   awk -f tph-expect.awk -v fmt=tracefs|json -v scn=NAME -v kernel=K \
#       -v hooks=FAMILY -v ctl_rc=N [-v shape=v5|v7|v8] [-v unobs="KIND..."] \
#       [-v khooks="KIND=FAMILY[/MODULE]..."] SCENARIO.scn CTL_OUTPUT EVENTS
#
# shape: the TPH series revision tphsim was built as (default v8); an
#   expectation ending in "@shape=v5,v7" is one of those revisions' only
#   (the series changed what some steps do); tphsim-ctl's "shape" line
#   must agree.
# unobs: kinds the hooks in use cannot observe (`tphtrace probe -j` says
#   "hook": null for them): their expectations are skipped, and said so.
# khooks: the family each kind is hooked with in this run, and where the hook
#   is (module, "vmlinux" for the kernel; from the same probe); an
#   expectation ending in "@hooks=F1,F2" is checked only when its kind is
#   hooked by one of those families (e.g. a failed attach is seen by the
#   stock functions' exit hooks, never by the upstream tracepoint); an item
#   FAMILY/MODULE also needs that module (tp_btf/vmlinux: the kernel's own
#   dma_buf tracepoints; tp_btf/tphsim_dmabuf_tp: tphsim's simulated copies).
# Records from function hooks (hook fentry/kprobe) cannot carry some fields
#   (FNBLIND below: values a function's arguments do not hold); an expected
#   key whose record value is that "not observed" value is skipped and
#   listed, any other value is compared as usual.
#
# SCENARIO.scn: its "expect", "expect!" and "expect-count" lines (format in
#   kernel/tphsim/README.md); everything else is ignored.
# CTL_OUTPUT: what `tphsim-ctl run` printed; its "bind NAME k=v..." lines
#   map scenario names to inode numbers, mkeys and PCI addresses.
# EVENTS: fmt=tracefs: /sys/kernel/tracing/trace text of the tphsim events;
#   fmt=json: `tphtrace trace -j` lines (docs/trace-format.md). Both are
#   turned into the same records (kind + keys of docs/trace-format.md); in
#   tracefs mode the derived reasons (width_mismatch, st_write_failed) are
#   computed here the way tphtrace derives them.
#
# Prints "# ..." diagnostics for every failed expectation, then
#   scenario NAME kernel=K hooks=H shape=S expected=X observed=Y result=PASS|FAIL|SKIP
# and exits 0 on PASS, 1 on FAIL, 77 on SKIP. A scenario file without a
# single expectation (for this shape) FAILs (nothing would be checked); one
# whose every expectation these hooks cannot observe is a SKIP, never a PASS.

function errno_val(name) {
	sub(/^-/, "", name)
	return (name in ERRNO) ? -ERRNO[name] : ""
}

function errno_name(v,    n) {
	v = -v
	for (n in ERRNO)
		if (ERRNO[n] == v && n != "ENOTSUP")
			return n
	return v
}

function hexval(s,    i, c, v) {
	s = tolower(substr(s, 3))
	v = 0
	for (i = 1; i <= length(s); i++) {
		c = index("0123456789abcdef", substr(s, i, 1))
		if (!c)
			return ""
		v = v * 16 + c - 1
	}
	return v
}

# Canonical form of a value, so that "ext" and 3, "true" and 1, "0x2a"
# and 42, "-EINVAL" and -22, "none"/null PH and 255 compare equal.
function canon(key, v,    e) {
	gsub(/^"|"$/, "", v)
	if (key == "rp_completer" && v == "n/a")
		return 255
	if (key == "req_type" || key == "dev_req_type" ||
	    key == "rp_completer" || key == "completer") {
		if (v == "disabled" || v == "none")
			return 0
		if (v == "tph")
			return 1
		if (v == "reserved")
			return 2
		if (v == "ext")
			return 3
	}
	if (key == "mode") {
		if (v == "NS")
			return 0
		if (v == "IV")
			return 1
		if (v == "DS")
			return 2
	}
	if (key == "loc") {
		if (v == "none")
			return 0
		if (v == "cap")
			return 512
		if (v == "msix")
			return 1024
	}
	if (key == "source") {
		if (v == "none")
			return 0
		if (v == "dmah")
			return 1
		if (v == "dmabuf")
			return 2
	}
	if (key == "ph" && (v == "none" || v == "null"))
		return 255
	if (v == "true")
		return 1
	if (v == "false")
		return 0
	if (v ~ /^-?E[A-Z0-9]+$/) {
		e = errno_val(v)
		if (e != "")
			return e
	}
	if (v ~ /^0[xX][0-9a-fA-F]+$/)
		return hexval(v)
	if (v ~ /^-?[0-9]+$/)
		return sprintf("%.0f", v + 0)
	return v
}

# An expectation's value may name a scenario object.
function resolve(key, v) {
	if (!(v in BOUND))
		return v
	if (key == "ino" && ((v, "ino") in BIND))
		return BIND[v, "ino"]
	if (key == "mkey" && ((v, "mkey") in BIND))
		return BIND[v, "mkey"]
	if ((key == "nic" || key == "exporter" || key == "dev" ||
	     key == "importer") && ((v, "dev") in BIND))
		return BIND[v, "dev"]
	if (key == "ibdev" && ((v, "ibdev") in BIND))
		return BIND[v, "ibdev"]
	return v
}

# ---- records ---------------------------------------------------------------

function new_rec(kind) {
	NREC++
	KIND[NREC] = kind
	REC[NREC, "kind"] = kind
	return NREC
}

function put(i, key, v) {
	REC[i, key] = v
	KEYS[i] = KEYS[i] " " key
}

function rec_text(i,    n, a, k, s) {
	s = KIND[i] ":"
	n = split(KEYS[i], a, " ")
	for (k = 1; k <= n; k++)
		s = s " " a[k] "=" REC[i, a[k]]
	return s
}

# tracefs: "<task>-<pid> [cpu] flags ts: event: k=v k=v ..."
function parse_tracefs(line,    rest, ev, n, t, k, i, eq, ib, r, ext,
		       reason) {
	if (!match(line, /[0-9]+\.[0-9]+: [a-z0-9_]+: /))
		return
	rest = substr(line, RSTART, RLENGTH)
	sub(/^[0-9.]+: /, "", rest)
	ev = substr(rest, 1, length(rest) - 2)
	rest = substr(line, RSTART + RLENGTH)
	for (k in F)
		delete F[k]
	n = split(rest, t, " ")
	for (i = 1; i <= n; i++) {
		eq = index(t[i], "=")
		if (eq)
			F[substr(t[i], 1, eq - 1)] = substr(t[i], eq + 1)
	}

	if (ev == "vfio_pci_tph_set") {
		# the exporter's query event does not name the device: the SETs do
		if (F["ino"] + 0)
			SETDEV[F["ino"]] = F["dev"]
		r = new_rec("tph_publish")
		put(r, "exporter", F["dev"]); put(r, "ino", F["ino"])
		put(r, "flags", F["flags"]); put(r, "st", F["st"])
		put(r, "st_ext", F["st_ext"]); put(r, "ph", F["ph"])
		put(r, "completer", F["completer"]); put(r, "ret", F["ret"])
	} else if (ev == "vfio_pci_tph_query") {
		QPEND[F["ino"]] = 1
		QDEV[F["ino"]] = (F["ino"] in SETDEV) ? SETDEV[F["ino"]] : ""
		QST[F["ino"]] = F["st_valid"]
		QEXT[F["ino"]] = F["st_ext_valid"]
		LASTQST[F["ino"]] = F["st_valid"]
		LASTQEXT[F["ino"]] = F["st_ext_valid"]
	} else if (ev == "dma_buf_get_pci_tph") {
		# did the exporter answer this query (its own event came first)?
		QANSWERED[F["ino"]] = (F["ino"] in QPEND) ? 1 : 0
		r = new_rec("tph_query")
		put(r, "ino", F["ino"]); put(r, "size", F["size"])
		put(r, "exp_name", F["exp_name"])
		put(r, "extended", F["extended"])
		put(r, "width", F["extended"] + 0 ? 16 : 8)
		put(r, "st", F["st"]); put(r, "ph", F["ph"])
		put(r, "ret", F["ret"])
		if (F["ino"] in QPEND) {
			put(r, "exporter", QDEV[F["ino"]])
			put(r, "published_8", QST[F["ino"]])
			put(r, "published_16", QEXT[F["ino"]])
			delete QPEND[F["ino"]]
		} else {
			put(r, "exporter", "")
			put(r, "published_8", "null")
			put(r, "published_16", "null")
		}
	} else if (ev == "pcie_tph_enable" || ev == "pcie_tph_disable" ||
		   ev == "pcie_tph_st_write") {
		r = new_rec("pci_tph")
		put(r, "op", ev == "pcie_tph_enable" ? "enable" : \
			     ev == "pcie_tph_disable" ? "disable" : "st_write")
		for (k in F)
			put(r, k, F[k])
		if (!("ret" in F))
			put(r, "ret", 0)
		if (ev == "pcie_tph_st_write" && F["ret"] + 0 < 0)
			STFAIL[F["dev"]] = 1
	} else if (ev ~ /^mlx5_st_index_/) {
		r = new_rec("st_index")
		put(r, "op", substr(ev, 15))
		put(r, "nic", F["dev"])
		for (k in F)
			if (k != "dev")
				put(r, k, F[k])
	} else if (ev == "mlx5_ib_mr_tph") {
		ib = F["ibdev"]
		IB2DEV[ib] = F["dev"]
		MPEND[ib] = 1
		reason = F["reason"]
		# -EOPNOTSUPP from the wrapper: the exporter's event tells
		if (reason == "unavailable")
			reason = QANSWERED[F["ino"]] ? "not_published" : "no_op"
		if (reason == "not_published" &&
		    ((F["extended"] + 0 && LASTQST[F["ino"]] + 0 == 1) ||
		     (!(F["extended"] + 0) && LASTQEXT[F["ino"]] + 0 == 1)))
			reason = "width_mismatch"
		if (reason == "st_error" && STFAIL[F["dev"]]) {
			reason = "st_write_failed"
			STFAIL[F["dev"]] = 0
		}
		MP[ib, "reason"] = reason
		MP[ib, "req_type"] = F["req_type"]
		MP[ib, "width"] = F["req_type"] == "disabled" ? 0 : \
				  F["extended"] + 0 ? 16 : 8
		MP[ib, "source"] = F["source"]
		MP[ib, "st"] = F["st"]
		ext = F["reason"]
		MP[ib, "query_ret"] = (ext == "unavailable" ||
				       ext == "query_error") ? F["ret"] : 0
		MP[ib, "st_ret"] = (ext == "no_st_table" ||
				    ext == "st_table_full" ||
				    ext == "st_error" || ext == "dmah") ? F["ret"] : 0
	} else if (ev == "mlx5_ib_dmabuf_mr") {
		ib = F["ibdev"]
		r = new_rec("mr_reg")
		put(r, "ibdev", ib)
		put(r, "nic", (ib in IB2DEV) ? IB2DEV[ib] : "")
		put(r, "ino", F["ino"]); put(r, "mkey", F["mkey"])
		put(r, "length", F["length"]); put(r, "access", F["access"])
		put(r, "st_index", F["st_index"]); put(r, "ph", F["ph"])
		put(r, "tph", F["ph"] + 0 != 255)
		put(r, "reused", F["reused"]); put(r, "ret", F["ret"])
		if (ib in MPEND) {
			put(r, "reason", MP[ib, "reason"])
			put(r, "req_type", MP[ib, "req_type"])
			put(r, "width", MP[ib, "width"])
			put(r, "source", MP[ib, "source"])
			put(r, "st", MP[ib, "st"])
			put(r, "query_ret", MP[ib, "query_ret"])
			put(r, "st_ret", MP[ib, "st_ret"])
			delete MPEND[ib]
		} else {
			put(r, "reason", "unknown")
		}
	} else if (ev == "mlx5_ib_dmabuf_mr_dereg") {
		ib = F["ibdev"]
		r = new_rec("mr_dereg")
		put(r, "ibdev", ib)
		put(r, "nic", (ib in IB2DEV) ? IB2DEV[ib] : "")
		for (k in F)
			if (k != "ibdev")
				put(r, k, F[k])
	} else if (ev == "dma_buf_dynamic_attach" || ev == "dma_buf_detach") {
		r = new_rec(ev == "dma_buf_detach" ? "detach" : "attach")
		put(r, "ino", F["ino"]); put(r, "size", F["size"])
		put(r, "exp_name", F["exp_name"])
		put(r, "importer", F["dev_name"])
		put(r, "dynamic", F["is_dynamic"])
	} else if (ev == "dma_buf_export") {
		r = new_rec("dmabuf_export")
		put(r, "ino", F["ino"]); put(r, "size", F["size"])
		put(r, "exp_name", F["exp_name"])
	}
}

# json: one flat object per line, as `tphtrace trace -j` writes them.
function parse_json(line,    s, key, val, r, c, n) {
	s = line
	sub(/^[ \t]*\{/, "", s)
	sub(/\}[ \t]*$/, "", s)
	for (key in J)
		delete J[key]
	n = 0
	while (s != "") {
		sub(/^[ \t,]+/, "", s)
		if (!match(s, /^"[^"]*"[ \t]*:[ \t]*/))
			break
		key = substr(s, 2, index(substr(s, 2), "\"") - 1)
		s = substr(s, RSTART + RLENGTH)
		c = substr(s, 1, 1)
		if (c == "\"") {
			match(s, /^"([^"\\]|\\.)*"/)
			val = substr(s, 2, RLENGTH - 2)
		} else if (c == "{" || c == "[") {
			match(s, c == "{" ? "^[{][^}]*[}]" : "^[[][^]]*[]]")
			val = substr(s, 1, RLENGTH)
		} else {
			match(s, /^[^,}]*/)
			val = substr(s, 1, RLENGTH)
			sub(/[ \t]+$/, "", val)
		}
		s = substr(s, RLENGTH + 1)
		J[key] = val
		n++
	}
	if (!("kind" in J) || J["kind"] == "lost")
		return
	r = new_rec(J["kind"])
	for (key in J)
		if (key != "kind")
			put(r, key, J[key])
	if (J["kind"] == "mr_reg" && ("ph" in J))
		put(r, "tph", J["ph"] != "null")
}

# ---- expectations ----------------------------------------------------------

function fn_hook(i,    h) {
	h = REC[i, "hook"]
	gsub(/"/, "", h)
	return h == "fentry" || h == "kprobe"
}

# Is REC[i, key] the "not observed" value of a function hook?
function fn_blind(i, key,    v, n, a, j, c, eq) {
	if (!fn_hook(i) || !((KIND[i], key) in FNBLIND))
		return 0
	c = FNBLINDIF[KIND[i], key]
	if (c != "") {
		eq = index(c, "=")
		if (!((i, substr(c, 1, eq - 1)) in REC) ||
		    REC[i, substr(c, 1, eq - 1)] != substr(c, eq + 1))
			return 0
	}
	v = canon(key, REC[i, key])
	n = split(FNBLIND[KIND[i], key], a, "|")
	for (j = 1; j <= n; j++)
		if (v == canon(key, a[j]))
			return 1
	return 0
}

# Is the expected value one only a tracepoint reports (FNTPONLY)?
function fn_tp_only(i, key, want) {
	return fn_hook(i) && ((KIND[i], key) in FNTPONLY) &&
	       want == canon(key, FNTPONLY[KIND[i], key])
}

# The MR's device named by its IB device: a registration that failed before
# the TPH decision has no PCI address in the record (the series'
# mlx5_ib_dmabuf_mr event carries only the IB device name).
function nic_by_ibdev(i, key, name) {
	return key == "nic" && (KIND[i] == "mr_reg" || KIND[i] == "mr_dereg") &&
	       REC[i, key] == "" && ((name, "ibdev") in BIND) &&
	       ((i, "ibdev") in REC) && REC[i, "ibdev"] == BIND[name, "ibdev"]
}

# Does record i satisfy expectation e? skip: a key not to compare.
function rec_matches(i, e, skip,    k, key, want) {
	if (KIND[i] != EKIND[e])
		return 0
	for (k = 1; k <= ENKV[e]; k++) {
		key = EKEY[e, k]
		if (key == skip || (skip == "reason" && key == "ret"))
			continue
		want = canon(key, resolve(key, EVAL[e, k]))
		if (!((i, key) in REC))
			return 0
		if (canon(key, REC[i, key]) != want) {
			if (fn_blind(i, key) || fn_tp_only(i, key, want)) {
				BLINDSEEN[KIND[i] "." key] = 1
				continue
			}
			if (nic_by_ibdev(i, key, EVAL[e, k])) {
				NICBYIB = 1
				continue
			}
			return 0
		}
	}
	return 1
}

function label(i, e,    v) {
	if (EHASREASON[e])
		return REC[i, "reason"]
	v = canon("ret", REC[i, "ret"])
	return EKIND[e] ":" (v + 0 < 0 ? errno_name(v) : "ok")
}

function want_label(e,    k, v) {
	for (k = 1; k <= ENKV[e]; k++) {
		if (EKEY[e, k] == "reason")
			return EVAL[e, k]
	}
	for (k = 1; k <= ENKV[e]; k++) {
		if (EKEY[e, k] == "ret") {
			v = canon("ret", EVAL[e, k])
			return EKIND[e] ":" (v + 0 < 0 ? errno_name(v) : "ok")
		}
	}
	return EKIND[e] ":seen"
}

BEGIN {
	split("EPERM 1 ENOENT 2 EINTR 4 EIO 5 ENXIO 6 EBADF 9 EAGAIN 11 " \
	      "ENOMEM 12 EACCES 13 EFAULT 14 EBUSY 16 EEXIST 17 ENODEV 19 " \
	      "EINVAL 22 ENOTTY 25 ENOSPC 28 ERANGE 34 EOPNOTSUPP 95 " \
	      "ENOTSUP 95 ETIMEDOUT 110", tmp, " ")
	for (i = 1; i in tmp; i += 2)
		ERRNO[tmp[i]] = tmp[i + 1]
	if (fmt == "")
		fmt = "tracefs"
	# What a function hook cannot know: "kind key value(s) [if key=v]",
	# the value(s) it reports instead. The dma-buf of a registration
	# that failed before the query (the fd is not resolved), a DMAH's ST
	# index and PH, whether the mkey came from the pool, the ST table
	# location and entry refcounts, the tag of a put
	# (mlx5_st_dealloc_index() takes only the index), the requester
	# state on PCI TPH changes, the completer type of a SET, the
	# exporter side of a query.
	split("mr_reg ino 0;" \
	      "mr_reg st_index 0 source=dmah;mr_reg ph null source=dmah;" \
	      "mr_reg tph false source=dmah;mr_reg reused false;" \
	      "pci_tph req_type unknown;pci_tph dev_req_type unknown;" \
	      "pci_tph rp_completer 255;pci_tph loc 0;pci_tph mode 0|255;" \
	      "st_index refcount 4294967295;st_index tag 0;" \
	      "tph_publish completer 255;" \
	      "tph_query exporter \"\";tph_query published_8 null;" \
	      "tph_query published_16 null", tmp, ";")
	for (i = 1; i in tmp; i++) {
		split(tmp[i], f3, " ")
		FNBLIND[f3[1], f3[2]] = f3[3]
		FNBLINDIF[f3[1], f3[2]] = f3[4]
	}
	# Expected values only a tracepoint reports: the SET's tracepoint
	# has ino 0 until vfio resolved the fd; the function hooks read the
	# fd from the user's argument and resolve it themselves.
	FNTPONLY["tph_publish", "ino"] = 0
	n = split(unobs, tmp, " ")
	for (i = 1; i <= n; i++)
		UNOBS[tmp[i]] = 1
	n = split(khooks, tmp, " ")
	for (i = 1; i <= n; i++) {
		eq = index(tmp[i], "=")
		if (eq)
			KHOOK[substr(tmp[i], 1, eq - 1)] = substr(tmp[i], eq + 1)
	}
	if (hooks == "")
		hooks = fmt
	if (shape == "")
		shape = "v8"
	NREC = 0
	NEXP = 0
	HEAD = 0
}

FNR == 1 { FILENO++ }

# Is this line for the shape under test? ("@shape=v5,v7" as its last word)
function for_shape(    f, n, a, j) {
	for (f = 2; f <= NF; f++) {
		if ($f !~ /^@shape=/)
			continue
		n = split(substr($f, 8), a, ",")
		for (j = 1; j <= n; j++)
			if (a[j] == shape)
				return 1
		return 0
	}
	return 1
}

FILENO == 1 && ($1 == "expect" || $1 == "expect!" || $1 == "expect-count") {
	sub(/#.*/, "")
	if (!for_shape())
		next
	NEXP++
	ETEXT[NEXP] = $0
	ELINE[NEXP] = FNR
	ECOUNT[NEXP] = ($1 == "expect-count")
	EKIND[NEXP] = $2
	first = 3
	if (ECOUNT[NEXP]) {
		EN[NEXP] = $3
		first = 4
	}
	if ($1 == "expect!")
		HEAD = NEXP
	ENKV[NEXP] = 0
	EHASREASON[NEXP] = 0
	EONLY[NEXP] = ""
	for (f = first; f <= NF; f++) {
		eq = index($f, "=")
		if (!eq)
			continue
		if (substr($f, 1, eq - 1) == "@hooks") {
			EONLY[NEXP] = substr($f, eq + 1)
			continue
		}
		if (substr($f, 1, eq - 1) == "@shape")
			continue
		ENKV[NEXP]++
		EKEY[NEXP, ENKV[NEXP]] = substr($f, 1, eq - 1)
		EVAL[NEXP, ENKV[NEXP]] = substr($f, eq + 1)
		if (EKEY[NEXP, ENKV[NEXP]] == "reason")
			EHASREASON[NEXP] = 1
	}
	next
}

FILENO == 2 && $1 == "shape" && NF == 2 {
	CTLSHAPE = $2
	next
}

FILENO == 2 && $1 == "bind" {
	BOUND[$2] = 1
	for (f = 3; f <= NF; f++) {
		eq = index($f, "=")
		if (eq)
			BIND[$2, substr($f, 1, eq - 1)] = substr($f, eq + 1)
	}
	if (($2, "ibdev") in BIND)
		IB2DEV[BIND[$2, "ibdev"]] = BIND[$2, "dev"]
	next
}

FILENO == 3 {
	if (fmt == "json")
		parse_json($0)
	else
		parse_tracefs($0)
}

# Can this run observe expectation e? Sets WHY when not.
function observable(e,    k, n, a, j, fam) {
	k = EKIND[e]
	if (k in UNOBS) {
		WHY = k ": no hook with these hooks"
		return 0
	}
	if (EONLY[e] == "")
		return 1
	n = split(EONLY[e], a, ",")
	for (j = 1; j <= n; j++) {
		if (!(k in KHOOK))
			continue
		fam = KHOOK[k]
		if (index(a[j], "/") == 0)
			sub(/\/.*/, "", fam)
		if (fam == a[j])
			return 1
	}
	WHY = k " hooked by " ((k in KHOOK) ? KHOOK[k] : "?") ", not " EONLY[e]
	return 0
}

END {
	fails = 0
	skipped = 0
	for (e = 1; e <= NEXP; e++) {
		if (!observable(e)) {
			skipped++
			printf "# skip line %d: %s (%s)\n", ELINE[e], ETEXT[e], WHY
			if (e == HEAD)
				observed = "unobservable"
			continue
		}
		if (ECOUNT[e]) {
			n = 0
			for (i = 1; i <= NREC; i++)
				if (rec_matches(i, e, ""))
					n++
			if (n != EN[e] + 0) {
				fails++
				printf "# FAIL line %d: %s: %d records\n",
				       ELINE[e], ETEXT[e], n
			}
			continue
		}
		k = EKIND[e]
		start = (k in NEXTPOS) ? NEXTPOS[k] : 1
		found = 0
		for (i = start; i <= NREC; i++) {
			if (rec_matches(i, e, "")) {
				found = i
				break
			}
		}
		if (found) {
			NEXTPOS[k] = found + 1
			if (e == HEAD)
				observed = label(found, e)
			continue
		}
		fails++
		printf "# FAIL line %d: %s\n", ELINE[e], ETEXT[e]
		shown = 0
		for (i = start; i <= NREC && shown < 4; i++) {
			if (KIND[i] == k) {
				printf "#   candidate %s\n", rec_text(i)
				shown++
			}
		}
		if (!shown)
			printf "#   no %s record after the previous match\n", k
		if (e == HEAD) {
			observed = "none"
			for (i = start; i <= NREC; i++) {
				if (rec_matches(i, e, "reason")) {
					observed = label(i, e)
					break
				}
			}
		}
	}
	if (ctl_rc != "" && ctl_rc != 0) {
		fails++
		printf "# FAIL tphsim-ctl exited %s\n", ctl_rc
	}
	if (NEXP == 0) {
		fails++
		printf "# FAIL no expect, expect! or expect-count line in the scenario file: nothing to check\n"
	}
	if (CTLSHAPE != "" && CTLSHAPE != shape) {
		fails++
		printf "# FAIL tphsim.ko is %s, the scenario was judged as %s\n",
		       CTLSHAPE, shape
	}
	expected = HEAD ? want_label(HEAD) : "-"
	if (!HEAD)
		observed = "-"
	blind = ""
	for (k in BLINDSEEN)
		blind = blind " " k
	if (blind != "")
		printf "# not observed by the function hooks, not compared:%s\n", blind
	if (NICBYIB)
		printf "# mr_reg without a PCI address (failed before the TPH decision): nic matched by its IB device\n"
	result = fails ? "FAIL" : (skipped == NEXP ? "SKIP" : "PASS")
	printf "scenario %s kernel=%s hooks=%s shape=%s expected=%s observed=%s result=%s\n",
	       scn, kernel, hooks, shape, expected, observed, result
	exit fails ? 1 : (result == "SKIP" ? 77 : 0)
}
