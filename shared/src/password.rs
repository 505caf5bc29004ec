//! Password policy (OWASP ASVS 2.1): at least 8 characters, at most 128, and none of the 1,000 most
//! common passwords. Length counts characters, so a Chinese passphrase is measured fairly. Checked in the
//! browser while typing and again at the edge before hashing.

use crate::error::ErrorCode;

pub const MIN_CHARS: usize = 8;
pub const MAX_CHARS: usize = 128;

const COMMON: &str = include_str!("../data/common-passwords.txt");

/// Whether the password is on the common list (case-insensitively: `Password` is as guessable as `password`).
pub fn is_common(pw: &str) -> bool {
    let lower = pw.to_lowercase();
    COMMON.lines().filter(|l| !l.starts_with('#')).any(|l| l == lower)
}

pub fn check(pw: &str) -> Result<(), ErrorCode> {
    let n = pw.chars().count();
    if n < MIN_CHARS {
        Err(ErrorCode::PasswordTooShort)
    } else if n > MAX_CHARS {
        Err(ErrorCode::PasswordTooLong)
    } else if is_common(pw) {
        Err(ErrorCode::PasswordCommon)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_has_a_thousand_entries() {
        assert_eq!(COMMON.lines().filter(|l| !l.starts_with('#') && !l.is_empty()).count(), 1000);
    }

    #[test]
    fn policy() {
        assert_eq!(check("short"), Err(ErrorCode::PasswordTooShort));
        assert_eq!(check("12345678"), Err(ErrorCode::PasswordCommon));
        assert_eq!(check("PASSWORD"), Err(ErrorCode::PasswordCommon));
        assert_eq!(check("qwertyuiop"), Err(ErrorCode::PasswordCommon));
        assert_eq!(check(&"a".repeat(129)), Err(ErrorCode::PasswordTooLong));
        assert_eq!(check("普陀区一网通办很方便"), Ok(()), "10 Chinese characters are long enough");
        assert_eq!(check("correct horse battery"), Ok(()));
        assert_eq!(check("一网通办"), Err(ErrorCode::PasswordTooShort), "4 characters, though 12 bytes");
    }
}
