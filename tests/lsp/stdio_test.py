#!/usr/bin/env python3
"""A stdio session with the real `mtc lsp`: the base protocol's framing
(Content-Length headers, other headers, messages split across writes or sent
together), a bad JSON body, then diagnostics, hover and definition on
examples/saas/saas.mtree with an error injected into the editor's buffer (the
file on disk is left alone), shutdown and exit codes.

    stdio_test.py MTC ROOT
"""
import lspwire
import json
import os
import subprocess
import sys
import threading
import time

MTC, ROOT = sys.argv[1], sys.argv[2]
failures = 0
passed = 0


def check(cond, what):
    global failures, passed
    if cond:
        passed += 1
    else:
        failures += 1
        print("FAIL:", what)


frame = lspwire.frame


class Session:
    def __init__(self, *args):
        self.p = subprocess.Popen([MTC, "lsp", *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        self.next_id = 1
        self.pending = []  # notifications read while waiting for a response

    def write(self, data):
        self.p.stdin.write(data)
        self.p.stdin.flush()

    def read(self):
        return lspwire.read_message(self.p.stdout)

    def request(self, method, params=None, raw=None):
        rid = self.next_id
        self.next_id += 1
        self.write(raw if raw is not None else frame({"jsonrpc": "2.0", "id": rid, "method": method, "params": params}))
        return self.response(rid)

    def response(self, rid):
        while True:
            m = self.read()
            if m.get("id") == rid and "method" not in m:
                return m
            self.pending.append(m)

    def notify(self, method, params):
        self.write(frame({"jsonrpc": "2.0", "method": method, "params": params}))

    def diagnostics(self, uri):
        """The next publishDiagnostics for uri."""
        while True:
            m = self.pending.pop(0) if self.pending else self.read()
            if m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri:
                return m["params"]["diagnostics"]

    def wait(self, timeout=10):
        try:
            return self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            return "timeout"


def with_timeout(fn, seconds=30):
    """Runs fn; fails the test (instead of hanging) if the server stops answering."""
    done = threading.Event()
    timer = threading.Timer(seconds, lambda: (print("FAIL: timed out"), os._exit(1)) if not done.is_set() else None)
    timer.start()
    try:
        fn()
    finally:
        done.set()
        timer.cancel()


def main_session():
    s = Session("--stdio")  # vscode-languageclient passes --stdio
    # initialize, with an extra Content-Type header and the body in three writes.
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}).encode()
    s.write(b"Content-Length: %d\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n" % len(body))
    time.sleep(0.05)
    s.write(b"\r\n" + body[:10])
    time.sleep(0.05)
    s.write(body[10:])
    s.next_id = 2
    init = s.response(1)
    caps = init["result"]["capabilities"]
    check(caps["textDocumentSync"]["change"] == 1, "full text sync")
    check(caps.get("hoverProvider") is True, "hover advertised")
    check(caps.get("documentFormattingProvider") is True, "formatting advertised")
    s.notify("initialized", {})

    # A body that is not JSON: a ParseError response, and the server keeps going.
    bad = b"{not json"
    s.write(b"Content-Length: %d\r\n\r\n" % len(bad) + bad)
    err = s.response(None)
    check(err.get("error", {}).get("code") == -32700, "ParseError for a bad body: %r" % err)

    # Open the example with an error typed into the buffer (not saved).
    path = os.path.join(ROOT, "examples", "saas", "saas.mtree")
    text = open(path, encoding="utf-8").read()
    original = "metric signup_rate \"Signup rate\": account/visitor by plan, region = signups / visitors {"
    check(original in text, "the example still has signup_rate's line")
    lines = text.split("\n")
    line_no = lines.index(original)  # 0-based
    broken = original.replace("signups / visitors", "signups / visits")
    col = broken.index("visits")  # ASCII line: UTF-16 units == bytes
    uri = "file://" + path
    # Two messages in one write: didOpen and a hover on `signups` in the formula.
    hover_col = broken.index("signups /")
    s.write(frame({"jsonrpc": "2.0", "method": "textDocument/didOpen",
                   "params": {"textDocument": {"uri": uri, "languageId": "mtree", "version": 1,
                                               "text": text.replace(original, broken)}}}) +
            frame({"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover",
                   "params": {"textDocument": {"uri": uri}, "position": {"line": line_no, "character": hover_col}}}))
    s.next_id = 3
    hover = s.response(2)
    diags = s.diagnostics(uri)
    check(len(diags) == 1, "one diagnostic: %r" % diags)
    if diags:
        d = diags[0]
        check(d["code"] == "unknown-name", "code unknown-name: %r" % d)
        check(d["range"] == {"start": {"line": line_no, "character": col},
                             "end": {"line": line_no, "character": col + len("visits")}}, "range: %r" % d["range"])
        check("did you mean 'visitors'?" in d["message"], "did-you-mean note: %r" % d["message"])
    value = hover.get("result", {}).get("contents", {}).get("value", "")
    check("metric signups: account by plan, region" in value, "hover header: %r" % value)
    check("- data: `history.signups`" in value, "hover data: %r" % value)

    # Definition of `signups` in the formula: its declaration.
    decl_line = lines.index("metric signups \"Signups\": account by plan, region {")
    r = s.request("textDocument/definition", {"textDocument": {"uri": uri},
                                              "position": {"line": line_no, "character": hover_col}})
    check(r.get("result") == {"uri": uri, "range": {"start": {"line": decl_line, "character": 7},
                                                    "end": {"line": decl_line, "character": 14}}},
          "definition: %r" % r)

    # Fix it in the buffer: no diagnostics left.
    s.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": text}]})
    check(s.diagnostics(uri) == [], "fixed buffer has no diagnostics")

    r = s.request("textDocument/definitelyNotAMethod", {})
    check(r.get("error", {}).get("code") == -32601, "MethodNotFound: %r" % r)

    r = s.request("shutdown", None)
    check("result" in r and r["result"] is None, "shutdown: %r" % r)
    s.notify("exit", None)
    check(s.wait() == 0, "exit after shutdown ends with 0")
    check(open(path, encoding="utf-8").read() == text, "the file on disk is untouched")


def abrupt_session():
    # The client goes away without shutdown/exit: the server ends, with 1.
    s = Session()
    s.request("initialize", {"capabilities": {}})
    s.p.stdin.close()
    check(s.wait() == 1, "end of input without exit ends with 1")


with_timeout(main_session)
with_timeout(abrupt_session)
print("%d passed, %d failed" % (passed, failures))
sys.exit(1 if failures else 0)
