//! TLS setup: rustls with the `ring` provider (no C toolchain beyond what `ring` needs, and the
//! same code on every target, musl included).

/// Installs ring as the process-wide rustls provider; later calls are no-ops.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
