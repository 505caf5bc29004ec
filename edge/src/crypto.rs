//! Cryptography for personal data and credentials. The primitives are pure (RustCrypto) and tested on
//! the host; only randomness and PBKDF2 come from the runtime's Web Crypto (`wasm` below), where PBKDF2
//! runs natively — several times faster than in wasm.
//!
//! - Sealed values: `<key id>.<base64url(nonce ‖ AES-256-GCM ciphertext)>`. The key id names the key, so
//!   keys can rotate: new writes use the newest key, old rows stay readable while any key remains.
//! - Lookup digests: HMAC-SHA256 under a separate key, hex. Finding an account by ID number compares
//!   digests; the plaintext is never in a column, and a dump without the key cannot be searched.
//! - Password records: [`crate::password`] (the scheme); [`pbkdf2_sha256`] is its only way to the KDF.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// A data-encryption key with its id (e.g. `k1`).
#[derive(Clone)]
pub struct DataKey {
    pub id: String,
    pub key: [u8; 32],
}

/// The keys a worker holds: the newest first. Parsed from the `DATA_KEYS` secret: `k2:<hex>,k1:<hex>`.
#[derive(Clone)]
pub struct Keyring {
    pub data: Vec<DataKey>,
    pub lookup: [u8; 32],
}

fn hex32(s: &str) -> Option<[u8; 32]> {
    let s = s.trim();
    if s.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

/// `id:hex,id:hex` (newest first, at least one) as keys; None if anything is malformed. The format of
/// `DATA_KEYS` and `PASSWORD_PEPPER`.
pub fn parse_keys(s: &str) -> Option<Vec<DataKey>> {
    let keys = s
        .split(',')
        .map(|kv| {
            let (id, hex) = kv.trim().split_once(':')?;
            let ok_id = !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric());
            ok_id.then(|| Some(DataKey { id: id.to_string(), key: hex32(hex)? }))?
        })
        .collect::<Option<Vec<_>>>()?;
    (!keys.is_empty()).then_some(keys)
}

impl Keyring {
    /// `data_keys` is `id:hex,id:hex` (newest first), `lookup_key` one hex key. None if malformed, so a
    /// misconfigured deploy fails loudly instead of writing unreadable data.
    pub fn parse(data_keys: &str, lookup_key: &str) -> Option<Keyring> {
        Some(Keyring { data: parse_keys(data_keys)?, lookup: hex32(lookup_key)? })
    }

    /// Encrypts with the newest key. `nonce` must be fresh random bytes for every call.
    pub fn seal(&self, plaintext: &str, nonce: [u8; 12]) -> String {
        let k = &self.data[0];
        let cipher = Aes256Gcm::new(&k.key.into());
        let ct = cipher.encrypt(&Nonce::from(nonce), plaintext.as_bytes()).expect("AES-GCM encryption of a short value cannot fail");
        let mut blob = nonce.to_vec();
        blob.extend_from_slice(&ct);
        format!("{}.{}", k.id, B64.encode(blob))
    }

    /// Encrypts a file with the newest key: `[id length][id][nonce][AES-256-GCM ciphertext ‖ tag]`, binary,
    /// so a 5 MB scan costs 29 bytes more, not the third more of base64. `nonce` must be fresh for every call.
    pub fn seal_bytes(&self, plaintext: &[u8], nonce: [u8; 12]) -> Vec<u8> {
        let k = &self.data[0];
        let ct = Aes256Gcm::new(&k.key.into()).encrypt(&Nonce::from(nonce), plaintext).expect("AES-GCM encrypts any length up to 64 GB");
        let mut out = Vec::with_capacity(1 + k.id.len() + 12 + ct.len());
        out.push(k.id.len() as u8);
        out.extend_from_slice(k.id.as_bytes());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        out
    }

    /// Decrypts [`Self::seal_bytes`]'s output with the key it names; None if unknown or altered.
    pub fn open_bytes(&self, sealed: &[u8]) -> Option<Vec<u8>> {
        let (&n, rest) = sealed.split_first()?;
        let id = std::str::from_utf8(rest.get(..n as usize)?).ok()?;
        let rest = &rest[n as usize..];
        let key = self.data.iter().find(|k| k.id == id)?;
        if rest.len() < 12 + 16 {
            return None;
        }
        let (nonce, ct) = rest.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().ok()?;
        Aes256Gcm::new(&key.key.into()).decrypt(&Nonce::from(nonce), ct).ok()
    }

    /// Decrypts a sealed value with the key it names; None if the key is unknown or the value was altered.
    pub fn open(&self, sealed: &str) -> Option<String> {
        let (id, b64) = sealed.split_once('.')?;
        let key = self.data.iter().find(|k| k.id == id)?;
        let blob = B64.decode(b64).ok()?;
        if blob.len() < 12 + 16 {
            return None;
        }
        let (nonce, ct) = blob.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().ok()?;
        let pt = Aes256Gcm::new(&key.key.into()).decrypt(&Nonce::from(nonce), ct).ok()?;
        String::from_utf8(pt).ok()
    }

    /// Keyed digest for equality lookups (ID numbers, mobiles).
    pub fn lookup_digest(&self, value: &str) -> String {
        let mut mac = <Hmac<Sha256>>::new_from_slice(&self.lookup).expect("HMAC takes any key length");
        mac.update(value.as_bytes());
        hex(&mac.finalize().into_bytes())
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Digest of a session token: the database holds only this, so a leaked table cannot be replayed.
pub fn token_digest(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// A random token as it goes into a cookie.
pub fn token_string(random: [u8; 32]) -> String {
    B64.encode(random)
}

/// Equality that takes the same time wherever the first difference is.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Cloudflare's production cap on PBKDF2 iterations in Web Crypto.
pub const KDF_MAX_ITERATIONS: u32 = 100_000;

/// The only way to a PBKDF2 call: a count production would refuse is refused here too, in every build.
pub fn check_iterations(iterations: u32) -> Result<u32, String> {
    match iterations {
        0 => Err("PBKDF2 needs at least one iteration".into()),
        n if n > KDF_MAX_ITERATIONS => Err(format!("PBKDF2 with {n} iterations is above the Workers runtime's cap of {KDF_MAX_ITERATIONS}")),
        n => Ok(n),
    }
}

#[cfg(target_arch = "wasm32")]
pub use wasm::{pbkdf2_sha256, random};

#[cfg(target_arch = "wasm32")]
mod wasm {
    use js_sys::{Object, Reflect, Uint8Array};
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;

    fn crypto() -> Result<web_sys::Crypto, JsValue> {
        Reflect::get(&js_sys::global(), &JsValue::from_str("crypto"))?.dyn_into::<web_sys::Crypto>()
    }

    pub fn random<const N: usize>() -> Result<[u8; N], JsValue> {
        let mut buf = [0u8; N];
        crypto()?.get_random_values_with_u8_array(&mut buf)?;
        Ok(buf)
    }

    /// PBKDF2-HMAC-SHA256 through Web Crypto, 32 bytes out. A count above the production runtime's cap
    /// is refused before Web Crypto sees it, since local workerd would accept it.
    pub async fn pbkdf2_sha256(password: &[u8], salt: &[u8], iterations: u32) -> Result<Vec<u8>, JsValue> {
        let iterations = super::check_iterations(iterations).map_err(|e| JsValue::from_str(&e))?;
        let subtle = crypto()?.subtle();
        let usages = js_sys::Array::of1(&JsValue::from_str("deriveBits"));
        let key = JsFuture::from(subtle.import_key_with_str("raw", &Uint8Array::from(password), "PBKDF2", false, &usages)?).await?;
        let params = Object::new();
        Reflect::set(&params, &"name".into(), &"PBKDF2".into())?;
        Reflect::set(&params, &"hash".into(), &"SHA-256".into())?;
        Reflect::set(&params, &"salt".into(), &Uint8Array::from(salt))?;
        Reflect::set(&params, &"iterations".into(), &JsValue::from_f64(f64::from(iterations)))?;
        let bits = JsFuture::from(subtle.derive_bits_with_object(&params, &key.dyn_into()?, 256)?).await?;
        Ok(Uint8Array::new(&bits).to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring() -> Keyring {
        Keyring::parse(&format!("k2:{},k1:{}", "22".repeat(32), "11".repeat(32)), &"33".repeat(32)).unwrap()
    }

    #[test]
    fn seal_and_open_round_trip_without_plaintext_in_the_output() {
        let r = ring();
        let sealed = r.seal("34052419800101001X", [7; 12]);
        assert!(sealed.starts_with("k2."), "newest key is used: {sealed}");
        assert!(!sealed.contains("3405241980"));
        assert_eq!(r.open(&sealed).as_deref(), Some("34052419800101001X"));
    }

    #[test]
    fn altered_or_foreign_values_do_not_open() {
        let r = ring();
        let sealed = r.seal("13812345678", [1; 12]);
        let mut tampered = sealed.clone().into_bytes();
        let last = tampered.len() - 2;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(r.open(std::str::from_utf8(&tampered).unwrap()), None);
        assert_eq!(r.open(&sealed.replacen("k2.", "k9.", 1)), None);
        assert_eq!(r.open("garbage"), None);
    }

    #[test]
    fn files_seal_to_binary_and_open_only_unaltered_under_a_held_key() {
        let r = ring();
        let file = b"%PDF-1.7 TONGBAN-PLAINTEXT-MARKER 310105198001010010".repeat(100);
        let sealed = r.seal_bytes(&file, [4; 12]);
        assert_eq!(sealed.len(), file.len() + 1 + 2 + 12 + 16, "id, nonce and tag only: no base64");
        assert!(!sealed.windows(9).any(|w| w == b"TONGBAN-P"), "no plaintext in the sealed bytes");
        assert_eq!(r.open_bytes(&sealed).as_deref(), Some(&file[..]));
        let mut tampered = sealed.clone();
        tampered[40] ^= 1;
        assert_eq!(r.open_bytes(&tampered), None);
        let old = Keyring::parse(&format!("k1:{}", "11".repeat(32)), &"33".repeat(32)).unwrap();
        assert_eq!(r.open_bytes(&old.seal_bytes(b"\x89PNG", [5; 12])).as_deref(), Some(&b"\x89PNG"[..]), "an older key still opens its files");
        assert_eq!(old.open_bytes(&sealed), None, "a key no longer held does not");
        assert_eq!(r.open_bytes(&[]), None);
        assert_eq!(r.open_bytes(&[200, 1, 2]), None);
    }

    #[test]
    fn keys_rotate_old_values_stay_readable() {
        let old = Keyring::parse(&format!("k1:{}", "11".repeat(32)), &"33".repeat(32)).unwrap();
        let sealed = old.seal("上海市普陀区大渡河路1668号", [9; 12]);
        assert_eq!(ring().open(&sealed).as_deref(), Some("上海市普陀区大渡河路1668号"));
    }

    #[test]
    fn lookup_digests_are_keyed_and_stable() {
        let r = ring();
        let a = r.lookup_digest("34052419800101001X");
        assert_eq!(a, r.lookup_digest("34052419800101001X"));
        assert_eq!(a.len(), 64);
        let other = Keyring::parse(&format!("k1:{}", "11".repeat(32)), &"44".repeat(32)).unwrap();
        assert_ne!(a, other.lookup_digest("34052419800101001X"), "a different key gives a different digest");
    }

    #[test]
    fn malformed_key_config_is_refused() {
        assert!(Keyring::parse("", &"33".repeat(32)).is_none());
        assert!(Keyring::parse("k1:abcd", &"33".repeat(32)).is_none());
        assert!(Keyring::parse(&format!("k1:{}", "11".repeat(32)), "short").is_none());
        assert!(Keyring::parse(&format!("k-1:{}", "11".repeat(32)), &"33".repeat(32)).is_none());
    }

    #[test]
    fn constant_time_comparison() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }

    #[test]
    fn token_digest_is_sha256() {
        assert_eq!(token_digest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
