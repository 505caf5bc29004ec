//! Row shapes as D1 returns them (integers as numbers, flags as 0/1, text pairs as two columns) and their
//! mapping to the shared API types. Pure, so the mapping is tested on the host. Enum columns (kinds,
//! states, roles) decode straight into the shared enums: a value the code does not know fails the read
//! (an internal error, logged) instead of quietly becoming some default.

use serde::Deserialize;
use tongban_shared::catalogue::{
    BundleRef, Center, CenterKind, CenterRef, Department, Flags, GuideVersionInfo, ItemKind, ItemSummary, OpeningHours, Window, WindowClass,
};
use tongban_shared::Text;

/// The columns every item query selects, so that one row type serves lists, details and bundles.
pub const ITEM_COLUMNS: &str = "i.id, i.name_zh, i.name_en, i.kind, i.dept_id, d.name_zh AS dept_zh, \
    d.name_en AS dept_en, d.phone AS dept_phone, i.online, i.zero_trip, i.on_the_spot, i.one_trip, \
    i.promised_days, i.current_version, i.popularity, i.keywords";
pub const ITEM_FROM: &str = "items i JOIN departments d ON d.id = i.dept_id";

#[derive(Debug, Clone, Deserialize)]
pub struct ItemRow {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub kind: ItemKind,
    pub dept_id: String,
    pub dept_zh: String,
    pub dept_en: String,
    pub dept_phone: String,
    pub online: i64,
    pub zero_trip: i64,
    pub on_the_spot: i64,
    pub one_trip: i64,
    pub promised_days: Option<i64>,
    pub current_version: i64,
    pub popularity: i64,
    pub keywords: String,
    /// Present only when the query joins bundle_items.
    #[serde(default)]
    pub bundle_id: Option<String>,
}

impl ItemRow {
    pub fn name(&self) -> Text {
        Text::new(&self.name_zh, &self.name_en)
    }

    pub fn keywords(&self) -> Vec<String> {
        serde_json::from_str(&self.keywords).unwrap_or_default()
    }

    pub fn summary(&self) -> ItemSummary {
        ItemSummary {
            id: self.id.clone(),
            name: self.name(),
            kind: self.kind,
            department: Department { id: self.dept_id.clone(), name: Text::new(&self.dept_zh, &self.dept_en), phone: self.dept_phone.clone() },
            flags: Flags { online: self.online != 0, zero_trip: self.zero_trip != 0, on_the_spot: self.on_the_spot != 0, one_trip: self.one_trip != 0 },
            promised_days: self.promised_days.and_then(|d| u32::try_from(d).ok()),
            current_version: u32::try_from(self.current_version).unwrap_or(1),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct DepartmentRow {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub phone: String,
}

impl From<DepartmentRow> for Department {
    fn from(r: DepartmentRow) -> Self {
        Department { id: r.id, name: Text::new(r.name_zh, r.name_en), phone: r.phone }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct CenterRow {
    pub id: String,
    pub kind: CenterKind,
    pub name_zh: String,
    pub name_en: String,
    pub area_zh: String,
    pub area_en: String,
    pub address_zh: String,
    pub address_en: String,
    pub phone: String,
    pub hours_json: String,
    pub note_zh: String,
    pub note_en: String,
}

impl CenterRow {
    pub fn into_center(self) -> Center {
        Center {
            kind: self.kind,
            hours: serde_json::from_str::<Vec<OpeningHours>>(&self.hours_json).unwrap_or_default(),
            name: Text::new(self.name_zh, self.name_en),
            area: Text::new(self.area_zh, self.area_en),
            address: Text::new(self.address_zh, self.address_en),
            hours_note: Text::new(self.note_zh, self.note_en),
            phone: self.phone,
            id: self.id,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct CenterRefRow {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub kind: CenterKind,
}

impl From<CenterRefRow> for CenterRef {
    fn from(r: CenterRefRow) -> Self {
        CenterRef { kind: r.kind, id: r.id, name: Text::new(r.name_zh, r.name_en) }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct WindowRow {
    pub id: String,
    pub center_id: String,
    pub number: i64,
    pub class: WindowClass,
    pub label_zh: String,
    pub label_en: String,
}

impl From<WindowRow> for Window {
    fn from(r: WindowRow) -> Self {
        Window { id: r.id, center_id: r.center_id, number: u32::try_from(r.number).unwrap_or(0), class: r.class, label: Text::new(r.label_zh, r.label_en) }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct VersionRow {
    pub version: i64,
    pub published_at: String,
    pub change_zh: String,
    pub change_en: String,
}

impl From<VersionRow> for GuideVersionInfo {
    fn from(r: VersionRow) -> Self {
        GuideVersionInfo { version: u32::try_from(r.version).unwrap_or(0), published_at: r.published_at, change_note: Text::new(r.change_zh, r.change_en) }
    }
}

/// Id and names, the shape of bundle references and similar small joins.
#[derive(Debug, Clone, Deserialize)]
pub struct NamedRow {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
}

impl From<NamedRow> for BundleRef {
    fn from(r: NamedRow) -> Self {
        BundleRef { id: r.id, name: Text::new(r.name_zh, r.name_en) }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct GuideRow {
    pub guide_json: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CountRow {
    pub n: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_row_maps_flags_and_keywords() {
        let row: ItemRow = serde_json::from_value(serde_json::json!({
            "id": "x-item", "name_zh": "名", "name_en": "Name", "kind": "admin_power", "dept_id": "scjg",
            "dept_zh": "市场监管局", "dept_en": "SAMR", "dept_phone": "021", "online": 1, "zero_trip": 0,
            "on_the_spot": 1, "one_trip": 1, "promised_days": 0, "current_version": 2, "popularity": 9,
            "keywords": "[\"执照\",\"licence\"]"
        }))
        .unwrap();
        let s = row.summary();
        assert!(s.flags.online && !s.flags.zero_trip && s.flags.on_the_spot);
        assert_eq!(s.kind, ItemKind::AdminPower);
        assert_eq!(s.promised_days, Some(0));
        assert_eq!(row.keywords(), vec!["执照", "licence"]);
    }
}
