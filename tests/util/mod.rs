//! Helpers for running the real binary in integration tests.

#![allow(dead_code, reason = "each test file uses a different subset")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The repository root (where `corpus/` lives).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A command for the built `neardupe` binary, run from the repository root with colour and
/// environment influences removed.
pub fn neardupe() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_neardupe"));
    cmd.current_dir(root())
        .env_remove("NO_COLOR")
        .env_remove("GITHUB_ACTIONS")
        .stdin(Stdio::null());
    cmd
}

/// The result of a run, with readable accessors.
pub struct Run {
    pub out: Output,
}

impl Run {
    pub fn stdout(&self) -> String {
        String::from_utf8(self.out.stdout.clone()).expect("stdout is UTF-8")
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.out.stderr).into_owned()
    }
    pub fn code(&self) -> i32 {
        self.out.status.code().expect("exited normally")
    }
    /// Stdout parsed as JSON Lines.
    pub fn json_lines(&self) -> Vec<serde_json::Value> {
        self.stdout()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
            .collect()
    }
}

/// Runs `neardupe ARGS...` and returns its output.
pub fn run(args: &[&str]) -> Run {
    Run {
        out: neardupe().args(args).output().expect("binary runs"),
    }
}

/// Asserts that two strings are equal, printing both in full when they are not.
#[track_caller]
pub fn assert_same(expected: &str, got: &str) {
    if expected != got {
        panic!("\n\n==== expected ====\n{expected}\n==== got ====\n{got}\n=================\n");
    }
}

/// A fresh empty folder under the target directory.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    // A test may have left unreadable files behind: make them removable first.
    let _ = Command::new("chmod")
        .args(["-R", "u+rwx"])
        .arg(&dir)
        .output();
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

/// Compares `got` with the golden file `tests/golden/NAME`; with `NEARDUPE_BLESS=1`, writes it.
#[track_caller]
pub fn golden(name: &str, got: &str) {
    let path = root().join("tests/golden").join(name);
    if std::env::var_os("NEARDUPE_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, got).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with NEARDUPE_BLESS=1 to create it)",
            path.display()
        )
    });
    assert_same(&expected, got);
}

/// Runs `neardupe ARGS...` as an unprivileged user (via `setpriv` when the tests run as root,
/// as CI does), so that files with no read permission really are unreadable. The binary is
/// copied to `workdir` first, and the command runs there: the checkout itself may sit where
/// an unprivileged user cannot reach.
pub fn run_unprivileged(workdir: &Path, args: &[&str]) -> Run {
    let uid = Command::new("id").arg("-u").output().expect("id runs");
    let root = String::from_utf8_lossy(&uid.stdout).trim() == "0";
    let bin = workdir.join("neardupe");
    std::fs::copy(env!("CARGO_BIN_EXE_neardupe"), &bin).expect("binary copied");
    let mut cmd = if root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&bin);
        c
    } else {
        Command::new(&bin)
    };
    let out = cmd
        .args(args)
        .current_dir(workdir)
        .stdin(Stdio::null())
        .output()
        .expect("setpriv runs (util-linux)");
    Run { out }
}

/// A fresh folder under the system temporary folder, open to every user (unlike, perhaps,
/// the checkout), for tests that run the binary unprivileged.
#[cfg(unix)]
pub fn open_scratch(name: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!("neardupe-test-{name}-{}", std::process::id()));
    let _ = Command::new("chmod")
        .args(["-R", "u+rwx"])
        .arg(&dir)
        .output();
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

/// Makes `path` (file or folder) readable by nobody, world-traversable parents kept.
#[cfg(unix)]
pub fn forbid(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o000)).unwrap();
}
