"""What the dlt benchmark scripts report of their own process: peak RSS and CPU time."""

import os


def peak_rss_kib():
    """The process's peak resident set size, in KiB (Linux's VmHWM; 0 where there is none)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def cpu_seconds():
    """User and system CPU time the process has used, in seconds."""
    times = os.times()
    return times.user + times.system
