//! Files only their owner may read (the config file, the discovery cache),
//! written atomically: a new temporary file in the same folder, then a rename
//! over the target, so that a reader sees the old file or the new one, never
//! half of one.
//!
//! On unix the folder is created `0700` when missing and the file is always
//! written `0600`, whatever the old file's mode was; the temporary file is
//! created with `O_CREAT | O_EXCL` (`create_new`), which refuses to follow a
//! symlink planted at its path. A symlink planted at the target itself is
//! never followed either: the rename replaces the link, not the file it
//! points to.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// How many temporary names to try before giving up when each one exists.
const TEMP_NAME_TRIES: usize = 16;

/// Writes `bytes` to `path` atomically as a private file (mode `0600` on
/// unix), creating its folder (mode `0700`) when missing. When `path` is a
/// symlink, the link itself is replaced by the new file; the file it pointed
/// to is left untouched.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    create_private_dir(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (temp, file) = create_temp(dir, &name)?;
    let written = write_and_sync(file, bytes).and_then(|()| std::fs::rename(&temp, path));
    if written.is_err() {
        // Best effort: do not leave the temporary file behind.
        let _ = std::fs::remove_file(&temp);
    }
    written
}

/// The permission bits of the file at `path` that let others than its owner
/// read or write it (`mode & 0o077`), when it exists; always `None` off unix.
pub fn shared_mode(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
        (mode & 0o077 != 0).then_some(mode)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// Creates `dir` and its missing parents, `0700` on unix.
fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// A new temporary file next to the target, named after it; never an existing
/// file or link.
fn create_temp(dir: &Path, name: &str) -> io::Result<(PathBuf, File)> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    let pid = std::process::id();
    let names = std::iter::repeat_with(|| COUNTER.fetch_add(1, Ordering::Relaxed))
        .map(|count| dir.join(format!(".{name}.{pid}.{nanos}.{count}.tmp")))
        .take(TEMP_NAME_TRIES);
    create_first_free(names)
}

/// Creates the first of `candidates` that does not exist yet (mode `0600` on
/// unix), skipping names that exist as files or links.
fn create_first_free(candidates: impl Iterator<Item = PathBuf>) -> io::Result<(PathBuf, File)> {
    let mut last_error = None;
    for temp in candidates {
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        match options.open(&temp) {
            Ok(file) => return Ok((temp, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last_error = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last_error.unwrap_or_else(|| io::Error::other("no temporary file name was free")))
}

/// Writes everything and flushes it to the disk before the rename.
fn write_and_sync(mut file: File, bytes: &[u8]) -> io::Result<()> {
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(tag: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("bedrock-lite-private-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    fn leftovers(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .expect("dir")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect()
    }

    #[test]
    fn writes_and_replaces_without_leftovers() {
        let dir = temp_dir("replace");
        let path = dir.join("a").join("b").join("file.json");
        write_atomically(&path, b"one").expect("written");
        write_atomically(&path, b"two").expect("rewritten");
        assert_eq!(std::fs::read(&path).expect("read"), b"two");
        assert!(leftovers(path.parent().expect("dir")).is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[cfg(unix)]
    #[test]
    fn private_modes_even_over_a_wider_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = temp_dir("modes");
        let path = dir.join("sub").join("file.json");
        write_atomically(&path, b"{}").expect("written");
        let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().expect("dir")), 0o700);
        assert_eq!(shared_mode(&path), None);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        assert_eq!(shared_mode(&path), Some(0o644));
        write_atomically(&path, b"{}").expect("rewritten");
        assert_eq!(mode(&path), 0o600);
        assert_eq!(shared_mode(&dir.join("missing")), None);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_planted_at_the_target_is_replaced_not_followed() {
        use std::os::unix::fs::PermissionsExt;
        let dir = temp_dir("link");
        std::fs::create_dir_all(dir.join("real")).expect("dir");
        let real = dir.join("real").join("config.json");
        std::fs::write(&real, "old").expect("write");
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let link = dir.join("config.json");
        std::os::unix::fs::symlink("real/config.json", &link).expect("link");
        write_atomically(&link, b"new").expect("written");
        let meta = std::fs::symlink_metadata(&link).expect("meta");
        assert!(meta.file_type().is_file(), "the link is replaced by a file");
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::read(&link).expect("read"), b"new");
        let old = std::fs::metadata(&real).expect("meta");
        assert_eq!(std::fs::read(&real).expect("read"), b"old");
        assert_eq!(old.permissions().mode() & 0o777, 0o644);
        // A dangling link creates nothing where it points.
        let dangling = dir.join("dangling.json");
        std::os::unix::fs::symlink("real/new.json", &dangling).expect("link");
        write_atomically(&dangling, b"made").expect("written");
        assert!(!dir.join("real").join("new.json").exists());
        let meta = std::fs::symlink_metadata(&dangling).expect("meta");
        assert!(meta.file_type().is_file());
        assert_eq!(std::fs::read(&dangling).expect("read"), b"made");
        assert!(leftovers(&dir).is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_planted_at_a_temporary_name_is_not_followed() {
        let dir = temp_dir("planted");
        std::fs::create_dir_all(&dir).expect("dir");
        let victim = dir.join("victim");
        std::fs::write(&victim, "untouched").expect("write");
        let names: Vec<PathBuf> = (0..3).map(|i| dir.join(format!("temp-{i}"))).collect();
        std::os::unix::fs::symlink(&victim, &names[0]).expect("link");
        std::os::unix::fs::symlink(dir.join("nowhere"), &names[1]).expect("dangling link");
        let (chosen, _) = create_first_free(names.iter().cloned()).expect("a free name");
        assert_eq!(chosen, names[2]);
        assert_eq!(std::fs::read(&victim).expect("read"), b"untouched");
        assert!(!dir.join("nowhere").exists());
        let err = create_first_free(names[..2].iter().cloned()).expect_err("none free");
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
