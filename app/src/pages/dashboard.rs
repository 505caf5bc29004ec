//! `/dashboard?center=&dept=&window=&item=&month=`: the public appraisal — 好差评 results and the 一网通办
//! targets, for the public and officials alike, without signing in. The URL is the state, so a view can be
//! shared. Charts are plain SVG drawn here (no chart library), each with a data table beside it. In-page
//! links are plain `<a>` (the router still handles them): `<A>` ignores the query string and would mark
//! every `/dashboard?…` link as the current page.

use crate::api::{self, query_string};
use crate::components::{async_view, tx};
use crate::i18n::use_title;
use crate::state::{lang, prefs};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use tongban_shared::api::ep;
use tongban_shared::appraisal::{months_ending, DashFilter, Dashboard, MonthFigures, Ranked, Target, TREND_MONTHS};
use tongban_shared::review::IndicatorAvg;
use tongban_shared::Lang;

use tongban_shared::time::{civil, month as month_of};

crate::i18n::page_msgs! {
    n_minutes: "{v} 分钟" / "{v} min",
    n_items: "{v} 项" / "{v} items",
    trend_last_12: "近 12 个月趋势" / "Trend over the last 12 months",
    trend_to_month: "截至所选月份的 12 个月趋势" / "Trend over the 12 months to the chosen month",
    page_title: "政务服务好差评公示" / "Good/bad review results",
    one_month: "统计月份：{month}" / "Month: {month}",
    period: "统计期：{from} 至 {to}" / "Period: {from} to {to}",
    goal: "目标 {value}" / "Goal {value}",
    no_data: "暂无数据" / "no data",
    data_as_of: "数据截至 " / "Data as of ",
    beijing_time: "（北京时间）" / " (Beijing time)",
    good_bad_review_results: "政务服务好差评公示" / "Good/bad review results",
    filters: "筛选" / "Filters",
    service_center: "服务中心" / "Service center",
    all: "全部" / "All",
    month: "统计月份" / "Month",
    last_12_months: "近 12 个月" / "Last 12 months",
    refresh: "刷新" / "Refresh",
    no_services_or_reviews_in: "所选范围内暂无办件和评价数据。" / "No services or reviews in this selection yet.",
    department: "部门：" / "Department: ",
    window: "窗口：" / "Window: ",
    item: "事项：" / "Item: ",
    selected_filters: "已选条件" / "Selected filters",
    clear_this_filter: "（清除此条件）" / " (clear this filter)",
    key_figures: "主要指标" / "Key figures",
    services: "办件量" / "Services",
    reviews: "评价数" / "Reviews",
    evaluation_rate: "评价率" / "Evaluation rate",
    good_review_rate: "好评率" / "Good-review rate",
    bad_reviews: "差评数" / "Bad reviews",
    rectification_rate: "差评整改率" / "Rectification rate",
    real_name_callback_rate: "实名差评回访率" / "Real-name callback rate",
    overdue_work_orders: "超期工单" / "Overdue work orders",
    met: "已达标" / "Met",
    not_met: "未达标" / "Not met",
    no_data_2: "暂无数据" / "No data",
    no_goal_set: "未设定目标" / "No goal set",
    one_stop_service_targets: "“一网通办”目标" / "One-stop service targets",
    month_2: "月份" / "Month",
    bars_reviews_left_axis: "柱：评价数（左轴）" / "Bars: reviews (left axis)",
    line_good_review_rate_right: "折线：好评率（右轴，%）" / "Line: good-review rate (right axis, %)",
    reviews_bars_and_good_review: "各月评价数（柱）与好评率（折线）趋势图，数据见下方表格" / "Reviews (bars) and good-review rate (line) per month; the numbers are in the table below",
    show_the_trend_as_a: "查看趋势数据表" / "Show the trend as a table",
    services_and_reviews_per_month: "各月办件与评价" / "Services and reviews per month",
    indicator: "指标" / "Indicator",
    average_out_of_5: "平均分（满分 5）" / "Average (out of 5)",
    scores: "评分数" / "Scores",
    satisfaction_by_indicator: "各项满意度" / "Satisfaction by indicator",
    average_score_out_of_5: "平均分，满分 5 分。" / "Average score, out of 5.",
    average_satisfaction_per_indicator_out: "各项满意度平均分条形图（满分 5 分），数据见下方表格" / "Average satisfaction per indicator (out of 5); the numbers are in the table below",
    average_satisfaction_per_indicator: "各项满意度平均分" / "Average satisfaction per indicator",
    no_scores_yet: "暂无评分。" / "No scores yet.",
    no_data_yet: "暂无数据。" / "No data yet.",
    rank: "名次" / "Rank",
    name: "名称" / "Name",
    rectification_rate_2: "整改率" / "Rectification rate",
    rankings: "排名" / "Rankings",
    best_good_review_rate_first: "按好评率从高到低，各取前 10 名；选择名称可只看该单位。" / "Best good-review rate first, top 10 each; choose a name to see only that unit.",
    service_centers: "服务中心排名" / "Service centers",
    departments: "部门排名" / "Departments",
    windows: "窗口排名" / "Windows",
    service_items: "事项排名" / "Service items",
    by_center: "按服务中心" / "by center",
    by_department: "按部门" / "by department",
    by_window: "按窗口" / "by window",
    by_service_item: "按事项" / "by service item",
    open_data: "开放数据" / "Open data",
    monthly_totals_for_the_current: "按当前筛选条件下载每月汇总数据。数据仅含统计数字，不含个人信息和评价内容。" / "Monthly totals for the current selection. Figures only: no personal data, no review text.",
    licence: "许可：" / "Licence: ",
}

/// "2026 年 11 月" / "2026-11".
fn month_label(m: &str, l: Lang) -> String {
    match (l, m.get(..4), m.get(5..7)) {
        (Lang::Zh, Some(y), Some(mm)) => format!("{y} 年 {} 月", mm.trim_start_matches('0')),
        _ => m.to_string(),
    }
}

/// 12345 → "12,345".
fn int(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn pct(v: Option<f64>) -> Option<String> {
    v.map(|v| format!("{v}%"))
}

/// A value, or a dash read out as "no data": a rate without a denominator is not 0%.
fn val(v: Option<String>) -> AnyView {
    match v {
        Some(s) => s.into_any(),
        None => view! {
            <span aria-hidden="true">"—"</span>
            <span class="visually-hidden">{pt(|m| m.no_data)}</span>
        }
        .into_any(),
    }
}

/// The dashboard link for a filter.
fn href(f: &DashFilter) -> String {
    format!("/dashboard{}", query_string(&f.to_pairs()))
}

/// The filter of the URL. Each parameter is read on its own, so one hand-edited bad value drops only itself.
fn filter_of(pairs: &[(String, String)]) -> DashFilter {
    let mut f = DashFilter::default();
    for (k, v) in pairs {
        if let Ok(one) = DashFilter::from_pairs([(k.as_str(), v.as_str())]) {
            f.center = one.center.or(f.center);
            f.dept = one.dept.or(f.dept);
            f.window = one.window.or(f.window);
            f.item = one.item.or(f.item);
            f.month = one.month.or(f.month);
        }
    }
    f
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    use_title(|l| page(l).page_title.to_string());
    let p = prefs();
    let qm = use_query_map();
    let filter = Memo::new(move |_| {
        let pairs: Vec<(String, String)> = qm.get().into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        filter_of(&pairs)
    });
    let dash = LocalResource::new(move || {
        let (f, l) = (filter.get(), p.lang.get());
        async move { api::dashboard(&f, l).await }
    });
    let centers = LocalResource::new(move || {
        let l = p.lang.get();
        async move { api::centers(l).await }
    });
    // The months offered: the 12 ending with the current one (by the server's clock once the figures are in).
    let now_secs = (js_sys::Date::now() / 1000.0) as i64;
    let months = Memo::new(move |_| {
        let now = dash.with(|d| d.as_ref().and_then(|r| r.as_ref().ok()).map(|d| d.generated_at)).unwrap_or(now_secs);
        let mut ms = months_ending(&month_of(now), TREND_MONTHS);
        ms.reverse();
        if let Some(m) = filter.get().month {
            if !ms.contains(&m) {
                ms.push(m);
            }
        }
        ms
    });

    let navigate = use_navigate();
    let go = move |f: DashFilter| navigate(&href(&f), Default::default());
    let go_month = go.clone();
    let on_center = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        let mut f = filter.get_untracked();
        if f.center.as_deref().unwrap_or("") != v {
            // A window belongs to one center: it no longer applies.
            f.window = None;
        }
        f.center = (!v.is_empty()).then_some(v);
        go(f);
    };
    let on_month = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        let mut f = filter.get_untracked();
        f.month = (!v.is_empty()).then_some(v);
        go_month(f);
    };

    // The line is there from the start (empty while loading), so the filters below it do not move down
    // when the figures arrive (Lighthouse measured a layout shift of 0.31 on a phone).
    let fresh = move || {
        let stamp = dash.with(|d| d.as_ref().and_then(|r| r.as_ref().ok()).map(|d| d.generated_at)).map(|at| {
            let (y, mo, d, h, mi) = civil(at);
            let iso = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}+08:00");
            view! {
                {pt(|m| m.data_as_of)}
                <time datetime=iso>{format!("{h:02}:{mi:02}")}</time>
                {pt(|m| m.beijing_time)}
            }
        });
        view! { <p class="meta dash-fresh" id="dash-fresh">{stamp}"\u{a0}"</p> }
    };

    view! {
        <h1>{pt(|m| m.good_bad_review_results)}</h1>
        {fresh}
        <form class="filters dash-filters" aria-label=pt(|m| m.filters) on:submit=move |ev| {
            ev.prevent_default();
            dash.refetch();
        }>
            <div class="field">
                <label for="dash-center">{pt(|m| m.service_center)}</label>
                <select id="dash-center" name="center" on:change=on_center>
                    <option value="" prop:selected=move || filter.get().center.is_none()>{pt(|m| m.all)}</option>
                    {move || {
                        let cur = filter.get().center;
                        let list = centers.get().and_then(Result::ok).unwrap_or_default();
                        let known = cur.as_ref().is_none_or(|c| list.iter().any(|x| &x.id == c));
                        let opts = list.into_iter().map(|c| {
                            let on = cur.as_deref() == Some(c.id.as_str());
                            let name = c.name.clone();
                            view! { <option value=c.id.clone() prop:selected=on>{move || name.get(lang()).to_string()}</option> }
                        }).collect_view();
                        // A center in the URL that the list does not know (yet): still shown as chosen.
                        let extra = (!known).then(|| {
                            let id = cur.clone().unwrap_or_default();
                            view! { <option value=id.clone() prop:selected=true>{id.clone()}</option> }
                        });
                        view! { {opts}{extra} }
                    }}
                </select>
            </div>
            <div class="field">
                <label for="dash-month">{pt(|m| m.month)}</label>
                <select id="dash-month" name="month" on:change=on_month>
                    <option value="" prop:selected=move || filter.get().month.is_none()>{pt(|m| m.last_12_months)}</option>
                    {move || {
                        let cur = filter.get().month;
                        months.get().into_iter().map(|m| {
                            let on = cur.as_deref() == Some(m.as_str());
                            let label = m.clone();
                            view! { <option value=m prop:selected=on>{move || month_label(&label, lang())}</option> }
                        }).collect_view()
                    }}
                </select>
            </div>
            <button type="submit" class="button">{pt(|m| m.refresh)}</button>
        </form>
        {async_view(dash, render)}
    }
}

fn render(d: Dashboard) -> impl IntoView {
    let f = d.filter.clone();
    let period = d.period.clone();
    let period_text = move || {
        let l = lang();
        match (period.first(), period.last()) {
            (Some(a), Some(b)) if a == b => crate::i18n::fill(page(l).one_month, &[("month", &month_label(a, l))]),
            (Some(a), Some(b)) => crate::i18n::fill(page(l).period, &[("from", &month_label(a, l)), ("to", &month_label(b, l))]),
            _ => String::new(),
        }
    };
    let empty = d.total.tally.reviews == 0 && d.total.tally.services == 0;
    view! {
        {active_filters(&d)}
        <p class="meta" id="dash-period">{period_text}</p>
        {empty.then(|| view! { <p class="empty">{pt(|m| m.no_services_or_reviews_in)}</p> })}
        {headline(&d)}
        {targets(&d.targets)}
        {trend(&d.trend, f.month.is_some())}
        {satisfaction(&d.total.satisfaction)}
        {rankings(&d)}
        {open_data(&f, &d.licence)}
    }
}

/// The department, window or item the view is narrowed to, each with a way back.
fn active_filters(d: &Dashboard) -> impl IntoView {
    let f = &d.filter;
    let name = |list: &[Ranked], id: &str| list.iter().find(|r| r.id == id).map(|r| r.name.clone()).unwrap_or_else(|| tongban_shared::Text::new(id, id));
    let mut chips = Vec::new();
    if let Some(id) = &f.dept {
        chips.push((pt(|m| m.department), name(&d.departments, id), DashFilter { dept: None, ..f.clone() }));
    }
    if let Some(id) = &f.window {
        chips.push((pt(|m| m.window), name(&d.windows, id), DashFilter { window: None, ..f.clone() }));
    }
    if let Some(id) = &f.item {
        chips.push((pt(|m| m.item), name(&d.items, id), DashFilter { item: None, ..f.clone() }));
    }
    (!chips.is_empty()).then(|| {
        view! {
            <ul class="quick dash-active" aria-label=pt(|m| m.selected_filters)>
                {chips.into_iter().map(|(kind, n, without)| {
                    let n = tx(&n);
                    view! {
                    <li>
                        <a href=href(&without) class="chip">
                            {kind}{n}
                            <span aria-hidden="true">" ✕"</span>
                            <span class="visually-hidden">{pt(|m| m.clear_this_filter)}</span>
                        </a>
                    </li>
                    }
                }).collect_view()}
            </ul>
        }
    })
}

fn figure(id: &'static str, label: impl Fn() -> &'static str + Copy + Send + Sync + 'static, value: Option<String>) -> impl IntoView {
    view! {
        <div id=id>
            <dt>{label}</dt>
            <dd>{val(value)}</dd>
        </div>
    }
}

fn headline(d: &Dashboard) -> impl IntoView {
    let (f, n) = (&d.total, &d.total.tally);
    view! {
        <section class="dash-section" aria-labelledby="dash-h-figures">
            <h2 id="dash-h-figures">{pt(|m| m.key_figures)}</h2>
            <dl class="facts dash-figures">
                {figure("fig-services", pt(|m| m.services), Some(int(n.services)))}
                {figure("fig-reviews", pt(|m| m.reviews), Some(int(n.reviews)))}
                {figure("fig-evaluation", pt(|m| m.evaluation_rate), pct(f.evaluation_rate))}
                {figure("fig-good", pt(|m| m.good_review_rate), pct(f.good_rate))}
                {figure("fig-bad", pt(|m| m.bad_reviews), Some(int(n.bad)))}
                {figure("fig-rectification", pt(|m| m.rectification_rate), pct(f.rectification_rate))}
                {figure("fig-callback", pt(|m| m.real_name_callback_rate), pct(f.callback_rate))}
                {figure("fig-overdue", pt(|m| m.overdue_work_orders), Some(int(n.overdue)))}
            </dl>
        </section>
    }
}

fn target_value(v: f64, unit: &str, l: Lang) -> String {
    match (unit, l) {
        ("%", _) => format!("{v}%"),
        ("min", l) => crate::i18n::fill(page(l).n_minutes, &[("v", &v)]),
        ("items", l) => crate::i18n::fill(page(l).n_items, &[("v", &v)]),
        (u, _) => format!("{v} {u}"),
    }
}

fn targets(ts: &[Target]) -> impl IntoView {
    let rows = ts
        .iter()
        .map(|tg| {
            let unit = tg.unit.clone();
            let u2 = unit.clone();
            let value = tg.value;
            let goal = tg.goal.map(|g| {
                move || {
                    let l = lang();
                    // The wait is the one target where less is better.
                    let le = if u2 == "min" { "≤ " } else { "" };
                    crate::i18n::fill(page(l).goal, &[("value", &format!("{le}{}", target_value(g, &u2, l)))])
                }
            });
            let (class, icon, status) = match (tg.met, tg.goal.is_some()) {
                (Some(true), _) => ("target-status met", "✓ ", pt(|m| m.met)),
                (Some(false), _) => ("target-status unmet", "✗ ", pt(|m| m.not_met)),
                (None, true) => ("target-status", "", pt(|m| m.no_data_2)),
                (None, false) => ("target-status", "", pt(|m| m.no_goal_set)),
            };
            view! {
                <li class="dash-target" data-key=tg.key.clone()>
                    <span class="target-label">{tx(&tg.label)}</span>
                    <span class="target-value">{move || val(value.map(|v| target_value(v, &unit, lang())))}</span>
                    {goal.map(|g| view! { <span class="target-goal">{g}</span> })}
                    <span class=class><span aria-hidden="true">{icon}</span>{status}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="dash-section" aria-labelledby="dash-h-targets">
            <h2 id="dash-h-targets">{pt(|m| m.one_stop_service_targets)}</h2>
            <ul class="dash-targets">{rows}</ul>
        </section>
    }
}

/// The smallest of 2, 4, 10, 20, 40, 100 … at least `v`: an axis maximum whose half is a whole number.
fn nice_max(v: u64) -> u64 {
    let mut mag: u64 = 1;
    loop {
        for m in [2, 4, 10] {
            if m * mag >= v {
                return m * mag;
            }
        }
        if mag > u64::MAX / 100 {
            return v;
        }
        mag *= 10;
    }
}

/// A coordinate for an SVG attribute.
fn c(v: f64) -> String {
    format!("{v:.1}")
}

/// A scrollable table with its caption; the region is focusable (keyboard scrolling) and named.
fn table_wrap(cap_id: &'static str, caption: impl IntoView + 'static, head: impl IntoView + 'static, body: impl IntoView + 'static) -> impl IntoView {
    view! {
        <div class="table-wrap dash-scroll" tabindex="0" role="region" aria-labelledby=cap_id>
            <table class="dash-table">
                <caption id=cap_id>{caption}</caption>
                <thead>{head}</thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
}

fn trend(ms: &[MonthFigures], one_month: bool) -> impl IntoView {
    const W: f64 = 360.0;
    const H: f64 = 220.0;
    const L: f64 = 46.0;
    const R: f64 = 46.0;
    const TOP: f64 = 12.0;
    const BOTTOM: f64 = 38.0;
    let (pw, ph) = (W - L - R, H - TOP - BOTTOM);
    let slot = pw / ms.len().max(1) as f64;
    let max = nice_max(ms.iter().map(|m| m.figures.tally.reviews).max().unwrap_or(0));
    let x_mid = |i: usize| L + slot * (i as f64 + 0.5);
    let y_rate = |r: f64| TOP + ph * (1.0 - r.clamp(0.0, 100.0) / 100.0);

    let grid = [0u64, 1, 2]
        .into_iter()
        .map(|k| {
            let y = TOP + ph * (1.0 - k as f64 / 2.0);
            view! {
                <line class="grid" x1=c(L) x2=c(W - R) y1=c(y) y2=c(y)/>
                <text class="axis" x=c(L - 5.0) y=c(y + 4.0) text-anchor="end">{int(max * k / 2)}</text>
                <text class="axis" x=c(W - R + 5.0) y=c(y + 4.0)>{format!("{}%", 50 * k)}</text>
            }
        })
        .collect_view();
    let bars = ms
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let h = ph * m.figures.tally.reviews as f64 / max as f64;
            let bw = slot * 0.6;
            view! { <rect class="bar" x=c(x_mid(i) - bw / 2.0) y=c(TOP + ph - h) width=c(bw) height=c(h)/> }
        })
        .collect_view();
    // The good-review rate as a line, broken where a month has no reviews (no data is not 0%).
    let mut segments: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut run = Vec::new();
    for (i, m) in ms.iter().enumerate() {
        match m.figures.good_rate {
            Some(r) => run.push((x_mid(i), y_rate(r))),
            None if !run.is_empty() => segments.push(std::mem::take(&mut run)),
            None => {}
        }
    }
    if !run.is_empty() {
        segments.push(run);
    }
    let lines = segments
        .iter()
        .filter(|s| s.len() > 1)
        .map(|s| {
            let pts = s.iter().map(|(x, y)| format!("{},{}", c(*x), c(*y))).collect::<Vec<_>>().join(" ");
            // A halo in the paper colour keeps the line apart from the bars it crosses.
            view! {
                <polyline class="halo" points=pts.clone()/>
                <polyline class="line" points=pts/>
            }
        })
        .collect_view();
    let dots = segments.iter().flatten().map(|(x, y)| view! { <circle class="dot" cx=c(*x) cy=c(*y) r="3.5"/> }).collect_view();
    let labels = ms
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let mm = m.month.get(5..7).unwrap_or("").trim_start_matches('0').to_string();
            let year = (i == 0 || m.month.get(5..7) == Some("01")).then(|| m.month.get(..4).unwrap_or("").to_string());
            let x = c(x_mid(i));
            view! {
                <text class="axis" x=x.clone() y=c(H - BOTTOM + 15.0) text-anchor="middle">{mm}</text>
                {year.map(|y| view! { <text class="axis year" x=x y=c(H - BOTTOM + 30.0) text-anchor="middle">{y}</text> })}
            }
        })
        .collect_view();

    let head = view! {
        <tr>
            <th scope="col">{pt(|m| m.month_2)}</th>
            <th scope="col" class="num">{pt(|m| m.services)}</th>
            <th scope="col" class="num">{pt(|m| m.reviews)}</th>
            <th scope="col" class="num">{pt(|m| m.evaluation_rate)}</th>
            <th scope="col" class="num">{pt(|m| m.good_review_rate)}</th>
            <th scope="col" class="num">{pt(|m| m.bad_reviews)}</th>
        </tr>
    };
    let body = ms
        .iter()
        .map(|m| {
            let (f, n) = (&m.figures, &m.figures.tally);
            let month = m.month.clone();
            view! {
                <tr>
                    <th scope="row">{move || month_label(&month, lang())}</th>
                    <td class="num">{int(n.services)}</td>
                    <td class="num">{int(n.reviews)}</td>
                    <td class="num">{val(pct(f.evaluation_rate))}</td>
                    <td class="num">{val(pct(f.good_rate))}</td>
                    <td class="num">{int(n.bad)}</td>
                </tr>
            }
        })
        .collect_view();

    view! {
        <section class="dash-section" aria-labelledby="dash-h-trend">
            <h2 id="dash-h-trend">{if one_month { pt(|m| m.trend_to_month) } else { pt(|m| m.trend_last_12) }}</h2>
            <ul class="dash-legend">
                <li><span class="key key-bar" aria-hidden="true"></span>{pt(|m| m.bars_reviews_left_axis)}</li>
                <li><span class="key key-line" aria-hidden="true"></span>{pt(|m| m.line_good_review_rate_right)}</li>
            </ul>
            <svg class="chart" viewBox=format!("0 0 {W} {H}") width="100%" role="img" aria-labelledby="dash-trend-title" preserveAspectRatio="xMidYMid meet">
                <title id="dash-trend-title">{pt(|m| m.reviews_bars_and_good_review)}</title>
                {grid}
                {bars}
                {lines}
                {dots}
                {labels}
            </svg>
            <details class="dash-data">
                <summary>{pt(|m| m.show_the_trend_as_a)}</summary>
                {table_wrap("dash-cap-trend", pt(|m| m.services_and_reviews_per_month), head, body)}
            </details>
        </section>
    }
}

fn satisfaction(s: &[IndicatorAvg]) -> impl IntoView {
    const W: f64 = 320.0;
    const ROW: f64 = 38.0;
    let h = ROW * s.len() as f64 + 2.0;
    let rows = s
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let y = ROW * i as f64;
            let label = a.indicator.label();
            let w = W * (a.avg / 5.0).clamp(0.0, 1.0);
            view! {
                <text class="label" x="0" y=c(y + 14.0)>{move || label.get(lang()).to_string()}</text>
                <text class="label value" x=c(W) y=c(y + 14.0) text-anchor="end">{format!("{:.2}", a.avg)}</text>
                <rect class="track" x="0.5" y=c(y + 20.0) width=c(W - 1.0) height="12" rx="3"/>
                <rect class="bar" x="0.5" y=c(y + 20.0) width=c((w - 1.0).max(0.0)) height="12" rx="3"/>
            }
        })
        .collect_view();
    let body = s
        .iter()
        .map(|a| {
            let label = a.indicator.label();
            view! {
                <tr>
                    <th scope="row">{tx(&label)}</th>
                    <td class="num">{format!("{:.2}", a.avg)}</td>
                    <td class="num">{int(a.n)}</td>
                </tr>
            }
        })
        .collect_view();
    let head = view! {
        <tr>
            <th scope="col">{pt(|m| m.indicator)}</th>
            <th scope="col" class="num">{pt(|m| m.average_out_of_5)}</th>
            <th scope="col" class="num">{pt(|m| m.scores)}</th>
        </tr>
    };
    let has = !s.is_empty();
    view! {
        <section class="dash-section" aria-labelledby="dash-h-satisfaction">
            <h2 id="dash-h-satisfaction">{pt(|m| m.satisfaction_by_indicator)}</h2>
            {if has {
                view! {
                    <p class="meta">{pt(|m| m.average_score_out_of_5)}</p>
                    <svg class="chart chart-bars" viewBox=format!("0 0 {W} {h}") width="100%" role="img" aria-labelledby="dash-sat-title">
                        <title id="dash-sat-title">{pt(|m| m.average_satisfaction_per_indicator_out)}</title>
                        {rows}
                    </svg>
                    {table_wrap("dash-cap-satisfaction", pt(|m| m.average_satisfaction_per_indicator), head, body)}
                }.into_any()
            } else {
                view! { <p class="empty">{pt(|m| m.no_scores_yet)}</p> }.into_any()
            }}
        </section>
    }
}

/// Which filter a ranking's rows set when followed.
#[derive(Clone, Copy)]
enum By {
    Center,
    Dept,
    Window,
    Item,
}

fn ranking(cap_id: &'static str, caption: impl Fn() -> &'static str + Copy + Send + Sync + 'static, rows: &[Ranked], by: By, f: &DashFilter) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="empty"><strong>{caption}</strong>" "{pt(|m| m.no_data_yet)}</p> }.into_any();
    }
    let head = view! {
        <tr>
            <th scope="col" class="num">{pt(|m| m.rank)}</th>
            <th scope="col">{pt(|m| m.name)}</th>
            <th scope="col" class="num">{pt(|m| m.reviews)}</th>
            <th scope="col" class="num">{pt(|m| m.good_review_rate)}</th>
            <th scope="col" class="num">{pt(|m| m.bad_reviews)}</th>
            <th scope="col" class="num">{pt(|m| m.rectification_rate_2)}</th>
        </tr>
    };
    let body = rows
        .iter()
        .take(10)
        .enumerate()
        .map(|(i, r)| {
            let mut to = f.clone();
            match by {
                By::Center => {
                    to.center = Some(r.id.clone());
                    to.window = None;
                }
                By::Dept => to.dept = Some(r.id.clone()),
                By::Window => to.window = Some(r.id.clone()),
                By::Item => to.item = Some(r.id.clone()),
            }
            let fig = &r.figures;
            let name = tx(&r.name);
            view! {
                <tr>
                    <td class="num">{i + 1}</td>
                    <th scope="row"><a href=href(&to)>{name}</a></th>
                    <td class="num">{int(fig.tally.reviews)}</td>
                    <td class="num">{val(pct(fig.good_rate))}</td>
                    <td class="num">{int(fig.tally.bad)}</td>
                    <td class="num">{val(pct(fig.rectification_rate))}</td>
                </tr>
            }
        })
        .collect_view();
    table_wrap(cap_id, caption, head, body).into_any()
}

fn rankings(d: &Dashboard) -> impl IntoView {
    let f = &d.filter;
    view! {
        <section class="dash-section" aria-labelledby="dash-h-rankings">
            <h2 id="dash-h-rankings">{pt(|m| m.rankings)}</h2>
            <p class="meta">{pt(|m| m.best_good_review_rate_first)}</p>
            {f.center.is_none().then(|| ranking("dash-cap-centers", pt(|m| m.service_centers), &d.centers, By::Center, f))}
            {f.dept.is_none().then(|| ranking("dash-cap-departments", pt(|m| m.departments), &d.departments, By::Dept, f))}
            {f.window.is_none().then(|| ranking("dash-cap-windows", pt(|m| m.windows), &d.windows, By::Window, f))}
            {f.item.is_none().then(|| ranking("dash-cap-items", pt(|m| m.service_items), &d.items, By::Item, f))}
        </section>
    }
}

fn open_data(f: &DashFilter, licence: &str) -> impl IntoView {
    let dims: [(&str, _); 4] =
        [("center", pt(|m| m.by_center)), ("department", pt(|m| m.by_department)), ("window", pt(|m| m.by_window)), ("item", pt(|m| m.by_service_item))];
    let items = dims
        .into_iter()
        .map(|(by, label)| {
            let mut pairs = f.to_pairs();
            pairs.push(("by", by.to_string()));
            let qs = query_string(&pairs);
            view! {
                <li>
                    <span class="dash-open-dim">{label}</span>
                    <a href=format!("{}{qs}", crate::api::path::<ep::OpenDataCsv>(&[])) rel="external" download="">
                        "CSV"<span class="visually-hidden">" "{label}</span>
                    </a>
                    <a href=format!("{}{qs}", crate::api::path::<ep::OpenDataJson>(&[])) rel="external">
                        "JSON"<span class="visually-hidden">" "{label}</span>
                    </a>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="dash-section" aria-labelledby="dash-h-open">
            <h2 id="dash-h-open">{pt(|m| m.open_data)}</h2>
            <p>{pt(|m| m.monthly_totals_for_the_current)}</p>
            <ul class="dash-open">{items}</ul>
            <p class="meta" id="dash-licence">{pt(|m| m.licence)}{licence.to_string()}</p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn beijing_time_and_helpers() {
        // 2026-11-25 02:32 UTC is 10:32 in Beijing.
        assert_eq!(civil(1_795_573_920), (2026, 11, 25, 10, 32));
        // 2025-12-31 16:00 UTC is already the new year in Beijing.
        assert_eq!(civil(1_767_196_800), (2026, 1, 1, 0, 0));
        assert_eq!(month_of(1_767_196_800), "2026-01");
        assert_eq!(int(0), "0");
        assert_eq!(int(1234567), "1,234,567");
        assert_eq!(nice_max(0), 2);
        assert_eq!(nice_max(3), 4);
        assert_eq!(nice_max(37), 40);
        assert_eq!(nice_max(41), 100);
        assert_eq!(month_label("2026-03", Lang::Zh), "2026 年 3 月");
        let f = filter_of(&[("center".into(), "putuo".into()), ("month".into(), "2026-13".into()), ("dept".into(), "scjg".into())]);
        assert_eq!(f, DashFilter { center: Some("putuo".into()), dept: Some("scjg".into()), ..DashFilter::default() });
    }
}
