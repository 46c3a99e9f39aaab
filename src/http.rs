//! The HTTP client set-up shared by the sender, the sandbox's tests and the demo:
//! rustls with the `ring` provider (no OpenSSL, no C toolchain beyond what `ring`
//! needs), installed once per process before the first client is built.

use std::sync::Once;

static INSTALL: Once = Once::new();

/// A reqwest client builder with the TLS provider installed.
pub fn client_builder() -> reqwest::ClientBuilder {
    INSTALL.call_once(|| {
        // Err only when another provider was installed first, which is just as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
    // Redirects are not followed: a POST answered with a redirect was most likely
    // processed, and following it would resend credentials (Ödüyo's `Apikey`) to
    // wherever it points. The sender reads a 3xx as an unclear answer instead.
    reqwest::Client::builder()
        .user_agent(concat!("aktar/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
}
