//! Email and page templates: shipped defaults compiled into the binary, overridable file by file
//! from the trust's config folder, rendered with MiniJinja (strict undefined, HTML autoescaped).

use std::path::{Path, PathBuf};

use minijinja::syntax::SyntaxConfig;
use minijinja::value::Serde;
use minijinja::{AutoEscape, Environment, ErrorKind, UndefinedBehavior, Value};

/// The three files that make up one template.
pub const FILES: [&str; 3] = ["subject.txt.j2", "body.txt.j2", "body.html.j2"];

macro_rules! shipped {
    ($($name:literal),+ $(,)?) => {
        &[$(
            (concat!($name, "/subject.txt.j2"),
             include_str!(concat!("../../templates/", $name, "/subject.txt.j2"))),
            (concat!($name, "/body.txt.j2"),
             include_str!(concat!("../../templates/", $name, "/body.txt.j2"))),
            (concat!($name, "/body.html.j2"),
             include_str!(concat!("../../templates/", $name, "/body.html.j2"))),
        )+]
    };
}

/// The templates in the top-level `templates/` folder, by path.
const SHIPPED: &[(&str, &str)] = shipped![
    "test_message",
    "layout",
    "acknowledgement",
    "extension",
    "six_month_delay",
    "time_limit_declined",
    "response_sent",
    "pals_resolution",
    "progress_update",
    "meeting_invitation",
    "meeting_changed",
    "meeting_cancelled",
    "staff_assigned",
    "staff_due_soon",
    "staff_overdue",
    "staff_digest",
    "staff_undelivered",
    "complainant_message_alert",
    "feedback_invitation",
];

macro_rules! pages {
    ($($name:literal),+ $(,)?) => {
        &[$(
            (concat!("pages/", $name, ".html.j2"),
             include_str!(concat!("../../templates/pages/", $name, ".html.j2"))),
        )+]
    };
}

/// The HTML pages for the public (`templates/pages/<name>.html.j2`), by path.
const PAGES: &[(&str, &str)] = pages![
    "layout",
    "message",
    "track",
    "feedback",
    "board_pack",
    "annual_report",
    "you_said_we_did",
    "subject_access",
    "case_bundle",
    "case_file",
    "staff_layout",
    "staff_message",
    "staff_sign_in",
    "staff_password",
    "staff_my_work",
    "staff_case",
    "staff_fields",
    "staff_new_case",
    "staff_find",
    "staff_reports",
    "staff_learning"
];

/// A rendered message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// One line.
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Why a template could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("there is no email template named {0:?}")]
    Unknown(String),
    #[error("email template {name:?} has no {file} (shipped or in {overrides})")]
    MissingFile {
        name: String,
        file: &'static str,
        overrides: String,
    },
    #[error("there is no page template named {0:?}")]
    UnknownPage(String),
    #[error("email template {name}/{file}: {detail}")]
    Render {
        name: String,
        file: &'static str,
        detail: String,
    },
}

/// The template set: shipped defaults plus a folder of overrides.
#[derive(Debug, Clone)]
pub struct Templates {
    overrides: PathBuf,
}

impl Templates {
    /// Templates whose files may be overridden under `overrides` (which need not exist).
    pub fn new(overrides: impl Into<PathBuf>) -> Self {
        Self {
            overrides: overrides.into(),
        }
    }

    /// The override folder.
    pub fn overrides(&self) -> &Path {
        &self.overrides
    }

    /// The names of the shipped templates.
    pub fn shipped_names() -> Vec<&'static str> {
        let mut names: Vec<&str> = SHIPPED
            .iter()
            .filter_map(|(path, _)| path.split('/').next())
            .collect();
        names.dedup();
        names
    }

    /// Render template `name` with `context`: subject, plain text and HTML.
    ///
    /// Override files are read on each call, so an edited override applies to the next message.
    /// A variable the template uses but `context` lacks is an error, never a blank.
    pub fn render(
        &self,
        name: &str,
        context: &serde_json::Value,
    ) -> Result<Rendered, TemplateError> {
        if !is_template_name(name) {
            return Err(TemplateError::Unknown(name.to_string()));
        }
        let env = self.environment();
        let ctx = Value::from(Serde(context));
        let [subject, text, html] = FILES.map(|file| self.render_file(&env, name, file, &ctx));
        let (subject, text, html) = match (subject, text, html) {
            (Ok(s), Ok(t), Ok(h)) => (s, t, h),
            (Err(TemplateError::MissingFile { .. }), Err(_), Err(_))
                if !self.exists_anywhere(name) =>
            {
                return Err(TemplateError::Unknown(name.to_string()));
            }
            (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return Err(e),
        };
        Ok(Rendered {
            subject: one_line(&subject),
            text,
            html,
        })
    }

    /// Render the page template `pages/<name>.html.j2` (HTML-escaped) with `context`.
    pub fn render_page(
        &self,
        name: &str,
        context: &serde_json::Value,
    ) -> Result<String, TemplateError> {
        if !is_template_name(name) {
            return Err(TemplateError::UnknownPage(name.to_string()));
        }
        let env = self.environment();
        let path = format!("pages/{name}.html.j2");
        let failed = |e: minijinja::Error| TemplateError::Render {
            name: "pages".to_string(),
            file: "*.html.j2",
            detail: format!("{path}: {}", describe(&e)),
        };
        let template = env.get_template(&path).map_err(|e| {
            if e.kind() == ErrorKind::TemplateNotFound {
                TemplateError::UnknownPage(name.to_string())
            } else {
                failed(e)
            }
        })?;
        template.render(Value::from(Serde(context))).map_err(failed)
    }

    fn render_file(
        &self,
        env: &Environment<'static>,
        name: &str,
        file: &'static str,
        ctx: &Value,
    ) -> Result<String, TemplateError> {
        let path = format!("{name}/{file}");
        let failed = |e: minijinja::Error| TemplateError::Render {
            name: name.to_string(),
            file,
            detail: describe(&e),
        };
        let template = env.get_template(&path).map_err(|e| {
            if e.kind() == ErrorKind::TemplateNotFound {
                TemplateError::MissingFile {
                    name: name.to_string(),
                    file,
                    overrides: self.overrides.display().to_string(),
                }
            } else {
                failed(e)
            }
        })?;
        template.render(ctx).map_err(failed)
    }

    fn exists_anywhere(&self, name: &str) -> bool {
        SHIPPED
            .iter()
            .any(|(path, _)| path.split('/').next() == Some(name))
            || self.overrides.join(name).is_dir()
    }

    fn environment(&self) -> Environment<'static> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        // Block tags on their own lines leave no blank lines behind (plain text cares).
        if let Ok(syntax) = SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
        {
            env.set_syntax(syntax);
        }
        env.set_auto_escape_callback(|path| {
            if path.ends_with(".html.j2") {
                AutoEscape::Html
            } else {
                AutoEscape::None
            }
        });
        let overrides = self.overrides.clone();
        env.set_loader(move |path| load(&overrides, path));
        env
    }
}

/// An override file if the trust has one, else the shipped default.
fn load(overrides: &Path, path: &str) -> Result<Option<String>, minijinja::Error> {
    if !is_template_path(path) {
        return Ok(None);
    }
    match std::fs::read_to_string(overrides.join(path)) {
        Ok(source) => Ok(Some(source)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(SHIPPED
            .iter()
            .chain(PAGES)
            .find(|(p, _)| *p == path)
            .map(|(_, source)| (*source).to_string())),
        Err(e) => Err(minijinja::Error::new(
            ErrorKind::InvalidOperation,
            format!("cannot read the override of {path}: {e}"),
        )),
    }
}

/// `acknowledgement`, `meeting_invitation`: lower case, digits, `_` and `-`.
fn is_template_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// A relative path inside the template folders, with no way out of them.
fn is_template_path(path: &str) -> bool {
    !path.is_empty()
        && path.split('/').all(|part| {
            !part.is_empty()
                && !part.starts_with('.')
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b))
        })
}

/// A subject is a single line: line breaks become spaces, ends are trimmed.
fn one_line(s: &str) -> String {
    s.split(['\r', '\n'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The error with its causes (MiniJinja puts the location and the undefined name there).
fn describe(e: &minijinja::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn context() -> serde_json::Value {
        json!({"name": "Alex", "reference": "C-2026-00042", "note": "Nothing to add."})
    }

    fn shipped_only() -> Templates {
        Templates::new("/nonexistent/candour/templates")
    }

    #[test]
    fn the_shipped_template_renders_all_three_parts() {
        let r = shipped_only().render("test_message", &context()).unwrap();
        assert_eq!(r.subject, "Test message about C-2026-00042");
        assert!(r.text.starts_with("Dear Alex,\n"), "{}", r.text);
        assert!(r.text.contains("Nothing to add."));
        assert!(
            r.html.contains("<strong>C-2026-00042</strong>"),
            "{}",
            r.html
        );
        let names = Templates::shipped_names();
        assert!(names.contains(&"test_message") && names.contains(&"acknowledgement"));
    }

    #[test]
    fn html_is_escaped_and_text_is_not() {
        let mut ctx = context();
        ctx["note"] = json!("<script>alert('x')</script> & \"quotes\"");
        let r = shipped_only().render("test_message", &ctx).unwrap();
        assert!(!r.html.contains("<script>"), "{}", r.html);
        assert!(r.html.contains("&lt;script&gt;"), "{}", r.html);
        assert!(r.html.contains("&amp;"), "{}", r.html);
        assert!(r.text.contains("<script>alert('x')</script> & \"quotes\""));
    }

    #[test]
    fn a_missing_variable_is_an_error_naming_it() {
        let mut ctx = context();
        ctx.as_object_mut().unwrap().remove("reference");
        let e = shipped_only().render("test_message", &ctx).unwrap_err();
        let message = e.to_string();
        assert!(matches!(e, TemplateError::Render { .. }), "{message}");
        assert!(message.contains("test_message/subject.txt.j2"), "{message}");
        assert!(message.contains("undefined"), "{message}");
    }

    #[test]
    fn optional_values_render_when_present() {
        let mut ctx = context();
        ctx["items"] = json!(["one", "two"]);
        let r = shipped_only().render("test_message", &ctx).unwrap();
        assert!(r.text.contains("- one\n- two\n"), "{}", r.text);
        assert!(r.html.contains("<li>two</li>"), "{}", r.html);
    }

    #[test]
    fn an_unknown_template_is_named() {
        let e = shipped_only().render("no_such", &context()).unwrap_err();
        assert!(
            matches!(&e, TemplateError::Unknown(n) if n == "no_such"),
            "{e}"
        );
        let e = shipped_only().render("../etc", &context()).unwrap_err();
        assert!(matches!(e, TemplateError::Unknown(_)));
    }

    #[test]
    fn a_trust_overrides_one_file_and_keeps_the_others() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("test_message");
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(
            folder.join("subject.txt.j2"),
            "Your complaint\n{{ reference }}\n",
        )
        .unwrap();
        let templates = Templates::new(dir.path());
        let r = templates.render("test_message", &context()).unwrap();
        assert_eq!(r.subject, "Your complaint C-2026-00042");
        assert!(r.text.starts_with("Dear Alex,"));
        // The next render reads the edited file: no restart needed.
        std::fs::write(folder.join("subject.txt.j2"), "Edited {{ reference }}").unwrap();
        let r = templates.render("test_message", &context()).unwrap();
        assert_eq!(r.subject, "Edited C-2026-00042");
    }

    #[test]
    fn a_trust_adds_a_template_of_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("local_note");
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join("subject.txt.j2"), "Hello {{ name }}").unwrap();
        std::fs::write(folder.join("body.txt.j2"), "Hi {{ name }}").unwrap();
        let templates = Templates::new(dir.path());
        let e = templates.render("local_note", &context()).unwrap_err();
        assert!(
            matches!(
                e,
                TemplateError::MissingFile {
                    file: "body.html.j2",
                    ..
                }
            ),
            "{e}"
        );
        std::fs::write(folder.join("body.html.j2"), "<p>{{ name }}</p>").unwrap();
        let r = templates.render("local_note", &context()).unwrap();
        assert_eq!(r.html, "<p>Alex</p>");
    }

    #[test]
    fn a_syntax_error_in_an_override_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("test_message");
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join("body.html.j2"), "<p>{{ name </p>").unwrap();
        let e = Templates::new(dir.path())
            .render("test_message", &context())
            .unwrap_err();
        assert!(e.to_string().contains("test_message/body.html.j2"), "{e}");
    }

    #[test]
    fn pages_render_escaped_and_can_be_overridden() {
        let ctx = json!({"title": "<b>Gone</b>", "heading": "Link expired",
                         "paragraphs": ["a & b"], "organisation": "Trust"});
        let html = shipped_only().render_page("message", &ctx).unwrap();
        assert!(html.contains("lang=\"en-GB\""), "{html}");
        assert!(html.contains("&lt;b&gt;Gone"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
        assert!(html.contains("a &amp; b"), "{html}");
        assert!(matches!(
            shipped_only().render_page("nope", &ctx),
            Err(TemplateError::UnknownPage(_))
        ));
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("pages")).unwrap();
        std::fs::write(
            dir.path().join("pages/message.html.j2"),
            "{% extends \"pages/layout.html.j2\" %}{% block content %}Ours: {{ heading }}{% endblock %}",
        )
        .unwrap();
        let html = Templates::new(dir.path())
            .render_page("message", &ctx)
            .unwrap();
        assert!(html.contains("Ours: Link expired"), "{html}");
        assert!(html.contains("candour.css"), "{html}");
    }

    #[test]
    fn paths_cannot_leave_the_template_folders() {
        assert!(is_template_path("test_message/body.txt.j2"));
        assert!(!is_template_path("../secrets"));
        assert!(!is_template_path("/etc/passwd"));
        assert!(!is_template_path("a//b"));
        assert!(!is_template_name("Test"));
        assert!(is_template_name("meeting_invitation"));
    }
}
