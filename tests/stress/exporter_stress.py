#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""
The exporter under abuse, on loopback only (issue 12 item 2).

Abusers connect from 127.0.0.2 (or, in the "spread" phases, from 250
addresses 127.0.1.x, to reach the total connection limit rather than the
per-address one); the legitimate scraper connects from 127.0.0.1 and scrapes
throughout every phase. Every scrape must be answered with 200 and the same
exposition as before the abuse (apart from the HTTP request counters); the
exporter must stay alive and its RSS bounded. Latencies are printed per
phase (p50/p99): figures, not pass/fail.

Phases (counts and durations of --profile full; short divides them):
  idle        1000 keep-alive connections held open (one request each, then idle)
  idle-spread the same from 250 addresses
  malformed   10 000 malformed requests: garbage, 64 KiB headers, bad methods,
              conflicting Content-Length/Transfer-Encoding, path traversal,
              huge URLs, NUL in the path, bad versions
  slowloris   500 connections trickling one byte every 3 s for 60 s (they
              reconnect 50 ms after being closed); short: 8 s
  slow-spread the same from 250 addresses

Output: TAP lines ("ok N - ...", "not ok N - ..."), "# " figures, and the
closing "N passed, N failed, N skipped".
"""
import argparse
import asyncio
import multiprocessing
import os
import random
import resource
import socket
import statistics
import sys
import time

LEGIT = "127.0.0.1"
ABUSER = "127.0.0.2"
SPREAD = ["127.0.1.%d" % i for i in range(1, 251)]

results = {"n": 0, "pass": 0, "fail": 0}


def tap(ok, what):
    results["n"] += 1
    results["pass" if ok else "fail"] += 1
    print("%s %d - %s" % ("ok" if ok else "not ok", results["n"], what), flush=True)


def note(s):
    print("# " + s, flush=True)


def rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return -1
    return -1


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


def strip_counters(body):
    # the only lines a replay exporter changes between scrapes
    return "\n".join(l for l in body.split("\n")
                     if not l.startswith("tphtrace_http_requests_total"))


def scrape_once(port, timeout=30.0):
    """One blocking scrape from 127.0.0.1: (status, body, seconds)."""
    t0 = time.monotonic()
    s = socket.socket()
    s.settimeout(timeout)
    try:
        s.bind((LEGIT, 0))
        s.connect(("127.0.0.1", port))
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            d = s.recv(65536)
            if not d:
                break
            data += d
    finally:
        s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b"\r\n")[0].split()[1])
    for l in head.split(b"\r\n")[1:]:
        if l.lower().startswith(b"content-length:") and int(l.split(b":")[1]) != len(body):
            raise ValueError("body of %d bytes, Content-Length %s" % (len(body), l))
    return status, body.decode("utf-8", "replace"), time.monotonic() - t0


def scraper_proc(port, reference, interval, stop, out):
    """The legitimate scraper, in its own process so that the abusers'
    event loop does not delay it: one scrape every @interval seconds."""
    lat, bad = [], []
    while not stop.is_set():
        try:
            st, body, dt = scrape_once(port)
            if st != 200 or strip_counters(body) != reference:
                bad.append("status %d or a different exposition" % st)
            lat.append(dt)
        except Exception as e:  # noqa: BLE001 - every failure is a finding
            bad.append(repr(e))
        stop.wait(interval)
    out.put((lat, bad))


class Scraper:
    def __init__(self, port, reference, interval):
        self.port, self.reference, self.interval = port, reference, interval
        self.lat, self.bad = [], []

    def start(self):
        self.stop_ev = multiprocessing.Event()
        self.q = multiprocessing.Queue()
        self.p = multiprocessing.Process(target=scraper_proc, args=(
            self.port, self.reference, self.interval, self.stop_ev, self.q))
        self.p.start()

    async def stop(self):
        self.stop_ev.set()
        loop = asyncio.get_running_loop()
        self.lat, self.bad = await loop.run_in_executor(None, self.q.get)
        self.p.join()


def pct(vals, p):
    if not vals:
        return float("nan")
    s = sorted(vals)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


async def phase(name, args, scraper, pid, body, rss_bound_kb):
    """Run @body (a coroutine) while scraping; check and report."""
    rss_max = [rss_kb(pid)]

    async def sample():
        while True:
            rss_max[0] = max(rss_max[0], rss_kb(pid))
            await asyncio.sleep(0.25)

    sampler = asyncio.ensure_future(sample())
    scraper.start()
    t0 = time.monotonic()
    extra = await body()
    secs = time.monotonic() - t0
    await asyncio.sleep(0.5)
    await scraper.stop()
    sampler.cancel()
    lat = scraper.lat
    tap(alive(pid), "%s: the exporter is alive" % name)
    tap(len(lat) > 0 and not scraper.bad,
        "%s: every legitimate scrape answered with 200 and the same exposition (%d scrapes)"
        % (name, len(lat)))
    for b in scraper.bad[:5]:
        note("%s: bad scrape: %s" % (name, b))
    tap(0 < rss_max[0] <= rss_bound_kb,
        "%s: RSS bounded (max %d KiB <= %d KiB)" % (name, rss_max[0], rss_bound_kb))
    note("%-12s %6.1f s  scrapes %4d  p50 %7.1f ms  p99 %7.1f ms  max %7.1f ms  RSS max %6d KiB%s"
         % (name, secs, len(lat), pct(lat, 50) * 1e3, pct(lat, 99) * 1e3,
            (max(lat) if lat else float("nan")) * 1e3, rss_max[0],
            ("  " + extra) if extra else ""))


async def hold_idle(port, n, sources, hold_s):
    """@n keep-alive connections: one request each, then idle for @hold_s."""
    conns, opened = [], 0

    async def one(i):
        nonlocal opened
        src = sources[i % len(sources)]
        try:
            r, w = await asyncio.wait_for(
                asyncio.open_connection("127.0.0.1", port, local_addr=(src, 0)), 10)
        except Exception:  # noqa: BLE001 - refused or backlog full: counted
            return
        try:
            w.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            await w.drain()
            opened += 1
            conns.append(w)
        except Exception:  # noqa: BLE001
            w.close()

    await asyncio.gather(*(one(i) for i in range(n)))
    await asyncio.sleep(hold_s)
    for w in conns:
        w.close()
    return "connections opened %d of %d" % (opened, n)


def malformed_requests(n, max_bytes):
    big_hdr = b"X-Big: " + b"a" * (64 * 1024) + b"\r\n"
    kinds = [
        lambda: os.urandom(random.randint(1, 512)),
        lambda: b"GET /metrics HTTP/1.1\r\nHost: x\r\n" + big_hdr + b"\r\n",
        lambda: b"BREW /metrics HTTP/1.1\r\nHost: x\r\n\r\n",
        lambda: b"DELETE /metrics HTTP/1.1\r\nHost: x\r\n\r\n",
        lambda: b"GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        lambda: b"GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
        lambda: b"GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 1e3\r\n\r\n",
        lambda: b"GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
        lambda: b"GET /metrics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
        lambda: b"GET /../../../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
        lambda: b"GET /metrics%00 HTTP/1.1\r\nHost: x\r\n\r\n",
        lambda: b"GET /" + b"A" * (2 * max_bytes) + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        lambda: b"GET /metrics?" + b"&".join(b"a" for _ in range(5000)) + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        lambda: b"GET /metrics HTTP/9.9\r\nHost: x\r\n\r\n",
        lambda: b"GET /metrics\r\n\r\n",
        lambda: b"\r\n" * 100,
        lambda: b"GET /metrics HTTP/1.1\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(3000)) + b"\r\n",
    ]
    for i in range(n):
        yield kinds[i % len(kinds)]()


async def send_malformed(port, n, workers, max_bytes):
    it = iter(malformed_requests(n, max_bytes))
    answered = {"answer": 0, "closed": 0, "error": 0}

    async def worker(src):
        for req in it:
            try:
                r, w = await asyncio.wait_for(
                    asyncio.open_connection("127.0.0.1", port, local_addr=(src, 0)), 10)
            except Exception:  # noqa: BLE001
                answered["error"] += 1
                continue
            try:
                w.write(req)
                await w.drain()
                w.write_eof()
                d = await asyncio.wait_for(r.read(256), 15)
                answered["answer" if d.startswith(b"HTTP/1.1 ") else "closed"] += 1
            except Exception:  # noqa: BLE001 - reset, refused: a closed connection
                answered["closed"] += 1
            finally:
                w.close()

    # half from 127.0.0.2 (its share of connections is soon full: those are
    # closed at once), half from spread addresses (each request parsed)
    await asyncio.gather(*(worker(ABUSER if i % 2 else SPREAD[i]) for i in range(workers)))
    return "malformed: %d answered with a status, %d closed, %d not connected" % (
        answered["answer"], answered["closed"], answered["error"])


async def slowloris(port, n, sources, secs, gap):
    """@n connections trickling one byte every @gap s for @secs s; reconnect when closed."""
    end = time.monotonic() + secs
    stats = {"closed_by_server": 0, "connects": 0}
    req = b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Trickle: " + b"a" * 100000

    async def one(i):
        src = sources[i % len(sources)]
        await asyncio.sleep(random.random() * gap)
        while time.monotonic() < end:
            try:
                r, w = await asyncio.wait_for(
                    asyncio.open_connection("127.0.0.1", port, local_addr=(src, 0)), 10)
                stats["connects"] += 1
            except Exception:  # noqa: BLE001
                await asyncio.sleep(gap)
                continue
            try:
                for b in req:
                    if time.monotonic() >= end:
                        break
                    w.write(bytes([b]))
                    await w.drain()
                    try:
                        d = await asyncio.wait_for(r.read(1), gap)
                        if not d:
                            stats["closed_by_server"] += 1
                            break
                    except asyncio.TimeoutError:
                        pass
            except Exception:  # noqa: BLE001 - reset by the server
                stats["closed_by_server"] += 1
            finally:
                w.close()
            await asyncio.sleep(0.05)  # then again, as an attacker would

    await asyncio.gather(*(one(i) for i in range(n)))
    return "trickling connects %d, closed by the server %d" % (
        stats["connects"], stats["closed_by_server"])


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--profile", choices=("short", "full"), default="short")
    ap.add_argument("--max-request-bytes", type=int, default=16384)
    ap.add_argument("--rss-bound-mib", type=int, default=128)
    a = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))
    random.seed(12)
    full = a.profile == "full"
    st, body, _ = scrape_once(a.port)
    tap(st == 200 and "tphtrace_build_info" in body, "reference scrape before the abuse")
    reference = strip_counters(body)
    scraper = Scraper(a.port, reference, 0.2)
    bound = a.rss_bound_mib * 1024

    await phase("baseline", a, scraper, a.pid, lambda: asyncio.sleep(3 if full else 1.5), bound)
    n_idle = 1000 if full else 200
    hold = 20 if full else 4
    await phase("idle", a, scraper, a.pid,
                lambda: hold_idle(a.port, n_idle, [ABUSER], hold), bound)
    await phase("idle-spread", a, scraper, a.pid,
                lambda: hold_idle(a.port, n_idle, SPREAD, hold), bound)
    n_bad = 10000 if full else 1000
    await phase("malformed", a, scraper, a.pid,
                lambda: send_malformed(a.port, n_bad, 32, a.max_request_bytes), bound)
    n_slow = 500  # the done-when of issue 12: 500 trickling connections, in both forms
    slow_s = 60 if full else 8
    await phase("slowloris", a, scraper, a.pid,
                lambda: slowloris(a.port, n_slow, [ABUSER], slow_s, 3.0), bound)
    await phase("slow-spread", a, scraper, a.pid,
                lambda: slowloris(a.port, n_slow, SPREAD, slow_s, 3.0), bound)
    print("%d passed, %d failed, 0 skipped" % (results["pass"], results["fail"]))
    return 1 if results["fail"] else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
