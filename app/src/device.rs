//! What this browser keeps for tongban: localStorage (preferences, and a kiosk's enrolment key). A leaf,
//! so the API client (which sends the kiosk key) and the app state (which keeps the preferences) share it
//! without using each other.

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

pub(crate) fn load(key: &str) -> Option<String> {
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

pub(crate) fn save(key: &str, value: &str) {
    if let Some(s) = storage() {
        // Private mode may refuse; the preference then lasts for this page only.
        let _ = s.set_item(key, value);
    }
}
