//! Web Push as the standards define it, in pure Rust (so the host tests cover it byte for byte):
//! - RFC 8291 message encryption with the `aes128gcm` content coding (RFC 8188): an ephemeral P-256
//!   key agrees a secret with the browser's subscription key, HKDF (with the subscription's auth
//!   secret) derives the content key and nonce, one AES-128-GCM record carries the JSON payload;
//! - RFC 8292 VAPID: an ES256-signed JWT naming the push service's origin (`aud`), an expiry and a
//!   contact (`sub`), sent as `Authorization: vapid t=<jwt>, k=<public key>`.
//!
//! Randomness (the ephemeral key and salt) is passed in: the worker draws it from WebCrypto.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes128Gcm, Nonce};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use hkdf::Hkdf;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use p256::{PublicKey, SecretKey};
use sha2::Sha256;

/// Record size written in the header; one record holds any payload we send (< 4 KB).
const RECORD_SIZE: u32 = 4096;

#[derive(Debug, PartialEq, Eq)]
pub enum PushError {
    /// The subscription's `p256dh` or `auth` is not a valid key/secret.
    BadSubscription,
    /// The VAPID private key is not a P-256 scalar.
    BadVapidKey,
    TooLarge,
}

fn hkdf(salt: &[u8], ikm: &[u8], info: &[u8], out: &mut [u8]) {
    Hkdf::<Sha256>::new(Some(salt), ikm).expand(info, out).expect("HKDF output lengths here are 12, 16 or 32");
}

/// Encrypts `plaintext` for a subscription (`p256dh` and `auth`, base64url as the browser gives them)
/// with the ephemeral secret `as_secret` (32 bytes) and `salt` (16 bytes). Returns the request body.
pub fn encrypt(p256dh: &str, auth: &str, plaintext: &[u8], as_secret: [u8; 32], salt: [u8; 16]) -> Result<Vec<u8>, PushError> {
    let ua_public_bytes = B64.decode(p256dh.trim_end_matches('=')).map_err(|_| PushError::BadSubscription)?;
    let auth_secret = B64.decode(auth.trim_end_matches('=')).map_err(|_| PushError::BadSubscription)?;
    if auth_secret.len() != 16 {
        return Err(PushError::BadSubscription);
    }
    let ua_public = PublicKey::from_sec1_bytes(&ua_public_bytes).map_err(|_| PushError::BadSubscription)?;
    if plaintext.len() + 1 + 16 > RECORD_SIZE as usize - 86 {
        return Err(PushError::TooLarge);
    }
    let as_key = SecretKey::from_slice(&as_secret).map_err(|_| PushError::BadSubscription)?;
    let as_public = as_key.public_key().to_sec1_bytes();
    let shared = p256::ecdh::diffie_hellman(as_key.to_nonzero_scalar(), ua_public.as_affine());
    // RFC 8291 §3.4: IKM from the ECDH secret and the auth secret, bound to both public keys.
    let mut key_info = b"WebPush: info\0".to_vec();
    key_info.extend_from_slice(&ua_public_bytes);
    key_info.extend_from_slice(&as_public);
    let mut ikm = [0u8; 32];
    hkdf(&auth_secret, shared.raw_secret_bytes(), &key_info, &mut ikm);
    // RFC 8188 §2.2–2.3: content key and nonce from the salt.
    let (mut cek, mut nonce) = ([0u8; 16], [0u8; 12]);
    hkdf(&salt, &ikm, b"Content-Encoding: aes128gcm\0", &mut cek);
    hkdf(&salt, &ikm, b"Content-Encoding: nonce\0", &mut nonce);
    let mut record = plaintext.to_vec();
    record.push(2); // padding delimiter of the last (only) record
    let ct = Aes128Gcm::new(&cek.into()).encrypt(&Nonce::from(nonce), record.as_slice()).map_err(|_| PushError::TooLarge)?;
    let mut body = Vec::with_capacity(86 + ct.len());
    body.extend_from_slice(&salt);
    body.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    body.push(as_public.len() as u8);
    body.extend_from_slice(&as_public);
    body.extend_from_slice(&ct);
    Ok(body)
}

/// The origin (`scheme://host[:port]`) of a push endpoint: the JWT's audience.
pub fn audience(endpoint: &str) -> Option<String> {
    let (scheme, rest) = endpoint.split_once("://")?;
    let host = rest.split('/').next().filter(|h| !h.is_empty())?;
    matches!(scheme, "https" | "http").then(|| format!("{scheme}://{host}"))
}

/// The VAPID public key (uncompressed point, base64url): what the browser subscribes with and what
/// the `k=` parameter carries.
pub fn vapid_public(private: &[u8; 32]) -> Result<String, PushError> {
    let key = SigningKey::from_slice(private).map_err(|_| PushError::BadVapidKey)?;
    Ok(B64.encode(key.verifying_key().to_sec1_bytes()))
}

/// `Authorization` header value for a push to `endpoint`, valid until `exp` (epoch seconds).
pub fn vapid_authorization(private: &[u8; 32], endpoint: &str, exp: i64, subject: &str) -> Result<String, PushError> {
    let key = SigningKey::from_slice(private).map_err(|_| PushError::BadVapidKey)?;
    let aud = audience(endpoint).ok_or(PushError::BadSubscription)?;
    let header = B64.encode(br#"{"typ":"JWT","alg":"ES256"}"#);
    let claims = B64.encode(serde_json::json!({"aud": aud, "exp": exp, "sub": subject}).to_string());
    let signing_input = format!("{header}.{claims}");
    // ES256 in a JWT is the raw r‖s pair (64 bytes), not DER.
    let sig: Signature = key.sign(signing_input.as_bytes());
    let jwt = format!("{signing_input}.{}", B64.encode(sig.to_bytes()));
    Ok(format!("vapid t={jwt}, k={}", B64.encode(key.verifying_key().to_sec1_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::signature::Verifier;
    use p256::ecdsa::VerifyingKey;

    /// What a browser does with a push: derive the same keys from its private key and decrypt —
    /// written here from the RFCs, independently of `encrypt`.
    fn decrypt(ua_secret: &SecretKey, auth: &[u8], body: &[u8]) -> Vec<u8> {
        let salt = &body[..16];
        let rs = u32::from_be_bytes(body[16..20].try_into().unwrap());
        assert_eq!(rs, 4096);
        let idlen = body[20] as usize;
        let as_public = &body[21..21 + idlen];
        let ct = &body[21 + idlen..];
        let ua_public = ua_secret.public_key().to_sec1_bytes();
        let shared = p256::ecdh::diffie_hellman(ua_secret.to_nonzero_scalar(), PublicKey::from_sec1_bytes(as_public).unwrap().as_affine());
        let info = [b"WebPush: info\0".as_slice(), &ua_public, as_public].concat();
        let mut ikm = [0u8; 32];
        Hkdf::<Sha256>::new(Some(auth), shared.raw_secret_bytes()).expand(&info, &mut ikm).unwrap();
        let hk = Hkdf::<Sha256>::new(Some(salt), &ikm);
        let (mut cek, mut nonce) = ([0u8; 16], [0u8; 12]);
        hk.expand(b"Content-Encoding: aes128gcm\0", &mut cek).unwrap();
        hk.expand(b"Content-Encoding: nonce\0", &mut nonce).unwrap();
        let mut pt = Aes128Gcm::new(&cek.into()).decrypt(&Nonce::from(nonce), ct).expect("authentic");
        assert_eq!(pt.pop(), Some(2), "last-record delimiter");
        pt
    }

    #[test]
    fn a_subscriber_decrypts_what_we_encrypt() {
        let ua = SecretKey::from_slice(&[7u8; 32]).unwrap();
        let auth = [9u8; 16];
        let (p256dh, auth_b64) = (B64.encode(ua.public_key().to_sec1_bytes()), B64.encode(auth));
        let msg = r#"{"title":"轮到您了","url":"/tickets/x"}"#.as_bytes();
        let body = encrypt(&p256dh, &auth_b64, msg, [3u8; 32], [5u8; 16]).unwrap();
        assert_eq!(&body[..16], &[5u8; 16], "the salt leads the header");
        assert_eq!(body[20], 65, "the key id is our uncompressed public key");
        assert_eq!(decrypt(&ua, &auth, &body), msg);
        // Another ephemeral key or salt gives another ciphertext for the same message.
        assert_ne!(encrypt(&p256dh, &auth_b64, msg, [4u8; 32], [5u8; 16]).unwrap(), body);
        // A wrong auth secret cannot decrypt: the tag fails.
        let wrong = std::panic::catch_unwind(|| decrypt(&ua, &[1u8; 16], &body));
        assert!(wrong.is_err());
    }

    /// RFC 8291 §5 and Appendix A: the published inputs must give the published message, byte for byte.
    #[test]
    fn rfc_8291_worked_example() {
        let d = |s: &str| B64.decode(s).unwrap();
        let as_private: [u8; 32] = d("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw").try_into().unwrap();
        let salt: [u8; 16] = d("DGv6ra1nlYgDCS1FRnbzlw").try_into().unwrap();
        let body = encrypt(
            "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
            "BTBZMqHH6r4Tts7J_aSIgg",
            b"When I grow up, I want to be a watermelon",
            as_private,
            salt,
        )
        .unwrap();
        assert_eq!(
            B64.encode(body),
            "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"
        );
        // And the receiving side of the example decrypts it.
        let ua = SecretKey::from_slice(&d("q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94")).unwrap();
        let body = encrypt(&B64.encode(ua.public_key().to_sec1_bytes()), "BTBZMqHH6r4Tts7J_aSIgg", b"watermelon", as_private, salt).unwrap();
        assert_eq!(decrypt(&ua, &d("BTBZMqHH6r4Tts7J_aSIgg"), &body), b"watermelon");
    }

    #[test]
    fn bad_subscriptions_are_refused() {
        assert_eq!(encrypt("not-a-key", "AAAAAAAAAAAAAAAAAAAAAA", b"x", [3; 32], [5; 16]), Err(PushError::BadSubscription));
        let ua = SecretKey::from_slice(&[7u8; 32]).unwrap();
        let p = B64.encode(ua.public_key().to_sec1_bytes());
        assert_eq!(encrypt(&p, "c2hvcnQ", b"x", [3; 32], [5; 16]), Err(PushError::BadSubscription), "auth must be 16 bytes");
        assert_eq!(encrypt(&p, &B64.encode([9u8; 16]), &[b'x'; 5000], [3; 32], [5; 16]), Err(PushError::TooLarge));
    }

    #[test]
    fn vapid_jwts_are_es256_for_the_push_services_origin() {
        let private = [11u8; 32];
        let h = vapid_authorization(&private, "https://push.example.net:8443/wpush/v2/abc", 1_800_000_000, "mailto:ops@tongban.example").unwrap();
        let (t, k) = h.strip_prefix("vapid t=").unwrap().split_once(", k=").unwrap();
        assert_eq!(k, vapid_public(&private).unwrap());
        let parts: Vec<&str> = t.split('.').collect();
        assert_eq!(parts.len(), 3);
        let claims: serde_json::Value = serde_json::from_slice(&B64.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(claims["aud"], "https://push.example.net:8443");
        assert_eq!(claims["exp"], 1_800_000_000);
        let key = VerifyingKey::from_sec1_bytes(&B64.decode(k).unwrap()).unwrap();
        let sig = Signature::from_slice(&B64.decode(parts[2]).unwrap()).unwrap();
        assert!(key.verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &sig).is_ok());
        assert!(key.verify(b"something else", &sig).is_err());
        assert_eq!(audience("ftp://x/y"), None);
        assert_eq!(audience("http://127.0.0.1:9999/push/1"), Some("http://127.0.0.1:9999".into()));
    }
}
