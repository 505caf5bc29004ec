//! Typed client of `/api/v1`, over the very types the edge serialises (`tongban-shared`), so a change
//! of shape is a compile error on both sides.

use serde::de::DeserializeOwned;
use serde::Serialize;
use tongban_shared::account::{AddAgent, Agent, BusinessRef, ChangePassword, DeleteAccount, Login, Me, RegisterBusiness, RegisterResident};
use tongban_shared::api::{ep, Endpoint, Method, RateKey};
use tongban_shared::catalogue::{Bundle, Center, CenterDetail, Department, ItemDetail, ItemPage};
use tongban_shared::query::ItemQuery;
use tongban_shared::staff::{AuditEntry, NewStaff, PersonLookup, PersonRecord, StaffPost, StaffSettings};
use tongban_shared::{ErrorCode, Lang, Text};

#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// No answer at all (offline, server down): the user can retry.
    Network,
    /// The server answered with an error body.
    /// `message`: the server's own words, kept when they name a center's limits (`error.params`), which
    /// the code's text alone would leave out.
    Server { status: u16, code: Option<ErrorCode>, field: Option<String>, message: Option<String> },
}

impl ApiError {
    pub fn is_not_found(&self) -> bool {
        matches!(self, ApiError::Server { status: 404, .. })
    }

    /// What to tell the user: the shared text of the error code, so the browser and the edge agree.
    pub fn text(&self) -> Text {
        match self {
            ApiError::Network => Text::new(crate::i18n::ZH.offline, crate::i18n::EN.offline),
            ApiError::Server { message: Some(m), .. } => Text::new(m.clone(), m.clone()),
            ApiError::Server { code: Some(c), .. } => c.text(),
            ApiError::Server { .. } => ErrorCode::Internal.text(),
        }
    }
}

/// Decodes a non-2xx answer. A body that is not our error JSON (a proxy page) still yields the status.
/// Read through the browser's own objects, not serde: a struct deserializer for the error body (and the
/// map of its `params`) would be a few KB of the first download, and every page can show an error.
pub fn decode_error(status: u16, body: &str) -> ApiError {
    let get = |v: &wasm_bindgen::JsValue, k: &str| js_sys::Reflect::get(v, &k.into()).ok().filter(|x| !x.is_undefined() && !x.is_null());
    let error = js_sys::JSON::parse(body).ok().and_then(|v| get(&v, "error")).filter(|e| e.is_object());
    match error.as_ref().and_then(|e| Some((e, get(e, "code")?.as_string()?))) {
        Some((e, code)) => ApiError::Server {
            status,
            code: ErrorCode::ALL.iter().copied().find(|c| c.as_str() == code),
            field: get(e, "field").and_then(|f| f.as_string()),
            // Kept only when it names a center's limits (`params`), which the code's text leaves out.
            message: get(e, "params").filter(|p| p.is_object()).and_then(|_| get(e, "message")?.as_string()),
        },
        None => ApiError::Server { status, code: None, field: None, message: None },
    }
}

/// Answers are parsed by the browser's `JSON.parse` and read into the shared types by
/// serde-wasm-bindgen: serde_json's parser would be a good part of the first download, and every page
/// reads answers.
fn from_js<T: DeserializeOwned>(v: wasm_bindgen::JsValue) -> Result<T, serde_wasm_bindgen::Error> {
    serde_wasm_bindgen::from_value(v)
}

/// `?a=1&b=2`, percent-encoded, or empty.
pub fn query_string(pairs: &[(&str, String)]) -> String {
    if pairs.is_empty() {
        return String::new();
    }
    let enc: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect();
    format!("?{}", enc.join("&"))
}

/// RFC 3986 percent-encoding of everything but unreserved characters.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The path of a call to `E`: its row's template with the `{…}` segments filled in order, each
/// percent-encoded. Also for links the browser follows itself (the QR image, a download).
pub fn path<E: Endpoint>(args: &[&str]) -> String {
    tongban_shared::api::fill_path(E::PATH, args, encode)
}

/// A request to `path`, not yet sent. Same-origin, so the browser sends the session cookie and the `Origin`
/// header the edge checks against CSRF. Not generic, so the first download holds it once.
fn request(method: Method, path: String, query: &[(&str, String)], lang: Lang, kiosk: bool) -> gloo_net::http::RequestBuilder {
    let url = path + &query_string(query);
    let builder = match method {
        Method::Get => gloo_net::http::Request::get(&url),
        Method::Post => gloo_net::http::Request::post(&url),
        Method::Put => gloo_net::http::Request::put(&url),
        Method::Delete => gloo_net::http::Request::delete(&url),
    }
    .header("Accept-Language", lang.code());
    // An enrolled kiosk names itself on the calls its own rate limit counts (tickets, check-ins).
    match crate::device::kiosk_key().filter(|_| kiosk) {
        Some(key) => builder.header(tongban_shared::queue::KIOSK_HEADER, &key),
        None => builder,
    }
}

/// The request of one call to `E`, typed by its row: the row's method and path, its body type, and the
/// kiosk's key where the row's rate limit counts kiosks.
fn request_of<E: Endpoint>(args: &[&str], query: &[(&str, String)], lang: Lang) -> gloo_net::http::RequestBuilder {
    request(E::METHOD, path::<E>(args), query, lang, matches!(E::RATE, Some((_, RateKey::KioskOrClient))))
}

async fn send<E: Endpoint>(builder: gloo_net::http::RequestBuilder, body: &E::Body) -> Result<gloo_net::http::Response, ApiError>
where
    E::Body: Serialize,
{
    let req = if E::HAS_BODY { builder.json(body) } else { builder.build() };
    req.map_err(|_| ApiError::Network)?.send().await.map_err(|_| ApiError::Network)
}

/// One call to `E`: path parameters in template order, the query, the row's body (`&()` for none).
async fn call<E: Endpoint>(args: &[&str], query: &[(&str, String)], body: &E::Body, lang: Lang) -> Result<E::Reply, ApiError>
where
    E::Body: Serialize,
    E::Reply: DeserializeOwned,
{
    read(send::<E>(request_of::<E>(args, query, lang), body).await?).await
}

/// A read the page makes by itself (a timer), not the person: it carries `X-Background: 1`, so it does
/// not renew a staff session's idle timer (`tongban_shared::account::BACKGROUND_HEADER`).
async fn call_background<E: Endpoint>(args: &[&str], query: &[(&str, String)], body: &E::Body, lang: Lang) -> Result<E::Reply, ApiError>
where
    E::Body: Serialize,
    E::Reply: DeserializeOwned,
{
    let builder = request_of::<E>(args, query, lang).header(tongban_shared::account::BACKGROUND_HEADER, "1");
    read(send::<E>(builder, body).await?).await
}

/// Reads an answer: the body as `T` on success (nothing for 204 No Content), the shared error otherwise.
async fn read<T: DeserializeOwned>(resp: gloo_net::http::Response) -> Result<T, ApiError> {
    let status = resp.status();
    if resp.ok() {
        let bad = || ApiError::Server { status, code: None, field: None, message: None };
        if status == 204 {
            return from_js(wasm_bindgen::JsValue::UNDEFINED).map_err(|_| bad());
        }
        let parsed = web_sys::Response::from(resp).json().map_err(|_| bad())?;
        let v = wasm_bindgen_futures::JsFuture::from(parsed).await.map_err(|_| bad())?;
        from_js(v).map_err(|_| bad())
    } else {
        let body = resp.text().await.unwrap_or_default();
        Err(decode_error(status, &body))
    }
}

pub async fn me(lang: Lang) -> Result<Me, ApiError> {
    call::<ep::GetMe>(&[], &[], &(), lang).await
}

pub async fn register(r: &RegisterResident, lang: Lang) -> Result<Me, ApiError> {
    call::<ep::RegisterResident>(&[], &[], r, lang).await
}

pub async fn register_business(r: &RegisterBusiness, lang: Lang) -> Result<Me, ApiError> {
    call::<ep::RegisterBusiness>(&[], &[], r, lang).await
}

pub async fn agents(lang: Lang) -> Result<Vec<Agent>, ApiError> {
    call::<ep::ListAgents>(&[], &[], &(), lang).await
}

/// Invites a resident to be an agent: the answer is a pending invitation, whether or not they are registered.
pub async fn add_agent(a: &AddAgent, lang: Lang) -> Result<tongban_shared::account::AgentInvitation, ApiError> {
    call::<ep::AddAgent>(&[], &[], a, lang).await
}

pub async fn agent_invitations(lang: Lang) -> Result<Vec<tongban_shared::account::AgentInvitation>, ApiError> {
    call::<ep::ListAgentInvitations>(&[], &[], &(), lang).await
}

pub async fn answer_invitation(id: &str, accept: bool, lang: Lang) -> Result<tongban_shared::account::AgentInvitation, ApiError> {
    call::<ep::AnswerAgentInvitation>(&[id], &[], &tongban_shared::account::InvitationAnswer { accept }, lang).await
}

pub async fn remove_agent(id: &str, lang: Lang) -> Result<(), ApiError> {
    call::<ep::RemoveAgent>(&[id], &[], &(), lang).await
}

pub async fn my_businesses(lang: Lang) -> Result<Vec<BusinessRef>, ApiError> {
    call::<ep::ListMyBusinesses>(&[], &[], &(), lang).await
}

pub async fn change_password(c: &ChangePassword, lang: Lang) -> Result<(), ApiError> {
    call::<ep::ChangePassword>(&[], &[], c, lang).await
}

pub async fn delete_account(d: &DeleteAccount, lang: Lang) -> Result<(), ApiError> {
    call::<ep::DeleteMyAccount>(&[], &[], d, lang).await
}

pub async fn login(l: &Login, lang: Lang) -> Result<Me, ApiError> {
    call::<ep::Login>(&[], &[], l, lang).await
}

pub async fn logout(lang: Lang) -> Result<(), ApiError> {
    call::<ep::Logout>(&[], &[], &(), lang).await
}

pub async fn lookup_person(l: &PersonLookup, lang: Lang) -> Result<PersonRecord, ApiError> {
    call::<ep::LookupPerson>(&[], &[], l, lang).await
}

pub async fn staff_posts(lang: Lang) -> Result<Vec<StaffPost>, ApiError> {
    call::<ep::ListStaff>(&[], &[], &(), lang).await
}

pub async fn create_staff(s: &NewStaff, lang: Lang) -> Result<StaffPost, ApiError> {
    call::<ep::CreateStaff>(&[], &[], s, lang).await
}

pub async fn set_staff_status(id: &str, active: bool, lang: Lang) -> Result<StaffPost, ApiError> {
    call::<ep::SetStaffStatus>(&[id], &[], &tongban_shared::staff::StaffStatus { active }, lang).await
}

pub async fn reset_staff_password(id: &str, login: &str, lang: Lang) -> Result<tongban_shared::staff::TemporaryPassword, ApiError> {
    call::<ep::ResetStaffPassword>(&[id], &[], &tongban_shared::staff::PasswordReset { login: login.into() }, lang).await
}

pub async fn update_staff(id: &str, s: &StaffSettings, lang: Lang) -> Result<StaffPost, ApiError> {
    call::<ep::UpdateStaff>(&[id], &[], s, lang).await
}

pub async fn audit(lang: Lang) -> Result<Vec<AuditEntry>, ApiError> {
    call::<ep::ListAudit>(&[], &[], &(), lang).await
}

pub async fn availability(center: &str, item: &str, date: Option<&str>, lang: Lang) -> Result<tongban_shared::booking::Availability, ApiError> {
    let mut q = vec![("item", item.to_string())];
    if let Some(d) = date {
        q.push(("date", d.to_string()));
    }
    call::<ep::GetAvailability>(&[center], &q, &(), lang).await
}

/// Books a slot. `key` is made once per confirmation screen, so a double click or a retry after a
/// dropped connection returns the same booking instead of a second one.
pub async fn book(b: &tongban_shared::booking::NewBooking, key: &str, lang: Lang) -> Result<tongban_shared::booking::Booking, ApiError> {
    let builder = request_of::<ep::CreateBooking>(&[], &[], lang).header("Idempotency-Key", key);
    read(send::<ep::CreateBooking>(builder, b).await?).await
}

pub async fn my_bookings(lang: Lang) -> Result<Vec<tongban_shared::booking::Booking>, ApiError> {
    call::<ep::ListMyBookings>(&[], &[], &(), lang).await
}

pub async fn cancel_booking(id: &str, lang: Lang) -> Result<tongban_shared::booking::Booking, ApiError> {
    call::<ep::CancelBooking>(&[id], &[], &(), lang).await
}

pub async fn confirm_booking(id: &str, lang: Lang) -> Result<tongban_shared::booking::Booking, ApiError> {
    call::<ep::ConfirmBooking>(&[id], &[], &(), lang).await
}

pub async fn reschedule(id: &str, r: &tongban_shared::booking::Reschedule, lang: Lang) -> Result<tongban_shared::booking::Booking, ApiError> {
    call::<ep::RescheduleBooking>(&[id], &[], r, lang).await
}

pub async fn join_waitlist(b: &tongban_shared::booking::NewBooking, lang: Lang) -> Result<tongban_shared::booking::WaitlistEntry, ApiError> {
    call::<ep::JoinWaitlist>(&[], &[], b, lang).await
}

pub async fn my_waitlist(lang: Lang) -> Result<Vec<tongban_shared::booking::WaitlistEntry>, ApiError> {
    call::<ep::ListMyWaitlist>(&[], &[], &(), lang).await
}

pub async fn leave_waitlist(id: &str, lang: Lang) -> Result<(), ApiError> {
    call::<ep::LeaveWaitlist>(&[id], &[], &(), lang).await
}

pub async fn inbox(lang: Lang) -> Result<tongban_shared::notify::Inbox, ApiError> {
    call::<ep::ListNotifications>(&[], &[], &(), lang).await
}

/// The header's unread count, re-read every 30 s: a background read.
pub async fn inbox_poll(lang: Lang) -> Result<tongban_shared::notify::Inbox, ApiError> {
    call_background::<ep::ListNotifications>(&[], &[], &(), lang).await
}

pub async fn vapid_key(lang: Lang) -> Result<tongban_shared::notify::VapidKey, ApiError> {
    call::<ep::GetVapidKey>(&[], &[], &(), lang).await
}

pub async fn subscribe_push(sub: &tongban_shared::notify::PushSubscription, lang: Lang) -> Result<tongban_shared::notify::PushSubscription, ApiError> {
    call::<ep::Subscribe>(&[], &[], sub, lang).await
}

pub async fn notify_prefs(lang: Lang) -> Result<tongban_shared::notify::NotifyPrefs, ApiError> {
    call::<ep::GetNotifyPrefs>(&[], &[], &(), lang).await
}

pub async fn save_notify_prefs(p: &tongban_shared::notify::NotifyPrefs, lang: Lang) -> Result<tongban_shared::notify::NotifyPrefs, ApiError> {
    call::<ep::PutNotifyPrefs>(&[], &[], p, lang).await
}

pub async fn mark_read(id: &str, lang: Lang) -> Result<(), ApiError> {
    call::<ep::MarkNotificationRead>(&[id], &[], &(), lang).await
}

pub async fn mark_all_read(lang: Lang) -> Result<(), ApiError> {
    call::<ep::MarkAllNotificationsRead>(&[], &[], &(), lang).await
}

pub async fn take_ticket(center: &str, class: Option<&str>, lang: Lang) -> Result<tongban_shared::queue::Ticket, ApiError> {
    let q: Vec<(&str, String)> = class.map(|c| ("class", c.to_string())).into_iter().collect();
    call::<ep::TakeTicket>(&[center], &q, &(), lang).await
}

pub async fn kiosks(center: &str, lang: Lang) -> Result<Vec<tongban_shared::queue::Kiosk>, ApiError> {
    call::<ep::ListKiosks>(&[center], &[], &(), lang).await
}

pub async fn register_kiosk(center: &str, label: &str, lang: Lang) -> Result<tongban_shared::queue::KioskKey, ApiError> {
    call::<ep::CreateKiosk>(&[center], &[], &tongban_shared::queue::NewKiosk { label: label.to_string() }, lang).await
}

pub async fn revoke_kiosk(center: &str, id: &str, lang: Lang) -> Result<(), ApiError> {
    call::<ep::RevokeKiosk>(&[center, id], &[], &(), lang).await
}

pub async fn classes(center: &str, lang: Lang) -> Result<Vec<tongban_shared::queue::QueueClass>, ApiError> {
    call::<ep::ListClasses>(&[center], &[], &(), lang).await
}

pub async fn check_in(code: &str, lang: Lang) -> Result<tongban_shared::queue::Ticket, ApiError> {
    call::<ep::CheckIn>(&[], &[], &tongban_shared::queue::CheckIn { code: code.to_string() }, lang).await
}

pub async fn ticket(id: &str, lang: Lang) -> Result<tongban_shared::queue::Ticket, ApiError> {
    call::<ep::GetTicket>(&[id], &[], &(), lang).await
}

pub async fn calls(center: &str, lang: Lang) -> Result<Vec<tongban_shared::queue::Call>, ApiError> {
    call::<ep::RecentCalls>(&[center], &[], &(), lang).await
}

pub async fn call_next(center: &str, window: u32, lang: Lang) -> Result<tongban_shared::queue::Called, ApiError> {
    call::<ep::CallNext>(&[center, &window.to_string()], &[], &(), lang).await
}

#[cfg(feature = "console")]
pub async fn window_state(center: &str, window: u32, lang: Lang, background: bool) -> Result<tongban_shared::queue::WindowState, ApiError> {
    let args: &[&str] = &[center, &window.to_string()];
    if background {
        call_background::<ep::WindowState>(args, &[], &(), lang).await
    } else {
        call::<ep::WindowState>(args, &[], &(), lang).await
    }
}

#[cfg(feature = "console")]
pub async fn window_action(
    center: &str,
    window: u32,
    a: &tongban_shared::queue::WindowAction,
    lang: Lang,
) -> Result<tongban_shared::queue::WindowState, ApiError> {
    call::<ep::WindowAction>(&[center, &window.to_string()], &[], a, lang).await
}

#[cfg(feature = "console")]
pub async fn center_config(center: &str, lang: Lang) -> Result<tongban_shared::config::CenterConfig, ApiError> {
    call::<ep::GetCenterConfig>(&[center], &[], &(), lang).await
}

#[cfg(feature = "console")]
pub async fn save_center_config(c: &tongban_shared::config::CenterConfig, lang: Lang) -> Result<tongban_shared::config::CenterConfig, ApiError> {
    call::<ep::UpdateCenterConfig>(&[&c.center_id], &[], c, lang).await
}

#[cfg(feature = "console")]
pub async fn affected_bookings(center: &str, lang: Lang) -> Result<Vec<tongban_shared::config::AffectedBooking>, ApiError> {
    call::<ep::AffectedBookings>(&[center], &[], &(), lang).await
}

#[cfg(feature = "console")]
pub async fn center_cancel(id: &str, reason: &str, lang: Lang) -> Result<tongban_shared::booking::Booking, ApiError> {
    call::<ep::CenterCancelBooking>(&[id], &[], &tongban_shared::booking::StaffReason { reason: reason.to_string() }, lang).await
}

#[cfg(feature = "console")]
pub async fn set_calendar_day(d: &tongban_shared::config::CalendarDay, lang: Lang) -> Result<tongban_shared::config::CalendarDay, ApiError> {
    call::<ep::SetCalendarDay>(&[], &[], d, lang).await
}

#[cfg(feature = "console")]
pub async fn override_slot(center: &str, o: &tongban_shared::config::SlotOverride, lang: Lang) -> Result<tongban_shared::booking::SlotAvailability, ApiError> {
    call::<ep::OverrideSlot>(&[center], &[], o, lang).await
}

#[cfg(feature = "console")]
pub async fn lift_ban(l: &PersonLookup, lang: Lang) -> Result<tongban_shared::booking::BanStatus, ApiError> {
    call::<ep::LiftBan>(&[], &[], l, lang).await
}

pub async fn items(q: &ItemQuery, lang: Lang) -> Result<ItemPage, ApiError> {
    call::<ep::ListItems>(&[], &q.to_pairs(), &(), lang).await
}

pub async fn item(id: &str, version: Option<u32>, lang: Lang) -> Result<ItemDetail, ApiError> {
    match version {
        Some(v) => call::<ep::GetItemVersion>(&[id, &v.to_string()], &[], &(), lang).await,
        None => call::<ep::GetItem>(&[id], &[], &(), lang).await,
    }
}

pub async fn departments(lang: Lang) -> Result<Vec<Department>, ApiError> {
    call::<ep::ListDepartments>(&[], &[], &(), lang).await
}

pub async fn centers(lang: Lang) -> Result<Vec<Center>, ApiError> {
    call::<ep::ListCenters>(&[], &[], &(), lang).await
}

pub async fn center(id: &str, lang: Lang) -> Result<CenterDetail, ApiError> {
    call::<ep::GetCenter>(&[id], &[], &(), lang).await
}

pub async fn bundles(lang: Lang) -> Result<Vec<Bundle>, ApiError> {
    call::<ep::ListBundles>(&[], &[], &(), lang).await
}

pub async fn bundle(id: &str, lang: Lang) -> Result<Bundle, ApiError> {
    call::<ep::GetBundle>(&[id], &[], &(), lang).await
}

// 好差评: reviews, work orders, the public appraisal.

pub async fn review_target(ticket: Option<&str>, code: Option<&str>, lang: Lang) -> Result<tongban_shared::review::ReviewTarget, ApiError> {
    let mut q = Vec::new();
    if let Some(t) = ticket {
        q.push(("ticket", t.to_string()));
    }
    if let Some(c) = code {
        q.push(("code", c.to_string()));
    }
    call::<ep::ReviewTarget>(&[], &q, &(), lang).await
}

pub async fn review_case_target(case: &str, lang: Lang) -> Result<tongban_shared::review::ReviewTarget, ApiError> {
    call::<ep::ReviewTarget>(&[], &[("case", case.to_string())], &(), lang).await
}

pub async fn create_review(r: &tongban_shared::review::NewReview, lang: Lang) -> Result<tongban_shared::review::ReviewCreated, ApiError> {
    call::<ep::CreateReview>(&[], &[], r, lang).await
}

pub async fn my_reviews(lang: Lang) -> Result<tongban_shared::review::MyReviews, ApiError> {
    call::<ep::MyReviews>(&[], &[], &(), lang).await
}

pub async fn work_orders(state: Option<&str>, lang: Lang) -> Result<tongban_shared::review::OrderList, ApiError> {
    let q: Vec<(&str, String)> = state.map(|s| ("state", s.to_string())).into_iter().collect();
    call::<ep::ListWorkOrders>(&[], &q, &(), lang).await
}

pub async fn work_order(id: &str, lang: Lang) -> Result<tongban_shared::review::OrderDetail, ApiError> {
    call::<ep::GetWorkOrder>(&[id], &[], &(), lang).await
}

pub async fn work_order_action(id: &str, a: &tongban_shared::review::OrderAction, lang: Lang) -> Result<tongban_shared::review::OrderDetail, ApiError> {
    call::<ep::WorkOrderAction>(&[id], &[], a, lang).await
}

pub async fn dashboard(f: &tongban_shared::appraisal::DashFilter, lang: Lang) -> Result<tongban_shared::appraisal::Dashboard, ApiError> {
    call::<ep::Dashboard>(&[], &f.to_pairs(), &(), lang).await
}

pub async fn staff_appraisal(id: &str, lang: Lang) -> Result<tongban_shared::appraisal::Appraisal, ApiError> {
    call::<ep::StaffAppraisal>(&[id], &[], &(), lang).await
}

// 一表申请: forms, drafts, the e-licence library, uploads, applications and cases.

use tongban_shared::application as ap;

pub async fn bundle_form(id: &str, lang: Lang) -> Result<tongban_shared::form::MergedForm, ApiError> {
    call::<ep::GetBundleForm>(&[id], &[], &(), lang).await
}

pub async fn profile(lang: Lang) -> Result<ap::Profile, ApiError> {
    call::<ep::GetProfile>(&[], &[], &(), lang).await
}

pub async fn licences(lang: Lang) -> Result<Vec<ap::ELicence>, ApiError> {
    call::<ep::ListLicences>(&[], &[], &(), lang).await
}

pub async fn draft(bundle: &str, lang: Lang) -> Result<ap::Draft, ApiError> {
    call::<ep::GetDraft>(&[bundle], &[], &(), lang).await
}

pub async fn save_draft(bundle: &str, d: &ap::Draft, lang: Lang) -> Result<ap::Draft, ApiError> {
    call::<ep::PutDraft>(&[bundle], &[], d, lang).await
}

/// `POST /uploads?name=`: the file as the raw body, sent by the browser straight from the `File` (never
/// copied into wasm memory, no base64), through XMLHttpRequest because fetch reports no upload progress.
/// `progress` gets the percent sent as the bytes go out.
pub async fn upload(file: &web_sys::File, lang: Lang, progress: impl Fn(u32) + 'static) -> Result<ap::Upload, ApiError> {
    use wasm_bindgen::{closure::Closure, JsCast};
    let xhr = web_sys::XmlHttpRequest::new().map_err(|_| ApiError::Network)?;
    let url = path::<ep::CreateUpload>(&[]) + &query_string(&[("name", file.name())]);
    xhr.open(ep::CreateUpload::METHOD.as_str(), &url).map_err(|_| ApiError::Network)?;
    let _ = xhr.set_request_header("Accept-Language", lang.code());
    let _ = xhr.set_request_header("Content-Type", "application/octet-stream");
    let on_progress = Closure::<dyn Fn(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
        if e.length_computable() && e.total() > 0.0 {
            progress((e.loaded() / e.total() * 100.0).floor() as u32);
        }
    });
    if let Ok(up) = xhr.upload() {
        up.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    }
    // `loadend` comes after success, error, abort and timeout alike; the status tells them apart.
    let done = js_sys::Promise::new(&mut |resolve, _| xhr.set_onloadend(Some(&resolve)));
    xhr.send_with_opt_blob(Some(file)).map_err(|_| ApiError::Network)?;
    let _ = wasm_bindgen_futures::JsFuture::from(done).await;
    drop(on_progress);
    let status = xhr.status().unwrap_or(0);
    let body = xhr.response_text().ok().flatten().unwrap_or_default();
    match status {
        0 => Err(ApiError::Network),
        200..=299 => js_sys::JSON::parse(&body).ok().and_then(|v| from_js(v).ok()).ok_or(ApiError::Server { status, code: None, field: None, message: None }),
        _ => Err(decode_error(status, &body)),
    }
}

/// Submits the one form. A 400 carries every field at fault (`problems`).
pub async fn submit_application(
    a: &ap::NewApplication,
    key: &str,
    lang: Lang,
) -> Result<Result<ap::ApplicationView, Vec<tongban_shared::form::FieldProblem>>, ApiError> {
    let builder = request_of::<ep::CreateApplication>(&[], &[], lang).header("Idempotency-Key", key);
    let resp = send::<ep::CreateApplication>(builder, a).await?;
    if resp.status() == 400 {
        let body = resp.text().await.unwrap_or_default();
        if let Ok(p) = serde_json::from_str::<ap::Problems>(&body) {
            return Ok(Err(p.problems));
        }
        return Err(decode_error(400, &body));
    }
    read(resp).await.map(Ok)
}

pub async fn my_applications(lang: Lang) -> Result<Vec<ap::ApplicationSummary>, ApiError> {
    call::<ep::ListMyApplications>(&[], &[], &(), lang).await
}

pub async fn application(id: &str, lang: Lang) -> Result<ap::ApplicationView, ApiError> {
    call::<ep::GetApplication>(&[id], &[], &(), lang).await
}

pub async fn withdraw_application(id: &str, lang: Lang) -> Result<ap::ApplicationView, ApiError> {
    call::<ep::WithdrawApplication>(&[id], &[], &(), lang).await
}

pub async fn correct_application(id: &str, c: &ap::Correction, lang: Lang) -> Result<ap::ApplicationView, ApiError> {
    call::<ep::CorrectApplication>(&[id], &[], c, lang).await
}

pub async fn desk_queue(lang: Lang) -> Result<Vec<ap::ApplicationSummary>, ApiError> {
    call::<ep::DeskQueue>(&[], &[], &(), lang).await
}

pub async fn desk_act(id: &str, a: &ap::DeskAction, lang: Lang) -> Result<ap::ApplicationView, ApiError> {
    call::<ep::DeskAct>(&[id], &[], a, lang).await
}

pub async fn cases(lang: Lang) -> Result<Vec<ap::CaseView>, ApiError> {
    call::<ep::ListCases>(&[], &[], &(), lang).await
}

pub async fn case(id: &str, lang: Lang) -> Result<ap::CaseTask, ApiError> {
    call::<ep::GetCase>(&[id], &[], &(), lang).await
}

pub async fn case_act(id: &str, a: &ap::CaseAction, lang: Lang) -> Result<ap::CaseTask, ApiError> {
    call::<ep::ActCase>(&[id], &[], a, lang).await
}

pub async fn desk_licences(id_number: &str, lang: Lang) -> Result<Vec<ap::ELicence>, ApiError> {
    call::<ep::DeskLicences>(&[], &[], &ap::LicenceLookup { id_number: id_number.to_string() }, lang).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn encodes_chinese_and_metacharacters() {
        assert_eq!(encode("营业"), "%E8%90%A5%E4%B8%9A");
        assert_eq!(encode("a b&c=%'"), "a%20b%26c%3D%25%27");
        assert_eq!(query_string(&[]), "");
        assert_eq!(query_string(&[("q", "x y".into()), ("page", "2".into())]), "?q=x%20y&page=2");
    }

    /// A call's path is its row's template, filled in order and percent-encoded.
    #[wasm_bindgen_test::wasm_bindgen_test]
    fn paths_come_from_the_rows() {
        assert_eq!(path::<ep::GetItemVersion>(&["营业", "2"]), "/api/v1/items/%E8%90%A5%E4%B8%9A/versions/2");
        assert_eq!(path::<ep::RevokeKiosk>(&["putuo", "a/b"]), "/api/v1/centers/putuo/kiosks/a%2Fb");
        assert_eq!(path::<ep::OpenDataCsv>(&[]), "/api/v1/open-data/reviews.csv");
        assert_eq!(ep::CancelBooking::METHOD, Method::Post);
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn decodes_error_bodies() {
        let e = decode_error(400, r#"{"error":{"code":"query_too_long","message":"…","field":"q"}}"#);
        assert_eq!(e, ApiError::Server { status: 400, code: Some(ErrorCode::QueryTooLong), field: Some("q".into()), message: None });
        assert_eq!(e.text().get(Lang::En), "Search text must be at most 100 characters");
        let proxy = decode_error(502, "<html>bad gateway</html>");
        assert_eq!(proxy, ApiError::Server { status: 502, code: None, field: None, message: None });
        // A center's own limit reaches the message.
        let limit = decode_error(
            409,
            r#"{"error":{"code":"limit_reached","message":"Booking limit reached (one per item per day, 5 active in all)","field":null,"params":{"max":"5"}}}"#,
        );
        assert_eq!(limit.text().get(Lang::En), "Booking limit reached (one per item per day, 5 active in all)");
        let plain = decode_error(409, r#"{"error":{"code":"limit_reached","message":"whatever","field":null}}"#);
        assert_eq!(plain.text().get(Lang::En), "Booking limit reached", "without params, the code's own text");
        assert!(decode_error(404, r#"{"error":{"code":"item_not_found","message":"","field":null}}"#).is_not_found());
    }
}
