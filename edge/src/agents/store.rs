//! The agent (经办人) statements — a business's agents, inviting a resident, answering an invitation,
//! removing an agent, an agent's businesses — one builder each, with named values (`sql::Stmt::named`),
//! pure, so the host SQL stage runs every one on SQLite.

use crate::sql::Stmt;
use serde::Deserialize;
use tongban_shared::account::{InvitationState, INVITE_WINDOW_SECS};
use tongban_shared::notify::Event;

/// An agent of a business, sealed as stored (the business sees them masked).
#[derive(Deserialize)]
pub struct AgentRow {
    pub id: String,
    pub name_enc: String,
    pub id_enc: Option<String>,
    pub added_at: i64,
}

/// An invitation with the business that sent it (its registry name and code; none if it has no
/// `businesses` row).
#[derive(Deserialize)]
pub struct InvitationRow {
    pub id: String,
    pub id_masked: String,
    pub state: InvitationState,
    pub created_at: i64,
    pub business_id: String,
    pub uscc: Option<String>,
    pub company_name: Option<String>,
}

/// What an invitation must not pass: the business's invitations within the window, and whether the
/// number is one of its agents already.
#[derive(Deserialize)]
pub struct SeenRow {
    pub recent: i64,
    pub agent: i64,
}

/// Decodes into `InvitationRow`.
const INVITATIONS: &str = "SELECT i.id, i.id_masked, i.state, i.created_at, i.business_id, b.uscc, b.company_name \
     FROM agent_invitations i LEFT JOIN businesses b ON b.account_id = i.business_id";

/// The business's agents, first added first. Decodes into `AgentRow`.
pub fn agents_of(business: &str) -> Stmt {
    Stmt::named(
        "SELECT a.id, a.name_enc, a.id_enc, ba.added_at FROM business_agents ba JOIN accounts a ON a.id = ba.agent_id WHERE ba.business_id = :business \
         ORDER BY ba.added_at",
        vec![("business", business.into())],
    )
}

/// The business's invitations of the last `INVITE_WINDOW_SECS`, and whether the login digest is one of
/// its agents already. Decodes into `SeenRow`.
pub fn seen(business: &str, agent_lookup: &str, now: i64) -> Stmt {
    Stmt::named(
        "SELECT (SELECT count(*) FROM agent_invitations WHERE business_id = :business AND created_at > :since) AS recent, \
         (SELECT count(*) FROM business_agents ba JOIN accounts a ON a.id = ba.agent_id WHERE ba.business_id = :business AND a.login_lookup = :lookup) AS agent",
        vec![("business", business.into()), ("lookup", agent_lookup.into()), ("since", (now - INVITE_WINDOW_SECS).into())],
    )
}

/// The business's registry name (column `company_name`), for the invitation's notification.
pub fn company_name(business: &str) -> Stmt {
    Stmt::named("SELECT company_name FROM businesses WHERE account_id = :business", vec![("business", business.into())])
}

/// An invitation as a business sends it, with the notification a registered resident gets.
pub struct NewInvitation<'a> {
    pub id: &'a str,
    pub business_id: &'a str,
    /// `Keyring::lookup_digest` of the invited ID number, as `accounts.login_lookup` holds it.
    pub agent_lookup: &'a str,
    pub id_masked: &'a str,
    pub notification_id: &'a str,
    /// `Event::AgentInvitation` of this invitation.
    pub event: &'a Event,
    pub now: i64,
}

/// The pending invitation, unless one is pending for the same business and number already (the partial
/// unique index: the repeat changes nothing) or the business sent `INVITES_PER_WINDOW` within the window
/// (counted inside the write, so a burst of parallel invitations cannot pass the limit together); then the
/// resident's notification, only if the invitation was just written and the number is a registered
/// resident's. One batch, so the answer is the same whether or not the number is registered.
pub fn invite(n: &NewInvitation) -> [Stmt; 2] {
    [
        Stmt::named(
            "INSERT OR IGNORE INTO agent_invitations (id, business_id, agent_lookup, id_masked, state, created_at) \
             SELECT :id, :business, :lookup, :masked, 'pending', :now \
             WHERE (SELECT count(*) FROM agent_invitations WHERE business_id = :business AND created_at > :since) < :cap",
            vec![
                ("id", n.id.into()),
                ("business", n.business_id.into()),
                ("lookup", n.agent_lookup.into()),
                ("masked", n.id_masked.into()),
                ("now", n.now.into()),
                ("since", (n.now - INVITE_WINDOW_SECS).into()),
                ("cap", i64::from(tongban_shared::account::INVITES_PER_WINDOW).into()),
            ],
        ),
        Stmt::named(
            "INSERT INTO notifications (id, account_id, kind, ref_id, body_json, created_at) \
             SELECT :notification, a.id, :kind, :invitation, :body, :now FROM accounts a WHERE a.login_lookup = :lookup AND a.role = 'resident' AND changes() = 1",
            vec![
                ("notification", n.notification_id.into()),
                ("kind", n.event.kind().as_str().into()),
                ("invitation", n.id.into()),
                ("body", n.event.body_json().into()),
                ("now", n.now.into()),
                ("lookup", n.agent_lookup.into()),
            ],
        ),
    ]
}

/// The business's pending invitation of a number. Decodes into `InvitationRow`.
pub fn pending_invitation(business: &str, agent_lookup: &str) -> Stmt {
    Stmt::named(
        &format!("{INVITATIONS} WHERE i.business_id = :business AND i.agent_lookup = :lookup AND i.state = 'pending'"),
        vec![("business", business.into()), ("lookup", agent_lookup.into())],
    )
}

/// The business's latest 50 invitations, newest first. Decodes into `InvitationRow`.
pub fn invitations_of_business(business: &str) -> Stmt {
    Stmt::named(&format!("{INVITATIONS} WHERE i.business_id = :business ORDER BY i.created_at DESC LIMIT 50"), vec![("business", business.into())])
}

/// The latest 50 invitations waiting for the account's own ID number, newest first. Decodes into
/// `InvitationRow`.
pub fn invitations_for(account: &str) -> Stmt {
    Stmt::named(
        &format!(
            "{INVITATIONS} WHERE i.agent_lookup = (SELECT login_lookup FROM accounts WHERE id = :account) AND i.state = 'pending' ORDER BY i.created_at DESC LIMIT 50"
        ),
        vec![("account", account.into())],
    )
}

/// Decodes into `InvitationRow`.
pub fn invitation(id: &str) -> Stmt {
    Stmt::named(&format!("{INVITATIONS} WHERE i.id = :id"), vec![("id", id.into())])
}

/// The resident's answer to an invitation, then (when accepted) the agent link: the answer only for a
/// pending invitation addressed to this resident's own login, once; the link only if the answer was
/// just written.
pub fn answer(invitation: &str, account: &str, accept: bool, now: i64) -> [Stmt; 2] {
    let state = if accept { InvitationState::Accepted } else { InvitationState::Declined };
    [
        Stmt::named(
            "UPDATE agent_invitations SET state = :state, decided_at = :now WHERE id = :id AND state = 'pending' \
             AND agent_lookup = (SELECT login_lookup FROM accounts WHERE id = :account AND role = 'resident')",
            vec![("id", invitation.into()), ("account", account.into()), ("state", state.as_str().into()), ("now", now.into())],
        ),
        Stmt::named(
            "INSERT OR IGNORE INTO business_agents (business_id, agent_id, added_at) \
             SELECT business_id, :account, :now FROM agent_invitations WHERE id = :id AND state = 'accepted' AND changes() = 1",
            vec![("id", invitation.into()), ("account", account.into()), ("now", now.into())],
        ),
    ]
}

/// Only the business's own agent.
pub fn remove_agent(business: &str, agent: &str) -> Stmt {
    Stmt::named("DELETE FROM business_agents WHERE business_id = :business AND agent_id = :agent", vec![("business", business.into()), ("agent", agent.into())])
}

/// The businesses the account is an agent of, by name. Decodes into `tongban_shared::account::BusinessRef`.
pub fn businesses_of(agent: &str) -> Stmt {
    Stmt::named(
        "SELECT b.account_id AS id, b.uscc, b.company_name FROM business_agents ba JOIN businesses b ON b.account_id = ba.business_id WHERE ba.agent_id = :agent \
         ORDER BY b.company_name",
        vec![("agent", agent.into())],
    )
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    /// The agent store on SQLite: an invitation's values land in their columns, with the resident's
    /// notification only for a registered resident's number (not an unregistered one, not staff's) and
    /// only when the invitation was written (a repeat while one is pending writes neither); the counts
    /// see the window's invitations and existing agents; the lists read as `InvitationRow`, newest first;
    /// an answer changes only a pending invitation addressed to this resident, once, and links the agent
    /// only on acceptance and never twice; agents and businesses read in their order; removing an agent
    /// removes only the business's own.
    #[test]
    fn the_agent_store_runs_on_sqlite_and_answers_its_row_types() {
        use super::*;
        use crate::sql::host::{decode, migrated};
        use tongban_shared::account::BusinessRef;
        let conn = migrated();
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF;
             INSERT INTO accounts (id, role, login_lookup, name_enc, id_enc, password, created_at, password_changed_at) VALUES
               ('res', 'resident', 'LR', 'NR', 'IR', 'P', 1, 1), ('res2', 'resident', 'LR2', 'NR2', NULL, 'P', 1, 1),
               ('clerk', 'window_staff', 'LS', 'NS', NULL, 'P', 1, 1),
               ('biz', 'business', 'LB', 'NB', NULL, 'P', 1, 1), ('biz2', 'business', 'LB2', 'NB2', NULL, 'P', 1, 1);
             INSERT INTO businesses (account_id, uscc, company_name, legal_rep_name_enc, legal_rep_id_enc) VALUES
               ('biz', 'U1', 'Alpha Co', 'r', 'r'), ('biz2', 'U2', 'Aardvark Co', 'r', 'r');",
        )
        .unwrap_or_else(|e| panic!("fixture: {e}"));
        let one = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, String>(0)).unwrap_or_else(|e| panic!("{e}: {sql}"));
        let run = |stmts: [Stmt; 2]| stmts.map(|s| s.execute(&conn).unwrap_or_else(|e| panic!("{e}: {}", s.sql)));
        let seen_by = |business: &str, lookup: &str, now: i64| {
            let s: Vec<SeenRow> = decode(&conn, &seen(business, lookup, now));
            (s[0].recent, s[0].agent)
        };
        assert_eq!(seen_by("biz", "LR", 100), (0, 0));
        assert_eq!(company_name("biz").query_rows(&conn, &["company_name"]).unwrap(), [vec![rusqlite::types::Value::Text("Alpha Co".into())]]);

        let send = |id: &str, business_id: &str, agent_lookup: &str, now: i64| {
            let event = Event::AgentInvitation { invitation_id: id.into(), company: "Alpha Co".into() };
            let notification_id = format!("n_{id}");
            run(invite(&NewInvitation { id, business_id, agent_lookup, id_masked: "1101**02X", notification_id: &notification_id, event: &event, now }))
        };
        assert_eq!(send("i1", "biz", "LR", 100), [1, 1]);
        assert_eq!(
            one("SELECT id || business_id || agent_lookup || id_masked || state || created_at || coalesce(decided_at, '-') FROM agent_invitations"),
            "i1bizLR1101**02Xpending100-"
        );
        let event = Event::AgentInvitation { invitation_id: "i1".into(), company: "Alpha Co".into() };
        assert_eq!(
            one("SELECT id || account_id || kind || ref_id || body_json || created_at FROM notifications"),
            format!("n_i1res{}i1{}100", event.kind().as_str(), event.body_json())
        );
        assert_eq!(send("i1b", "biz", "LR", 101), [0, 0], "one pending at a time, and no second notification");
        assert_eq!(send("iX", "biz", "LX", 101), [1, 0], "an unregistered number");
        assert_eq!(send("iS", "biz", "LS", 102), [1, 0], "staff's login is not a resident's");
        assert_eq!(send("i2", "biz2", "LR", 103), [1, 1], "another business's invitation");
        assert_eq!(one("SELECT group_concat(id, ',') FROM (SELECT id FROM notifications ORDER BY id)"), "n_i1,n_i2");
        assert_eq!(seen_by("biz", "LR", 110), (3, 0));
        assert_eq!(seen_by("biz", "LR", 100 + INVITE_WINDOW_SECS), (2, 0), "the window's invitations only");
        // The window's limit is counted inside the write: the business's 3 so far, then up to the cap, then nothing.
        let cap = i64::from(tongban_shared::account::INVITES_PER_WINDOW);
        for i in 3..cap {
            assert_eq!(send(&format!("c{i}"), "biz", &format!("LC{i}"), 104), [1, 0]);
        }
        assert_eq!(send("over", "biz", "LO", 104), [0, 0], "the limit holds in the write itself");
        assert_eq!(send("later", "biz", "LL", 102 + INVITE_WINDOW_SECS), [1, 0], "once the window has moved on");
        conn.execute("DELETE FROM agent_invitations WHERE id LIKE 'c%' OR id = 'later'", []).unwrap();

        let ids = |s: Stmt| decode::<InvitationRow>(&conn, &s).into_iter().map(|r| r.id).collect::<Vec<_>>();
        let p: Vec<InvitationRow> = decode(&conn, &pending_invitation("biz", "LR"));
        assert_eq!(
            (
                p[0].id.as_str(),
                p[0].id_masked.as_str(),
                p[0].state,
                p[0].created_at,
                p[0].business_id.as_str(),
                p[0].uscc.as_deref(),
                p[0].company_name.as_deref()
            ),
            ("i1", "1101**02X", InvitationState::Pending, 100, "biz", Some("U1"), Some("Alpha Co"))
        );
        assert!(ids(pending_invitation("biz", "LR2")).is_empty());
        assert_eq!(ids(invitations_of_business("biz")), ["iS", "iX", "i1"]);
        assert_eq!(ids(invitations_for("res")), ["i2", "i1"]);
        assert!(ids(invitations_for("res2")).is_empty());

        assert_eq!(run(answer("i1", "res2", true, 105)), [0, 0], "addressed to someone else");
        assert_eq!(run(answer("iS", "clerk", true, 105)), [0, 0], "only a resident answers");
        assert_eq!(run(answer("i1", "res", true, 105)), [1, 1]);
        assert_eq!(one("SELECT state || decided_at FROM agent_invitations WHERE id = 'i1'"), "accepted105");
        assert_eq!(one("SELECT business_id || agent_id || added_at FROM business_agents"), "bizres105");
        assert_eq!(run(answer("i1", "res", true, 106)), [0, 0], "answered already");
        assert_eq!(run(answer("i2", "res", false, 107)), [1, 0], "a declined invitation links nothing");
        assert_eq!(one("SELECT state || decided_at FROM agent_invitations WHERE id = 'i2'"), "declined107");
        let i: Vec<InvitationRow> = decode(&conn, &invitation("i2"));
        assert_eq!((i[0].state, i[0].uscc.as_deref()), (InvitationState::Declined, Some("U2")));
        assert!(ids(invitation("nothing")).is_empty());
        assert_eq!(seen_by("biz", "LR", 110).1, 1);

        // An agent linked meanwhile keeps its link as it was.
        conn.execute_batch("INSERT INTO business_agents (business_id, agent_id, added_at) VALUES ('biz', 'res2', 104), ('biz2', 'res', 50);").unwrap();
        assert_eq!(send("i3", "biz", "LR2", 108), [1, 1]);
        assert_eq!(run(answer("i3", "res2", true, 109)), [1, 0]);
        assert_eq!(one("SELECT added_at || '' FROM business_agents WHERE agent_id = 'res2'"), "104");

        let agents: Vec<AgentRow> = decode(&conn, &agents_of("biz"));
        assert_eq!(
            agents.iter().map(|a| (a.id.as_str(), a.name_enc.as_str(), a.id_enc.as_deref(), a.added_at)).collect::<Vec<_>>(),
            [("res2", "NR2", None, 104), ("res", "NR", Some("IR"), 105)]
        );
        let businesses: Vec<BusinessRef> = decode(&conn, &businesses_of("res"));
        assert_eq!(
            businesses.iter().map(|b| (b.id.as_str(), b.uscc.as_str(), b.company_name.as_str())).collect::<Vec<_>>(),
            [("biz2", "U2", "Aardvark Co"), ("biz", "U1", "Alpha Co")]
        );
        assert_eq!(remove_agent("biz2", "res2").execute(&conn).unwrap(), 0, "not that business's agent");
        assert_eq!(remove_agent("biz", "res").execute(&conn).unwrap(), 1);
        assert_eq!(remove_agent("biz", "res").execute(&conn).unwrap(), 0);
        assert_eq!(
            one("SELECT group_concat(business_id || agent_id, ',') FROM (SELECT * FROM business_agents ORDER BY business_id, agent_id)"),
            "bizres2,biz2res"
        );
    }
}
