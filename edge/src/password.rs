//! Password records that Cloudflare's production runtime can verify and that a stolen database alone
//! cannot be used to crack. Pure, so every rule here is tested on the host; the worker derives through
//! Web Crypto (`crypto::pbkdf2_sha256`), xtask (demo seed, `bootstrap-admin`) through [`hash_on_host`].
//!
//! Scheme `hmac-pbkdf2-sha256`: `PBKDF2-HMAC-SHA256(HMAC-SHA256(pepper, password), salt, 100,000)`, 32 bytes.
//! - **100,000 iterations** is the most the production Workers runtime accepts (`NotSupportedError:
//!   Pbkdf2 failed: iteration counts above 100000 are not supported`, cloudflare/workerd#1346). Local
//!   workerd accepts any count, so [`check_iterations`] refuses more in every build: a test fails here the
//!   way every sign-in would fail in production. 600,000 (OWASP 2023) was what this code used until it was
//!   read against that limit.
//! - **The pepper** makes up for the lower count: a 32-byte key that lives only in the Worker secret
//!   `PASSWORD_PEPPER`, never in D1. A dump of D1 alone then holds no testable guess at all, because each
//!   guess needs the HMAC key first. Like `DATA_KEYS` it is `id:hex[,id:hex…]`, newest first; the record
//!   names its pepper's id, so an old pepper keeps its records verifiable until their next sign-in.
//! - Why not Argon2id or scrypt: Web Crypto has neither, so they would run in wasm inside the request's
//!   CPU-time limit (10 ms on the free plan, and memory-hard parameters worth having cost far more);
//!   PBKDF2 is native in the runtime: a whole sign-in takes 26 ms (median of 20 on local workerd; 79 ms at 600,000).
//!
//! Record: `hmac-pbkdf2-sha256$<iterations>$<pepper id>$<salt b64url>$<hash b64url>`. The earlier
//! `pbkdf2-sha256$<iterations>$<salt>$<hash>` (no pepper) still verifies if its count is within the cap;
//! either kind is re-hashed to the current parameters at the next successful sign-in ([`PasswordRecord::is_current`]).

use crate::crypto::{parse_keys, DataKey};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

pub use crate::crypto::{check_iterations, KDF_MAX_ITERATIONS};
/// What new records use: the cap itself.
pub const ITERATIONS: u32 = KDF_MAX_ITERATIONS;

const SCHEME: &str = "hmac-pbkdf2-sha256";
const LEGACY: &str = "pbkdf2-sha256";

/// The peppers a worker holds, newest first, from the `PASSWORD_PEPPER` secret (`p1:<64 hex>`).
#[derive(Clone)]
pub struct Peppers(Vec<DataKey>);

impl Peppers {
    /// None if malformed: a misconfigured deploy fails loudly instead of writing records it cannot check.
    pub fn parse(s: &str) -> Option<Peppers> {
        parse_keys(s).map(Peppers)
    }

    fn current(&self) -> &DataKey {
        &self.0[0]
    }

    fn get(&self, id: &str) -> Option<&DataKey> {
        self.0.iter().find(|k| k.id == id)
    }
}

/// HMAC-SHA256 of the password under the pepper: what PBKDF2 is given instead of the password.
fn peppered(pepper: &[u8; 32], password: &str) -> Vec<u8> {
    let mut mac = <Hmac<Sha256>>::new_from_slice(pepper).expect("HMAC takes any key length");
    mac.update(password.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasswordRecord {
    pub iterations: u32,
    /// None for the legacy scheme without a pepper.
    pub pepper_id: Option<String>,
    pub salt: Vec<u8>,
    pub hash: Vec<u8>,
}

impl PasswordRecord {
    /// A new record's parameters, before its hash is derived: current count, current pepper.
    pub fn new_params(peppers: &Peppers, salt: [u8; 16]) -> PasswordRecord {
        PasswordRecord { iterations: ITERATIONS, pepper_id: Some(peppers.current().id.clone()), salt: salt.to_vec(), hash: Vec::new() }
    }

    /// What an unknown account is checked against, so that it costs the same work as a real one: the
    /// current parameters, and a hash no derivation gives.
    pub fn decoy(peppers: &Peppers) -> PasswordRecord {
        PasswordRecord { hash: vec![0; 32], ..PasswordRecord::new_params(peppers, [0; 16]) }
    }

    pub fn parse(s: &str) -> Option<PasswordRecord> {
        let mut p = s.split('$');
        let scheme = p.next()?;
        let iterations = p.next()?.parse().ok()?;
        let pepper_id = match scheme {
            SCHEME => Some(p.next()?.to_string()),
            LEGACY => None,
            _ => return None,
        };
        let salt = B64.decode(p.next()?).ok()?;
        let hash = B64.decode(p.next()?).ok()?;
        p.next().is_none().then_some(PasswordRecord { iterations, pepper_id, salt, hash })
    }

    pub fn encode(&self) -> String {
        match &self.pepper_id {
            Some(id) => format!("{SCHEME}${}${id}${}${}", self.iterations, B64.encode(&self.salt), B64.encode(&self.hash)),
            None => format!("{LEGACY}${}${}${}", self.iterations, B64.encode(&self.salt), B64.encode(&self.hash)),
        }
    }

    /// True when a sign-in need not re-hash it: current count and current pepper.
    pub fn is_current(&self, peppers: &Peppers) -> bool {
        self.iterations == ITERATIONS && self.pepper_id.as_deref() == Some(peppers.current().id.as_str())
    }

    /// What PBKDF2 is given as its password, or why this record cannot be checked here (a pepper this
    /// worker no longer holds, or a count above the cap).
    pub fn kdf_input(&self, peppers: &Peppers, password: &str) -> Result<Vec<u8>, String> {
        check_iterations(self.iterations)?;
        match &self.pepper_id {
            None => Ok(password.as_bytes().to_vec()),
            Some(id) => peppers.get(id).map(|k| peppered(&k.key, password)).ok_or_else(|| format!("password pepper {id:?} is not in PASSWORD_PEPPER")),
        }
    }

    /// Whether `derived` (PBKDF2 of [`Self::kdf_input`]) is this record's hash, in constant time.
    pub fn matches(&self, derived: &[u8]) -> bool {
        crate::crypto::constant_time_eq(derived, &self.hash)
    }
}

/// The same derivation on the host with RustCrypto's PBKDF2, for xtask's demo accounts and
/// `bootstrap-admin`: records made there verify in the worker (a seeded account's sign-in tests it).
#[cfg(not(target_arch = "wasm32"))]
pub fn hash_on_host(peppers: &Peppers, password: &str, salt: [u8; 16]) -> Result<String, String> {
    let mut rec = PasswordRecord::new_params(peppers, salt);
    rec.hash = derive_on_host(&rec, peppers, password)?;
    Ok(rec.encode())
}

#[cfg(not(target_arch = "wasm32"))]
pub fn derive_on_host(rec: &PasswordRecord, peppers: &Peppers, password: &str) -> Result<Vec<u8>, String> {
    let input = rec.kdf_input(peppers, password)?;
    let mut out = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(&input, &rec.salt, rec.iterations, &mut out);
    Ok(out.to_vec())
}

// The host derivation is what checks these, so they run on the host only.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn peppers() -> Peppers {
        Peppers::parse(&format!("p2:{},p1:{}", "aa".repeat(32), "bb".repeat(32))).unwrap()
    }

    #[test]
    fn the_platform_cap_is_refused_in_every_build() {
        assert_eq!(check_iterations(100_000), Ok(100_000));
        assert!(check_iterations(100_001).unwrap_err().contains("100000"));
        assert!(check_iterations(600_000).is_err(), "the old count would fail every production sign-in");
        assert!(check_iterations(0).is_err());
        let old = PasswordRecord { iterations: 600_000, pepper_id: None, salt: vec![1; 16], hash: vec![0; 32] };
        assert!(old.kdf_input(&peppers(), "x").is_err(), "a record above the cap is never handed to the KDF");
    }

    #[test]
    fn new_records_use_the_cap_and_the_newest_pepper() {
        let rec = PasswordRecord::parse(&hash_on_host(&peppers(), "correct horse", [3; 16]).unwrap()).unwrap();
        assert_eq!((rec.iterations, rec.pepper_id.as_deref()), (ITERATIONS, Some("p2")));
        assert!(rec.is_current(&peppers()));
        assert_eq!(PasswordRecord::parse(&rec.encode()).as_ref(), Some(&rec));
        assert!(rec.encode().starts_with("hmac-pbkdf2-sha256$100000$p2$"));
    }

    #[test]
    fn the_pepper_is_part_of_the_hash() {
        let p = peppers();
        let rec = PasswordRecord::parse(&hash_on_host(&p, "correct horse", [3; 16]).unwrap()).unwrap();
        assert!(rec.matches(&derive_on_host(&rec, &p, "correct horse").unwrap()));
        assert!(!rec.matches(&derive_on_host(&rec, &p, "correct horsE").unwrap()));
        // The same password and salt under another pepper: another hash, so a dump without the secret
        // cannot be checked against guesses.
        let other = Peppers::parse(&format!("p2:{}", "cc".repeat(32))).unwrap();
        assert!(!rec.matches(&derive_on_host(&rec, &other, "correct horse").unwrap()));
    }

    #[test]
    fn old_peppers_and_legacy_records_verify_and_ask_for_a_rehash() {
        let old = Peppers::parse(&format!("p1:{}", "bb".repeat(32))).unwrap();
        let rec = PasswordRecord::parse(&hash_on_host(&old, "pw", [5; 16]).unwrap()).unwrap();
        let now = peppers();
        assert!(rec.matches(&derive_on_host(&rec, &now, "pw").unwrap()), "p1 is still held after rotation");
        assert!(!rec.is_current(&now));
        let gone = Peppers::parse(&format!("p3:{}", "dd".repeat(32))).unwrap();
        assert!(rec.kdf_input(&gone, "pw").unwrap_err().contains("p1"));

        let legacy = PasswordRecord::parse(&format!("pbkdf2-sha256$1000${}${}", B64.encode([1u8; 16]), B64.encode([2u8; 32]))).unwrap();
        assert_eq!((legacy.iterations, legacy.pepper_id.clone()), (1000, None));
        assert_eq!(legacy.kdf_input(&now, "pw").unwrap(), b"pw", "no pepper in the legacy scheme");
        assert!(!legacy.is_current(&now));
    }

    #[test]
    fn the_decoy_costs_what_a_real_record_costs_and_matches_nothing() {
        let p = peppers();
        let d = PasswordRecord::decoy(&p);
        assert!(d.is_current(&p), "same count and pepper as a real record");
        assert!(!d.matches(&derive_on_host(&d, &p, "").unwrap()));
    }

    #[test]
    fn malformed_records_and_peppers_are_refused() {
        for s in ["", "md5$1$x$y", "hmac-pbkdf2-sha256$100000$p1$AA", "pbkdf2-sha256$x$AA$AA", "pbkdf2-sha256$1$AA$AA$AA"] {
            assert!(PasswordRecord::parse(s).is_none(), "{s}");
        }
        assert!(Peppers::parse("").is_none());
        assert!(Peppers::parse("p1:abcd").is_none());
    }
}
