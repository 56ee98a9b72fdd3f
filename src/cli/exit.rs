//! Exit codes, in one place.
//!
//! | code | meaning |
//! |------|---------|
//! | 0 | the run finished and every input was read (findings are the report, not a failure) |
//! | 1 | reserved for `check`: findings |
//! | 2 | a usage error, or some input could not be read (the rest was still processed) |

use std::process::ExitCode;

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Finished; every input read.
    Success,
    /// Finished with findings, for commands that gate on them.
    Findings,
    /// A usage error, or unreadable input.
    Error,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Findings => 1,
            Exit::Error => 2,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable() {
        assert_eq!(Exit::Success.code(), 0);
        assert_eq!(Exit::Findings.code(), 1);
        assert_eq!(Exit::Error.code(), 2);
    }
}
