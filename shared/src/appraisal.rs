//! The public appraisal (好差评 results and the 一网通办 targets). The edge reads raw [`Fact`]s — tallies
//! grouped by month, center, department, window and item — and everything else happens here: filtering,
//! roll-ups, rankings, the 12-month trend, the targets, and the open-data rows and CSV. Being pure, the
//! numbers on the page are checked against hand-computed fixtures on the host.

use crate::error::{ErrorCode, FieldError};
use crate::lang::Text;
use crate::query::slug;
use crate::review::{Figures, Tally};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The licence of the open data, printed with every export.
pub const LICENCE: &str = "CC BY 4.0 — 上海市普陀区政务服务好差评公开数据 / Putuo District good/bad review open data";
/// The licence of the open data, as the CSV's `Link: rel="license"` header names it.
pub const LICENCE_URL: &str = "https://creativecommons.org/licenses/by/4.0/";
/// Months in the trend.
pub const TREND_MONTHS: usize = 12;

/// One group of counted facts. `dept`, `window` and `item` are unknown for some services (a walk-in
/// at a comprehensive window has no item until the staff records one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fact {
    pub month: String,
    pub center: String,
    pub dept: Option<String>,
    pub window: Option<String>,
    pub item: Option<String>,
    pub staff: Option<String>,
    pub tally: Tally,
}

/// What the dashboard shows; every field is also a URL query parameter, so a view can be shared.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DashFilter {
    pub center: Option<String>,
    pub dept: Option<String>,
    /// A window id, `{center}-w{number}`.
    pub window: Option<String>,
    pub item: Option<String>,
    /// `YYYY-MM`: that month only (the trend ends there); none: the last 12 months.
    pub month: Option<String>,
}

/// How far back a month filter may reach: five years of figures.
pub const MONTHS_KEPT: usize = 60;

fn month(v: &str) -> Result<Option<String>, FieldError> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let ok = v.len() == 7
        && v.as_bytes()[4] == b'-'
        && v[..4].parse::<u32>().is_ok_and(|y| (2000..=2100).contains(&y))
        && v[5..].parse::<u32>().is_ok_and(|m| (1..=12).contains(&m));
    if ok {
        Ok(Some(v.to_string()))
    } else {
        Err(FieldError::new(ErrorCode::InvalidParameter, "month"))
    }
}

impl DashFilter {
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<DashFilter, FieldError> {
        let mut f = DashFilter::default();
        for (k, v) in pairs {
            match k {
                "center" => f.center = slug("center", v)?,
                "dept" => f.dept = slug("dept", v)?,
                "window" => f.window = slug("window", v)?,
                "item" => f.item = slug("item", v)?,
                "month" => f.month = month(v)?,
                _ => {}
            }
        }
        Ok(f)
    }

    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        [("center", &self.center), ("dept", &self.dept), ("window", &self.window), ("item", &self.item), ("month", &self.month)]
            .into_iter()
            .filter_map(|(k, v)| v.clone().map(|v| (k, v)))
            .collect()
    }

    /// The figures cover at most [`MONTHS_KEPT`] months back and nothing ahead of `this_month`: any other
    /// month is refused, so the months a request can name (and the cache keys) are bounded.
    pub fn check_month(&self, this_month: &str) -> Result<(), FieldError> {
        let Some(m) = &self.month else { return Ok(()) };
        let oldest = months_ending(this_month, MONTHS_KEPT).into_iter().next().unwrap_or_default();
        if m.as_str() > this_month || m.as_str() < oldest.as_str() {
            return Err(FieldError::new(ErrorCode::InvalidParameter, "month"));
        }
        Ok(())
    }

    /// A canonical key (cache keys, share links).
    pub fn key(&self) -> String {
        self.to_pairs().into_iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
    }

    fn admits(&self, f: &Fact) -> bool {
        let is = |want: &Option<String>, have: &Option<String>| want.as_ref().is_none_or(|w| have.as_ref() == Some(w));
        self.center.as_ref().is_none_or(|c| *c == f.center) && is(&self.dept, &f.dept) && is(&self.window, &f.window) && is(&self.item, &f.item)
    }
}

/// The `n` months ending with `end` (`YYYY-MM`), oldest first.
pub fn months_ending(end: &str, n: usize) -> Vec<String> {
    let (mut y, mut m): (i32, i32) = (end[..4].parse().unwrap_or(2026), end[5..7].parse().unwrap_or(1));
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(format!("{y:04}-{m:02}"));
        m -= 1;
        if m == 0 {
            m = 12;
            y -= 1;
        }
    }
    out.reverse();
    out
}

/// Names for ids, as the edge reads them from the catalogue.
#[derive(Debug, Clone, Default)]
pub struct Names {
    pub centers: BTreeMap<String, Text>,
    pub depts: BTreeMap<String, Text>,
    pub windows: BTreeMap<String, Text>,
    pub items: BTreeMap<String, Text>,
}

/// Catalogue figures for the targets: how many items are online-handlable and zero-trip.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ItemCounts {
    pub total: u64,
    pub online: u64,
    pub zero_trip: u64,
    pub on_the_spot: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MonthFigures {
    pub month: String,
    pub figures: Figures,
}

/// A center, department, window or item with its figures, for rankings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Ranked {
    pub id: String,
    pub name: Text,
    pub figures: Figures,
}

/// One of the policy's 一网通办 targets, measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Target {
    pub key: String,
    pub label: Text,
    pub value: Option<f64>,
    /// `%`, `min` or `items`.
    pub unit: String,
    /// The policy's goal, where it names one (100% for the callback and rectification rate).
    pub goal: Option<f64>,
    pub met: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Dashboard {
    /// When these figures were computed (epoch seconds): the page says "data as of HH:MM".
    pub generated_at: i64,
    pub filter: DashFilter,
    /// The months the totals cover.
    pub period: Vec<String>,
    pub total: Figures,
    pub trend: Vec<MonthFigures>,
    pub centers: Vec<Ranked>,
    pub departments: Vec<Ranked>,
    pub windows: Vec<Ranked>,
    pub items: Vec<Ranked>,
    pub targets: Vec<Target>,
    pub licence: String,
}

fn rank(facts: &[&Fact], key: impl Fn(&Fact) -> Option<&String>, names: &BTreeMap<String, Text>) -> Vec<Ranked> {
    let mut by: BTreeMap<&String, Tally> = BTreeMap::new();
    for f in facts {
        if let Some(k) = key(f) {
            by.entry(k).or_default().add(&f.tally);
        }
    }
    let mut v: Vec<Ranked> = by
        .into_iter()
        .map(|(id, t)| Ranked { id: id.clone(), name: names.get(id).cloned().unwrap_or_else(|| Text::new(id.clone(), id.clone())), figures: Figures::of(t) })
        .collect();
    // Best good-review rate first; then more reviews (more evidence); units without reviews last.
    v.sort_by(|a, b| {
        let g = |r: &Ranked| r.figures.good_rate.unwrap_or(-1.0);
        g(b).partial_cmp(&g(a)).unwrap_or(std::cmp::Ordering::Equal).then(b.figures.tally.reviews.cmp(&a.figures.tally.reviews)).then(a.id.cmp(&b.id))
    });
    v
}

fn target(key: &str, label: Text, value: Option<f64>, unit: &str, goal: Option<f64>, higher_is_better: bool) -> Target {
    let met = match (value, goal) {
        (Some(v), Some(g)) => Some(if higher_is_better { v >= g } else { v <= g }),
        _ => None,
    };
    Target { key: key.into(), label, value, unit: unit.into(), goal, met }
}

/// Average waiting time the centers aim for (minutes).
pub const WAIT_GOAL_MINUTES: f64 = 20.0;

/// Builds the dashboard for `filter` from the facts of the trend months (`this_month` is the current
/// month, for an unfiltered view).
pub fn build(facts: &[Fact], names: &Names, items: ItemCounts, filter: &DashFilter, this_month: &str, generated_at: i64) -> Dashboard {
    let end = filter.month.clone().unwrap_or_else(|| this_month.to_string());
    let months = months_ending(&end, TREND_MONTHS);
    let scoped: Vec<&Fact> = facts.iter().filter(|f| filter.admits(f) && months.contains(&f.month)).collect();
    let period: Vec<String> = match &filter.month {
        Some(m) => vec![m.clone()],
        None => months.clone(),
    };
    let in_period: Vec<&Fact> = scoped.iter().copied().filter(|f| period.contains(&f.month)).collect();
    let mut total = Tally::default();
    for f in &in_period {
        total.add(&f.tally);
    }
    let trend = months
        .iter()
        .map(|m| {
            let mut t = Tally::default();
            for f in scoped.iter().filter(|f| &f.month == m) {
                t.add(&f.tally);
            }
            MonthFigures { month: m.clone(), figures: Figures::of(t) }
        })
        .collect();
    let total = Figures::of(total);
    let pct = crate::review::percent;
    let targets = vec![
        target("online_items", Text::new("事项网上可办率", "Items handlable online"), pct(items.online, items.total), "%", Some(100.0), true),
        target("zero_trip_items", Text::new("零跑动事项", "Zero-trip items"), Some(items.zero_trip as f64), "items", None, true),
        target("on_the_spot", Text::new("当场办结率", "Finished on the spot"), total.on_the_spot_rate, "%", None, true),
        target("avg_wait", Text::new("平均等候时间", "Average wait"), total.avg_wait_minutes, "min", Some(WAIT_GOAL_MINUTES), false),
        target("evaluation", Text::new("评价率", "Evaluation rate"), total.evaluation_rate, "%", None, true),
        target("good", Text::new("好评率", "Good-review rate"), total.good_rate, "%", None, true),
        target("callback", Text::new("实名差评回访率", "Real-name bad reviews called back"), total.callback_rate, "%", Some(100.0), true),
        target("rectification", Text::new("差评整改率", "Bad reviews rectified"), total.rectification_rate, "%", Some(100.0), true),
    ];
    Dashboard {
        generated_at,
        filter: filter.clone(),
        period,
        total,
        trend,
        centers: rank(&in_period, |f| Some(&f.center), &names.centers),
        departments: rank(&in_period, |f| f.dept.as_ref(), &names.depts),
        windows: rank(&in_period, |f| f.window.as_ref(), &names.windows),
        items: rank(&in_period, |f| f.item.as_ref(), &names.items),
        targets,
        licence: LICENCE.into(),
    }
}

/// Per-month figures of one staff member (the staff appraisal view).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Appraisal {
    pub staff_id: String,
    pub name: String,
    pub total: Figures,
    pub months: Vec<MonthFigures>,
}

pub fn appraisal(staff_id: &str, name: &str, facts: &[Fact], this_month: &str) -> Appraisal {
    let months = months_ending(this_month, TREND_MONTHS);
    let mine: Vec<&Fact> = facts.iter().filter(|f| f.staff.as_deref() == Some(staff_id)).collect();
    let mut total = Tally::default();
    let months = months
        .into_iter()
        .map(|m| {
            let mut t = Tally::default();
            for f in mine.iter().filter(|f| f.month == m) {
                t.add(&f.tally);
            }
            total.add(&t);
            MonthFigures { month: m, figures: Figures::of(t) }
        })
        .collect();
    Appraisal { staff_id: staff_id.into(), name: name.into(), total: Figures::of(total), months }
}

/// The dimensions open data is broken down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Center,
    Department,
    Window,
    Item,
}

impl Dimension {
    pub fn parse(s: &str) -> Option<Dimension> {
        match s {
            "center" | "" => Some(Dimension::Center),
            "department" => Some(Dimension::Department),
            "window" => Some(Dimension::Window),
            "item" => Some(Dimension::Item),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Center => "center",
            Dimension::Department => "department",
            Dimension::Window => "window",
            Dimension::Item => "item",
        }
    }
}

/// One open-data row: a month and a unit. Aggregates only — no person, no review text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OpenRow {
    pub month: String,
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub services: u64,
    pub reviews: u64,
    pub evaluation_rate: Option<f64>,
    pub good: u64,
    pub good_rate: Option<f64>,
    pub bad: u64,
    pub valid_bad: u64,
    pub rectified: u64,
    pub rectification_rate: Option<f64>,
    pub not_fixed: u64,
    pub called_back: u64,
    pub callback_rate: Option<f64>,
    pub overdue: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OpenData {
    pub licence: String,
    pub generated_at: i64,
    pub dimension: Dimension,
    pub filter: DashFilter,
    pub rows: Vec<OpenRow>,
}

pub fn open_data(facts: &[Fact], names: &Names, filter: &DashFilter, dim: Dimension, this_month: &str, generated_at: i64) -> OpenData {
    let end = filter.month.clone().unwrap_or_else(|| this_month.to_string());
    let months = if filter.month.is_some() { vec![end] } else { months_ending(&end, TREND_MONTHS) };
    let mut by: BTreeMap<(String, String), Tally> = BTreeMap::new();
    for f in facts.iter().filter(|f| filter.admits(f) && months.contains(&f.month)) {
        let id = match dim {
            Dimension::Center => Some(&f.center),
            Dimension::Department => f.dept.as_ref(),
            Dimension::Window => f.window.as_ref(),
            Dimension::Item => f.item.as_ref(),
        };
        if let Some(id) = id {
            by.entry((f.month.clone(), id.clone())).or_default().add(&f.tally);
        }
    }
    let table = match dim {
        Dimension::Center => &names.centers,
        Dimension::Department => &names.depts,
        Dimension::Window => &names.windows,
        Dimension::Item => &names.items,
    };
    let rows = by
        .into_iter()
        .map(|((month, id), t)| {
            let f = Figures::of(t);
            let name = table.get(&id).cloned().unwrap_or_else(|| Text::new(id.clone(), id.clone()));
            OpenRow {
                month,
                id,
                name_zh: name.zh,
                name_en: name.en,
                services: t.services,
                reviews: t.reviews,
                evaluation_rate: f.evaluation_rate,
                good: t.good,
                good_rate: f.good_rate,
                bad: t.bad,
                valid_bad: t.valid_bad,
                rectified: t.rectified,
                rectification_rate: f.rectification_rate,
                not_fixed: t.not_fixed,
                called_back: t.called_back,
                callback_rate: f.callback_rate,
                overdue: t.overdue,
            }
        })
        .collect();
    OpenData { licence: LICENCE.into(), generated_at, dimension: dim, filter: filter.clone(), rows }
}

/// One CSV cell (RFC 4180): quoted when it holds a comma, quote or line break, and defused when it
/// starts like a spreadsheet formula (`=`, `+`, `-`, `@`, a tab or a carriage return: CSV injection,
/// OWASP), by a leading apostrophe that Excel and WPS show as text.
pub fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_string() };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

fn opt(v: Option<f64>) -> String {
    v.map_or(String::new(), |v| format!("{v}"))
}

/// The same rows as CSV (RFC 4180: CRLF line ends, a header row, one line per row), after a UTF-8 byte
/// order mark so that Excel on Chinese Windows reads the names as UTF-8 rather than GBK. Nothing but data
/// is in the rows: the licence and generation time are the JSON document's and the response's headers.
pub fn to_csv(d: &OpenData) -> String {
    let mut out = String::from("\u{feff}month,dimension,id,name_zh,name_en,services,reviews,evaluation_rate,good,good_rate,bad,valid_bad,rectified,rectification_rate,not_fixed,called_back,callback_rate,overdue\r\n");
    for r in &d.rows {
        let cells = [
            csv_field(&r.month),
            csv_field(d.dimension.as_str()),
            csv_field(&r.id),
            csv_field(&r.name_zh),
            csv_field(&r.name_en),
            r.services.to_string(),
            r.reviews.to_string(),
            opt(r.evaluation_rate),
            r.good.to_string(),
            opt(r.good_rate),
            r.bad.to_string(),
            r.valid_bad.to_string(),
            r.rectified.to_string(),
            opt(r.rectification_rate),
            r.not_fixed.to_string(),
            r.called_back.to_string(),
            opt(r.callback_rate),
            r.overdue.to_string(),
        ];
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(clippy::too_many_arguments)]
    fn fact(month: &str, center: &str, window: &str, item: Option<&str>, services: u64, reviews: u64, good: u64, bad: u64) -> Fact {
        Fact {
            month: month.into(),
            center: center.into(),
            dept: item.map(|i| i.split('-').next().unwrap().to_string()),
            window: Some(window.into()),
            item: item.map(str::to_string),
            staff: Some(format!("s-{window}")),
            tally: Tally { services, reviews, good, bad, ..Tally::default() },
        }
    }

    fn facts() -> Vec<Fact> {
        vec![
            fact("2026-10", "putuo", "putuo-w1", Some("scjg-a"), 10, 4, 3, 1),
            fact("2026-11", "putuo", "putuo-w1", Some("scjg-a"), 6, 3, 3, 0),
            fact("2026-11", "putuo", "putuo-w2", None, 4, 2, 1, 1),
            fact("2026-11", "wanli", "wanli-w1", Some("rsj-b"), 5, 5, 5, 0),
            // Out of the 12 months: never counted.
            fact("2025-11", "putuo", "putuo-w1", Some("scjg-a"), 100, 100, 0, 100),
        ]
    }

    #[test]
    fn months() {
        assert_eq!(months_ending("2026-02", 3), vec!["2025-12", "2026-01", "2026-02"]);
        assert_eq!(months_ending("2026-11", 12).first().unwrap(), "2025-12");
    }

    #[test]
    fn totals_trend_and_rankings_match_a_hand_count() {
        let d = build(&facts(), &Names::default(), ItemCounts { total: 4, online: 3, zero_trip: 1, on_the_spot: 2 }, &DashFilter::default(), "2026-11", 0);
        // 10+6+4+5 services, 4+3+2+5 reviews, 3+3+1+5 good.
        assert_eq!((d.total.tally.services, d.total.tally.reviews, d.total.tally.good, d.total.tally.bad), (25, 14, 12, 2));
        assert_eq!(d.total.evaluation_rate, Some(56.0));
        assert_eq!(d.total.good_rate, Some(85.7));
        assert_eq!(d.trend.len(), 12);
        assert_eq!(d.trend[10].figures.tally.services, 10);
        assert_eq!(d.trend[11].figures.tally.reviews, 10);
        // wanli 5/5 good beats putuo 7/9.
        assert_eq!(d.centers.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), vec!["wanli", "putuo"]);
        assert_eq!(d.windows[0].id, "wanli-w1");
        assert_eq!(d.windows.last().unwrap().id, "putuo-w2");
        assert_eq!(d.targets.iter().find(|t| t.key == "online_items").unwrap().value, Some(75.0));
        // One month, one center.
        let f = DashFilter { center: Some("putuo".into()), month: Some("2026-11".into()), ..DashFilter::default() };
        let d = build(&facts(), &Names::default(), ItemCounts::default(), &f, "2026-11", 0);
        assert_eq!((d.total.tally.services, d.total.tally.reviews), (10, 5));
        assert_eq!(d.period, vec!["2026-11"]);
        // The department of a walk-in without an item is unknown; it is in the center's figures only.
        assert_eq!(d.departments.iter().map(|r| r.figures.tally.services).sum::<u64>(), 6);
    }

    #[test]
    fn filters_parse_and_round_trip() {
        let f = DashFilter::from_pairs([("center", "putuo-district"), ("month", "2026-11"), ("utm", "x")]).unwrap();
        assert_eq!(f.key(), "center=putuo-district&month=2026-11");
        assert_eq!(DashFilter::from_pairs(f.to_pairs().iter().map(|(k, v)| (*k, v.as_str()))).unwrap(), f);
        assert_eq!(DashFilter::from_pairs([("month", "2026-13")]).unwrap_err().field, Some("month"));
        assert_eq!(DashFilter::from_pairs([("center", "<script>")]).unwrap_err().field, Some("center"));
    }

    #[test]
    fn month_filters_stay_within_the_figures() {
        let f = |m: &str| DashFilter { month: Some(m.into()), ..Default::default() }.check_month("2026-12");
        assert_eq!(f("2026-12"), Ok(()));
        assert_eq!(f("2022-01"), Ok(()));
        assert_eq!(f("2021-12").unwrap_err().field, Some("month"));
        assert_eq!(f("2027-01").unwrap_err().field, Some("month"));
        assert_eq!(DashFilter::default().check_month("2026-12"), Ok(()));
    }

    #[test]
    fn open_data_rows_and_csv() {
        let mut names = Names::default();
        names.centers.insert("putuo".into(), Text::new("普陀, \"区\"中心", "=Putuo"));
        let d = open_data(&facts(), &names, &DashFilter::default(), Dimension::Center, "2026-11", 0);
        assert_eq!(d.rows.len(), 3);
        assert_eq!((d.rows[1].month.as_str(), d.rows[1].id.as_str(), d.rows[1].services, d.rows[1].reviews), ("2026-11", "putuo", 10, 5));
        let csv = to_csv(&d);
        assert!(csv.starts_with('\u{feff}') && csv.ends_with("\r\n"));
        let lines: Vec<&str> = csv.split_terminator("\r\n").collect();
        assert_eq!(lines.len(), 1 + 3, "a header and the rows, no metadata lines");
        assert!(lines[2].starts_with("2026-11,center,putuo,\"普陀, \"\"区\"\"中心\",'=Putuo,10,5,50,"), "{}", lines[2]);
        // A real RFC 4180 reader gets the cells back, the formula defused.
        let mut reader = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
        assert_eq!(reader.headers().unwrap().get(0), Some("month"));
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 3);
        assert_eq!((&rows[1][2], &rows[1][3], &rows[1][4], &rows[1][5]), ("putuo", "普陀, \"区\"中心", "'=Putuo", "10"));
        assert!(rows.iter().all(|r| r.len() == 18));
    }

    #[test]
    fn csv_cells_never_start_a_formula() {
        for bad in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "=HYPERLINK(\"http://evil\")"] {
            let cell = csv_field(bad);
            let inner = cell.trim_start_matches('"');
            assert!(inner.starts_with('\''), "{bad:?} → {cell:?}");
        }
        assert_eq!(csv_field("普陀区"), "普陀区");
    }

    #[test]
    fn appraisal_is_per_staff() {
        let a = appraisal("s-putuo-w1", "王芳", &facts(), "2026-11");
        assert_eq!((a.total.tally.services, a.total.tally.reviews), (16, 7));
        assert_eq!(a.months.len(), 12);
    }
}
