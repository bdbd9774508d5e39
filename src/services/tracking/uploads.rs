//! Documents a complainant sends from their tracking page: checked, scanned and stored like a
//! staff upload (same limits, same types), recorded with no staff uploader, counted against the
//! link's daily limit, put on the timeline, and the handler alerted as for a message.

use super::{FORM_MAX_AGE_SECONDS, FORM_PURPOSE, Lookup, TrackView, finished, form_secret, open};
use super::{queue_alerts, view};
use crate::auth::form_token;
use crate::clock::date_in_england;
use crate::db::DbConnection;
use crate::db::{cases, tracking};
use crate::domain::document::DocumentKind;
use crate::error::{AppError, AppResult};
use crate::services::documents::{self, Upload};
use crate::state::AppState;

/// What became of a document sent from the tracking page.
#[derive(Debug, Clone)]
pub enum UploadOutcome {
    Uploaded,
    /// The page again, with `error` on the file field and HTTP status `status`.
    Refused {
        page: Box<TrackView>,
        error: String,
        status: u16,
    },
    /// The link uploaded its documents for today.
    Limited(Box<TrackView>),
    /// The form did not come from this page (or is too old): nothing was kept.
    StaleForm(Box<TrackView>),
}

/// The reason to show instead of keeping the file, if any (reads only): a stale form, a
/// finished case, or the day's uploads used up.
fn refusal(
    c: &mut DbConnection,
    state: &AppState,
    token: &str,
    form: &str,
) -> AppResult<Result<(), Lookup<UploadOutcome>>> {
    let (settings, now) = (&state.settings, state.clock.now());
    let (link, case) = match open(c, settings, token, state.clock.today())? {
        Lookup::Found(found) => found,
        Lookup::Unknown => return Ok(Err(Lookup::Unknown)),
        Lookup::Gone => return Ok(Err(Lookup::Gone)),
    };
    let secret = form_secret(settings);
    let page = |c: &mut DbConnection| view(c, &case, &link, true, &secret, now).map(Box::new);
    let fresh = form_token::verify(
        &secret,
        FORM_PURPOSE,
        &link.id,
        form,
        now,
        FORM_MAX_AGE_SECONDS,
    );
    if !fresh {
        return Ok(Err(Lookup::Found(UploadOutcome::StaleForm(page(c)?))));
    }
    if finished(case.status) || settings.tracking.max_uploads_per_day == 0 {
        let error = "Documents can no longer be sent from this page".to_string();
        let page = page(c)?;
        return Ok(Err(Lookup::Found(UploadOutcome::Refused {
            page,
            error,
            status: 400,
        })));
    }
    let (day, count) = tracking::upload_count(c, &link.id)?;
    if day == Some(date_in_england(now.and_utc())) && count >= settings.tracking.max_uploads_per_day
    {
        return Ok(Err(Lookup::Found(UploadOutcome::Limited(page(c)?))));
    }
    Ok(Ok(()))
}

/// The words and status for a file refused by the checks, the scan or a limit.
fn refused_because(e: &AppError) -> Option<(String, u16)> {
    match e {
        AppError::Validation(errors) => errors.first().map(|f| (f.message.clone(), 400)),
        AppError::UnsupportedMediaType(m) => Some((m.clone(), 415)),
        AppError::PayloadTooLarge(m) => Some((m.clone(), 413)),
        AppError::Busy(m) => Some((m.clone(), 503)),
        _ => None,
    }
}

/// Keep a document the complainant sent through link `token` (with the page's form token).
pub async fn upload_document(
    state: &AppState,
    token: String,
    form: String,
    upload: Upload,
) -> AppResult<Lookup<UploadOutcome>> {
    let (s, t, f) = (state.clone(), token.clone(), form.clone());
    if let Err(answer) = state.db.read(move |c| refusal(c, &s, &t, &f)).await? {
        return Ok(answer);
    }
    let kept = match documents::check(state, upload).await {
        Ok(file) => documents::keep(state, &file).await.map(|()| file),
        Err(e) => Err(e),
    };
    let file = match kept {
        Ok(file) => file,
        Err(e) => return refused_page(state, &token, e).await,
    };
    let (sha256, again) = (file.sha256.clone(), token.clone());
    let (s, outbox) = (state.clone(), state.outbox.clone());
    let written = state
        .db
        .write(move |c| -> AppResult<Lookup<UploadOutcome>> {
            if let Err(answer) = refusal(c, &s, &token, &form)? {
                return Ok(answer);
            }
            let Lookup::Found((link, case)) = open(c, &s.settings, &token, s.clock.today())? else {
                return Ok(Lookup::Gone);
            };
            let now = s.clock.now();
            // The case row lock serialises uploads (and the daily count) per case.
            cases::touch(c, &case.id, now)?;
            let day = date_in_england(now.and_utc());
            let (counted, n) = tracking::upload_count(c, &link.id)?;
            let today = if counted == Some(day) { n } else { 0 };
            tracking::set_upload_count(c, &link.id, day, today + 1)?;
            let mut row = documents::new_row(&file, &case.id, DocumentKind::Other, None);
            row.uploaded_at = now;
            documents::record(c, s.settings.documents.max_case_mib, &row, None)?;
            queue_alerts(c, &outbox, &case, now)?;
            Ok(Lookup::Found(UploadOutcome::Uploaded))
        })
        .await;
    match written {
        Ok(Lookup::Found(UploadOutcome::Uploaded)) => {
            state.outbox.wake();
            tracing::info!("complainant document received");
            Ok(Lookup::Found(UploadOutcome::Uploaded))
        }
        Ok(other) => {
            documents::forget_unless_used(state, sha256).await;
            Ok(other)
        }
        Err(e) => {
            documents::forget_unless_used(state, sha256).await;
            refused_page(state, &again, e).await
        }
    }
}

/// The page again with why the file was refused; other errors pass through.
async fn refused_page(
    state: &AppState,
    token: &str,
    e: AppError,
) -> AppResult<Lookup<UploadOutcome>> {
    let Some((error, status)) = refused_because(&e) else {
        return Err(e);
    };
    let (s, token) = (state.clone(), token.to_string());
    state
        .db
        .read(move |c| -> AppResult<Lookup<UploadOutcome>> {
            let now = s.clock.now();
            Ok(match open(c, &s.settings, &token, s.clock.today())? {
                Lookup::Found((link, case)) => {
                    let page =
                        Box::new(view(c, &case, &link, true, &form_secret(&s.settings), now)?);
                    Lookup::Found(UploadOutcome::Refused {
                        page,
                        error,
                        status,
                    })
                }
                Lookup::Unknown => Lookup::Unknown,
                Lookup::Gone => Lookup::Gone,
            })
        })
        .await
}
