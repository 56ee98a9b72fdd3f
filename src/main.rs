//! The `neardupe` binary: parse arguments, call the library, render, exit.

mod cli;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::exit::Exit;

fn main() -> ExitCode {
    bounded_heap();
    let args = cli::args::Cli::parse();
    match cli::run(args) {
        Ok(exit) => exit.into(),
        Err(err) => {
            eprintln!("neardupe: {err:#}");
            Exit::Error.into()
        }
    }
}

/// Asks glibc to map every allocation of 1 MiB or more on its own and to give it back to
/// the system when freed. By default the threshold grows with the largest block freed (up to
/// 32 MiB), so the scan's large short-lived buffers (batches, postings, pair lists) end up in
/// the heap, and the memory they leave behind counts in the process's peak (about 7 MB more
/// on 100,000 documents). Elsewhere (musl, other systems) nothing is done.
fn bounded_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` only sets an allocator parameter; it is called before any other
    // thread exists, and a refused setting (return value 0) just leaves the default.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}
