//! Business accounts (法人) and their agents (经办人).

use serde_json::json;
use tongban_tests::{base, delete_with, get_with, new_resident_id, post_with, sign_in, DEMO_PASSWORD};

fn h(cookie: &str) -> Vec<(String, String)> {
    vec![("Origin".into(), base()), ("Cookie".into(), cookie.into())]
}

fn refs(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// A fresh valid credit code, different on every call.
fn new_uscc() -> String {
    let n = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() % 100_000_000;
    let body = format!("913101070{n:08}");
    format!("{body}{}", tongban_shared::ids::uscc_check(&body).unwrap())
}

#[test]
fn a_business_registers_and_authorises_an_agent() {
    let uscc = new_uscc();
    let reg = post_with(
        "/api/v1/accounts/businesses",
        &json!({"uscc": uscc.to_lowercase(), "company_name": "上海普陀测试餐饮有限公司", "legal_rep_name": "赵六", "legal_rep_id_number": new_resident_id(), "mobile": "13811112222", "password": "one form for the whole restaurant"}).to_string(),
        &[("Origin", &base())],
    );
    assert_eq!(reg.status, 201, "{}", reg.body);
    let me = reg.json();
    assert_eq!(me["role"], "business");
    assert_eq!(me["id_number"], uscc.as_str(), "the credit code is public registry data");
    assert_eq!(me["name"], "上海普陀测试餐饮有限公司");
    assert_eq!(me["mobile"], "138****2222");
    let biz = reg.session_cookie().unwrap();

    // The agent must be a registered resident.
    let add = |id: &str| post_with("/api/v1/me/agents", &json!({"id_number": id}).to_string(), &refs(&h(&biz)));
    assert_eq!(add(&new_resident_id()).error_code(404), "not_a_resident");
    assert_eq!(add("340524198001010013").error_code(400), "invalid_id_number");
    let ok = add("34052419800101001x");
    assert_eq!(ok.status, 201, "{}", ok.body);
    assert_eq!(ok.json()["id_number"], "3405**********001X");
    assert_eq!(add("34052419800101001X").error_code(409), "agent_exists");

    // The agent sees the business among theirs.
    let agent = sign_in("34052419800101001X", DEMO_PASSWORD);
    let mine = get_with("/api/v1/me/businesses", &[("Cookie", &agent)]).json();
    assert!(mine.as_array().unwrap().iter().any(|b| b["uscc"] == uscc.as_str()), "{mine}");

    // Withdrawn, it is gone.
    let agent_id = ok.json()["id"].as_str().unwrap().to_string();
    assert_eq!(delete_with(&format!("/api/v1/me/agents/{agent_id}"), &refs(&h(&biz))).status, 204);
    assert!(get_with("/api/v1/me/agents", &[("Cookie", &biz)]).json().as_array().unwrap().is_empty());
    let mine = get_with("/api/v1/me/businesses", &[("Cookie", &agent)]).json();
    assert!(mine.as_array().unwrap().iter().all(|b| b["uscc"] != uscc.as_str()));

    // One account per credit code; signing in with it works.
    let again = post_with(
        "/api/v1/accounts/businesses",
        &json!({"uscc": uscc, "company_name": "另一家公司", "legal_rep_name": "赵六", "legal_rep_id_number": new_resident_id(), "mobile": "13811112222", "password": "one form for the whole restaurant"}).to_string(),
        &[("Origin", &base())],
    );
    assert_eq!(again.error_code(409), "account_exists");
    assert_eq!(get_with("/api/v1/me", &[("Cookie", &sign_in(&uscc, "one form for the whole restaurant"))]).json()["role"], "business");
}

#[test]
fn the_demo_agent_acts_for_the_demo_business() {
    let agent = sign_in("11010519491231002X", DEMO_PASSWORD);
    let mine = get_with("/api/v1/me/businesses", &[("Cookie", &agent)]).json();
    assert!(mine.as_array().unwrap().iter().any(|b| b["uscc"] == "91440101MA5CJQ4N59"), "{mine}");
}

#[test]
fn bad_business_registrations_write_nothing() {
    let uscc = new_uscc();
    let body = |code: &str| {
        json!({"uscc": code, "company_name": "<script>", "legal_rep_name": "赵六", "legal_rep_id_number": new_resident_id(), "mobile": "13811112222", "password": "one form for the whole restaurant"}).to_string()
    };
    let r = post_with("/api/v1/accounts/businesses", &body(&uscc), &[("Origin", &base())]);
    assert_eq!(r.error_code(400), "invalid_company");
    let mut wrong = uscc.clone().into_bytes();
    wrong[17] = if wrong[17] == b'0' { b'1' } else { b'0' };
    let r = post_with("/api/v1/accounts/businesses", &body(std::str::from_utf8(&wrong).unwrap()), &[("Origin", &base())]);
    assert_eq!(r.error_code(400), "invalid_uscc");
}
