//! The `neardupe` binary: parse arguments, call the library, render, exit.

mod cli;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::exit::Exit;

// glibc's allocator runs with its defaults. Pinning its mmap threshold at 1 MiB (as from
// `be97343`) kept the peak 5 MB lower at 100k documents, but every large buffer was then
// mapped, faulted in and unmapped anew: 86k page faults against 53k, and 4% more wall time
// (benches/README.md, "Sixth session").
fn main() -> ExitCode {
    let args = cli::args::Cli::parse();
    match cli::run(args) {
        Ok(exit) => exit.into(),
        Err(err) => {
            eprintln!("neardupe: {err:#}");
            Exit::Error.into()
        }
    }
}
