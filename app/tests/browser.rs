//! Components and shared validation in a real browser (headless Chromium through chromedriver).

use leptos::prelude::*;
use tongban_app::components::FlagBadges;
use tongban_app::state::Prefs;
use tongban_shared::catalogue::Flags;
use tongban_shared::query::ItemQuery;
use tongban_shared::search::SearchQuery;
use tongban_shared::ErrorCode;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn fresh_root(id: &str) -> web_sys::HtmlElement {
    let doc = document();
    let el = doc.create_element("div").unwrap();
    el.set_id(id);
    doc.body().unwrap().append_child(&el).unwrap();
    el.unchecked_into()
}

/// The browser runs the same validation as the edge: the limits hold in wasm exactly as on the host.
#[wasm_bindgen_test]
fn shared_validation_runs_in_the_browser() {
    assert_eq!(SearchQuery::parse(&"营".repeat(101)).unwrap_err().code, ErrorCode::QueryTooLong);
    assert!(SearchQuery::parse(&"营".repeat(100)).is_ok());
    assert_eq!(SearchQuery::parse("ＢＵＳＩＮＥＳＳ  licence").unwrap().terms, vec!["business", "licence"]);
    let q = ItemQuery::from_pairs([("q", "社保"), ("flag", "online"), ("page", "2")]).unwrap();
    assert_eq!(tongban_app::api::query_string(&q.to_pairs()), "?q=%E7%A4%BE%E4%BF%9D&flag=online&page=2");
}

#[wasm_bindgen_test]
async fn flag_badges_follow_the_language_switch() {
    let root = fresh_root("badges");
    let flags = Flags { online: true, zero_trip: false, on_the_spot: true, one_trip: false };
    // Preferences create effects, which need the executor that mounting starts: create them inside.
    let slot = std::rc::Rc::new(std::cell::Cell::new(None::<Prefs>));
    let s = slot.clone();
    let handle = leptos::mount::mount_to(root.clone(), move || {
        let p = Prefs::load();
        provide_context(p);
        s.set(Some(p));
        view! { <FlagBadges flags=flags/> }
    });
    let prefs = slot.get().expect("mounted");
    let text = || root.text_content().unwrap_or_default();
    assert!(text().contains("网上可办") && text().contains("当场办结"), "{}", text());
    assert!(!text().contains("零跑动"), "only the item's own flags are shown");
    prefs.lang.set(tongban_shared::Lang::En);
    // Reactive text updates run on the task queue: let them run before looking.
    leptos::task::tick().await;
    assert!(text().contains("Online") && text().contains("Done on the spot"), "{}", text());
    assert_eq!(root.get_elements_by_tag_name("li").length(), 2);
    drop(handle);
}
