//! One field of an endpoint file checked and built: its type, JSON wire form, format,
//! pattern, bounds, check and empty rule.

use rust_decimal::Decimal;
use toml::Spanned;

use super::Cx;
use super::spec::FieldSpec;
use crate::providers::{FieldDef, FieldType, ItemType, Json, Pattern};
use crate::turkish::checks::Check;
use crate::turkish::date;

impl Cx<'_> {
    pub(super) fn field(
        &mut self,
        name: &str,
        spanned: &Spanned<FieldSpec>,
        native: bool,
    ) -> Option<FieldDef> {
        let before = self.out.errors.len();
        let f = spanned.get_ref();
        let item = match f.items.as_ref().map(|i| i.get_ref().as_str()) {
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
        };
        let ty = FieldType::from_name(f.ty.get_ref(), item).unwrap_or_else(|| {
            self.err(
                f.ty.span(),
                format!(
                    "`{name}`: unknown type `{}`; use string, integer, decimal, bool, date, datetime, time or list",
                    f.ty.get_ref()
                ),
            );
            FieldType::String
        });
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
        if self.out.errors.len() > before {
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
