//! `/centers`: the district center first, then the community centers, each with today's hours.

use crate::api;
use crate::components::{async_view, tx};
use crate::i18n::use_title;
use crate::i18n::{msgs, tr};
use crate::state::{lang, prefs};
use leptos::prelude::*;
use leptos_router::components::A;
use tongban_shared::catalogue::{Center, CenterKind, OpeningHours};
use tongban_shared::Lang;

crate::i18n::page_msgs! {
    day_range: "{from}至{to}" / "{from}–{to}",
}

/// "周一至周五 09:00–17:00 · 周六 09:00–12:00": consecutive days with the same hours are joined.
pub fn hours_summary(hours: &[OpeningHours], l: Lang) -> String {
    let mut groups: Vec<(u8, u8, &str, &str)> = Vec::new();
    let mut sorted: Vec<&OpeningHours> = hours.iter().collect();
    sorted.sort_by_key(|h| h.weekday);
    for h in sorted {
        match groups.last_mut() {
            Some(g) if g.1 + 1 == h.weekday && g.2 == h.open && g.3 == h.close => g.1 = h.weekday,
            _ => groups.push((h.weekday, h.weekday, &h.open, &h.close)),
        }
    }
    let day = |d: u8| l.weekday(d);
    groups
        .into_iter()
        .map(|(a, b, o, c)| {
            let days = if a == b { day(a).to_string() } else { crate::i18n::fill(page(l).day_range, &[("from", &day(a)), ("to", &day(b))]) };
            format!("{days} {o}–{c}")
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

pub fn center_card(c: Center) -> impl IntoView {
    let href = format!("/centers/{}", c.id);
    let hours = c.hours.clone();
    let tel = format!("tel:{}", c.phone.replace(['-', ' '], ""));
    view! {
        <li class="card">
            <A href=href attr:class="card-link"><span class="card-title">{tx(&c.name)}</span></A>
            <p class="meta">{tx(&c.address)}</p>
            <p class="meta">{move || hours_summary(&hours, lang())}</p>
            <p class="meta"><a href=tel>{c.phone.clone()}</a></p>
        </li>
    }
}

#[component]
pub fn Centers() -> impl IntoView {
    let p = prefs();
    use_title(|l| msgs(l).centers.to_string());
    let list = LocalResource::new(move || {
        let l = p.lang.get();
        async move { api::centers(l).await }
    });
    view! {
        <h1>{tr(|m| m.centers)}</h1>
        {async_view(list, |cs| {
            let (district, community): (Vec<Center>, Vec<Center>) = cs.into_iter().partition(|c| c.kind == CenterKind::District);
            view! {
                <h2>{tr(|m| m.district_center)}</h2>
                <ul class="cards">{district.into_iter().map(center_card).collect_view()}</ul>
                <h2>{tr(|m| m.community_centers)}</h2>
                <ul class="cards">{community.into_iter().map(center_card).collect_view()}</ul>
            }
        })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(d: u8, o: &str, c: &str) -> OpeningHours {
        OpeningHours { weekday: d, open: o.into(), close: c.into() }
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn joins_runs_of_equal_days() {
        let hours = vec![
            h(1, "09:00", "17:00"),
            h(2, "09:00", "17:00"),
            h(3, "09:00", "17:00"),
            h(4, "09:00", "17:00"),
            h(5, "09:00", "17:00"),
            h(6, "09:00", "12:00"),
        ];
        assert_eq!(hours_summary(&hours, Lang::Zh), "周一至周五 09:00–17:00 · 周六 09:00–12:00");
        assert_eq!(hours_summary(&hours, Lang::En), "Mon–Fri 09:00–17:00 · Sat 09:00–12:00");
        assert_eq!(hours_summary(&[h(3, "09:00", "11:00"), h(1, "09:00", "11:00")], Lang::En), "Mon 09:00–11:00 · Wed 09:00–11:00");
    }
}
