//! Reaping a child through `wait4`, which gives that one child's own peak resident
//! memory (std's `Child::wait` cannot). Shared by the soak's launcher and
//! `benches/child`'s.

use std::process::Child;

/// How a child ended.
#[derive(Debug, Clone, Copy)]
pub enum Ended {
    Exit(i32),
    Signal(i32),
}

/// Waits for `child`: how it ended, its peak resident set in KiB and the CPU time it
/// used (user and system), in seconds.
// The child is reaped here through wait4, not through std.
#[allow(clippy::zombie_processes)]
pub fn reap(child: Child) -> (Ended, u64, f64) {
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for the kernel to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waiting for our own child, with pointers to live locals.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4: {}", std::io::Error::last_os_error());
    let how = if libc::WIFEXITED(status) {
        Ended::Exit(libc::WEXITSTATUS(status))
    } else {
        Ended::Signal(libc::WTERMSIG(status))
    };
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    let cpu = seconds(usage.ru_utime) + seconds(usage.ru_stime);
    (how, usage.ru_maxrss as u64, cpu)
}
