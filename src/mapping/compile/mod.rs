//! Checks a parsed mapping against its endpoint and builds a [`Mapping`]. Every check
//! that can fail records an error with a span and goes on, so `aktar mapping lint`
//! shows all the mistakes of a file at once.

use std::ops::Range;
use std::path::Path;

use toml::Spanned;

use super::spec::{FieldSpec, MappingFile, OneOrMany};
use super::{Field, Mapping, MappingErrors, Transform, cond, name_of, template};
use crate::providers::{Empty, Endpoint, FieldDef, FieldType, Json, Pattern, Registry};
use crate::read::SkipIf;
use crate::turkish::case::fold;
use crate::turkish::checks::Check;
use crate::turkish::date;
mod reconcile;
mod source;
mod values;

use crate::located::Collector;
pub use crate::located::line_col;
pub(crate) use values::format_fits;
use values::{compatible, parse_type};

/// Reads and compiles a mapping file against the built-in endpoints.
pub fn load(path: &Path) -> Result<Mapping, MappingErrors> {
    load_with(path, Registry::builtin())
}

/// Reads and compiles a mapping file against the endpoints of `registry`.
pub fn load_with(path: &Path, registry: &Registry) -> Result<Mapping, MappingErrors> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        MappingErrors::whole(
            path.display().to_string(),
            format!("cannot read the mapping file: {e}"),
        )
    })?;
    load_str_with(path, &text, registry)
}

/// Compiles mapping text against the built-in endpoints; `path` names it in messages
/// and gives the mapping its name.
pub fn load_str(path: &Path, text: &str) -> Result<Mapping, MappingErrors> {
    load_str_with(path, text, Registry::builtin())
}

/// Compiles mapping text against the endpoints of `registry`.
pub fn load_str_with(
    path: &Path,
    text: &str,
    registry: &Registry,
) -> Result<Mapping, MappingErrors> {
    let mut cx = Cx {
        out: Collector::new(path.display().to_string(), text),
        columns: Vec::new(),
    };
    let spec: MappingFile = match toml::from_str(text) {
        Ok(s) => s,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            cx.err(span, e.message().trim_end().to_string());
            return Err(MappingErrors(cx.out.errors));
        }
    };
    let Some(endpoint) = registry.find(spec.endpoint.get_ref()) else {
        let known = registry.ids();
        cx.err(
            spec.endpoint.span(),
            format!(
                "unknown endpoint `{}`; known endpoints: {}",
                spec.endpoint.get_ref(),
                known.join(", ")
            ),
        );
        return Err(MappingErrors(cx.out.errors));
    };
    let key = match template::parse(spec.key.get_ref(), |n| cx.column(n)) {
        Ok(t) if !t.parts.is_empty() => Some(t),
        Ok(_) => {
            cx.err(spec.key.span(), "the key is empty".to_string());
            None
        }
        Err(m) => {
            cx.err(spec.key.span(), m);
            None
        }
    };
    let (source, decimal) = cx.source(&spec.source);
    let total_row = cx.total_row(&spec.source);

    let mut fields = Vec::new();
    for (name, fspec) in spec.fields.get_ref() {
        let Some(def) = endpoint.field(name) else {
            cx.err(
                fspec.span(),
                format!(
                    "`{name}` is not a field of {}; its fields are: {}",
                    endpoint.id,
                    endpoint.field_names()
                ),
            );
            continue;
        };
        if let Some(f) = cx.field(endpoint, def, fspec) {
            fields.push(f);
        }
    }
    for def in endpoint.fields.iter().filter(|d| d.required) {
        if !spec.fields.get_ref().contains_key(&def.name) {
            cx.err(
                spec.fields.span(),
                format!(
                    "{} requires the field `{}` ({}), which this mapping does not set",
                    endpoint.id, def.name, def.doc
                ),
            );
        }
    }
    let targets: Vec<&str> = fields.iter().map(|f: &Field| f.def.name.as_str()).collect();
    for (name, fspec) in spec.fields.get_ref() {
        if let (Some(rif), Some(f)) = (
            &fspec.get_ref().required_if,
            fields.iter().find(|f| &f.def.name == name),
        ) && let Some(c) = &f.required_if
        {
            for used in c.fields() {
                if !targets.contains(&used) {
                    cx.err(
                        rif.span(),
                        format!("required_if refers to `{used}`, which this mapping does not set"),
                    );
                }
            }
        }
    }
    fields.sort_by_key(|f| endpoint.field_index(&f.def.name));
    let reconcile = spec
        .reconcile
        .as_ref()
        .and_then(|r| cx.reconcile(r, endpoint));

    if !cx.out.errors.is_empty() {
        return Err(MappingErrors(cx.out.errors));
    }
    let mut source = source;
    source.expected_columns = cx.columns.clone();
    if let Some(t) = &total_row {
        source.skip_if.push(SkipIf {
            column: t.column.clone(),
            matches: t.matches.clone(),
        });
    }
    Ok(Mapping {
        name: name_of(path),
        path: path.to_path_buf(),
        endpoint,
        key: key.unwrap_or(template::Template { parts: Vec::new() }),
        source,
        decimal,
        columns: cx.columns,
        fields,
        total_row,
        reconcile,
    })
}

struct Cx<'a> {
    out: Collector<'a>,
    columns: Vec<String>,
}

impl Cx<'_> {
    fn err(&mut self, span: Range<usize>, message: String) {
        self.out.err(span, message);
    }

    fn column(&mut self, name: &str) -> usize {
        let name = name.trim();
        if let Some(i) = self.columns.iter().position(|c| fold(c) == fold(name)) {
            return i;
        }
        self.columns.push(name.to_string());
        self.columns.len() - 1
    }

    fn field(
        &mut self,
        endpoint: &Endpoint,
        def: &'static FieldDef,
        spanned: &Spanned<FieldSpec>,
    ) -> Option<Field> {
        let span = spanned.span();
        let s = spanned.get_ref();
        let name = def.name.as_str();
        let before = self.out.errors.len();

        let ty = match &s.ty {
            None => def.ty,
            Some(t) => match parse_type(t.get_ref(), def.ty) {
                Some(ty) if compatible(ty, def.ty) => ty,
                Some(ty) => {
                    self.err(
                        t.span(),
                        format!(
                            "`{name}`: type {ty} cannot go into this field; {} takes {}",
                            endpoint.id, def.ty
                        ),
                    );
                    def.ty
                }
                None => {
                    self.err(
                        t.span(),
                        format!(
                            "`{name}`: unknown type `{}`; use string, integer, decimal, bool, date, datetime, time or list",
                            t.get_ref()
                        ),
                    );
                    def.ty
                }
            },
        };

        let sources = [
            s.from.is_some(),
            s.template.is_some(),
            s.value.is_some(),
            s.debit_credit.is_some(),
        ];
        let source = match sources.iter().filter(|b| **b).count() {
            0 => {
                self.err(
                    span.clone(),
                    format!("`{name}` needs one of from, template, value or debit_credit"),
                );
                None
            }
            1 => self.value_source(name, s, ty),
            _ => {
                self.err(
                    span.clone(),
                    format!("`{name}`: use only one of from, template, value and debit_credit"),
                );
                None
            }
        };
        if s.emit.is_some() && s.debit_credit.is_none() {
            self.err(
                span.clone(),
                format!("`{name}`: emit goes with debit_credit"),
            );
        }
        if s.join.is_some()
            && !matches!(
                s.from.as_ref().map(|f| f.get_ref()),
                Some(OneOrMany::Many(_))
            )
        {
            self.err(
                span.clone(),
                format!("`{name}`: join needs a list of columns in from"),
            );
        }

        let default = s
            .default
            .as_ref()
            .and_then(|v| self.scalar(name, "default", v));
        let format = match &s.format {
            Some(f) => {
                if !matches!(ty, FieldType::Date | FieldType::DateTime | FieldType::Time) {
                    self.err(
                        f.span(),
                        format!("`{name}`: format is for date, datetime and time fields"),
                    );
                }
                if let Err(m) = date::check_output_format(f.get_ref()) {
                    self.err(f.span(), format!("`{name}`: bad format: {m}"));
                } else if !format_fits(f.get_ref(), ty) {
                    self.err(
                        f.span(),
                        format!(
                            "`{name}`: format `{}` asks for parts a {ty} does not have",
                            f.get_ref()
                        ),
                    );
                }
                Some(f.get_ref().clone())
            }
            None => match ty {
                FieldType::Date | FieldType::DateTime | FieldType::Time => {
                    // The page's format when the field has the same type; a date
                    // written into a datetime field takes the datetime's format.
                    let same = if ty == def.ty {
                        def.format.clone()
                    } else {
                        None
                    };
                    Some(same.unwrap_or_else(|| {
                        match ty {
                            FieldType::Date => "%Y-%m-%d",
                            FieldType::DateTime => "%Y-%m-%d %H:%M:%S",
                            _ => "%H:%M",
                        }
                        .to_string()
                    }))
                }
                _ => None,
            },
        };
        let scale = s.scale.as_ref().and_then(|sc| {
            if ty != FieldType::Decimal {
                self.err(sc.span(), format!("`{name}`: scale is for decimal fields"));
                return None;
            }
            match u32::try_from(*sc.get_ref()) {
                Ok(n) if n <= 20 => Some(n),
                _ => {
                    self.err(
                        sc.span(),
                        format!("`{name}`: scale must be between 0 and 20"),
                    );
                    None
                }
            }
        });
        let mut input_formats = Vec::new();
        let mut input_labels = Vec::new();
        if let Some(fs) = &s.input_format {
            if !matches!(ty, FieldType::Date | FieldType::DateTime | FieldType::Time) {
                self.err(
                    fs.span(),
                    format!("`{name}`: input_format is for date, datetime and time fields"),
                );
            }
            for f in fs.get_ref().to_vec() {
                match date::compile_input_format(&f) {
                    Ok(sf) => {
                        input_formats.push(sf);
                        input_labels.push(f);
                    }
                    Err(m) => self.err(fs.span(), format!("`{name}`: bad input_format `{f}`: {m}")),
                }
            }
        }
        let (strict, drop_time) = self.forms(name, s, ty);
        let required_if = s
            .required_if
            .as_ref()
            .and_then(|r| match cond::parse(r.get_ref()) {
                Ok(c) => Some(c),
                Err(m) => {
                    self.err(r.span(), format!("`{name}`: required_if: {m}"));
                    None
                }
            });
        let mut checks = Vec::new();
        if let Some(c) = &s.check {
            match Check::from_name(c.get_ref()) {
                Some(ch) => checks.push(ch),
                None => {
                    let names: Vec<_> = Check::ALL.iter().map(|c| c.name()).collect();
                    self.err(
                        c.span(),
                        format!(
                            "`{name}`: unknown check `{}`; use one of {}",
                            c.get_ref(),
                            names.join(", ")
                        ),
                    );
                }
            }
        }
        if let Some(ch) = def.check
            && !checks.contains(&ch)
        {
            checks.push(ch);
        }
        let pattern = s
            .pattern
            .as_ref()
            .and_then(|p| match Pattern::new(p.get_ref()) {
                Ok(p) => Some(p),
                Err(e) => {
                    self.err(p.span(), format!("`{name}`: bad pattern: {e}"));
                    None
                }
            });
        let min_len = s
            .min_len
            .as_ref()
            .and_then(|v| self.length(name, "min_len", v));
        let max_len = s
            .max_len
            .as_ref()
            .and_then(|v| self.length(name, "max_len", v));
        let min = s.min.as_ref().and_then(|v| self.bound(name, "min", ty, v));
        let max = s.max.as_ref().and_then(|v| self.bound(name, "max", ty, v));
        let one_of: Vec<String> = s
            .one_of
            .as_ref()
            .map(|v| {
                v.get_ref()
                    .iter()
                    .filter_map(|x| self.scalar_at(name, "one_of", v.span(), x))
                    .collect()
            })
            .unwrap_or_default();
        let map = self.value_map(name, s);
        if s.map_default.is_some() && s.map.is_none() {
            self.err(span.clone(), format!("`{name}`: map_default goes with map"));
        }
        let mut transforms = Vec::new();
        if let Some(t) = &s.transform {
            for tn in t.get_ref().to_vec() {
                match Transform::from_name(&tn) {
                    Some(Some(tr)) => transforms.push(tr),
                    Some(None) => {}
                    None => self.err(
                        t.span(),
                        format!(
                            "`{name}`: unknown transform `{tn}`; use {}",
                            Transform::NAMES.join(", ")
                        ),
                    ),
                }
            }
        }
        if transforms.contains(&Transform::Abs)
            && !matches!(ty, FieldType::Decimal | FieldType::Integer)
        {
            self.err(
                span.clone(),
                format!("`{name}`: the abs transform is for numbers"),
            );
        }
        let split = match &s.split {
            Some(sp) => {
                if !matches!(ty, FieldType::List(_)) {
                    self.err(sp.span(), format!("`{name}`: split is for list fields"));
                }
                if sp.get_ref().is_empty() {
                    self.err(sp.span(), format!("`{name}`: split must not be empty"));
                }
                sp.get_ref().clone()
            }
            None => ",".to_string(),
        };
        let empty = self.empty(endpoint, def, s);
        if self.out.errors.len() > before {
            return None;
        }
        let ruled = !checks.is_empty()
            || pattern.is_some()
            || min_len.is_some()
            || max_len.is_some()
            || min.is_some()
            || max.is_some()
            || !one_of.is_empty()
            || !def.one_of.is_empty()
            || def.pattern.is_some()
            || def.min.is_some();
        Some(Field {
            def,
            empty,
            source: source?,
            ty,
            default,
            format,
            scale,
            input_formats,
            input_labels,
            strict,
            drop_time,
            required: s.required.unwrap_or(false) || def.required,
            required_if,
            checks,
            pattern,
            min_len,
            max_len,
            min,
            max,
            one_of,
            map,
            transforms,
            split,
            ruled,
        })
    }
}

impl Cx<'_> {
    /// What an empty value of this field becomes: the mapping's `empty`, else the
    /// page field's own, else the endpoint's. `""` only goes where a JSON string does:
    /// a field sent as a number, boolean or array falls back to leaving it out.
    fn empty(&mut self, endpoint: &Endpoint, def: &FieldDef, s: &FieldSpec) -> Empty {
        let inherited = def.empty.unwrap_or(endpoint.empty);
        let Some(e) = &s.empty else {
            return if inherited == Empty::Send && def.json != Json::String {
                Empty::Omit
            } else {
                inherited
            };
        };
        match Empty::parse(e.get_ref()) {
            Some(Empty::Send) if def.json != Json::String => {
                self.err(
                    e.span(),
                    format!(
                        "`{}`: empty = \"send\" sends \"\", but {} takes this field as a JSON {}; use \"omit\" or \"null\"",
                        def.name,
                        endpoint.id,
                        def.json.name()
                    ),
                );
                inherited
            }
            Some(x) => x,
            None => {
                self.err(
                    e.span(),
                    format!("`{}`: empty is {}", def.name, Empty::NAMES),
                );
                inherited
            }
        }
    }
}

#[cfg(test)]
mod lint_tests;
#[cfg(test)]
mod prop_tests;
#[cfg(test)]
mod tests;
