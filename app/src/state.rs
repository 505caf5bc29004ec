//! App-wide preferences: language and elder mode (长辈模式). Both persist in localStorage and are
//! reflected on `<html>` (`lang`, class `elder`), so CSS and screen readers follow them.

use crate::device::{load, save};
use leptos::prelude::*;
use tongban_shared::Lang;

const LANG_KEY: &str = "tongban.lang";
const ELDER_KEY: &str = "tongban.elder";

#[derive(Clone, Copy)]
pub struct Prefs {
    pub lang: RwSignal<Lang>,
    pub elder: RwSignal<bool>,
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

/// The signed-in user, if any: loaded once at start, set by sign-in and registration, cleared by sign-out.
/// `None` inside means "checked: nobody"; the outer `Option` is "not checked yet".
#[derive(Clone, Copy)]
pub struct Session(pub RwSignal<Option<Option<tongban_shared::account::Me>>>);

impl Session {
    /// Not checked yet: the app's root asks the API who is signed in and [`Session::set`]s the answer.
    pub fn unchecked() -> Session {
        Session(RwSignal::new(None))
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
