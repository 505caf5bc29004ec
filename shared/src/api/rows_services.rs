//! Rows of the route table (`crate::api_rows!`): Notifications and push, 好差评 and work orders, the appraisal, one-form applications and cases.
//! Each file's macro hands the rows so far on to the next one, so the table is one list in several files.

#[doc(hidden)]
#[macro_export]
macro_rules! __service_rows {
    ($cb:ident ; $($acc:tt)*) => {
        $cb!(; $($acc)*
            ListNotifications => notifications::list -> Inbox {
                method: Method::Get,
                path: "/api/v1/notifications",
                tag: "notifications",
                summary: "My inbox: the latest 50 notifications in both languages with deep links, and the unread count",
                errors: &[ErrorCode::Unauthenticated],
                access: Access::SignedIn,
            }
            MarkNotificationRead => notifications::mark_read -> () {
                method: Method::Post,
                path: "/api/v1/notifications/{id}/read",
                tag: "notifications",
                summary: "Mark one notification read",
                path_params: &[Param { name: "id", description: "Notification id", kind: ParamKind::Id }],
                ok_status: 204,
                errors: &[ErrorCode::BadId, ErrorCode::Unauthenticated, ErrorCode::CrossOrigin, ErrorCode::NotificationNotFound],
                access: Access::SignedIn,
            }
            MarkAllNotificationsRead => notifications::mark_all_read -> () {
                method: Method::Post,
                path: "/api/v1/notifications/read-all",
                tag: "notifications",
                summary: "Mark every notification read",
                ok_status: 204,
                errors: &[ErrorCode::Unauthenticated, ErrorCode::CrossOrigin],
                access: Access::SignedIn,
            }
            GetVapidKey => push::key -> VapidKey {
                method: Method::Get,
                path: "/api/v1/push/key",
                tag: "notifications",
                summary: "The VAPID public key to subscribe with (RFC 8292)",
                errors: &[ErrorCode::PushUnavailable],
                access: Access::Public,
            }
            Subscribe => push::subscribe(PushSubscription) -> PushSubscription {
                method: Method::Post,
                rate: Some(("RL_ACCOUNT", RateKey::Account)),
                path: "/api/v1/push/subscriptions",
                tag: "notifications",
                summary: "Store this browser's push subscription (https endpoint, P-256 key, auth secret)",
                ok_status: 201,
                errors: &[ErrorCode::MalformedJson, ErrorCode::InvalidSubscription, ErrorCode::TooManyDevices, ErrorCode::Unauthenticated, ErrorCode::CrossOrigin],
                access: Access::SignedIn,
            }
            Unsubscribe => push::unsubscribe -> () {
                method: Method::Delete,
                path: "/api/v1/push/subscriptions",
                tag: "notifications",
                summary: "Remove a push subscription of mine",
                query: &[Param { name: "endpoint", description: "The subscription endpoint", kind: ParamKind::Text { max_chars: $crate::notify::ENDPOINT_MAX as u32 } }],
                ok_status: 204,
                errors: &[ErrorCode::InvalidSubscription, ErrorCode::Unauthenticated, ErrorCode::CrossOrigin],
                access: Access::SignedIn,
            }
            GetNotifyPrefs => push::get_prefs -> NotifyPrefs {
                method: Method::Get,
                path: "/api/v1/notify/prefs",
                tag: "notifications",
                summary: "My notification preferences: which kinds may be pushed, quiet hours",
                errors: &[ErrorCode::Unauthenticated],
                access: Access::SignedIn,
            }
            PutNotifyPrefs => push::put_prefs(NotifyPrefs) -> NotifyPrefs {
                method: Method::Put,
                path: "/api/v1/notify/prefs",
                tag: "notifications",
                summary: "Save my notification preferences (the inbox always gets everything)",
                errors: &[ErrorCode::MalformedJson, ErrorCode::InvalidParameter, ErrorCode::Unauthenticated, ErrorCode::CrossOrigin],
                access: Access::SignedIn,
            }
            ReviewTarget => reviews::target -> ReviewTarget {
                method: Method::Get,
                rate: Some(("RL_LOOKUP", RateKey::Client)),
                path: "/api/v1/reviews/target",
                tag: "reviews",
                summary: "The finished service a review would rate: by the ticket's review code (anyone holding it) or by ticket id (the person served, signed in)",
                query: &[
                    Param { name: "ticket", description: "Ticket id", kind: ParamKind::Id },
                    Param { name: "code", description: "The 8-character review code printed on the ticket", kind: ParamKind::Text { max_chars: 12 } },
                    Param { name: "case", description: "A decided case of my application (一事一评)", kind: ParamKind::Id },
                ],
                errors: &[ErrorCode::BadId, ErrorCode::InvalidReview, ErrorCode::InvalidReviewCode, ErrorCode::ReviewNotFound, ErrorCode::Unauthenticated, ErrorCode::NotYourService, ErrorCode::TooManyAttempts],
                access: Access::Public,
            }
            CreateReview => reviews::create(NewReview) -> ReviewCreated {
                method: Method::Post,
                path: "/api/v1/reviews",
                tag: "reviews",
                summary: "Review a finished service (一次一评): five levels, the indicators, a reason and text for a bad review; a bad review opens a rectification work order",
                ok_status: 201,
                errors: &[
                    ErrorCode::TooManyAttempts,
                    ErrorCode::MalformedJson,
                    ErrorCode::BadId,
                    ErrorCode::InvalidReview,
                    ErrorCode::InvalidReviewCode,
                    ErrorCode::ReviewTextTooLong,
                    ErrorCode::ReasonCategoryRequired,
                    ErrorCode::ReviewTextRequired,
                    ErrorCode::ReviewNotFound,
                    ErrorCode::Unauthenticated,
                    ErrorCode::NotYourService,
                    ErrorCode::Forbidden,
                    ErrorCode::ServiceNotFinished,
                    ErrorCode::ReviewClosed,
                    ErrorCode::AlreadyReviewed,
                    ErrorCode::TooManyReviews,
                    ErrorCode::CrossOrigin,
                ],
                access: Access::Public,
            }
            MyReviews => reviewer::mine -> MyReviews {
                method: Method::Get,
                path: "/api/v1/reviews/mine",
                tag: "reviews",
                summary: "My finished services still open for review, and my reviews with their work orders",
                errors: &[ErrorCode::Unauthenticated],
                access: Access::SignedIn,
            }
            ListWorkOrders => work_orders::list -> OrderList {
                method: Method::Get,
                path: "/api/v1/work-orders",
                tag: "reviews",
                summary: "Rectification work orders (差评工单) of my department, my center, or all (district admin), overdue first",
                query: &[Param { name: "state", description: "Only orders in this state", kind: ParamKind::Enum(&["verifying", "invalid_pending", "invalid", "appealed", "rectifying", "extension_pending", "rectified", "closed"]) }],
                errors: &[ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::UnknownFilter],
                access: Access::Roles(ORDER_HANDLERS),
            }
            GetWorkOrder => work_orders::get -> OrderDetail {
                method: Method::Get,
                path: "/api/v1/work-orders/{id}",
                tag: "reviews",
                summary: "A work order with its review, history and what I may do now (its handlers and its reviewer)",
                path_params: &[ORDER_ID],
                errors: &[ErrorCode::BadId, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::WorkOrderNotFound],
                access: Access::SignedIn,
            }
            WorkOrderAction => work_orders::act(OrderAction) -> OrderDetail {
                method: Method::Post,
                path: "/api/v1/work-orders/{id}/actions",
                tag: "reviews",
                summary: "One step of the work order: verify, ask/approve invalid, appeal, extension, rectify, callback rating, close not fixed",
                path_params: &[ORDER_ID],
                errors: &[
                    ErrorCode::BadId,
                    ErrorCode::MalformedJson,
                    ErrorCode::NoteRequired,
                    ErrorCode::ExtensionTooLong,
                    ErrorCode::Unauthenticated,
                    ErrorCode::Forbidden,
                    ErrorCode::CrossOrigin,
                    ErrorCode::WorkOrderNotFound,
                    ErrorCode::InvalidTransition,
                ],
                access: Access::SignedIn,
            }
            Dashboard => appraisal::dashboard -> Dashboard {
                method: Method::Get,
                path: "/api/v1/dashboard",
                tag: "appraisal",
                summary: "The public appraisal: services, reviews and their rates per center, department, window, item and month; 12-month trend; rankings; the 一网通办 targets",
                query: DASH_QUERY,
                errors: &[ErrorCode::BadId, ErrorCode::InvalidParameter, ErrorCode::CenterNotFound, ErrorCode::DepartmentNotFound, ErrorCode::WindowNotFound, ErrorCode::ItemNotFound],
                cache: APPRAISAL,
                access: Access::Public,
            }
            OpenDataJson => appraisal::open_json -> OpenData {
                method: Method::Get,
                path: "/api/v1/open-data/reviews.json",
                tag: "appraisal",
                summary: "Open data: the appraisal's aggregates per month and unit as JSON, with licence and generation time (no personal data)",
                query: OPEN_QUERY,
                errors: &[ErrorCode::BadId, ErrorCode::InvalidParameter, ErrorCode::UnknownFilter, ErrorCode::CenterNotFound, ErrorCode::DepartmentNotFound, ErrorCode::WindowNotFound, ErrorCode::ItemNotFound],
                cache: APPRAISAL,
                access: Access::Public,
            }
            OpenDataCsv => appraisal::open_csv -> Raw {
                method: Method::Get,
                path: "/api/v1/open-data/reviews.csv",
                tag: "appraisal",
                summary: "Open data: the same aggregates as CSV (two `#` lines: licence, generation time)",
                query: OPEN_QUERY,
                errors: &[ErrorCode::BadId, ErrorCode::InvalidParameter, ErrorCode::UnknownFilter, ErrorCode::CenterNotFound, ErrorCode::DepartmentNotFound, ErrorCode::WindowNotFound, ErrorCode::ItemNotFound],
                cache: APPRAISAL,
                access: Access::Public,
            }
            StaffAppraisal => appraisal::staff -> Appraisal {
                method: Method::Get,
                path: "/api/v1/staff/{id}/appraisal",
                tag: "appraisal",
                summary: "One staff member's review results by month (admins of their scope, and the staff member)",
                path_params: &[Param { name: "id", description: "Staff account id", kind: ParamKind::Id }],
                errors: &[ErrorCode::BadId, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::StaffNotFound],
                access: Access::Roles(STAFF_ROLES),
            }
            GetBundleForm => applications::form -> MergedForm {
                method: Method::Get,
                path: "/api/v1/bundles/{id}/form",
                tag: "applications",
                summary: "The bundle's one form (一表申请): every item's fields merged, a shared question asked once, in steps",
                path_params: &[BUNDLE_ID],
                errors: &[ErrorCode::BadId, ErrorCode::BundleNotFound],
                cache: CATALOGUE,
                access: Access::Public,
            }
            GetProfile => applications::profile -> Profile {
                method: Method::Get,
                path: "/api/v1/me/profile",
                tag: "applications",
                summary: "My saved basic information for pre-filling forms (一次收齐、反复使用)",
                errors: &[ErrorCode::Unauthenticated],
                access: Access::SignedIn,
            }
            ListLicences => applications::licences -> Vec<ELicence> {
                method: Method::Get,
                path: "/api/v1/me/licences",
                tag: "applications",
                summary: "My e-licence library (电子证照库), with the fields a department would read",
                errors: &[ErrorCode::Unauthenticated],
                access: Access::SignedIn,
            }
            GetDraft => applications::get_draft -> Draft {
                method: Method::Get,
                path: "/api/v1/bundles/{id}/draft",
                tag: "applications",
                summary: "My saved draft of the bundle's form (resumable on any device)",
                path_params: &[BUNDLE_ID],
                errors: &[ErrorCode::BadId, ErrorCode::Unauthenticated],
                access: Access::SignedIn,
            }
            PutDraft => applications::put_draft(Draft) -> Draft {
                method: Method::Put,
                path: "/api/v1/bundles/{id}/draft",
                tag: "applications",
                summary: "Save my draft (only the form's own fields are kept)",
                path_params: &[BUNDLE_ID],
                errors: &[ErrorCode::BadId, ErrorCode::MalformedJson, ErrorCode::Unauthenticated, ErrorCode::CrossOrigin, ErrorCode::BundleNotFound],
                access: Access::SignedIn,
            }
            CreateApplication => applications::create(NewApplication) -> ApplicationView {
                method: Method::Post,
                path: "/api/v1/applications",
                tag: "applications",
                summary: "Submit the one form: one application (办件编号) with one case per item; a repeated Idempotency-Key returns the same application; the front desk may enter it for a resident at the window (代办, with their consent)",
                headers: &[Param { name: "Idempotency-Key", description: "8–64 characters; a retry with the same key makes no second application", kind: ParamKind::Text { max_chars: 64 } }],
                ok_status: 201,
                errors: &[ErrorCode::MalformedJson, ErrorCode::BadId, ErrorCode::IdempotencyKeyRequired, ErrorCode::InvalidForm, ErrorCode::BundleNotFound, ErrorCode::CenterNotFound, ErrorCode::Unauthenticated, ErrorCode::CrossOrigin, ErrorCode::Forbidden, ErrorCode::ConsentRequired, ErrorCode::InvalidIdNumber, ErrorCode::NotAResident],
                access: Access::SignedIn,
            }
            ListMyApplications => applications::mine -> Vec<ApplicationSummary> {
                method: Method::Get,
                path: "/api/v1/applications",
                tag: "applications",
                summary: "My applications, newest first",
                errors: &[ErrorCode::Unauthenticated],
                access: Access::SignedIn,
            }
            GetApplication => applications::get -> ApplicationView {
                method: Method::Get,
                path: "/api/v1/applications/{id}",
                tag: "applications",
                summary: "An application with its cases, answers and timeline (the applicant, or the front desk of its center: audited)",
                path_params: &[HEX_ID],
                errors: &[ErrorCode::BadId, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::ApplicationNotFound],
                access: Access::SignedIn,
            }
            WithdrawApplication => applications::withdraw -> ApplicationView {
                method: Method::Post,
                path: "/api/v1/applications/{id}/withdraw",
                tag: "applications",
                summary: "Withdraw my application before it is accepted",
                path_params: &[HEX_ID],
                errors: &[ErrorCode::BadId, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CrossOrigin, ErrorCode::ApplicationNotFound, ErrorCode::InvalidTransition],
                access: Access::SignedIn,
            }
            CorrectApplication => applications::correct(Correction) -> ApplicationView {
                method: Method::Post,
                path: "/api/v1/applications/{id}/correction",
                tag: "applications",
                summary: "Answer a correction request (补正): only the fields asked change",
                path_params: &[HEX_ID],
                errors: &[ErrorCode::BadId, ErrorCode::MalformedJson, ErrorCode::InvalidForm, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CrossOrigin, ErrorCode::ApplicationNotFound, ErrorCode::InvalidTransition],
                access: Access::SignedIn,
            }
            DeskQueue => applications::desk_queue -> Vec<ApplicationSummary> {
                method: Method::Get,
                path: "/api/v1/desk/applications",
                tag: "applications",
                summary: "The front desk's queue (前台综合受理): its center's applications to accept, correct, or hand out",
                errors: &[ErrorCode::Unauthenticated, ErrorCode::Forbidden],
                access: Access::Roles(FRONT_DESK),
            }
            DeskAct => applications::desk_act(DeskAction) -> ApplicationView {
                method: Method::Post,
                path: "/api/v1/applications/{id}/desk",
                tag: "applications",
                summary: "Front desk: accept (cases go to the departments), ask for corrections per field, reject with a reason, or hand out the results (出件)",
                path_params: &[HEX_ID],
                errors: &[ErrorCode::BadId, ErrorCode::MalformedJson, ErrorCode::NoteRequired, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CrossOrigin, ErrorCode::ApplicationNotFound, ErrorCode::InvalidTransition],
                access: Access::Roles(FRONT_DESK),
            }
            ListCases => applications::cases -> Vec<CaseView> {
                method: Method::Get,
                path: "/api/v1/cases",
                tag: "applications",
                summary: "My department's cases (后台分类办理), open ones first by deadline",
                errors: &[ErrorCode::Unauthenticated, ErrorCode::Forbidden],
                access: Access::Roles(APPROVERS),
            }
            GetCase => applications::get_case -> CaseTask {
                method: Method::Get,
                path: "/api/v1/cases/{id}",
                tag: "applications",
                summary: "A case with my department's part of the answers and the shared e-licences (audited)",
                path_params: &[HEX_ID],
                errors: &[ErrorCode::BadId, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CaseNotFound],
                access: Access::Roles(APPROVERS),
            }
            ActCase => applications::act_case(CaseAction) -> CaseTask {
                method: Method::Post,
                path: "/api/v1/cases/{id}/actions",
                tag: "applications",
                summary: "A step of the item's approval chain: pass on, return, or decide (approve / refuse with the reason)",
                path_params: &[HEX_ID],
                errors: &[ErrorCode::BadId, ErrorCode::MalformedJson, ErrorCode::NoteRequired, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CrossOrigin, ErrorCode::CaseNotFound, ErrorCode::InvalidTransition],
                access: Access::Roles(APPROVERS),
            }
            CreateUpload => applications::upload -> Upload {
                method: Method::Post,
                rate: Some(("RL_ACCOUNT", RateKey::Account)),
                path: "/api/v1/uploads",
                tag: "applications",
                summary: "Upload a material for a form: the file itself as the body (PDF, JPEG or PNG by its bytes, at most 5 MB), its name in `?name=`",
                query: &[Param {
                    name: "name",
                    description: "The file's name as the person chose it (shown, never trusted)",
                    kind: ParamKind::Text { max_chars: $crate::application::UPLOAD_NAME_INPUT_MAX as u32 },
                }],
                body: Some(binary_body),
                ok_status: 201,
                errors: &[ErrorCode::UnsupportedFile, ErrorCode::FieldTooLong, ErrorCode::FileTooLarge, ErrorCode::UploadQuota, ErrorCode::Unauthenticated, ErrorCode::CrossOrigin],
                access: Access::SignedIn,
            }
            GetUpload => applications::get_upload -> Raw {
                method: Method::Get,
                path: "/api/v1/uploads/{id}",
                tag: "applications",
                summary: "An uploaded file, as a download: to its owner, the front desk of an application pointing to it, or a department with a case in it (audited)",
                path_params: &[HEX_ID],
                errors: &[ErrorCode::BadId, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::UploadNotFound],
                access: Access::SignedIn,
            }
            DeskLicences => applications::desk_licences($crate::application::LicenceLookup) -> Vec<ELicence> {
                method: Method::Post,
                path: "/api/v1/desk/licences",
                tag: "applications",
                summary: "A resident's e-licences, for the front desk entering an application for them (代办; audited; the ID number in the body)",
                errors: &[ErrorCode::MalformedJson, ErrorCode::InvalidIdNumber, ErrorCode::NotAResident, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CrossOrigin],
                access: Access::Roles(FRONT_DESK),
            }
            ListKiosks => kiosks::list -> Vec<Kiosk> {
                method: Method::Get,
                path: "/api/v1/centers/{id}/kiosks",
                tag: "queue",
                summary: "The center's registered kiosks (自助终端), revoked ones last",
                path_params: &[Param { name: "id", description: "Center slug", kind: ParamKind::Slug }],
                errors: &[ErrorCode::BadId, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::WrongCenter],
                access: Access::Roles(ADMINS),
            }
            CreateKiosk => kiosks::create(NewKiosk) -> KioskKey {
                method: Method::Post,
                path: "/api/v1/centers/{id}/kiosks",
                tag: "queue",
                summary: "Register a kiosk: its key is in the answer once (only a digest is kept); the machine sends it as X-Kiosk-Key",
                path_params: &[Param { name: "id", description: "Center slug", kind: ParamKind::Slug }],
                ok_status: 201,
                errors: &[
                    ErrorCode::BadId,
                    ErrorCode::MalformedJson,
                    ErrorCode::InvalidLabel,
                    ErrorCode::CenterNotFound,
                    ErrorCode::TooManyKiosks,
                    ErrorCode::Unauthenticated,
                    ErrorCode::Forbidden,
                    ErrorCode::WrongCenter,
                    ErrorCode::CrossOrigin,
                ],
                access: Access::Roles(ADMINS),
            }
            RevokeKiosk => kiosks::revoke -> () {
                method: Method::Delete,
                path: "/api/v1/centers/{id}/kiosks/{kiosk}",
                tag: "queue",
                summary: "Revoke a kiosk: its key stops working at once",
                path_params: &[Param { name: "id", description: "Center slug", kind: ParamKind::Slug }, Param { name: "kiosk", description: "Kiosk id", kind: ParamKind::Id }],
                ok_status: 204,
                errors: &[ErrorCode::BadId, ErrorCode::KioskNotFound, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::WrongCenter, ErrorCode::CrossOrigin],
                access: Access::Roles(ADMINS),
            }
        );
    };
}
