//! `GET/POST /staff/cases/new`: logging a concern or complaint as a PALS officer does on the
//! phone: one form (what happened and where, who is getting in touch and for whom, the subject
//! and the risk), checked by the same intake as `POST /api/v1/cases`. A refused form comes back
//! with the NHS error summary and everything typed kept.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde_json::{Map, Value, json};

use super::forms::{self, Field, Kind, field, value};
use super::{Staff, app_error, render, see_other};
use crate::error::AppError;
use crate::pages::form_pairs;
use crate::services::case_intake::{self, CreateCaseRequest};
use crate::services::{service_tree, taxonomy};
use crate::state::AppState;

const PATH: &str = "/staff/cases/new";

const KINDS: &[(&str, &str)] = &[
    ("pals_concern", "PALS concern (resolved informally)"),
    ("complaint", "Formal complaint (the statutory process)"),
];
const CONTACT: &[(&str, &str)] = &[("phone", "Phone"), ("email", "Email"), ("letter", "Letter")];
const BASIS: &[(&str, &str)] = &[
    ("patient_request", "The patient asked them to"),
    ("child", "The patient is a child"),
    ("lacks_capacity", "The patient lacks capacity"),
    (
        "physical_incapacity",
        "The patient cannot because of physical incapacity",
    ),
    ("deceased", "The patient has died"),
];
const CONSENT: &[(&str, &str)] = &[
    ("received", "Consent received"),
    ("requested", "Consent requested"),
    ("not_required", "Consent not required"),
    ("refused", "Consent refused"),
    ("cannot_be_obtained", "Consent cannot be obtained"),
];
const BLANK_TODAY: &str = "Leave blank for today.";

/// The form's sections: a legend and its fields. `channel`, `service_id`, `subject`,
/// `subject2` and `subcategory` are filled from the trust's lists when rendered.
const ABOUT: &[Field] = &[
    field(
        "kind",
        "Is it a concern or a complaint?",
        "",
        Kind::Choice(KINDS),
    ),
    field("channel", "How did it come in?", "", Kind::Staff),
    field("received_on", "Date received", BLANK_TODAY, Kind::Date),
    field(
        "summary",
        "Summary",
        "One line, at most 200 characters: it names the case in lists.",
        Kind::Text,
    ),
    field(
        "description",
        "What happened",
        "In their words, as far as you can.",
        Kind::TextArea,
    ),
    field(
        "desired_outcome",
        "What would they like to happen?",
        "",
        Kind::TextArea,
    ),
];
const WHERE: &[Field] = &[
    field("service_id", "Which service is it about?", "", Kind::Staff),
    field("subject", "Main subject", "", Kind::Staff),
    field(
        "subcategory",
        "Clinical subcategory",
        "Needed when the subject is clinical treatment.",
        Kind::Staff,
    ),
    field("subject2", "Another subject (optional)", "", Kind::Staff),
    field(
        "risk_consequence",
        "Risk: consequence (1 negligible to 5 catastrophic)",
        "Needed for a complaint.",
        Kind::Score,
    ),
    field(
        "risk_likelihood",
        "Risk: likelihood (1 rare to 5 almost certain)",
        "Needed for a complaint.",
        Kind::Score,
    ),
];
const WHO: &[Field] = &[
    field("complainant_name", "Full name", "", Kind::Text),
    field("complainant_phone", "Phone number", "", Kind::Text),
    field("complainant_email", "Email address", "", Kind::Text),
    field("complainant_address", "Postal address", "", Kind::TextArea),
    field(
        "preferred_contact",
        "How would they like us to contact them?",
        "",
        Kind::Choice(CONTACT),
    ),
    field(
        "consents_to_email",
        "They agree to letters about the complaint by email",
        "Regulation 15: ask them, and record the answer.",
        Kind::Check,
    ),
    field(
        "patient_is_complainant",
        "The person getting in touch is the patient",
        "",
        Kind::Check,
    ),
];
const PATIENT: &[Field] = &[
    field(
        "patient_name",
        "Patient's full name",
        "Leave this section blank when the patient is getting in touch themselves.",
        Kind::Text,
    ),
    field(
        "patient_nhs_number",
        "NHS number",
        "10 digits, for example 943 476 5919.",
        Kind::Text,
    ),
    field("patient_date_of_birth", "Date of birth", "", Kind::Date),
    field(
        "representative_basis",
        "Why is someone else getting in touch for them?",
        "",
        Kind::Choice(BASIS),
    ),
    field(
        "consent_status",
        "The patient's consent",
        "",
        Kind::Choice(CONSENT),
    ),
];

fn sections() -> [(&'static str, &'static [Field]); 4] {
    [
        ("The concern or complaint", ABOUT),
        ("Who is getting in touch", WHO),
        (
            "The patient, if someone else is getting in touch for them",
            PATIENT,
        ),
        ("What it is about", WHERE),
    ]
}

/// The trust's lists the form offers, by field name.
async fn lists(state: &AppState) -> Result<Map<String, Value>, AppError> {
    let items = taxonomy::catalogue(state, false).await?;
    let from = |list: &str| -> Value {
        items
            .iter()
            .filter(|i| i.list == list)
            .map(|i| json!({ "value": i.code, "label": i.label }))
            .collect()
    };
    let services = service_tree::list(
        state,
        service_tree::ServiceFilter {
            active: Some(true),
            kind: None,
        },
    )
    .await?;
    let mut map = Map::new();
    map.insert("channel".into(), from("channel"));
    map.insert("subject".into(), from("subject_area"));
    map.insert("subject2".into(), from("subject_area"));
    map.insert("subcategory".into(), from("clinical_subcategory"));
    map.insert(
        "service_id".into(),
        services
            .iter()
            .map(|s| json!({ "value": s.id, "label": format!("{} ({})", s.name, s.code) }))
            .collect(),
    );
    Ok(map)
}

fn page(
    state: &AppState,
    staff: &Staff,
    status: StatusCode,
    lists: &Map<String, Value>,
    typed: &[(String, String)],
    errors: Vec<Value>,
) -> HttpResponse {
    let typed: Vec<(String, String)> = if typed.is_empty() {
        vec![
            ("kind".into(), "pals_concern".into()),
            ("channel".into(), "phone".into()),
        ]
    } else {
        typed.to_vec()
    };
    let groups: Vec<Value> = sections()
        .iter()
        .map(|(legend, fields)| {
            let mut rendered = forms::render("case", fields, &typed, &errors, &[]);
            for f in &mut rendered {
                if let Some(options) = f["name"].as_str().and_then(|n| lists.get(n)) {
                    f["options"] = options.clone();
                }
            }
            json!({ "legend": legend, "fields": rendered })
        })
        .collect();
    let ctx = json!({ "title": "Log a concern or complaint", "groups": groups, "errors": errors });
    render(state, staff, status, "staff_new_case", PATH, ctx)
}

pub async fn form(state: web::Data<AppState>, staff: Staff) -> HttpResponse {
    match lists(&state).await {
        Ok(l) => page(&state, &staff, StatusCode::OK, &l, &[], vec![]),
        Err(e) => app_error(&state, &e),
    }
}

/// The posted form as the API's body.
fn body(pairs: &[(String, String)], today: chrono::NaiveDate) -> (Value, Vec<Value>) {
    let all: Vec<Field> = sections()
        .iter()
        .flat_map(|(_, f)| f.iter().copied())
        .collect();
    let (flat, errors) = forms::to_json("case", &all, pairs);
    let text = |k: &str| flat.get(k).cloned();
    let person = |prefix: &str| {
        let mut p = Map::new();
        for (from, to) in [
            ("name", "name"),
            ("phone", "phone"),
            ("email", "email"),
            ("address", "postal_address"),
            ("nhs_number", "nhs_number"),
            ("date_of_birth", "date_of_birth"),
        ] {
            if let Some(v) = text(&format!("{prefix}_{from}")) {
                p.insert(to.into(), v);
            }
        }
        p
    };
    let received = text("received_on").unwrap_or_else(|| Value::String(today.to_string()));
    let mut complainant = person("complainant");
    if let Some(v) = text("preferred_contact") {
        complainant.insert("preferred_contact".into(), v);
    }
    let consents = flat.get("consents_to_email") == Some(&Value::Bool(true));
    complainant.insert("consents_to_email".into(), Value::Bool(consents));
    if consents {
        complainant.insert("email_consent_on".into(), received.clone());
    }
    complainant
        .entry("name")
        .or_insert(Value::String(String::new()));
    let mut subjects = Vec::new();
    if let Some(code) = text("subject") {
        let mut s = json!({ "code": code, "primary": true });
        if let Some(sub) = text("subcategory") {
            s["subcategory"] = sub;
        }
        subjects.push(s);
    }
    if let Some(code) = text("subject2") {
        subjects.push(json!({ "code": code }));
    }
    let is_patient = flat.get("patient_is_complainant") == Some(&Value::Bool(true));
    let mut req = json!({
        "kind": text("kind").unwrap_or(Value::String(String::new())),
        "channel": text("channel").unwrap_or(Value::String(String::new())),
        "received_on": received,
        "summary": text("summary").unwrap_or(Value::String(String::new())),
        "description": text("description").unwrap_or(Value::String(String::new())),
        "desired_outcome": text("desired_outcome").unwrap_or(Value::String(String::new())),
        "subjects": subjects,
        "service_ids": text("service_id").into_iter().collect::<Vec<_>>(),
        "complainant": complainant,
        "patient_is_complainant": is_patient,
    });
    if let (Some(c), Some(l)) = (text("risk_consequence"), text("risk_likelihood")) {
        req["risk"] = json!({ "consequence": c, "likelihood": l });
    }
    let patient = person("patient");
    if !is_patient && !patient.is_empty() {
        req["patient"] = Value::Object(patient);
    }
    if !is_patient && (text("representative_basis").is_some() || text("consent_status").is_some()) {
        let mut r = json!({
            "basis": text("representative_basis").unwrap_or(Value::String(String::new())),
            "consent_status": text("consent_status").unwrap_or(Value::String(String::new())),
        });
        if text("consent_status").as_ref().and_then(Value::as_str) == Some("received") {
            r["consent_received_on"] = req["received_on"].clone();
        }
        req["representative"] = r;
    }
    (req, errors)
}

/// Where a field error from the intake belongs on this form, and its label.
fn field_of(path: &str) -> (String, String) {
    let flat = match path {
        p if p.starts_with("subjects[0].subcategory") => "subcategory".to_string(),
        p if p.starts_with("subjects[1]") => "subject2".to_string(),
        p if p.starts_with("subjects") => "subject".to_string(),
        p if p.starts_with("risk") => "risk_consequence".to_string(),
        p if p.starts_with("service_ids") => "service_id".to_string(),
        "representative.basis" | "representative" => "representative_basis".to_string(),
        p if p.starts_with("representative.") => "consent_status".to_string(),
        "complainant.postal_address" => "complainant_address".to_string(),
        "complainant.email_consent_on" => "consents_to_email".to_string(),
        "patient" => "patient_name".to_string(),
        p => p.replace('.', "_"),
    };
    let label = sections()
        .iter()
        .flat_map(|(_, f)| f.iter())
        .find(|f| f.name == flat)
        .map_or_else(|| flat.replace('_', " "), |f| f.label.to_string());
    (flat, label)
}

pub async fn submit(state: web::Data<AppState>, staff: Staff, bytes: web::Bytes) -> HttpResponse {
    let pairs = form_pairs(&bytes).unwrap_or_default();
    if let Some(refused) = staff.csrf_refusal(&state, value(&pairs, "csrf")) {
        return refused;
    }
    let lists = match lists(&state).await {
        Ok(l) => l,
        Err(e) => return app_error(&state, &e),
    };
    let (raw, errors) = body(&pairs, state.clock.today());
    let refused = |errors: Vec<Value>| {
        page(
            &state,
            &staff,
            StatusCode::BAD_REQUEST,
            &lists,
            &pairs,
            errors,
        )
    };
    if !errors.is_empty() {
        return refused(errors);
    }
    let result = match crate::json::from_value::<CreateCaseRequest>(raw) {
        Ok(req) => case_intake::create(&state, &staff.actor, req).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(view) => see_other(&format!("/staff/cases/{}?done=logged", view.id)),
        Err(AppError::Validation(fields)) => refused(
            fields
                .iter()
                .map(|f| {
                    let (name, label) = field_of(&f.field);
                    forms::error("case", &name, &format!("{label}: {}", f.message))
                })
                .collect(),
        ),
        Err(e) => app_error(&state, &e),
    }
}
