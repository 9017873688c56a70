//! Secure random bytes for keys and completion ids, from the TLS stack's own
//! source (ring, through rustls): no extra dependency.

use std::fmt;

use super::errors::GatewayError;

/// The system's secure random source failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RandomError;

impl fmt::Display for RandomError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the system's secure random source failed")
    }
}

impl std::error::Error for RandomError {}

impl From<RandomError> for GatewayError {
    fn from(error: RandomError) -> Self {
        GatewayError::new(500, "random_source_failed", error)
    }
}

/// `N` bytes from the secure random source.
pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], RandomError> {
    let mut bytes = [0u8; N];
    rustls::crypto::ring::default_provider()
        .secure_random
        .fill(&mut bytes)
        .map_err(|_| RandomError)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_differ_between_calls() {
        let a = random_bytes::<32>().expect("random");
        let b = random_bytes::<32>().expect("random");
        assert_ne!(a, b);
        assert_ne!(a, [0u8; 32]);
    }
}
