#!/usr/bin/env python3
"""`mtc lsp` under a hostile or broken client (issue 14, "Nothing lost"): malformed JSON-RPC,
out-of-range positions and a client that disappears. After each bad message the server must
still answer a good request; when its input ends (EOF: the client is gone, mid-header, mid-body
or between messages) or its output is closed, it must exit promptly, without spinning (its CPU
time is measured).

    hostile_test.py MTC ROOT
"""
import lspwire
import json
import os
import subprocess
import sys
import threading
import time

MTC, ROOT = sys.argv[1], sys.argv[2]
failures = passed = 0


def check(cond, what):
    global failures, passed
    if cond:
        passed += 1
    else:
        failures += 1
        print("FAIL:", what)


frame = lspwire.frame


class Server:
    def __init__(self):
        self.p = subprocess.Popen([MTC, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                  env=dict(os.environ, MTC_JIT_CACHE="off"))
        self.next_id = 1000

    def write(self, data):
        self.p.stdin.write(data)
        self.p.stdin.flush()

    def read(self):
        return lspwire.read_message(self.p.stdout)

    def response(self, rid):
        while True:
            m = self.read()
            if "method" not in m and m.get("id") == rid:
                return m

    def request(self, method, params):
        self.next_id += 1
        self.write(frame({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params}))
        return self.response(self.next_id)

    def alive(self, what):
        """A good request still gets its answer."""
        try:
            r = self.request("textDocument/hover", {"textDocument": {"uri": URI}, "position": {"line": 0, "character": 0}})
            check("result" in r or "error" in r, "%s: the server answers again" % what)
        except Exception as e:  # EOFError, a bad frame
            check(False, "%s: the server stopped answering (%s)" % (what, e))

    def end(self, timeout=5):
        """Waits for the exit; returns (exit code or 'timeout', CPU seconds used)."""
        t = time.perf_counter()
        while time.perf_counter() - t < timeout:
            pid, status, usage = os.wait4(self.p.pid, os.WNOHANG)
            if pid:
                self.p.returncode = os.waitstatus_to_exitcode(status)
                return self.p.returncode, usage.ru_utime + usage.ru_stime
            time.sleep(0.01)
        self.p.kill()
        self.p.wait()
        return "timeout", None


PATH = os.path.join(ROOT, "examples", "chiro", "chiro.mtree")
URI = "file://" + PATH
TEXT = open(PATH, encoding="utf-8").read()


def started():
    s = Server()
    s.write(frame({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}))
    s.response(1)
    s.write(frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
    s.write(frame({"jsonrpc": "2.0", "method": "textDocument/didOpen",
                   "params": {"textDocument": {"uri": URI, "languageId": "mtree", "version": 1, "text": TEXT}}}))
    return s


def malformed():
    s = started()
    # bodies that are JSON but not JSON-RPC requests, or not JSON at all
    bodies = [b"[]", b"42", b"null", b'"a string"', b"{}", b'{"jsonrpc": "2.0"}', b'{"jsonrpc": "2.0", "id": 7}',
              b'{"jsonrpc": "2.0", "id": 8, "method": 42}', b'{"jsonrpc": "2.0", "id": {"x": 1}, "method": "textDocument/hover"}',
              b'{"jsonrpc": "2.0", "id": 9, "method": "textDocument/hover", "params": "not an object"}',
              b'{"jsonrpc": "2.0", "id": 10, "method": "textDocument/hover", "params": {"textDocument": 5, "position": []}}',
              b'{"jsonrpc": "2.0", "id": 11, "method": "textDocument/definition", "params": null}',
              b'{"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"textDocument": {"uri": 3}, "contentChanges": 1}}',
              b'{"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": "file:///nowhere/x.mtree"}}}',
              b'{"jsonrpc": "2.0", "method": "textDocument/didClose", "params": {}}',
              b'{"jsonrpc": "2.0", "id": 12, "method": "textDocument/formatting", "params": {"textDocument": {"uri": "file:///not/open.mtree"}}}',
              b'{"jsonrpc": "2.0", "id": 13, "method": "initialize", "params": {"capabilities": {}}}',  # a second initialize
              b"{\"a\": \"\xff\xfe not UTF-8\"}", b"{" * 100000 + b"}" * 100000, b'{"x": ' + b"[" * 100000 + b"]" * 100000 + b"}",
              b"\x00" * 64]
    for b in bodies:
        s.write(frame(b))
        s.alive("body %r" % b[:40])
    # headers that are wrong: no length, a length that is not a number, negative, absurd; then a good message
    for h in [b"Content-Type: text/plain\r\n\r\n", b"Content-Length: abc\r\n\r\n", b"Content-Length: -5\r\n\r\n",
              b"Content-Length: 99999999999999999999999\r\n\r\n", b"content-length:0\r\n\r\n", b"garbage without a colon\r\n\r\n"]:
        s.write(h)
        s.alive("header %r" % h[:40])
    # a well-framed request for a method that does not exist, with an id of each kind
    for rid in ["a string id", 3.5, None]:
        s.write(frame({"jsonrpc": "2.0", "id": rid, "method": "no/such/method", "params": {}}))
    s.alive("unknown methods")
    s.p.stdin.close()
    code, cpu = s.end()
    check(code in (0, 1), "malformed session: exit after EOF (%s)" % code)


def out_of_range():
    s = started()
    positions = [(10**6, 0), (0, 10**6), (-1, 0), (0, -1), (2**31, 2**31), (2**53, 0), (len(TEXT.split("\n")), 0),
                 (3, 10**9)]
    for method in ["textDocument/hover", "textDocument/definition", "textDocument/completion", "textDocument/references",
                   "textDocument/documentHighlight", "textDocument/rename", "textDocument/prepareRename",
                   "textDocument/signatureHelp"]:
        for (line, ch) in positions:
            params = {"textDocument": {"uri": URI}, "position": {"line": line, "character": ch}, "newName": "x",
                      "context": {"includeDeclaration": True}}
            try:
                r = s.request(method, params)
                check("result" in r or "error" in r, "%s at (%d, %d): an answer" % (method, line, ch))
            except Exception as e:
                check(False, "%s at (%d, %d): %s" % (method, line, ch, e))
                return
    # a range past the end in an incremental change, and on a document never opened
    s.write(frame({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
        "textDocument": {"uri": URI, "version": 2},
        "contentChanges": [{"range": {"start": {"line": 10**6, "character": 5}, "end": {"line": -3, "character": 10**9}}, "text": "x"}]}}))
    s.alive("a change with a range out of the document")
    r = s.request("textDocument/hover", {"textDocument": {"uri": "file:///never/opened.mtree"}, "position": {"line": 0, "character": 0}})
    check("result" in r or "error" in r, "hover on a document never opened: an answer")
    r = s.request("shutdown", None)
    check("result" in r, "shutdown after all that")
    s.write(frame({"jsonrpc": "2.0", "method": "exit"}))
    code, _ = s.end()
    check(code == 0, "exit after shutdown: 0 (%s)" % code)


def disappearing():
    # the client goes away: between messages, in the middle of the headers, in the middle of a body
    for what, tail in [("between messages", b""), ("mid-header", b"Content-Len"), ("after the headers", b"Content-Length: 100\r\n"),
                       ("mid-body", b"Content-Length: 100\r\n\r\n{\"jsonrpc\": \"2.0\", \"id\": 5, ")]:
        s = started()
        s.alive("before the client goes (%s)" % what)
        s.write(tail)
        s.p.stdin.close()
        t = time.perf_counter()
        code, cpu = s.end(10)
        took = time.perf_counter() - t
        check(code == 1, "client gone %s: exits with 1 (%s)" % (what, code))
        check(took < 5, "client gone %s: exits promptly (%.2f s)" % (what, took))
        check(cpu is None or cpu < 2, "client gone %s: no spinning (%.2f s of CPU in all)" % (what, cpu or 0))
    # the client stops reading (its end of the server's output closed): the server must not spin
    s = started()
    s.p.stdout.close()
    try:
        for _ in range(50):  # answers that have nowhere to go
            s.write(frame({"jsonrpc": "2.0", "id": 99, "method": "textDocument/hover",
                           "params": {"textDocument": {"uri": URI}, "position": {"line": 0, "character": 0}}}))
        s.p.stdin.close()
    except BrokenPipeError:
        pass  # the server is already gone
    code, cpu = s.end(5)
    check(code != "timeout", "output closed: the server exits (%s)" % code)
    check(cpu is None or cpu < 2, "output closed: no spinning (%.2f s of CPU)" % (cpu or 0))


def with_timeout(fn, seconds=60):
    done = threading.Event()
    timer = threading.Timer(seconds, lambda: (print("FAIL: %s timed out" % fn.__name__), os._exit(1)) if not done.is_set() else None)
    timer.start()
    try:
        fn()
    finally:
        done.set()
        timer.cancel()


with_timeout(malformed)
with_timeout(out_of_range)
with_timeout(disappearing)
print("%d passed, %d failed" % (passed, failures))
sys.exit(1 if failures else 0)
