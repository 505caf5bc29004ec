//! The public service catalogue (政务服务事项清单): departments, service centers and their windows,
//! service items with versioned office guides (办事指南), and "一件事" bundles.
//!
//! One source for every channel (同源发布): web, phone, kiosk and hall screens all read these types from
//! the same API, so there is no second copy of any guide text.

use crate::lang::Text;
use serde::{Deserialize, Serialize};

#[cfg(feature = "schema")]
use schemars::JsonSchema;

/// 部门: the department that owns items and handles their back-office work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct Department {
    /// Short stable slug, e.g. `scjg` for 区市场监管局.
    pub id: String,
    pub name: Text,
    #[serde(default)]
    pub phone: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CenterKind {
    /// 区行政服务中心
    District,
    /// 社区事务受理服务中心 (one per sub-district or town)
    Community,
}

impl CenterKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CenterKind::District => "district",
            CenterKind::Community => "community",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "district" => Some(CenterKind::District),
            "community" => Some(CenterKind::Community),
            _ => None,
        }
    }
}

/// Opening hours of one weekday; `weekday` is ISO (1 = Monday … 7 = Sunday), times are `HH:MM` local.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct OpeningHours {
    pub weekday: u8,
    pub open: String,
    pub close: String,
}

/// 政务服务中心.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct Center {
    pub id: String,
    pub kind: CenterKind,
    pub name: Text,
    /// The sub-district or town it serves (街道/镇); the district center serves the whole district.
    pub area: Text,
    pub address: Text,
    pub phone: String,
    pub hours: Vec<OpeningHours>,
    /// Free-text notes on hours (e.g. lunch-time service, Saturday mornings).
    #[serde(default)]
    pub hours_note: Text,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum WindowClass {
    /// 无差别综合窗口: accepts any item.
    Any,
    /// 分领域综合窗口: accepts the items of one domain.
    Domain,
    /// 专窗 for a single department (e.g. tax, public security).
    Department,
}

impl WindowClass {
    pub fn as_str(self) -> &'static str {
        match self {
            WindowClass::Any => "any",
            WindowClass::Domain => "domain",
            WindowClass::Department => "department",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "any" => Some(WindowClass::Any),
            "domain" => Some(WindowClass::Domain),
            "department" => Some(WindowClass::Department),
            _ => None,
        }
    }
}

/// 窗口.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct Window {
    pub id: String,
    pub center_id: String,
    /// The number shown above the desk and spoken by the hall display ("3 号窗口").
    pub number: u32,
    pub class: WindowClass,
    /// What it serves, e.g. 企业开办 / 社保医保 / 综合受理.
    pub label: Text,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// 行政权力事项 (licensing, registration, confirmation …)
    AdminPower,
    /// 公共服务事项
    PublicService,
}

impl ItemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::AdminPower => "admin_power",
            ItemKind::PublicService => "public_service",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "admin_power" => Some(ItemKind::AdminPower),
            "public_service" => Some(ItemKind::PublicService),
            _ => None,
        }
    }
}

/// The four service promises the policy measures, shown as badges on every item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// 网上可办
    Online,
    /// 零跑动
    ZeroTrip,
    /// 当场办结
    OnTheSpot,
    /// 最多跑一次
    OneTrip,
}

impl Flag {
    pub const ALL: [Flag; 4] = [Flag::Online, Flag::ZeroTrip, Flag::OnTheSpot, Flag::OneTrip];

    pub fn as_str(self) -> &'static str {
        match self {
            Flag::Online => "online",
            Flag::ZeroTrip => "zero_trip",
            Flag::OnTheSpot => "on_the_spot",
            Flag::OneTrip => "one_trip",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Flag::ALL.into_iter().find(|f| f.as_str() == s)
    }
    pub fn label(self) -> Text {
        match self {
            Flag::Online => Text::new("网上可办", "Online"),
            Flag::ZeroTrip => Text::new("零跑动", "Zero trips"),
            Flag::OnTheSpot => Text::new("当场办结", "Done on the spot"),
            Flag::OneTrip => Text::new("最多跑一次", "At most one trip"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct Flags {
    pub online: bool,
    pub zero_trip: bool,
    pub on_the_spot: bool,
    pub one_trip: bool,
}

impl Flags {
    pub fn has(&self, f: Flag) -> bool {
        match f {
            Flag::Online => self.online,
            Flag::ZeroTrip => self.zero_trip,
            Flag::OnTheSpot => self.on_the_spot,
            Flag::OneTrip => self.one_trip,
        }
    }
    pub fn set(&self) -> Vec<Flag> {
        Flag::ALL.into_iter().filter(|f| self.has(*f)).collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum MaterialForm {
    /// 原件
    Original,
    /// 复印件
    Copy,
    /// 原件及复印件
    OriginalAndCopy,
    /// 电子材料
    Electronic,
}

impl MaterialForm {
    pub fn label(self) -> Text {
        match self {
            MaterialForm::Original => Text::new("原件", "Original"),
            MaterialForm::Copy => Text::new("复印件", "Copy"),
            MaterialForm::OriginalAndCopy => Text::new("原件及复印件", "Original and copy"),
            MaterialForm::Electronic => Text::new("电子材料", "Electronic"),
        }
    }
}

/// 申请材料: one entry of a guide's materials checklist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct Material {
    pub name: Text,
    pub form: MaterialForm,
    pub count: u32,
    /// Can be replaced by pointing to an e-licence (电子证照) the government already issued.
    pub e_licence: bool,
    #[serde(default)]
    pub required: bool,
    /// Relative link to a blank form (空白表格), if there is one.
    #[serde(default)]
    pub template_url: Option<String>,
    /// Relative link to a filled-in sample (示例样表).
    #[serde(default)]
    pub sample_url: Option<String>,
    #[serde(default)]
    pub note: Text,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct Faq {
    pub q: Text,
    pub a: Text,
}

/// 办事指南: the content of one published version. Every published version stays readable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct Guide {
    pub version: u32,
    /// Publication date, `YYYY-MM-DD`.
    pub published_at: String,
    /// What changed against the previous version (empty for version 1).
    #[serde(default)]
    pub change_note: Text,
    /// 事项简介
    pub summary: Text,
    /// 受理条件
    pub conditions: Vec<Text>,
    /// 申请材料
    pub materials: Vec<Material>,
    /// 设定依据
    pub legal_basis: Vec<Text>,
    /// 法定办结时限, in working days.
    pub statutory_days: Option<u32>,
    /// 承诺办结时限, in working days; 0 means completed on the spot.
    pub promised_days: Option<u32>,
    /// 收费标准 (most items are free: "不收费").
    pub fees: Text,
    /// 办理流程, in order.
    #[serde(default)]
    pub process: Vec<Text>,
    /// 办理地点: where to go, beyond the list of centers (floor, window area).
    #[serde(default)]
    pub where_note: Text,
    /// 常见问题
    #[serde(default)]
    pub faq: Vec<Faq>,
}

/// 政务服务事项, as listed in search results and lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct ItemSummary {
    /// Stable slug of the item, used in URLs (e.g. `scjg-company-setup`).
    pub id: String,
    pub name: Text,
    pub kind: ItemKind,
    pub department: Department,
    pub flags: Flags,
    /// 承诺办结时限 of the current guide, in working days (0 = on the spot).
    pub promised_days: Option<u32>,
    pub current_version: u32,
}

/// One published guide version, for the version list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct GuideVersionInfo {
    pub version: u32,
    pub published_at: String,
    pub change_note: Text,
}

/// An item with one version of its guide (the current one unless a version was asked for).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct ItemDetail {
    pub item: ItemSummary,
    pub keywords: Vec<String>,
    pub guide: Guide,
    pub versions: Vec<GuideVersionInfo>,
    /// The centers where this item can be handled in person.
    pub centers: Vec<CenterRef>,
    /// Bundles ("一件事") this item is part of.
    pub bundles: Vec<BundleRef>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct CenterRef {
    pub id: String,
    pub name: Text,
    pub kind: CenterKind,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct BundleRef {
    pub id: String,
    pub name: Text,
}

/// A page of items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct ItemPage {
    pub items: Vec<ItemSummary>,
    /// Items matching the filters, over all pages.
    pub total: u32,
    pub page: u32,
    pub per_page: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct CenterDetail {
    pub center: Center,
    pub windows: Vec<Window>,
    /// Number of items that can be handled here.
    pub item_count: u32,
}

/// "一件事": a bundle of items across departments handled with one merged form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct Bundle {
    pub id: String,
    pub name: Text,
    pub summary: Text,
    pub items: Vec<ItemSummary>,
}

/// The demo/seed catalogue file (`seed/catalogue.json`). Loaded by `cargo xtask` into D1; validated by
/// [`SeedCatalogue::validate`] so a broken seed fails the tests, not the demo.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SeedCatalogue {
    pub departments: Vec<Department>,
    pub centers: Vec<SeedCenter>,
    pub items: Vec<SeedItem>,
    pub bundles: Vec<SeedBundle>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SeedCenter {
    #[serde(flatten)]
    pub center: Center,
    pub windows: Vec<SeedWindow>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SeedWindow {
    pub number: u32,
    pub class: WindowClass,
    pub label: Text,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SeedItem {
    pub id: String,
    pub name: Text,
    pub kind: ItemKind,
    pub department: String,
    pub keywords: Vec<String>,
    pub flags: Flags,
    /// Relative demand, used to order "popular items" on the home page.
    pub popularity: u32,
    /// Center ids, or `["*"]` for every center.
    pub centers: Vec<String>,
    /// Published guide versions, oldest first; the last one is current.
    pub guides: Vec<Guide>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SeedBundle {
    pub id: String,
    pub name: Text,
    pub summary: Text,
    pub items: Vec<String>,
}

/// Slugs are the ids in URLs: lowercase ASCII letters, digits and single hyphens, 2–48 characters.
pub fn is_valid_slug(s: &str) -> bool {
    let len_ok = (2..=48).contains(&s.len());
    let chars_ok = s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    len_ok && chars_ok && !s.starts_with('-') && !s.ends_with('-') && !s.contains("--")
}

fn is_hhmm(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 5 && b[2] == b':' && s[..2].parse::<u8>().is_ok_and(|h| h < 24) && s[3..].parse::<u8>().is_ok_and(|m| m < 60)
}

fn is_ymd(s: &str) -> bool {
    let p: Vec<&str> = s.split('-').collect();
    p.len() == 3
        && p[0].len() == 4
        && p[1].len() == 2
        && p[2].len() == 2
        && p[0].parse::<u16>().is_ok()
        && p[1].parse::<u8>().is_ok_and(|m| (1..=12).contains(&m))
        && p[2].parse::<u8>().is_ok_and(|d| (1..=31).contains(&d))
}

impl SeedCatalogue {
    /// Every problem in the seed, as readable lines. Empty means the seed is consistent.
    pub fn validate(&self) -> Vec<String> {
        use std::collections::HashSet;
        let mut errs = Vec::new();
        let mut dept_ids = HashSet::new();
        for d in &self.departments {
            if !is_valid_slug(&d.id) || !dept_ids.insert(d.id.as_str()) {
                errs.push(format!("department id {:?} is not a unique slug", d.id));
            }
            if d.name.zh.is_empty() || d.name.en.is_empty() {
                errs.push(format!("department {} needs zh and en names", d.id));
            }
        }
        let mut center_ids = HashSet::new();
        for c in &self.centers {
            let id = &c.center.id;
            if !is_valid_slug(id) || !center_ids.insert(id.as_str()) {
                errs.push(format!("center id {id:?} is not a unique slug"));
            }
            if c.center.name.en.is_empty() || c.center.address.zh.is_empty() || c.center.phone.is_empty() {
                errs.push(format!("center {id} needs an English name, an address and a phone"));
            }
            if c.center.hours.is_empty() {
                errs.push(format!("center {id} has no opening hours"));
            }
            for h in &c.center.hours {
                if !(1..=7).contains(&h.weekday) || !is_hhmm(&h.open) || !is_hhmm(&h.close) || h.open >= h.close {
                    errs.push(format!("center {id} has bad hours {h:?}"));
                }
            }
            let mut numbers = HashSet::new();
            for w in &c.windows {
                if !numbers.insert(w.number) {
                    errs.push(format!("center {id} has window number {} twice", w.number));
                }
            }
            if c.windows.is_empty() {
                errs.push(format!("center {id} has no windows"));
            }
        }
        let mut item_ids = HashSet::new();
        for it in &self.items {
            let id = &it.id;
            if !is_valid_slug(id) || !item_ids.insert(id.as_str()) {
                errs.push(format!("item id {id:?} is not a unique slug"));
            }
            if !dept_ids.contains(it.department.as_str()) {
                errs.push(format!("item {id} names unknown department {}", it.department));
            }
            if it.name.zh.is_empty() || it.name.en.is_empty() {
                errs.push(format!("item {id} needs zh and en names"));
            }
            if it.centers.is_empty() {
                errs.push(format!("item {id} is not handled at any center"));
            }
            for c in &it.centers {
                if c != "*" && !center_ids.contains(c.as_str()) {
                    errs.push(format!("item {id} names unknown center {c}"));
                }
            }
            if it.guides.is_empty() {
                errs.push(format!("item {id} has no guide"));
            }
            for (i, g) in it.guides.iter().enumerate() {
                if g.version as usize != i + 1 {
                    errs.push(format!("item {id}: guide versions must be 1, 2, … in order"));
                }
                if !is_ymd(&g.published_at) {
                    errs.push(format!("item {id} v{}: published_at {:?} is not YYYY-MM-DD", g.version, g.published_at));
                }
                if i > 0 && g.published_at < it.guides[i - 1].published_at {
                    errs.push(format!("item {id} v{}: published before its previous version", g.version));
                }
                if g.materials.is_empty() || g.conditions.is_empty() || g.summary.zh.is_empty() {
                    errs.push(format!("item {id} v{}: summary, conditions and materials are required", g.version));
                }
                if let (Some(p), Some(s)) = (g.promised_days, g.statutory_days) {
                    if p > s {
                        errs.push(format!("item {id} v{}: promised time limit exceeds the statutory one", g.version));
                    }
                }
                let on_spot = g.promised_days == Some(0);
                if i + 1 == it.guides.len() && on_spot != it.flags.on_the_spot {
                    errs.push(format!("item {id}: 当场办结 flag disagrees with a promised limit of {:?}", g.promised_days));
                }
                for m in &g.materials {
                    if m.count == 0 || m.name.zh.is_empty() {
                        errs.push(format!("item {id} v{}: material {:?} needs a name and a count", g.version, m.name.zh));
                    }
                }
            }
            if it.flags.zero_trip && !it.flags.online {
                errs.push(format!("item {id}: a zero-trip item must be online-handlable"));
            }
        }
        let mut bundle_ids = HashSet::new();
        for b in &self.bundles {
            if !is_valid_slug(&b.id) || !bundle_ids.insert(b.id.as_str()) {
                errs.push(format!("bundle id {:?} is not a unique slug", b.id));
            }
            if b.items.len() < 2 {
                errs.push(format!("bundle {} must bundle at least two items", b.id));
            }
            for i in &b.items {
                if !item_ids.contains(i.as_str()) {
                    errs.push(format!("bundle {} names unknown item {i}", b.id));
                }
            }
        }
        errs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        for ok in ["scjg", "scjg-company-setup", "a1", "changshou-road"] {
            assert!(is_valid_slug(ok), "{ok}");
        }
        for bad in ["", "a", "Scjg", "a--b", "-a", "a-", "a_b", "营业执照", "a b", &"x".repeat(49)] {
            assert!(!is_valid_slug(bad), "{bad}");
        }
    }

    #[test]
    fn hours_and_dates() {
        assert!(is_hhmm("09:00") && is_hhmm("23:59"));
        assert!(!is_hhmm("24:00") && !is_hhmm("9:00") && !is_hhmm("09-00"));
        assert!(is_ymd("2026-01-31"));
        assert!(!is_ymd("2026-13-01") && !is_ymd("26-01-01") && !is_ymd("2026/01/01"));
    }

    #[test]
    fn flags_round_trip() {
        for f in Flag::ALL {
            assert_eq!(Flag::parse(f.as_str()), Some(f));
        }
        let fl = Flags { online: true, zero_trip: false, on_the_spot: true, one_trip: false };
        assert_eq!(fl.set(), vec![Flag::Online, Flag::OnTheSpot]);
    }

    /// The shipped demo catalogue must be consistent and as large as the product promises.
    #[test]
    fn shipped_seed_is_valid() {
        let raw = include_str!("../../seed/catalogue.json");
        let seed: SeedCatalogue = serde_json::from_str(raw).expect("seed/catalogue.json parses");
        let errs = seed.validate();
        assert!(errs.is_empty(), "seed problems:\n{}", errs.join("\n"));
        assert!(seed.items.len() >= 40, "at least 40 items, got {}", seed.items.len());
        assert!(seed.departments.len() >= 8);
        assert_eq!(seed.centers.len(), 11, "the district center and 10 community centers");
        assert!(seed.bundles.len() >= 3);
        assert!(seed.items.iter().any(|i| i.guides.len() > 1), "some item has several guide versions");
        for needed in ["长寿路", "曹家渡", "甘泉路", "石泉路", "宜川路", "万里", "真如镇", "长风新村", "长征镇", "桃浦镇"] {
            assert!(seed.centers.iter().any(|c| c.center.name.zh.contains(needed)), "center for {needed}");
        }
    }

    #[test]
    fn validate_catches_dangling_references() {
        let raw = include_str!("../../seed/catalogue.json");
        let mut seed: SeedCatalogue = serde_json::from_str(raw).unwrap();
        seed.items[0].department = "nope".into();
        seed.bundles[0].items.push("no-such-item".into());
        let errs = seed.validate();
        assert!(errs.iter().any(|e| e.contains("unknown department nope")));
        assert!(errs.iter().any(|e| e.contains("unknown item no-such-item")));
    }
}
