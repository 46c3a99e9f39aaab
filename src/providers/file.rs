//! Endpoint files: the built-in `endpoints.toml` of each provider and the user's own.
//! Parsed in two stages like mapping files: serde with unknown keys refused, then each
//! endpoint checked (types, wire forms, formats, patterns, path fields, rules), every
//! mistake kept with its line and column so that one pass shows them all.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use rust_decimal::Decimal;
use serde::Deserialize;
use toml::Spanned;

use super::{
    Answer, CondRequired, Empty, Endpoint, Envelope, FieldDef, FieldType, ItemType, Json, Lit,
    Method, Origin, Pattern, ProviderId, Registry,
};
use crate::mapping::compile::line_col;
use crate::turkish::checks::Check;
use crate::turkish::date;

/// A mistake in an endpoint file, at a line and column of it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct EndpointError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// All the mistakes found in one endpoint file.
#[derive(Debug, thiserror::Error)]
pub struct EndpointErrors(pub Vec<EndpointError>);

impl std::fmt::Display for EndpointErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSpec {
    provider: Spanned<String>,
    #[serde(default)]
    defaults: DefaultsSpec,
    #[serde(default)]
    endpoint: Vec<Spanned<EndpointSpec>>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct DefaultsSpec {
    envelope: Option<Spanned<String>>,
    empty: Option<Spanned<String>>,
    json: Option<Spanned<String>>,
    answer: Option<Spanned<AnswerSpec>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswerSpec {
    status_field: Option<String>,
    success: Option<toml::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EndpointSpec {
    id: Spanned<String>,
    page: Option<String>,
    method: Spanned<String>,
    path: Spanned<String>,
    idempotent: bool,
    description: Option<String>,
    envelope: Option<Spanned<String>>,
    empty: Option<Spanned<String>>,
    json: Option<Spanned<String>>,
    answer: Option<Spanned<AnswerSpec>>,
    fields: Spanned<IndexMap<String, Spanned<FieldSpec>>>,
    #[serde(default)]
    rule: Vec<Spanned<RuleSpec>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldSpec {
    #[serde(rename = "type")]
    ty: Spanned<String>,
    items: Option<Spanned<String>>,
    json: Option<Spanned<String>>,
    #[serde(default)]
    required: bool,
    format: Option<Spanned<String>>,
    one_of: Option<Vec<String>>,
    pattern: Option<Spanned<String>>,
    min: Option<Spanned<String>>,
    check: Option<Spanned<String>>,
    empty: Option<Spanned<String>>,
    #[serde(default)]
    doc: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    when: WhenSpec,
    require: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WhenSpec {
    field: String,
    equals: toml::Value,
}

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
        file: origin.to_string(),
        text,
        errors: Vec::new(),
    };
    let spec: FileSpec = match toml::from_str(text) {
        Ok(s) => s,
        Err(e) => {
            cx.err(e.span().unwrap_or(0..0), e.message().trim_end().to_string());
            return Err(EndpointErrors(cx.errors));
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
        return Err(EndpointErrors(cx.errors));
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
    if cx.errors.is_empty() {
        Ok(Parsed { endpoints })
    } else {
        Err(EndpointErrors(cx.errors))
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
    let fail = |message: String| {
        EndpointErrors(vec![EndpointError {
            file: full.display().to_string(),
            line: 0,
            column: 0,
            message,
        }])
    };
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
    file: String,
    text: &'a str,
    errors: Vec<EndpointError>,
}

impl Cx<'_> {
    fn err(&mut self, span: std::ops::Range<usize>, message: String) {
        let (line, column) = line_col(self.text, span.start);
        self.errors.push(EndpointError {
            file: self.file.clone(),
            line,
            column,
            message,
        });
    }

    fn endpoint(
        &mut self,
        pid: ProviderId,
        defaults: &DefaultsSpec,
        e: &EndpointSpec,
        origin: &Origin,
    ) -> Option<Endpoint> {
        let before = self.errors.len();
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
        if fields.is_empty() && self.errors.len() == before {
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
        if self.errors.len() > before {
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

    fn field(
        &mut self,
        name: &str,
        spanned: &Spanned<FieldSpec>,
        native: bool,
    ) -> Option<FieldDef> {
        let before = self.errors.len();
        let f = spanned.get_ref();
        let ty = match f.ty.get_ref().as_str() {
            "string" => FieldType::String,
            "integer" => FieldType::Integer,
            "decimal" => FieldType::Decimal,
            "bool" => FieldType::Bool,
            "date" => FieldType::Date,
            "datetime" => FieldType::DateTime,
            "time" => FieldType::Time,
            "list" => FieldType::List(match f.items.as_ref().map(|i| i.get_ref().as_str()) {
                None | Some("string") => ItemType::String,
                Some("integer") => ItemType::Integer,
                Some(other) => {
                    let span = f.items.as_ref().map_or(spanned.span(), Spanned::span);
                    self.err(
                        span,
                        format!("`{name}`: list items are string or integer, not `{other}`"),
                    );
                    ItemType::String
                }
            }),
            other => {
                self.err(
                    f.ty.span(),
                    format!(
                        "`{name}`: unknown type `{other}`; use string, integer, decimal, bool, date, datetime, time or list"
                    ),
                );
                FieldType::String
            }
        };
        if f.items.is_some() && !matches!(ty, FieldType::List(_)) {
            self.err(
                spanned.span(),
                format!("`{name}`: items is for list fields"),
            );
        }
        let natural = match ty {
            FieldType::Integer if native => Json::Number,
            FieldType::Bool if native => Json::Boolean,
            FieldType::List(_) => Json::Array,
            _ => Json::String,
        };
        let json = match &f.json {
            None => natural,
            Some(j) => {
                let json = match j.get_ref().as_str() {
                    "string" => Json::String,
                    "number" => Json::Number,
                    "boolean" => Json::Boolean,
                    "array" => Json::Array,
                    other => {
                        self.err(
                            j.span(),
                            format!(
                                "`{name}`: json is string, number, boolean or array, not `{other}`"
                            ),
                        );
                        natural
                    }
                };
                let fits = match (ty, json) {
                    (FieldType::List(_), j) => j == Json::Array,
                    (_, Json::String) => true,
                    (FieldType::Integer, Json::Number) => true,
                    (FieldType::Bool, Json::Boolean) => true,
                    _ => false,
                };
                if !fits {
                    let why = if ty == FieldType::Decimal {
                        " (decimals go as JSON strings so that amounts stay exact)"
                    } else {
                        ""
                    };
                    self.err(
                        j.span(),
                        format!(
                            "`{name}`: a {ty} field cannot be sent as a JSON {}{why}",
                            json.name()
                        ),
                    );
                }
                json
            }
        };
        let format = f.format.as_ref().map(|fm| {
            if !matches!(ty, FieldType::Date | FieldType::DateTime | FieldType::Time) {
                self.err(
                    fm.span(),
                    format!("`{name}`: format is for date, datetime and time fields"),
                );
            } else if let Err(m) = date::check_output_format(fm.get_ref()) {
                self.err(fm.span(), format!("`{name}`: bad format: {m}"));
            } else if !crate::mapping::compile::format_fits(fm.get_ref(), ty) {
                self.err(
                    fm.span(),
                    format!(
                        "`{name}`: format `{}` asks for parts a {ty} does not have",
                        fm.get_ref()
                    ),
                );
            }
            fm.get_ref().clone()
        });
        let pattern = f
            .pattern
            .as_ref()
            .and_then(|p| match Pattern::new(p.get_ref()) {
                Ok(p) => Some(p),
                Err(e) => {
                    self.err(p.span(), format!("`{name}`: bad pattern: {e}"));
                    None
                }
            });
        let min = f.min.as_ref().and_then(|m| {
            if !matches!(ty, FieldType::Integer | FieldType::Decimal) {
                self.err(m.span(), format!("`{name}`: min is for numbers"));
                return None;
            }
            match m.get_ref().parse::<Decimal>() {
                Ok(d) => Some(d),
                Err(_) => {
                    self.err(
                        m.span(),
                        format!("`{name}`: min is a number in quotes, like \"0\""),
                    );
                    None
                }
            }
        });
        let check = f.check.as_ref().and_then(|c| {
            Check::from_name(c.get_ref()).or_else(|| {
                let names: Vec<_> = Check::ALL.iter().map(|c| c.name()).collect();
                self.err(
                    c.span(),
                    format!(
                        "`{name}`: unknown check `{}`; use one of {}",
                        c.get_ref(),
                        names.join(", ")
                    ),
                );
                None
            })
        });
        let empty = self.empty(f.empty.as_ref());
        if matches!(f.one_of.as_deref(), Some([])) {
            self.err(spanned.span(), format!("`{name}`: one_of needs values"));
        }
        if self.errors.len() > before {
            return None;
        }
        Some(FieldDef {
            name: name.to_string(),
            ty,
            json,
            required: f.required,
            format,
            one_of: f.one_of.clone().unwrap_or_default(),
            pattern,
            min,
            check,
            empty,
            doc: f.doc.clone(),
        })
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
