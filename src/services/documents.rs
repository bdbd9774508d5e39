//! Documents on a case: upload (type checked by content, size-limited, scanned, stored by
//! digest, then recorded with its timeline event in one transaction), replacement by a new
//! version that keeps the earlier ones, the list, and the download (in the access log).

mod scan;
mod sweep;

pub use sweep::{Swept, sweep};

use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::Actor;
use super::access::{load_visible, logged_read};
use super::case_input::{self as input, Errors};
use crate::db::documents::{self as rows, DocumentRow};
use crate::db::{DbConnection, cases, timeline};
use crate::domain::document::{DocumentKind, FileType, check_type, email_headers};
use crate::domain::role::Permission;
use crate::error::{AppError, AppResult};
use crate::files;
use crate::state::AppState;

/// A document's source when the complainant uploaded it through their tracking link.
pub const COMPLAINANT: &str = "complainant";

/// The longest description kept with a document.
pub const MAX_DESCRIPTION: usize = 500;
/// The longest file name kept (longer ones are refused).
pub const MAX_FILE_NAME: usize = 255;

/// A file as it arrived, with the form's other fields.
#[derive(Debug, Clone, Default)]
pub struct Upload {
    pub file_name: String,
    /// The media type the sender declared for the file, if any.
    pub declared_type: Option<String>,
    pub bytes: Bytes,
    pub kind: Option<String>,
    pub description: Option<String>,
    /// For a redaction: why.
    pub reason: Option<String>,
}

/// The headers of a received email, shown with an `.eml`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EmailSummary {
    pub from: String,
    pub subject: Option<String>,
    /// The `Date` header as sent.
    pub date: Option<String>,
}

/// An earlier version of a document, kept when it was replaced.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EarlierVersion {
    pub id: String,
    pub version: i32,
    pub file_name: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_by: Option<String>,
    pub uploaded_at: DateTime<Utc>,
    /// `retention` or `redaction` once its content was erased (its name is then marked erased).
    pub erased: Option<String>,
    pub erased_at: Option<DateTime<Utc>>,
}

/// A document on a case: its current version, with the earlier ones.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentView {
    /// This version's id (download it at `/api/v1/documents/{id}/content`).
    pub id: String,
    pub case_id: String,
    pub kind: DocumentKind,
    pub description: String,
    /// The file's name as uploaded.
    pub file_name: String,
    /// The type found in the content.
    pub media_type: String,
    pub size_bytes: i64,
    /// SHA-256 of the content, lowercase hex.
    pub sha256: String,
    /// 1 for the first upload; each replacement adds one.
    pub version: i32,
    pub uploaded_by: Option<String>,
    pub uploaded_at: DateTime<Utc>,
    /// For an `.eml`: who sent it, its subject and date.
    pub email: Option<EmailSummary>,
    /// `staff`, or `complainant` (uploaded through the tracking page; no staff uploader).
    pub source: String,
    /// `retention` once its content was erased.
    pub erased: Option<String>,
    pub erased_at: Option<DateTime<Utc>>,
    /// The versions this one replaced, newest first.
    pub earlier_versions: Vec<EarlierVersion>,
}

fn view(row: DocumentRow, earlier: Vec<EarlierVersion>) -> DocumentView {
    let email = row.email_from.clone().map(|from| EmailSummary {
        from,
        subject: row.email_subject.clone(),
        date: row.email_date.clone(),
    });
    DocumentView {
        kind: DocumentKind::parse(&row.kind).unwrap_or(DocumentKind::Other),
        id: row.id,
        case_id: row.case_id,
        description: row.description,
        file_name: row.file_name,
        media_type: row.media_type,
        size_bytes: row.size_bytes,
        sha256: row.sha256,
        version: row.version,
        uploaded_by: row.uploaded_by,
        uploaded_at: row.uploaded_at.and_utc(),
        email,
        source: row.source,
        erased: row.erased,
        erased_at: row.erased_at.map(|t| t.and_utc()),
        earlier_versions: earlier,
    }
}

fn earlier(row: DocumentRow) -> EarlierVersion {
    EarlierVersion {
        id: row.id,
        version: row.version,
        file_name: row.file_name,
        media_type: row.media_type,
        size_bytes: row.size_bytes,
        sha256: row.sha256,
        uploaded_by: row.uploaded_by,
        uploaded_at: row.uploaded_at.and_utc(),
        erased: row.erased,
        erased_at: row.erased_at.map(|t| t.and_utc()),
    }
}

/// A case's documents grouped by series: each current version with the ones it replaced.
fn grouped(rows: Vec<DocumentRow>) -> Vec<DocumentView> {
    let mut series: Vec<(String, Vec<DocumentRow>)> = Vec::new();
    for row in rows {
        match series.iter_mut().find(|(id, _)| *id == row.series_id) {
            Some((_, versions)) => versions.push(row),
            None => series.push((row.series_id.clone(), vec![row])),
        }
    }
    series
        .into_iter()
        .filter_map(|(_, mut versions)| {
            versions.sort_by_key(|v| std::cmp::Reverse(v.version));
            let mut it = versions.into_iter();
            let current = it.next()?;
            Some(view(current, it.map(earlier).collect()))
        })
        .collect()
}

/// A file checked and ready to store: its name, type, digest and (for an email) headers.
pub(super) struct Checked {
    pub(super) file_name: String,
    pub(super) file_type: FileType,
    pub(super) sha256: String,
    pub(super) bytes: Bytes,
    pub(super) description: String,
    pub(super) email: Option<crate::domain::document::EmailHeaders>,
}

/// The checks every upload passes before anything is kept: a name, a size within the limit,
/// a type told by content and allowed here, a description within bounds. Reading the content
/// (its digest, its type, an email's headers) runs on the blocking pool, off the async threads.
pub(super) async fn check(state: &AppState, upload: Upload) -> AppResult<Checked> {
    let all = state.settings.clone();
    super::cpu(move || check_now(&all.documents, upload)).await?
}

fn check_now(settings: &crate::config::DocumentSettings, upload: Upload) -> AppResult<Checked> {
    let file_name = clean_file_name(&upload.file_name)?;
    if upload.bytes.is_empty() {
        return Err(AppError::invalid("file", "The file is empty."));
    }
    if upload.bytes.len() as u64 > settings.max_file_bytes() {
        return Err(too_large(settings.max_file_mib));
    }
    let file_type = check_type(&file_name, upload.declared_type.as_deref(), &upload.bytes)
        .map_err(|r| AppError::UnsupportedMediaType(r.message()))?;
    if !settings.allows(file_type) {
        return Err(AppError::UnsupportedMediaType(format!(
            "This trust does not accept {} as a document.",
            file_type.title()
        )));
    }
    let mut e = Errors::default();
    let description = input::text(
        &mut e,
        "description",
        upload.description.as_deref().unwrap_or(""),
        MAX_DESCRIPTION,
        false,
    );
    if !e.is_empty() {
        return Err(AppError::Validation(e.0));
    }
    let email = (file_type == FileType::Eml)
        .then(|| email_headers(&upload.bytes))
        .flatten();
    Ok(Checked {
        sha256: files::digest(&upload.bytes),
        file_name,
        file_type,
        bytes: upload.bytes,
        description,
        email,
    })
}

/// The file's own name (any folders a browser sent stripped), within bounds.
fn clean_file_name(raw: &str) -> AppResult<String> {
    let name = raw
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>();
    if name.is_empty() || name == "." || name == ".." {
        return Err(AppError::invalid("file", "The file has no name."));
    }
    if name.chars().count() > MAX_FILE_NAME {
        return Err(AppError::invalid(
            "file",
            format!("The file name is longer than {MAX_FILE_NAME} characters."),
        ));
    }
    Ok(name)
}

fn too_large(mib: u64) -> AppError {
    AppError::PayloadTooLarge(format!("A document may be at most {mib} MiB."))
}

/// Scan and store the checked file; the caller records it in the database afterwards.
pub(super) async fn keep(state: &AppState, file: &Checked) -> AppResult<()> {
    let scratch = state.settings.data.dir.join("files").join("scan");
    scan::scan(
        &state.settings.documents,
        &scratch,
        &file.file_name,
        &file.bytes,
    )
    .await?;
    state
        .files
        .put(&file.sha256, file.bytes.clone())
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("storing a document: {e}")))
}

/// After a failed transaction (or an erasure), forget the stored bytes unless a document
/// still names them.
pub(super) async fn forget_unless_used(state: &AppState, sha256: String) {
    if let Err(e) = remove_unused(&state.db, state.files.as_ref(), vec![sha256]).await {
        tracing::warn!(error = %e, "could not remove a document's file that nothing names");
    }
}

/// The row for a checked file.
pub(super) fn new_row(
    file: &Checked,
    case_id: &str,
    kind: DocumentKind,
    uploaded_by: Option<&str>,
) -> DocumentRow {
    let id = uuid::Uuid::new_v4().to_string();
    DocumentRow {
        series_id: id.clone(),
        id,
        case_id: case_id.to_string(),
        version: 1,
        replaced_by: None,
        kind: kind.as_str().into(),
        description: file.description.clone(),
        file_name: file.file_name.clone(),
        media_type: file.file_type.media_type().into(),
        size_bytes: file.bytes.len() as i64,
        sha256: file.sha256.clone(),
        email_from: file.email.as_ref().map(|h| h.from.clone()),
        email_subject: file.email.as_ref().and_then(|h| h.subject.clone()),
        email_date: file.email.as_ref().and_then(|h| h.date.clone()),
        source: if uploaded_by.is_some() {
            "staff"
        } else {
            COMPLAINANT
        }
        .into(),
        uploaded_by: uploaded_by.map(str::to_string),
        uploaded_at: chrono::NaiveDateTime::default(),
        erased: None,
        erased_at: None,
    }
}

/// Record `row` on its case (within the case's total), touch the case and add the timeline
/// event: call inside the write transaction.
pub(super) fn record(
    c: &mut DbConnection,
    state_limit_mib: u64,
    row: &DocumentRow,
    replaced: Option<&DocumentRow>,
) -> AppResult<()> {
    let total = rows::case_bytes(c, &row.case_id)? + row.size_bytes;
    if total as u64 > state_limit_mib * 1024 * 1024 {
        return Err(AppError::PayloadTooLarge(format!(
            "The case's documents may hold at most {state_limit_mib} MiB together."
        )));
    }
    rows::insert(c, row)?;
    if let Some(old) = replaced
        && !rows::replace(c, &old.id, &row.id)?
    {
        return Err(AppError::conflict(
            "This version was replaced meanwhile: replace the newest version instead.",
        ));
    }
    cases::touch(c, &row.case_id, row.uploaded_at)?;
    let kind = DocumentKind::parse(&row.kind).unwrap_or(DocumentKind::Other);
    let (event, summary) = match replaced {
        None if row.source == COMPLAINANT => (
            "document_added",
            "Document from the complainant (tracking page)".to_string(),
        ),
        None => (
            "document_added",
            format!("Document added: {}", kind.label()),
        ),
        Some(_) => (
            "document_replaced",
            format!(
                "Document replaced: {} (version {})",
                kind.label(),
                row.version
            ),
        ),
    };
    timeline::append(
        c,
        &row.case_id,
        row.uploaded_by.as_deref(),
        event,
        &summary,
        &json!({
            "document_id": row.id,
            "source": row.source,
            "kind": row.kind,
            "file_name": row.file_name,
            "media_type": row.media_type,
            "size_bytes": row.size_bytes,
            "sha256": row.sha256,
            "version": row.version,
            "replaces": replaced.map(|r| r.id.clone()),
        }),
        row.uploaded_at,
    )?;
    Ok(())
}

/// Refuse, before an upload is read, someone who may not add documents to case `case_id`.
pub async fn may_add(state: &AppState, actor: &Actor, case_id: String) -> AppResult<()> {
    actor.require(Permission::AddCaseNote)?;
    let who = actor.clone();
    state
        .db
        .read(move |c| load_visible(c, &who, &case_id).map(|_| ()))
        .await
}

/// Refuse, before an upload is read, someone without `permission` on document `id`'s case.
pub async fn may_change(
    state: &AppState,
    actor: &Actor,
    id: String,
    permission: Permission,
) -> AppResult<()> {
    actor.require(permission)?;
    let who = actor.clone();
    state
        .db
        .read(move |c| -> AppResult<()> {
            let doc = rows::find(c, &id)?.ok_or_else(not_found)?;
            load_visible(c, &who, &doc.case_id).map(|_| ())
        })
        .await
}

/// Add a document to case `case_id`. The caller has checked [`may_add`] before reading the
/// upload, so nobody else reaches the scanner or the store; the transaction checks again.
pub async fn upload(
    state: &AppState,
    actor: &Actor,
    case_id: String,
    upload: Upload,
) -> AppResult<DocumentView> {
    actor.require(Permission::AddCaseNote)?;
    let kind = match upload.kind.as_deref().map(str::trim) {
        None | Some("") => return Err(AppError::invalid("kind", "is required")),
        Some(k) => DocumentKind::parse(k).ok_or_else(|| {
            let names: Vec<_> = DocumentKind::ALL.iter().map(|k| k.as_str()).collect();
            AppError::invalid("kind", format!("must be one of {}", names.join(", ")))
        })?,
    };
    let file = check(state, upload).await?;
    keep(state, &file).await?;
    let mut row = new_row(&file, &case_id, kind, Some(&actor.user_id));
    row.uploaded_at = state.clock.now();
    let (who, limit, written) = (
        actor.clone(),
        state.settings.documents.max_case_mib,
        row.clone(),
    );
    let done = state
        .db
        .write(move |c| -> AppResult<()> {
            load_visible(c, &who, &written.case_id)?;
            record(c, limit, &written, None)
        })
        .await;
    if let Err(e) = done {
        forget_unless_used(state, file.sha256).await;
        return Err(e);
    }
    tracing::info!(document.id = %row.id, "document added");
    Ok(view(row, Vec::new()))
}

/// Replace document `id` (its newest version) with a new version; the earlier ones are kept.
/// The kind stays; the description is the new one if given, else the old one.
pub async fn replace(
    state: &AppState,
    actor: &Actor,
    id: String,
    upload: Upload,
) -> AppResult<DocumentView> {
    actor.require(Permission::AddCaseNote)?;
    new_version(state, actor, id, upload, None).await
}

/// Replace document `id` with a redacted version and erase every earlier version's content
/// (complaints managers): the digests, sizes and timeline stay, so the record still verifies;
/// `reason` goes on the timeline.
pub async fn redact(
    state: &AppState,
    actor: &Actor,
    id: String,
    upload: Upload,
) -> AppResult<DocumentView> {
    actor.require(Permission::RedactCase)?;
    let reason = crate::domain::redaction::parse_reason(upload.reason.as_deref().unwrap_or(""))
        .map_err(|m| AppError::invalid("reason", m))?;
    new_version(state, actor, id, upload, Some(reason)).await
}

/// The newest version `id`, for someone who may add to its case.
async fn newest(state: &AppState, actor: &Actor, id: String) -> AppResult<DocumentRow> {
    let who = actor.clone();
    let old = state
        .db
        .read(move |c| -> AppResult<DocumentRow> {
            let old = rows::find(c, &id)?.ok_or_else(not_found)?;
            load_visible(c, &who, &old.case_id)?;
            Ok(old)
        })
        .await?;
    if old.erased.is_some() {
        return Err(AppError::Gone(
            "This document's content was erased; it cannot have a new version.".into(),
        ));
    }
    if old.replaced_by.is_some() {
        return Err(AppError::conflict(
            "This version was already replaced: replace the newest version instead.",
        ));
    }
    Ok(old)
}

/// Add a new version after `id`; with a redaction reason, erase the earlier versions too.
async fn new_version(
    state: &AppState,
    actor: &Actor,
    id: String,
    upload: Upload,
    redaction: Option<String>,
) -> AppResult<DocumentView> {
    let keep_description = upload
        .description
        .as_deref()
        .is_none_or(|d| d.trim().is_empty());
    let mut file = check(state, upload).await?;
    let old = newest(state, actor, id).await?;
    if keep_description {
        file.description = old.description.clone();
    }
    keep(state, &file).await?;
    let kind = DocumentKind::parse(&old.kind).unwrap_or(DocumentKind::Other);
    let mut row = new_row(&file, &old.case_id, kind, Some(&actor.user_id));
    row.series_id = old.series_id.clone();
    row.version = old.version + 1;
    row.uploaded_at = state.clock.now();
    let (who, limit, written) = (
        actor.clone(),
        state.settings.documents.max_case_mib,
        row.clone(),
    );
    let done = state
        .db
        .write(move |c| -> AppResult<(Vec<DocumentRow>, Vec<String>)> {
            load_visible(c, &who, &written.case_id)?;
            record(c, limit, &written, Some(&old))?;
            let erased = match &redaction {
                Some(reason) => erase_earlier(c, &who, &written, reason)?,
                None => Vec::new(),
            };
            Ok((rows::for_case(c, &written.case_id)?, erased))
        })
        .await;
    let (all, erased) = match done {
        Err(e) => {
            forget_unless_used(state, file.sha256).await;
            return Err(e);
        }
        Ok(done) => done,
    };
    for digest in erased {
        forget_unless_used(state, digest).await;
    }
    tracing::info!(document.id = %row.id, "document version added");
    grouped(all)
        .into_iter()
        .find(|d| d.id == row.id)
        .ok_or_else(not_found)
}

/// Erase every version of `new`'s document before it (a redaction) and record why on the
/// timeline. Returns the digests that may leave the store.
fn erase_earlier(
    c: &mut DbConnection,
    actor: &Actor,
    new: &DocumentRow,
    reason: &str,
) -> AppResult<Vec<String>> {
    let earlier: Vec<String> = rows::for_case(c, &new.case_id)?
        .into_iter()
        .filter(|r| r.series_id == new.series_id && r.version < new.version)
        .map(|r| r.id)
        .collect();
    let mark = crate::domain::timeline::Erasure::Redaction.summary();
    let digests = rows::erase(c, &earlier, "redaction", mark, new.uploaded_at)?;
    timeline::append(
        c,
        &new.case_id,
        Some(&actor.user_id),
        "document_redacted",
        "Document redacted: earlier versions erased",
        &json!({ "document_id": new.id, "erased": earlier, "reason": reason }),
        new.uploaded_at,
    )?;
    Ok(digests)
}

/// Erase the content of every document on case `case_id` (retention): call inside the case's
/// anonymising transaction, then [`remove_unused`] the digests it returns once it committed.
pub fn erase_for_retention(
    c: &mut DbConnection,
    case_id: &str,
    mark: &str,
    now: chrono::NaiveDateTime,
) -> AppResult<Vec<String>> {
    let ids = rows::ids_for_case(c, case_id)?;
    Ok(rows::erase(c, &ids, "retention", mark, now)?)
}

/// Remove from `store` the content of `digests` no document still needs.
pub async fn remove_unused(
    db: &crate::db::Db,
    store: &dyn files::FileStore,
    digests: Vec<String>,
) -> AppResult<usize> {
    let mut removed = 0;
    for digest in digests {
        let d = digest.clone();
        let used = db
            .read(move |c| rows::digest_in_use(c, &d).map_err(AppError::from))
            .await?;
        if !used {
            store
                .remove(&digest)
                .await
                .map_err(|e| AppError::Internal(anyhow::anyhow!("removing a document: {e}")))?;
            removed += 1;
        }
    }
    Ok(removed)
}

fn not_found() -> AppError {
    AppError::NotFound("No document has this id.".into())
}

/// A case's documents (each current version with its earlier ones), in the order they were
/// first added. Reading the list is in the case's access log.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    case_id: String,
    route: &str,
) -> AppResult<Vec<DocumentView>> {
    logged_read(state, actor, route, move |c, actor, _| {
        load_visible(c, actor, &case_id)?;
        let all = rows::for_case(c, &case_id)?;
        Ok((case_id, grouped(all)))
    })
    .await
}

/// The document that version `id` belongs to (its current version with the earlier ones).
/// Reading it is in the case's access log.
pub async fn get(
    state: &AppState,
    actor: &Actor,
    id: String,
    route: &str,
) -> AppResult<DocumentView> {
    logged_read(state, actor, route, move |c, actor, _| {
        let row = rows::find(c, &id)?.ok_or_else(not_found)?;
        load_visible(c, actor, &row.case_id)?;
        let series: Vec<DocumentRow> = rows::for_case(c, &row.case_id)?
            .into_iter()
            .filter(|r| r.series_id == row.series_id)
            .collect();
        let doc = grouped(series).into_iter().next().ok_or_else(not_found)?;
        Ok((row.case_id, doc))
    })
    .await
}

/// A document's content to download.
#[derive(Debug, Clone)]
pub struct Content {
    pub file_name: String,
    pub media_type: String,
    pub bytes: Bytes,
}

/// The content of document version `id`, for someone who may read its case (the download is
/// in the case's access log).
pub async fn content(
    state: &AppState,
    actor: &Actor,
    id: String,
    route: &str,
) -> AppResult<Content> {
    let row = logged_read(state, actor, route, move |c, actor, _| {
        let row = rows::find(c, &id)?.ok_or_else(not_found)?;
        load_visible(c, actor, &row.case_id)?;
        Ok((row.case_id.clone(), row))
    })
    .await?;
    if let (Some(why), Some(at)) = (&row.erased, row.erased_at) {
        return Err(AppError::Gone(format!(
            "This document's content was erased ({why}) on {}.",
            at.date()
        )));
    }
    let bytes = state.files.get(&row.sha256).await.map_err(|e| {
        AppError::Internal(anyhow::anyhow!(
            "document {} has no file in the store: {e}",
            row.id
        ))
    })?;
    Ok(Content {
        file_name: row.file_name,
        media_type: row.media_type,
        bytes,
    })
}
