//! The `aktar` binary: the command line lives in [`aktar::cli`].

// Rows are allocated on the reader thread and freed on rayon's; mimalloc handles that
// pattern far better than the system allocator (see benches/dry_run.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    aktar::cli::main()
}
