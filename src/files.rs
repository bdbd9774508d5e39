//! Where document content is kept: behind one small trait, named by the SHA-256 of the bytes
//! (the database holds only the metadata). The local store writes each file under a
//! temporary name, fsyncs it and renames it into place, so a crash never leaves half a file
//! under a real name.

use std::future::Future;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::pin::Pin;

use bytes::Bytes;
use sha2::{Digest, Sha256};

use crate::config::{FileStoreKind, Settings};

mod object;
pub use object::ObjectFiles;

/// What a store's calls return.
pub type FileFuture<'a, T> = Pin<Box<dyn Future<Output = io::Result<T>> + Send + 'a>>;

/// A content-addressed store of files.
pub trait FileStore: Send + Sync {
    /// Keep `bytes` under `digest` (their SHA-256, lowercase hex). Keeping the same content
    /// again changes nothing.
    fn put<'a>(&'a self, digest: &'a str, bytes: Bytes) -> FileFuture<'a, ()>;
    /// The bytes kept under `digest` (`NotFound` if none are).
    fn get<'a>(&'a self, digest: &'a str) -> FileFuture<'a, Bytes>;
    /// Forget the bytes kept under `digest` (nothing happens if none are).
    fn remove<'a>(&'a self, digest: &'a str) -> FileFuture<'a, ()>;
    /// Every digest kept, with when its content was written.
    fn list(&self) -> FileFuture<'_, Vec<Kept>>;
    /// Remove temporary files (a write a crash cut short) last touched before `before`; how
    /// many. A store that writes objects whole has none.
    fn clear_temporary(&self, before: chrono::DateTime<chrono::Utc>) -> FileFuture<'_, usize> {
        let _ = before;
        Box::pin(async { Ok(0) })
    }
}

/// One file in a store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    pub digest: String,
    pub written_at: chrono::DateTime<chrono::Utc>,
}

/// The store `settings` name (`documents.store`), as the server and the CLI open it: by
/// default the folder `<data.dir>/files/`.
pub fn open(settings: &Settings) -> Result<std::sync::Arc<dyn FileStore>, String> {
    Ok(match settings.documents.store {
        FileStoreKind::Local => {
            std::sync::Arc::new(LocalFiles::new(settings.data.dir.join("files")))
        }
        _ => std::sync::Arc::new(ObjectFiles::from_settings(&settings.documents)?),
    })
}

/// Whether `digest` is a SHA-256 in lowercase hex (so no digest can name a path elsewhere).
fn valid_digest(digest: &str) -> bool {
    digest.len() == 64
        && digest
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The SHA-256 of `bytes`, lowercase hex: a file's name in the store.
pub fn digest(bytes: &[u8]) -> String {
    let hash = Sha256::digest(bytes);
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

/// Files in a local folder: `<root>/ab/cd/<digest>`, written through `<root>/tmp/`.
#[derive(Debug, Clone)]
pub struct LocalFiles {
    root: PathBuf,
}

impl LocalFiles {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// Where the bytes under `digest` live; `None` if it is not a SHA-256 in hex (so no
    /// digest can name a path outside the store).
    fn path(&self, digest: &str) -> Option<PathBuf> {
        let valid = digest.len() == 64
            && digest
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        valid.then(|| {
            self.root
                .join(&digest[..2])
                .join(&digest[2..4])
                .join(digest)
        })
    }

    fn invalid(digest: &str) -> io::Error {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("not a SHA-256 digest: {digest:?}"),
        )
    }

    fn put_blocking(&self, digest: &str, bytes: &[u8]) -> io::Result<()> {
        let path = self.path(digest).ok_or_else(|| Self::invalid(digest))?;
        if path.exists() {
            return Ok(());
        }
        let tmp_dir = self.root.join("tmp");
        std::fs::create_dir_all(&tmp_dir)?;
        let tmp = tmp_dir.join(format!("{}.part", uuid::Uuid::new_v4()));
        let written = (|| {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(bytes)?;
            f.sync_all()?;
            let dir = path.parent().unwrap_or(&self.root);
            std::fs::create_dir_all(dir)?;
            std::fs::rename(&tmp, &path)?;
            sync_dir(dir)
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        written
    }
}

/// Make a rename in `dir` durable.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Run blocking file work off the async threads.
fn blocking<'a, T: Send + 'static>(
    work: impl FnOnce() -> io::Result<T> + Send + 'static,
) -> FileFuture<'a, T> {
    Box::pin(async move {
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| io::Error::other(format!("file task failed: {e}")))?
    })
}

impl FileStore for LocalFiles {
    fn put<'a>(&'a self, digest: &'a str, bytes: Bytes) -> FileFuture<'a, ()> {
        let (store, digest) = (self.clone(), digest.to_string());
        blocking(move || store.put_blocking(&digest, &bytes))
    }

    fn get<'a>(&'a self, digest: &'a str) -> FileFuture<'a, Bytes> {
        let path = self.path(digest).ok_or_else(|| Self::invalid(digest));
        blocking(move || std::fs::read(path?).map(Bytes::from))
    }

    fn remove<'a>(&'a self, digest: &'a str) -> FileFuture<'a, ()> {
        let path = self.path(digest).ok_or_else(|| Self::invalid(digest));
        blocking(move || match std::fs::remove_file(path?) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        })
    }

    fn clear_temporary(&self, before: chrono::DateTime<chrono::Utc>) -> FileFuture<'_, usize> {
        let tmp = self.root.join("tmp");
        blocking(move || {
            let mut removed = 0;
            for f in read_dir_or_empty(&tmp)? {
                let touched: chrono::DateTime<chrono::Utc> =
                    std::fs::metadata(&f)?.modified()?.into();
                if touched < before {
                    std::fs::remove_file(&f)?;
                    removed += 1;
                }
            }
            Ok(removed)
        })
    }

    fn list(&self) -> FileFuture<'_, Vec<Kept>> {
        let root = self.root.clone();
        blocking(move || {
            let mut out = Vec::new();
            // `<root>/ab/cd/<digest>`: the two levels of folders, then the files.
            for a in read_dir_or_empty(&root)? {
                for b in read_dir_or_empty(&a)? {
                    for f in read_dir_or_empty(&b)? {
                        let digest = f.file_name().and_then(|n| n.to_str()).unwrap_or("");
                        if !valid_digest(digest) {
                            continue;
                        }
                        let written_at = std::fs::metadata(&f)?.modified()?.into();
                        out.push(Kept {
                            digest: digest.to_string(),
                            written_at,
                        });
                    }
                }
            }
            Ok(out)
        })
    }
}

/// The entries of `dir` (none if it does not exist or is not a folder).
fn read_dir_or_empty(dir: &Path) -> io::Result<Vec<PathBuf>> {
    match std::fs::read_dir(dir) {
        Ok(entries) => entries.map(|e| e.map(|e| e.path())).collect(),
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
            ) =>
        {
            Ok(Vec::new())
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn keeps_reads_and_forgets_by_digest() {
        let dir = std::env::temp_dir().join(format!("candour-files-{}", uuid::Uuid::new_v4()));
        let store = LocalFiles::new(&dir);
        let bytes = Bytes::from_static(b"a letter");
        let d = digest(&bytes);
        // `printf 'a letter' | sha256sum`
        assert_eq!(
            d,
            "5bb27fb86c807b2ff46917449e038a93779fe33ceae2ffc4c843c00c718e4183"
        );
        store.put(&d, bytes.clone()).await.unwrap();
        store.put(&d, bytes.clone()).await.unwrap();
        assert_eq!(store.get(&d).await.unwrap(), bytes);
        assert!(dir.join(&d[..2]).join(&d[2..4]).join(&d).is_file());
        // Nothing is left under a temporary name.
        assert_eq!(std::fs::read_dir(dir.join("tmp")).unwrap().count(), 0);
        store.remove(&d).await.unwrap();
        store.remove(&d).await.unwrap();
        let gone = store.get(&d).await.unwrap_err();
        assert_eq!(gone.kind(), io::ErrorKind::NotFound);
        let bad = store.get("../../etc/passwd").await.unwrap_err();
        assert_eq!(bad.kind(), io::ErrorKind::InvalidInput);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
