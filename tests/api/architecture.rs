//! The house rules of `src/`, read from the source: layers point one way, no module imports
//! its way round in a circle, files and functions stay small, and only the clock reads the
//! system clock. design.md ("Layers") says why.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module path, `crate::services::command` as `["services", "command"]`.
type Module = Vec<String>;

struct Source {
    /// Each module with its file's text (comments and string contents blanked).
    modules: BTreeMap<Module, (PathBuf, String)>,
}

impl Source {
    fn read() -> Self {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut modules = BTreeMap::new();
        let mut stack = vec![root.clone()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("read src") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let rel = path.strip_prefix(&root).expect("under src");
                    let mut module: Module = rel
                        .with_extension("")
                        .iter()
                        .map(|p| p.to_string_lossy().into_owned())
                        .collect();
                    if matches!(module.last().map(String::as_str), Some("lib" | "main")) {
                        module.pop();
                    }
                    let text = std::fs::read_to_string(&path).expect("read file");
                    modules.insert(module, (path, blank(&text)));
                }
            }
        }
        Self { modules }
    }

    /// The longest module that `path` (already absolute, from the crate root) names.
    fn resolve(&self, path: &[String]) -> Option<Module> {
        (1..=path.len())
            .rev()
            .map(|n| path[..n].to_vec())
            .find(|m| self.modules.contains_key(m))
    }

    /// Every module each module refers to (by `use` or a `crate::`/`super::` path).
    fn edges(&self) -> BTreeMap<Module, BTreeSet<Module>> {
        let mut edges = BTreeMap::new();
        for (module, (_, text)) in &self.modules {
            let mut to = BTreeSet::new();
            for path in paths(text) {
                let absolute = match path.first().map(String::as_str) {
                    Some("crate") => path[1..].to_vec(),
                    Some("super") => {
                        let mut base = module.clone();
                        let mut rest = &path[..];
                        while rest.first().map(String::as_str) == Some("super") {
                            base.pop();
                            rest = &rest[1..];
                        }
                        base.extend(rest.iter().cloned());
                        base
                    }
                    Some("self") => {
                        let mut base = module.clone();
                        base.extend(path[1..].iter().cloned());
                        base
                    }
                    _ => continue,
                };
                if let Some(target) = self.resolve(&absolute)
                    && target != *module
                {
                    to.insert(target);
                }
            }
            edges.insert(module.clone(), to);
        }
        edges
    }
}

/// `text` with comments removed and string literals emptied, so neither can look like code.
fn blank(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut prev = ' ';
    while let Some(c) = chars.next() {
        // A raw string starts at a word's start, or after the `b` of a byte string.
        let word_start = !(prev.is_alphanumeric() || prev == '_') || prev == 'b';
        prev = c;
        match c {
            'r' if word_start && matches!(chars.peek(), Some('#' | '"')) => {
                // A raw string, r#"…"#: skip to the quote closed by as many hashes.
                let mut hashes = 0;
                while chars.peek() == Some(&'#') {
                    chars.next();
                    hashes += 1;
                }
                if chars.next() != Some('"') {
                    continue;
                }
                out.push_str("\"\"");
                let body: String = chars.clone().collect();
                let close = format!("\"{}", "#".repeat(hashes));
                let len = body.find(&close).map_or(body.len(), |i| i + close.len());
                out.extend(body[..len].chars().filter(|c| *c == '\n'));
                for _ in body[..len].chars() {
                    chars.next();
                }
            }
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '"' => {
                out.push('"');
                let mut escaped = false;
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                    }
                    if escaped {
                        escaped = false;
                    } else if c == '\\' {
                        escaped = true;
                    } else if c == '"' {
                        break;
                    }
                }
                out.push('"');
            }
            '\'' if chars
                .peek()
                .is_some_and(|n| *n != '_' && !n.is_alphabetic())
                || chars.clone().nth(1) == Some('\'') =>
            {
                // A char literal ('"', '{', 'a'); lifetimes ('a, '_) are left alone.
                out.push('\'');
                let mut escaped = false;
                for c in chars.by_ref() {
                    if escaped {
                        escaped = false;
                    } else if c == '\\' {
                        escaped = true;
                    } else if c == '\'' {
                        break;
                    }
                }
                out.push('\'');
            }
            _ => out.push(c),
        }
    }
    out
}

/// Every path the text names: `use` trees expanded, and inline `crate::…`/`super::…` paths.
fn paths(text: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("use ") {
        let before = rest[..at].chars().last();
        rest = &rest[at + 4..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(end) = rest.find(';') {
            expand(&rest[..end], &mut Vec::new(), &mut found);
            rest = &rest[end..];
        }
    }
    let words: Vec<&str> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
        .filter(|w| w.starts_with("crate::") || w.starts_with("super::"))
        .collect();
    for w in words {
        found.push(
            w.split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
        );
    }
    found
}

/// Expand one `use` tree (`a::b::{c, d::{e, f}}`) under `prefix`.
fn expand(tree: &str, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    let tree = tree.trim();
    if let Some(open) = tree.find('{') {
        let head: Vec<String> = tree[..open]
            .split("::")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
        let mut depth = 0;
        let mut start = 0;
        let mut parts = Vec::new();
        for (i, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    parts.push(&inner[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        parts.push(&inner[start..]);
        let len = prefix.len();
        prefix.extend(head);
        for part in parts.into_iter().filter(|p| !p.trim().is_empty()) {
            expand(part, prefix, out);
        }
        prefix.truncate(len);
    } else {
        let path = tree.split(" as ").next().unwrap_or(tree);
        let mut full = prefix.clone();
        full.extend(
            path.split("::")
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string),
        );
        out.push(full);
    }
}

fn name(m: &Module) -> String {
    if m.is_empty() {
        "crate".into()
    } else {
        m.join("::")
    }
}

fn related(a: &Module, b: &Module) -> bool {
    a.starts_with(b) || b.starts_with(a)
}

/// Strongly connected groups of more than one module (Tarjan), ignoring parent–child edges.
fn cycles(edges: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Vec<Module>> {
    struct Walk<'a> {
        edges: &'a BTreeMap<Module, BTreeSet<Module>>,
        index: BTreeMap<Module, usize>,
        low: BTreeMap<Module, usize>,
        stack: Vec<Module>,
        on_stack: BTreeSet<Module>,
        next: usize,
        found: Vec<Vec<Module>>,
    }
    impl Walk<'_> {
        fn visit(&mut self, v: &Module) {
            self.index.insert(v.clone(), self.next);
            self.low.insert(v.clone(), self.next);
            self.next += 1;
            self.stack.push(v.clone());
            self.on_stack.insert(v.clone());
            let targets: Vec<Module> = self.edges[v]
                .iter()
                .filter(|w| !related(v, w))
                .cloned()
                .collect();
            for w in targets {
                if !self.index.contains_key(&w) {
                    self.visit(&w);
                    let low = self.low[v].min(self.low[&w]);
                    self.low.insert(v.clone(), low);
                } else if self.on_stack.contains(&w) {
                    let low = self.low[v].min(self.index[&w]);
                    self.low.insert(v.clone(), low);
                }
            }
            if self.low[v] == self.index[v] {
                let mut group = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(&w);
                    let done = w == *v;
                    group.push(w);
                    if done {
                        break;
                    }
                }
                if group.len() > 1 {
                    self.found.push(group);
                }
            }
        }
    }
    let mut walk = Walk {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        found: Vec::new(),
    };
    for v in edges.keys() {
        if !walk.index.contains_key(v) {
            walk.visit(v);
        }
    }
    walk.found
}

#[test]
fn no_module_imports_its_way_round_in_a_circle() {
    let source = Source::read();
    let found: Vec<String> = cycles(&source.edges())
        .iter()
        .map(|g| g.iter().map(name).collect::<Vec<_>>().join(" ↔ "))
        .collect();
    assert!(found.is_empty(), "import cycles: {found:#?}");
}

#[test]
fn the_layers_point_one_way() {
    let source = Source::read();
    // (importer, imported): the first module must not use the second.
    let forbidden: &[(&str, &[&str])] = &[
        (
            "domain",
            &[
                "db", "services", "api", "pages", "reports", "state", "email", "http", "files",
            ],
        ),
        (
            "files",
            &[
                "db", "services", "api", "pages", "reports", "state", "email",
            ],
        ),
        ("db", &["services", "api", "pages", "reports", "email"]),
        ("reports", &["services", "api", "pages"]),
        ("services", &["api", "pages"]),
        ("api", &["db", "pages"]),
        ("pages", &["api", "db"]),
        ("email", &["services", "api", "pages"]),
    ];
    let mut broken = Vec::new();
    for (module, targets) in source.edges() {
        for (layer, banned) in forbidden {
            if module.first().map(String::as_str) != Some(layer) {
                continue;
            }
            for t in &targets {
                if banned.contains(&t.first().map(String::as_str).unwrap_or("")) {
                    broken.push(format!("{} uses {}", name(&module), name(t)));
                }
            }
        }
    }
    assert!(broken.is_empty(), "layer rules broken: {broken:#?}");
}

#[test]
fn domain_is_free_of_frameworks_and_services_of_markup_and_addresses() {
    let source = Source::read();
    let mut broken = Vec::new();
    for (module, (path, text)) in &source.modules {
        let layer = module.first().map(String::as_str);
        if layer == Some("domain") {
            for banned in ["diesel::", "actix_web::"] {
                if text.contains(banned) {
                    broken.push(format!("{} uses {banned}", path.display()));
                }
            }
        }
        if layer == Some("services") {
            for (banned, what) in [
                ("render_page", "renders a page"),
                ("base_url", "builds an address"),
                ("crate::links", "builds an address"),
            ] {
                if text.contains(banned) {
                    broken.push(format!("{} {what}", path.display()));
                }
            }
        }
    }
    assert!(broken.is_empty(), "{broken:#?}");
}

#[test]
fn files_and_functions_stay_small() {
    let source = Source::read();
    let mut too_big = Vec::new();
    for (path, text) in source.modules.values() {
        if path.ends_with("db/schema.rs") {
            continue;
        }
        let raw = std::fs::read_to_string(path).expect("read");
        let lines = raw.lines().count();
        if lines > 800 {
            too_big.push(format!("{}: {lines} lines", path.display()));
        }
        let rows: Vec<&str> = text.lines().collect();
        for (i, row) in rows.iter().enumerate() {
            let body = row.trim_start();
            let indent = &row[..row.len() - body.len()];
            let is_fn = [
                "fn ",
                "pub fn ",
                "async fn ",
                "pub async fn ",
                "pub(crate) fn ",
            ]
            .iter()
            .chain(
                [
                    "pub(super) fn ",
                    "pub(super) async fn ",
                    "pub(crate) async fn ",
                    "const fn ",
                ]
                .iter(),
            )
            .any(|p| body.starts_with(p));
            if !is_fn || body.ends_with(';') {
                continue;
            }
            let end = rows[i + 1..]
                .iter()
                .position(|r| *r == format!("{indent}}}"))
                .map(|n| n + 2);
            if let Some(n) = end
                && n > 80
            {
                too_big.push(format!(
                    "{}:{}: a function of {n} lines",
                    path.display(),
                    i + 1
                ));
            }
        }
    }
    assert!(too_big.is_empty(), "{too_big:#?}");
}

#[test]
fn only_the_clock_reads_the_system_clock() {
    let source = Source::read();
    let readers: Vec<String> = source
        .modules
        .iter()
        .filter(|(m, _)| m.as_slice() != ["clock"])
        .filter(|(_, (_, text))| {
            ["Utc::now()", "Local::now()", "SystemTime::now()"]
                .iter()
                .any(|call| text.contains(call))
        })
        .map(|(_, (path, _))| path.display().to_string())
        .collect();
    assert!(
        readers.is_empty(),
        "these read the system clock: {readers:#?}"
    );
}

#[test]
fn the_checker_sees_imports_and_cycles() {
    // Guard the guard: a tree, a braced group, a relative path and an inline path are found,
    // and a two-module loop is a cycle while a parent and its child are not.
    let found =
        paths("use crate::a::{b, c::{d, e as f}};\nuse super::g;\nfn x() { crate::h::i(); }");
    for expected in [
        vec!["crate", "a", "b"],
        vec!["crate", "a", "c", "d"],
        vec!["crate", "a", "c", "e"],
        vec!["super", "g"],
        vec!["crate", "h", "i"],
    ] {
        let expected: Vec<String> = expected.into_iter().map(str::to_string).collect();
        assert!(found.contains(&expected), "{expected:?} in {found:?}");
    }
    assert_eq!(
        blank("let s = \"crate::x\"; // crate::y\n"),
        "let s = \"\"; \n"
    );
    assert_eq!(blank("f(br#\"{\"crate::z\"}\"#);"), "f(b\"\");");
    let m = |s: &str| -> Module { s.split("::").map(str::to_string).collect() };
    let mut edges = BTreeMap::new();
    edges.insert(m("a"), BTreeSet::from([m("b"), m("a::c")]));
    edges.insert(m("b"), BTreeSet::from([m("a")]));
    edges.insert(m("a::c"), BTreeSet::from([m("a")]));
    let groups = cycles(&edges);
    assert_eq!(groups.len(), 1, "{groups:?}");
    assert_eq!(groups[0].len(), 2);
}
