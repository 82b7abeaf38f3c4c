"""Starts a real chatd on a free loopback port for the interop suite.

chatd is told to listen on port 0 and to write {"port": N} to its ready_file
once it serves (docs/configuration.md), so there is no port to guess and no
race with other tests. Its stdout and stderr go to chatd.log in the temp dir.
"""

import ctypes
import json
import signal
import subprocess
import time
from pathlib import Path

READY_DEADLINE_S = 30.0  # an ASan build starts slower than a Release one
STOP_DEADLINE_S = 10.0

# Registration, login and sending are rate-limited per address or user by
# default; the suite registers many users from 127.0.0.1 and sends quickly,
# so the limits are off (per_second: 0) here.
CONFIG_TEMPLATE = """\
server_name: localhost
bind_address: 127.0.0.1
port: 0
data_dir: {data_dir}
ready_file: {ready_file}
log_level: debug
registration:
  enabled: true
rate_limits:
  register:
    per_second: 0
  login:
    per_second: 0
  message:
    per_second: 0
# matrix-nio 0.20 knows only the unauthenticated /_matrix/media/r0 download;
# an operator with such clients turns this on the same way.
media:
  legacy_unauthenticated_download: true
"""


class ChatdError(RuntimeError):
    pass


PR_SET_PDEATHSIG = 1


def _end_with_parent() -> None:
    """Runs in the child before exec: if the runner dies (ctest's timeout
    kills it), the kernel sends chatd SIGTERM instead of leaving it behind."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class ChatdProcess:
    """One chatd child process in `workdir`; stop() ends it by its pid."""

    def __init__(self, binary: str, workdir: Path):
        self.binary = binary
        self.workdir = workdir
        self.log_path = workdir / "chatd.log"
        self.ready_path = workdir / "ready.json"
        self.process = None
        self.port = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        config = self.workdir / "chatd.yaml"
        config.write_text(
            CONFIG_TEMPLATE.format(
                data_dir=self.workdir / "data", ready_file=self.ready_path
            )
        )
        log = open(self.log_path, "ab")
        try:
            self.process = subprocess.Popen(
                [self.binary, "--config", str(config)],
                cwd=self.workdir,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                preexec_fn=_end_with_parent,
            )
        finally:
            log.close()  # the child has its own descriptor
        deadline = time.monotonic() + READY_DEADLINE_S
        while time.monotonic() < deadline:
            port = self._read_port()
            if port is not None:
                self.port = port
                return
            if self.process.poll() is not None:
                raise ChatdError(
                    f"chatd exited with {self.process.returncode} before it was ready"
                )
            time.sleep(0.02)
        raise ChatdError(f"chatd was not ready within {READY_DEADLINE_S:.0f} s")

    def _read_port(self):
        try:
            ready = json.loads(self.ready_path.read_text())
        except (OSError, ValueError):
            return None  # not written yet, or half written
        port = ready.get("port") if isinstance(ready, dict) else None
        return port if isinstance(port, int) and port > 0 else None

    def stop(self):
        """SIGTERM, then SIGKILL after STOP_DEADLINE_S; returns the exit code."""
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=STOP_DEADLINE_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return -signal.SIGKILL

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

