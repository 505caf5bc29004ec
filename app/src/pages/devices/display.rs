//! `/display/:center`: the hall screen. Shows the latest calls and speaks each new one in Chinese
//! through the browser's speech synthesis ("请 A012 号到 3 号窗口办理").

use crate::api;
use crate::i18n::use_title;
use crate::i18n::{msgs, tr};
use crate::state::prefs;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

fn speak(text: &str) {
    let Some(w) = web_sys::window() else { return };
    let Ok(synth) = w.speech_synthesis() else { return };
    if let Ok(u) = web_sys::SpeechSynthesisUtterance::new_with_text(text) {
        u.set_lang("zh-CN");
        synth.speak(&u);
    }
}

#[component]
pub fn DisplayPage() -> impl IntoView {
    use_title(|l| msgs(l).display.to_string());
    let p = prefs();
    let params = use_params_map();
    let center = Memo::new(move |_| params.get().get("center").unwrap_or_default());
    let calls = LocalResource::new(move || {
        let (c, l) = (center.get(), p.lang.get());
        async move { api::calls(&c, l).await }
    });
    if let Ok(h) = set_interval_with_handle(move || calls.refetch(), std::time::Duration::from_secs(3)) {
        on_cleanup(move || h.clear());
    }
    // Speak each call once: remember the newest one spoken.
    let last_spoken = StoredValue::new(None::<(String, u32)>);
    Effect::new(move |_| {
        if let Some(Ok(list)) = calls.get() {
            if let Some(c) = list.first() {
                let key = (c.number.clone(), c.window_no);
                if last_spoken.get_value().as_ref() != Some(&key) {
                    if last_spoken.get_value().is_some() {
                        speak(&c.announcement.zh);
                    }
                    last_spoken.set_value(Some(key));
                }
            }
        }
    });
    view! {
        <h1>{tr(|m| m.display)}</h1>
        {move || calls.get().and_then(Result::ok).map(|list| view! {
            <ol class="calls" id="calls" aria-live="assertive">
                {list.into_iter().enumerate().map(|(i, c)| view! {
                    <li class=if i == 0 { "call latest" } else { "call" }>
                        <span class="call-number">{c.number.clone()}</span>
                        <span class="call-window">{move || crate::i18n::window_label(crate::state::lang(), c.window_no)}</span>
                    </li>
                }).collect_view()}
            </ol>
        })}
    }
}
