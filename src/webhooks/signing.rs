//! The signature a receiver checks: HMAC-SHA256 over `"<unix seconds>.<body>"` with the
//! endpoint's secret, sent as `X-Techmarket-Signature: t=<unix seconds>,sha256=<hex>`.

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const SIGNATURE_HEADER: &str = "X-Techmarket-Signature";
pub const EVENT_HEADER: &str = "X-Techmarket-Event";
pub const DELIVERY_HEADER: &str = "X-Techmarket-Delivery";

/// The hex HMAC-SHA256 of `"{timestamp}.{body}"`.
pub fn digest(secret: &str, timestamp: i64, body: &str) -> String {
    // HMAC takes a key of any length.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else { return String::new() };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The header value for a body sent at `timestamp`.
pub fn header_value(secret: &str, timestamp: i64, body: &str) -> String {
    format!("t={timestamp},sha256={}", digest(secret, timestamp, body))
}

/// Whether `header` is a valid signature of `body` under `secret` (what a receiver does).
pub fn verify(secret: &str, header: &str, body: &str) -> bool {
    let mut timestamp = None;
    let mut signature = None;
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", t)) => timestamp = t.trim().parse::<i64>().ok(),
            Some(("sha256", s)) => signature = Some(s.trim()),
            _ => {}
        }
    }
    let (Some(timestamp), Some(signature)) = (timestamp, signature) else { return false };
    let Ok(given) = hex::decode(signature) else { return false };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else { return false };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    mac.verify_slice(&given).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_and_a_changed_body_does_not() {
        let header = header_value("s3cret", 1_764_000_000, r#"{"event":"deal.step"}"#);
        assert!(header.starts_with("t=1764000000,sha256="));
        assert!(verify("s3cret", &header, r#"{"event":"deal.step"}"#));
        assert!(!verify("s3cret", &header, r#"{"event":"deal.stepx"}"#));
        assert!(!verify("other", &header, r#"{"event":"deal.step"}"#));
        assert!(!verify("s3cret", "sha256=00", "{}"));
    }

    #[test]
    fn the_digest_matches_a_known_vector() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let mut mac = Hmac::<Sha256>::new_from_slice(b"Jefe").expect("key");
        mac.update(b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
