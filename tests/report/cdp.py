"""A headless Chromium driven through the DevTools protocol (CDP), for the report tests: Debian's
`chromium` and `python3-websocket` (websocket-client), no npm package. One browser serves every
page; each page is a target attached in flat mode (its commands carry a sessionId)."""
import base64
import glob
import json
import os
import shutil
import subprocess
import tempfile
import time

import websocket  # Debian python3-websocket


SKIP = 77      # the exit code CTest shows as skipped
fails = []     # what check() found wrong, for the test's exit code


def check(cond, what):
    """Prints ok or FAIL and the line; a failure is kept in `fails`."""
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        fails.append(what)
    return cond


class BrowserUnavailable(Exception):
    """Chromium is missing or does not start: the test skips (never passes)."""


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    def __init__(self, timeout=30.0):
        exe = find_chromium()
        if not exe:
            raise BrowserUnavailable("chromium is not installed (Debian package chromium)")
        self.profile = tempfile.mkdtemp(prefix="mtc-chromium-")
        self.timeout = timeout
        self.proc = subprocess.Popen(
            [exe, "--headless=new", "--no-sandbox", "--remote-debugging-port=0", "--user-data-dir=" + self.profile,
             "--no-first-run", "--no-default-browser-check", "--disable-gpu", "--disable-extensions",
             "--disable-background-networking", "--disable-component-update", "--disable-sync", "--mute-audio",
             "--hide-scrollbars", "--font-render-hinting=none", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        # the port: DevToolsActivePort in the profile (its first line the port, its second the path)
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.time() + timeout
        while not os.path.exists(port_file) or os.path.getsize(port_file) == 0 or len(open(port_file).read().split("\n")) < 2:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode(errors="replace")[-2000:]
                self.close()
                raise BrowserUnavailable("chromium exited with %d: %s" % (self.proc.returncode, err))
            if time.time() > deadline:
                self.close()
                raise BrowserUnavailable("chromium did not open its DevTools port in %.0f s" % timeout)
            time.sleep(0.05)
        port, path = open(port_file).read().split("\n")[:2]
        self.ws = websocket.create_connection("ws://127.0.0.1:%s%s" % (port.strip(), path.strip()), timeout=timeout,
                                              suppress_origin=True)
        self.next_id = 0
        self.events = []  # (sessionId, method, params), in arrival order

    def send(self, method, params=None, session=None):
        """One command; its result (raises on a protocol error). Events that arrive meanwhile are kept."""
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self.ws.send(json.dumps(msg))
        deadline = time.time() + self.timeout
        while True:
            if time.time() > deadline:
                raise TimeoutError("no answer to " + method)
            reply = json.loads(self.ws.recv())
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError("%s: %s" % (method, reply["error"]))
                return reply.get("result", {})
            if "method" in reply:
                self.events.append((reply.get("sessionId"), reply["method"], reply.get("params", {})))

    def wait_event(self, method, session, since=0, timeout=None):
        """The first `method` event of `session` from index `since` of self.events on, waiting for it."""
        deadline = time.time() + (timeout or self.timeout)
        seen = since
        while True:
            for e in self.events[seen:]:
                if e[0] == session and e[1] == method:
                    return e[2]
            seen = len(self.events)
            if time.time() > deadline:
                raise TimeoutError("no " + method)
            self.ws.settimeout(max(0.01, deadline - time.time()))
            try:
                reply = json.loads(self.ws.recv())
            finally:
                self.ws.settimeout(self.timeout)
            if "method" in reply:
                self.events.append((reply.get("sessionId"), reply["method"], reply.get("params", {})))

    def drain(self, seconds=0.1):
        """Reads the events that arrive within `seconds` (late console messages)."""
        end = time.time() + seconds
        while time.time() < end:
            self.ws.settimeout(max(0.01, end - time.time()))
            try:
                reply = json.loads(self.ws.recv())
            except websocket.WebSocketTimeoutException:
                break
            finally:
                self.ws.settimeout(self.timeout)
            if "method" in reply:
                self.events.append((reply.get("sessionId"), reply["method"], reply.get("params", {})))

    def new_page(self, width=1100, height=900):
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, target, session)
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(domain + ".enable", {}, session)
        self.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, session)
        return page

    def close(self):
        try:
            if getattr(self, "ws", None):
                self.ws.close()
        except Exception:
            pass
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


class Page:
    def __init__(self, browser, target, session):
        self.b, self.target, self.session = browser, target, session
        self.mark = len(browser.events)

    def send(self, method, params=None):
        return self.b.send(method, params, self.session)

    def goto(self, url):
        self.mark = len(self.b.events)
        self.send("Page.navigate", {"url": url})
        self.b.wait_event("Page.loadEventFired", self.session, since=self.mark)

    def eval(self, js):
        """The value of a JavaScript expression (returned by value: JSON-able)."""
        r = self.send("Runtime.evaluate", {"expression": js, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in r:
            raise RuntimeError("JavaScript failed: %s" % json.dumps(r["exceptionDetails"])[:800])
        return r["result"].get("value")

    def click(self, x, y):
        """A real mouse click (press and release) at page coordinates in the viewport."""
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1})

    def events(self):
        """This page's events since it last navigated."""
        return [(m, p) for s, m, p in self.b.events[self.mark:] if s == self.session]

    def problems(self):
        """Console errors, uncaught exceptions, error log entries, and requests that leave the file."""
        out = []
        for method, p in self.events():
            if method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                out.append("console.%s: %s" % (p["type"], " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))))
            elif method == "Runtime.exceptionThrown":
                d = p.get("exceptionDetails", {})
                out.append("exception: %s" % (d.get("exception", {}).get("description") or d.get("text")))
            elif method == "Log.entryAdded" and p["entry"].get("level") == "error":
                out.append("log: %s %s" % (p["entry"].get("text"), p["entry"].get("url", "")))
            elif method == "Network.requestWillBeSent":
                url = p["request"]["url"]
                if not (url.startswith("file://") or url.startswith("data:") or url.startswith("about:")):
                    out.append("network request: " + url)
        return out

    def screenshot(self, path, clip=None, full=False):
        params = {"format": "png"}
        if full:
            w, h = self.eval("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
            params["clip"] = {"x": 0, "y": 0, "width": w, "height": h, "scale": 1}
            params["captureBeyondViewport"] = True
        elif clip:
            params["clip"] = dict(clip, scale=clip.get("scale", 1))
            params["captureBeyondViewport"] = True
        data = self.send("Page.captureScreenshot", params)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def close(self):
        self.b.send("Target.closeTarget", {"targetId": self.target})


def shots_option(args):
    """Takes `--shots DIR` out of the argument list; DIR made and returned, or None."""
    if "--shots" not in args:
        return None
    i = args.index("--shots")
    shots = os.path.abspath(args[i + 1])
    del args[i:i + 2]
    os.makedirs(shots, exist_ok=True)
    return shots


def examples(root):
    """(name, path) of each example model: name is folder_file, e.g. chiro_chiro."""
    models = sorted(glob.glob(os.path.join(root, "examples", "*", "*.mtree")))
    return [(os.path.basename(os.path.dirname(m)) + "_" + os.path.basename(m)[:-6], m) for m in models]


def run_pages(prefix, width, height, body):
    """The frame of a browser test: starts Chromium (exit SKIP without one), opens a page and a
    temporary folder, calls body(browser, page, folder), closes them; prints the failures'
    count and returns the exit code."""
    try:
        b = Browser()
    except BrowserUnavailable as e:
        print("skipped: %s" % e)
        return SKIP
    tmp = tempfile.mkdtemp(prefix=prefix)
    try:
        page = b.new_page(width=width, height=height)
        body(b, page, tmp)
        page.close()
    finally:
        b.close()
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d failure%s" % (len(fails), "" if len(fails) == 1 else "s"))
    return 1 if fails else 0
