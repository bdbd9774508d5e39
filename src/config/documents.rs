//! The `[documents]` settings: file limits, the allowed types and the optional virus scan.

use serde::{Deserialize, Serialize};

use super::Secret;
use crate::domain::document::FileType;

/// Where document content is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileStoreKind {
    /// A folder: `<data.dir>/files/`.
    Local,
    /// Amazon S3 or an S3-compatible store.
    S3,
    /// Azure Blob storage.
    Azure,
}

/// Documents on cases.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct DocumentSettings {
    /// The largest file accepted, in MiB.
    pub max_file_mib: u64,
    /// The most all of a case's documents (every version) may hold together, in MiB.
    pub max_case_mib: u64,
    /// The file types accepted, by name (`pdf`, `png`, `jpeg`, `gif`, `tiff`, `docx`, `xlsx`,
    /// `pptx`, `doc`, `xls`, `txt`, `eml`, `msg`).
    pub allowed_types: Vec<String>,
    /// A virus scan run on each file before it is accepted: the program and its arguments, the
    /// file's path added last (for example `["clamdscan", "--fdpass", "--no-summary"]`). Exit
    /// status 0 accepts the file; any other refuses it with what the scanner printed. Empty: no
    /// scan.
    pub scan_command: Vec<String>,
    /// How long a scan may take before the file is refused as unscanned.
    pub scan_timeout_seconds: u64,
    /// Where the content is kept.
    pub store: FileStoreKind,
    /// The S3 bucket or Azure container.
    pub bucket: String,
    /// An S3-compatible endpoint (`http://` allowed for a local server); empty: AWS.
    pub endpoint: String,
    pub region: String,
    /// S3: the access key id; Azure: the storage account name. Empty: from the environment.
    pub access_key_id: String,
    /// S3: the secret access key; Azure: the account key (environment only).
    pub secret_access_key: Secret,
}

impl Default for DocumentSettings {
    fn default() -> Self {
        Self {
            max_file_mib: 25,
            max_case_mib: 500,
            allowed_types: FileType::ALL.iter().map(|t| t.name().into()).collect(),
            scan_command: Vec::new(),
            scan_timeout_seconds: 60,
            store: FileStoreKind::Local,
            bucket: String::new(),
            endpoint: String::new(),
            region: String::new(),
            access_key_id: String::new(),
            secret_access_key: Secret::default(),
        }
    }
}

impl DocumentSettings {
    pub fn max_file_bytes(&self) -> u64 {
        self.max_file_mib * 1024 * 1024
    }

    pub fn max_case_bytes(&self) -> u64 {
        self.max_case_mib * 1024 * 1024
    }

    /// Whether files of type `t` are accepted.
    pub fn allows(&self, t: FileType) -> bool {
        self.allowed_types.iter().any(|n| n == t.name())
    }

    /// What is wrong with these settings.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !(1..=1024).contains(&self.max_file_mib) {
            out.push("documents.max_file_mib must be from 1 to 1024".into());
        }
        if self.max_case_mib < self.max_file_mib {
            out.push("documents.max_case_mib must be at least documents.max_file_mib".into());
        }
        for name in &self.allowed_types {
            if FileType::by_name(name).is_none() {
                let known: Vec<_> = FileType::ALL.iter().map(|t| t.name()).collect();
                out.push(format!(
                    "documents.allowed_types: unknown type {name:?}; expected some of {}",
                    known.join(", ")
                ));
            }
        }
        if self.store != FileStoreKind::Local && self.bucket.trim().is_empty() {
            out.push("documents.bucket is required when documents.store is s3 or azure".into());
        }
        if !(1..=3600).contains(&self.scan_timeout_seconds) {
            out.push("documents.scan_timeout_seconds must be from 1 to 3600".into());
        }
        out
    }
}
