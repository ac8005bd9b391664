//! Sealing personal numbers at rest.
//!
//! Owns the installation secret's two uses: XChaCha20-Poly1305 to seal a
//! phone or ID number (random nonce, stored with the ciphertext), and a keyed
//! digest (HMAC-SHA256) of ID numbers, so duplicates are found without the
//! numbers ever sitting in the database in clear. It must not decide who may
//! open a sealed value; the use-cases authorise and audit that.

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

const NONCE: usize = 24;

#[derive(Clone)]
pub struct Vault {
    cipher: XChaCha20Poly1305,
    digest_key: [u8; 32],
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Vault([redacted])")
    }
}

fn derive(secret: &[u8; 32], label: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("any key length");
    mac.update(label);
    mac.finalize().into_bytes().into()
}

impl Vault {
    /// Both keys are derived from one 32-byte installation secret.
    pub fn new(secret: &[u8; 32]) -> Vault {
        let enc = derive(secret, b"xueshi seal v1");
        Vault {
            cipher: XChaCha20Poly1305::new(&enc.into()),
            digest_key: derive(secret, b"xueshi digest v1"),
        }
    }

    pub fn seal(&self, plain: &str) -> Vec<u8> {
        let mut nonce = [0u8; NONCE];
        rand::rng().fill_bytes(&mut nonce);
        let mut out = nonce.to_vec();
        // Encryption with a fresh nonce cannot fail for inputs this small.
        if let Ok(ct) = self
            .cipher
            .encrypt(XNonce::from_slice(&nonce), plain.as_bytes())
        {
            out.extend_from_slice(&ct);
        }
        out
    }

    /// `None` when the value was sealed with another secret or damaged.
    pub fn open(&self, sealed: &[u8]) -> Option<String> {
        if sealed.len() <= NONCE {
            return None;
        }
        let (nonce, ct) = sealed.split_at(NONCE);
        let plain = self.cipher.decrypt(XNonce::from_slice(nonce), ct).ok()?;
        String::from_utf8(plain).ok()
    }

    /// A stable keyed digest (hex) for equality lookups.
    pub fn digest(&self, value: &str) -> String {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.digest_key).expect("any key length");
        mac.update(value.as_bytes());
        mac.finalize().into_bytes()[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// A new random installation secret.
pub fn new_secret() -> [u8; 32] {
    let mut s = [0u8; 32];
    rand::rng().fill_bytes(&mut s);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_the_same_secret() {
        let v = Vault::new(&[7; 32]);
        let sealed = v.seal("13812345678");
        assert!(!sealed.windows(11).any(|w| w == b"13812345678"));
        assert_eq!(v.open(&sealed).as_deref(), Some("13812345678"));
        assert_ne!(v.seal("13812345678"), sealed, "a fresh nonce each time");
        assert_eq!(Vault::new(&[8; 32]).open(&sealed), None);
        assert_eq!(v.digest("x"), v.digest("x"));
        assert_ne!(v.digest("x"), Vault::new(&[8; 32]).digest("x"));
    }
}
