//! Resident ID numbers, credit codes, mobile numbers and the masks, on arbitrary UTF-8.
//!
//! People type these; what is accepted is stored and compared, so an accepted value must really be
//! well formed (18 characters, the GB check character, a real birth date), already normalised
//! (parsing it again changes nothing) and the trimmed, upper-cased input. The masks hide personal data
//! on every page that does not need it, so their shape is checked exactly: the documented ends stay,
//! everything between becomes `*`, and a value too short to keep anything is all `*`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tongban_shared::error::ErrorCode;
use tongban_shared::ids::{is_real_date, mask_id, mask_mobile, mask_name, mobile, resident_id, resident_id_check, uscc, uscc_check};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let normalised = s.trim().to_ascii_uppercase();

    match resident_id(s) {
        Ok(id) => {
            assert_eq!(id, normalised, "accepted ID is the trimmed, upper-cased input");
            assert!(id.is_ascii() && id.len() == 18, "{id:?}");
            let (first17, check) = id.split_at(17);
            assert_eq!(resident_id_check(first17).map(String::from).as_deref(), Some(check), "{id:?}");
            assert!(is_real_date(&first17[6..14]), "{id:?}: birth date");
            assert_eq!(resident_id(&id), Ok(id.clone()), "idempotent");
            assert_eq!(resident_id(&id.to_ascii_lowercase()), Ok(id.clone()), "a lower-case x is accepted");
            let masked = mask_id(&id);
            assert!(masked.starts_with(&id[..4]) && masked.ends_with(&id[14..]) && masked[4..14].bytes().all(|b| b == b'*'), "{masked}");
        }
        Err(e) => assert_eq!(e, ErrorCode::InvalidIdNumber),
    }

    match uscc(s) {
        Ok(code) => {
            assert_eq!(code, normalised, "accepted code is the trimmed, upper-cased input");
            assert!(code.is_ascii() && code.len() == 18, "{code:?}");
            let (first17, check) = code.split_at(17);
            assert_eq!(uscc_check(first17).map(String::from).as_deref(), Some(check), "{code:?}");
            assert_eq!(uscc(&code), Ok(code.clone()), "idempotent");
        }
        Err(e) => assert_eq!(e, ErrorCode::InvalidUscc),
    }

    match mobile(s) {
        Ok(m) => {
            let b = m.as_bytes();
            assert!(b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) && b.iter().all(u8::is_ascii_digit), "{m:?}");
            assert_eq!(mobile(&m), Ok(m.clone()), "idempotent");
            assert_eq!(mobile(&format!("+86 {}-{}-{}", &m[..3], &m[3..7], &m[7..])), Ok(m.clone()), "+86, spaces and hyphens");
        }
        Err(e) => assert_eq!(e, ErrorCode::InvalidMobile),
    }

    check_mask(s, &mask_id(s), 4, 4);
    check_mask(s, &mask_mobile(s), 3, 4);
    check_mask(s, &mask_name(s), 1, 0);
});

/// `out` keeps the first `start` and last `end` characters of `s` and stars the rest; a value with
/// nothing to hide between the kept ends is all stars (at least one). So the mask gives back `s`
/// itself only when every hidden character already was a `*`.
fn check_mask(s: &str, out: &str, start: usize, end: usize) {
    let chars: Vec<char> = s.chars().collect();
    let got: Vec<char> = out.chars().collect();
    if chars.len() <= start + end {
        assert_eq!(got, vec!['*'; chars.len().max(1)], "{s:?} → {out:?}");
        return;
    }
    assert_eq!(got.len(), chars.len(), "{s:?} → {out:?}");
    assert_eq!(got[..start], chars[..start], "{s:?} → {out:?}");
    assert_eq!(got[got.len() - end..], chars[chars.len() - end..], "{s:?} → {out:?}");
    assert!(got[start..got.len() - end].iter().all(|c| *c == '*'), "{s:?} → {out:?}");
    assert!(out != s || chars[start..chars.len() - end].iter().all(|c| *c == '*'), "{s:?} returned unmasked");
}
