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
use leptos_router::{path, Lazy};
#[cfg(feature = "console")]
use pages::devices::{display::DisplayPage, kiosk::KioskPage, window::WindowPage};
#[cfg(feature = "console")]
use pages::staff::{appraisal::AppraisalPage, desk::{CasePage, CasesPage, DeskApplicationPage, DeskPage}, audit::AuditPage, center::CenterConfigPage, lookup::LookupPage, posts::PostsPage, work_orders::{WorkOrderPage, WorkOrdersPage}, StaffHome};
#[cfg(feature = "console")]
use pages::{applications::{ApplicationPage, ApplicationsPage, LicencesPage}, apply::ApplyPage, dashboard::DashboardPage, review::ReviewPage, reviews::ReviewsPage};
use pages::{home::Home, not_found::NotFound};

/// Every page but the home page is a lazy route. In the release build (feature `split`, which xtask
/// turns on) each is a split point: its code, and the views it alone instantiates, go into a wasm chunk
/// the router fetches when the page is first visited, so a phone's first download is the framework, the
/// shell and the home page. Other builds (the wasm tests) have no chunk loader, so there the route only
/// awaits nothing, and behaves the same.
macro_rules! lazy_pages {
    ($($route:ident => $page:path),* $(,)?) => {$(
        struct $route;
        #[cfg(feature = "split")]
        #[leptos_router::lazy_route]
        impl leptos_router::LazyRoute for $route {
            fn data() -> Self {
                $route
            }
            fn view(_this: Self) -> AnyView {
                view! { <$page/> }.into_any()
            }
        }
        #[cfg(not(feature = "split"))]
        impl leptos_router::LazyRoute for $route {
            fn data() -> Self {
                $route
            }
            async fn view(_this: Self) -> AnyView {
                view! { <$page/> }.into_any()
            }
        }
    )*};
}
lazy_pages! {
    SearchRoute => pages::search::Search,
    ItemRoute => pages::item::Item,
    CentersRoute => pages::centers::Centers,
    CenterRoute => pages::center::CenterPage,
    BundleRoute => pages::bundle::BundlePage,
    BookRoute => pages::book::BookPage,
    BookingsRoute => pages::bookings::BookingsPage,
    InboxRoute => pages::inbox::InboxPage,
    LoginRoute => pages::login::LoginPage,
    RegisterRoute => pages::register::RegisterPage,
    RegisterBusinessRoute => pages::register_business::RegisterBusinessPage,
    MeRoute => pages::me::MePage,
    TicketRoute => pages::ticket::TicketPage,
}

/// The app around its routes: the resident pages, then `$console` (the console bundle's own routes, or
/// nothing). A macro, so both bundles share one list of resident routes.
macro_rules! app_view {
    ($($console:tt)*) => {
        view! {
            <Router>
                <Header/>
                <main id="main" tabindex="-1">
                    <Routes fallback=|| view! { <NotFound/> }>
                        <Route path=path!("/") view=Home/>
                        <Route path=path!("/search") view={Lazy::<SearchRoute>::new()}/>
                        <Route path=path!("/items/:id") view={Lazy::<ItemRoute>::new()}/>
                        <Route path=path!("/centers") view={Lazy::<CentersRoute>::new()}/>
                        <Route path=path!("/centers/:id") view={Lazy::<CenterRoute>::new()}/>
                        <Route path=path!("/bundles/:id") view={Lazy::<BundleRoute>::new()}/>
                        <Route path=path!("/book/:item") view={Lazy::<BookRoute>::new()}/>
                        <Route path=path!("/bookings") view={Lazy::<BookingsRoute>::new()}/>
                        <Route path=path!("/inbox") view={Lazy::<InboxRoute>::new()}/>
                        <Route path=path!("/login") view={Lazy::<LoginRoute>::new()}/>
                        <Route path=path!("/register") view={Lazy::<RegisterRoute>::new()}/>
                        <Route path=path!("/register/business") view={Lazy::<RegisterBusinessRoute>::new()}/>
                        <Route path=path!("/me") view={Lazy::<MeRoute>::new()}/>
                        <Route path=path!("/tickets/:id") view={Lazy::<TicketRoute>::new()}/>
                        $($console)*
                    </Routes>
                </main>
                <Footer/>
            </Router>
        }
    };
}

#[component]
pub fn App() -> impl IntoView {
    provide_context(state::Prefs::load());
    provide_context(state::Session::load());
    provide_context(state::InboxTick(RwSignal::new(0)));
    // In the resident bundle a console page is not a route: `NotFound` reloads it into the console bundle.
    #[cfg(not(feature = "console"))]
    return app_view!();
    #[cfg(feature = "console")]
    app_view! {
        <Route path=path!("/staff") view=StaffHome/>
        <Route path=path!("/staff/lookup") view=LookupPage/>
        <Route path=path!("/staff/posts") view=PostsPage/>
        <Route path=path!("/staff/audit") view=AuditPage/>
        <Route path=path!("/staff/center") view=CenterConfigPage/>
        <Route path=path!("/staff/window") view=WindowPage/>
        <Route path=path!("/kiosk/:center") view=KioskPage/>
        <Route path=path!("/display/:center") view=DisplayPage/>
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
    }
}

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
