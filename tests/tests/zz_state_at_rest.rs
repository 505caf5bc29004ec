//! Runs after every other test binary (cargo runs them in name order), so the raw local state it reads
//! holds what the whole integration suite wrote: the demo seed, every test's records, and the local
//! observability store, which keeps request URLs as production logs do.

use serde_json::json;
use tongban_tests::{base, new_resident_id, post_with};

/// The raw local state (every D1, R2, KV and log file) must not contain a personal value in clear: not this
/// test's, and not the demo seed's (before issue 16 the e-licences held the demo ID numbers and names).
#[test]
fn personal_data_is_encrypted_in_the_database_file() {
    let id = new_resident_id();
    let mobile = "13987654321";
    let body = json!({"name": "张三丰", "id_number": id, "mobile": mobile, "password": "普陀区一网通办很方便"}).to_string();
    assert_eq!(post_with("/api/v1/accounts/residents", &body, &[("Origin", &base())]).status, 201);
    let dir = std::env::var("TONGBAN_STATE_DIR").expect("TONGBAN_STATE_DIR is set by `cargo xtask test`");
    let mut files = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(dir)];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            if e.path().is_dir() {
                stack.push(e.path())
            } else {
                files.push(e.path())
            }
        }
    }
    // The demo seed's people (xtask/src/seed.rs): ID numbers, names, mobiles, the business's premises.
    let demo = ["11010519491231002X", "34052419800101001X", "张伟", "李娜", "13800138000", "13900139000", "13900139001", "上海市普陀区长寿路588号1层"];
    let mine = [id.as_str(), mobile, "张三丰"];
    let mut saw_accounts = false;
    for f in &files {
        let Ok(bytes) = std::fs::read(f) else { continue };
        let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
        saw_accounts |= has(b"hmac-pbkdf2-sha256$100000$");
        for value in demo.iter().chain(&mine) {
            assert!(!has(value.as_bytes()), "{} holds {value} in clear", f.display());
        }
    }
    assert!(saw_accounts, "the grep looked at the file that holds the accounts ({} files)", files.len());
}
