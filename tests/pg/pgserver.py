#!/usr/bin/env python3
"""A throw-away PostgreSQL server for tests (Debian `postgresql`, version 15).

    from pgserver import PgServer, Unavailable, SKIP

    try:
        pg = PgServer().start()
    except Unavailable as e:
        print("SKIPPED:", e); sys.exit(SKIP)       # CTest: SKIP_RETURN_CODE 77
    try:
        pg.psql("create table t (x int)")          # as the superuser, over the unix socket
        url = pg.url()                             # postgresql://mtc:PASSWORD@127.0.0.1:PORT/postgres (TCP, SCRAM)
        ...
    finally:
        pg.stop()                                  # the server stopped, its folder removed

or `with PgServer() as pg: ...` (raises Unavailable when it cannot start).

How it runs, so that it works as root in CI and inside a chroot:
  - a temporary folder holds the data directory, the unix socket and the log;
  - as root, initdb and postgres run as an unprivileged user (`nobody`, through
    `runuser`), which owns that folder; otherwise as the current user;
  - the server listens on 127.0.0.1 at a free port and on a socket in the
    temporary folder (never /var/run/postgresql), with
    dynamic_shared_memory_type=mmap (no /dev/shm needed), fsync off;
  - the superuser `mtc` has a password (SCRAM over TCP); the socket trusts.

`python3 pgserver.py` starts a server, prints its URL and waits for Enter (for
trying things by hand).
"""
import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time

SKIP = 77
USER = "mtc"
PASSWORD = "pw-9f3Kq7-Zt2"  # a test server's, on loopback; tests check it is never printed


class Unavailable(Exception):
    """The server cannot be started here (not installed, no unprivileged user, ...)."""


def _bindir(version=None):
    found = []
    for d in glob.glob("/usr/lib/postgresql/*/bin"):
        m = re.search(r"/postgresql/(\d+)/bin$", d)
        if m and os.path.exists(os.path.join(d, "initdb")) and os.path.exists(os.path.join(d, "postgres")):
            found.append((int(m.group(1)), d))
    if version is not None:
        found = [f for f in found if f[0] == version]
    if not found:
        raise Unavailable("no PostgreSQL server binaries in /usr/lib/postgresql/*/bin (Debian package postgresql)")
    return max(found)


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    def __init__(self, version=15, run_as="nobody"):
        self.version, self.bindir = _bindir(version)
        self.run_as = run_as if os.geteuid() == 0 else None
        self.dir = None
        self.port = None
        self.proc = None

    # -- the server
    def _cmd(self, args):
        if self.run_as:
            return ["runuser", "-u", self.run_as, "--"] + args
        return args

    def _run(self, args, **kw):
        return subprocess.run(self._cmd(args), capture_output=True, text=True, timeout=120, **kw)

    def start(self):
        if self.run_as:
            try:
                pw = pwd.getpwnam(self.run_as)
            except KeyError:
                raise Unavailable("no user '%s' to run the server as (root may not run postgres)" % self.run_as)
            if shutil.which("runuser") is None:
                raise Unavailable("runuser (util-linux) is missing")
        self.dir = tempfile.mkdtemp(prefix="mtc-pg-")
        try:
            os.chmod(self.dir, 0o700)
            if self.run_as:
                os.chown(self.dir, pw.pw_uid, pw.pw_gid)
            self.data = os.path.join(self.dir, "data")
            self.socket_dir = os.path.join(self.dir, "sock")
            self.log = os.path.join(self.dir, "server.log")
            pwfile = os.path.join(self.dir, "pwfile")
            with open(pwfile, "w") as f:
                f.write(PASSWORD + "\n")
            os.mkdir(self.socket_dir, 0o700)
            if self.run_as:
                os.chown(pwfile, pw.pw_uid, pw.pw_gid)
                os.chown(self.socket_dir, pw.pw_uid, pw.pw_gid)
            env = dict(os.environ, LC_ALL="C", LANG="C")
            env.pop("PGDATA", None)
            r = self._run([os.path.join(self.bindir, "initdb"), "-D", self.data, "-U", USER, "--pwfile", pwfile,
                           "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C",
                           "--no-sync", "--no-instructions"], env=env)
            if r.returncode != 0:
                raise Unavailable("initdb failed: " + (r.stderr or r.stdout).strip()[-800:])
            os.remove(pwfile)
            last = ""
            for _ in range(3):  # a port taken between the probe and the bind: try another
                self.port = _free_port()
                logf = open(self.log, "ab")
                self.proc = subprocess.Popen(
                    self._cmd([os.path.join(self.bindir, "postgres"), "-D", self.data, "-p", str(self.port),
                               "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=" + self.socket_dir,
                               "-c", "dynamic_shared_memory_type=mmap", "-c", "shared_buffers=16MB",
                               "-c", "max_connections=20", "-c", "fsync=off", "-c", "synchronous_commit=off",
                               "-c", "full_page_writes=off", "-c", "logging_collector=off"]),
                    stdout=logf, stderr=subprocess.STDOUT, env=env, start_new_session=True)
                logf.close()
                if self._wait_ready():
                    return self
                last = self._log_tail()
                self._kill()
            raise Unavailable("postgres did not start: " + last)
        except Unavailable:
            self.stop()
            raise
        except Exception as e:  # permissions, a missing tool...
            self.stop()
            raise Unavailable("%s: %s" % (type(e).__name__, e))

    def _log_tail(self):
        try:
            return open(self.log, errors="replace").read().strip()[-800:]
        except OSError:
            return "(no log)"

    def _wait_ready(self, seconds=30):
        isready = os.path.join(self.bindir, "pg_isready")
        deadline = time.time() + seconds
        while time.time() < deadline:
            if self.proc.poll() is not None:
                return False
            r = subprocess.run([isready, "-q", "-h", self.socket_dir, "-p", str(self.port), "-U", USER, "-d", "postgres"],
                               capture_output=True)
            if r.returncode == 0:
                return True
            time.sleep(0.1)
        return False

    def _kill(self):
        if self.proc and self.proc.poll() is None:
            # SIGINT to the postmaster (not to runuser, which does not pass it on):
            # a "fast" shutdown
            pid = None
            try:
                pid = int(open(os.path.join(self.data, "postmaster.pid")).readline())
            except (OSError, ValueError):
                pass
            try:
                os.kill(pid, 2) if pid else self.proc.send_signal(2)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait()
        self.proc = None

    def stop(self):
        self._kill()
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- clients
    def url(self, user=USER, password=PASSWORD, dbname="postgres", host="127.0.0.1", port=None):
        """A libpq URI over TCP with a password (SCRAM)."""
        return "postgresql://%s:%s@%s:%d/%s" % (user, password, host, port or self.port, dbname)

    def socket_url(self, dbname="postgres"):
        """Key/value connection string over the unix socket (trusted, no password)."""
        return "host=%s port=%d user=%s dbname=%s" % (self.socket_dir, self.port, USER, dbname)

    def psql(self, sql, dbname="postgres", check=True):
        """Runs SQL (psql -c, ON_ERROR_STOP) as the superuser over the socket; returns stdout (unaligned, tuples only)."""
        psql = os.path.join(self.bindir, "psql")
        r = subprocess.run([psql, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", self.socket_dir, "-p", str(self.port),
                            "-U", USER, "-d", dbname], input=sql, capture_output=True, text=True, timeout=300)
        if check and r.returncode != 0:
            raise RuntimeError("psql failed: " + r.stderr.strip())
        return r.stdout

    def copy_in(self, table, path, dbname="postgres", options="format csv, header true"):
        """Loads a file into a table with \\copy (the client reads the file: no server access to it needed)."""
        return self.psql("\\copy %s from '%s' with (%s)\n" % (table, path.replace("'", "''"), options), dbname)


if __name__ == "__main__":
    with PgServer() as pg:
        print(pg.url())
        print(pg.socket_url())
        input("running; Enter stops it ")
