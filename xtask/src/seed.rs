//! Demo data: `seed/catalogue.json` (typed by `tongban_shared::catalogue::SeedCatalogue`) as SQL.
//! Every statement is `INSERT OR IGNORE`, so loading it twice changes nothing, and loading it over a
//! database an admin has edited never overwrites their edits.

use crate::{root, Result};
use tongban_edge::crypto::Keyring;
use tongban_edge::password::{hash_on_host, Peppers};
use tongban_shared::account::{seed_account_id, Role};
use tongban_shared::catalogue::SeedCatalogue;
use tongban_shared::search::seed_item_doc;
use tongban_shared::Text;

fn q(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn opt(n: Option<u32>) -> String {
    n.map_or("NULL".into(), |n| n.to_string())
}

fn b(x: bool) -> u8 {
    u8::from(x)
}

pub fn load() -> Result<SeedCatalogue> {
    let path = root().join("seed/catalogue.json");
    let raw = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let seed: SeedCatalogue = serde_json::from_str(&raw).map_err(|e| format!("{}: {e}", path.display()))?;
    let errs = seed.validate();
    if !errs.is_empty() {
        return Err(format!("seed/catalogue.json is inconsistent:\n  {}", errs.join("\n  ")));
    }
    Ok(seed)
}

/// One variable of `.dev.vars` (made by `server::ensure_dev_vars`).
fn dev_var(k: &str) -> Result<String> {
    let vars = std::fs::read_to_string(root().join(".dev.vars")).map_err(|e| format!(".dev.vars: {e}"))?;
    Ok(vars.lines().find_map(|l| l.strip_prefix(k)?.strip_prefix('=')).unwrap_or("").to_string())
}

/// The local keys from `.dev.vars`.
fn local_keyring() -> Result<Keyring> {
    Keyring::parse(&dev_var("DATA_KEYS")?, &dev_var("LOOKUP_KEY")?).ok_or_else(|| ".dev.vars has malformed DATA_KEYS / LOOKUP_KEY".to_string())
}

/// The local password pepper from `.dev.vars`.
fn local_peppers() -> Result<Peppers> {
    Peppers::parse(&dev_var("PASSWORD_PEPPER")?).ok_or_else(|| ".dev.vars has a malformed PASSWORD_PEPPER".to_string())
}

fn urandom<const N: usize>() -> [u8; N] {
    use std::io::Read;
    let mut b = [0u8; N];
    std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut b)).expect("/dev/urandom");
    b
}

/// The demo password of every demo account; local seed only, printed in the README.
pub const DEMO_PASSWORD: &str = "Tongban-demo-2026";

/// (login or ID number, name, role, center, department, mobile, backup login)
type DemoAccount = (&'static str, &'static str, Role, Option<&'static str>, Option<&'static str>, Option<&'static str>, Option<&'static str>);
const DEMO: &[DemoAccount] = &[
    ("11010519491231002X", "张伟", Role::Resident, None, None, Some("13800138000"), None),
    ("34052419800101001X", "李娜", Role::Resident, None, None, Some("13900139000"), None),
    ("window.putuo2", "陈静", Role::WindowStaff, Some("putuo-district"), None, None, None),
    ("window.putuo", "王芳", Role::WindowStaff, Some("putuo-district"), None, None, Some("window.putuo2")),
    ("window.wanli", "刘洋", Role::WindowStaff, Some("wanli"), None, None, None),
    ("approver.scjg", "赵磊", Role::Approver, None, Some("scjg"), None, None),
    ("approver.scjg.review", "钱峰", Role::Approver, None, Some("scjg"), None, None),
    ("approver.scjg.decide", "冯洁", Role::Approver, None, Some("scjg"), None, None),
    ("approver.rsj", "孙丽", Role::Approver, None, Some("rsj"), None, None),
    ("approver.rsj.review", "褚明", Role::Approver, None, Some("rsj"), None, None),
    ("approver.rsj.decide", "卫红", Role::Approver, None, Some("rsj"), None, None),
    ("admin.putuo", "周强", Role::CenterAdmin, Some("putuo-district"), None, None, None),
    ("admin.wanli", "吴敏", Role::CenterAdmin, Some("wanli"), None, None, None),
    ("admin.district", "郑华", Role::DistrictAdmin, None, None, None, None),
    ("91440101MA5CJQ4N59", "上海普陀示例餐饮有限公司", Role::Business, None, None, Some("13900139001"), None),
];

/// The demo business: its legal representative is 李娜, and 张伟 is its authorised agent (经办人).
const DEMO_BUSINESS: (&str, &str, &str, &str) = ("91440101MA5CJQ4N59", "李娜", "34052419800101001X", "11010519491231002X");

/// The `accounts` row of an account, sealed with `keys`, its password in the worker's own scheme
/// (`tongban_edge::password`). Residents' logins are their ID numbers.
#[allow(clippy::too_many_arguments)]
fn account_row(
    keys: &Keyring,
    peppers: &Peppers,
    id: &str,
    login: &str,
    name: &str,
    role: Role,
    mobile: Option<&str>,
    password: &str,
    now: i64,
) -> Result<String> {
    let record = q(&hash_on_host(peppers, password, urandom::<16>())?);
    let seal = |v: &str| q(&keys.seal(v, urandom::<12>()));
    let id_enc = if role == Role::Resident { seal(login) } else { "NULL".into() };
    let (mobile_enc, mobile_lookup) = (mobile.map_or("NULL".into(), seal), mobile.map_or("NULL".into(), |m| q(&keys.lookup_digest(m))));
    // The UPDATE moves a local database seeded before the current password scheme onto it (its demo
    // sign-ins would fail otherwise); on a current record it changes nothing.
    Ok(format!(
        "INSERT OR IGNORE INTO accounts (id, role, login_lookup, name_enc, id_enc, mobile_enc, mobile_lookup, password, created_at, password_changed_at) \
         VALUES ({}, {}, {}, {}, {id_enc}, {mobile_enc}, {mobile_lookup}, {record}, {now}, {now});\n\
         UPDATE accounts SET password = {record} WHERE id = {} AND password NOT LIKE 'hmac-pbkdf2-sha256$%';\n",
        q(id),
        q(role.as_str()),
        q(&keys.lookup_digest(login)),
        seal(name),
        q(id),
    ))
}

/// A demo approver's duties, by its login: `approver.<dept>` handles (承办), `….review` reviews (审核), `….decide`
/// decides (决定), so every chain needs two or three people, as separation of duties requires.
fn demo_duties(login: &str, role: Role) -> Option<&'static str> {
    (role == Role::Approver).then(|| {
        if login.ends_with(".decide") {
            "decide"
        } else if login.ends_with(".review") {
            "review"
        } else {
            "handle"
        }
    })
}

fn staff_row(id: &str, login: &str, center: Option<&str>, dept: Option<&str>, backup: Option<&str>, duties: Option<&str>, now: i64) -> String {
    let opt = |v: Option<&str>| v.map_or("NULL".into(), q);
    format!(
        "INSERT OR IGNORE INTO staff (account_id, login, center_id, dept_id, backup_id, created_by, created_at, duties) VALUES ({}, {}, {}, {}, {}, 'seed', {now}, {});\n",
        q(id),
        q(login),
        opt(center),
        opt(dept),
        opt(backup),
        opt(duties)
    )
}

/// Demo accounts, sealed and hashed as the worker does it. `INSERT OR IGNORE` keeps the first run's rows.
pub fn accounts_sql() -> Result<String> {
    let (keys, peppers) = (local_keyring()?, local_peppers()?);
    let mut out = String::from("-- demo accounts (local seed only)\n");
    for (login, name, role, center, dept, mobile, backup) in DEMO {
        let id = seed_account_id(login);
        out.push_str(&account_row(&keys, &peppers, &id, login, name, *role, *mobile, DEMO_PASSWORD, 0)?);
        if *role == Role::Business {
            let (uscc, rep, rep_id, agent) = DEMO_BUSINESS;
            let seal = |v: &str| q(&keys.seal(v, urandom::<12>()));
            out.push_str(&format!(
                "INSERT OR IGNORE INTO businesses (account_id, uscc, company_name, legal_rep_name_enc, legal_rep_id_enc) VALUES ({}, {}, {}, {}, {});\n\
                 INSERT OR IGNORE INTO business_agents (business_id, agent_id, added_at) VALUES ({}, {}, 0);\n",
                q(&id),
                q(uscc),
                q(name),
                seal(rep),
                seal(rep_id),
                q(&id),
                q(&seed_account_id(agent))
            ));
        }
        if role.is_staff() {
            out.push_str(&staff_row(&id, login, *center, *dept, backup.map(seed_account_id).as_deref(), demo_duties(login, *role), 0));
        }
    }
    out.push_str(&library_sql(&keys)?);
    Ok(out)
}

/// The item forms (`seed/forms.json`), and the demo people's e-licence library (电子证照库) and saved
/// profile: the demo restaurant company holds its business licence and its legal representative's ID
/// card, so its "开办餐饮店" form is pre-filled and needs neither uploaded.
fn library_sql(keys: &Keyring) -> Result<String> {
    let path = root().join("seed/forms.json");
    let raw = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let forms: Vec<tongban_shared::form::ItemForm> = serde_json::from_str(&raw).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = String::new();
    for f in &forms {
        let json = serde_json::to_string(f).map_err(|e| e.to_string())?;
        out.push_str(&format!("INSERT OR IGNORE INTO item_forms (item_id, version, form_json) VALUES ({}, {}, {});\n", q(&f.item_id), f.version, q(&json)));
    }
    let (uscc, rep, rep_id, _) = DEMO_BUSINESS;
    let business = seed_account_id(uscc);
    let address = "上海市普陀区长寿路588号1层";
    let licences = [
        (
            "de600000000000000000000000000001",
            &business,
            "business_licence",
            ("营业执照", "Business licence"),
            uscc,
            ("普陀区市场监督管理局", "Putuo Market Regulation Bureau"),
            "2024-03-18",
            serde_json::json!({"company_name": "上海普陀示例餐饮有限公司", "uscc": uscc, "legal_rep": rep, "address": address}),
        ),
        (
            "de600000000000000000000000000002",
            &business,
            "id_card",
            ("法定代表人居民身份证", "Legal representative's ID card"),
            rep_id,
            ("上海市公安局普陀分局", "Putuo Public Security Bureau"),
            "2020-06-01",
            serde_json::json!({"name": rep, "id_number": rep_id}),
        ),
        (
            "de600000000000000000000000000003",
            &seed_account_id(rep_id),
            "id_card",
            ("居民身份证", "Resident ID card"),
            rep_id,
            ("上海市公安局普陀分局", "Putuo Public Security Bureau"),
            "2020-06-01",
            serde_json::json!({"name": rep, "id_number": rep_id}),
        ),
        (
            "de600000000000000000000000000004",
            &seed_account_id("11010519491231002X"),
            "id_card",
            ("居民身份证", "Resident ID card"),
            "11010519491231002X",
            ("北京市公安局西城分局", "Beijing Xicheng Public Security Bureau"),
            "2019-01-10",
            serde_json::json!({"name": "张伟", "id_number": "11010519491231002X"}),
        ),
    ];
    for (id, holder, kind, (zh, en), number, (izh, ien), on, fields) in licences {
        out.push_str(&format!(
            "INSERT OR IGNORE INTO e_licences (id, holder_id, licence, name_zh, name_en, number, issuer_zh, issuer_en, issued_on, fields_json, created_at, sealed) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, 0, 1);\n",
            q(id), q(holder), q(kind), q(zh), q(en), q(&keys.seal(number, urandom::<12>())), q(izh), q(ien), q(on), q(&keys.seal(&fields.to_string(), urandom::<12>()))
        ));
    }
    let profile = serde_json::json!({"name": rep, "id_number": rep_id, "mobile": "13900139001", "company_name": "上海普陀示例餐饮有限公司", "uscc": uscc, "legal_rep": rep, "address": address});
    out.push_str(&format!(
        "INSERT OR IGNORE INTO profiles (account_id, values_enc, updated_at) VALUES ({}, {}, 0);\n",
        q(&business),
        q(&keys.seal(&profile.to_string(), urandom::<12>()))
    ));
    Ok(out)
}

/// The first district admin of a real deployment, sealed with the production keys given in the
/// environment (`DATA_KEYS`, `LOOKUP_KEY`, `PASSWORD_PEPPER`, the same values as the Worker secrets). The password is read
/// from standard input so it stays out of shell history. Prints SQL for `wrangler d1 execute --remote`.
pub fn bootstrap_admin_sql(login: &str, name: &str, password: &str, (keys, peppers): &(Keyring, Peppers), now: i64) -> Result<String> {
    let login = tongban_shared::staff::login_name(login).map_err(|c| c.text().en)?;
    let name = tongban_shared::account::name(name).map_err(|c| c.text().en)?;
    tongban_shared::password::check(password).map_err(|c| c.text().en)?;
    let id = {
        let r = urandom::<16>();
        r.iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    Ok(format!(
        "-- first district admin {login}\n{}{}",
        account_row(keys, peppers, &id, &login, &name, Role::DistrictAdmin, None, password, now)?,
        staff_row(&id, &login, None, None, None, None, now)
    ))
}

/// The production keys and pepper, from the environment (the same values as the Worker secrets).
pub fn env_keys() -> Result<(Keyring, Peppers)> {
    let get = |k: &str| std::env::var(k).map_err(|_| format!("set {k} to the same value as the Worker secret"));
    let keys = Keyring::parse(&get("DATA_KEYS")?, &get("LOOKUP_KEY")?).ok_or("DATA_KEYS / LOOKUP_KEY are malformed")?;
    Ok((keys, Peppers::parse(&get("PASSWORD_PEPPER")?).ok_or("PASSWORD_PEPPER is malformed")?))
}

pub fn sql() -> Result<String> {
    let seed = load()?;
    let mut out = String::from("-- generated by `cargo xtask seed-sql` from seed/catalogue.json\n");
    let mut push = |s: String| {
        out.push_str(&s);
        out.push_str(";\n");
    };
    for (i, d) in seed.departments.iter().enumerate() {
        push(format!(
            "INSERT OR IGNORE INTO departments (id, name_zh, name_en, phone, sort) VALUES ({}, {}, {}, {}, {i})",
            q(&d.id),
            q(&d.name.zh),
            q(&d.name.en),
            q(&d.phone)
        ));
    }
    for (i, c) in seed.centers.iter().enumerate() {
        let k = &c.center;
        let hours = serde_json::to_string(&k.hours).map_err(|e| e.to_string())?;
        push(format!(
            "INSERT OR IGNORE INTO centers (id, kind, name_zh, name_en, area_zh, area_en, address_zh, address_en, phone, hours_json, note_zh, note_en, sort) \
             VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {i})",
            q(&k.id),
            q(k.kind.as_str()),
            q(&k.name.zh),
            q(&k.name.en),
            q(&k.area.zh),
            q(&k.area.en),
            q(&k.address.zh),
            q(&k.address.en),
            q(&k.phone),
            q(&hours),
            q(&k.hours_note.zh),
            q(&k.hours_note.en)
        ));
        for w in &c.windows {
            push(format!(
                "INSERT OR IGNORE INTO windows (id, center_id, number, class, label_zh, label_en) VALUES ({}, {}, {}, {}, {}, {})",
                q(&format!("{}-w{}", k.id, w.number)),
                q(&k.id),
                w.number,
                q(w.class.as_str()),
                q(&w.label.zh),
                q(&w.label.en)
            ));
        }
    }
    // Window classes per center: A, the any-item (无差别) windows; then domain (分领域) lines where the
    // center has windows for them — 企业开办 and 医保民政 at the district center, 社保医保 at the street
    // centers (serving the 医保 items there). 15 minutes is a typical average handling time.
    // Class items refer to items, which come later in the file.
    let mut class_items = Vec::new();
    for c in &seed.centers {
        let k = &c.center;
        let any: Vec<u32> = c.windows.iter().filter(|w| w.class == tongban_shared::catalogue::WindowClass::Any).map(|w| w.number).collect();
        type Class<'a> = (&'a str, &'a str, &'a str, Vec<u32>, Vec<&'a str>);
        let mut classes: Vec<Class> = vec![("A", "综合窗口", "Comprehensive windows", any, vec![])];
        let labelled = |needle: &str| -> Vec<u32> { c.windows.iter().filter(|w| w.label.zh.contains(needle)).map(|w| w.number).collect() };
        if k.id == "putuo-district" {
            classes.push(("B", "企业开办", "Business start-up", labelled("企业开办"), vec!["scjg-"]));
            classes.push(("C", "社会事务", "Social affairs", labelled("社会事务"), vec!["ybj-", "mzj-"]));
        } else if !labelled("社保医保").is_empty() {
            classes.push(("B", "社保医保", "Social and medical insurance", labelled("社保医保"), vec!["ybj-"]));
        }
        for (prefix, zh, en, windows, items) in classes {
            let id = format!("{}-{}", k.id, prefix.to_ascii_lowercase());
            let kind = if items.is_empty() { "any" } else { "domain" };
            push(format!(
                "INSERT OR IGNORE INTO window_classes (id, center_id, prefix, name_zh, name_en, open_windows, avg_minutes, kind) VALUES ({}, {}, {}, {}, {}, {}, 15, {})",
                q(&id), q(&k.id), q(prefix), q(zh), q(en), windows.len().max(1), q(kind)
            ));
            for w in windows {
                push(format!("UPDATE windows SET class_id = {} WHERE center_id = {} AND number = {w} AND class_id IS NULL", q(&id), q(&k.id)));
            }
            for it in seed.items.iter().filter(|it| items.iter().any(|p| it.id.starts_with(p)) && it.centers.iter().any(|x| x == &k.id || x == "*")) {
                class_items.push(format!("INSERT OR IGNORE INTO class_items (class_id, item_id) VALUES ({}, {})", q(&id), q(&it.id)));
            }
        }
    }
    let all_centers: Vec<&str> = seed.centers.iter().map(|c| c.center.id.as_str()).collect();
    for it in &seed.items {
        let dept = seed.departments.iter().find(|d| d.id == it.department).map(|d| d.name.clone()).unwrap_or_else(Text::default);
        let current = it.guides.last().expect("validated");
        let keywords = serde_json::to_string(&it.keywords).map_err(|e| e.to_string())?;
        push(format!(
            "INSERT OR IGNORE INTO items (id, dept_id, kind, name_zh, name_en, keywords, online, zero_trip, on_the_spot, one_trip, promised_days, popularity, current_version, search_text) \
             VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
            q(&it.id), q(&it.department), q(it.kind.as_str()), q(&it.name.zh), q(&it.name.en), q(&keywords),
            b(it.flags.online), b(it.flags.zero_trip), b(it.flags.on_the_spot), b(it.flags.one_trip),
            opt(current.promised_days), it.popularity, current.version, q(&seed_item_doc(it, &dept))
        ));
        for g in &it.guides {
            let json = serde_json::to_string(g).map_err(|e| e.to_string())?;
            push(format!(
                "INSERT OR IGNORE INTO guide_versions (item_id, version, published_at, change_zh, change_en, guide_json) VALUES ({}, {}, {}, {}, {}, {})",
                q(&it.id),
                g.version,
                q(&g.published_at),
                q(&g.change_note.zh),
                q(&g.change_note.en),
                q(&json)
            ));
        }
        let centers: Vec<&str> = if it.centers.iter().any(|c| c == "*") { all_centers.clone() } else { it.centers.iter().map(String::as_str).collect() };
        for c in centers {
            push(format!("INSERT OR IGNORE INTO item_centers (item_id, center_id) VALUES ({}, {})", q(&it.id), q(c)));
        }
    }
    for sql in class_items {
        push(sql);
    }
    for (i, bnd) in seed.bundles.iter().enumerate() {
        push(format!(
            "INSERT OR IGNORE INTO bundles (id, name_zh, name_en, summary_zh, summary_en, sort) VALUES ({}, {}, {}, {}, {}, {i})",
            q(&bnd.id),
            q(&bnd.name.zh),
            q(&bnd.name.en),
            q(&bnd.summary.zh),
            q(&bnd.summary.en)
        ));
        for (ord, item) in bnd.items.iter().enumerate() {
            push(format!("INSERT OR IGNORE INTO bundle_items (bundle_id, item_id, ord) VALUES ({}, {}, {ord})", q(&bnd.id), q(item)));
        }
    }
    Ok(out)
}

/// Half a year of demo window services and their reviews (as of `today`, Beijing), so the public
/// appraisal is alive from the first `cargo xtask dev`: finished walk-in tickets at three centers' any-item
/// windows, about 60% reviewed, a few bad reviews with work orders in every state (closed fixed, closed
/// not fixed, invalid, rectifying, one overdue still waiting for verification). Deterministic (a fixed
/// LCG), dated before today so they never collide with live numbering, and `INSERT OR IGNORE`.
pub fn reviews_sql(today: chrono::NaiveDate) -> Result<String> {
    use chrono::Duration;
    use tongban_shared::calendar::Calendar;
    use tongban_shared::review::{is_bad, Order};
    let seed = load()?;
    let mut out = String::from("-- demo services and reviews (local seed only)\n");
    let mut rng: u64 = 0x5eed_2026;
    let mut next = |n: u64| {
        rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (rng >> 33) % n
    };
    let cal = Calendar::default();
    let staff = |login: &str| seed_account_id(login);
    let centers: [(&str, &[&str]); 3] = [("putuo-district", &["window.putuo", "window.putuo2"]), ("wanli", &["window.wanli"]), ("changshou-road", &[])];
    let texts = ["窗口人员态度冷淡，询问问题不耐烦", "等候时间太长，叫号系统不准", "要求提供指南以外的材料，跑了两次", "办事指南写的和窗口说的不一致"];
    let reasons = ["attitude", "efficiency", "extra_materials", "guide_wrong"];
    let reviewer = seed_account_id("34052419800101001X");
    let mut n = 0u32;
    for (center, logins) in centers {
        let c = seed.centers.iter().find(|c| c.center.id == center).ok_or("demo center missing")?;
        let windows: Vec<u32> = c.windows.iter().filter(|w| w.class == tongban_shared::catalogue::WindowClass::Any).map(|w| w.number).take(3).collect();
        let items: Vec<(&str, &str)> = seed
            .items
            .iter()
            .filter(|it| it.centers.iter().any(|x| x == center || x == "*"))
            .map(|it| (it.id.as_str(), it.department.as_str()))
            .take(12)
            .collect();
        if items.is_empty() || windows.is_empty() {
            continue;
        }
        for days_back in (1..=180i64).rev() {
            let day = today - Duration::days(days_back);
            if !cal.is_working_day(day) {
                continue;
            }
            let per_day = 2 + next(3);
            for seq in 1..=per_day {
                n += 1;
                let window = windows[next(windows.len() as u64) as usize];
                let (item, dept) = items[next(items.len() as u64) as usize];
                let called_by = if logins.is_empty() { "NULL".to_string() } else { q(&staff(logins[next(logins.len() as u64) as usize])) };
                let created = day.and_hms_opt(9, 0, 0).unwrap().and_utc().timestamp() - 8 * 3600 + (next(420) as i64) * 60;
                let called = created + 120 + next(1500) as i64;
                let started = called + 60;
                let finished = started + 300 + next(900) as i64;
                let tid = format!("{:032x}", 0xde30_0000_0000_0000_0000_0000_0000u128 + u128::from(n));
                let outcome = if next(10) < 8 { "on_the_spot" } else { "back_office" };
                out.push_str(&format!(
                    "INSERT OR IGNORE INTO tickets (id, center_id, class_id, day, seq, number, origin, state, window_no, called_by, created_at, called_at, call_no, started_at, finished_at, outcome, item_id) \
                     VALUES ({}, {}, {}, {}, {seq}, {}, 'walk_in', 'done', {window}, {called_by}, {created}, {called}, {seq}, {started}, {finished}, {}, {});\n",
                    q(&tid), q(center), q(&format!("{center}-a")), q(&day.to_string()), q(&format!("A{seq:03}")), q(outcome), q(item)
                ));
                if next(10) >= 6 {
                    continue;
                }
                // Mostly good, as at real centers; about one review in twenty is bad.
                let level = match next(100) {
                    0..=4 => 1 + next(2),
                    5..=12 => 3,
                    13..=40 => 4,
                    _ => 5,
                } as u8;
                let jitter = [next(3) as i64 - 1, next(3) as i64 - 1, next(2) as i64];
                let score = |i: usize| (level as i64 + jitter[i]).clamp(1, 5);
                let rid = format!("{:032x}", 0xde40_0000_0000_0000_0000_0000_0000u128 + u128::from(n));
                let bad = is_bad(level);
                let real_name = bad && next(3) > 0;
                let k = next(4) as usize;
                let month = day.format("%Y-%m").to_string();
                out.push_str(&format!(
                    "INSERT OR IGNORE INTO reviews (id, event_kind, event_id, account_id, anonymous, level, s_efficiency, s_competence, s_attitude, reason, text, channel, client, \
                     center_id, dept_id, window_id, item_id, staff_id, month, finished_at, created_at) VALUES ({}, 'ticket', {}, {}, {}, {level}, {}, {}, {}, {}, {}, {}, 'seed', {}, {}, {}, {}, {called_by}, {}, {finished}, {});\n",
                    q(&rid), q(&tid), if real_name { q(&reviewer) } else { "NULL".into() }, u8::from(!real_name), score(0), score(1), score(2),
                    if bad { q(reasons[k]) } else { "NULL".into() }, if bad { q(texts[k]) } else { "''".into() },
                    q(["window_qr", "mobile", "web", "kiosk"][next(4) as usize]), q(center), q(dept), q(&format!("{center}-w{window}")), q(item), q(&month), finished + 600
                ));
                if !bad {
                    continue;
                }
                let order = Order::open(day, real_name, &cal);
                let recent = days_back <= 12;
                // Older orders are done with; recent ones are in every open state, one of them overdue.
                let (state, valid, outcome, reopened) = match (recent, next(10)) {
                    (true, 0..=3) => ("verifying", "NULL", "NULL", 0),
                    (true, 4..=7) => ("rectifying", "1", "NULL", 0),
                    (true, _) => ("rectified", "1", "NULL", 0),
                    (false, 0) => ("invalid", "0", "'invalid'", 0),
                    (false, 1) => ("closed", "1", "'not_fixed'", 1),
                    _ => ("closed", "1", "'fixed'", 0),
                };
                let oid = format!("{:032x}", 0xde50_0000_0000_0000_0000_0000_0000u128 + u128::from(n));
                let deadline = order.deadline;
                out.push_str(&format!(
                    "INSERT OR IGNORE INTO work_orders (id, review_id, center_id, dept_id, window_id, staff_id, state, real_name, valid, deadline, reopened, outcome, rectification, created_at, updated_at) \
                     VALUES ({}, {}, {}, {}, {}, {called_by}, {}, {}, {valid}, {}, {reopened}, {outcome}, {}, {finished}, {finished});\n",
                    q(&oid), q(&rid), q(center), q(dept), q(&format!("{center}-w{window}")), q(state), u8::from(real_name), q(&deadline.to_string()),
                    if state == "rectified" || outcome == "'fixed'" { q("已约谈当事窗口人员并组织业务培训，向办事人致歉。") } else { "NULL".into() }
                ));
                out.push_str(&format!(
                    "INSERT INTO work_order_events (order_id, at, actor_id, capacity, action, from_state, to_state, note) SELECT {}, {finished}, NULL, 'system', 'opened', NULL, 'verifying', '' \
                     WHERE NOT EXISTS (SELECT 1 FROM work_order_events WHERE order_id = {});\n",
                    q(&oid), q(&oid)
                ));
            }
        }
    }
    // One order waiting for verification well past its deadline, for the district admin's overdue list.
    out.push_str("UPDATE work_orders SET state = 'verifying', valid = NULL, outcome = NULL, rectification = NULL WHERE id = (SELECT id FROM work_orders WHERE state = 'closed' AND outcome = 'fixed' AND created_at < strftime('%s', 'now') - 40 * 86400 ORDER BY created_at DESC LIMIT 1) AND NOT EXISTS (SELECT 1 FROM work_orders WHERE state = 'verifying' AND deadline < date('now'));\n");
    Ok(out)
}

/// Today's date in Beijing, where the centers are.
pub fn beijing_today() -> chrono::NaiveDate {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    chrono::DateTime::from_timestamp(secs + 8 * 3600, 0).map(|t| t.date_naive()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_reviews_are_dated_before_today_and_mostly_good() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let sql = reviews_sql(today).unwrap();
        let tickets = sql.matches("INSERT OR IGNORE INTO tickets").count();
        let reviews = sql.matches("INSERT OR IGNORE INTO reviews").count();
        let orders = sql.matches("INSERT OR IGNORE INTO work_orders").count();
        assert!(tickets > 500 && reviews * 10 > tickets * 4 && reviews * 10 < tickets * 8, "{tickets} tickets, {reviews} reviews");
        assert!(orders > 5 && orders * 8 < reviews, "{orders} orders of {reviews} reviews");
        assert!(!sql.contains("'2026-11-25'"), "nothing on today's date");
        assert_eq!(sql, reviews_sql(today).unwrap(), "deterministic");
    }

    #[test]
    fn bootstrap_admin_is_sealed_and_validated() {
        let keys = (Keyring::parse(&format!("k1:{}", "11".repeat(32)), &"22".repeat(32)).unwrap(), Peppers::parse(&format!("p1:{}", "33".repeat(32))).unwrap());
        let sql = bootstrap_admin_sql("admin.first", "郑华", "a long first password", &keys, 1_700_000_000).unwrap();
        assert!(sql.contains("'hmac-pbkdf2-sha256$100000$p1$"), "the worker's scheme, within the Workers KDF cap: {sql}");
        assert!(sql.contains("'district_admin'") && sql.contains("INSERT OR IGNORE INTO staff"));
        assert!(sql.contains(&keys.0.lookup_digest("admin.first")), "signs in by the keyed digest of the login");
        assert!(!sql.contains("郑华") && !sql.contains("a long first password"), "no name or password in clear");
        assert!(bootstrap_admin_sql("Admin First", "郑华", "a long first password", &keys, 0).is_err());
        assert!(bootstrap_admin_sql("admin.first", "郑华", "password", &keys, 0).is_err());
    }

    #[test]
    fn quotes_are_doubled() {
        assert_eq!(q("O'Brien"), "'O''Brien'");
        assert_eq!(q("营业执照"), "'营业执照'");
    }
}
