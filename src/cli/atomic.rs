//! Output files and folders written atomically, and refused where they could touch inputs.
//!
//! A file is written to a temporary name in its destination folder, flushed, fsynced and
//! renamed over the destination, so a reader (or a crash) sees the old file or the new one,
//! never half of one. A folder is built the same way beside its destination and renamed into
//! place. Nothing is left behind when a write fails: the temporary goes away on drop.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

pub use neardupe::atomic::AtomicFile;

/// Starts writing `path` atomically, naming it in any error.
pub fn create_file(path: &Path, force: bool) -> anyhow::Result<AtomicFile> {
    AtomicFile::create(path, force).with_context(|| format!("writing {}", path.display()))
}

/// Puts a file written with [`create_file`] in place, naming it in any error.
pub fn commit_file(file: AtomicFile, path: &Path) -> anyhow::Result<()> {
    file.commit()
        .with_context(|| format!("writing {}", path.display()))
}
use neardupe::atomic::{parent_of, sync_dir, temp_sibling};

/// Refuses an output that equals an input file, lies inside an input folder, or contains an
/// input (which `--force` would then replace).
pub fn check_output_path(out: &Path, inputs: &[PathBuf]) -> anyhow::Result<()> {
    let out_abs = absolute(out)?;
    for input in inputs {
        let Ok(inp) = fs::canonicalize(input) else {
            continue;
        };
        if out_abs == inp {
            bail!("refusing to write {}: it is an input", out.display());
        }
        if inp.is_dir() && out_abs.starts_with(&inp) {
            bail!(
                "refusing to write {}: it is inside the input folder {}",
                out.display(),
                input.display()
            );
        }
        if inp.starts_with(&out_abs) {
            bail!(
                "refusing to write {}: it contains the input {}",
                out.display(),
                input.display()
            );
        }
    }
    Ok(())
}

/// `p` made absolute with symbolic links resolved, for a path that may not exist yet.
fn absolute(p: &Path) -> anyhow::Result<PathBuf> {
    if let Ok(c) = fs::canonicalize(p) {
        return Ok(c);
    }
    let parent = parent_of(p);
    let parent = fs::canonicalize(&parent)
        .with_context(|| format!("output folder {} does not exist", parent.display()))?;
    Ok(match p.file_name() {
        Some(name) => parent.join(name),
        None => parent,
    })
}

/// A folder built beside its destination and renamed into place by [`AtomicDir::commit`].
#[derive(Debug)]
pub struct AtomicDir {
    tmp: PathBuf,
    dest: PathBuf,
    done: bool,
}

impl AtomicDir {
    /// Starts building `dest`; refuses an existing `dest` unless `force`.
    pub fn create(dest: &Path, force: bool) -> anyhow::Result<AtomicDir> {
        if dest.exists() && !force {
            bail!(
                "{} already exists (use --force to replace it)",
                dest.display()
            );
        }
        if dest.exists() && !dest.is_dir() {
            bail!("{} exists and is not a folder", dest.display());
        }
        let tmp = temp_sibling(dest, "tmp");
        fs::create_dir(&tmp)
            .with_context(|| format!("creating a temporary folder beside {}", dest.display()))?;
        Ok(AtomicDir {
            tmp,
            dest: dest.to_path_buf(),
            done: false,
        })
    }

    /// Where to write the folder's contents until it is committed.
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// Puts the folder in place, replacing an existing one.
    pub fn commit(mut self) -> anyhow::Result<()> {
        sync_dir(&self.tmp);
        let old = if self.dest.exists() {
            let old = temp_sibling(&self.dest, "old");
            fs::rename(&self.dest, &old)
                .with_context(|| format!("moving the old {} aside", self.dest.display()))?;
            Some(old)
        } else {
            None
        };
        fs::rename(&self.tmp, &self.dest)
            .with_context(|| format!("renaming into {}", self.dest.display()))?;
        self.done = true;
        sync_dir(&parent_of(&self.dest));
        if let Some(old) = old {
            fs::remove_dir_all(&old)
                .with_context(|| format!("removing the old {}", self.dest.display()))?;
        }
        Ok(())
    }
}

impl Drop for AtomicDir {
    fn drop(&mut self) {
        if !self.done {
            let _ = fs::remove_dir_all(&self.tmp);
        }
    }
}

/// Writes `bytes` to a new file and syncs it (inside an [`AtomicDir`]).
pub fn write_synced(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut f = File::create(path).with_context(|| format!("creating {}", path.display()))?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("neardupe-atomic-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    fn names(d: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn file_appears_only_on_commit() {
        let d = scratch("file");
        let dest = d.join("out.txt");
        let mut f = AtomicFile::create(&dest, false).unwrap();
        f.write_all(b"hello").unwrap();
        assert!(!dest.exists());
        f.commit().unwrap();
        assert_eq!(fs::read(&dest).unwrap(), b"hello");
        assert_eq!(names(&d), ["out.txt"]);
    }

    #[test]
    fn abandoned_write_leaves_nothing_and_keeps_the_old_file() {
        let d = scratch("abandon");
        let dest = d.join("out.txt");
        fs::write(&dest, "old").unwrap();
        assert!(
            AtomicFile::create(&dest, false)
                .unwrap_err()
                .to_string()
                .contains("already exists (use --force")
        );
        let mut f = AtomicFile::create(&dest, true).unwrap();
        f.write_all(b"half").unwrap();
        drop(f); // a failure midway
        assert_eq!(fs::read_to_string(&dest).unwrap(), "old");
        assert_eq!(names(&d), ["out.txt"]);
    }

    #[test]
    fn folders_replace_whole() {
        let d = scratch("dir");
        let dest = d.join("out");
        let a = AtomicDir::create(&dest, false).unwrap();
        write_synced(&a.path().join("x/y.txt"), b"1").unwrap();
        a.commit().unwrap();
        assert_eq!(fs::read(dest.join("x/y.txt")).unwrap(), b"1");
        let b = AtomicDir::create(&dest, true).unwrap();
        write_synced(&b.path().join("z.txt"), b"2").unwrap();
        drop(b);
        assert!(
            dest.join("x/y.txt").exists(),
            "an abandoned folder leaves the old one"
        );
        assert_eq!(names(&d), ["out"]);
    }

    #[test]
    fn outputs_touching_inputs_are_refused() {
        let d = scratch("refuse");
        fs::create_dir(d.join("in")).unwrap();
        fs::write(d.join("in/a.txt"), "a").unwrap();
        let inputs = vec![d.join("in")];
        assert!(
            check_output_path(&d.join("in/out"), &inputs)
                .unwrap_err()
                .to_string()
                .contains("inside the input folder")
        );
        assert!(
            check_output_path(&d, &inputs)
                .unwrap_err()
                .to_string()
                .contains("contains the input")
        );
        let file_in = vec![d.join("in/a.txt")];
        assert!(
            check_output_path(&d.join("in/a.txt"), &file_in)
                .unwrap_err()
                .to_string()
                .contains("it is an input")
        );
        assert!(check_output_path(&d.join("out"), &inputs).is_ok());
    }
}
