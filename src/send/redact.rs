//! Secrets out of a provider's words. A provider, or a proxy in front of it, may echo
//! the request in its error answer — headers, form fields, the whole body — and that
//! answer becomes a line in `failed.csv`, the journal and stderr. Every message from a
//! provider passes through [`Redactor::clean`] before it is stored or shown.
//!
//! A secret is looked for as it is, as a URL or form field encodes it, as JSON escapes
//! it, and in base64 — also inside a longer base64 text (an echoed `Authorization`
//! header, a body a proxy encoded whole), where only the part of its encoding that
//! does not depend on its neighbours can be recognised. Credentials obtained during the
//! run (a session from a login, a token from a token call) are added as they arrive.

use std::sync::RwLock;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::settings::{AuthSettings, Secret};

/// What a secret is replaced with.
pub const MASK: &str = "***";

/// The part of a base64 form shorter than this is not looked for: short runs of
/// base64 letters occur by chance in ordinary text.
const MIN_BASE64_CORE: usize = 6;

/// What each common encoder leaves as it is: RFC 3986's unreserved set (URLs), the
/// WHATWG form encoding (reqwest's and most servers' form bodies), and JavaScript's
/// `encodeURIComponent` (what a web proxy's error page tends to use).
const KEPT_BY: [&AsciiSet; 3] = [
    &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~'),
    &NON_ALPHANUMERIC
        .remove(b'*')
        .remove(b'-')
        .remove(b'.')
        .remove(b'_'),
    &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'!')
        .remove(b'~')
        .remove(b'*')
        .remove(b'\'')
        .remove(b'(')
        .remove(b')'),
];

#[derive(Debug, Default)]
pub struct Redactor {
    /// Every form of every secret, longest first, so that a longer form is masked
    /// before a shorter one inside it could leave pieces of it behind.
    forms: RwLock<Vec<String>>,
}

impl Redactor {
    /// A redactor that knows every secret of `auth`.
    pub fn for_auth(auth: &AuthSettings) -> Redactor {
        let r = Redactor::default();
        for s in secrets(auth) {
            r.add(s);
        }
        r
    }

    /// Learns one more secret, in all its forms.
    pub fn add(&self, secret: &Secret) {
        let value = secret.expose();
        if value.is_empty() {
            return;
        }
        let Ok(mut forms) = self.forms.write() else {
            return;
        };
        for f in forms_of(value) {
            if !forms.contains(&f) {
                forms.push(f);
            }
        }
        forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    }

    /// `text` with every known secret masked.
    pub fn clean(&self, text: &str) -> String {
        let Ok(forms) = self.forms.read() else {
            // A poisoned lock means a writer panicked while learning a secret; a
            // message that cannot be checked is not shown.
            return MASK.to_owned();
        };
        let mut out = text.to_owned();
        for f in forms.iter() {
            if out.contains(f.as_str()) {
                out = out.replace(f.as_str(), MASK);
            }
        }
        out
    }
}

/// The secrets a provider's settings hold.
fn secrets(auth: &AuthSettings) -> Vec<&Secret> {
    match auth {
        AuthSettings::Oduyo {
            api_key,
            session,
            login,
        } => {
            let mut v = vec![api_key];
            v.extend(session);
            v.extend(login.as_ref().map(|l| &l.password));
            v
        }
        AuthSettings::Bearer(token) => vec![token],
        AuthSettings::NetTahsilat { token, call } => {
            let mut v: Vec<&Secret> = token.iter().collect();
            v.extend(call.as_ref().map(|c| &c.client_secret));
            v
        }
    }
}

/// The forms a secret can take in an echoed request.
fn forms_of(value: &str) -> Vec<String> {
    let mut forms = vec![value.to_owned()];
    for kept in KEPT_BY {
        let percent = utf8_percent_encode(value, kept).to_string();
        // A form body writes a space as `+`.
        let form = percent.replace("%20", "+");
        forms.push(percent.to_ascii_lowercase_hex());
        forms.push(form.to_ascii_lowercase_hex());
        forms.push(form);
        forms.push(percent);
    }
    if let Ok(json) = serde_json::to_string(value)
        && let Some(inner) = json.strip_prefix('"').and_then(|j| j.strip_suffix('"'))
    {
        forms.push(inner.to_owned());
    }
    forms.retain(|f| !f.is_empty());
    forms.sort();
    forms.dedup();
    // A whole body encoded by a proxy holds the secret as that body carried it:
    // URL- or form-encoded, as well as plain.
    let texts = forms.clone();
    for text in &texts {
        for engine in [&STANDARD, &URL_SAFE] {
            forms.extend(base64_cores(engine, text.as_bytes()));
        }
    }
    forms.sort();
    forms.dedup();
    forms
}

/// The base64 letters that encode `bytes` wherever they stand in a longer text: for
/// each of the three positions a text can start at within a 3-byte group, the letters
/// that depend on `bytes` alone.
fn base64_cores(engine: &base64::engine::GeneralPurpose, bytes: &[u8]) -> Vec<String> {
    let mut cores = Vec::new();
    for lead in 0..3usize {
        let mut padded = vec![0u8; lead];
        padded.extend_from_slice(bytes);
        // Whole groups only: the letters of a last, partial group depend on what
        // follows the secret.
        let whole = padded.len() / 3 * 3;
        let encoded = engine.encode(&padded[..whole]);
        // The letters of the leading filler, and the one it shares with the secret.
        let skip = match lead {
            0 => 0,
            1 => 2,
            _ => 3,
        };
        let core = encoded.get(skip..).unwrap_or_default();
        if core.len() >= MIN_BASE64_CORE {
            cores.push(core.to_owned());
        }
    }
    // The plain encoding with its padding, as a header or a field carries it alone.
    cores.push(engine.encode(bytes));
    cores
}

trait LowerHex {
    /// `%2F` → `%2f`: some encoders write lowercase hex digits.
    fn to_ascii_lowercase_hex(&self) -> String;
}

impl LowerHex for String {
    fn to_ascii_lowercase_hex(&self) -> String {
        let mut out = String::with_capacity(self.len());
        let mut rest = self.as_str();
        while let Some(at) = rest.find('%') {
            let (before, after) = rest.split_at(at);
            out.push_str(before);
            let code = after.get(..3).unwrap_or(after);
            out.push_str(&code.to_ascii_lowercase());
            rest = &after[code.len()..];
        }
        out.push_str(rest);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redactor(secrets: &[&str]) -> Redactor {
        let r = Redactor::default();
        for s in secrets {
            r.add(&Secret::new(*s));
        }
        r
    }

    #[test]
    fn a_secret_is_masked_in_every_form() {
        let secret = "p@ss w/rd+ü\"x";
        let r = redactor(&[secret]);
        let percent = "p%40ss%20w%2Frd%2B%C3%BC%22x";
        let form = "p%40ss+w%2Frd%2B%C3%BC%22x";
        let json = serde_json::to_string(secret).unwrap();
        let b64 = STANDARD.encode(secret);
        for text in [
            secret.to_owned(),
            percent.to_owned(),
            percent.to_lowercase(),
            form.to_owned(),
            json.clone(),
            b64.clone(),
            URL_SAFE.encode(secret),
        ] {
            let cleaned = r.clean(&format!("echo: [{text}] end"));
            assert!(cleaned.starts_with("echo: [") && cleaned.ends_with("] end"));
            assert!(cleaned.contains(MASK), "{text} → {cleaned}");
            assert!(!cleaned.contains("ss"), "{text} → {cleaned}");
        }
    }

    #[test]
    fn each_encoder_s_choice_of_characters_is_covered() {
        let secret = "a*b~c!d'e(f)g h";
        let r = redactor(&[secret]);
        for encoded in [
            "a%2Ab~c%21d%27e%28f%29g%20h",
            "a*b%7Ec%21d%27e%28f%29g+h",
            "a*b~c!d'e(f)g%20h",
        ] {
            assert_eq!(
                r.clean(&format!("x={encoded}&y=1")),
                "x=***&y=1",
                "{encoded}"
            );
        }
    }

    #[test]
    fn a_secret_inside_a_longer_base64_text_is_masked_at_any_offset() {
        let secret = "k-1234567890-abcdef";
        let r = redactor(&[secret]);
        for prefix in ["", "a", "ab", "Bearer ", "Apikey: x"] {
            let whole = STANDARD.encode(format!("{prefix}{secret} and more"));
            let cleaned = r.clean(&whole);
            assert!(cleaned.contains(MASK), "{prefix:?}: {whole} → {cleaned}");
            // What is left cannot be decoded back into the secret.
            assert!(!cleaned.contains(&STANDARD.encode(secret)[..8]));
        }
    }

    #[test]
    fn a_form_encoded_secret_inside_a_base64_body_is_masked() {
        let secret = "P@ss w0rd/ü+Gizli";
        let r = redactor(&[secret]);
        let body = "username=entegrasyon&password=P%40ss+w0rd%2F%C3%BC%2BGizli&x=1";
        let cleaned = r.clean(&STANDARD.encode(body));
        assert!(cleaned.contains(MASK), "{cleaned}");
    }

    #[test]
    fn secrets_learned_later_are_masked_and_other_text_is_left_alone() {
        let r = redactor(&["api-key-1"]);
        r.add(&Secret::new("session-xyz-42"));
        assert_eq!(
            r.clean("HTTP 400: bad header Apikey=api-key-1, Authorization=session-xyz-42"),
            "HTTP 400: bad header Apikey=***, Authorization=***"
        );
        assert_eq!(
            r.clean("HTTP 422: The given data was invalid."),
            "HTTP 422: The given data was invalid."
        );
        r.add(&Secret::new(""));
        assert_eq!(r.clean("nothing"), "nothing");
    }

    #[test]
    fn every_configured_secret_is_known() {
        let auth = AuthSettings::NetTahsilat {
            token: Some(Secret::new("tok-abc")),
            call: Some(super::super::settings::TokenCall {
                url: "http://x/token".into(),
                client_id: "client".into(),
                client_secret: Secret::new("cs-secret"),
                grant_type: "client_credentials".into(),
                json: false,
            }),
        };
        let r = Redactor::for_auth(&auth);
        assert_eq!(r.clean("tok-abc cs-secret client"), "*** *** client");
    }
}
