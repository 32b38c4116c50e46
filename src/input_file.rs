//! Reading an input file from disk (the parameter file, the policy files): bounded in size and
//! never blocking. The one reader for files the user points aigw at.
//!
//! Only regular files are read. A FIFO would block until a writer appears, `/dev/zero` or
//! `/dev/urandom` never end, and a pipe has no size to check up front. The file is opened
//! without blocking (so a regular file swapped for a FIFO after the check cannot hang the open),
//! checked again through the open handle, and read through a limit. Virtual files (`/proc`,
//! which report a size of 0) are refused too: they hold the environment and memory of processes.
//!
//! Errors carry no path: each caller names the file in its own terms ("parameter file ...",
//! "policy file ...").

use std::io::Read;
use std::path::Path;

/// Why a file was not read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// Not a regular file; `kind` says what it is, e.g. "a named pipe (FIFO)".
    #[error("{kind}, not a regular file")]
    NotAFile { kind: &'static str },
    #[error("{size} bytes, over the limit of {limit}")]
    TooLarge { size: u64, limit: u64 },
}

/// The bytes of the regular file at `path`, at most `limit` of them.
pub fn read(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let metadata = std::fs::metadata(path)?;
    check_kind(&metadata)?;
    if metadata.len() > limit {
        return Err(ReadError::TooLarge {
            size: metadata.len(),
            limit,
        });
    }
    let file = open_without_blocking(path)?;
    let metadata = file.metadata()?;
    check_kind(&metadata)?;
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len().min(limit)).unwrap_or(0));
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge {
            size: metadata.len().max(bytes.len() as u64),
            limit,
        });
    }
    // Files in /proc report a size of 0 and hold the process's environment, memory maps, ...
    // (an input file committed as a symlink to /proc/self/environ would have every secret of the
    // CI job echoed in diagnostics). A file on disk holds what its size says.
    if bytes.len() as u64 > metadata.len() {
        return Err(ReadError::NotAFile {
            kind: "a virtual file (it reports a size smaller than what it holds, like the files in /proc)",
        });
    }
    Ok(bytes)
}

fn check_kind(metadata: &std::fs::Metadata) -> Result<(), ReadError> {
    if metadata.is_file() {
        return Ok(());
    }
    Err(ReadError::NotAFile {
        kind: kind_of(&metadata.file_type()),
    })
}

#[cfg(unix)]
fn kind_of(file_type: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if file_type.is_dir() {
        "a directory"
    } else if file_type.is_fifo() {
        "a named pipe (FIFO)"
    } else if file_type.is_char_device() {
        "a character device"
    } else if file_type.is_block_device() {
        "a block device"
    } else if file_type.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

#[cfg(not(unix))]
fn kind_of(file_type: &std::fs::FileType) -> &'static str {
    if file_type.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

#[cfg(unix)]
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    // O_NONBLOCK only changes how FIFOs and devices open and read; regular files ignore it.
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp() -> tempfile::TempDir {
        tempfile::tempdir().expect("temporary directory")
    }

    #[test]
    fn a_regular_file_is_read_whole() {
        let dir = temp();
        let path = dir.path().join("p.bicepparam");
        std::fs::write(&path, "param a = 1\n").expect("write");
        let bytes = read(&path, 100).expect("read");
        assert_eq!(bytes, b"param a = 1\n");
    }

    #[test]
    fn a_file_over_the_limit_is_refused_with_its_size() {
        let dir = temp();
        let path = dir.path().join("big.json");
        std::fs::write(&path, "x".repeat(101)).expect("write");
        match read(&path, 100) {
            Err(ReadError::TooLarge { size, limit }) => assert_eq!((size, limit), (101, 100)),
            other => panic!("{other:?}"),
        }
        assert!(read(&path, 101).is_ok());
    }

    #[test]
    fn directories_are_not_read() {
        let dir = temp();
        match read(dir.path(), 100) {
            Err(ReadError::NotAFile { kind }) => assert_eq!(kind, "a directory"),
            other => panic!("{other:?}"),
        }
    }

    #[cfg(unix)]
    #[test]
    fn devices_are_not_read() {
        match read(Path::new("/dev/zero"), 100) {
            Err(ReadError::NotAFile { kind }) => assert_eq!(kind, "a character device"),
            other => panic!("{other:?}"),
        }
    }

    /// `/proc` files are regular files that report a size of 0: the limit still holds, and
    /// within it they are refused (their content is secrets, not input).
    #[cfg(target_os = "linux")]
    #[test]
    fn virtual_files_are_refused_and_read_through_the_limit() {
        let path = Path::new("/proc/self/environ");
        assert!(matches!(read(path, 0), Err(ReadError::TooLarge { .. })));
        match read(path, 4 * 1024 * 1024) {
            Err(ReadError::NotAFile { kind }) => assert!(kind.starts_with("a virtual file")),
            other => panic!("{other:?}"),
        }
    }
}
