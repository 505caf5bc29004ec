//! Identifiers people type: the resident ID number (居民身份证号, GB 11643-1999), the unified social credit
//! code (统一社会信用代码, GB 32100-2015) and mainland mobile numbers — checked here once for the browser
//! and the edge — and the masks that hide them wherever the full value is not needed.

use crate::error::ErrorCode;

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: &[u8; 11] = b"10X98765432";

/// The check character of the first 17 digits of a resident ID number, or None if they are not 17 digits.
pub fn resident_id_check(first17: &str) -> Option<char> {
    let b = first17.as_bytes();
    if b.len() != 17 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let s: u32 = b.iter().zip(ID_WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    Some(ID_CHECK[(s % 11) as usize] as char)
}

fn is_leap(y: u32) -> bool {
    (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400)
}

/// Whether `YYYYMMDD` is a real calendar date between 1900 and 2099.
pub fn is_real_date(ymd: &str) -> bool {
    if ymd.len() != 8 || !ymd.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let (y, m, d) = (ymd[..4].parse::<u32>().unwrap_or(0), ymd[4..6].parse::<u32>().unwrap_or(0), ymd[6..].parse::<u32>().unwrap_or(0));
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => return false,
    };
    (1900..=2099).contains(&y) && (1..=days).contains(&d)
}

/// Normalises (trims, upper-cases a final `x`) and validates an 18-character resident ID number.
pub fn resident_id(input: &str) -> Result<String, ErrorCode> {
    let s = input.trim().to_ascii_uppercase();
    if s.len() != 18 || !s.is_ascii() {
        return Err(ErrorCode::InvalidIdNumber);
    }
    let (first17, check) = s.split_at(17);
    match resident_id_check(first17) {
        Some(c) if check.starts_with(c) && is_real_date(&first17[6..14]) => Ok(s),
        _ => Err(ErrorCode::InvalidIdNumber),
    }
}

const USCC_CHARS: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

fn uscc_value(c: u8) -> Option<u32> {
    USCC_CHARS.iter().position(|x| *x == c).map(|p| p as u32)
}

/// The check character of the first 17 characters of a unified social credit code.
pub fn uscc_check(first17: &str) -> Option<char> {
    let b = first17.as_bytes();
    if b.len() != 17 {
        return None;
    }
    let mut s = 0;
    for (c, w) in b.iter().zip(USCC_WEIGHTS) {
        s += uscc_value(*c)? * w;
    }
    Some(USCC_CHARS[((31 - s % 31) % 31) as usize] as char)
}

/// Normalises (trims, upper-cases) and validates an 18-character unified social credit code.
pub fn uscc(input: &str) -> Result<String, ErrorCode> {
    let s = input.trim().to_ascii_uppercase();
    if s.len() != 18 || !s.is_ascii() {
        return Err(ErrorCode::InvalidUscc);
    }
    let (first17, check) = s.split_at(17);
    match uscc_check(first17) {
        Some(c) if check.starts_with(c) => Ok(s),
        _ => Err(ErrorCode::InvalidUscc),
    }
}

/// A mainland mobile number: 11 digits starting 1[3-9]; spaces, hyphens and a +86 prefix are tolerated.
pub fn mobile(input: &str) -> Result<String, ErrorCode> {
    let digits: String = input.trim().trim_start_matches("+86").chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let b = digits.as_bytes();
    if b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) && b.iter().all(u8::is_ascii_digit) {
        Ok(digits)
    } else {
        Err(ErrorCode::InvalidMobile)
    }
}

/// `310101199001011234` → `3101**********1234`: region and the last four stay, birth date and serial go.
pub fn mask_id(id: &str) -> String {
    mask_middle(id, 4, 4)
}

/// `13812345678` → `138****5678`.
pub fn mask_mobile(m: &str) -> String {
    mask_middle(m, 3, 4)
}

/// `张三丰` → `张**`: the family name stays so staff can address the person.
pub fn mask_name(name: &str) -> String {
    mask_middle(name, 1, 0)
}

fn mask_middle(s: &str, keep_start: usize, keep_end: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= keep_start + keep_end {
        return "*".repeat(chars.len().max(1));
    }
    let hidden = chars.len() - keep_start - keep_end;
    chars[..keep_start].iter().chain(std::iter::repeat_n(&'*', hidden)).chain(chars[chars.len() - keep_end..].iter()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn resident_ids_from_the_domain_reference() {
        assert_eq!(resident_id("11010519491231002X"), Ok("11010519491231002X".into()));
        assert_eq!(resident_id("34052419800101001X"), Ok("34052419800101001X".into()));
        assert_eq!(resident_id(" 34052419800101001x "), Ok("34052419800101001X".into()), "lower-case x and spaces are normalised");
        assert_eq!(resident_id("340524198001010013"), Err(ErrorCode::InvalidIdNumber));
    }

    #[test]
    fn resident_id_needs_a_real_birth_date() {
        // Valid checksums, impossible dates.
        for first17 in ["11010519490230001", "11010519491301001", "11010518990101001", "11010520230229001"] {
            let id = format!("{first17}{}", resident_id_check(first17).unwrap());
            assert_eq!(resident_id(&id), Err(ErrorCode::InvalidIdNumber), "{id}");
        }
        let leap = format!("11010520240229001{}", resident_id_check("11010520240229001").unwrap());
        assert!(resident_id(&leap).is_ok(), "29 February 2024 exists");
        for bad in ["", "1101051949123100", "11010519491231002XX", "1101051949123100２X", "A1010519491231002X"] {
            assert_eq!(resident_id(bad), Err(ErrorCode::InvalidIdNumber), "{bad:?}");
        }
    }

    #[test]
    fn uscc_from_the_domain_reference() {
        for ok in ["91350200776049653A", "913502000728319549", "91440101MA5CJQ4N59"] {
            assert_eq!(uscc(ok), Ok(ok.to_string()), "{ok}");
        }
        assert_eq!(uscc("91440101ma5cjq4n59"), Ok("91440101MA5CJQ4N59".into()));
        for bad in ["91350200776049653B", "9135020077604965IA", "91350200776049653", "O1350200776049653A", ""] {
            assert_eq!(uscc(bad), Err(ErrorCode::InvalidUscc), "{bad}");
        }
    }

    #[test]
    fn mobiles() {
        assert_eq!(mobile("13812345678"), Ok("13812345678".into()));
        assert_eq!(mobile("+86 138-1234-5678"), Ok("13812345678".into()));
        for bad in ["12812345678", "1381234567", "138123456789", "1381234567a", ""] {
            assert_eq!(mobile(bad), Err(ErrorCode::InvalidMobile), "{bad}");
        }
    }

    #[test]
    fn masks() {
        assert_eq!(mask_id("31010119900101123X"), "3101**********123X");
        assert_eq!(mask_mobile("13812345678"), "138****5678");
        assert_eq!(mask_name("张三丰"), "张**");
        assert_eq!(mask_name("李"), "*");
        assert_eq!(mask_id("123"), "***");
    }

    fn valid_id() -> impl Strategy<Value = String> {
        ("[1-6][0-9]{5}", 1900u32..2099, 1u32..=12, 1u32..=28, "[0-9]{3}").prop_map(|(region, y, m, d, serial)| {
            let first17 = format!("{region}{y:04}{m:02}{d:02}{serial}");
            let c = resident_id_check(&first17).unwrap();
            format!("{first17}{c}")
        })
    }

    proptest! {
        /// A valid ID with any one digit changed is refused: the checksum catches every single-digit error.
        #[test]
        fn one_changed_digit_is_caught(id in valid_id(), pos in 0usize..17, delta in 1u8..10) {
            prop_assert!(resident_id(&id).is_ok());
            let mut b = id.into_bytes();
            b[pos] = b'0' + (b[pos] - b'0' + delta) % 10;
            let changed = String::from_utf8(b).unwrap();
            prop_assert_eq!(resident_id(&changed), Err(ErrorCode::InvalidIdNumber));
        }

        /// Same for credit codes: any single substituted character is refused.
        #[test]
        fn one_changed_uscc_char_is_caught(body in "[0-9A-HJ-NP-RTUWXY]{17}", pos in 0usize..18, sub in 1usize..31) {
            let code = format!("{body}{}", uscc_check(&body).unwrap());
            prop_assert!(uscc(&code).is_ok());
            let mut b = code.into_bytes();
            let v = USCC_CHARS.iter().position(|c| *c == b[pos]).unwrap();
            b[pos] = USCC_CHARS[(v + sub) % 31];
            prop_assert_eq!(uscc(&String::from_utf8(b).unwrap()), Err(ErrorCode::InvalidUscc));
        }

        /// Validation never panics, whatever is typed.
        #[test]
        fn never_panics(s in "\\PC{0,30}") {
            let _ = resident_id(&s);
            let _ = uscc(&s);
            let _ = mobile(&s);
            let _ = mask_id(&s);
        }
    }
}
