//! What a contender process reports about itself: peak RSS and CPU time, read from `/proc` at
//! the end of its run (Linux; elsewhere they are reported as 0 and the report says n/a); and
//! the same of a program run as a child, or of another process, for contenders that are
//! programs of their own.

/// This process's peak resident set size in KiB (`VmHWM`).
pub fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// This process's user + system CPU time in seconds, all threads.
pub fn cpu_seconds() -> f64 {
    cpu_seconds_at("/proc/self/stat")
}

/// Process `pid`'s user + system CPU time in seconds so far (0 when it cannot be read).
pub fn cpu_seconds_of(pid: u32) -> f64 {
    cpu_seconds_at(&format!("/proc/{pid}/stat"))
}

/// The CPU seconds (user + system) and peak RSS (KiB) of the children this process has
/// waited for: exactly one child's when it ran only one (`getrusage(RUSAGE_CHILDREN)`).
pub fn children_usage() -> anyhow::Result<(f64, u64)> {
    use nix::sys::resource::{UsageWho, getrusage};
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN)?;
    let seconds = |t: nix::sys::time::TimeVal| t.tv_sec() as f64 + t.tv_usec() as f64 / 1e6;
    let cpu = seconds(usage.user_time()) + seconds(usage.system_time());
    // Linux counts ru_maxrss in KiB
    Ok((cpu, u64::try_from(usage.max_rss()).unwrap_or(0)))
}

/// The sample a contender program printed as the last line of its stdout (JSON), or why
/// there is none: the program failed (its stderr), or printed nothing to read.
pub fn reported(out: &std::process::Output) -> anyhow::Result<crate::report::Sample> {
    use anyhow::Context;
    if !out.status.success() {
        anyhow::bail!(
            "a contender failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().last().context("no sample printed")?;
    Ok(serde_json::from_str(line)?)
}

fn cpu_seconds_at(stat: &str) -> f64 {
    // Fields 14 and 15 of /proc/<pid>/stat, after the parenthesised command name, in clock
    // ticks; Linux reports them at USER_HZ = 100 on every mainstream architecture.
    const TICKS_PER_SECOND: f64 = 100.0;
    std::fs::read_to_string(stat)
        .ok()
        .and_then(|stat| {
            let after_name = stat.rsplit_once(')')?.1;
            let fields: Vec<&str> = after_name.split_whitespace().collect();
            // after the name, field 3 of the full line is at index 0
            let user: f64 = fields.get(11)?.parse().ok()?;
            let system: f64 = fields.get(12)?.parse().ok()?;
            Some((user + system) / TICKS_PER_SECOND)
        })
        .unwrap_or(0.0)
}
