//! 一表申请 on real workerd: the merged form, pre-filling from the profile and the e-licence library,
//! idempotent submission of one application with one case per item, the front desk's accept / correct /
//! reject, the departments' approval chains, unified output issuing new e-licences that a second
//! application reuses, withdrawal, and who may see what.

use serde_json::{json, Value};
use tongban_tests::{
    base, d1_rows, get_bytes, get_with, post_with, put_with, restaurant, sign_in, unique, upload_file, uploads, Resp, BUSINESS, BUSINESS_LICENCE,
    DEMO_PASSWORD, REP_ID,
};

fn h<'a>(cookie: &'a str, origin: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![("Origin", origin), ("Cookie", cookie)]
}

fn submit(cookie: &str, key: &str, bundle: &str, values: Value, consent: Value) -> Resp {
    let o = base();
    let body = json!({"bundle_id": bundle, "center_id": "putuo-district", "values": values, "consent": consent}).to_string();
    let mut headers = h(cookie, &o);
    headers.push(("Idempotency-Key", key));
    post_with("/api/v1/applications", &body, &headers)
}

fn desk(cookie: &str, id: &str, action: Value) -> Resp {
    post_with(&format!("/api/v1/applications/{id}/desk"), &action.to_string(), &h(cookie, &base()))
}

fn case_act(cookie: &str, id: &str, action: Value) -> Resp {
    post_with(&format!("/api/v1/cases/{id}/actions"), &action.to_string(), &h(cookie, &base()))
}

/// A new approver of `dept` holding `duties` (every duty when None).
fn approver(dept: &str, duties: Option<&[&str]>) -> String {
    let admin = sign_in("admin.district", DEMO_PASSWORD);
    let login = unique(&format!("ap.{dept}."));
    let mut body = json!({"login": login, "name": "审批员", "role": "approver", "dept_id": dept, "password": "approver of the tests"});
    if let Some(d) = duties {
        body["duties"] = json!(d);
    }
    let body = body.to_string();
    let r = post_with("/api/v1/staff", &body, &h(&admin, &base()));
    assert_eq!(r.status, 201, "{}", r.body);
    sign_in(&login, "approver of the tests")
}

fn business() -> (String, String) {
    (sign_in(BUSINESS, DEMO_PASSWORD), tongban_shared::account::seed_account_id(BUSINESS))
}

#[test]
fn the_restaurant_form_asks_shared_questions_once_and_is_prefilled() {
    let r = get_with("/api/v1/bundles/open-restaurant/form", &[]);
    assert_eq!(r.status, 200, "{}", r.body);
    let f = r.json();
    assert_eq!((f["asked"].as_u64(), f["sum_of_items"].as_u64()), (Some(34), Some(59)));
    let licence = f["fields"].as_array().unwrap().iter().find(|x| x["field"]["key"] == "lic_business_licence").unwrap();
    assert_eq!(licence["items"].as_array().unwrap().len(), 4, "four items need the business licence; it is asked once");
    let (cookie, _) = business();
    let p = get_with("/api/v1/me/profile", &[("Cookie", &cookie)]).json();
    assert_eq!(p["values"]["company_name"], "上海普陀示例餐饮有限公司");
    assert_eq!(p["values"]["uscc"], BUSINESS);
    let lib = get_with("/api/v1/me/licences", &[("Cookie", &cookie)]).json();
    let bl = lib.as_array().unwrap().iter().find(|l| l["id"] == BUSINESS_LICENCE).expect("the business licence is in the library");
    assert_eq!(bl["fields"]["uscc"], BUSINESS, "what a department would read is shown before consent");
    assert_eq!(get_with("/api/v1/bundles/nope/form", &[]).error_code(404), "bundle_not_found");
}

#[test]
fn drafts_resume_on_another_device_and_keep_only_form_fields() {
    let (cookie, _) = business();
    let o = base();
    let r = put_with("/api/v1/bundles/open-restaurant/draft", &json!({"values": {"seats": "40", "not_a_field": "x"}}).to_string(), &h(&cookie, &o));
    assert_eq!(r.status, 200, "{}", r.body);
    // Another sign-in (another device) finds it.
    let other = sign_in(BUSINESS, DEMO_PASSWORD);
    let d = get_with("/api/v1/bundles/open-restaurant/draft", &[("Cookie", &other)]).json();
    assert_eq!(d["values"], json!({"seats": "40"}));
}

#[test]
fn schema_invalid_submissions_are_refused_field_by_field_and_write_nothing() {
    let (cookie, account) = business();
    let files = uploads(&account, 5);
    let mut v = restaurant(&files);
    v["uscc"] = json!("91350200776049653B");
    v["premises_area"] = json!("0");
    v.as_object_mut().unwrap().remove("applicant_mobile");
    let key = unique("bad-");
    let r = submit(&cookie, &key, "open-restaurant", v, json!([BUSINESS_LICENCE, REP_ID]));
    assert_eq!(r.error_code(400), "invalid_form");
    let problems: Vec<(String, String)> =
        r.json()["problems"].as_array().unwrap().iter().map(|p| (p["key"].as_str().unwrap().to_string(), p["code"].as_str().unwrap().to_string())).collect();
    for want in [("applicant_mobile", "field_required"), ("uscc", "invalid_uscc"), ("premises_area", "number_out_of_range")] {
        assert!(problems.contains(&(want.0.to_string(), want.1.to_string())), "{want:?} in {problems:?}");
    }
    // An e-licence that is not the applicant's, or not consented to, is refused too.
    let r = submit(&cookie, &key, "open-restaurant", restaurant(&files), json!([REP_ID]));
    assert!(r.json()["problems"].as_array().unwrap().iter().any(|p| p["key"] == "lic_business_licence" && p["code"] == "invalid_attachment"), "{}", r.body);
    let (someone, _) = (sign_in("11010519491231002X", DEMO_PASSWORD), ());
    let r = submit(&someone, &unique("k-"), "open-restaurant", restaurant(&files), json!([BUSINESS_LICENCE, REP_ID]));
    assert_eq!(r.error_code(400), "invalid_form", "someone else's licences and uploads");
    assert_eq!(submit(&cookie, "short", "open-restaurant", restaurant(&files), json!([])).error_code(400), "idempotency_key_required");
    assert_eq!(d1_rows(&format!("SELECT count(*) AS n FROM applications WHERE idem_key = '{key}';"))[0]["n"], 0);
}

#[test]
fn the_whole_lifecycle_to_unified_output_and_reuse_of_the_issued_licence() {
    let (cookie, account) = business();
    let mut files = uploads(&account, 5);
    // The floor plan through the upload endpoint, so its bytes are really there to open later.
    let plan = upload_file(&cookie, "平面图.pdf", b"%PDF-1.4\n% plan\n");
    assert_eq!(plan.status, 201, "{}", plan.body);
    files[3] = plan.json()["id"].as_str().unwrap().to_string();
    let key = unique("life-");
    // A double-clicked submit: one application.
    let first = submit(&cookie, &key, "open-restaurant", restaurant(&files), json!([BUSINESS_LICENCE, REP_ID]));
    assert_eq!(first.status, 201, "{}", first.body);
    let again = submit(&cookie, &key, "open-restaurant", restaurant(&files), json!([BUSINESS_LICENCE, REP_ID]));
    assert_eq!(again.status, 200);
    let app = first.json();
    let id = app["id"].as_str().unwrap().to_string();
    assert_eq!(again.json()["id"], id.as_str());
    assert!(app["number"].as_str().unwrap().starts_with("TB"));
    assert_eq!(app["state"], "submitted");
    let cases = app["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 5, "one case per item");
    assert_eq!(d1_rows(&format!("SELECT count(*) AS n FROM cases WHERE application_id = '{id}';"))[0]["n"], 5);

    // Front desk of the district center accepts; another center's window may not.
    assert_eq!(desk(&sign_in("window.wanli", DEMO_PASSWORD), &id, json!({"action": "accept"})).error_code(403), "forbidden");
    let front = sign_in("window.putuo", DEMO_PASSWORD);
    assert!(get_with("/api/v1/desk/applications", &[("Cookie", &front)]).json().as_array().unwrap().iter().any(|a| a["id"] == id.as_str()));
    let accepted = desk(&front, &id, json!({"action": "accept"}));
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    assert!(accepted.json()["cases"].as_array().unwrap().iter().all(|c| c["state"] == "handling" && c["due"].is_string()));
    assert_eq!(desk(&front, &id, json!({"action": "accept"})).error_code(409), "invalid_transition");

    // The floor plan opens for the applicant, the front desk of the center and the department with a case in
    // it — nobody else.
    let plan_url = format!("/api/v1/uploads/{}", files[3]);
    let got = get_with(&plan_url, &[("Cookie", &sign_in("approver.scjg", DEMO_PASSWORD))]);
    assert_eq!(got.status, 200, "{}", got.body);
    assert!(got.header("content-type").unwrap().starts_with("application/pdf") && got.body.starts_with("%PDF"));
    assert!(got.header("content-disposition").unwrap().starts_with("attachment"));
    assert_eq!(get_with(&plan_url, &[("Cookie", &cookie)]).status, 200);
    assert_eq!(get_with(&plan_url, &[("Cookie", &front)]).status, 200);
    assert_eq!(get_with(&plan_url, &[("Cookie", &sign_in("approver.rsj", DEMO_PASSWORD))]).error_code(403), "forbidden");
    assert_eq!(get_with(&plan_url, &[("Cookie", &sign_in("window.wanli", DEMO_PASSWORD))]).error_code(403), "forbidden");
    assert_eq!(get_with(&plan_url, &[]).status, 401);

    // Each department works only its own cases, through its chain.
    // Three people per department, one per duty (承办, 审核, 决定): the demo's for market regulation; the
    // others' handler holds every duty, so the different-person rule is what stops them deciding too.
    let team = |dept: &str| -> [String; 3] {
        if dept == "scjg" {
            ["approver.scjg", "approver.scjg.review", "approver.scjg.decide"].map(|l| sign_in(l, DEMO_PASSWORD))
        } else {
            [approver(dept, None), approver(dept, Some(&["review"])), approver(dept, Some(&["decide"]))]
        }
    };
    let teams: Vec<(&str, [String; 3])> = ["scjg", "lhsr", "swj"].into_iter().map(|d| (d, team(d))).collect();
    let mut by_dept: Vec<(String, String)> = Vec::new();
    for c in accepted.json()["cases"].as_array().unwrap() {
        let dept = d1_rows(&format!("SELECT dept_id FROM cases WHERE id = '{}';", c["id"].as_str().unwrap()))[0]["dept_id"].as_str().unwrap().to_string();
        by_dept.push((dept, c["id"].as_str().unwrap().to_string()));
    }
    let rsj = sign_in("approver.rsj", DEMO_PASSWORD);
    let (_, some_case) = &by_dept[0];
    assert_eq!(get_with(&format!("/api/v1/cases/{some_case}"), &[("Cookie", &rsj)]).status, 403, "another department");
    for (dept, case) in &by_dept {
        let [handler, reviewer, decider] = &teams.iter().find(|(d, _)| d == dept).unwrap().1;
        let who = handler;
        let task = get_with(&format!("/api/v1/cases/{case}"), &[("Cookie", who)]);
        assert_eq!(task.status, 200, "{}", task.body);
        let task = task.json();
        // Its part only: the tax office never sees the food questions.
        if dept == "swj" {
            assert!(task["part"].get("food_category").is_none() && task["part"].get("uscc").is_some(), "{}", task["part"]);
        }
        if task["chain"] != "on_the_spot" {
            assert_eq!(
                case_act(who, case, json!({"action": "decide", "approve": true, "note": ""})).error_code(409),
                "invalid_transition",
                "not before it is handled"
            );
        }
        let chain = task["chain"].as_str().unwrap().to_string();
        if chain != "on_the_spot" {
            assert_eq!(case_act(decider, case, json!({"action": "pass", "note": "材料齐全"})).error_code(403), "duty_not_held", "the decider does not handle");
            let handled = case_act(handler, case, json!({"action": "pass", "note": "材料齐全"}));
            assert_eq!(handled.status, 200, "{}", handled.body);
            let view = handled.json();
            assert_eq!(view["steps_done"][0]["step"], "handle");
            assert_eq!(
                (view["may_act"].as_bool(), view["steps_done"][0]["me"].as_bool()),
                (Some(false), Some(true)),
                "the handler does not take the next step"
            );
            let refused =
                case_act(handler, case, json!({"action": if chain == "three_step" { "pass" } else { "decide" }, "approve": true, "note": "准予许可"}));
            // The demo handler holds only 承办; the others' handler holds every duty and is refused as the same person.
            let want = if *dept == "scjg" { (403, "duty_not_held") } else { (409, "same_officer") };
            assert_eq!(refused.error_code(want.0), want.1, "{dept}: the handler cannot check or decide its own case");
        }
        if chain == "three_step" {
            assert_eq!(case_act(reviewer, case, json!({"action": "pass", "note": "审核通过"})).status, 200);
            assert_eq!(case_act(reviewer, case, json!({"action": "decide", "approve": true, "note": "准予"})).error_code(403), "duty_not_held");
        }
        let mine = get_with(&format!("/api/v1/cases/{case}"), &[("Cookie", decider)]).json();
        assert_eq!(mine["may_act"], true, "{dept}: the decider may decide now");
        let done = case_act(decider, case, json!({"action": "decide", "approve": true, "note": "准予许可"}));
        assert_eq!(done.status, 200, "{}", done.body);
        let done = done.json();
        let steps: Vec<&str> = done["steps_done"].as_array().unwrap().iter().map(|s| s["step"].as_str().unwrap()).collect();
        let want: &[&str] = match chain.as_str() {
            "three_step" => &["handle", "review", "decide"],
            "one_check" => &["handle", "decide"],
            _ => &["decide"],
        };
        assert_eq!(steps, want, "who did each step is on the case");
    }
    let me = get_with(&format!("/api/v1/applications/{id}"), &[("Cookie", &cookie)]).json();
    assert_eq!(me["state"], "ready", "every case decided: unified output");
    let inbox = get_with("/api/v1/notifications", &[("Cookie", &cookie)]).json();
    assert_eq!(
        inbox["items"].as_array().unwrap().iter().filter(|n| n["kind"] == "application_ready" && n["message"]["url"] == format!("/applications/{id}")).count(),
        1,
        "told once"
    );
    let lib = get_with("/api/v1/me/licences", &[("Cookie", &cookie)]).json();
    let food = lib
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["licence"] == "food_licence" && l["from_case"].is_string())
        .expect("the food licence is issued into the library");
    assert_eq!(food["fields"]["company_name"], "上海普陀示例餐饮有限公司");
    let new_bl =
        lib.as_array().unwrap().iter().find(|l| l["licence"] == "business_licence" && l["from_case"].is_string()).unwrap()["id"].as_str().unwrap().to_string();
    assert_eq!(desk(&front, &id, json!({"action": "collect"})).json()["state"], "collected");

    // 一事一评: the applicant reviews a decided case on the online indicators; nobody else may.
    let (_, food_case) = by_dept
        .iter()
        .find(|(_, c)| d1_rows(&format!("SELECT item_id FROM cases WHERE id = '{c}';"))[0]["item_id"] == "scjg-food-business-licence")
        .unwrap()
        .clone();
    let target = get_with(&format!("/api/v1/reviews/target?case={food_case}"), &[("Cookie", &cookie)]).json();
    assert_eq!((target["kind"].as_str(), target["reviewed"].as_bool()), (Some("case"), Some(false)), "{target}");
    let rv = |who: &str, scores: Value| {
        post_with("/api/v1/reviews", &json!({"case": food_case, "level": 5, "scores": scores, "channel": "web"}).to_string(), &h(who, &base()))
    };
    let online = json!({"efficiency": 5, "guide_accuracy": 5, "convenience": 4, "ease_of_use": 5});
    assert_eq!(
        rv(&cookie, json!({"efficiency": 5, "competence": 5, "attitude": 5})).json()["error"]["field"],
        "competence",
        "window indicators are not asked of a case"
    );
    assert_eq!(rv(&sign_in("11010519491231002X", DEMO_PASSWORD), online.clone()).error_code(403), "not_your_service");
    assert_eq!(rv(&cookie, online.clone()).status, 201);
    assert_eq!(rv(&cookie, online).error_code(409), "already_reviewed");
    let row = &d1_rows(&format!("SELECT event_kind, dept_id, s_guide FROM reviews WHERE event_id = '{food_case}';"))[0];
    assert_eq!((row["event_kind"].as_str(), row["dept_id"].as_str(), row["s_guide"].as_u64()), (Some("case"), Some("scjg"), Some(5)));

    // The next application (企业开办) points to the issued licence: nobody uploads it again.
    let mut v = restaurant(&uploads(&account, 5));
    v["lic_business_licence"] = json!(new_bl);
    v["employees"] = json!("12");
    let second = submit(&cookie, &unique("reuse-"), "company-setup", v, json!([new_bl, REP_ID]));
    assert_eq!(second.status, 201, "{}", second.body);
    let second = second.json();
    assert_eq!(second["values"]["lic_business_licence"], new_bl.as_str());
    assert!(second["values"].get("food_category").is_none(), "answers the bundle does not ask are not kept");
    assert_eq!(second["cases"].as_array().unwrap().len(), 4);
}

#[test]
fn correction_withdrawal_and_rejection() {
    let (cookie, account) = business();
    let files = uploads(&account, 5);
    let front = sign_in("window.putuo", DEMO_PASSWORD);
    let a = submit(&cookie, &unique("c-"), "open-restaurant", restaurant(&files), json!([BUSINESS_LICENCE, REP_ID])).json();
    let id = a["id"].as_str().unwrap();
    assert_eq!(desk(&front, id, json!({"action": "correct", "fields": {"nope": "x"}})).error_code(400), "note_required");
    let c = desk(&front, id, json!({"action": "correct", "fields": {"premises_area": "面积与平面图不一致"}}));
    assert_eq!(c.json()["state"], "correction");
    // Only the field asked changes.
    let o = base();
    let r = post_with(
        &format!("/api/v1/applications/{id}/correction"),
        &json!({"values": {"premises_area": "95", "company_name": "别的公司"}}).to_string(),
        &h(&cookie, &o),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(
        (v["state"].as_str(), v["values"]["premises_area"].as_str(), v["values"]["company_name"].as_str()),
        (Some("submitted"), Some("95"), Some("上海普陀示例餐饮有限公司"))
    );
    // The applicant's timeline shows every step.
    let steps: Vec<&str> = v["timeline"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(steps, vec!["submitted", "correction_requested", "corrected"]);
    // Another applicant sees nothing of it.
    assert_eq!(get_with(&format!("/api/v1/applications/{id}"), &[("Cookie", &sign_in("11010519491231002X", DEMO_PASSWORD))]).error_code(403), "forbidden");
    // Withdraw before acceptance; then nobody can accept it.
    let w = post_with(&format!("/api/v1/applications/{id}/withdraw"), "", &h(&cookie, &o));
    assert_eq!(w.json()["state"], "withdrawn");
    assert!(w.json()["cases"].as_array().unwrap().iter().all(|c| c["state"] == "withdrawn"));
    assert_eq!(post_with(&format!("/api/v1/applications/{id}/withdraw"), "", &h(&cookie, &o)).error_code(409), "invalid_transition");
    assert_eq!(desk(&front, id, json!({"action": "accept"})).error_code(409), "invalid_transition");
    // Rejection needs its legal reason.
    let b = submit(&cookie, &unique("r-"), "open-restaurant", restaurant(&files), json!([BUSINESS_LICENCE, REP_ID])).json();
    let bid = b["id"].as_str().unwrap();
    assert_eq!(desk(&front, bid, json!({"action": "reject", "reason": ""})).error_code(400), "note_required");
    let r = desk(&front, bid, json!({"action": "reject", "reason": "经营场所位于禁止经营区域（依据《食品经营许可管理办法》）"})).json();
    assert_eq!((r["state"].as_str(), r["note"].as_str().map(|n| n.contains("禁止"))), (Some("rejected"), Some(true)));
    // Staff reading the answers left an audit record.
    let audits =
        d1_rows(&format!("SELECT count(*) AS n FROM audit_log WHERE subject_id = '{account}' AND action = 'handle_application';"))[0]["n"].as_u64().unwrap();
    assert!(audits >= 2);
}

#[test]
fn uploads_are_typed_by_their_bytes_and_limited_in_size() {
    let (cookie, _) = business();
    let plan: &[u8] = b"%PDF-1.7\n% floor plan\n";
    let ok = upload_file(&cookie, "平面图.pdf", plan);
    assert_eq!(ok.status, 201, "{}", ok.body);
    assert_eq!((ok.json()["media_type"].as_str(), ok.json()["size"].as_u64()), (Some("application/pdf"), Some(plan.len() as u64)));
    assert_eq!(ok.json()["name"], "平面图.pdf");
    // A page pretending to be a PDF by its name is refused, and so is a program.
    assert_eq!(upload_file(&cookie, "plan.pdf", b"<html><script>alert(1)</script>").error_code(415), "unsupported_file");
    assert_eq!(upload_file(&cookie, "a.png", b"MZ\x90\x00").error_code(415), "unsupported_file");
    // One byte over 5 MB is refused, without a row left behind (other tests upload meanwhile: the name is
    // this test's own).
    let big_name = format!("{}.pdf", unique("big-"));
    let mut big = b"%PDF-".to_vec();
    big.resize(5 * 1024 * 1024 + 1, b'x');
    assert_eq!(upload_file(&cookie, &big_name, &big).error_code(413), "file_too_large");
    assert_eq!(d1_rows(&format!("SELECT count(*) AS n FROM uploads WHERE name = '{big_name}';"))[0]["n"], 0);
    big.truncate(5 * 1024 * 1024);
    let max = upload_file(&cookie, "max.pdf", &big);
    assert_eq!((max.status, max.json()["size"].as_u64()), (201, Some(5 * 1024 * 1024)), "exactly 5 MB is allowed");
    let long = upload_file(&cookie, &format!("{}.pdf", "长".repeat(252)), plan);
    assert_eq!((long.error_code(400).as_str(), long.json()["error"]["field"].as_str()), ("field_too_long", Some("name")), "past the documented 255 characters");
    let kept = upload_file(&cookie, &format!("{}.pdf", "长".repeat(250)), plan);
    assert_eq!(kept.json()["name"].as_str().map(|n| n.chars().count()), Some(100), "a long name is accepted and shown cut to 100");
    let nameless = upload_file(&cookie, "   ", plan);
    assert_eq!((nameless.error_code(415).as_str(), nameless.json()["error"]["field"].as_str()), ("unsupported_file", Some("name")), "a file needs a name");
}

/// Uploads are ID-card scans and licences: in R2 they are sealed with the data keys, so the local R2 files
/// never hold the plaintext, and they open byte for byte for those who may see them.
#[test]
fn uploaded_files_are_sealed_in_r2_and_open_byte_for_byte() {
    let (cookie, _) = business();
    let marker = unique("TONGBAN-PLAINTEXT-MARKER-");
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(marker.as_bytes());
    png.extend((0..=255u8).cycle().take(40_000));
    let up = upload_file(&cookie, "身份证.png", &png);
    assert_eq!(up.status, 201, "{}", up.body);
    let id = up.json()["id"].as_str().unwrap().to_string();
    let (status, back) = get_bytes(&format!("/api/v1/uploads/{id}"), &cookie);
    assert_eq!((status, back.len()), (200, png.len()));
    let head = get_with(&format!("/api/v1/uploads/{id}"), &[("Cookie", &cookie)]);
    assert_eq!(head.header("content-type"), Some("image/png"), "served as what its bytes are, one of the documented types");
    assert!(back == png, "the very bytes come back");

    let dir = std::env::var("TONGBAN_STATE_DIR").expect("TONGBAN_STATE_DIR is set by `cargo xtask test`");
    let mut stack = vec![std::path::PathBuf::from(dir)];
    let (mut r2_files, mut sized) = (0, 0);
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let path = e.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            assert!(!bytes.windows(marker.len()).any(|w| w == marker.as_bytes()), "{} holds the upload in clear", path.display());
            if path.to_string_lossy().contains("r2") {
                r2_files += 1;
                // Sealed: the file plus key id, nonce and tag, which only R2 holds.
                sized += usize::from(bytes.len() >= png.len() && bytes.len() < png.len() + 64);
            }
        }
    }
    assert!(r2_files > 0 && sized > 0, "the sealed upload is in the local R2 files ({r2_files} files, {sized} of its size)");
}

#[test]
fn the_front_desk_enters_an_application_for_a_resident_with_their_consent() {
    // 张伟 retires and comes to the window; his ID card is in his e-licence library.
    let resident = sign_in("11010519491231002X", DEMO_PASSWORD);
    let front = sign_in("window.putuo", DEMO_PASSWORD);
    let o = base();
    let lib = post_with("/api/v1/desk/licences", &json!({"id_number": "11010519491231002X"}).to_string(), &h(&front, &o));
    assert_eq!(lib.status, 200, "{}", lib.body);
    let id_card = lib.json().as_array().unwrap().iter().find(|l| l["licence"] == "id_card").unwrap()["id"].as_str().unwrap().to_string();
    // The photo is scanned at the window by staff.
    let photo = upload_file(&front, "photo.jpg", &[0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]);
    assert_eq!(photo.status, 201, "{}", photo.body);
    let scan = photo.json()["id"].clone();
    let values = json!({"applicant_name": "张伟", "applicant_id": "11010519491231002X", "applicant_mobile": "13800138000",
        "birth_date": "1966-05-01", "employer": "上海普陀示例机械厂", "flexible": "no", "lic_applicant_id": id_card, "f_retire_form": scan,
        "bank_name": "工商银行", "bank_account": "6222020000000000", "f_pension_form": scan, "contribution_short": "no",
        "child_name": "张小伟", "f_only_child": scan});
    let body = |consent: bool, center: &str| {
        json!({"bundle_id": "retirement", "center_id": center, "values": values, "consent": [id_card], "on_behalf": {"id_number": "11010519491231002X", "consent": consent}}).to_string()
    };
    let post_keyed = |who: &str, consent: bool, center: &str, key: &str| {
        let mut hd = h(who, &o);
        hd.push(("Idempotency-Key", key));
        post_with("/api/v1/applications", &body(consent, center), &hd)
    };
    let post = |who: &str, consent: bool| post_keyed(who, consent, "putuo-district", &unique("proxy-"));
    assert_eq!(post(&front, false).error_code(400), "consent_required");
    assert_eq!(post(&sign_in("window.wanli", DEMO_PASSWORD), true).error_code(403), "forbidden", "another center's window");
    assert_eq!(post(&resident, true).error_code(403), "forbidden", "only the front desk enters for others");
    let r = post(&front, true);
    assert_eq!(r.status, 201, "{}", r.body);
    let app = r.json();
    // Lists as the resident's own application, with the consent on record.
    assert!(get_with("/api/v1/applications", &[("Cookie", &resident)]).json().as_array().unwrap().iter().any(|a| a["id"] == app["id"]));
    assert!(app["timeline"].as_array().unwrap().iter().any(|e| e["action"] == "entered_by_front_desk"));
    let staff_id = tongban_shared::account::seed_account_id("window.putuo");
    let audits =
        d1_rows(&format!("SELECT count(*) AS n FROM audit_log WHERE actor_id = '{staff_id}' AND action = 'proxy_application';"))[0]["n"].as_u64().unwrap();
    assert!(audits >= 1);
    assert_eq!(
        post_with("/api/v1/desk/licences", &json!({"id_number": "340524198001010013"}).to_string(), &h(&front, &o)).error_code(400),
        "invalid_id_number"
    );
    // Not in a URL, and not from another site.
    // (The probe carries no real number: a URL is exactly what the logs keep, and the raw-state test greps them.)
    assert_eq!(get_with("/api/v1/desk/licences?id_number=not-a-number", &[("Cookie", &front)]).status, 405);
    assert_eq!(
        post_with("/api/v1/desk/licences", &json!({"id_number": "11010519491231002X"}).to_string(), &[("Cookie", &front), ("Origin", "https://evil.example")])
            .error_code(403),
        "cross_origin"
    );

    // Replaying a submission (its Idempotency-Key) is a look at the resident's application: another
    // center's desk gets a 403 (it got the application back, unaudited), its own desk gets it, audited.
    let key = unique("proxy-replay-");
    assert_eq!(post_keyed(&front, true, "putuo-district", &key).status, 201);
    let wanli = sign_in("window.wanli", DEMO_PASSWORD);
    assert_eq!(post_keyed(&wanli, true, "wanli", &key).error_code(403), "forbidden", "another center's desk replaying the key");
    let views = |who: &str| {
        d1_rows(&format!(
            "SELECT count(*) AS n FROM audit_log WHERE actor_id = '{}' AND action = 'view_application';",
            tongban_shared::account::seed_account_id(who)
        ))[0]["n"]
            .as_u64()
            .unwrap()
    };
    let before = views("window.putuo");
    let again = post_keyed(&front, true, "putuo-district", &key);
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(views("window.putuo"), before + 1, "the replay is audited");
    assert_eq!(views("window.wanli"), 0);
}

/// Issue 15 §5: a consent shares a licence only through the e-licence field that asks for it, and only the
/// applicant's own: a licence id typed into a text field and "consented" is not shown to the department.
#[test]
fn a_department_never_sees_someone_elses_licence() {
    let (cookie, account) = business();
    let files = uploads(&account, 5);
    // 张伟's ID card, which this business does not hold, typed into a free-text answer of the same part.
    let zhang = tongban_shared::account::seed_account_id("11010519491231002X");
    let stranger_id =
        d1_rows(&format!("SELECT id FROM e_licences WHERE holder_id = '{zhang}' AND licence = 'id_card' LIMIT 1;"))[0]["id"].as_str().unwrap().to_string();
    let mut values = restaurant(&files);
    values["business_scope"] = json!(stranger_id);
    let key = unique("consent-");
    let r = submit(&cookie, &key, "open-restaurant", values, json!([BUSINESS_LICENCE, REP_ID, stranger_id]));
    assert_eq!(r.status, 201, "{}", r.body);
    let app = r.json()["id"].as_str().unwrap().to_string();
    let stored = d1_rows(&format!("SELECT consent_json FROM applications WHERE id = '{app}';"))[0]["consent_json"].as_str().unwrap().to_string();
    assert!(!stored.contains(&stranger_id), "only licences of e-licence fields are kept as consented: {stored}");
    assert!(stored.contains(BUSINESS_LICENCE));
    let front = sign_in("window.putuo", DEMO_PASSWORD);
    assert_eq!(desk(&front, &app, json!({"action": "accept"})).status, 200);
    let approver = sign_in("approver.scjg", DEMO_PASSWORD);
    let mine: Vec<String> = d1_rows(&format!("SELECT id FROM cases WHERE application_id = '{app}' AND dept_id = 'scjg';"))
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    assert!(!mine.is_empty(), "market regulation has a case in it");
    for c in mine {
        let task = get_with(&format!("/api/v1/cases/{c}"), &[("Cookie", &approver)]);
        assert_eq!(task.status, 200, "{}", task.body);
        assert!(!task.json()["licences"].as_array().unwrap().iter().any(|l| l["id"] == stranger_id.as_str()), "someone else's licence in the case view");
    }
}

/// Issue 15 §5: a staff row without a center sees no front-desk queue (it used to see every center's).
#[test]
fn a_centerless_staff_row_sees_no_desk_queue() {
    let staff = tongban_tests::new_staff("window_staff", "wanli");
    let me = get_with("/api/v1/me", &[("Cookie", &staff)]).json();
    assert_eq!(get_with("/api/v1/desk/applications", &[("Cookie", &staff)]).status, 200);
    tongban_tests::d1(&format!("UPDATE staff SET center_id = NULL WHERE account_id = '{}';", me["id"].as_str().unwrap()));
    assert_eq!(get_with("/api/v1/desk/applications", &[("Cookie", &staff)]).error_code(403), "forbidden");
}

/// 岗位AB角 (issue 15 §3): while a post is away, its backup may take the steps only that post's duty allows,
/// recorded as acting for it, in the case and in the audit log; separation of duties still holds for the
/// backup. Not away, the backup may not.
#[test]
fn a_backup_acts_for_an_away_post_and_it_is_on_record() {
    let id_of = |cookie: &str| get_with("/api/v1/me", &[("Cookie", cookie)]).json()["id"].as_str().unwrap().to_string();
    let (handler, reviewer, decider, backup) =
        (approver("lhsr", Some(&["handle"])), approver("lhsr", Some(&["review"])), approver("lhsr", Some(&["decide"])), approver("lhsr", Some(&["handle"])));
    let (decider_id, backup_id) = (id_of(&decider), id_of(&backup));
    // A signboard case (承办→审核→决定) of a fixture application, handled and reviewed.
    let (_, account) = business();
    let hex_id = |tag: &str| {
        let u = unique(tag);
        format!("{:016x}{:016x}", tongban_shared::etag::fnv1a64(u.as_bytes()), tongban_shared::etag::fnv1a64(format!("{u}#").as_bytes()))
    };
    let (app, kase) = (hex_id("ab-app-"), hex_id("ab-case-"));
    tongban_tests::d1(&format!(
        "INSERT INTO applications (id, number, bundle_id, account_id, center_id, state, values_enc, forms_json, consent_json, idem_key, created_at, updated_at) \
         VALUES ('{app}', 'TBAB{}', 'open-restaurant', '{account}', 'putuo-district', 'accepted', '{}', '[]', '[]', '{app}', 0, 0);\n\
         INSERT INTO cases (id, application_id, number, item_id, dept_id, state, step, updated_at) VALUES ('{kase}', '{app}', 'TBAB{}-1', 'lhsr-signboard', 'lhsr', 'handling', 0, 0);\n",
        &app[20..],
        tongban_tests::sealed("{}"),
        &app[20..]
    ));
    assert_eq!(case_act(&handler, &kase, json!({"action": "pass", "note": "材料齐全"})).status, 200);
    assert_eq!(case_act(&reviewer, &kase, json!({"action": "pass", "note": "审核通过"})).status, 200);
    let decide = |who: &str| case_act(who, &kase, json!({"action": "decide", "approve": true, "note": "准予设置"}));
    assert_eq!(decide(&backup).error_code(403), "duty_not_held", "the backup of a post that is not away");
    let admin = sign_in("admin.district", DEMO_PASSWORD);
    let set = post_with(&format!("/api/v1/staff/{decider_id}/settings"), &json!({"backup_id": backup_id, "away": true}).to_string(), &h(&admin, &base()));
    assert_eq!(set.status, 200, "{}", set.body);
    let view = get_with(&format!("/api/v1/cases/{kase}"), &[("Cookie", &backup)]).json();
    assert_eq!(view["may_act"], true, "the backup sees the away post's step as theirs to take");
    let done = decide(&backup);
    assert_eq!(done.status, 200, "{}", done.body);
    let last = done.json()["steps_done"].as_array().unwrap().last().unwrap().clone();
    assert_eq!((last["step"].as_str(), last["me"].as_bool(), last["for_whom"].is_string()), (Some("decide"), Some(true), true), "{last}");
    let audited =
        d1_rows(&format!("SELECT count(*) AS n FROM audit_log WHERE actor_id = '{backup_id}' AND subject_id = '{decider_id}' AND action = 'act_for';"));
    assert_eq!(audited[0]["n"], 1, "the audit log says who acted for whom");
}

/// Issue 16 §4: e-licences are sealed at rest. One written before sealing (plaintext, `sealed = 0`) reads
/// the same, is sealed by the next cron run, and then reads the same again.
#[test]
fn licences_from_before_sealing_are_sealed_by_the_cron_and_read_the_same() {
    let (cookie, account, _) = tongban_tests::register_resident();
    let (id, number) = (format!("{:032x}", tongban_shared::etag::fnv1a64(unique("lic").as_bytes())), unique("LEGACY"));
    tongban_tests::d1(&format!(
        "INSERT INTO e_licences (id, holder_id, licence, name_zh, name_en, number, issuer_zh, issuer_en, issued_on, fields_json, created_at) \
         VALUES ('{id}', '{account}', 'id_card', '居民身份证', 'Resident ID card', '{number}', '公安局', 'Police', '2020-01-01', '{{\"name\":\"旧证照持有人\"}}', 0);"
    ));
    let read = || {
        let lib = get_with("/api/v1/me/licences", &[("Cookie", &cookie)]).json();
        lib.as_array().unwrap().iter().find(|l| l["id"] == id.as_str()).cloned().expect("the licence is listed")
    };
    let before = read();
    assert_eq!((before["number"].as_str(), before["fields"]["name"].as_str()), (Some(number.as_str()), Some("旧证照持有人")));
    tongban_tests::run_cron("* * * * *");
    let row = &d1_rows(&format!("SELECT number, fields_json, sealed FROM e_licences WHERE id = '{id}';"))[0];
    assert_eq!(row["sealed"], 1);
    assert!(!row["number"].as_str().unwrap().contains(&number) && !row["fields_json"].as_str().unwrap().contains("旧证照持有人"), "{row}");
    assert_eq!(read(), before);
}
