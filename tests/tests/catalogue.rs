//! The catalogue API on real workerd with local D1: list, filter, search, detail, versions, centers,
//! bundles, caching, and every kind of bad input.

use std::collections::HashSet;
use tongban_shared::catalogue::SeedCatalogue;
use tongban_shared::search::{seed_item_doc, SearchQuery};
use tongban_tests::{enc, get, get_with, post, seed};

fn dept_name(seed: &SeedCatalogue, id: &str) -> tongban_shared::Text {
    seed.departments.iter().find(|d| d.id == id).unwrap().name.clone()
}

/// Items of the seed whose search document contains every term: the definition the SQL must agree with.
fn expected_hits(seed: &SeedCatalogue, q: &str) -> HashSet<String> {
    let sq = SearchQuery::parse(q).unwrap();
    seed.items.iter().filter(|i| sq.matches(&seed_item_doc(i, &dept_name(seed, &i.department)))).map(|i| i.id.clone()).collect()
}

fn all_ids(query: &str) -> (u64, HashSet<String>) {
    let r = get(&format!("/api/v1/items?per_page=50&{query}"));
    assert_eq!(r.status, 200, "{query}: {}", r.body);
    let v = r.json();
    let total = v["total"].as_u64().unwrap();
    let mut ids: HashSet<String> = v["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_string()).collect();
    let mut page = 2;
    while (ids.len() as u64) < total {
        let v = get(&format!("/api/v1/items?per_page=50&page={page}&{query}")).json();
        let more = v["items"].as_array().unwrap();
        assert!(!more.is_empty(), "page {page} of {query} is empty before total {total}");
        ids.extend(more.iter().map(|i| i["id"].as_str().unwrap().to_string()));
        page += 1;
    }
    (total, ids)
}

#[test]
fn health_reports_storage_and_version() {
    let r = get("/api/v1/health");
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["status"], "ok");
    assert_eq!(v["d1"], true);
    assert_eq!(v["kv"], true);
    assert!(v["version"].as_str().unwrap().starts_with("0."));
    assert_eq!(r.header("cache-control"), Some("no-store"));
}

#[test]
fn list_without_filters_has_every_seeded_item_once_most_popular_first() {
    let seed = seed();
    let (total, ids) = all_ids("");
    // Equal counts after seeding twice: the seed is idempotent.
    assert_eq!(total as usize, seed.items.len());
    assert_eq!(ids.len(), seed.items.len());
    let first = get("/api/v1/items?per_page=3").json();
    let top = seed.items.iter().max_by_key(|i| (i.popularity, std::cmp::Reverse(i.id.clone()))).unwrap();
    assert_eq!(first["items"][0]["id"], top.id.as_str());
    assert_eq!(first["items"].as_array().unwrap().len(), 3);
}

#[test]
fn filters_by_department_center_kind_and_flags() {
    let seed = seed();
    let (_, ids) = all_ids("dept=scjg");
    let want: HashSet<String> = seed.items.iter().filter(|i| i.department == "scjg").map(|i| i.id.clone()).collect();
    assert!(!want.is_empty());
    assert_eq!(ids, want);

    let (_, ids) = all_ids("center=wanli");
    let want: HashSet<String> = seed.items.iter().filter(|i| i.centers.iter().any(|c| c == "*" || c == "wanli")).map(|i| i.id.clone()).collect();
    assert_eq!(ids, want);

    let (_, ids) = all_ids("flag=online,zero_trip");
    let want: HashSet<String> = seed.items.iter().filter(|i| i.flags.online && i.flags.zero_trip).map(|i| i.id.clone()).collect();
    assert!(!want.is_empty() && want.len() < seed.items.len());
    assert_eq!(ids, want);

    // Repeated `flag` parameters mean the same as a comma list.
    assert_eq!(all_ids("flag=online&flag=zero_trip").1, want);

    let (_, ids) = all_ids("kind=public_service&flag=on_the_spot");
    let want: HashSet<String> =
        seed.items.iter().filter(|i| i.kind == tongban_shared::catalogue::ItemKind::PublicService && i.flags.on_the_spot).map(|i| i.id.clone()).collect();
    assert_eq!(ids, want);
}

#[test]
fn search_matches_the_shared_definition_for_chinese_english_and_metacharacters() {
    let seed = seed();
    for q in [
        "营业执照",
        "社保",
        "医保",
        "licence",
        "BUSINESS Licence",
        "ＢＵＳＩＮＥＳＳ",
        "身份证 原件",
        "退休",
        "%",
        "_",
        "'",
        "100%",
        "a_b",
        "'; DROP TABLE items; --",
        "量子纠缠",
    ] {
        let (total, ids) = all_ids(&format!("q={}", enc(q)));
        let want = expected_hits(&seed, q);
        assert_eq!(ids, want, "query {q:?}");
        assert_eq!(total as usize, want.len(), "query {q:?}");
    }
    // The pieces above that must really find something do.
    for q in ["营业执照", "社保", "licence", "ＢＵＳＩＮＥＳＳ"] {
        assert!(!expected_hits(&seed, q).is_empty(), "{q} finds items");
    }
    // `%` and `_` are literal: as LIKE wildcards they would have matched everything.
    assert!(expected_hits(&seed, "%").len() < seed.items.len());
    assert!(expected_hits(&seed, "_").len() < seed.items.len());
}

#[test]
fn search_ranks_name_hits_first() {
    let v = get(&format!("/api/v1/items?q={}", enc("营业执照"))).json();
    assert_eq!(v["items"][0]["id"], "scjg-company-setup", "the popular licence item comes first: {v}");
    for item in v["items"].as_array().unwrap().iter().take(3) {
        assert!(item["name"]["zh"].as_str().unwrap().contains("营业执照"), "name hits before text hits: {item}");
    }
}

#[test]
fn no_result_search_is_an_empty_page() {
    let r = get(&format!("/api/v1/items?q={}", enc("量子纠缠")));
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["total"], 0);
    assert_eq!(v["items"].as_array().unwrap().len(), 0);
}

#[test]
fn overlong_query_is_refused_with_a_message_in_both_languages() {
    let q = enc(&"营".repeat(1000));
    let zh = get(&format!("/api/v1/items?q={q}"));
    assert_eq!(zh.error_code(400), "query_too_long");
    assert_eq!(zh.json()["error"]["field"], "q");
    assert!(zh.json()["error"]["message"].as_str().unwrap().contains("搜索词"));
    let en = get_with(&format!("/api/v1/items?q={q}"), &[("Accept-Language", "en-GB,en;q=0.9")]);
    assert!(en.json()["error"]["message"].as_str().unwrap().contains("Search text"));
    let many = enc("a b c d e f g h i");
    assert_eq!(get(&format!("/api/v1/items?q={many}")).error_code(400), "too_many_terms");
}

#[test]
fn bad_list_parameters_get_400_with_the_field() {
    for (query, code, field) in [
        ("page=0", "bad_page", "page"),
        ("page=x", "bad_page", "page"),
        ("per_page=51", "bad_page", "per_page"),
        ("per_page=-1", "bad_page", "per_page"),
        ("flag=cheap", "unknown_filter", "flag"),
        ("kind=other", "unknown_filter", "kind"),
        ("dept=SCJG", "bad_id", "dept"),
        ("center=%27%20or%201%3D1", "bad_id", "center"),
    ] {
        let r = get(&format!("/api/v1/items?{query}"));
        assert_eq!(r.error_code(400), code, "{query}");
        assert_eq!(r.json()["error"]["field"], field, "{query}");
    }
}

#[test]
fn pages_do_not_overlap_and_past_the_end_is_empty() {
    let p1 = get("/api/v1/items?per_page=5&page=1").json();
    let p2 = get("/api/v1/items?per_page=5&page=2").json();
    let ids = |v: &serde_json::Value| v["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_string()).collect::<HashSet<_>>();
    assert_eq!(ids(&p1).len(), 5);
    assert!(ids(&p1).is_disjoint(&ids(&p2)));
    assert_eq!(p2["page"], 2);
    let far = get("/api/v1/items?per_page=5&page=999").json();
    assert_eq!(far["items"].as_array().unwrap().len(), 0);
    assert_eq!(far["total"], p1["total"]);
}

#[test]
fn item_detail_has_the_current_guide_centers_and_bundles() {
    let seed = seed();
    let it = seed.items.iter().find(|i| i.id == "scjg-company-setup").unwrap();
    let r = get("/api/v1/items/scjg-company-setup");
    assert_eq!(r.status, 200);
    let v = r.json();
    let cur = it.guides.last().unwrap();
    assert_eq!(v["item"]["current_version"], cur.version);
    assert_eq!(v["guide"]["version"], cur.version);
    assert_eq!(v["guide"], serde_json::to_value(cur).unwrap(), "the guide is served exactly as published");
    assert_eq!(v["versions"].as_array().unwrap().len(), it.guides.len());
    let centers: HashSet<&str> = v["centers"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    let want: HashSet<&str> = if it.centers.iter().any(|c| c == "*") {
        seed.centers.iter().map(|c| c.center.id.as_str()).collect()
    } else {
        it.centers.iter().map(String::as_str).collect()
    };
    assert_eq!(centers, want);
    let bundles: HashSet<&str> = v["bundles"].as_array().unwrap().iter().map(|b| b["id"].as_str().unwrap()).collect();
    let want: HashSet<&str> = seed.bundles.iter().filter(|b| b.items.contains(&it.id)).map(|b| b.id.as_str()).collect();
    assert_eq!(bundles, want);
}

#[test]
fn every_published_version_stays_readable() {
    let seed = seed();
    for it in seed.items.iter().filter(|i| i.guides.len() > 1) {
        let list = get(&format!("/api/v1/items/{}/versions", it.id)).json();
        let nums: Vec<u64> = list.as_array().unwrap().iter().map(|v| v["version"].as_u64().unwrap()).collect();
        assert_eq!(nums, (1..=it.guides.len() as u64).collect::<Vec<_>>(), "{}", it.id);
        for g in &it.guides {
            let v = get(&format!("/api/v1/items/{}/versions/{}", it.id, g.version)).json();
            assert_eq!(v["guide"], serde_json::to_value(g).unwrap(), "{} v{}", it.id, g.version);
            assert_eq!(v["item"]["current_version"], it.guides.len());
        }
    }
    let it = &seed.items[0];
    assert_eq!(get(&format!("/api/v1/items/{}/versions/99", it.id)).error_code(404), "version_not_found");
    assert_eq!(get(&format!("/api/v1/items/{}/versions/0", it.id)).error_code(400), "bad_id");
    assert_eq!(get(&format!("/api/v1/items/{}/versions/abc", it.id)).error_code(400), "bad_id");
}

#[test]
fn unknown_and_malformed_ids() {
    assert_eq!(get("/api/v1/items/no-such-item").error_code(404), "item_not_found");
    assert_eq!(get("/api/v1/items/no-such-item/versions").error_code(404), "item_not_found");
    assert_eq!(get("/api/v1/items/Bad_ID").error_code(400), "bad_id");
    assert_eq!(get(&format!("/api/v1/items/{}", enc("营业执照"))).error_code(400), "bad_id");
    assert_eq!(get("/api/v1/centers/nowhere").error_code(404), "center_not_found");
    assert_eq!(get("/api/v1/bundles/nothing").error_code(404), "bundle_not_found");
    assert_eq!(get("/api/v1/no/such/route").error_code(404), "not_found");
    assert_eq!(post("/api/v1/items", "{}").error_code(405), "method_not_allowed");
}

/// Found by the API fuzzer: a verb the runtime's `Method` type does not know (QUERY) was answered as a GET,
/// and a 405 did not say which methods the path takes. The request is written by hand: HTTP clients
/// refuse to send verbs they do not know either.
#[test]
fn undeclared_methods_are_405_with_allow() {
    use std::io::{Read, Write};
    let base = tongban_tests::base();
    let host = base.trim_start_matches("http://");
    for (method, path, allow) in [("QUERY", "/api/v1/items", "GET, HEAD"), ("TRACE", "/api/v1/bundles", "GET, HEAD"), ("PATCH", "/api/v1/sessions", "POST")] {
        let mut tcp = std::net::TcpStream::connect(host).unwrap();
        write!(tcp, "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").unwrap();
        let mut answer = String::new();
        tcp.read_to_string(&mut answer).unwrap();
        let (head, body) = answer.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 405"), "{method} {path}: {head}");
        let allowed = head.lines().find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case("allow")).map(|(_, v)| v.trim().to_string()));
        assert_eq!(allowed.as_deref(), Some(allow), "{method} {path}: {head}");
        assert!(body.contains("\"code\":\"method_not_allowed\""), "{method} {path}: {body}");
    }
}

#[test]
fn centers_with_hours_and_windows() {
    let seed = seed();
    let all = get("/api/v1/centers").json();
    assert_eq!(all.as_array().unwrap().len(), seed.centers.len());
    assert_eq!(all[0]["id"], "putuo-district", "the district center is listed first");
    for c in all.as_array().unwrap() {
        assert!(!c["hours"].as_array().unwrap().is_empty(), "{c}");
    }
    let community = get("/api/v1/centers?kind=community").json();
    assert_eq!(community.as_array().unwrap().len(), seed.centers.len() - 1);
    assert_eq!(get("/api/v1/centers?kind=mall").error_code(400), "unknown_filter");

    for sc in &seed.centers {
        let d = get(&format!("/api/v1/centers/{}", sc.center.id)).json();
        assert_eq!(d["center"]["name"]["zh"], sc.center.name.zh.as_str());
        let numbers: Vec<u64> = d["windows"].as_array().unwrap().iter().map(|w| w["number"].as_u64().unwrap()).collect();
        let mut want: Vec<u64> = sc.windows.iter().map(|w| u64::from(w.number)).collect();
        want.sort();
        assert_eq!(numbers, want, "{}", sc.center.id);
        let here = seed.items.iter().filter(|i| i.centers.iter().any(|c| c == "*" || *c == sc.center.id)).count();
        assert_eq!(d["item_count"], here, "{}", sc.center.id);
    }
}

#[test]
fn bundles_keep_their_item_order() {
    let seed = seed();
    let all = get("/api/v1/bundles").json();
    assert_eq!(all.as_array().unwrap().len(), seed.bundles.len());
    for sb in &seed.bundles {
        let b = get(&format!("/api/v1/bundles/{}", sb.id)).json();
        let ids: Vec<&str> = b["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap()).collect();
        assert_eq!(ids, sb.items.iter().map(String::as_str).collect::<Vec<_>>(), "{}", sb.id);
    }
}

#[test]
fn departments_are_listed() {
    let seed = seed();
    let d = get("/api/v1/departments").json();
    assert_eq!(d.as_array().unwrap().len(), seed.departments.len());
}

#[test]
fn etag_revalidation_answers_304_without_a_body() {
    for path in ["/api/v1/items/scjg-company-setup", "/api/v1/items?q=%E7%A4%BE%E4%BF%9D", "/api/v1/centers"] {
        let first = get(path);
        assert_eq!(first.status, 200);
        let etag = first.header("etag").expect("ETag").to_string();
        assert!(first.header("cache-control").unwrap().contains("max-age"), "{path}");
        let again = get_with(path, &[("If-None-Match", &etag)]);
        assert_eq!(again.status, 304, "{path}");
        assert!(again.body.is_empty());
        let stale = get_with(path, &[("If-None-Match", "\"0000000000000000\"")]);
        assert_eq!(stale.status, 200);
        assert_eq!(stale.body, first.body);
    }
}

#[test]
fn api_answers_carry_security_headers() {
    let r = get("/api/v1/items");
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    assert!(r.header("content-security-policy").unwrap().contains("frame-ancestors 'none'"));
    assert!(r.header("strict-transport-security").unwrap().contains("max-age="));
    assert_eq!(r.header("referrer-policy"), Some("strict-origin-when-cross-origin"));
    let e = get("/api/v1/items/no-such-item");
    assert_eq!(e.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(e.header("cache-control"), Some("no-store"), "errors are not cached");
}

#[test]
fn openapi_document_describes_every_endpoint() {
    let r = get("/api/v1/openapi.json");
    assert_eq!(r.status, 200);
    let doc = r.json();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v1/health",
        "/api/v1/openapi.json",
        "/api/v1/items",
        "/api/v1/items/{id}",
        "/api/v1/items/{id}/versions",
        "/api/v1/items/{id}/versions/{version}",
        "/api/v1/departments",
        "/api/v1/centers",
        "/api/v1/centers/{id}",
        "/api/v1/bundles",
        "/api/v1/bundles/{id}",
    ] {
        assert!(paths.contains_key(p), "{p} documented");
    }
    assert!(doc["components"]["schemas"]["ItemPage"].is_object());
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
}

#[test]
fn app_routes_serve_the_spa_shell_with_a_strict_csp() {
    for path in ["/", "/items/scjg-company-setup", "/centers/putuo-district", "/search?q=x", "/no/such/page"] {
        let r = get(path);
        assert_eq!(r.status, 200, "{path}");
        assert!(r.body.contains("<div id=\"app\">"), "{path} serves index.html");
        assert!(r.body.contains("<noscript>"));
        let csp = r.header("content-security-policy").unwrap_or_else(|| panic!("{path} has a CSP"));
        assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval'") && !csp.contains("unsafe-inline"), "{csp}");
        // One inline script, the boot script, and the policy allows exactly it: by its hash.
        assert_eq!(r.body.matches("<script").count(), 1, "one script in {path}");
        let boot = r.body.split("<script>").nth(1).and_then(|s| s.split("</script>").next()).expect("the boot script is inline");
        let hash = {
            use base64::Engine;
            use sha2::Digest;
            base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(boot.as_bytes()))
        };
        assert!(csp.contains(&format!("'sha256-{hash}'")), "the CSP allows the boot script by its hash: {csp}");
        assert_eq!(csp.matches("'sha256-").count(), 1, "and no other inline script: {csp}");
        assert!(r.header("strict-transport-security").is_some(), "{path} has HSTS");
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    }
    let html = get("/").body;
    // The boot script names each bundle's directory; the resident one is under /assets/tongban-….
    let dir = html.split('"').find(|s| s.starts_with("/assets/tongban-")).expect("the resident bundle's directory");
    let wasm = &format!("{dir}/tongban_app_bg.wasm");
    let w = get(wasm);
    assert_eq!(w.status, 200);
    assert!(w.header("cache-control").unwrap().contains("immutable"), "hashed assets are immutable");
}
