#!/usr/bin/env python3
"""Bounded load and fault test of `clasp serve` and the index, on loopback.

  python3 scripts/load_test.py [--clasp build/src/clasp] [--index data/demo-index]
                               [--seconds 30] [--clients 32] [--slow 16] [--threads 2] [--http-threads N]
                               [--add-audio DIR] [--json FILE]

Works on copies of the index (the original is never written). Four parts:
  slow      SLOW clients trickle a request a byte a second and never finish it, while
            four clients run ordinary text searches: their latency must stay low.
  mixed     CLIENTS clients for SECONDS: text searches, two-stage searches (qlang),
            audio-example searches, audio range requests, token-checked adds, and
            malformed or hostile requests (bad parameters, a wrong token, an oversized
            chunked body, too many ranges, garbage bytes), each expected to be refused
            with its own status. Throughput, p50 / p99 and errors per kind.
  long      one 4 KB query with qlang=en&rerank=1000, then four at once: time and memory.
  two-stage CLIENTS clients sending two-stage searches only (qlang=en), for SECONDS.
  kill      `clasp index add` killed (SIGKILL) at random moments, resumed each time,
            then compared with an uninterrupted build of the same files.
  damage    index files with flipped bytes or cut short: status and search must refuse
            them with a message (exit 1) or answer, never crash, hang or run away.
Needs only Python's standard library. Exit status 0 when every check held, 1 if not.
"""
import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QUERIES = ["the jury said", "the committee", "la ciudad", "il presidente ha detto", "el gobierno federal",
           "les enfants", "a new school", "the city council", "la casa blanca", "the report was sent"]


def percentile(xs, p):
    if not xs:
        return 0.0
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, clasp, index, token, http_threads, threads, max_body, log_dir):
        self.port = free_port()
        extra = ["--http-threads", str(http_threads)] if http_threads else []
        self.proc = subprocess.Popen(
            [clasp, "serve", "--index", index, "--port", str(self.port), "--token", token, "--rate", "0",
             "--threads", str(threads), "--max-body", str(max_body)] + extra,
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(log_dir, "serve.log"), "w"))
        self.log = os.path.join(log_dir, "serve.log")
        deadline = time.time() + 180
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit("load_test: clasp serve exited: " + open(self.log).read()[-2000:])
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                c.request("GET", "/api/status")
                if c.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.5)
        raise SystemExit("load_test: clasp serve did not answer within 180 s")

    def rss_mb(self):
        try:
            with open("/proc/%d/status" % self.proc.pid) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) / 1024.0
        except OSError:
            pass
        return 0.0

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return self.proc.returncode


def request(port, method, path, body=None, headers=None, timeout=60):
    """(status, seconds); status 0 when the connection failed."""
    t0 = time.time()
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        r.read()
        c.close()
        return r.status, time.time() - t0
    except (OSError, http.client.HTTPException):
        return 0, time.time() - t0


def raw(port, data, timeout=30):
    """Sends bytes as they are; the status line's code, or 0."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
            head = s.recv(64).decode("latin-1")
            return int(head.split()[1]) if head.startswith("HTTP/") else 0
    except (OSError, ValueError, IndexError):
        return 0


def search_path(q, **extra):
    return "/api/search?" + urllib.parse.urlencode(dict(q=q, **extra))


def run_clients(clients, client):
    """client(k) for k in range(clients), each on its own thread; the wall seconds they took together."""
    t0 = time.time()
    ts = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return time.time() - t0


def query_load(port, clients, seconds, pick_path, timeout=60):
    """Clients sending GET pick_path(random) for SECONDS: throughput, latency, non-200 answers."""
    lat, errors, n = [], 0, 0
    lock = threading.Lock()
    end = time.time() + seconds

    def client(k):
        nonlocal errors, n
        r = random.Random(k)
        while time.time() < end:
            st, dt = request(port, "GET", pick_path(r), timeout=timeout)
            with lock:
                n += 1
                lat.append(dt)
                errors += st != 200

    wall = run_clients(clients, client)
    return {"clients": clients, "queries": n, "errors": errors, "qps": n / wall,
            "p50_ms": 1000 * percentile(lat, 50), "p99_ms": 1000 * percentile(lat, 99), "max_ms": 1000 * max(lat or [0])}


# --- slow clients ---------------------------------------------------------------------------------------------------
def slow_part(port, slow, seconds):
    stop = threading.Event()
    socks = []

    def trickle():
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            socks.append(s)
            for ch in b"GET /api/search?q=the HTTP/1.1\r\nHost: x\r\n":
                if stop.is_set():
                    return
                s.send(bytes([ch]))
                stop.wait(1.0)
        except OSError:
            pass

    threads = [threading.Thread(target=trickle, daemon=True) for _ in range(slow)]
    for t in threads:
        t.start()
    time.sleep(2)  # every slow client connected and holding a worker if it can
    out = query_load(port, 4, seconds, lambda r: search_path(r.choice(QUERIES)), timeout=30)
    stop.set()
    for s in socks:
        try:
            s.close()
        except OSError:
            pass
    out["slow_clients"] = slow
    return out


# --- mixed traffic --------------------------------------------------------------------------------------------------
def mixed_part(port, token, clients, seconds, audio_bytes, add_paths, audio_ids, max_body):
    kinds = {}
    lock = threading.Lock()
    end = time.time() + seconds
    big = b"x" * (max_body + 1)

    def record(kind, status, dt, expected):
        with lock:
            k = kinds.setdefault(kind, {"n": 0, "ok": 0, "unexpected": 0, "lat": [], "statuses": {}})
            k["n"] += 1
            k["lat"].append(dt)
            k["statuses"][str(status)] = k["statuses"].get(str(status), 0) + 1
            if status in expected:
                k["ok"] += 1
            else:
                k["unexpected"] += 1

    def chunked_oversize():
        t0 = time.time()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
                s.sendall(b"POST /api/search/audio HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
                step = 1 << 16
                for i in range(0, len(big), step):
                    part = big[i:i + step]
                    s.sendall(b"%x\r\n" % len(part) + part + b"\r\n")
                s.sendall(b"0\r\n\r\n")
                head = s.recv(64).decode("latin-1")
                return (int(head.split()[1]) if head.startswith("HTTP/") else 0), time.time() - t0
        except (OSError, ValueError, IndexError):
            # The server may close the connection as soon as it has refused the body: "closed" (1) is expected
            # only while the server is still running (checked at the end: its exit status).
            return 1, time.time() - t0

    actions = [
        # (kind, weight, do) where do() -> (status, seconds, expected statuses)
        ("text", 30, lambda r: request(port, "GET", search_path(r.choice(QUERIES))) + ({200},)),
        ("two-stage", 20, lambda r: request(port, "GET", search_path(r.choice(QUERIES[:2] + QUERIES[7:]), qlang="en"))
         + ({200},)),
        ("audio-query", 8, lambda r: request(port, "POST", "/api/search/audio", audio_bytes,
                                             {"Content-Type": "audio/wav"}) + ({200},)),
        ("audio-range", 10, lambda r: request(port, "GET", "/audio/%d" % r.choice(audio_ids),
                                              headers={"Range": "bytes=0-65535"}) + ({206},)),
        ("add", 2, lambda r: request(port, "POST", "/api/add", json.dumps({"path": r.choice(add_paths)}),
                                     {"Authorization": "Bearer " + token}, timeout=300) + ({200},)),
        ("bad-param", 6, lambda r: request(port, "GET", search_path("the", k="5abc", rerank="-1")) + ({400},)),
        ("wrong-token", 4, lambda r: request(port, "POST", "/api/add", json.dumps({"path": "/etc"}),
                                             {"Authorization": "Bearer nope"}) + ({401},)),
        ("many-ranges", 4, lambda r: request(port, "GET", "/audio/%d" % r.choice(audio_ids),
                                             headers={"Range": "bytes=" + ",".join("0-%d" % i for i in range(1, 700))})
         + ({416},)),
        ("oversize-chunked", 2, lambda r: chunked_oversize() + ({413, 1},)),
        ("garbage", 4, lambda r: (raw(port, bytes(r.getrandbits(8) for _ in range(200)) + b"\r\n\r\n"), 0.0)
         + ({0, 400, 404, 405, 414, 501},)),
    ]
    total_w = sum(a[1] for a in actions)

    def client(k):
        r = random.Random(k)
        while time.time() < end:
            x = r.uniform(0, total_w)
            for kind, w, do in actions:
                x -= w
                if x <= 0:
                    status, dt, expected = do(r)
                    record(kind, status, dt, expected)
                    break

    wall = run_clients(clients, client)
    out = {"clients": clients, "seconds": wall, "kinds": {}}
    for kind, k in sorted(kinds.items()):
        out["kinds"][kind] = {"n": k["n"], "per_s": k["n"] / wall, "as_expected": k["ok"], "unexpected": k["unexpected"],
                              "p50_ms": 1000 * percentile(k["lat"], 50), "p99_ms": 1000 * percentile(k["lat"], 99),
                              "statuses": k["statuses"]}
    return out


# --- two-stage queries alone (the ab -c 32 test of the issue) ------------------------------------------------------
def two_stage_part(port, clients, seconds):
    return query_load(port, clients, seconds, lambda r: search_path(r.choice(QUERIES), qlang="en"))


# --- one absurdly long query ------------------------------------------------------------------------------------------
def long_query_part(srv, parallel=4):
    words = ("the jury said la ciudad il presidente ".split() * 400)
    q = " ".join(words)[:4095 - 60]
    path = search_path(q, qlang="en", rerank="1000")
    before = srv.rss_mb()
    st, dt = request(srv.port, "GET", path, timeout=300)
    one = {"status": st, "seconds": dt, "rss_mb_before": before, "rss_mb_after": srv.rss_mb()}
    res = []
    ts = [threading.Thread(target=lambda: res.append(request(srv.port, "GET", path, timeout=300)))
          for _ in range(parallel)]
    t0 = time.time()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return {"query_bytes": len(path), "one": one,
            "parallel": {"n": parallel, "wall_s": time.time() - t0, "statuses": sorted(r[0] for r in res),
                         "max_s": max(r[1] for r in res), "rss_mb_after": srv.rss_mb()}}


# --- kill / resume --------------------------------------------------------------------------------------------------
def status_of(clasp, index):
    p = subprocess.run([clasp, "index", "status", "--index", index, "--json"], capture_output=True, text=True,
                       timeout=120)
    if p.returncode != 0:
        return None
    j = json.loads(p.stdout)
    return {"files": j["files"], "segments": j["segments"], "audio_hours": round(j["audio_hours"], 6)}


def kill_part(clasp, work, files, kills, seed):
    r = random.Random(seed)
    ref, victim = os.path.join(work, "kill-ref"), os.path.join(work, "kill-victim")
    add = lambda ix: [clasp, "index", "add", "--index", ix, "--lang", "en"] + files
    t0 = time.time()
    subprocess.run(add(ref), capture_output=True, check=True, timeout=1800)
    full = time.time() - t0
    killed = 0
    for _ in range(kills):
        p = subprocess.Popen(add(victim), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(r.uniform(0.2, max(0.3, full)))
        if p.poll() is None:
            p.kill()
            killed += 1
        p.wait()
    fin = subprocess.run(add(victim), capture_output=True, text=True, timeout=1800)
    a, b = status_of(clasp, ref), status_of(clasp, victim)

    # The same answers, not only the same counts: every query's ranking, scores and segments.
    def answers(ix):
        out = []
        for q in QUERIES[:4]:
            p = subprocess.run([clasp, "search", q, "--index", ix, "--query-lang", "en", "-k", "24"],
                               capture_output=True, text=True, timeout=300)
            out.append((p.returncode, p.stdout.replace(ix, "<index>")))
        return out
    same_answers = answers(ref) == answers(victim)
    return {"files": len(files), "uninterrupted_s": full, "kills": killed, "resume_exit": fin.returncode,
            "uninterrupted": a, "after_kills": b, "same_answers": same_answers,
            "equal": a == b and same_answers and fin.returncode == 0}


# --- damaged files --------------------------------------------------------------------------------------------------
def damage_part(clasp, index, work, seed):
    r = random.Random(seed)
    cases = []
    commands = (["index", "status"], ["search", "the jury said"], ["search", "the jury said", "--query-lang", "en"])

    def run(cmd, ix):
        # status names the index folder it read: compare answers without it.
        p = subprocess.run([clasp] + cmd + ["--index", ix], capture_output=True, text=True, timeout=120)
        return p.returncode, p.stdout.replace(ix, "<index>"), p.stderr
    intact = os.path.join(work, "intact")
    shutil.copytree(index, intact)
    expected = {tuple(c): run(c, intact)[1] for c in commands}
    for name in ["index.sqlite", "vectors.faiss", "phone-grams.bin"]:
        src = os.path.join(index, name)
        if not os.path.exists(src):
            continue
        size = os.path.getsize(src)
        damages = [("cut to half", lambda b: b[:len(b) // 2]), ("empty", lambda b: b"")]
        for k in range(4 if size else 0):
            at = r.randrange(max(1, min(size, 4096))) if k % 2 == 0 else r.randrange(max(1, size))
            damages.append(("byte %d flipped" % at, lambda b, at=at: b[:at] + bytes([b[at] ^ 0xFF]) + b[at + 1:]))
        for what, fn in damages:
            d = os.path.join(work, "damaged")
            shutil.rmtree(d, ignore_errors=True)
            shutil.copytree(index, d)
            with open(src, "rb") as f:
                data = f.read()
            with open(os.path.join(d, name), "wb") as f:
                f.write(fn(data))
            for cmd in commands:
                t0 = time.time()
                try:
                    rc, out, err = run(list(cmd), d)
                    err = err.strip().splitlines()[-1:] or [""]
                except subprocess.TimeoutExpired:
                    rc, out, err = "timeout", "", [""]
                # Refused with a message, or answered as the intact index does; anything else is a crash, a hang
                # or a wrong answer.
                same = rc == 0 and out == expected[tuple(cmd)]
                ok = (rc == 1 and err[0] != "") or same
                cases.append({"file": name, "damage": what, "command": " ".join(cmd), "exit": rc,
                              "answer": "refused" if rc == 1 else ("as intact" if same else "DIFFERENT"),
                              "seconds": round(time.time() - t0, 1), "message": err[0][:160], "ok": ok})
    return {"cases": len(cases), "held": sum(c["ok"] for c in cases), "failures": [c for c in cases if not c["ok"]],
            "exits": {e: sum(1 for c in cases if str(c["exit"]) == e) for e in sorted({str(c["exit"]) for c in cases})},
            "by_file": {f: {"refused": sum(1 for c in cases if c["file"] == f and c["answer"] == "refused"),
                            "as_intact": sum(1 for c in cases if c["file"] == f and c["answer"] == "as intact"),
                            "other": sum(1 for c in cases if c["file"] == f and c["answer"] == "DIFFERENT")}
                        for f in sorted({c["file"] for c in cases})},
            "all": cases}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clasp", default=os.path.join(ROOT, "build/src/clasp"))
    ap.add_argument("--index", default=os.path.join(ROOT, "data/demo-index"))
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--slow", type=int, default=16)
    ap.add_argument("--http-threads", type=int, help="the server's connection workers (default: its own, 64)")
    ap.add_argument("--threads", type=int, default=2, help="the server's torch threads per query")
    ap.add_argument("--add-audio", default=os.path.join(ROOT, "data/quickstart/audio/en"),
                    help="folder of short speech clips for the adds and the kill loop")
    ap.add_argument("--kills", type=int, default=6)
    ap.add_argument("--parts", default="slow,long,mixed,two-stage,kill,damage")
    ap.add_argument("--json")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    parts = set(a.parts.split(","))
    if not os.path.isdir(a.index):
        raise SystemExit("load_test: %s: no such index (build one with clasp index add, or scripts/quickstart.sh)" % a.index)
    clips = sorted(os.path.join(a.add_audio, f) for f in os.listdir(a.add_audio) if f.endswith(".wav")) \
        if os.path.isdir(a.add_audio) else []
    if len(clips) < 8:
        raise SystemExit("load_test: %s: need at least 8 .wav clips for the adds (--add-audio)" % a.add_audio)
    work = tempfile.mkdtemp(prefix="clasp-load-")
    srv = None
    report = {"index": a.index, "http_threads": a.http_threads or "default", "threads": a.threads}
    ok = True
    try:
        if parts & {"slow", "mixed", "two-stage", "long"}:
            ix = os.path.join(work, "served")
            shutil.copytree(a.index, ix)
            token, max_body = "load-test-token", 8 << 20
            srv = Server(a.clasp, ix, token, a.http_threads, a.threads, max_body, work)
            report["rss_mb_start"] = srv.rss_mb()
            if "slow" in parts:
                s = slow_part(srv.port, a.slow, min(a.seconds, 30))
                report["slow"] = s
                ok &= s["errors"] == 0 and s["p99_ms"] < 1000
                print("slow: %d clients trickling; %d normal queries, %.1f/s, p50 %.0f ms, p99 %.0f ms, max %.0f ms, "
                      "%d errors" % (a.slow, s["queries"], s["qps"], s["p50_ms"], s["p99_ms"], s["max_ms"],
                                     s["errors"]), flush=True)
            if "mixed" in parts:
                with open(clips[0], "rb") as f:
                    audio_bytes = f.read()
                adds = [os.path.join(work, "adds", "%d" % k) for k in range(4)]
                for k, d in enumerate(adds):
                    os.makedirs(d)
                    for c in clips[2 * k:2 * k + 2]:
                        shutil.copy(c, d)
                c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=60)
                c.request("GET", search_path("the", k="20"))
                audio_ids = sorted({h["file_id"] for h in json.loads(c.getresponse().read())["results"]}) or [1]
                m = mixed_part(srv.port, token, a.clients, a.seconds, audio_bytes, adds, audio_ids, max_body)
                report["mixed"] = m
                unexpected = sum(k["unexpected"] for k in m["kinds"].values())
                ok &= unexpected == 0
                print("mixed: %d clients for %.0f s, %d requests (%.1f/s), %d unexpected" % (
                    a.clients, m["seconds"], sum(k["n"] for k in m["kinds"].values()),
                    sum(k["n"] for k in m["kinds"].values()) / m["seconds"], unexpected))
                print("| kind | n | per s | as expected | unexpected | p50 ms | p99 ms | statuses |")
                print("|---|---|---|---|---|---|---|---|")
                for kind, k in m["kinds"].items():
                    print("| %s | %d | %.1f | %d | %d | %.0f | %.0f | %s |" % (
                        kind, k["n"], k["per_s"], k["as_expected"], k["unexpected"], k["p50_ms"], k["p99_ms"],
                        " ".join("%s:%d" % kv for kv in sorted(k["statuses"].items()))), flush=True)
            if "long" in parts:
                L = long_query_part(srv)
                report["long_query"] = L
                # Refused (400/413/414) or answered; bounded either way.
                ok &= L["one"]["status"] in (200, 400, 413, 414) and L["parallel"]["max_s"] < 60
                print("long query: %d-byte request with qlang=en&rerank=1000: status %d in %.2f s, RSS %.0f -> %.0f MB; "
                      "%d at once: statuses %s, slowest %.2f s, RSS %.0f MB" % (
                          L["query_bytes"], L["one"]["status"], L["one"]["seconds"], L["one"]["rss_mb_before"],
                          L["one"]["rss_mb_after"], L["parallel"]["n"], L["parallel"]["statuses"],
                          L["parallel"]["max_s"], L["parallel"]["rss_mb_after"]), flush=True)
            if "two-stage" in parts:
                t = two_stage_part(srv.port, a.clients, a.seconds)
                report["two_stage"] = t
                ok &= t["errors"] == 0
                print("two-stage: %d clients, %d queries with qlang=en, %.1f/s, p50 %.0f ms, p99 %.0f ms, max %.0f ms, "
                      "%d errors (server torch threads %d)" % (t["clients"], t["queries"], t["qps"], t["p50_ms"],
                                                               t["p99_ms"], t["max_ms"], t["errors"], a.threads),
                      flush=True)
            report["rss_mb_end"] = srv.rss_mb()
            rc = srv.stop()
            srv = None
            report["server_exit"] = rc
            ok &= rc == 0
            print("server: RSS %.0f -> %.0f MB, exit %s" % (report["rss_mb_start"], report["rss_mb_end"], rc))
        if "kill" in parts:
            k = kill_part(a.clasp, work, clips[:24], a.kills, a.seed)
            report["kill"] = k
            ok &= k["equal"]
            print("kill: %d files, %d kills of index add, resumed (exit %d): %s vs uninterrupted %s, search answers %s "
                  "-> %s" % (k["files"], k["kills"], k["resume_exit"], k["after_kills"], k["uninterrupted"],
                             "the same" if k["same_answers"] else "DIFFERENT", "equal" if k["equal"] else "DIFFERENT"),
                  flush=True)
        if "damage" in parts:
            d = damage_part(a.clasp, a.index, work, a.seed)
            report["damage"] = {k: v for k, v in d.items() if k != "all"}
            ok &= d["held"] == d["cases"]
            print("damage: %d runs on damaged index files, %d held (exit codes %s)" % (d["cases"], d["held"],
                                                                                     d["exits"]))
            for f, n in d["by_file"].items():
                print("  %-16s refused %d, answered as the intact index %d, otherwise %d" % (
                    f, n["refused"], n["as_intact"], n["other"]))
            for c in d["failures"]:
                print("  FAILED: %s %s: %s exit %s %s" % (c["file"], c["damage"], c["command"], c["exit"], c["message"]))
    finally:
        if srv:
            srv.stop()
        shutil.rmtree(work, ignore_errors=True)
    report["ok"] = bool(ok)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(report, f, indent=1)
    print("load_test: " + ("every check held" if ok else "SOME CHECKS FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
