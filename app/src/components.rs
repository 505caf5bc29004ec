//! Building blocks used by several pages: the header, async states (loading, error with retry),
//! flag badges, item cards, the search form.

use crate::api::ApiError;
use crate::i18n::{msgs, tr};
use crate::state::{lang, prefs};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use tongban_shared::api::ep;
use tongban_shared::catalogue::{Flags, ItemKind, ItemSummary};
use tongban_shared::search::SearchQuery;
use tongban_shared::{Lang, Text};

/// A bilingual text that follows the language switch. When English is asked for but only Chinese
/// exists, the text is marked `lang="zh-CN"` so screen readers switch voice. A function, not a
/// component: one closure type for every text keeps the wasm small (see `i18n::tr`).
pub fn tx(t: &Text) -> impl IntoView + use<> {
    let t = t.clone();
    move || {
        let l = lang();
        if t.is_fallback(l) {
            view! { <span lang="zh-CN">{t.zh.clone()}</span> }.into_any()
        } else {
            t.get(l).to_string().into_any()
        }
    }
}

/// The inbox link with its unread count, for signed-in users. It re-reads the count on every page
/// change and every 30 s, so a new notification shows without a reload.
#[component]
fn InboxLink() -> impl IntoView {
    let s = crate::state::session();
    let p = prefs();
    let tick = RwSignal::new(0u32);
    if let Ok(h) = set_interval_with_handle(move || tick.update(|t| *t += 1), std::time::Duration::from_secs(30)) {
        on_cleanup(move || h.clear());
    }
    let path = leptos_router::hooks::use_location().pathname;
    let bumped = crate::state::inbox_tick().0;
    let unread = LocalResource::new(move || {
        let (signed_in, l) = (s.me().is_some(), p.lang.get());
        tick.track();
        bumped.track();
        path.track();
        async move {
            if signed_in {
                crate::api::inbox_poll(l).await.ok().map(|i| i.unread)
            } else {
                None
            }
        }
    });
    move || {
        unread.get().flatten().map(|n| {
            let label = move || format!("{} {n}", msgs(p.lang.get()).unread);
            view! {
                <A href="/inbox" attr:class="chip inbox-link" attr:id="inbox-link" attr:aria-label=label>
                    {tr(|m| m.inbox)}
                    {(n > 0).then(|| view! { <span class="count" id="unread-count" aria-hidden="true">{n}</span> })}
                </A>
            }
        })
    }
}

#[component]
pub fn Header() -> impl IntoView {
    let p = prefs();
    let m = move || msgs(p.lang.get());
    view! {
        <a class="skip" href="#main">{tr(|m| m.skip)}</a>
        <header class="top">
            <A href="/" attr:class="brand">
                <span class="logo" aria-hidden="true">"通"</span>
                <span class="brand-text">
                    <span class="brand-name">{tr(|m| m.site)}</span>
                    <span class="brand-tag">{tr(|m| m.tagline)}</span>
                </span>
            </A>
            <div class="top-actions">
                <InboxLink/>
                <button
                    type="button"
                    class="chip"
                    aria-pressed=move || p.elder.get().to_string()
                    on:click=move |_| p.elder.update(|e| *e = !*e)
                >
                    {move || if p.elder.get() { m().elder_off } else { m().elder_on }}
                </button>
                <button
                    type="button"
                    class="chip"
                    id="lang-switch"
                    lang=move || if p.lang.get() == Lang::Zh { "en" } else { "zh-CN" }
                    aria-label=tr(|m| m.switch_lang_label)
                    on:click=move |_| p.lang.update(|l| *l = if *l == Lang::Zh { Lang::En } else { Lang::Zh })
                >
                    {tr(|m| m.switch_lang)}
                </button>
            </div>
        </header>
        <nav class="tabs" aria-label=tr(|m| m.site)>
            <A href="/" exact=true>{tr(|m| m.nav_home)}</A>
            <A href="/search">{tr(|m| m.nav_search)}</A>
            <A href="/centers">{tr(|m| m.nav_centers)}</A>
            {move || match crate::state::session().me() {
                Some(me) if me.role.is_staff() => view! { <A href="/staff">{tr(|m| m.staff_console)}</A> }.into_any(),
                Some(_) => view! { <A href="/me">{tr(|m| m.my_info)}</A> }.into_any(),
                None => view! { <A href="/login">{tr(|m| m.sign_in)}</A> }.into_any(),
            }}
        </nav>
    }
}

#[component]
pub fn Footer() -> impl IntoView {
    view! { <footer class="foot"><p>{tr(|m| m.footer)}</p><p><A href="/dashboard" attr:id="dashboard-link">{tr(|m| m.dashboard_link)}</A>" · "<a href={crate::api::path::<ep::OpenDataCsv>(&[])}>"CSV"</a></p></footer> }
}

#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="loading" role="status" aria-live="polite">{tr(|m| m.loading)}</p> }
}

/// An error with its message and, for anything but "not found", a retry button.
#[component]
pub fn ErrorBox(error: ApiError, retry: Option<Callback<()>>) -> impl IntoView {
    let text = error.text();
    view! {
        <div class="error" role="alert">
            <p>{tx(&text)}</p>
            {retry.map(|r| view! {
                <button type="button" class="button" on:click=move |_| r.run(())>{tr(|m| m.retry)}</button>
            })}
        </div>
    }
}

/// Renders a resource's three states: loading, error (with retry), and the value.
pub fn async_view<T, V>(res: LocalResource<Result<T, ApiError>>, render: impl Fn(T) -> V + Send + Sync + 'static) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    move || match res.get() {
        None => view! { <Loading/> }.into_any(),
        Some(Err(e)) => {
            let retry = (!e.is_not_found()).then(|| Callback::new(move |_| res.refetch()));
            view! { <ErrorBox error=e retry=retry/> }.into_any()
        }
        Some(Ok(v)) => render(v).into_any(),
    }
}

#[component]
pub fn FlagBadges(flags: Flags) -> impl IntoView {
    view! {
        <ul class="badges">
            {flags.set().into_iter().map(|f| view! { <li class=format!("badge flag-{}", f.as_str())>{tx(&f.label())}</li> }).collect_view()}
        </ul>
    }
}

pub fn kind_label(k: ItemKind, l: Lang) -> &'static str {
    match k {
        ItemKind::AdminPower => msgs(l).admin_power,
        ItemKind::PublicService => msgs(l).public_service,
    }
}

#[component]
pub fn ItemCard(item: ItemSummary) -> impl IntoView {
    let href = format!("/items/{}", item.id);
    let days = item.promised_days;
    view! {
        <li class="card item-card">
            <A href=href attr:class="card-link">
                <span class="card-title">{tx(&item.name)}</span>
            </A>
            <p class="meta">
                {tx(&item.department.name)}
                {days.map(|d| view! { <span class="sep" aria-hidden="true">" · "</span><span>{move || format!("{} {}", msgs(lang()).promised, crate::i18n::days(lang(), d))}</span> })}
            </p>
            <FlagBadges flags=item.flags/>
        </li>
    }
}

/// The search box, validated in the browser by the same rule the edge applies.
#[component]
pub fn SearchForm(#[prop(optional, into)] initial: String, #[prop(optional)] autofocus: bool) -> impl IntoView {
    let value = RwSignal::new(initial);
    let error = RwSignal::new(None::<Text>);
    let navigate = use_navigate();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let raw = value.get_untracked();
        match SearchQuery::parse(&raw) {
            Err(e) => error.set(Some(e.code.text())),
            Ok(_) => {
                error.set(None);
                let q = tongban_shared::query::ItemQuery { q: raw.trim().to_string(), ..Default::default() };
                navigate(&format!("/search{}", crate::api::query_string(&q.to_pairs())), Default::default());
            }
        }
    };
    view! {
        <form class="search" role="search" on:submit=on_submit>
            <label for="search-q" class="visually-hidden">{tr(|m| m.search_label)}</label>
            <input
                id="search-q"
                name="q"
                type="search"
                enterkeyhint="search"
                autocomplete="off"
                autofocus=autofocus
                placeholder=tr(|m| m.search_placeholder)
                aria-invalid=move || error.get().is_some().to_string()
                aria-describedby="search-error"
                prop:value=move || value.get()
                on:input=move |ev| {
                    value.set(event_target_value(&ev));
                    error.set(None);
                }
            />
            <button type="submit" class="button primary">{tr(|m| m.search_button)}</button>
            <p id="search-error" class="field-error" aria-live="polite">
                {move || error.get().map(|t| view! { {tx(&t)} })}
            </p>
        </form>
    }
}

/// A labelled input with its hint and error, wired for screen readers (`aria-describedby`, `aria-invalid`).
/// The error comes from the same `tongban-shared` validation the edge runs.
#[component]
pub fn Field(
    id: &'static str,
    label: fn(&'static crate::i18n::Msgs) -> &'static str,
    value: RwSignal<String>,
    error: RwSignal<Option<Text>>,
    #[prop(optional)] input_type: Option<&'static str>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] inputmode: Option<&'static str>,
    #[prop(optional)] hint: Option<fn(&'static crate::i18n::Msgs) -> &'static str>,
    /// Checks the field alone when it loses focus.
    #[prop(optional)]
    check: Option<fn(&str) -> Option<tongban_shared::ErrorCode>>,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described = if hint.is_some() { format!("{hint_id} {error_id}") } else { error_id.clone() };
    view! {
        <div class="field">
            <label for=id>{tr(label)}</label>
            {hint.map(|h| view! { <p class="hint" id=hint_id.clone()>{tr(h)}</p> })}
            <input
                id=id
                name=id
                type=input_type.unwrap_or("text")
                autocomplete=autocomplete.unwrap_or("off")
                inputmode=inputmode
                aria-invalid=move || error.get().is_some().to_string()
                aria-describedby=described
                prop:value=move || value.get()
                on:input=move |ev| {
                    value.set(event_target_value(&ev));
                    error.set(None);
                }
                on:blur=move |_| {
                    if let Some(c) = check {
                        let v = value.get_untracked();
                        if !v.is_empty() {
                            error.set(c(&v).map(|code| code.text()));
                        }
                    }
                }
            />
            <p class="field-error" id=error_id aria-live="polite">{move || error.get().map(|t| tx(&t))}</p>
        </div>
    }
}

/// Shows `f(me)` to a signed-in user whose role is allowed; otherwise the reason, with a way to sign in.
pub fn guarded<V: IntoView + 'static>(
    allowed: Option<&'static [tongban_shared::account::Role]>,
    f: impl Fn(tongban_shared::account::Me) -> V + Send + Sync + 'static,
) -> impl IntoView {
    let s = crate::state::session();
    move || match s.0.get() {
        None => view! { <Loading/> }.into_any(),
        Some(None) => view! {
            <div class="empty">
                <p>{tr(|m| m.need_sign_in)}</p>
                <A href="/login" attr:class="button primary">{tr(|m| m.sign_in)}</A>
            </div>
        }
        .into_any(),
        Some(Some(me)) if allowed.is_none_or(|a| a.contains(&me.role)) => f(me).into_any(),
        Some(Some(_)) => view! { <p class="error" role="alert">{tr(|m| m.not_allowed)}</p> }.into_any(),
    }
}
