"""Starting and stopping the servers that pgfork's benchmark scripts compare:
pgfork in process, prefork and thread mode, and a throwaway PostgreSQL 15
cluster (initdb in a temporary directory, run as the postgres user, since
PostgreSQL refuses to run as root).

Every server listens only on a Unix socket in its own temporary directory.
"""

import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PG_BIN = "/usr/lib/postgresql/15/bin"


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def target_dir():
    """Cargo's target directory: $CARGO_TARGET_DIR or <repo>/target."""
    return os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))


def release_binary(name):
    """Path of a release binary in the target directory."""
    return os.path.join(target_dir(), "release", name)


def cargo_build(packages):
    """Builds release packages (if needed); returns the CompletedProcess
    (output captured, not checked) so callers can report a failure."""
    cmd = ["cargo", "build", "--release", "-q"]
    for p in packages:
        cmd += ["-p", p]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)


def build_pgfork():
    """Builds the release binary (if needed) and returns its path."""
    log("building pgfork (release)")
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "pgfork"], cwd=ROOT, check=True)
    return release_binary("pgfork")


def wait_socket(path, timeout=30.0, proc=None):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if os.path.exists(path):
            s = socket.socket(socket.AF_UNIX)
            try:
                s.connect(path)
                s.close()
                return
            except OSError:
                pass
            finally:
                s.close()
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited during start-up ({proc.returncode})")
        time.sleep(0.05)
    raise RuntimeError(f"server socket {path} did not appear")


def _stat(pid):
    """(ppid, state letter) of a process from /proc/PID/stat, or None."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            s = f.read()
    except OSError:
        return None
    # The command name, in parentheses, may itself hold spaces and ')'.
    fields = s[s.rfind(")") + 2:].split()
    return int(fields[1]), fields[0]


def alive(pid):
    """Whether a process exists and is not a zombie."""
    st = _stat(pid)
    return st is not None and st[1] not in ("Z", "X")


def descendants(pid):
    """Every descendant of a process (children, their children, ...), from /proc."""
    children = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            st = _stat(int(d))
            if st is not None:
                children.setdefault(st[0], []).append(int(d))
    out, todo = [], [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def kill9_tree(main):
    """kill -9 of a process and all its descendants at once, as a power loss
    would stop them: the main process is stopped first (so that it neither
    forks nor reacts to its children's deaths), then it and every
    descendant get SIGKILL. Returns the pids signalled (not yet reaped)."""
    try:
        os.kill(main, signal.SIGSTOP)
    except ProcessLookupError:
        return []
    pids = [main]
    while True:
        new = [p for p in descendants(main) if p not in pids]
        if not new:
            break
        pids += new
    for p in pids:
        try:
            os.kill(p, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return pids


def wait_gone(pids, timeout=30.0):
    """Waits until none of the processes is alive (zombies count as gone)."""
    deadline = time.time() + timeout
    while any(alive(p) for p in pids):
        if time.time() > deadline:
            raise RuntimeError(f"processes {[p for p in pids if alive(p)]} still alive after SIGKILL")
        time.sleep(0.005)


class Server:
    """A running server: name, socket directory, port, and its pids."""

    def __init__(self, name, sockdir, port):
        self.name = name
        self.sockdir = sockdir
        self.port = port

    @property
    def socket_path(self):
        return os.path.join(self.sockdir, f".s.PGSQL.{self.port}")

    def pgbench_cmd(self, args):
        """The pgbench command line against this server (for running it in
        the background)."""
        return ["pgbench", "-h", self.sockdir, "-p", str(self.port), "-U", "postgres"] + args + ["postgres"]

    def pgbench(self, args, check=True):
        return subprocess.run(self.pgbench_cmd(args), capture_output=True, text=True, check=check)

    def psql(self, sql, timeout=None):
        cmd = ["psql", "-X", "-A", "-t", "-h", self.sockdir, "-p", str(self.port), "-U", "postgres",
               "-d", "postgres", "-c", sql]
        return subprocess.run(cmd, capture_output=True, text=True, check=True,
                              timeout=timeout).stdout.strip()

    def wait_session(self, timeout=600.0):
        """Waits until a session can start and run a query (a server may
        accept connections on its socket before it is ready, e.g. while it
        recovers)."""
        deadline = time.time() + timeout
        while True:
            try:
                self.psql("SELECT 1", timeout=max(deadline - time.time(), 1))
                return
            except subprocess.CalledProcessError as e:
                proc = getattr(self, "proc", None)
                if proc is not None and proc.poll() is not None:
                    raise RuntimeError(f"{self.name} exited ({proc.returncode}) before a session could "
                                       f"start: {e.stderr.strip()}") from None
                if time.time() > deadline:
                    raise RuntimeError(f"{self.name}: no session within {timeout:.0f} s: "
                                       f"{e.stderr.strip()}") from None
                time.sleep(0.05)
            except subprocess.TimeoutExpired:
                raise RuntimeError(f"{self.name}: no session within {timeout:.0f} s") from None

    def main_pid(self):
        raise NotImplementedError

    def pids(self):
        """The server's processes: the main one and all its children."""
        main = self.main_pid()
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(main)], capture_output=True, text=True)
        return [main] + [int(p) for p in out.stdout.split()]

    def kill9(self):
        """kill -9 of the whole server at once (see kill9_tree); returns when
        none of its processes is alive; the pids killed."""
        pids = kill9_tree(self.main_pid())
        self._reap()
        wait_gone(pids)
        return pids

    def _reap(self):
        """Collects the main process's exit status if it is our child."""


class PgFork(Server):
    """pgfork in its own temporary directory (data directory, socket, log).

    With tmp=DIR it runs in an existing directory instead (a data directory
    left by an earlier PgFork stopped with remove=False, or killed), its log
    appended to."""

    def __init__(self, binary, mode, port, prefork=0, shared_buffers="128MB", max_connections=100,
                 extra=(), tmp=None, log_level="warn", start_timeout=30.0):
        self.owns_tmp = tmp is None
        self.tmp = tempfile.mkdtemp(prefix=f"pgfork-{mode}-") if tmp is None else tmp
        name = "pgfork-" + ("prefork" if prefork else mode)
        super().__init__(name, self.tmp, port)
        args = [binary, "-D", os.path.join(self.tmp, "data"), "-k", self.tmp, "-p", str(port),
                "--mode", mode, "--shared-buffers", shared_buffers,
                "--max-connections", str(max_connections), "--log-level", log_level]
        if prefork:
            args += ["--prefork", str(prefork)]
        # Every script connects as postgres, as to the reference cluster:
        # make it the bootstrap superuser of a new data directory (binaries
        # from before roles existed accept any user and lack the option).
        if "--superuser" in subprocess.run([binary, "--help"], capture_output=True,
                                           text=True).stdout:
            args += ["--superuser", "postgres"]
        args += list(extra)
        self.logf = open(os.path.join(self.tmp, "server.log"), "w" if self.owns_tmp else "a")
        self.log_offset = self.logf.tell()
        self.proc = subprocess.Popen(args, stdout=self.logf, stderr=self.logf)
        try:
            wait_socket(self.socket_path, timeout=start_timeout, proc=self.proc)
        except RuntimeError as e:
            # Say why (the log's last lines), and leave nothing behind.
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            self.logf.close()
            with open(self.log_path, errors="replace") as f:
                tail = " | ".join(f.read().strip().splitlines()[-3:])
            if self.owns_tmp:
                shutil.rmtree(self.tmp, ignore_errors=True)
            raise RuntimeError(f"{e}; log: {tail}" if tail else str(e)) from None

    def main_pid(self):
        return self.proc.pid

    def _reap(self):
        self.proc.wait()
        self.logf.close()

    @property
    def log_path(self):
        return os.path.join(self.tmp, "server.log")

    def log_since_start(self):
        """What the server logged since this start."""
        with open(self.log_path, errors="replace") as f:
            f.seek(self.log_offset)
            return f.read()

    def stop(self, remove=True):
        """Fast shutdown; then removes the directory, unless remove=False."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.logf.close()
        if remove:
            shutil.rmtree(self.tmp, ignore_errors=True)


class Postgres(Server):
    """A throwaway PostgreSQL 15 cluster."""

    def __init__(self, port, shared_buffers="128MB", max_connections=100, settings=()):
        if not os.path.exists(os.path.join(PG_BIN, "postgres")):
            raise RuntimeError("PostgreSQL 15 is not installed (apt-get install postgresql-15)")
        self.tmp = tempfile.mkdtemp(prefix="pg15-")
        os.chmod(self.tmp, 0o777)
        super().__init__("postgresql-15", self.tmp, port)
        self.data = os.path.join(self.tmp, "data")
        self._as_pg([f"{PG_BIN}/initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "-N"],
                    quiet=True)
        opts = [f"-c shared_buffers={shared_buffers}", f"-c max_connections={max_connections}",
                f"-k {self.tmp}", f"-p {port}", "-c listen_addresses=''"]
        opts += [f"-c {s}" for s in settings]
        self._as_pg([f"{PG_BIN}/pg_ctl", "-D", self.data, "-l", os.path.join(self.tmp, "log"), "-w",
                     "-o", " ".join(opts), "start"], quiet=True)
        wait_socket(self.socket_path)

    def _as_pg(self, cmd, quiet=False):
        full = (["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []) + cmd
        subprocess.run(full, check=True,
                       stdout=subprocess.DEVNULL if quiet else None,
                       stderr=subprocess.DEVNULL if quiet else None)

    def main_pid(self):
        with open(os.path.join(self.data, "postmaster.pid")) as f:
            return int(f.readline())

    @property
    def log_path(self):
        return os.path.join(self.tmp, "log")

    def stop(self):
        try:
            self._as_pg([f"{PG_BIN}/pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop"], quiet=True)
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.tmp, ignore_errors=True)


def memory_kb(pids):
    """Sums Pss and private memory (kB) over processes, from smaps_rollup."""
    pss = private = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    parts = line.split()
                    if parts[0] == "Pss:":
                        pss += int(parts[1])
                    elif parts[0] in ("Private_Clean:", "Private_Dirty:"):
                        private += int(parts[1])
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            pass
    return pss, private


def startup_packet(user="postgres", database="postgres"):
    body = struct.pack("!i", 196608)
    for k, v in (("user", user), ("database", database)):
        body += k.encode() + b"\0" + v.encode() + b"\0"
    body += b"\0"
    return struct.pack("!i", len(body) + 4) + body


def open_idle_connection(path):
    """Connects, completes startup, and returns the idle socket."""
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    s.sendall(startup_packet())
    buf = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            raise RuntimeError("connection closed during startup")
        buf += chunk
        while len(buf) >= 5:
            typ = buf[0:1]
            (length,) = struct.unpack("!i", buf[1:5])
            if len(buf) < 1 + length:
                break
            body, buf = buf[5:1 + length], buf[1 + length:]
            if typ == b"E":
                raise RuntimeError("startup failed: " + body.decode(errors="replace"))
            if typ == b"Z":
                return s


def free_port(start):
    """A port whose socket and lock files are free in /tmp-like dirs: the
    servers use their own directories, so any port works; vary anyway."""
    return start + (os.getpid() % 500) * 10
