//! tongban-app: the resident- and business-facing single-page app (Leptos, client-side rendered, wasm).
//!
//! Layout:
//! - [`api`]        — typed client of `/api/v1`, over the `tongban-shared` types.
//! - [`i18n`]       — UI strings in zh-CN (default) and English, checked at compile time.
//! - [`state`]      — preferences (language, elder mode) persisted in localStorage; the session; titles.
//! - [`components`] — header, async states with retry, badges, item cards, the search form.
//! - [`pages`]      — one module per route: home, search, item guide, centers, center, bundle, sign-in,
//!                    registration, my info, the staff console (look-up, posts, audit log), not found.
//!
//! `index.html` paints a static header before the wasm arrives; [`start`] replaces it with the app.

pub mod api;
pub mod push;
pub mod components;
pub mod i18n;
pub mod pages;
pub mod state;

use components::{Footer, Header};
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;
#[cfg(feature = "console")]
use pages::devices::{display::DisplayPage, kiosk::KioskPage, window::WindowPage};
#[cfg(feature = "console")]
use pages::staff::{appraisal::AppraisalPage, desk::{CasePage, CasesPage, DeskApplicationPage, DeskPage}, audit::AuditPage, center::CenterConfigPage, lookup::LookupPage, posts::PostsPage, work_orders::{WorkOrderPage, WorkOrdersPage}, StaffHome};
#[cfg(feature = "console")]
use pages::{applications::{ApplicationPage, ApplicationsPage, LicencesPage}, apply::ApplyPage, dashboard::DashboardPage, review::ReviewPage, reviews::ReviewsPage};
use pages::{book::BookPage, bookings::BookingsPage, bundle::BundlePage, center::CenterPage, centers::Centers, home::Home, inbox::InboxPage, item::Item, login::LoginPage, me::MePage, not_found::NotFound, register::RegisterPage, register_business::RegisterBusinessPage, search::Search, ticket::TicketPage};

#[component]
pub fn App() -> impl IntoView {
    provide_context(state::Prefs::load());
    provide_context(state::Session::load());
    provide_context(state::InboxTick(RwSignal::new(0)));
    view! {
        <Router>
            <Header/>
            <main id="main" tabindex="-1">
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=path!("/") view=Home/>
                    <Route path=path!("/search") view=Search/>
                    <Route path=path!("/items/:id") view=Item/>
                    <Route path=path!("/centers") view=Centers/>
                    <Route path=path!("/centers/:id") view=CenterPage/>
                    <Route path=path!("/bundles/:id") view=BundlePage/>
                    <Route path=path!("/book/:item") view=BookPage/>
                    <Route path=path!("/bookings") view=BookingsPage/>
                    <Route path=path!("/inbox") view=InboxPage/>
                    <Route path=path!("/login") view=LoginPage/>
                    <Route path=path!("/register") view=RegisterPage/>
                    <Route path=path!("/register/business") view=RegisterBusinessPage/>
                    <Route path=path!("/me") view=MePage/>
                    <Route path=path!("/staff") view=StaffHome/>
                    <Route path=path!("/staff/lookup") view=LookupPage/>
                    <Route path=path!("/staff/posts") view=PostsPage/>
                    <Route path=path!("/staff/audit") view=AuditPage/>
                    <Route path=path!("/staff/center") view=CenterConfigPage/>
                    <Route path=path!("/staff/window") view=WindowPage/>
                    <Route path=path!("/kiosk/:center") view=KioskPage/>
                    <Route path=path!("/display/:center") view=DisplayPage/>
                    <Route path=path!("/tickets/:id") view=TicketPage/>
                    <Route path=path!("/review") view=ReviewPage/>
                    <Route path=path!("/reviews") view=ReviewsPage/>
                    <Route path=path!("/dashboard") view=DashboardPage/>
                    <Route path=path!("/apply/:bundle") view=ApplyPage/>
                    <Route path=path!("/applications") view=ApplicationsPage/>
                    <Route path=path!("/applications/:id") view=ApplicationPage/>
                    <Route path=path!("/licences") view=LicencesPage/>
                    <Route path=path!("/staff/desk") view=DeskPage/>
                    <Route path=path!("/staff/desk/:id") view=DeskApplicationPage/>
                    <Route path=path!("/staff/cases") view=CasesPage/>
                    <Route path=path!("/staff/cases/:id") view=CasePage/>
                    <Route path=path!("/staff/work-orders") view=WorkOrdersPage/>
                    <Route path=path!("/staff/work-orders/:id") view=WorkOrderPage/>
                    <Route path=path!("/staff/appraisal/:id") view=AppraisalPage/>
                </Routes>
            </main>
            <Footer/>
        </Router>
    }
}

/// In the resident bundle, console routes (`/staff…`, `/kiosk…`, `/display…`) and the 好差评 pages
/// (`/review`, `/reviews`, `/dashboard`) reload the page: the boot module then loads the second bundle.
/// The first one a phone downloads stays what residents need to find, book and queue.
#[cfg(not(feature = "console"))]
mod console_stub {
    use leptos::prelude::*;

    #[component]
    pub fn ConsoleRedirect() -> impl IntoView {
        // Load the route's own URL, not `reload()`: the router renders the new route before it pushes
        // the URL into the history, so a reload would load the page we came from.
        let loc = leptos_router::hooks::use_location();
        let search = loc.search.get_untracked();
        let url = if search.is_empty() { loc.pathname.get_untracked() } else { format!("{}?{search}", loc.pathname.get_untracked()) };
        let _ = window().location().set_href(&url);
        view! { <crate::components::Loading/> }
    }
    pub use ConsoleRedirect as StaffHome;
    pub use ConsoleRedirect as LookupPage;
    pub use ConsoleRedirect as PostsPage;
    pub use ConsoleRedirect as AuditPage;
    pub use ConsoleRedirect as CenterConfigPage;
    pub use ConsoleRedirect as KioskPage;
    pub use ConsoleRedirect as DisplayPage;
    pub use ConsoleRedirect as WindowPage;
    pub use ConsoleRedirect as DashboardPage;
    pub use ConsoleRedirect as WorkOrdersPage;
    pub use ConsoleRedirect as WorkOrderPage;
    pub use ConsoleRedirect as AppraisalPage;
    pub use ConsoleRedirect as ReviewPage;
    pub use ConsoleRedirect as ReviewsPage;
    pub use ConsoleRedirect as ApplyPage;
    pub use ConsoleRedirect as ApplicationsPage;
    pub use ConsoleRedirect as ApplicationPage;
    pub use ConsoleRedirect as LicencesPage;
    pub use ConsoleRedirect as DeskPage;
    pub use ConsoleRedirect as DeskApplicationPage;
    pub use ConsoleRedirect as CasesPage;
    pub use ConsoleRedirect as CasePage;
}
#[cfg(not(feature = "console"))]
use console_stub::{ApplicationPage, ApplicationsPage, ApplyPage, CasePage, CasesPage, DeskApplicationPage, DeskPage, LicencesPage, AppraisalPage, AuditPage, CenterConfigPage, DashboardPage, DisplayPage, KioskPage, LookupPage, PostsPage, ReviewPage, ReviewsPage, StaffHome, WindowPage, WorkOrderPage, WorkOrdersPage};

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    let Some(root) = document().get_element_by_id("app") else { return };
    // The static shell (header + "loading") stays visible until this point; now the app takes over.
    root.set_inner_html("");
    use wasm_bindgen::JsCast;
    let root: web_sys::HtmlElement = root.unchecked_into();
    leptos::mount::mount_to(root, App).forget();
}

// The app's tests run in headless Chromium (`cargo xtask test --only wasm`), where they exercise the
// real DOM and the very `tongban-shared` code the edge runs.
#[cfg(test)]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
