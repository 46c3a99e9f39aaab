//! A job file as written: parsed strictly (unknown keys are errors naming the key),
//! with the spans of the values that later checks point at, so every mistake is
//! reported at its line and column like a mapping file's.

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use toml::Spanned;

use crate::notify::NotifyConfig;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobSpec {
    /// Names the night's report folder and appears in the mail subject.
    pub name: Spanned<String>,
    /// The configuration file; relative to the job file. Else the usual lookup.
    pub config: Option<Spanned<String>>,
    /// Overrides `[notify]` of the configuration for this job.
    pub notify: Option<NotifyConfig>,
    #[serde(default, rename = "step")]
    pub steps: Vec<Spanned<StepSpec>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepSpec {
    pub name: Spanned<String>,
    pub mapping: Spanned<String>,
    pub input: Option<Spanned<InputSpec>>,
    pub inputs: Option<Spanned<Vec<Spanned<InputSpec>>>>,
    /// A folder the inputs are moved to after a step that was not stopped.
    pub archive: Option<Spanned<String>>,
    #[serde(default)]
    pub after: Vec<Spanned<String>>,
}

/// `"path"`, or a table: `{ path = "..." }` / `{ glob = "...", pick = "newest" }`,
/// both with an optional `max_age` and `missing`.
#[derive(Debug, Clone)]
pub enum InputSpec {
    Path(String),
    Table(InputTable),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputTable {
    pub path: Option<String>,
    pub glob: Option<String>,
    /// `all` (default: every match, in name order) or `newest` (by modification time).
    pub pick: Option<String>,
    /// A file older than this is refused: `20h`, `2d`, `90m`.
    pub max_age: Option<String>,
    /// `error` (default) or `skip`: what no matching file means.
    pub missing: Option<String>,
}

impl<'de> Deserialize<'de> for InputSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = InputSpec;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "a path, or a table such as { glob = \"/srv/exports/cari_*.csv\", pick = \"newest\" }",
                )
            }

            fn visit_str<E: de::Error>(self, s: &str) -> Result<InputSpec, E> {
                Ok(InputSpec::Path(s.to_owned()))
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<InputSpec, A::Error> {
                // The table's own deserializer keeps `deny_unknown_fields` and its
                // message naming the key.
                InputTable::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(InputSpec::Table)
            }
        }
        d.deserialize_any(V)
    }
}

/// `20h`, `2d`, `90m`, `45min`, `30s`: how old an input may be.
pub fn parse_age(s: &str) -> Result<std::time::Duration, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("`{s}`: write an age such as 20h, 2d or 90m"))?;
    let secs = match unit.trim() {
        "s" => 1,
        "m" | "min" => 60,
        "h" => 3600,
        "d" => 86_400,
        "" => return Err(format!("`{s}`: give a unit: s, m, h or d")),
        other => return Err(format!("`{s}`: unknown unit `{other}`; use s, m, h or d")),
    };
    match n.checked_mul(secs) {
        Some(0) => Err(format!("`{s}` must be above zero")),
        Some(v) => Ok(std::time::Duration::from_secs(v)),
        None => Err(format!("`{s}` is too long")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages() {
        assert_eq!(parse_age("20h").unwrap().as_secs(), 72_000);
        assert_eq!(parse_age("2d").unwrap().as_secs(), 172_800);
        assert_eq!(parse_age("90m").unwrap().as_secs(), 5_400);
        assert_eq!(parse_age(" 30s ").unwrap().as_secs(), 30);
        assert!(parse_age("20").unwrap_err().contains("unit"));
        assert!(parse_age("0h").is_err());
        assert!(parse_age("h").is_err());
        assert!(parse_age("3w").unwrap_err().contains("`w`"));
    }

    #[test]
    fn inputs_are_a_path_or_a_table() {
        let text = r#"
name = "gece"
[[step]]
name = "a"
mapping = "m.toml"
inputs = ["x.csv", { glob = "y_*.csv", pick = "newest", max_age = "20h" }]
"#;
        let spec: JobSpec = toml::from_str(text).unwrap();
        let step = spec.steps[0].get_ref();
        let inputs = step.inputs.as_ref().unwrap().get_ref();
        assert!(matches!(inputs[0].get_ref(), InputSpec::Path(p) if p == "x.csv"));
        match inputs[1].get_ref() {
            InputSpec::Table(t) => {
                assert_eq!(t.glob.as_deref(), Some("y_*.csv"));
                assert_eq!(t.pick.as_deref(), Some("newest"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_unknown_key_in_an_input_table_is_named() {
        let text = "name = \"g\"\n[[step]]\nname = \"a\"\nmapping = \"m\"\ninput = { glob = \"*.csv\", newest = true }\n";
        let e = toml::from_str::<JobSpec>(text).unwrap_err();
        assert!(e.message().contains("newest"), "{}", e.message());
    }
}
