//! Reading a parameter file from disk: bounded in size and never blocking.
//!
//! Only regular files are read. A FIFO would block until a writer appears, `/dev/zero` or
//! `/dev/urandom` never end, and a pipe has no size to check up front. The file is opened
//! without blocking (so a regular file swapped for a FIFO after the check cannot hang the open),
//! checked again through the open handle, and read through a limit. Virtual files (`/proc`,
//! which report a size of 0) are refused too: they hold the environment and memory of processes.

use std::io::Read;
use std::path::Path;

use super::LoadError;

/// Parameter files larger than this are refused: "The parameter file is also limited to 4 MB"
/// (Microsoft Learn, ARM template best practices, "Template limits":
/// https://learn.microsoft.com/azure/azure-resource-manager/templates/best-practices#template-limits).
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// The bytes of the regular file at `path`, at most [`MAX_FILE_BYTES`].
pub fn read_file(path: &Path) -> Result<Vec<u8>, LoadError> {
    read_limited(path, MAX_FILE_BYTES)
}

fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, LoadError> {
    let shown = path.display().to_string();
    let io = |source| LoadError::Io {
        path: shown.clone(),
        source,
    };
    let metadata = std::fs::metadata(path).map_err(io)?;
    check_kind(&shown, &metadata)?;
    let too_large = |size: u64| LoadError::TooLarge {
        path: shown.clone(),
        size,
        limit,
    };
    if metadata.len() > limit {
        return Err(too_large(metadata.len()));
    }
    let file = open_without_blocking(path).map_err(io)?;
    let metadata = file.metadata().map_err(io)?;
    check_kind(&shown, &metadata)?;
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len().min(limit)).unwrap_or(0));
    file.take(limit + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(metadata.len().max(bytes.len() as u64)));
    }
    // Files in /proc report a size of 0 and hold the process's environment, memory maps, ...
    // (a parameter file committed as a symlink to /proc/self/environ would have every secret
    // of the CI job echoed in diagnostics). A file on disk holds what its size says.
    if bytes.len() as u64 > metadata.len() {
        return Err(LoadError::NotAFile {
            path: shown,
            kind: "a virtual file (it reports a size smaller than what it holds, like the files in /proc)",
        });
    }
    Ok(bytes)
}

fn check_kind(shown: &str, metadata: &std::fs::Metadata) -> Result<(), LoadError> {
    if metadata.is_file() {
        return Ok(());
    }
    Err(LoadError::NotAFile {
        path: shown.to_string(),
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
        tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_regular_file_is_read_whole() {
        let dir = temp();
        let path = dir.path().join("p.bicepparam");
        std::fs::write(&path, "param a = 1\n").unwrap_or_else(|e| panic!("{e}"));
        let bytes = read_file(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(bytes, b"param a = 1\n");
    }

    #[test]
    fn a_file_over_the_limit_is_refused_with_its_size() {
        let dir = temp();
        let path = dir.path().join("big.json");
        std::fs::write(&path, "x".repeat(101)).unwrap_or_else(|e| panic!("{e}"));
        match read_limited(&path, 100) {
            Err(LoadError::TooLarge { size, limit, .. }) => assert_eq!((size, limit), (101, 100)),
            other => panic!("{other:?}"),
        }
        assert!(read_limited(&path, 101).is_ok());
    }

    #[test]
    fn directories_are_not_read() {
        let dir = temp();
        match read_file(dir.path()) {
            Err(LoadError::NotAFile { kind, .. }) => assert_eq!(kind, "a directory"),
            other => panic!("{other:?}"),
        }
    }

    #[cfg(unix)]
    #[test]
    fn devices_are_not_read() {
        match read_file(Path::new("/dev/zero")) {
            Err(LoadError::NotAFile { kind, path }) => {
                assert_eq!((kind, path.as_str()), ("a character device", "/dev/zero"))
            }
            other => panic!("{other:?}"),
        }
    }

    /// `/proc` files are regular files that report a size of 0: the limit still holds, and
    /// within it they are refused (their content is secrets, not parameters).
    #[cfg(target_os = "linux")]
    #[test]
    fn virtual_files_are_refused_and_read_through_the_limit() {
        let path = Path::new("/proc/self/environ");
        assert!(matches!(
            read_limited(path, 0),
            Err(LoadError::TooLarge { .. })
        ));
        match read_file(path) {
            Err(LoadError::NotAFile { kind, .. }) => assert!(kind.starts_with("a virtual file")),
            other => panic!("{other:?}"),
        }
    }
}
