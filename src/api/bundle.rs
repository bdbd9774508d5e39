//! `GET /api/v1/cases/{id}/bundle`: the case file as one ZIP — an index page, the case summary
//! and timeline as a printable page, every letter, every document — written as it is sent (a
//! writer thread streams it through a small channel), never built whole in memory.

use std::io::{self, BufWriter, Write};
use std::sync::Arc;

use crate::api::routes::Routes;
use actix_web::{HttpResponse, get, web};
use bytes::Bytes;
use serde_json::json;
use tokio::sync::mpsc;
use zip::write::SimpleFileOptions;

use super::extract::AuthUser;
use crate::error::{AppError, AppResult, Problem};
use crate::files::FileStore;
use crate::services::bundle::{self, CaseBundle};
use crate::state::AppState;

pub fn configure(cfg: &mut impl Routes) {
    cfg.service(case_bundle);
}

/// What one file in the ZIP holds.
enum Part {
    /// A page rendered here.
    Page(String),
    /// A document's content, from the file store.
    Stored(String),
}

struct Entry {
    name: String,
    part: Part,
}

/// A name safe as a ZIP entry on every system: no folders, no reserved characters, not too long.
fn safe(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_control() || "/\\:*?\"<>|".contains(c) {
                '_'
            } else {
                c
            }
        })
        .collect();
    let trimmed = cleaned.trim_matches(|c: char| c == '.' || c.is_whitespace());
    let short: String = trimmed.chars().take(120).collect();
    if short.is_empty() {
        "unnamed".into()
    } else {
        short
    }
}

/// The ZIP's files, pages first, and the index's list of them.
fn entries(state: &AppState, b: &CaseBundle) -> AppResult<Vec<Entry>> {
    let render = |name: &str, ctx: &serde_json::Value| {
        state
            .outbox
            .templates()
            .render_page(name, ctx)
            .map_err(|e| AppError::internal(e.to_string()))
    };
    let mut files = vec![Entry {
        name: "case.html".into(),
        part: Part::Page(render("case_file", &json!({ "b": b }))?),
    }];
    for (i, l) in b.letters.iter().enumerate() {
        files.push(Entry {
            name: format!("letters/{:02} {}.html", i + 1, safe(&l.subject)),
            part: Part::Page(l.html.clone()),
        });
    }
    let mut n = 0;
    for d in &b.documents {
        let versions = std::iter::once((d.version, &d.file_name, &d.sha256, d.erased.is_some()))
            .chain(
                d.earlier_versions
                    .iter()
                    .map(|v| (v.version, &v.file_name, &v.sha256, v.erased.is_some())),
            );
        for (version, file_name, sha256, erased) in versions {
            if erased {
                continue;
            }
            n += 1;
            files.push(Entry {
                name: format!("documents/{n:02} v{version} {}", safe(file_name)),
                part: Part::Stored(sha256.clone()),
            });
        }
    }
    let listed: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    let index = render("case_bundle", &json!({ "b": b, "files": listed }))?;
    files.insert(
        0,
        Entry {
            name: "index.html".into(),
            part: Part::Page(index),
        },
    );
    Ok(files)
}

/// Hands what the ZIP writer writes to the response, a chunk at a time.
struct ChannelWriter(mpsc::Sender<io::Result<Bytes>>);

impl Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .blocking_send(Ok(Bytes::copy_from_slice(buf)))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client went away"))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Write the ZIP on this (blocking) thread, reading documents from `store` as it goes.
fn write_zip(
    out: ChannelWriter,
    files: Vec<Entry>,
    store: Arc<dyn FileStore>,
    runtime: tokio::runtime::Handle,
    modified: chrono::NaiveDateTime,
) -> io::Result<()> {
    let mut zip = zip::ZipWriter::new_stream(BufWriter::with_capacity(64 * 1024, out));
    let mut options =
        SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    if let Ok(t) = zip::DateTime::try_from(modified) {
        options = options.last_modified_time(t);
    }
    for f in files {
        zip.start_file(f.name, options).map_err(io::Error::other)?;
        match f.part {
            Part::Page(html) => zip.write_all(html.as_bytes())?,
            Part::Stored(sha256) => {
                let bytes = runtime.block_on(store.get(&sha256))?;
                zip.write_all(&bytes)?;
            }
        }
    }
    zip.finish().map_err(io::Error::other)?.flush()
}

/// The case file as one ZIP for a CQC request, an Ombudsman referral or a subject-access
/// request (complaints managers and admins): `index.html`, `case.html` (summary and timeline,
/// ready to print), every letter under `letters/` and every document version not erased under
/// `documents/`. Each part's read is on the case's access log; the export is on the audit log.
#[utoipa::path(
    tag = "documents",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Case id")),
    responses(
        (status = 200, description = "The bundle (streamed)", body = Vec<u8>, content_type = "application/zip"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Complaints managers and admins only", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/cases/{id}/bundle")]
pub async fn case_bundle(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let b = bundle::gather(&state, &user.0, id.into_inner()).await?;
    let files = entries(&state, &b)?;
    let (tx, rx) = mpsc::channel::<io::Result<Bytes>>(8);
    let (store, runtime, modified) = (
        state.files.clone(),
        tokio::runtime::Handle::current(),
        state.clock.now(),
    );
    tokio::task::spawn_blocking(move || {
        let failed = tx.clone();
        if let Err(e) = write_zip(ChannelWriter(tx), files, store, runtime, modified) {
            tracing::error!(error = %e, "a case bundle could not be written");
            // The client sees the download fail rather than a short ZIP.
            let _ = failed.blocking_send(Err(e));
        }
    });
    let body = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    });
    let name = format!("{} case bundle.zip", safe(&b.case.reference));
    Ok(HttpResponse::Ok()
        .content_type("application/zip")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{name}\""),
        ))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Cache-Control", "no-store"))
        .streaming(body))
}
