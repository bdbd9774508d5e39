//! Document content in S3 (or an S3-compatible store) or Azure Blob storage, through the
//! `object_store` crate. An object appears whole or not at all, so no half-written file is ever
//! readable under its name.

use std::io;
use std::sync::Arc;

use bytes::Bytes;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, PutPayload};

use futures_util::TryStreamExt;

use super::{FileFuture, FileStore, Kept, valid_digest};
use crate::config::{DocumentSettings, FileStoreKind};

/// Files as objects named `documents/ab/cd/<digest>` in one bucket or container.
#[derive(Debug, Clone)]
pub struct ObjectFiles {
    store: Arc<dyn ObjectStore>,
}

impl ObjectFiles {
    /// The store `settings` name (`documents.store` is `s3` or `azure`).
    pub fn from_settings(settings: &DocumentSettings) -> Result<Self, String> {
        let secret = settings.secret_access_key.expose();
        let store: Arc<dyn ObjectStore> = match settings.store {
            FileStoreKind::S3 => {
                let mut b = object_store::aws::AmazonS3Builder::from_env()
                    .with_bucket_name(&settings.bucket);
                if !settings.endpoint.is_empty() {
                    b = b
                        .with_endpoint(&settings.endpoint)
                        .with_allow_http(settings.endpoint.starts_with("http://"));
                }
                if !settings.region.is_empty() {
                    b = b.with_region(&settings.region);
                }
                if !settings.access_key_id.is_empty() {
                    b = b
                        .with_access_key_id(&settings.access_key_id)
                        .with_secret_access_key(secret);
                }
                Arc::new(b.build().map_err(|e| format!("documents.store s3: {e}"))?)
            }
            FileStoreKind::Azure => {
                let mut b = object_store::azure::MicrosoftAzureBuilder::from_env()
                    .with_container_name(&settings.bucket);
                if !settings.access_key_id.is_empty() {
                    b = b
                        .with_account(&settings.access_key_id)
                        .with_access_key(secret);
                }
                if !settings.endpoint.is_empty() {
                    b = b
                        .with_endpoint(settings.endpoint.clone())
                        .with_allow_http(settings.endpoint.starts_with("http://"));
                }
                Arc::new(
                    b.build()
                        .map_err(|e| format!("documents.store azure: {e}"))?,
                )
            }
            FileStoreKind::Local => return Err("documents.store is local".into()),
        };
        Ok(Self { store })
    }

    fn path(digest: &str) -> io::Result<ObjectPath> {
        if !valid_digest(digest) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("not a SHA-256 digest: {digest:?}"),
            ));
        }
        Ok(ObjectPath::from(format!(
            "documents/{}/{}/{digest}",
            &digest[..2],
            &digest[2..4]
        )))
    }
}

fn io_error(e: object_store::Error) -> io::Error {
    match e {
        object_store::Error::NotFound { .. } => io::Error::new(io::ErrorKind::NotFound, e),
        other => io::Error::other(other),
    }
}

impl FileStore for ObjectFiles {
    fn put<'a>(&'a self, digest: &'a str, bytes: Bytes) -> FileFuture<'a, ()> {
        Box::pin(async move {
            let path = Self::path(digest)?;
            // Content-addressed: the same name always holds the same bytes.
            if self.store.head(&path).await.is_ok() {
                return Ok(());
            }
            self.store
                .put(&path, PutPayload::from_bytes(bytes))
                .await
                .map(|_| ())
                .map_err(io_error)
        })
    }

    fn get<'a>(&'a self, digest: &'a str) -> FileFuture<'a, Bytes> {
        Box::pin(async move {
            let path = Self::path(digest)?;
            let found = self.store.get(&path).await.map_err(io_error)?;
            found.bytes().await.map_err(io_error)
        })
    }

    fn remove<'a>(&'a self, digest: &'a str) -> FileFuture<'a, ()> {
        Box::pin(async move {
            let path = Self::path(digest)?;
            match self.store.delete(&path).await {
                Err(object_store::Error::NotFound { .. }) | Ok(()) => Ok(()),
                Err(e) => Err(io_error(e)),
            }
        })
    }

    fn list(&self) -> FileFuture<'_, Vec<Kept>> {
        Box::pin(async move {
            let prefix = ObjectPath::from("documents");
            let objects: Vec<_> = self
                .store
                .list(Some(&prefix))
                .try_collect()
                .await
                .map_err(io_error)?;
            Ok(objects
                .into_iter()
                .filter_map(|o| {
                    let digest = o.location.filename()?.to_string();
                    valid_digest(&digest).then_some(Kept {
                        digest,
                        written_at: o.last_modified,
                    })
                })
                .collect())
        })
    }
}
