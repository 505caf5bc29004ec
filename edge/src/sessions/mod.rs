//! `/api/v1/sessions`: sign in and out, and who is calling. Sessions live in D1, not KV: KV is eventually
//! consistent (a sign-out could take up to 60 s to reach another location), D1 is not, so a sign-out or a
//! password change ends the session everywhere at once.

#[cfg(target_arch = "wasm32")]
pub use wasm::*;

#[cfg(target_arch = "wasm32")]
mod wasm {
    use crate::crypto::{pbkdf2_sha256, random, token_digest, token_string};
    use crate::error::ApiError;
    use crate::http::{cookie, session_cookie, Answer, Body, Ctx, SESSION_COOKIE};
    use crate::password::{PasswordRecord, Peppers};
    use crate::routes::ep;
    use serde::Deserialize;
    use tongban_shared::account::{Role, MAX_FAILS_PER_ACCOUNT, MAX_FAILS_PER_CLIENT, PACE_MAX_WAIT_SECS, PACE_MS, THROTTLE_WINDOW_SECS};
    use tongban_shared::ErrorCode;
    use wasm_bindgen::JsValue;
    use worker::D1PreparedStatement;

    use crate::error::js_err;

    pub use tongban_shared::authz::Principal;

    #[derive(Deserialize)]
    struct SessionRow {
        account_id: String,
        role: String,
        idle_secs: i64,
        created_at: i64,
        expires_at: i64,
        center_id: Option<String>,
        dept_id: Option<String>,
        must_change_password: i64,
    }

    /// A staff session's limits: the vars `STAFF_IDLE_SECS` and `STAFF_ABSOLUTE_SECS` where set (a
    /// deployment's policy), else `tongban_shared::account`'s 30 minutes and 12 hours.
    fn staff_limits(ctx: &Ctx) -> (i64, i64) {
        let var = |name: &str, default: i64| ctx.env.var(name).ok().and_then(|v| v.to_string().parse::<i64>().ok()).filter(|n| *n > 0).unwrap_or(default);
        (var("STAFF_IDLE_SECS", tongban_shared::account::STAFF_IDLE_SECS), var("STAFF_ABSOLUTE_SECS", tongban_shared::account::STAFF_ABSOLUTE_SECS))
    }

    /// The signed-in caller, if the cookie names a live session of an account that is not disabled. A
    /// staff session's idle timer moves with the person's own requests only, at most once a minute (no D1
    /// write per read), and the session ends 12 hours after sign-in whatever it did.
    pub async fn current(ctx: &Ctx) -> Result<Option<Principal>, ApiError> {
        let header = ctx.req.headers().get("Cookie")?.unwrap_or_default();
        let Some(token) = cookie(&header, SESSION_COOKIE) else { return Ok(None) };
        let digest = JsValue::from_str(&token_digest(token));
        let db = ctx.db()?;
        let row: Option<SessionRow> = db
            .prepare(
                "SELECT s.account_id, a.role, s.idle_secs, s.created_at, s.expires_at, st.center_id, st.dept_id, a.must_change_password \
                 FROM sessions s JOIN accounts a ON a.id = s.account_id LEFT JOIN staff st ON st.account_id = a.id WHERE s.token_digest = ?1 AND a.disabled = 0",
            )
            .bind(std::slice::from_ref(&digest))?
            .first(None)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let (_, absolute) = staff_limits(ctx);
        if !tongban_shared::account::session_alive(ctx.now, row.created_at, row.expires_at, row.idle_secs, absolute) {
            return Ok(None);
        }
        let own = ctx.req.headers().get(tongban_shared::account::BACKGROUND_HEADER)?.is_none();
        if let Some(next) = tongban_shared::account::renewed_expiry(ctx.now, row.created_at, row.expires_at, row.idle_secs, absolute, own) {
            db.prepare("UPDATE sessions SET expires_at = ?2 WHERE token_digest = ?1").bind(&[digest, JsValue::from_f64(next as f64)])?.run().await?;
        }
        let role = Role::parse(&row.role).ok_or_else(|| ApiError::Internal(format!("unknown role {}", row.role)))?;
        Ok(Some(Principal {
            account_id: row.account_id,
            role,
            center_id: row.center_id,
            dept_id: row.dept_id,
            must_change_password: row.must_change_password != 0,
        }))
    }

    /// A new session: the statements that store it (to batch with other writes) and the cookie to set.
    /// The browser's previous session, if it sent one, ends in the same batch: signing in again (as
    /// the same person or another at a shared desk) never leaves the old token alive behind the new one.
    pub fn start(ctx: &Ctx, account_id: &str, role: Role, remember: bool) -> Result<(Vec<D1PreparedStatement>, String), ApiError> {
        let token = token_string(random::<32>().map_err(js_err)?);
        let secs = if role.is_staff() { staff_limits(ctx).0 } else { role.session_secs(remember) };
        let idle = if role.is_staff() { secs } else { 0 };
        let stmt =
            ctx.db()?.prepare("INSERT INTO sessions (token_digest, account_id, created_at, expires_at, idle_secs) VALUES (?1, ?2, ?3, ?4, ?5)").bind(&[
                JsValue::from_str(&token_digest(&token)),
                JsValue::from_str(account_id),
                JsValue::from_f64(ctx.now as f64),
                JsValue::from_f64((ctx.now + secs) as f64),
                JsValue::from_f64(idle as f64),
            ])?;
        // Residents who did not ask to be remembered get a cookie that ends with the browser. A staff cookie
        // lasts the whole shift: the idle timer is the server's (the cookie's 30 minutes from sign-in used to
        // sign an active clerk out regardless).
        let max_age = if role.is_staff() { Some(staff_limits(ctx).1) } else { remember.then_some(secs) };
        let header = ctx.req.headers().get("Cookie")?.unwrap_or_default();
        let mut stmts = vec![stmt];
        if let Some(previous) = cookie(&header, SESSION_COOKIE) {
            stmts.push(ctx.db()?.prepare("DELETE FROM sessions WHERE token_digest = ?1").bind(&[JsValue::from_str(&token_digest(previous))])?);
        }
        Ok((stmts, session_cookie(&token, max_age)))
    }

    /// A new password record in the current scheme (`crate::password`).
    pub async fn hash_password(ctx: &Ctx, password: &str) -> Result<String, ApiError> {
        hash_with(&ctx.peppers()?, password).await
    }

    async fn hash_with(peppers: &Peppers, password: &str) -> Result<String, ApiError> {
        let mut rec = PasswordRecord::new_params(peppers, random::<16>().map_err(js_err)?);
        rec.hash = derive(&rec, peppers, password).await?;
        Ok(rec.encode())
    }

    async fn derive(rec: &PasswordRecord, peppers: &Peppers, password: &str) -> Result<Vec<u8>, ApiError> {
        let input = rec.kdf_input(peppers, password).map_err(ApiError::Internal)?;
        pbkdf2_sha256(&input, &rec.salt, rec.iterations).await.map_err(js_err)
    }

    /// Whether `password` matches `record`, and if it does and the record is not in the current scheme,
    /// the record to store instead. A record that cannot be checked here (malformed, above the KDF cap, a
    /// pepper no longer held) is a failed sign-in, logged: it must never become a 500 on every attempt.
    async fn verify_password(peppers: &Peppers, password: &str, record: &str) -> Result<(bool, Option<String>), ApiError> {
        let rec = match PasswordRecord::parse(record).ok_or_else(|| "malformed password record".to_string()).and_then(|r| r.kdf_input(peppers, "").map(|_| r)) {
            Ok(r) => r,
            Err(why) => {
                worker::console_error!("password record cannot be verified ({why}); the account needs a password reset");
                // The same work as a real check, so this answer is not faster than a wrong password.
                let _ = derive(&PasswordRecord::decoy(peppers), peppers, password).await?;
                return Ok((false, None));
            }
        };
        if !rec.matches(&derive(&rec, peppers, password).await?) {
            return Ok((false, None));
        }
        let upgrade = if rec.is_current(peppers) { None } else { Some(hash_with(peppers, password).await?) };
        Ok((true, upgrade))
    }

    #[derive(Deserialize)]
    struct PasswordRow {
        password: String,
        login_lookup: String,
    }

    /// Re-checks the signed-in user's password before a sensitive change. Failures count towards the
    /// same lockout as sign-in, so this cannot be used to guess either.
    pub async fn confirm_password(ctx: &Ctx, account_id: &str, password: &str) -> Result<(), ApiError> {
        let db = ctx.db()?;
        let row: PasswordRow = db
            .prepare("SELECT password, login_lookup FROM accounts WHERE id = ?1")
            .bind(&[JsValue::from_str(account_id)])?
            .first(None)
            .await?
            .ok_or(ApiError::from(ErrorCode::Unauthenticated))?;
        claim_attempt(ctx, &row.login_lookup).await?;
        if verify_password(&ctx.peppers()?, password, &row.password).await?.0 {
            db.prepare("DELETE FROM login_failures WHERE login_lookup = ?1").bind(&[JsValue::from_str(&row.login_lookup)])?.run().await?;
            return Ok(());
        }
        Err(ErrorCode::BadCredentials.into())
    }

    /// The digest of the caller's own session token, to keep it when ending the others.
    pub fn own_token_digest(ctx: &Ctx) -> Result<String, ApiError> {
        let header = ctx.req.headers().get("Cookie")?.unwrap_or_default();
        Ok(cookie(&header, SESSION_COOKIE).map(token_digest).unwrap_or_default())
    }

    /// Counts one sign-in attempt against `lookup` before its password is checked, and decides in the same
    /// write whether it may be checked at all: the attempt is recorded as a failure only while fewer than
    /// [`MAX_FAILS_PER_ACCOUNT`] are, so N parallel guesses check at most that many and the rest are
    /// refused (`too_many_attempts`). A right password then clears the account's failures. An address
    /// past [`MAX_FAILS_PER_CLIENT`] failures is paced first ([`pace`]), never refused outright.
    async fn claim_attempt(ctx: &Ctx, lookup: &str) -> Result<(), ApiError> {
        let db = ctx.db()?;
        let client = tongban_shared::account::client_key(&ctx.client());
        let since = JsValue::from_f64((ctx.now - THROTTLE_WINDOW_SECS) as f64);
        let by_client: Option<i64> = db
            .prepare("SELECT count(*) AS n FROM login_failures WHERE client = ?1 AND at > ?2")
            .bind(&[JsValue::from_str(&client), since.clone()])?
            .first(Some("n"))
            .await?;
        if by_client.unwrap_or(0) >= i64::from(MAX_FAILS_PER_CLIENT) {
            pace(ctx, &client).await?;
        }
        let claimed: Option<i64> = db
            .prepare(
                "INSERT INTO login_failures (login_lookup, client, at) SELECT ?1, ?2, ?3 \
                 WHERE (SELECT count(*) FROM login_failures WHERE login_lookup = ?1 AND at > ?4) < ?5 RETURNING id",
            )
            .bind(&[JsValue::from_str(lookup), JsValue::from_str(&client), JsValue::from_f64(ctx.now as f64), since, JsValue::from(MAX_FAILS_PER_ACCOUNT)])?
            .first(Some("id"))
            .await?;
        // Refused even with the right password: the lockout is what stops guessing.
        claimed.map(|_| ()).ok_or_else(|| ErrorCode::TooManyAttempts.into())
    }

    /// Waits for this address's next check slot: one reserved per [`PACE_MS`] in one conditional upsert,
    /// so parallel attempts from the address queue instead of all being checked at once. A slot more
    /// than [`PACE_MAX_WAIT_SECS`] away is not reserved (a flood cannot push the queue out for ever) and
    /// the caller is told to retry then (`sign_in_busy`).
    async fn pace(ctx: &Ctx, client: &str) -> Result<(), ApiError> {
        let now_ms = worker::Date::now().as_millis() as i64;
        let next: Option<i64> = ctx
            .db()?
            .prepare(
                "INSERT INTO login_pace (client, next_at) VALUES (?1, ?2 + ?3) \
                 ON CONFLICT (client) DO UPDATE SET next_at = max(next_at, ?2) + ?3 WHERE max(next_at, ?2) <= ?2 + ?4 RETURNING next_at",
            )
            .bind(&[
                JsValue::from_str(client),
                JsValue::from_f64(now_ms as f64),
                JsValue::from_f64(PACE_MS as f64),
                JsValue::from_f64((PACE_MAX_WAIT_SECS * 1000) as f64),
            ])?
            .first(Some("next_at"))
            .await?;
        let next = next.ok_or(ApiError::from(ErrorCode::SignInBusy))?;
        let wait = next - PACE_MS - now_ms;
        if wait > 0 {
            worker::Delay::from(std::time::Duration::from_millis(wait as u64)).await;
        }
        Ok(())
    }

    #[derive(Deserialize)]
    struct AccountRow {
        id: String,
        role: String,
        password: String,
        disabled: i64,
    }

    pub async fn login(ctx: &Ctx, body: Body<ep::Login>) -> Answer<ep::Login> {
        let req = body.read(ctx)?;
        let keys = ctx.keyring()?;
        let lookup = keys.lookup_digest(&req.normalised());
        let db = ctx.db()?;
        claim_attempt(ctx, &lookup).await?;
        let account: Option<AccountRow> =
            db.prepare("SELECT id, role, password, disabled FROM accounts WHERE login_lookup = ?1").bind(&[JsValue::from_str(&lookup)])?.first(None).await?;
        // Unknown accounts cost the same KDF work, so timing does not reveal which logins exist.
        let peppers = ctx.peppers()?;
        let decoy = PasswordRecord::decoy(&peppers).encode();
        let (ok, upgrade) = verify_password(&peppers, &req.password, account.as_ref().map_or(decoy.as_str(), |a| a.password.as_str())).await?;
        let ok = ok && account.is_some();
        let Some(account) = account.filter(|_| ok) else {
            // The attempt was counted as a failure before the check.
            return Err(ErrorCode::BadCredentials.into());
        };
        // Said only to whoever knows the password: a disabled post is not told apart from a wrong password otherwise.
        if account.disabled != 0 {
            return Err(ErrorCode::AccountDisabled.into());
        }
        let role = Role::parse(&account.role).ok_or_else(|| ApiError::Internal(format!("unknown role {}", account.role)))?;
        let (mut writes, set_cookie) = start(ctx, &account.id, role, req.remember)?;
        writes.push(db.prepare("DELETE FROM login_failures WHERE login_lookup = ?1").bind(&[JsValue::from_str(&lookup)])?);
        if let Some(record) = upgrade {
            // Only over the record just checked: a password changed meanwhile is not overwritten.
            writes.push(db.prepare("UPDATE accounts SET password = ?2 WHERE id = ?1 AND password = ?3").bind(&[
                JsValue::from_str(&account.id),
                JsValue::from_str(&record),
                JsValue::from_str(&account.password),
            ])?);
        }
        db.batch(writes).await?;
        let me = crate::me::me_of(ctx, &keys, &account.id).await?;
        let mut resp = ctx.reply(&me)?;
        resp.headers_mut().set("Set-Cookie", &set_cookie)?;
        Ok(resp)
    }

    pub async fn logout(ctx: &Ctx) -> Answer<ep::Logout> {
        let header = ctx.req.headers().get("Cookie")?.unwrap_or_default();
        if let Some(token) = cookie(&header, SESSION_COOKIE) {
            ctx.db()?.prepare("DELETE FROM sessions WHERE token_digest = ?1").bind(&[JsValue::from_str(&token_digest(token))])?.run().await?;
        }
        let mut resp = crate::http::Reply::no_content()?;
        resp.headers_mut().set("Set-Cookie", &session_cookie("", Some(0)))?;
        resp.headers_mut().set("Cache-Control", "no-store")?;
        Ok(resp)
    }
}
