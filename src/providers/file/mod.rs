//! Endpoint files: the built-in `endpoints.toml` of each provider and the user's own.
//! Parsed in two stages like mapping files: serde with unknown keys refused, then each
//! endpoint checked (types, wire forms, formats, patterns, path fields, rules), every
//! mistake kept with its line and column so that one pass shows them all.

use std::path::{Path, PathBuf};

use toml::Spanned;

use super::{
    Answer, CondRequired, Empty, Endpoint, Envelope, Lit, Method, Origin, ProviderId, Registry,
    StatementFields,
};
use crate::located::Collector;

/// A mistake in an endpoint file, at a line and column of it; all the mistakes of one
/// file.
pub use crate::located::{FileError as EndpointError, FileErrors as EndpointErrors};

mod field;
mod spec;

use spec::{AnswerSpec, DefaultsSpec, EndpointSpec, FileSpec, StatementSpec};

pub(super) struct Parsed {
    pub endpoints: Vec<Endpoint>,
}

/// Parses an endpoint file. `provider` is the built-in file's own provider (its
/// `provider` key must agree); a user file may name any provider and inherits that
/// provider's built-in defaults; `known` holds the endpoints already loaded, whose ids
/// a new file may not take again.
pub(super) fn parse(
    text: &str,
    origin: &Origin,
    provider: Option<ProviderId>,
    known: Option<&Registry>,
) -> Result<Parsed, EndpointErrors> {
    let mut cx = Cx {
        out: Collector::new(origin.to_string(), text),
    };
    let spec: FileSpec = match toml::from_str(text) {
        Ok(s) => s,
        Err(e) => {
            cx.err(e.span().unwrap_or(0..0), e.message().trim_end().to_string());
            return Err(EndpointErrors(cx.out.errors));
        }
    };
    let Some(pid) = ProviderId::from_name(spec.provider.get_ref()) else {
        cx.err(
            spec.provider.span(),
            format!(
                "unknown provider `{}`; endpoint files add endpoints to {}",
                spec.provider.get_ref(),
                ProviderId::names()
            ),
        );
        return Err(EndpointErrors(cx.out.errors));
    };
    if provider.is_some_and(|p| p != pid) {
        cx.err(
            spec.provider.span(),
            "this file belongs to another provider".into(),
        );
    }
    // A user file starts from its provider's built-in defaults.
    let inherited = if provider.is_none() {
        builtin_defaults(pid)
    } else {
        DefaultsSpec::default()
    };
    let defaults = merge(&spec.defaults, &inherited);
    let mut endpoints: Vec<Endpoint> = Vec::new();
    for e in &spec.endpoint {
        let id = e.get_ref().id.get_ref();
        let taken = known.and_then(|r| r.find(id)).map(|e| e.origin.to_string());
        if let Some(origin) = taken {
            cx.err(
                e.get_ref().id.span(),
                format!(
                    "endpoint `{id}` is already described ({origin}); give this one another id"
                ),
            );
        } else if endpoints.iter().any(|x| x.id == *id) {
            cx.err(
                e.get_ref().id.span(),
                format!("endpoint `{id}` is described twice in this file"),
            );
        }
        if let Some(ep) = cx.endpoint(pid, &defaults, e.get_ref(), origin) {
            let same =
                |x: &Endpoint| x.method == ep.method && route_of(&x.path) == route_of(&ep.path);
            let clash = known
                .and_then(|r| r.all().find(|x| same(x)))
                .map(|x| x.id.clone())
                .or_else(|| endpoints.iter().find(|x| same(x)).map(|x| x.id.clone()));
            if let Some(other) = clash {
                cx.err(
                    e.get_ref().path.span(),
                    format!(
                        "{} {} is already the request of `{other}`; one request, one endpoint",
                        ep.method.as_str(),
                        ep.path
                    ),
                );
            }
            endpoints.push(ep);
        }
    }
    if cx.out.errors.is_empty() {
        Ok(Parsed { endpoints })
    } else {
        Err(EndpointErrors(cx.out.errors))
    }
}

/// The `[defaults]` table of a provider's built-in file.
fn builtin_defaults(pid: ProviderId) -> DefaultsSpec {
    super::BUILTIN
        .iter()
        .find(|(id, _, _)| *id == pid)
        .and_then(|(_, text, _)| toml::from_str::<FileSpec>(text).ok())
        .map(|f| f.defaults)
        .unwrap_or_default()
}

fn merge(own: &DefaultsSpec, inherited: &DefaultsSpec) -> DefaultsSpec {
    DefaultsSpec {
        envelope: own.envelope.clone().or_else(|| inherited.envelope.clone()),
        empty: own.empty.clone().or_else(|| inherited.empty.clone()),
        json: own.json.clone().or_else(|| inherited.json.clone()),
        answer: own.answer.clone().or_else(|| inherited.answer.clone()),
    }
}

/// The files a pattern names: a path, or a glob (`endpoints/*.toml`), relative to
/// `base` unless absolute. Matches are taken in name order.
pub(super) fn expand(pattern: &str, base: &Path) -> Result<Vec<PathBuf>, EndpointErrors> {
    let full = if Path::new(pattern).is_absolute() {
        PathBuf::from(pattern)
    } else {
        base.join(pattern)
    };
    let fail = |message: String| EndpointErrors::whole(full.display().to_string(), message);
    let text = full.to_string_lossy().into_owned();
    let paths = glob::glob(&text).map_err(|e| fail(format!("bad file pattern: {e}")))?;
    let mut found: Vec<PathBuf> = paths.filter_map(Result::ok).collect();
    found.sort();
    if found.is_empty() {
        return Err(fail(
            "no endpoint file matches this path ([endpoints] files in aktar.toml)".into(),
        ));
    }
    Ok(found)
}

struct Cx<'a> {
    out: Collector<'a>,
}

impl Cx<'_> {
    fn err(&mut self, span: std::ops::Range<usize>, message: String) {
        self.out.err(span, message);
    }

    fn endpoint(
        &mut self,
        pid: ProviderId,
        defaults: &DefaultsSpec,
        e: &EndpointSpec,
        origin: &Origin,
    ) -> Option<Endpoint> {
        let before = self.out.errors.len();
        let id = e.id.get_ref().clone();
        let prefix = format!("{}.", pid.config_name());
        if !id.starts_with(&prefix) || id.len() == prefix.len() {
            self.err(
                e.id.span(),
                format!("an endpoint id starts with its provider: `{prefix}<name>`"),
            );
        }
        let method = Method::parse(e.method.get_ref()).or_else(|| {
            self.err(
                e.method.span(),
                format!(
                    "unknown method `{}`; use POST, PUT or PATCH",
                    e.method.get_ref()
                ),
            );
            None
        });
        let path = e.path.get_ref().clone();
        if !path.starts_with('/') {
            self.err(e.path.span(), "the path starts with /".into());
        }
        let holes = path_fields(&path);
        if holes.len() > 1 {
            self.err(
                e.path.span(),
                "a path carries at most one field, written {name}".into(),
            );
        }
        let envelope = match e.envelope.as_ref().or(defaults.envelope.as_ref()) {
            None => Envelope::Bare,
            Some(s) if s.get_ref() == "bare" => Envelope::Bare,
            Some(s) if !s.get_ref().trim().is_empty() => Envelope::Key(s.get_ref().clone()),
            Some(s) => {
                self.err(
                    s.span(),
                    "envelope is \"bare\" or the key that wraps the fields".into(),
                );
                Envelope::Bare
            }
        };
        let empty = self
            .empty(e.empty.as_ref().or(defaults.empty.as_ref()))
            .unwrap_or(Empty::Omit);
        let native = match e.json.as_ref().or(defaults.json.as_ref()) {
            None => true,
            Some(s) if s.get_ref() == "native" => true,
            Some(s) if s.get_ref() == "string" => false,
            Some(s) => {
                self.err(
                    s.span(),
                    "json is \"string\" (every value a JSON string) or \"native\"".into(),
                );
                true
            }
        };
        let answer = match e.answer.as_ref().or(defaults.answer.as_ref()) {
            None => Answer {
                status_field: None,
                success: serde_json::Value::Null,
            },
            Some(a) => self.answer(a),
        };
        let mut fields = Vec::new();
        for (name, f) in e.fields.get_ref() {
            if let Some(def) = self.field(name, f, native) {
                fields.push(def);
            }
        }
        if fields.is_empty() && self.out.errors.len() == before {
            self.err(e.fields.span(), "an endpoint needs fields".into());
        }
        let path_field = holes.first().cloned();
        if let Some(p) = &path_field {
            match fields.iter().find(|f| &f.name == p) {
                None => self.err(
                    e.path.span(),
                    format!("the path carries `{p}`, which is not one of the fields"),
                ),
                Some(f) if !f.required => self.err(
                    e.path.span(),
                    format!("`{p}` goes into the path, so it must be required = true"),
                ),
                Some(_) => {}
            }
        }
        let references = self.references(e.references.as_ref());
        let statement = self.statement(e.statement.as_ref(), &fields);
        let mut rules = Vec::new();
        for r in &e.rule {
            let spec = r.get_ref();
            let names = std::iter::once(&spec.when.field).chain(&spec.require);
            for n in names {
                if !fields.iter().any(|f| &f.name == n) {
                    self.err(r.span(), format!("rule names `{n}`, which is not a field"));
                }
            }
            let (equals, shown) = match &spec.when.equals {
                toml::Value::Boolean(b) => (Lit::Bool(*b), b.to_string()),
                toml::Value::String(s) => (Lit::Str(s.clone()), format!("'{s}'")),
                _ => {
                    self.err(
                        r.span(),
                        "a rule compares with true, false or a text".into(),
                    );
                    continue;
                }
            };
            rules.push(CondRequired {
                label: format!("{} == {shown}", spec.when.field),
                field: spec.when.field.clone(),
                equals,
                then: spec.require.clone(),
            });
        }
        if self.out.errors.len() > before {
            return None;
        }
        Some(Endpoint {
            id,
            provider: pid,
            page: e.page.clone().unwrap_or_default(),
            method: method?,
            path,
            path_field,
            envelope,
            empty,
            idempotent: e.idempotent,
            answer,
            references,
            statement,
            fields,
            rules,
            description: e.description.clone().unwrap_or_default(),
            origin: origin.clone(),
        })
    }

    fn empty(&mut self, s: Option<&Spanned<String>>) -> Option<Empty> {
        let s = s?;
        Empty::parse(s.get_ref()).or_else(|| {
            self.err(s.span(), format!("empty is {}", Empty::NAMES));
            None
        })
    }

    fn references(&mut self, r: Option<&Spanned<Vec<String>>>) -> Vec<String> {
        let Some(r) = r else {
            return Vec::new();
        };
        if r.get_ref().iter().any(|p| !p.starts_with('/')) {
            self.err(
                r.span(),
                "references are JSON pointers into the answer, such as \"/data/document_no\""
                    .into(),
            );
        }
        r.get_ref().clone()
    }

    /// Each part of a statement line names one of the endpoint's fields.
    fn statement(
        &mut self,
        s: Option<&Spanned<StatementSpec>>,
        fields: &[super::FieldDef],
    ) -> StatementFields {
        let Some(s) = s else {
            return StatementFields::default();
        };
        let spec = s.get_ref();
        let parts = [
            &spec.customer,
            &spec.amount,
            &spec.sign,
            &spec.date,
            &spec.hour,
            &spec.comment,
        ];
        for name in parts.into_iter().flatten() {
            if !fields.iter().any(|f| &f.name == name) {
                self.err(
                    s.span(),
                    format!("statement names `{name}`, which is not a field"),
                );
            }
        }
        StatementFields {
            customer: spec.customer.clone(),
            amount: spec.amount.clone(),
            sign: spec.sign.clone(),
            date: spec.date.clone(),
            hour: spec.hour.clone(),
            comment: spec.comment.clone(),
        }
    }

    fn answer(&mut self, a: &Spanned<AnswerSpec>) -> Answer {
        let spec = a.get_ref();
        let success = match &spec.success {
            None => serde_json::Value::Null,
            Some(v) => match serde_json::to_value(v) {
                Ok(j) => j,
                Err(e) => {
                    self.err(a.span(), format!("answer.success: {e}"));
                    serde_json::Value::Null
                }
            },
        };
        match &spec.status_field {
            Some(p) if !p.starts_with('/') => {
                self.err(
                    a.span(),
                    "answer.status_field is a JSON pointer such as \"/status\"".into(),
                );
            }
            Some(_) if success.is_null() => {
                self.err(
                    a.span(),
                    "answer.status_field needs the value that means success".into(),
                );
            }
            _ => {}
        }
        Answer {
            status_field: spec.status_field.clone(),
            success,
        }
    }
}

/// A path with its field names blanked: `/a/{id}` and `/a/{code}` are one route.
fn route_of(path: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in path.chars() {
        match c {
            '{' => {
                inside = true;
                out.push('{');
            }
            '}' => {
                inside = false;
                out.push('}');
            }
            _ if inside => {}
            c => out.push(c),
        }
    }
    out
}

/// The `{name}`s of a path.
fn path_fields(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        out.push(after[..close].to_string());
        rest = &after[close + 1..];
    }
    out
}
