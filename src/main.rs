//! The `aktar` binary: the command line lives in [`aktar::cli`].

// Rows are allocated on the reader thread and freed on rayon's; mimalloc handles that
// pattern far better than the system allocator (see benches/dry_run.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc 3's `mimalloc.h`: how many milliseconds memory
/// the process has let go stays with it before it is given back to the system.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// mimalloc 3 keeps memory a second after it is let go. A run frees its batches as
/// fast as it makes them, so that second held twice the memory the run used (67 MiB
/// at its peak for 1,000,000 rows against 34 MiB), and a longer file only grew into
/// it. Ten milliseconds is what mimalloc 2 waited. `MIMALLOC_PURGE_DELAY` in the
/// environment still has the last word.
fn tune_allocator() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: a plain setter of mimalloc's option table, called before any other
        // thread exists.
        unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 10) };
    }
}

fn main() -> std::process::ExitCode {
    tune_allocator();
    aktar::cli::main()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The option's number is mimalloc's, not this crate's: the one option whose
    /// default is a thousand milliseconds is the purge delay, so a mimalloc that
    /// renumbered its options fails here rather than tuning something else.
    #[test]
    fn the_purge_delay_is_the_option_set() {
        // SAFETY: a plain getter of mimalloc's option table.
        let before = unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) };
        let expected = std::env::var("MIMALLOC_PURGE_DELAY")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1000);
        assert_eq!(before, expected, "mimalloc 3's purge delay default");
        tune_allocator();
        let after = unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) };
        let expected = if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            before
        } else {
            10
        };
        assert_eq!(after, expected);
    }
}
