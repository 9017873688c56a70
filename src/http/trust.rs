//! The roots HTTPS servers are checked against: the system's store (read at
//! the first `https://` connection, never for plain `http://`), plus the PEM
//! bundle of `AWS_CA_BUNDLE` or the profile's `ca_bundle`; with the
//! `bundled-roots` feature (on in the static CLI), Mozilla's roots when the
//! system has none (a `FROM scratch` image).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::{ClientConfig, RootCertStore};

use super::HttpError;

/// The largest CA bundle read.
const MAX_BUNDLE_BYTES: u64 = 16 * 1024 * 1024;

/// Extra trusted roots from a PEM file (`AWS_CA_BUNDLE`, the profile's
/// `ca_bundle`): checked when it is named (a readable file of at most 16 MiB),
/// then read and parsed at the first `https://` connection, as the system's
/// store is, so that a run over plain `http://` never parses it.
#[derive(Clone, Debug, Default)]
pub struct ExtraRoots {
    bundle: Option<PathBuf>,
    /// Where the path came from, for the errors of its first use.
    origin: Option<String>,
}

impl ExtraRoots {
    /// The PEM bundle at `path`; a missing, unreadable or oversized file is an
    /// error naming it now, one without a certificate at the first `https://`
    /// connection.
    pub fn from_pem_file(path: &Path) -> Result<ExtraRoots, HttpError> {
        let fail = |why: String| HttpError::Other(bundle_error(path, &why));
        let metadata = std::fs::metadata(path).map_err(|e| fail(e.to_string()))?;
        if !metadata.is_file() {
            return Err(fail("not a file".to_owned()));
        }
        if metadata.len() > MAX_BUNDLE_BYTES {
            return Err(fail(format!("larger than {MAX_BUNDLE_BYTES} bytes")));
        }
        std::fs::File::open(path).map_err(|e| fail(e.to_string()))?;
        Ok(ExtraRoots {
            bundle: Some(path.to_owned()),
            origin: None,
        })
    }

    /// Names where the bundle's path came from (`AWS_CA_BUNDLE`, the
    /// profile's `ca_bundle`) at the start of the errors of its first use.
    pub fn with_origin(mut self, origin: impl Into<String>) -> ExtraRoots {
        self.origin = Some(origin.into());
        self
    }

    /// The bundle's certificates (none without a bundle); an error naming the
    /// file when it cannot be read or holds no PEM certificate.
    fn certificates(&self) -> Result<Vec<CertificateDer<'static>>, String> {
        let Some(path) = &self.bundle else {
            return Ok(Vec::new());
        };
        let fail = |why: &str| match &self.origin {
            Some(origin) => format!("{origin}: {}", bundle_error(path, why)),
            None => bundle_error(path, why),
        };
        let pem =
            crate::env::read_text_file(path, MAX_BUNDLE_BYTES).map_err(|e| fail(&e.to_string()))?;
        let certificates = CertificateDer::pem_slice_iter(pem.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| fail("not a PEM certificate bundle"))?;
        if certificates.is_empty() {
            return Err(fail("no PEM certificate in it"));
        }
        Ok(certificates)
    }
}

/// "CA bundle PATH: WHY".
fn bundle_error(path: &Path, why: &str) -> String {
    format!("CA bundle {}: {why}", path.display())
}

/// The TLS client configuration (rustls on `ring`, TLS 1.2 and 1.3) over the
/// system's roots (read now) and the extra ones; see [`root_store`].
pub(crate) fn client_config(extra: &ExtraRoots) -> Result<ClientConfig, String> {
    let roots = root_store(rustls_native_certs::load_native_certs(), extra)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("cannot set up TLS: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(config)
}

/// The trusted roots: `native` (the system's certificates; one rustls cannot
/// use is left out, as browsers do), Mozilla's bundled ones instead when the
/// system has none and the `bundled-roots` feature is on, plus the extra ones.
/// A system store that cannot be read (a broken `SSL_CERT_FILE` or
/// `SSL_CERT_DIR`) is not replaced by the bundled roots: the user asked for
/// those roots, so trusting others instead would hide the mistake. An error
/// saying what to do when that leaves no root at all, with the first error
/// reading the system's (it names the file).
fn root_store(
    native: rustls_native_certs::CertificateResult,
    extra: &ExtraRoots,
) -> Result<RootCertStore, String> {
    let native_error = native.errors.first().map(ToString::to_string);
    let mut roots = RootCertStore::empty();
    for certificate in native.certs {
        let _ = roots.add(certificate);
    }
    if roots.is_empty() && native_error.is_none() {
        add_bundled(&mut roots);
    }
    for certificate in extra.certificates()? {
        roots
            .add(certificate)
            .map_err(|e| format!("a certificate of the CA bundle cannot be used: {e}"))?;
    }
    if roots.is_empty() {
        let (system, remedy) = match native_error {
            Some(error) => (
                format!("the system store cannot be read ({error})"),
                "fix or unset SSL_CERT_FILE and SSL_CERT_DIR, or set AWS_CA_BUNDLE to a PEM bundle",
            ),
            None => (
                "the system has none".to_owned(),
                "set AWS_CA_BUNDLE to a PEM bundle, or use a build with the bundled-roots feature",
            ),
        };
        return Err(
            format!("no trusted root certificates: {system}; {remedy}").replace(['\n', '\r'], " ")
        );
    }
    Ok(roots)
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
    use rustls_native_certs::CertificateResult;

    #[test]
    fn bad_bundles_are_errors_naming_the_file() {
        let dir = std::env::temp_dir().join(format!("bedrock-lite-trust-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let missing = dir.join("missing.pem");
        let error = ExtraRoots::from_pem_file(&missing).unwrap_err().to_string();
        assert!(error.contains(&missing.display().to_string()), "{error}");
        // A file that is there is parsed at the first https connection.
        let garbage = dir.join("garbage.pem");
        std::fs::write(&garbage, b"not a certificate").unwrap();
        let roots = ExtraRoots::from_pem_file(&garbage).unwrap();
        let error = client_config(&roots).err().unwrap();
        assert!(error.contains(&garbage.display().to_string()), "{error}");
        assert!(error.contains("no PEM certificate"), "{error}");
        let named = roots.with_origin("`ca_bundle` in profile `p`");
        let error = client_config(&named).err().unwrap();
        assert_eq!(
            error,
            format!(
                "`ca_bundle` in profile `p`: CA bundle {}: no PEM certificate in it",
                garbage.display()
            )
        );
    }

    #[cfg(feature = "bundled-roots")]
    #[test]
    fn a_system_without_roots_gets_the_bundled_ones() {
        let bundled = webpki_root_certs::TLS_SERVER_ROOT_CERTS;
        let roots = root_store(CertificateResult::default(), &ExtraRoots::default()).unwrap();
        assert!(roots.len() > 100, "{}", roots.len());
        assert_eq!(roots.len(), bundled.len());
        // A system that has roots gets only its own.
        let mut native = CertificateResult::default();
        native.certs = bundled.iter().take(1).cloned().collect();
        let roots = root_store(native, &ExtraRoots::default()).unwrap();
        assert_eq!(roots.len(), 1);
    }

    #[cfg(not(feature = "bundled-roots"))]
    #[test]
    fn a_system_without_roots_is_a_clear_error_without_the_bundled_ones() {
        let error = root_store(CertificateResult::default(), &ExtraRoots::default()).unwrap_err();
        assert!(
            error.starts_with("no trusted root certificates: the system has none;"),
            "{error}"
        );
        assert!(error.contains("AWS_CA_BUNDLE"), "{error}");
        assert!(error.contains("bundled-roots"), "{error}");
    }

    /// With or without the bundled roots: a broken `SSL_CERT_FILE` is an
    /// error naming the file, never a silent switch to other roots.
    #[test]
    fn a_system_store_that_cannot_be_read_is_named() {
        // What `load_native_certs` returns for `SSL_CERT_FILE=/nowhere/ca.pem`.
        let mut native = CertificateResult::default();
        native.errors.push(rustls_native_certs::Error {
            context: "failed to read PEM from file",
            kind: rustls_native_certs::ErrorKind::Io {
                inner: std::io::Error::from(std::io::ErrorKind::NotFound),
                path: PathBuf::from("/nowhere/ca.pem"),
            },
        });
        let error = root_store(native, &ExtraRoots::default()).unwrap_err();
        assert!(
            error.starts_with("no trusted root certificates: the system store cannot be read ("),
            "{error}"
        );
        assert!(error.contains("/nowhere/ca.pem"), "{error}");
        assert!(!error.contains("the system has none"), "{error}");
        assert!(error.contains("SSL_CERT_FILE"), "{error}");
        assert_eq!(error.lines().count(), 1, "{error}");
    }
}
