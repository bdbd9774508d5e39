//! The `[documents]` settings: file limits, the allowed types and the optional virus scan.

use serde::{Deserialize, Serialize};

use crate::domain::document::FileType;

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
}

impl Default for DocumentSettings {
    fn default() -> Self {
        Self {
            max_file_mib: 25,
            max_case_mib: 500,
            allowed_types: FileType::ALL.iter().map(|t| t.name().into()).collect(),
            scan_command: Vec::new(),
            scan_timeout_seconds: 60,
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
        if !(1..=3600).contains(&self.scan_timeout_seconds) {
            out.push("documents.scan_timeout_seconds must be from 1 to 3600".into());
        }
        out
    }
}
