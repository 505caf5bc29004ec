//! App-wide preferences: language and elder mode (长辈模式). Both persist in localStorage and are
//! reflected on `<html>` (`lang`, class `elder`), so CSS and screen readers follow them.

use leptos::prelude::*;
use tongban_shared::Lang;

const LANG_KEY: &str = "tongban.lang";
const ELDER_KEY: &str = "tongban.elder";

#[derive(Clone, Copy)]
pub struct Prefs {
    pub lang: RwSignal<Lang>,
    pub elder: RwSignal<bool>,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn load(key: &str) -> Option<String> {
    storage()?.get_item(key).ok()?
}

const KIOSK_KEY: &str = "tb_kiosk_key";

/// This machine's kiosk key, if a center admin enrolled it (`/kiosk/:center#kiosk-key=…`).
pub fn kiosk_key() -> Option<String> {
    load(KIOSK_KEY).filter(|k| !k.is_empty())
}

/// Takes a kiosk key from the address's fragment (which no server or log ever sees), keeps it on this
/// machine, and removes it from the address bar. Whether the machine is now enrolled.
pub fn enroll_kiosk_from_fragment() -> bool {
    let Some(w) = web_sys::window() else { return false };
    let hash = w.location().hash().unwrap_or_default();
    if let Some(key) = hash.strip_prefix("#kiosk-key=").filter(|k| !k.is_empty() && k.len() <= 64) {
        save(KIOSK_KEY, key);
        let clean = format!("{}{}", w.location().pathname().unwrap_or_default(), w.location().search().unwrap_or_default());
        if let Ok(h) = w.history() {
            let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&clean));
        }
    }
    kiosk_key().is_some()
}

fn save(key: &str, value: &str) {
    if let Some(s) = storage() {
        // Private mode may refuse; the preference then lasts for this page only.
        let _ = s.set_item(key, value);
    }
}

impl Prefs {
    /// zh-CN unless the user chose English before: the default is the policy's language, not the browser's.
    pub fn load() -> Prefs {
        let lang = load(LANG_KEY).and_then(|s| Lang::parse(&s)).unwrap_or_default();
        let elder = load(ELDER_KEY).as_deref() == Some("1");
        let p = Prefs { lang: RwSignal::new(lang), elder: RwSignal::new(elder) };
        Effect::new(move |_| {
            let l = p.lang.get();
            save(LANG_KEY, l.code());
            if let Some(html) = document().document_element() {
                let _ = html.set_attribute("lang", l.code());
            }
        });
        Effect::new(move |_| {
            let on = p.elder.get();
            save(ELDER_KEY, if on { "1" } else { "0" });
            if let Some(html) = document().document_element() {
                let _ = if on { html.class_list().add_1("elder") } else { html.class_list().remove_1("elder") };
            }
        });
        p
    }
}

pub fn prefs() -> Prefs {
    expect_context::<Prefs>()
}

pub fn lang() -> Lang {
    prefs().lang.get()
}

/// Sets the document title for the current route, in the current language.
pub fn use_title(f: impl Fn(Lang) -> String + 'static) {
    let p = prefs();
    Effect::new(move |_| {
        let l = p.lang.get();
        let site = crate::i18n::msgs(l).site;
        let t = f(l);
        document().set_title(&if t.is_empty() { site.to_string() } else { format!("{t} - {site}") });
    });
}

/// The signed-in user, if any: loaded once at start, set by sign-in and registration, cleared by sign-out.
/// `None` inside means "checked: nobody"; the outer `Option` is "not checked yet".
#[derive(Clone, Copy)]
pub struct Session(pub RwSignal<Option<Option<tongban_shared::account::Me>>>);

impl Session {
    pub fn load() -> Session {
        let s = Session(RwSignal::new(None));
        leptos::task::spawn_local(async move {
            let me = crate::api::me(tongban_shared::Lang::Zh).await.ok();
            s.0.set(Some(me));
        });
        s
    }

    pub fn me(&self) -> Option<tongban_shared::account::Me> {
        self.0.get().flatten()
    }

    pub fn set(&self, me: Option<tongban_shared::account::Me>) {
        self.0.set(Some(me));
    }
}

pub fn session() -> Session {
    expect_context::<Session>()
}

/// Bumped after an action that writes a notification (booking, cancelling…), so the header's unread
/// count re-reads at once instead of at its next poll.
#[derive(Clone, Copy)]
pub struct InboxTick(pub RwSignal<u32>);

pub fn inbox_tick() -> InboxTick {
    expect_context::<InboxTick>()
}
