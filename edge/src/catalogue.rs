//! The public catalogue's store: every statement that reads items, guides, centers, bundles and
//! departments, and the row shapes D1 returns them in (integers as numbers, flags as 0/1, text pairs as
//! two columns) with their mapping to the shared API types. Pure, so statements and mapping are tested on
//! the host. Enum columns (kinds,
//! states, roles) decode straight into the shared enums: a value the code does not know fails the read
//! (an internal error, logged) instead of quietly becoming some default.

use crate::sql::{Arg, Stmt};
use serde::Deserialize;
use tongban_shared::catalogue::{
    BundleRef, Center, CenterKind, CenterRef, Department, Flags, GuideVersionInfo, ItemKind, ItemSummary, OpeningHours, Window, WindowClass,
};
use tongban_shared::Text;

/// The columns every item query selects, so that one row type serves lists, details and bundles.
const ITEM_COLUMNS: &str = "i.id, i.name_zh, i.name_en, i.kind, i.dept_id, d.name_zh AS dept_zh, \
    d.name_en AS dept_en, d.phone AS dept_phone, i.online, i.zero_trip, i.on_the_spot, i.one_trip, \
    i.promised_days, i.current_version, i.popularity, i.keywords";
const ITEM_FROM: &str = "items i JOIN departments d ON d.id = i.dept_id";
const BUNDLE_ITEMS: &str = "bundle_items bi JOIN items i ON i.id = bi.item_id JOIN departments d ON d.id = i.dept_id";
const CENTER_COLUMNS: &str = "id, kind, name_zh, name_en, area_zh, area_en, address_zh, address_en, phone, hours_json, note_zh, note_en";
const VERSIONS: &str = "SELECT version, published_at, change_zh, change_en FROM guide_versions WHERE item_id = :id ORDER BY version";

/// The list query: filters in SQL, one `instr` per search term. Ranking and paging happen after, in
/// Rust ([`tongban_shared::search::rank`]), because relevance needs the names and keywords anyway and a
/// district catalogue is a few thousand rows at most.
pub fn item_list(q: &tongban_shared::query::ItemQuery, search: &tongban_shared::search::SearchQuery) -> Stmt {
    let mut sql = format!("SELECT {ITEM_COLUMNS} FROM {ITEM_FROM} WHERE 1 = 1");
    let mut args = Vec::new();
    let mut bind = |sql: &mut String, cond: &str, v: String| {
        args.push(Arg::Text(v));
        sql.push_str(&cond.replace('?', &format!("?{}", args.len())));
    };
    if let Some(d) = &q.dept {
        bind(&mut sql, " AND i.dept_id = ?", d.clone());
    }
    if let Some(c) = &q.center {
        bind(&mut sql, " AND EXISTS (SELECT 1 FROM item_centers ic WHERE ic.item_id = i.id AND ic.center_id = ?)", c.clone());
    }
    if let Some(k) = q.kind {
        bind(&mut sql, " AND i.kind = ?", k.as_str().to_string());
    }
    for f in &q.flags {
        // Column names come from a closed enum, never from input.
        sql.push_str(&format!(" AND i.{} = 1", f.as_str()));
    }
    for t in &search.terms {
        bind(&mut sql, " AND instr(i.search_text, ?) > 0", t.clone());
    }
    sql.push_str(" ORDER BY i.popularity DESC, i.id");
    Stmt::new(sql, args)
}

fn id(v: &str) -> Vec<(&'static str, Arg)> {
    vec![("id", v.into())]
}

pub fn item(item: &str) -> Stmt {
    Stmt::named(&format!("SELECT {ITEM_COLUMNS} FROM {ITEM_FROM} WHERE i.id = :id"), id(item))
}

/// An item's name only (its versions' page).
pub fn item_name(item: &str) -> Stmt {
    Stmt::named("SELECT id, name_zh, name_en FROM items WHERE id = :id", id(item))
}

/// The guide of one published version, or (`None`) the current one.
pub fn guide(item: &str, version: Option<u32>) -> Stmt {
    match version {
        Some(v) => Stmt::named(
            "SELECT guide_json FROM guide_versions WHERE item_id = :id AND version = :version",
            vec![("id", item.into()), ("version", i64::from(v).into())],
        ),
        None => Stmt::named(
            "SELECT g.guide_json FROM guide_versions g JOIN items i ON i.id = g.item_id AND g.version = i.current_version WHERE g.item_id = :id",
            id(item),
        ),
    }
}

/// Every published version of an item's guide, oldest first.
pub fn versions(item: &str) -> Stmt {
    Stmt::named(VERSIONS, id(item))
}

/// The centers that handle an item.
pub fn item_centers(item: &str) -> Stmt {
    Stmt::named(
        "SELECT c.id, c.name_zh, c.name_en, c.kind FROM item_centers ic JOIN centers c ON c.id = ic.center_id WHERE ic.item_id = :id ORDER BY c.sort, c.id",
        id(item),
    )
}

/// The bundles an item belongs to.
pub fn item_bundles(item: &str) -> Stmt {
    Stmt::named(
        "SELECT b.id, b.name_zh, b.name_en FROM bundle_items bi JOIN bundles b ON b.id = bi.bundle_id WHERE bi.item_id = :id ORDER BY b.sort, b.id",
        id(item),
    )
}

/// Centers, of one kind or all.
pub fn centers(kind: Option<&str>) -> Stmt {
    match kind {
        Some(k) => Stmt::named(&format!("SELECT {CENTER_COLUMNS} FROM centers WHERE kind = :kind ORDER BY sort, id"), vec![("kind", k.into())]),
        None => Stmt::new(format!("SELECT {CENTER_COLUMNS} FROM centers ORDER BY sort, id"), vec![]),
    }
}

pub fn center(center: &str) -> Stmt {
    Stmt::named(&format!("SELECT {CENTER_COLUMNS} FROM centers WHERE id = :id"), id(center))
}

pub fn windows_of(center: &str) -> Stmt {
    Stmt::named("SELECT id, center_id, number, class, label_zh, label_en FROM windows WHERE center_id = :id ORDER BY number", id(center))
}

/// How many items a center handles (column `n`).
pub fn items_at(center: &str) -> Stmt {
    Stmt::named("SELECT count(*) AS n FROM item_centers WHERE center_id = :id", id(center))
}

/// One bundle (`Some`) or all, and their items tagged with `bundle_id`, in bundle order.
pub fn bundles(bundle: Option<&str>) -> [Stmt; 2] {
    match bundle {
        Some(b) => [
            Stmt::named("SELECT id, name_zh, name_en, summary_zh, summary_en FROM bundles WHERE id = :id", id(b)),
            Stmt::named(&format!("SELECT {ITEM_COLUMNS}, bi.bundle_id FROM {BUNDLE_ITEMS} WHERE bi.bundle_id = :id ORDER BY bi.ord"), id(b)),
        ],
        None => [
            Stmt::new("SELECT id, name_zh, name_en, summary_zh, summary_en FROM bundles ORDER BY sort, id", vec![]),
            Stmt::new(format!("SELECT {ITEM_COLUMNS}, bi.bundle_id FROM {BUNDLE_ITEMS} ORDER BY bi.bundle_id, bi.ord"), vec![]),
        ],
    }
}

pub fn departments() -> Stmt {
    Stmt::new("SELECT id, name_zh, name_en, phone FROM departments ORDER BY sort, id", vec![])
}

#[derive(Debug, Clone, Deserialize)]
pub struct BundleRow {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub summary_zh: String,
    pub summary_en: String,
}

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

    use crate::sql::Arg;
    use tongban_shared::query::ItemQuery;

    fn list(q: &ItemQuery) -> (String, Vec<Arg>) {
        let s = item_list(q, &q.search().unwrap());
        (s.sql, s.args)
    }

    #[test]
    fn list_sql_binds_every_user_value() {
        let q = ItemQuery::from_pairs([("q", "营业执照 100%'"), ("dept", "scjg"), ("center", "wanli"), ("flag", "online,zero_trip")]).unwrap();
        let (sql, args) = list(&q);
        assert!(!sql.contains("营业执照") && !sql.contains("100%") && !sql.contains("scjg"), "{sql}");
        assert_eq!(args, vec![Arg::Text("scjg".into()), Arg::Text("wanli".into()), Arg::Text("营业执照".into()), Arg::Text("100%'".into())]);
        assert!(sql.contains("i.dept_id = ?1") && sql.contains("center_id = ?2"));
        assert!(sql.contains("instr(i.search_text, ?3)") && sql.contains("instr(i.search_text, ?4)"));
        assert!(sql.contains("i.online = 1") && sql.contains("i.zero_trip = 1"));
    }

    #[test]
    fn empty_query_has_no_conditions() {
        let (sql, args) = list(&ItemQuery::default());
        assert!(args.is_empty());
        assert!(!sql.contains("instr"));
    }

    /// Every catalogue statement on SQLite, each decoded into its row type: an item with its current and a
    /// past guide, its versions, centers and bundles; filters and search; centers by kind with windows and
    /// item counts; bundles in bundle order; departments.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn the_catalogue_reads_on_sqlite() {
        use crate::sql::host::{decode, migrated};
        let conn = migrated();
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF;
             INSERT INTO departments (id, name_zh, name_en, phone, sort) VALUES ('dep', '局', 'Bureau', '123', 1);
             INSERT INTO items (id, dept_id, kind, name_zh, name_en, current_version, search_text, online, popularity, keywords)
               VALUES ('it', 'dep', 'admin_power', '营业执照', 'Business licence', 2, '营业执照 business licence', 1, 5, '[]'),
                      ('it2', 'dep', 'public_service', '社保卡', 'Social security card', 1, '社保卡', 0, 9, '[]');
             INSERT INTO guide_versions (item_id, version, published_at, change_zh, change_en, guide_json)
               VALUES ('it', 1, 10, '首版', 'First', '{\"v\":1}'), ('it', 2, 20, '更新', 'Update', '{\"v\":2}');
             INSERT INTO centers (id, kind, name_zh, name_en, area_zh, area_en, address_zh, address_en, phone, hours_json, sort)
               VALUES ('ctr', 'district', '中心', 'Center', '区', 'Area', '路', 'Road', '1', '[]', 1), ('com', 'community', '社区', 'Community', '区', 'Area', '路', 'Road', '2', '[]', 2);
             INSERT INTO item_centers (item_id, center_id) VALUES ('it', 'ctr'), ('it2', 'ctr');
             INSERT INTO windows (id, center_id, number, class, label_zh, label_en) VALUES ('ctr-w2', 'ctr', 2, 'any', '2', '2'), ('ctr-w1', 'ctr', 1, 'any', '1', '1');
             INSERT INTO bundles (id, name_zh, name_en, summary_zh, summary_en, sort) VALUES ('open', '开餐馆', 'Open a restaurant', '一件事', 'One thing', 1);
             INSERT INTO bundle_items (bundle_id, item_id, ord) VALUES ('open', 'it2', 1), ('open', 'it', 2);",
        )
        .unwrap_or_else(|e| panic!("fixture: {e}"));
        let items = |q: ItemQuery| decode::<ItemRow>(&conn, &item_list(&q, &q.search().unwrap())).into_iter().map(|r| r.id).collect::<Vec<_>>();
        assert_eq!(items(ItemQuery::default()), ["it2", "it"], "by popularity");
        assert_eq!(items(ItemQuery::from_pairs([("q", "营业")]).unwrap()), ["it"]);
        assert_eq!(items(ItemQuery::from_pairs([("flag", "online"), ("center", "ctr")]).unwrap()), ["it"]);
        assert!(items(ItemQuery::from_pairs([("center", "com")]).unwrap()).is_empty());
        let it: Vec<ItemRow> = decode(&conn, &item("it"));
        assert_eq!((it[0].kind, it[0].dept_en.as_str(), it[0].current_version), (tongban_shared::catalogue::ItemKind::AdminPower, "Bureau", 2));
        assert_eq!(decode::<NamedRow>(&conn, &item_name("it")).len(), 1);
        let g = |v: Option<u32>| decode::<GuideRow>(&conn, &guide("it", v)).into_iter().map(|g| g.guide_json).collect::<Vec<_>>();
        assert_eq!((g(None), g(Some(1)), g(Some(3))), (vec![r#"{"v":2}"#.to_string()], vec![r#"{"v":1}"#.to_string()], vec![]));
        assert_eq!(decode::<VersionRow>(&conn, &versions("it")).iter().map(|v| v.version).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(decode::<CenterRefRow>(&conn, &item_centers("it"))[0].id, "ctr");
        assert_eq!(decode::<NamedRow>(&conn, &item_bundles("it"))[0].id, "open");
        assert_eq!(decode::<CenterRow>(&conn, &centers(None)).len(), 2);
        assert_eq!(decode::<CenterRow>(&conn, &centers(Some("community")))[0].id, "com");
        assert_eq!(decode::<CenterRow>(&conn, &center("ctr"))[0].name_en, "Center");
        assert_eq!(decode::<WindowRow>(&conn, &windows_of("ctr")).iter().map(|w| w.number).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(decode::<CountRow>(&conn, &items_at("ctr"))[0].n, 2);
        let [one, its] = bundles(Some("open"));
        assert_eq!(
            (decode::<BundleRow>(&conn, &one).len(), decode::<ItemRow>(&conn, &its).iter().map(|i| i.id.clone()).collect::<Vec<_>>()),
            (1, vec!["it2".to_string(), "it".to_string()])
        );
        let [all, all_items] = bundles(None);
        assert_eq!((decode::<BundleRow>(&conn, &all).len(), decode::<ItemRow>(&conn, &all_items)[0].bundle_id.as_deref()), (1, Some("open")));
        assert_eq!(decode::<DepartmentRow>(&conn, &departments())[0].phone, "123");
    }
}
