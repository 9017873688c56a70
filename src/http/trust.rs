//! The roots HTTPS servers are checked against: the system's store (read at
//! the first `https://` connection, never for plain `http://`), plus the PEM
//! bundle of `AWS_CA_BUNDLE` or the profile's `ca_bundle`; with the
//! `bundled-roots` feature (on in the static CLI), Mozilla's roots when the
//! system has none (a `FROM scratch` image).

use std::path::Path;

use super::HttpError;

/// The largest CA bundle read.
const MAX_BUNDLE_BYTES: u64 = 16 * 1024 * 1024;

/// Extra trusted roots from a PEM file (`AWS_CA_BUNDLE`, the profile's `ca_bundle`).
#[derive(Clone, Default)]
pub struct ExtraRoots {
    certificates: Vec<reqwest::Certificate>,
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
        let certificates = reqwest::Certificate::from_pem_bundle(&pem)
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

/// The roots for an HTTPS client: the system's, the extra ones, and the
/// bundled fallback when the system has none and the feature is on.
pub(crate) fn roots(extra: &ExtraRoots) -> Vec<reqwest::Certificate> {
    let loaded = rustls_native_certs::load_native_certs();
    let mut roots: Vec<reqwest::Certificate> = loaded
        .certs
        .iter()
        .filter_map(|der| reqwest::Certificate::from_der(der.as_ref()).ok())
        .collect();
    if roots.is_empty() {
        roots.extend(bundled());
    }
    roots.extend(extra.certificates.iter().cloned());
    roots
}

/// Mozilla's roots, built in.
#[cfg(feature = "bundled-roots")]
fn bundled() -> Vec<reqwest::Certificate> {
    webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .filter_map(|der| reqwest::Certificate::from_der(der.as_ref()).ok())
        .collect()
}

/// Without the `bundled-roots` feature there is no fallback.
#[cfg(not(feature = "bundled-roots"))]
fn bundled() -> Vec<reqwest::Certificate> {
    Vec::new()
}

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
