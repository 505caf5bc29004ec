//! tongban-app: the resident- and business-facing single-page app (Leptos, client-side rendered, wasm).
//!
//! Layout:
//! - [`api`]        — typed client of `/api/v1`, over the `tongban-shared` types.
//! - [`i18n`]       — UI strings in zh-CN (default) and English, checked at compile time; page titles.
//! - [`state`]      — preferences (language, elder mode), the session, the inbox tick.
//! - [`device`]     — what this browser keeps in localStorage, the kiosk key among it.
//! - [`components`] — header, async states with retry, badges, item cards, the search form.
//! - [`pages`]      — one module per route: home, search, item guide, centers, center, bundle, sign-in,
//!                    registration, my info, the staff console (look-up, posts, audit log), not found.
//!
//! `index.html` paints a static header before the wasm arrives; [`start`] replaces it with the app.

pub mod api;
pub mod components;
pub mod device;
pub mod i18n;
pub mod pages;
pub mod push;
pub mod state;

use components::{Footer, Header};
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, Lazy};
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
// The console bundle's own pages: a staff desk, a hall screen or the public dashboard fetches its page only.
#[cfg(feature = "console")]
lazy_pages! {
    StaffRoute => pages::staff::StaffHome,
    LookupRoute => pages::staff::lookup::LookupPage,
    PostsRoute => pages::staff::posts::PostsPage,
    AuditRoute => pages::staff::audit::AuditPage,
    CenterConfigRoute => pages::staff::center::CenterConfigPage,
    WindowRoute => pages::devices::window::WindowPage,
    KioskRoute => pages::devices::kiosk::KioskPage,
    DisplayRoute => pages::devices::display::DisplayPage,
    ReviewRoute => pages::review::ReviewPage,
    ReviewsRoute => pages::reviews::ReviewsPage,
    DashboardRoute => pages::dashboard::DashboardPage,
    ApplyRoute => pages::apply::ApplyPage,
    ApplicationsRoute => pages::applications::ApplicationsPage,
    ApplicationRoute => pages::applications::ApplicationPage,
    LicencesRoute => pages::applications::LicencesPage,
    DeskRoute => pages::staff::desk::DeskPage,
    DeskApplicationRoute => pages::staff::desk::DeskApplicationPage,
    CasesRoute => pages::staff::desk::CasesPage,
    CaseRoute => pages::staff::desk::CasePage,
    WorkOrdersRoute => pages::staff::work_orders::WorkOrdersPage,
    WorkOrderRoute => pages::staff::work_orders::WorkOrderPage,
    AppraisalRoute => pages::staff::appraisal::AppraisalPage,
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
    let session = state::Session::unchecked();
    provide_context(session);
    leptos::task::spawn_local(async move { session.set(api::me(tongban_shared::Lang::Zh).await.ok()) });
    provide_context(state::InboxTick(RwSignal::new(0)));
    // In the resident bundle a console page is not a route: `NotFound` reloads it into the console bundle.
    #[cfg(not(feature = "console"))]
    return app_view!();
    #[cfg(feature = "console")]
    app_view! {
        <Route path=path!("/staff") view={Lazy::<StaffRoute>::new()}/>
        <Route path=path!("/staff/lookup") view={Lazy::<LookupRoute>::new()}/>
        <Route path=path!("/staff/posts") view={Lazy::<PostsRoute>::new()}/>
        <Route path=path!("/staff/audit") view={Lazy::<AuditRoute>::new()}/>
        <Route path=path!("/staff/center") view={Lazy::<CenterConfigRoute>::new()}/>
        <Route path=path!("/staff/window") view={Lazy::<WindowRoute>::new()}/>
        <Route path=path!("/kiosk/:center") view={Lazy::<KioskRoute>::new()}/>
        <Route path=path!("/display/:center") view={Lazy::<DisplayRoute>::new()}/>
        <Route path=path!("/review") view={Lazy::<ReviewRoute>::new()}/>
        <Route path=path!("/reviews") view={Lazy::<ReviewsRoute>::new()}/>
        <Route path=path!("/dashboard") view={Lazy::<DashboardRoute>::new()}/>
        <Route path=path!("/apply/:bundle") view={Lazy::<ApplyRoute>::new()}/>
        <Route path=path!("/applications") view={Lazy::<ApplicationsRoute>::new()}/>
        <Route path=path!("/applications/:id") view={Lazy::<ApplicationRoute>::new()}/>
        <Route path=path!("/licences") view={Lazy::<LicencesRoute>::new()}/>
        <Route path=path!("/staff/desk") view={Lazy::<DeskRoute>::new()}/>
        <Route path=path!("/staff/desk/:id") view={Lazy::<DeskApplicationRoute>::new()}/>
        <Route path=path!("/staff/cases") view={Lazy::<CasesRoute>::new()}/>
        <Route path=path!("/staff/cases/:id") view={Lazy::<CaseRoute>::new()}/>
        <Route path=path!("/staff/work-orders") view={Lazy::<WorkOrdersRoute>::new()}/>
        <Route path=path!("/staff/work-orders/:id") view={Lazy::<WorkOrderRoute>::new()}/>
        <Route path=path!("/staff/appraisal/:id") view={Lazy::<AppraisalRoute>::new()}/>
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
