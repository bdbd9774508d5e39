//! Documents on a case: what kind they are, the file types Candour accepts, and how a file's
//! type is told from its content (magic bytes, or what a text or message must be), never from
//! its name alone.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a document is to the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// A letter from the complainant (scanned or as sent).
    ComplainantLetter,
    /// An email received or sent (`.eml` or `.msg`).
    Email,
    /// The patient's consent for someone to complain for them.
    ConsentForm,
    /// A statement from staff or a witness.
    Statement,
    /// Evidence gathered in the investigation (records, photographs).
    Evidence,
    /// The signed response letter.
    ResponseLetter,
    /// Notes of a meeting.
    MeetingNotes,
    Other,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 8] = [
        DocumentKind::ComplainantLetter,
        DocumentKind::Email,
        DocumentKind::ConsentForm,
        DocumentKind::Statement,
        DocumentKind::Evidence,
        DocumentKind::ResponseLetter,
        DocumentKind::MeetingNotes,
        DocumentKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::ComplainantLetter => "complainant_letter",
            DocumentKind::Email => "email",
            DocumentKind::ConsentForm => "consent_form",
            DocumentKind::Statement => "statement",
            DocumentKind::Evidence => "evidence",
            DocumentKind::ResponseLetter => "response_letter",
            DocumentKind::MeetingNotes => "meeting_notes",
            DocumentKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The kind as a timeline line reads it.
    pub fn label(self) -> &'static str {
        match self {
            DocumentKind::ComplainantLetter => "complainant's letter",
            DocumentKind::Email => "email",
            DocumentKind::ConsentForm => "consent form",
            DocumentKind::Statement => "statement",
            DocumentKind::Evidence => "evidence",
            DocumentKind::ResponseLetter => "response letter",
            DocumentKind::MeetingNotes => "meeting notes",
            DocumentKind::Other => "document",
        }
    }
}

/// A file type Candour can accept (which ones a trust allows is configured).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    Pdf,
    Png,
    Jpeg,
    Gif,
    Tiff,
    Docx,
    Xlsx,
    Pptx,
    Doc,
    Xls,
    Text,
    Eml,
    Msg,
}

impl FileType {
    pub const ALL: [FileType; 13] = [
        FileType::Pdf,
        FileType::Png,
        FileType::Jpeg,
        FileType::Gif,
        FileType::Tiff,
        FileType::Docx,
        FileType::Xlsx,
        FileType::Pptx,
        FileType::Doc,
        FileType::Xls,
        FileType::Text,
        FileType::Eml,
        FileType::Msg,
    ];

    /// The name used in settings (`documents.allowed_types`).
    pub fn name(self) -> &'static str {
        match self {
            FileType::Pdf => "pdf",
            FileType::Png => "png",
            FileType::Jpeg => "jpeg",
            FileType::Gif => "gif",
            FileType::Tiff => "tiff",
            FileType::Docx => "docx",
            FileType::Xlsx => "xlsx",
            FileType::Pptx => "pptx",
            FileType::Doc => "doc",
            FileType::Xls => "xls",
            FileType::Text => "txt",
            FileType::Eml => "eml",
            FileType::Msg => "msg",
        }
    }

    pub fn by_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }

    /// What a person calls it, for messages.
    pub fn title(self) -> &'static str {
        match self {
            FileType::Pdf => "a PDF",
            FileType::Png => "a PNG image",
            FileType::Jpeg => "a JPEG image",
            FileType::Gif => "a GIF image",
            FileType::Tiff => "a TIFF image",
            FileType::Docx => "a Word document (.docx)",
            FileType::Xlsx => "an Excel workbook (.xlsx)",
            FileType::Pptx => "a PowerPoint presentation (.pptx)",
            FileType::Doc => "a Word 97-2003 document (.doc)",
            FileType::Xls => "an Excel 97-2003 workbook (.xls)",
            FileType::Text => "plain text",
            FileType::Eml => "an email message (.eml)",
            FileType::Msg => "an Outlook message (.msg)",
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            FileType::Pdf => "application/pdf",
            FileType::Png => "image/png",
            FileType::Jpeg => "image/jpeg",
            FileType::Gif => "image/gif",
            FileType::Tiff => "image/tiff",
            FileType::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileType::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileType::Pptx => {
                "application/vnd.openxmlformats-officedocument.presentationml.presentation"
            }
            FileType::Doc => "application/msword",
            FileType::Xls => "application/vnd.ms-excel",
            FileType::Text => "text/plain",
            FileType::Eml => "message/rfc822",
            FileType::Msg => "application/vnd.ms-outlook",
        }
    }

    fn extensions(self) -> &'static [&'static str] {
        match self {
            FileType::Pdf => &["pdf"],
            FileType::Png => &["png"],
            FileType::Jpeg => &["jpg", "jpeg"],
            FileType::Gif => &["gif"],
            FileType::Tiff => &["tif", "tiff"],
            FileType::Docx => &["docx"],
            FileType::Xlsx => &["xlsx"],
            FileType::Pptx => &["pptx"],
            FileType::Doc => &["doc"],
            FileType::Xls => &["xls"],
            FileType::Text => &["txt"],
            FileType::Eml => &["eml"],
            FileType::Msg => &["msg"],
        }
    }

    /// The type a file name says (by its extension, any case).
    pub fn by_file_name(file_name: &str) -> Option<Self> {
        let ext = file_name.rsplit_once('.')?.1.to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|t| t.extensions().contains(&ext.as_str()))
    }

    /// The type a declared media type says (`None` for a generic or unknown one).
    pub fn by_media_type(media_type: &str) -> Option<Self> {
        let essence = media_type.split(';').next()?.trim().to_ascii_lowercase();
        match essence.as_str() {
            "image/jpg" | "image/pjpeg" => Some(FileType::Jpeg),
            "application/x-msg" => Some(FileType::Msg),
            _ => Self::ALL.into_iter().find(|t| t.media_type() == essence),
        }
    }
}

/// Why a file's type was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeRefusal {
    /// The name has no extension Candour knows.
    UnknownName,
    /// The name and the declared media type say different things.
    DeclaredTwice {
        by_name: FileType,
        by_media: FileType,
    },
    /// The content is something else than the name says (`None`: nothing Candour knows).
    Mismatch {
        declared: FileType,
        found: Option<FileType>,
    },
}

impl TypeRefusal {
    pub fn message(&self) -> String {
        match self {
            TypeRefusal::UnknownName => {
                "The file name has no extension Candour accepts (for example .pdf, .docx, .jpg, .txt, .eml or .msg).".into()
            }
            TypeRefusal::DeclaredTwice { by_name, by_media } => format!(
                "The file name says {} but it was sent as {}.",
                by_name.title(),
                by_media.title()
            ),
            TypeRefusal::Mismatch { declared, found } => match found {
                Some(found) => format!(
                    "The file is named as {} but its content is {}.",
                    declared.title(),
                    found.title()
                ),
                None => format!(
                    "The file is named as {} but its content is not.",
                    declared.title()
                ),
            },
        }
    }
}

/// The type of `bytes`, checked against what `file_name` and the declared `media_type` say.
/// Types with magic bytes are told by them; plain text must be valid UTF-8 without NUL bytes;
/// an `.eml` must parse as a message with a sender and a date or subject; a `.msg` must be an
/// OLE2 container holding an Outlook message (not a `.doc` or `.xls`).
pub fn check_type(
    file_name: &str,
    media_type: Option<&str>,
    bytes: &[u8],
) -> Result<FileType, TypeRefusal> {
    let declared = FileType::by_file_name(file_name).ok_or(TypeRefusal::UnknownName)?;
    if let Some(by_media) = media_type.and_then(FileType::by_media_type)
        && by_media != declared
        // A text file sent as `text/plain` may still be named `.eml`.
        && !(declared == FileType::Eml && by_media == FileType::Text)
    {
        return Err(TypeRefusal::DeclaredTwice {
            by_name: declared,
            by_media,
        });
    }
    let found = by_magic(bytes).or_else(|| by_structure(declared, bytes));
    if found == Some(declared) {
        Ok(declared)
    } else {
        Err(TypeRefusal::Mismatch { declared, found })
    }
}

/// The type told by magic bytes, if any.
fn by_magic(bytes: &[u8]) -> Option<FileType> {
    const OLE2: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    if bytes.starts_with(OLE2) {
        return ole2(bytes);
    }
    match infer::get(bytes)?.mime_type() {
        "application/pdf" => Some(FileType::Pdf),
        "image/png" => Some(FileType::Png),
        "image/jpeg" => Some(FileType::Jpeg),
        "image/gif" => Some(FileType::Gif),
        "image/tiff" => Some(FileType::Tiff),
        m => [FileType::Docx, FileType::Xlsx, FileType::Pptx]
            .into_iter()
            .find(|t| t.media_type() == m),
    }
}

/// What an OLE2 compound file holds: an Outlook message (its property streams), a Word or an
/// Excel file (their main streams), or something else.
fn ole2(bytes: &[u8]) -> Option<FileType> {
    let file = cfb::CompoundFile::open(std::io::Cursor::new(bytes)).ok()?;
    if file.is_stream("/__properties_version1.0")
        && file
            .read_root_storage()
            .any(|e| e.name().starts_with("__substg1.0_"))
    {
        return Some(FileType::Msg);
    }
    if file.is_stream("/WordDocument") {
        return Some(FileType::Doc);
    }
    if file.is_stream("/Workbook") || file.is_stream("/Book") {
        return Some(FileType::Xls);
    }
    None
}

/// The types without magic bytes, checked by what they must be.
fn by_structure(declared: FileType, bytes: &[u8]) -> Option<FileType> {
    match declared {
        FileType::Text => is_text(bytes).then_some(FileType::Text),
        FileType::Eml => email_headers(bytes).map(|_| FileType::Eml),
        _ => None,
    }
}

fn is_text(bytes: &[u8]) -> bool {
    !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok()
}

/// The headers staff see for a received email.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmailHeaders {
    pub from: String,
    pub subject: Option<String>,
    pub date: Option<String>,
}

/// An `.eml`'s sender, subject and date, if it parses as a message with a sender and a date
/// or subject.
pub fn email_headers(bytes: &[u8]) -> Option<EmailHeaders> {
    if bytes.contains(&0) {
        return None;
    }
    let (headers, _) = mailparse::parse_headers(bytes).ok()?;
    let get = |name: &str| {
        mailparse::MailHeaderMap::get_first_value(headers.as_slice(), name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let from = get("From")?;
    let (subject, date) = (get("Subject"), get("Date"));
    if subject.is_none() && date.is_none() {
        return None;
    }
    Some(EmailHeaders {
        from,
        subject,
        date,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n";
    const PNG: &[u8] = &[
        0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, b'I', b'H', b'D', b'R',
    ];

    #[test]
    fn a_pdf_named_as_a_pdf_is_a_pdf() {
        assert_eq!(
            check_type("Letter.PDF", Some("application/pdf"), PDF),
            Ok(FileType::Pdf)
        );
        assert_eq!(check_type("letter.pdf", None, PDF), Ok(FileType::Pdf));
        // A generic declared type says nothing.
        assert_eq!(
            check_type("letter.pdf", Some("application/octet-stream"), PDF),
            Ok(FileType::Pdf)
        );
    }

    #[test]
    fn content_decides_not_the_name() {
        assert_eq!(
            check_type("photo.pdf", None, PNG),
            Err(TypeRefusal::Mismatch {
                declared: FileType::Pdf,
                found: Some(FileType::Png)
            })
        );
        assert_eq!(
            check_type("notes.txt", None, PDF),
            Err(TypeRefusal::Mismatch {
                declared: FileType::Text,
                found: Some(FileType::Pdf)
            })
        );
        assert_eq!(
            check_type("run.exe", None, b"MZ\x90\0"),
            Err(TypeRefusal::UnknownName)
        );
        assert_eq!(
            check_type("letter.pdf", Some("image/png"), PDF),
            Err(TypeRefusal::DeclaredTwice {
                by_name: FileType::Pdf,
                by_media: FileType::Png
            })
        );
    }

    #[test]
    fn text_must_be_utf8_without_nul() {
        assert_eq!(
            check_type("n.txt", None, "Café at 10:00".as_bytes()),
            Ok(FileType::Text)
        );
        assert!(check_type("n.txt", None, b"caf\xe9").is_err());
        assert!(check_type("n.txt", None, b"a\0b").is_err());
    }

    #[test]
    fn an_eml_needs_a_sender_and_a_date_or_subject() {
        let eml = b"From: Ann <ann@example.org>\r\nSubject: My complaint\r\nDate: Tue, 1 Dec 2026 09:00:00 +0000\r\n\r\nBody\r\n";
        assert_eq!(check_type("m.eml", None, eml), Ok(FileType::Eml));
        assert_eq!(
            check_type("m.eml", Some("message/rfc822"), eml),
            Ok(FileType::Eml)
        );
        let h = email_headers(eml).unwrap();
        assert_eq!(h.from, "Ann <ann@example.org>");
        assert_eq!(h.subject.as_deref(), Some("My complaint"));
        assert!(check_type("m.eml", None, b"just some words\r\n").is_err());
        assert!(check_type("m.eml", None, b"From: a@b.c\r\n\r\nno subject or date").is_err());
    }

    #[test]
    fn a_msg_is_an_ole2_file_holding_a_message() {
        use std::io::Write;
        let build = |streams: &[&str]| {
            let mut cf = cfb::CompoundFile::create(std::io::Cursor::new(Vec::new())).unwrap();
            for s in streams {
                cf.create_stream(s).unwrap().write_all(b"x").unwrap();
            }
            cf.flush().unwrap();
            cf.into_inner().into_inner()
        };
        let msg = build(&["/__properties_version1.0", "/__substg1.0_0037001F"]);
        assert_eq!(check_type("m.msg", None, &msg), Ok(FileType::Msg));
        let doc = build(&["/WordDocument"]);
        assert_eq!(
            check_type("m.msg", None, &doc),
            Err(TypeRefusal::Mismatch {
                declared: FileType::Msg,
                found: Some(FileType::Doc)
            })
        );
        let xls = build(&["/Workbook"]);
        assert_eq!(check_type("book.xls", None, &xls), Ok(FileType::Xls));
        let other = build(&["/Something"]);
        assert_eq!(
            check_type("m.msg", None, &other),
            Err(TypeRefusal::Mismatch {
                declared: FileType::Msg,
                found: None
            })
        );
    }
}
