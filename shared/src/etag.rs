//! Content hashes for HTTP validators. An ETag only has to change when the bytes change, so a fast
//! non-cryptographic 64-bit FNV-1a is enough; nothing secret or adversarial depends on it.

const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0000_0100_0000_01b3;

pub fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(OFFSET, |h, b| (h ^ u64::from(*b)).wrapping_mul(PRIME))
}

/// A strong entity tag, quoted as HTTP wants it.
pub fn strong_etag(body: &[u8]) -> String {
    format!("\"{:016x}\"", fnv1a64(body))
}

/// Whether an `If-None-Match` header matches `etag` (RFC 9110 §13.1.2: weak comparison, a list, or `*`).
pub fn if_none_match_hits(header: &str, etag: &str) -> bool {
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_string();
    let want = bare(etag);
    header.split(',').any(|t| {
        let t = t.trim();
        t == "*" || bare(t) == want
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_fnv_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn etag_changes_with_content_and_matches_lists() {
        let a = strong_etag(b"{\"x\":1}");
        let b = strong_etag(b"{\"x\":2}");
        assert_ne!(a, b);
        assert!(a.starts_with('"') && a.ends_with('"') && a.len() == 18);
        assert!(if_none_match_hits(&a, &a));
        assert!(if_none_match_hits(&format!("\"zzz\", W/{a}"), &a));
        assert!(if_none_match_hits("*", &a));
        assert!(!if_none_match_hits(&b, &a));
        assert!(!if_none_match_hits("", &a));
    }
}
