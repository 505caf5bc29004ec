//! Rows of the route table (`crate::api_rows!`): The public catalogue, accounts and sessions, agents, staff posts and the audit log.
//! Each file's macro hands the rows so far on to the next one, so the table is one list in several files.

#[doc(hidden)]
#[macro_export]
macro_rules! __people_rows {
    ($cb:ident ; $($acc:tt)*) => {
        $crate::__hall_rows!($cb ; $($acc)*
            Health => health::handle -> Health {
                method: Method::Get,
                path: "/api/v1/health",
                tag: "system",
                summary: "Build version and whether D1 and KV answer",
                errors: &[ErrorCode::Unavailable],
                access: Access::Public,
            }
            OpenApi => openapi::serve -> serde_json::Value {
                method: Method::Get,
                path: "/api/v1/openapi.json",
                tag: "system",
                summary: "This OpenAPI 3.1 document, generated from the route table",
                errors: &[],
                cache: CATALOGUE,
                access: Access::Public,
            }
            ListItems => items::list -> ItemPage {
                method: Method::Get,
                path: "/api/v1/items",
                tag: "catalogue",
                summary: "List, filter and search service items (政务服务事项)",
                query: &[
                    Param { name: "q", description: "Search text, Chinese or English; matched as substrings (at most 100 characters, 8 words)", kind: ParamKind::Text { max_chars: 100 } },
                    Param { name: "dept", description: "Department slug", kind: ParamKind::Slug },
                    Param { name: "center", description: "Only items handled at this center", kind: ParamKind::Slug },
                    Param { name: "kind", description: "Item type", kind: ParamKind::Enum(&["admin_power", "public_service"]) },
                    Param { name: "flag", description: "Items carrying all these flags (comma-separated or repeated)", kind: ParamKind::List(FLAGS) },
                    Param { name: "page", description: "1-based page", kind: ParamKind::Int { min: 1, max: 10_000 } },
                    Param { name: "per_page", description: "Items per page", kind: ParamKind::Int { min: 1, max: 50 } },
                ],
                errors: &[ErrorCode::QueryTooLong, ErrorCode::TooManyTerms, ErrorCode::BadPage, ErrorCode::UnknownFilter, ErrorCode::BadId],
                cache: CATALOGUE,
                access: Access::Public,
            }
            GetItem => items::get -> ItemDetail {
                method: Method::Get,
                path: "/api/v1/items/{id}",
                tag: "catalogue",
                summary: "An item with its current office guide (办事指南)",
                path_params: &[ITEM_ID],
                errors: &[ErrorCode::BadId, ErrorCode::ItemNotFound],
                cache: CATALOGUE,
                access: Access::Public,
            }
            ListItemVersions => items::versions -> Vec<GuideVersionInfo> {
                method: Method::Get,
                path: "/api/v1/items/{id}/versions",
                tag: "catalogue",
                summary: "Every published version of an item's guide",
                path_params: &[ITEM_ID],
                errors: &[ErrorCode::BadId, ErrorCode::ItemNotFound],
                cache: CATALOGUE,
                access: Access::Public,
            }
            GetItemVersion => items::get_version -> ItemDetail {
                method: Method::Get,
                path: "/api/v1/items/{id}/versions/{version}",
                tag: "catalogue",
                summary: "An item with one published version of its guide",
                path_params: &[ITEM_ID, Param { name: "version", description: "Guide version, from 1", kind: ParamKind::Int { min: 1, max: 10_000 } }],
                errors: &[ErrorCode::BadId, ErrorCode::ItemNotFound, ErrorCode::VersionNotFound],
                cache: CATALOGUE,
                access: Access::Public,
            }
            ListDepartments => departments::list -> Vec<Department> {
                method: Method::Get,
                path: "/api/v1/departments",
                tag: "catalogue",
                summary: "Departments (部门)",
                errors: &[],
                cache: CATALOGUE,
                access: Access::Public,
            }
            ListCenters => centers::list -> Vec<Center> {
                method: Method::Get,
                path: "/api/v1/centers",
                tag: "catalogue",
                summary: "Service centers (政务服务中心) with opening hours",
                query: &[Param { name: "kind", description: "District center or community centers", kind: ParamKind::Enum(&["district", "community"]) }],
                errors: &[ErrorCode::UnknownFilter],
                cache: CATALOGUE,
                access: Access::Public,
            }
            GetCenter => centers::get -> CenterDetail {
                method: Method::Get,
                path: "/api/v1/centers/{id}",
                tag: "catalogue",
                summary: "A service center with its windows",
                path_params: &[Param { name: "id", description: "Center slug, e.g. `putuo-district`", kind: ParamKind::Slug }],
                errors: &[ErrorCode::BadId, ErrorCode::CenterNotFound],
                cache: CATALOGUE,
                access: Access::Public,
            }
            ListBundles => bundles::list -> Vec<Bundle> {
                method: Method::Get,
                path: "/api/v1/bundles",
                tag: "catalogue",
                summary: "\"一件事\" bundles with their items",
                errors: &[],
                cache: CATALOGUE,
                access: Access::Public,
            }
            GetBundle => bundles::get -> Bundle {
                method: Method::Get,
                path: "/api/v1/bundles/{id}",
                tag: "catalogue",
                summary: "One \"一件事\" bundle with its items",
                path_params: &[Param { name: "id", description: "Bundle slug, e.g. `open-restaurant`", kind: ParamKind::Slug }],
                errors: &[ErrorCode::BadId, ErrorCode::BundleNotFound],
                cache: CATALOGUE,
                access: Access::Public,
            }
            RegisterResident => accounts::register_resident(RegisterResident) -> Me {
                method: Method::Post,
                rate: Some(("RL_REGISTER", RateKey::Client)),
                path: "/api/v1/accounts/residents",
                tag: "accounts",
                summary: "Register a resident (个人注册) and sign in",
                ok_status: 201,
                errors: &[
                    ErrorCode::MalformedJson, ErrorCode::InvalidName, ErrorCode::InvalidIdNumber, ErrorCode::InvalidMobile,
                    ErrorCode::PasswordTooShort, ErrorCode::PasswordTooLong, ErrorCode::PasswordCommon, ErrorCode::CrossOrigin,
                    ErrorCode::AccountExists,
                ],
                access: Access::Public,
            }
            Login => sessions::login(Login) -> Me {
                method: Method::Post,
                path: "/api/v1/sessions",
                tag: "accounts",
                summary: "Sign in; sets the HttpOnly session cookie",
                errors: &[ErrorCode::MalformedJson, ErrorCode::BadCredentials, ErrorCode::CrossOrigin, ErrorCode::TooManyAttempts, ErrorCode::SignInBusy],
                access: Access::Public,
            }
            Logout => sessions::logout -> () {
                method: Method::Delete,
                path: "/api/v1/sessions/current",
                tag: "accounts",
                summary: "Sign out: the session ends at once, everywhere",
                ok_status: 204,
                errors: &[ErrorCode::CrossOrigin],
                access: Access::Public,
            }
            GetMe => me::get -> Me {
                method: Method::Get,
                path: "/api/v1/me",
                tag: "accounts",
                summary: "The signed-in user, with personal data masked",
                errors: &[ErrorCode::Unauthenticated],
                access: Access::SignedIn,
            }
            ListStaff => staff::list -> Vec<StaffPost> {
                method: Method::Get,
                path: "/api/v1/staff",
                tag: "staff",
                summary: "Staff posts an admin manages (a center admin: their center's)",
                errors: &[ErrorCode::Unauthenticated, ErrorCode::Forbidden],
                access: Access::Roles(ADMINS),
            }
            CreateStaff => staff::create(NewStaff) -> StaffPost {
                method: Method::Post,
                path: "/api/v1/staff",
                tag: "staff",
                summary: "Create a staff post (never self-registered)",
                ok_status: 201,
                errors: &[
                    ErrorCode::MalformedJson, ErrorCode::InvalidLogin, ErrorCode::InvalidName, ErrorCode::InvalidPost, ErrorCode::InvalidBackup,
                    ErrorCode::PasswordTooShort, ErrorCode::PasswordTooLong, ErrorCode::PasswordCommon, ErrorCode::Unauthenticated,
                    ErrorCode::Forbidden, ErrorCode::CrossOrigin, ErrorCode::LoginTaken,
                ],
                access: Access::Roles(ADMINS),
            }
            UpdateStaff => staff::update(StaffSettings) -> StaffPost {
                method: Method::Post,
                path: "/api/v1/staff/{id}/settings",
                tag: "staff",
                summary: "Set a post's backup (岗位AB角) and whether it is away",
                path_params: &[Param { name: "id", description: "Staff account id", kind: ParamKind::Id }],
                errors: &[ErrorCode::MalformedJson, ErrorCode::BadId, ErrorCode::InvalidBackup, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CrossOrigin, ErrorCode::StaffNotFound],
                access: Access::Roles(ADMINS),
            }
            SetStaffStatus => staff::set_status($crate::staff::StaffStatus) -> StaffPost {
                method: Method::Post,
                path: "/api/v1/staff/{id}/status",
                tag: "staff",
                summary: "Disable a staff account (its sessions end at once, sign-in is refused) or enable it again; audited",
                path_params: &[Param { name: "id", description: "Staff account id", kind: ParamKind::Id }],
                errors: &[ErrorCode::MalformedJson, ErrorCode::BadId, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CrossOrigin, ErrorCode::StaffNotFound],
                access: Access::Roles(ADMINS),
            }
            ResetStaffPassword => staff::reset_password($crate::staff::PasswordReset) -> $crate::staff::TemporaryPassword {
                method: Method::Post,
                path: "/api/v1/staff/{id}/password-reset",
                tag: "staff",
                summary: "A one-time temporary password for a staff account (the post's login typed again); it must be changed at the next sign-in; audited",
                path_params: &[Param { name: "id", description: "Staff account id", kind: ParamKind::Id }],
                errors: &[ErrorCode::MalformedJson, ErrorCode::BadId, ErrorCode::InvalidLogin, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CrossOrigin, ErrorCode::StaffNotFound],
                access: Access::Roles(ADMINS),
            }
            LookupPerson => people::lookup(PersonLookup) -> PersonRecord {
                method: Method::Post,
                path: "/api/v1/people/lookup",
                tag: "staff",
                summary: "Front desk: a person's full record by ID number, with a reason; every look-up is audited",
                errors: &[ErrorCode::MalformedJson, ErrorCode::InvalidIdNumber, ErrorCode::ReasonRequired, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CrossOrigin, ErrorCode::PersonNotFound],
                access: Access::Roles(FRONT_DESK),
            }
            ListAudit => audit::list -> Vec<AuditEntry> {
                method: Method::Get,
                path: "/api/v1/audit",
                tag: "staff",
                summary: "Audit log of staff access to personal data (read-only; append-only in the database)",
                errors: &[ErrorCode::Unauthenticated, ErrorCode::Forbidden],
                access: Access::Roles(ADMINS),
            }
            RegisterBusiness => accounts::register_business(RegisterBusiness) -> Me {
                method: Method::Post,
                rate: Some(("RL_REGISTER", RateKey::Client)),
                path: "/api/v1/accounts/businesses",
                tag: "accounts",
                summary: "Register a business (法人注册) by its legal representative, and sign in",
                ok_status: 201,
                errors: &[
                    ErrorCode::MalformedJson, ErrorCode::InvalidUscc, ErrorCode::InvalidCompany, ErrorCode::InvalidName, ErrorCode::InvalidIdNumber,
                    ErrorCode::InvalidMobile, ErrorCode::PasswordTooShort, ErrorCode::PasswordTooLong, ErrorCode::PasswordCommon,
                    ErrorCode::CrossOrigin, ErrorCode::AccountExists,
                ],
                access: Access::Public,
            }
            ListAgents => agents::list -> Vec<Agent> {
                method: Method::Get,
                path: "/api/v1/me/agents",
                tag: "accounts",
                summary: "A business's authorised agents (经办人), masked",
                errors: &[ErrorCode::Unauthenticated, ErrorCode::Forbidden],
                access: Access::Roles(BUSINESSES),
            }
            AddAgent => agents::add(AddAgent) -> $crate::account::AgentInvitation {
                method: Method::Post,
                path: "/api/v1/me/agents",
                tag: "accounts",
                summary: "Invite a resident by ID number to be an agent of this business (the same answer whether or not the number is registered; they become an agent by accepting)",
                ok_status: 201,
                errors: &[
                    ErrorCode::MalformedJson,
                    ErrorCode::InvalidIdNumber,
                    ErrorCode::Unauthenticated,
                    ErrorCode::Forbidden,
                    ErrorCode::CrossOrigin,
                    ErrorCode::AgentExists,
                    ErrorCode::TooManyInvitations,
                ],
                access: Access::Roles(BUSINESSES),
            }
            ListAgentInvitations => agents::invitations -> Vec<$crate::account::AgentInvitation> {
                method: Method::Get,
                path: "/api/v1/me/agent-invitations",
                tag: "accounts",
                summary: "A business's agent invitations (masked numbers, states), or those waiting for the signed-in resident",
                errors: &[ErrorCode::Unauthenticated, ErrorCode::Forbidden],
                access: Access::Roles($crate::authz::RESIDENTS_AND_BUSINESSES),
            }
            AnswerAgentInvitation => agents::answer($crate::account::InvitationAnswer) -> $crate::account::AgentInvitation {
                method: Method::Post,
                path: "/api/v1/me/agent-invitations/{id}",
                tag: "accounts",
                summary: "Accept (becoming the business's agent) or decline an invitation addressed to the signed-in resident",
                path_params: &[Param { name: "id", description: "Invitation id", kind: ParamKind::Id }],
                errors: &[ErrorCode::MalformedJson, ErrorCode::BadId, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CrossOrigin, ErrorCode::InvitationNotFound],
                access: Access::Roles($crate::authz::RESIDENTS),
            }
            RemoveAgent => agents::remove -> () {
                method: Method::Delete,
                path: "/api/v1/me/agents/{id}",
                tag: "accounts",
                summary: "Withdraw an agent's authorisation",
                path_params: &[Param { name: "id", description: "Agent account id", kind: ParamKind::Id }],
                ok_status: 204,
                errors: &[ErrorCode::BadId, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CrossOrigin],
                access: Access::Roles(BUSINESSES),
            }
            ListMyBusinesses => agents::my_businesses -> Vec<BusinessRef> {
                method: Method::Get,
                path: "/api/v1/me/businesses",
                tag: "accounts",
                summary: "The businesses a resident is an authorised agent of (我的企业)",
                errors: &[ErrorCode::Unauthenticated, ErrorCode::Forbidden],
                access: Access::Roles(RESIDENTS),
            }
            ChangePassword => accounts::change_password(ChangePassword) -> () {
                method: Method::Post,
                path: "/api/v1/me/password",
                tag: "accounts",
                summary: "Change the password; every other session of the account ends at once",
                ok_status: 204,
                errors: &[
                    ErrorCode::MalformedJson, ErrorCode::BadCredentials, ErrorCode::PasswordTooShort, ErrorCode::PasswordTooLong,
                    ErrorCode::PasswordCommon, ErrorCode::Unauthenticated, ErrorCode::CrossOrigin, ErrorCode::TooManyAttempts, ErrorCode::SignInBusy,
                ],
                access: Access::SignedIn,
            }
            ExportMyData => accounts::export -> $crate::privacy::MyData {
                method: Method::Get,
                path: "/api/v1/me/export",
                tag: "accounts",
                summary: "Everything held about me, in full, as a JSON download — including who viewed my data and why",
                errors: &[ErrorCode::Unauthenticated, ErrorCode::Forbidden],
                access: Access::Roles(RESIDENTS),
            }
            DeleteMyAccount => accounts::delete(DeleteAccount) -> () {
                method: Method::Post,
                path: "/api/v1/me/deletion",
                tag: "accounts",
                summary: "Delete my account: personal data erased, the record kept anonymised where the law requires it",
                ok_status: 204,
                errors: &[ErrorCode::MalformedJson, ErrorCode::BadCredentials, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CrossOrigin, ErrorCode::TooManyAttempts, ErrorCode::SignInBusy],
                access: Access::Roles(RESIDENTS),
            }
        );
    };
}
