//! The roots HTTPS servers are checked against: the system's store (read at
//! the first `https://` connection, never for plain `http://`), plus the PEM
//! bundle of `AWS_CA_BUNDLE` or the profile's `ca_bundle`; with the
//! `bundled-roots` feature (on in the static CLI), Mozilla's roots when the
//! system has none (a `FROM scratch` image).

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::{ClientConfig, RootCertStore};

use super::HttpError;

/// The largest CA bundle read.
const MAX_BUNDLE_BYTES: u64 = 16 * 1024 * 1024;

/// Extra trusted roots from a PEM file (`AWS_CA_BUNDLE`, the profile's `ca_bundle`).
#[derive(Clone, Default)]
pub struct ExtraRoots {
    certificates: Vec<CertificateDer<'static>>,
}

impl std::fmt::Debug for ExtraRoots {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ExtraRoots({} certificates)", self.certificates.len())
    }
}

impl ExtraRoots {
    /// The certificates of the PEM file at `path`; an unreadable file, or one
    /// with no certificate in it, is an error naming it.
    pub fn from_pem_file(path: &Path) -> Result<ExtraRoots, HttpError> {
        let shown = path.display();
        let fail = |why: String| HttpError::Other(format!("CA bundle {shown}: {why}"));
        let size = std::fs::metadata(path)
            .map_err(|e| fail(e.to_string()))?
            .len();
        if size > MAX_BUNDLE_BYTES {
            return Err(fail(format!("larger than {MAX_BUNDLE_BYTES} bytes")));
        }
        let pem = std::fs::read(path).map_err(|e| fail(e.to_string()))?;
        let certificates = CertificateDer::pem_slice_iter(&pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| fail("not a PEM certificate bundle".to_owned()))?;
        if certificates.is_empty() {
            return Err(fail("no PEM certificate in it".to_owned()));
        }
        Ok(ExtraRoots { certificates })
    }

    /// How many certificates there are.
    pub fn len(&self) -> usize {
        self.certificates.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.certificates.is_empty()
    }
}

/// The TLS client configuration (rustls on `ring`, TLS 1.2 and 1.3): the
/// system's roots, the bundled fallback when the system has none and the
/// feature is on, and the extra ones; and whether the store ended up empty.
pub(crate) fn client_config(extra: &ExtraRoots) -> Result<(ClientConfig, bool), String> {
    let mut roots = RootCertStore::empty();
    for certificate in rustls_native_certs::load_native_certs().certs {
        // A system certificate rustls cannot use is left out, as browsers do.
        let _ = roots.add(certificate);
    }
    if roots.is_empty() {
        add_bundled(&mut roots);
    }
    for certificate in &extra.certificates {
        roots
            .add(certificate.clone())
            .map_err(|e| format!("a certificate of the CA bundle cannot be used: {e}"))?;
    }
    let no_roots = roots.is_empty();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("cannot set up TLS: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok((config, no_roots))
}

/// Mozilla's roots, built in.
#[cfg(feature = "bundled-roots")]
fn add_bundled(roots: &mut RootCertStore) {
    for certificate in webpki_root_certs::TLS_SERVER_ROOT_CERTS {
        let _ = roots.add(certificate.clone());
    }
}

/// Without the `bundled-roots` feature there is no fallback.
#[cfg(not(feature = "bundled-roots"))]
fn add_bundled(_: &mut RootCertStore) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_bundles_are_errors_naming_the_file() {
        let dir = std::env::temp_dir().join(format!("bedrock-lite-trust-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let missing = dir.join("missing.pem");
        let garbage = dir.join("garbage.pem");
        std::fs::write(&garbage, b"not a certificate").unwrap();
        for path in [&missing, &garbage] {
            let error = ExtraRoots::from_pem_file(path).unwrap_err().to_string();
            assert!(error.contains(&path.display().to_string()), "{error}");
        }
    }
}
