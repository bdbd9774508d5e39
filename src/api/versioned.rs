//! What the endpoints of versioned records share: answering with the
//! record's version as its ETag (and `Location` when it was created), and
//! [`command_endpoint!`], the one endpoint shape of a versioned command.

use actix_web::HttpResponse;
use actix_web::http::{StatusCode, header};
use serde::Serialize;

use crate::domain::meeting::MeetingStatus;
use crate::links;
use crate::services::candour::CandourView;
use crate::services::case_view::CaseView;
use crate::services::meetings::MeetingView;
use crate::services::ombudsman::OmbudsmanView;
use crate::services::service_changes::ServiceChangeView;

/// A record answered with its version as the ETag.
pub trait Tagged: Serialize {
    fn version(&self) -> i32;
    /// Where the record lives, for the `Location` of a 201.
    fn location(&self) -> String;
    /// The answer with the links it carries filled in.
    fn linked(self) -> Self
    where
        Self: Sized,
    {
        self
    }
}

/// `view` as JSON, its version as the ETag; a created record also says where it lives.
pub fn tagged<V: Tagged>(status: StatusCode, view: V) -> HttpResponse {
    let mut res = HttpResponse::build(status);
    res.insert_header((header::ETAG, format!("\"{}\"", view.version())));
    if status == StatusCode::CREATED {
        res.insert_header((header::LOCATION, view.location()));
    }
    res.json(view.linked())
}

impl Tagged for CaseView {
    fn version(&self) -> i32 {
        self.version
    }
    fn location(&self) -> String {
        links::case(&self.id)
    }
}

impl Tagged for MeetingView {
    fn version(&self) -> i32 {
        self.version
    }
    fn location(&self) -> String {
        links::meeting(&self.id)
    }
    /// The invitation, once the meeting has a time (and was not declined).
    fn linked(mut self) -> Self {
        let invitable = self.starts_at.is_some()
            && self.ends_at.is_some()
            && self.status != MeetingStatus::Declined;
        self.invite_url = invitable.then(|| links::meeting_invite(&self.id));
        self
    }
}

impl Tagged for CandourView {
    fn version(&self) -> i32 {
        self.version
    }
    fn location(&self) -> String {
        links::case_candour(&self.case_id)
    }
}

impl Tagged for OmbudsmanView {
    fn version(&self) -> i32 {
        self.version
    }
    fn location(&self) -> String {
        links::case_ombudsman(&self.case_id)
    }
}

impl Tagged for ServiceChangeView {
    fn version(&self) -> i32 {
        self.version
    }
    fn location(&self) -> String {
        links::service_change(&self.id)
    }
}

/// `POST {path}` for one versioned command: the body is read after the role checks, the
/// version comes from `If-Match` or the body, and the answer carries the new ETag. The
/// arguments name the handler, the path, the OpenAPI tag, the [`Target`] the command acts on,
/// its action, the body type and the function that turns a body into the step, the view
/// answered, and the documentation: the id, the ETag, the answer, the 403, the 404 and the 409.
/// The calling module imports `actix_web::post` and `crate::error::Problem`.
///
/// [`Target`]: crate::services::command::Target
macro_rules! command_endpoint {
    (
        $name:ident, $path:literal, $tag:literal, $target:ty, $action:expr, $body:ty, $build:path,
        $view:ty, $id_doc:literal, $etag_doc:literal, $after_doc:literal, $forbidden:literal,
        $not_found:literal, $conflict:literal, $doc:literal
    ) => {
        #[doc = $doc]
        #[utoipa::path(
            tag = $tag,
            security(("bearer" = [])),
            params(
                ("id" = String, Path, description = $id_doc),
                ("If-Match" = Option<String>, Header, description = $etag_doc),
            ),
            request_body = $body,
            responses(
                (status = 200, description = $after_doc, body = $view),
                (status = 400, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
                (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
                (status = 403, description = $forbidden, body = Problem, content_type = "application/problem+json"),
                (status = 404, description = $not_found, body = Problem, content_type = "application/problem+json"),
                (status = 409, description = $conflict, body = Problem, content_type = "application/problem+json"),
                (status = 428, description = "No version sent", body = Problem, content_type = "application/problem+json"),
            )
        )]
        #[post($path)]
        pub async fn $name(
            state: actix_web::web::Data<crate::state::AppState>,
            write: crate::api::extract::VersionedWrite,
        ) -> crate::error::AppResult<actix_web::HttpResponse> {
            let parse = crate::services::command::typed_body!($body, $build);
            let request = crate::services::command::Request {
                if_match: write.if_match()?,
                key: write.id,
                action: $action,
                body: write.body,
            };
            let view =
                crate::services::command::run::<$target, _, _>(&state, &write.actor, request, parse)
                    .await?;
            Ok(crate::api::versioned::tagged(
                actix_web::http::StatusCode::OK,
                view,
            ))
        }
    };
}
pub(crate) use command_endpoint;
