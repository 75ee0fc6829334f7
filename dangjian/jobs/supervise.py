"""Worker child processes of `dangjian serve` / `dangjian worker --processes N`: started with the
same interpreter, settings and data folder, stopped when the parent stops (and they stop by
themselves if the parent is killed: see Worker's parent check)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time


def worker_argv(*, interval: float = 1.0) -> list[str]:
    return [sys.executable, "-m", "dangjian.cli", "worker", "--interval", str(interval), "--parent-pid", str(os.getpid())]


class Children:
    def __init__(self, argvs: list[list[str]]):
        env = os.environ.copy()
        env.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
        self.procs = [subprocess.Popen(argv, env=env) for argv in argvs]

    def stop(self, timeout: float = 30.0) -> None:
        """Ask each worker to finish its task and stop; kill those that do not within `timeout`."""
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM if os.name != "nt" else signal.CTRL_BREAK_EVENT)
        deadline = time.monotonic() + timeout
        for p in self.procs:
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def wait(self) -> None:
        """Block until interrupted, then stop the children."""
        previous = signal.signal(signal.SIGTERM, _raise_interrupt)
        try:
            while any(p.poll() is None for p in self.procs):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            self.stop()


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt
