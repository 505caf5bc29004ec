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

    // An invitation, not a link: the same answer whether or not the number is registered (no oracle).
    let add = |id: &str| post_with("/api/v1/me/agents", &json!({"id_number": id}).to_string(), &refs(&h(&biz)));
    assert_eq!(add("340524198001010013").error_code(400), "invalid_id_number");
    let stranger = add(&new_resident_id());
    let ok = add("34052419800101001x");
    assert_eq!((stranger.status, ok.status), (201, 201), "{} / {}", stranger.body, ok.body);
    let shape = |v: serde_json::Value| {
        let mut keys: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        (keys, v["state"].clone(), v["business"].clone())
    };
    assert_eq!(shape(stranger.json()), shape(ok.json()), "registered or not, the business learns the same");
    assert_eq!(ok.json()["id_number"], "3405**********001X");
    assert_eq!(ok.json()["state"], "pending");
    assert_eq!(add("34052419800101001X").json()["id"], ok.json()["id"], "asking again answers with the pending invitation");
    assert!(get_with("/api/v1/me/agents", &[("Cookie", &biz)]).json().as_array().unwrap().is_empty(), "no link before they accept");

    // The resident finds it (inbox and /me), sees who asks, and accepts.
    let agent = sign_in("34052419800101001X", DEMO_PASSWORD);
    let inbox = get_with("/api/v1/notifications", &[("Cookie", &agent)]).json();
    assert!(inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["kind"] == "agent_invitation" && n["message"]["body"]["zh"].as_str().unwrap().contains("上海普陀测试餐饮有限公司")));
    let waiting = get_with("/api/v1/me/agent-invitations", &[("Cookie", &agent)]).json();
    let inv = waiting.as_array().unwrap().iter().find(|i| i["business"]["uscc"] == uscc.as_str()).expect("the invitation waits for them").clone();
    let inv_id = inv["id"].as_str().unwrap().to_string();
    let answer = |who: &str, accept: bool| post_with(&format!("/api/v1/me/agent-invitations/{inv_id}"), &json!({"accept": accept}).to_string(), &refs(&h(who)));
    assert_eq!(answer(&sign_in("11010519491231002X", DEMO_PASSWORD), true).error_code(404), "invitation_not_found", "another resident cannot accept it");
    assert_eq!(answer(&biz, true).error_code(403), "forbidden", "nor the business itself");
    assert_eq!(answer(&agent, true).json()["state"], "accepted");
    assert_eq!(answer(&agent, false).error_code(404), "invitation_not_found", "answered once");
    let agents = get_with("/api/v1/me/agents", &[("Cookie", &biz)]).json();
    assert_eq!(agents[0]["id_number"], "3405**********001X");
    assert_eq!(add("34052419800101001X").error_code(409), "agent_exists");

    // The agent sees the business among theirs.
    let mine = get_with("/api/v1/me/businesses", &[("Cookie", &agent)]).json();
    assert!(mine.as_array().unwrap().iter().any(|b| b["uscc"] == uscc.as_str()), "{mine}");

    // Withdrawn, it is gone.
    let agent_id = agents[0]["id"].as_str().unwrap().to_string();
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

/// Declining leaves no link; invitations are limited per business, registered numbers or not.
#[test]
fn an_invitation_can_be_declined_and_invitations_are_rate_limited() {
    let uscc = new_uscc();
    let reg = post_with(
        "/api/v1/accounts/businesses",
        &json!({"uscc": uscc, "company_name": "上海普陀测试咨询有限公司", "legal_rep_name": "钱七", "legal_rep_id_number": new_resident_id(), "mobile": "13811113333", "password": "one form for the whole company"}).to_string(),
        &[("Origin", &base())],
    );
    assert_eq!(reg.status, 201, "{}", reg.body);
    let biz = reg.session_cookie().unwrap();
    let (resident, _, id_number) = tongban_tests::register_resident();
    let add = |id: &str| post_with("/api/v1/me/agents", &json!({"id_number": id}).to_string(), &refs(&h(&biz)));
    assert_eq!(add(&id_number).status, 201);
    let inv = get_with("/api/v1/me/agent-invitations", &[("Cookie", &resident)]).json()[0].clone();
    let no = post_with(&format!("/api/v1/me/agent-invitations/{}", inv["id"].as_str().unwrap()), &json!({"accept": false}).to_string(), &refs(&h(&resident)));
    assert_eq!(no.json()["state"], "declined");
    assert!(get_with("/api/v1/me/agents", &[("Cookie", &biz)]).json().as_array().unwrap().is_empty());
    let listed = get_with("/api/v1/me/agent-invitations", &[("Cookie", &biz)]).json();
    assert_eq!(listed[0]["state"], "declined", "the business sees the answer");
    assert!(listed[0]["business"].is_null());
    // 10 an hour: one sent above, nine more, then 429 with Retry-After.
    for _ in 0..tongban_shared::account::INVITES_PER_WINDOW - 1 {
        assert_eq!(add(&new_resident_id()).status, 201);
    }
    let limited = add(&new_resident_id());
    assert_eq!(limited.error_code(429), "too_many_invitations");
    assert_eq!(limited.header("retry-after"), Some("3600"));
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

/// The hourly invitation limit holds under a burst: 15 parallel invitations of different people make
/// exactly `INVITES_PER_WINDOW`, the rest are 429 (the count is taken inside the write, not read before it).
#[test]
fn parallel_invitations_stop_at_the_hourly_limit() {
    let reg = post_with(
        "/api/v1/accounts/businesses",
        &json!({"uscc": new_uscc(), "company_name": "上海普陀并发测试有限公司", "legal_rep_name": "孙八", "legal_rep_id_number": new_resident_id(), "mobile": "13811114444", "password": "one form for the whole company"}).to_string(),
        &[("Origin", &base())],
    );
    assert_eq!(reg.status, 201, "{}", reg.body);
    let biz = reg.session_cookie().unwrap();
    let ids: Vec<String> = (0..15).map(|_| new_resident_id()).collect();
    let answers: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = ids
            .iter()
            .map(|id| {
                let biz = &biz;
                s.spawn(move || post_with("/api/v1/me/agents", &json!({"id_number": id}).to_string(), &refs(&h(biz))).status)
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let made = answers.iter().filter(|s| **s == 201).count();
    eprintln!("15 parallel invitations: {made} made, answers {answers:?}");
    assert_eq!(made, tongban_shared::account::INVITES_PER_WINDOW as usize, "{answers:?}");
    assert!(answers.iter().all(|s| *s == 201 || *s == 429), "{answers:?}");
    let listed = get_with("/api/v1/me/agent-invitations", &[("Cookie", &biz)]).json();
    assert_eq!(listed.as_array().unwrap().len(), tongban_shared::account::INVITES_PER_WINDOW as usize);
}
