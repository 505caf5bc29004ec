//! Turning on push notifications in this browser, after the person asks for it (never on page load):
//! permission, the service worker (`/sw.js`), a push subscription with the server's VAPID key, stored
//! at the edge. Browser objects are reached through `Reflect` so the bundle carries no web-sys bindings
//! for APIs only this one button uses.

use js_sys::{Function, Promise, Reflect, Uint8Array};
use tongban_shared::Lang;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

fn get(target: &JsValue, key: &str) -> Result<JsValue, JsValue> {
    Reflect::get(target, &JsValue::from_str(key))
}

async fn call(target: &JsValue, method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let f: Function = get(target, method)?.dyn_into()?;
    let r = match args {
        [] => f.call0(target)?,
        [a] => f.call1(target, a)?,
        [a, b, ..] => f.call2(target, a, b)?,
    };
    match r.dyn_into::<Promise>() {
        Ok(p) => JsFuture::from(p).await,
        Err(v) => Ok(v),
    }
}

/// base64url → bytes, through the browser's `atob` (no decoder in the bundle).
fn b64url(s: &str, window: &JsValue) -> Result<Uint8Array, JsValue> {
    let mut std: String = s
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    while !std.len().is_multiple_of(4) {
        std.push('=');
    }
    let atob: Function = get(window, "atob")?.dyn_into()?;
    let bin = atob.call1(window, &JsValue::from_str(&std))?.as_string().unwrap_or_default();
    Ok(Uint8Array::from(bin.chars().map(|c| c as u8).collect::<Vec<u8>>().as_slice()))
}

/// Whether this browser can do Web Push at all.
pub fn supported() -> bool {
    let w: JsValue = leptos::prelude::window().into();
    let nav = get(&w, "navigator").unwrap_or(JsValue::UNDEFINED);
    get(&nav, "serviceWorker").map(|v| !v.is_undefined()).unwrap_or(false) && get(&w, "PushManager").map(|v| !v.is_undefined()).unwrap_or(false)
}

/// Asks permission, subscribes and stores the subscription. `Err` carries what to tell the person.
pub async fn enable(lang: Lang) -> Result<(), String> {
    let w: JsValue = leptos::prelude::window().into();
    let js = |e: JsValue| e.as_string().or_else(|| get(&e, "message").ok().and_then(|m| m.as_string())).unwrap_or_else(|| "error".into());
    let notification = get(&w, "Notification").map_err(js)?;
    let perm = call(&notification, "requestPermission", &[]).await.map_err(js)?;
    if perm.as_string().as_deref() != Some("granted") {
        return Err("permission".into());
    }
    let sw = get(&get(&w, "navigator").map_err(js)?, "serviceWorker").map_err(js)?;
    call(&sw, "register", &[JsValue::from_str("/sw.js")]).await.map_err(js)?;
    let reg = JsFuture::from(get(&sw, "ready").map_err(js)?.dyn_into::<Promise>().map_err(js)?).await.map_err(js)?;
    let key = crate::api::vapid_key(lang).await.map_err(|e| e.text().get(lang).to_string())?;
    let opts = js_sys::Object::new();
    Reflect::set(&opts, &"userVisibleOnly".into(), &JsValue::TRUE).map_err(js)?;
    let server_key: JsValue = b64url(&key.public_key, &w).map_err(js)?.into();
    Reflect::set(&opts, &"applicationServerKey".into(), &server_key).map_err(js)?;
    let sub = call(&get(&reg, "pushManager").map_err(js)?, "subscribe", &[opts.into()]).await.map_err(js)?;
    let text = js_sys::JSON::stringify(&sub).map_err(js)?.as_string().unwrap_or_default();
    let sub: tongban_shared::notify::PushSubscription = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    crate::api::subscribe_push(&sub, lang).await.map_err(|e| e.text().get(lang).to_string())?;
    Ok(())
}
