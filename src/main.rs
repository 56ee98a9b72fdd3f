//! The `neardupe` binary: parse arguments, call the library, render, exit.

mod cli;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::exit::Exit;

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
