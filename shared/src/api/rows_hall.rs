//! Rows of the route table (`crate::api_rows!`): Bookings and the waiting list, the hall queue and kiosks, a center's configuration.
//! Each file's macro hands the rows so far on to the next one, so the table is one list in several files.

#[doc(hidden)]
#[macro_export]
macro_rules! __hall_rows {
    ($cb:ident ; $($acc:tt)*) => {
        $crate::__service_rows!($cb ; $($acc)*
            GetAvailability => bookings::availability -> Availability {
                method: Method::Get,
                path: "/api/v1/centers/{id}/availability",
                tag: "bookings",
                summary: "Bookable days of an item at a center with remaining seats; with `date`, that day's slots",
                path_params: &[Param { name: "id", description: "Center slug", kind: ParamKind::Slug }],
                query: &[
                    Param { name: "item", description: "Item slug (required)", kind: ParamKind::Slug },
                    Param { name: "date", description: "`YYYY-MM-DD`: list that day's slots", kind: ParamKind::Text { max_chars: 10 } },
                ],
                errors: &[ErrorCode::BadId, ErrorCode::DateNotBookable, ErrorCode::CenterNotFound, ErrorCode::NotServedHere],
                access: Access::Public,
            }
            CreateBooking => bookings::create(NewBooking) -> Booking {
                method: Method::Post,
                path: "/api/v1/bookings",
                tag: "bookings",
                summary: "Book a slot (预约). Seats and per-person limits are enforced in one transaction; a repeated Idempotency-Key returns the first booking",
                headers: &[Param { name: "Idempotency-Key", description: "8–64 characters, one per booking attempt (a double click sends the same)", kind: ParamKind::Text { max_chars: 64 } }],
                ok_status: 201,
                errors: &[
                    ErrorCode::MalformedJson, ErrorCode::IdempotencyKeyRequired, ErrorCode::BadId, ErrorCode::DateNotBookable, ErrorCode::Unauthenticated,
                    ErrorCode::Forbidden, ErrorCode::CrossOrigin, ErrorCode::CenterNotFound, ErrorCode::NotServedHere, ErrorCode::SlotNotFound,
                    ErrorCode::SlotFull, ErrorCode::LimitReached, ErrorCode::BookingBanned,
                ],
                access: Access::Roles(RESIDENTS),
            }
            ListMyBookings => bookings::mine -> Vec<Booking> {
                method: Method::Get,
                path: "/api/v1/bookings",
                tag: "bookings",
                summary: "My bookings, newest first",
                errors: &[ErrorCode::Unauthenticated, ErrorCode::Forbidden],
                access: Access::Roles(RESIDENTS),
            }
            CancelBooking => bookings::cancel -> Booking {
                method: Method::Post,
                path: "/api/v1/bookings/{id}/cancel",
                tag: "bookings",
                summary: "Cancel my booking (until the center's deadline, `cancel_until` on the booking); the seat is freed",
                path_params: &[Param { name: "id", description: "Booking id", kind: ParamKind::Id }],
                errors: &[ErrorCode::BadId, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CrossOrigin, ErrorCode::BookingNotFound, ErrorCode::TooLateToCancel, ErrorCode::InvalidTransition],
                access: Access::Roles(RESIDENTS),
            }
            TakeTicket => queue::walk_in -> Ticket {
                method: Method::Post,
                rate: Some(("RL_HALL", RateKey::KioskOrClient)),
                path: "/api/v1/centers/{id}/tickets",
                tag: "queue",
                summary: "Take a walk-in ticket (取号) at the kiosk; no sign-in",
                path_params: &[Param { name: "id", description: "Center slug", kind: ParamKind::Slug }],
                query: &[Param { name: "class", description: "Window class id; without it, the center's general class", kind: ParamKind::Slug }],
                ok_status: 201,
                errors: &[ErrorCode::BadId, ErrorCode::CrossOrigin, ErrorCode::CenterNotFound, ErrorCode::ClassNotFound],
                access: Access::Public,
            }
            CheckIn => queue::check_in(CheckIn) -> Ticket {
                method: Method::Post,
                rate: Some(("RL_HALL", RateKey::KioskOrClient)),
                path: "/api/v1/checkins",
                tag: "queue",
                summary: "Check in with a booking code (签到): from 30 minutes before the slot to 15 after; a second scan returns the same ticket",
                ok_status: 201,
                errors: &[ErrorCode::MalformedJson, ErrorCode::InvalidCode, ErrorCode::CrossOrigin, ErrorCode::BookingNotFound, ErrorCode::InvalidTransition, ErrorCode::NotToday, ErrorCode::CheckInTooEarly, ErrorCode::CheckInLate],
                access: Access::Public,
            }
            CallNext => queue::call_next -> Called {
                method: Method::Post,
                path: "/api/v1/centers/{id}/windows/{number}/call",
                tag: "queue",
                summary: "Call the next ticket to this window (叫号): checked-in bookings first, then walk-ins",
                path_params: &[Param { name: "id", description: "Center slug", kind: ParamKind::Slug }, Param { name: "number", description: "Window number", kind: ParamKind::Int { min: 1, max: 999 } }],
                errors: &[ErrorCode::BadId, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::WrongCenter, ErrorCode::CrossOrigin, ErrorCode::WindowNotFound],
                access: Access::Roles(FRONT_DESK),
            }
            GetTicket => queue::get_ticket -> Ticket {
                method: Method::Get,
                path: "/api/v1/tickets/{id}",
                tag: "queue",
                summary: "A ticket's live state: position in line, estimated wait, the window once called",
                path_params: &[Param { name: "id", description: "Ticket id (random; held by the ticket's owner)", kind: ParamKind::Id }],
                errors: &[ErrorCode::BadId, ErrorCode::TicketNotFound],
                access: Access::Public,
            }
            RecentCalls => queue::recent_calls -> Vec<Call> {
                method: Method::Get,
                path: "/api/v1/centers/{id}/calls",
                tag: "queue",
                summary: "The latest calls of the day, for the hall display",
                path_params: &[Param { name: "id", description: "Center slug", kind: ParamKind::Slug }],
                errors: &[ErrorCode::BadId],
                access: Access::Public,
            }
            ConfirmBooking => bookings::confirm -> Booking {
                method: Method::Post,
                path: "/api/v1/bookings/{id}/confirm",
                tag: "bookings",
                summary: "Confirm a held seat before its hold runs out (5 minutes by default); confirming twice answers with the same booking",
                path_params: &[Param { name: "id", description: "Booking id", kind: ParamKind::Id }],
                errors: &[ErrorCode::BadId, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CrossOrigin, ErrorCode::BookingNotFound, ErrorCode::HoldExpired, ErrorCode::InvalidTransition],
                access: Access::Roles(RESIDENTS),
            }
            RescheduleBooking => bookings::reschedule(Reschedule) -> Booking {
                method: Method::Post,
                path: "/api/v1/bookings/{id}/reschedule",
                tag: "bookings",
                summary: "Move my booking to another slot in one transaction: if the new slot is gone the booking stays where it was",
                path_params: &[Param { name: "id", description: "Booking id", kind: ParamKind::Id }],
                errors: &[ErrorCode::BadId, ErrorCode::MalformedJson, ErrorCode::DateNotBookable, ErrorCode::SlotNotFound, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CrossOrigin, ErrorCode::BookingNotFound, ErrorCode::TooLateToCancel, ErrorCode::InvalidTransition, ErrorCode::SameSlot, ErrorCode::SlotFull, ErrorCode::LimitReached],
                access: Access::Roles(RESIDENTS),
            }
            CenterCancelBooking => bookings::center_cancel(StaffReason) -> Booking {
                method: Method::Post,
                path: "/api/v1/bookings/{id}/center-cancel",
                tag: "bookings",
                summary: "Staff cancel a booking for the center with a reason the resident is told (e.g. after a configuration change)",
                path_params: &[Param { name: "id", description: "Booking id", kind: ParamKind::Id }],
                errors: &[ErrorCode::BadId, ErrorCode::MalformedJson, ErrorCode::StaffReasonRequired, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CrossOrigin, ErrorCode::WrongCenter, ErrorCode::BookingNotFound, ErrorCode::InvalidTransition],
                access: Access::Roles(FRONT_DESK),
            }
            JoinWaitlist => bookings::join_waitlist(NewBooking) -> WaitlistEntry {
                method: Method::Post,
                path: "/api/v1/waitlist",
                tag: "bookings",
                summary: "Join a full slot's waiting list (候补); when a seat frees up the first in line is offered it as a hold",
                ok_status: 201,
                errors: &[ErrorCode::MalformedJson, ErrorCode::BadId, ErrorCode::DateNotBookable, ErrorCode::SlotNotFound, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CrossOrigin, ErrorCode::BookingBanned, ErrorCode::CenterNotFound, ErrorCode::NotServedHere, ErrorCode::SlotHasSeats, ErrorCode::AlreadyWaiting, ErrorCode::LimitReached],
                access: Access::Roles(RESIDENTS),
            }
            ListMyWaitlist => bookings::my_waitlist -> Vec<WaitlistEntry> {
                method: Method::Get,
                path: "/api/v1/waitlist",
                tag: "bookings",
                summary: "My places on waiting lists, with my position",
                errors: &[ErrorCode::Unauthenticated, ErrorCode::Forbidden],
                access: Access::Roles(RESIDENTS),
            }
            LeaveWaitlist => bookings::leave_waitlist -> () {
                method: Method::Delete,
                path: "/api/v1/waitlist/{id}",
                tag: "bookings",
                summary: "Leave a waiting list",
                path_params: &[Param { name: "id", description: "Waiting-list entry id", kind: ParamKind::Id }],
                ok_status: 204,
                errors: &[ErrorCode::BadId, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CrossOrigin, ErrorCode::WaitlistNotFound],
                access: Access::Roles(RESIDENTS),
            }
            BookingQr => bookings::qr -> Raw {
                method: Method::Get,
                path: "/api/v1/bookings/{id}/qr",
                tag: "bookings",
                summary: "The booking code as a QR image (SVG), for the kiosk scanner or window staff",
                path_params: &[Param { name: "id", description: "Booking id", kind: ParamKind::Id }],
                errors: &[ErrorCode::BadId, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::BookingNotFound],
                access: Access::Roles(RESIDENTS),
            }
            WindowState => queue::window_state -> WindowState {
                method: Method::Get,
                path: "/api/v1/centers/{id}/windows/{number}",
                tag: "queue",
                summary: "A window's current ticket, the length of its line, and its day so far (served, on the spot, average wait and handling)",
                path_params: &[Param { name: "id", description: "Center slug", kind: ParamKind::Slug }, Param { name: "number", description: "Window number", kind: ParamKind::Int { min: 1, max: 999 } }],
                errors: &[ErrorCode::BadId, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::WrongCenter, ErrorCode::WindowNotFound],
                access: Access::Roles(FRONT_DESK),
            }
            WindowAction => queue::window_action(WindowAction) -> WindowState {
                method: Method::Post,
                path: "/api/v1/centers/{id}/windows/{number}/ticket",
                tag: "queue",
                summary: "Act on the ticket this window called: recall, skip (过号, rejoins after 3 calls), start, finish (当场办结 or back office), transfer to another line",
                path_params: &[Param { name: "id", description: "Center slug", kind: ParamKind::Slug }, Param { name: "number", description: "Window number", kind: ParamKind::Int { min: 1, max: 999 } }],
                errors: &[ErrorCode::BadId, ErrorCode::MalformedJson, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CrossOrigin, ErrorCode::WrongCenter, ErrorCode::WindowNotFound, ErrorCode::QueueEmpty, ErrorCode::InvalidTransition, ErrorCode::ClassNotFound],
                access: Access::Roles(FRONT_DESK),
            }
            ListClasses => queue::classes -> Vec<QueueClass> {
                method: Method::Get,
                path: "/api/v1/centers/{id}/classes",
                tag: "queue",
                summary: "The center's lines (无差别 and 分领域 window classes) with how many wait in each",
                path_params: &[Param { name: "id", description: "Center slug", kind: ParamKind::Slug }],
                errors: &[ErrorCode::BadId, ErrorCode::CenterNotFound],
                access: Access::Public,
            }
            GetCenterConfig => config::get -> CenterConfig {
                method: Method::Get,
                path: "/api/v1/centers/{id}/config",
                tag: "config",
                summary: "A center's configuration: opening hours, booking rules, window classes with open windows, handling minutes, items and windows",
                path_params: &[Param { name: "id", description: "Center slug", kind: ParamKind::Slug }],
                errors: &[ErrorCode::BadId, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::WrongCenter, ErrorCode::CenterNotFound],
                access: Access::Roles(ADMINS),
            }
            UpdateCenterConfig => config::put(CenterConfig) -> CenterConfig {
                method: Method::Put,
                path: "/api/v1/centers/{id}/config",
                tag: "config",
                summary: "Save a center's configuration in one transaction; future slots' seats follow it but never drop below what is booked",
                path_params: &[Param { name: "id", description: "Center slug", kind: ParamKind::Slug }],
                errors: &[ErrorCode::BadId, ErrorCode::MalformedJson, ErrorCode::InvalidConfig, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CrossOrigin, ErrorCode::WrongCenter, ErrorCode::CenterNotFound, ErrorCode::ClassNotFound],
                access: Access::Roles(ADMINS),
            }
            AffectedBookings => config::affected_bookings -> Vec<AffectedBooking> {
                method: Method::Get,
                path: "/api/v1/centers/{id}/affected-bookings",
                tag: "config",
                summary: "Bookings the current configuration leaves out (closed day, outside hours, over a slot's seats), for staff to handle",
                path_params: &[Param { name: "id", description: "Center slug", kind: ParamKind::Slug }],
                errors: &[ErrorCode::BadId, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::WrongCenter, ErrorCode::CenterNotFound],
                access: Access::Roles(FRONT_DESK),
            }
            OverrideSlot => config::override_slot(SlotOverride) -> SlotAvailability {
                method: Method::Put,
                path: "/api/v1/centers/{id}/slots",
                tag: "config",
                summary: "Override one future slot's seats (null: back to the computed figure)",
                path_params: &[Param { name: "id", description: "Center slug", kind: ParamKind::Slug }],
                errors: &[ErrorCode::BadId, ErrorCode::MalformedJson, ErrorCode::InvalidConfig, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CrossOrigin, ErrorCode::WrongCenter, ErrorCode::CenterNotFound, ErrorCode::ClassNotFound, ErrorCode::SlotNotFound],
                access: Access::Roles(ADMINS),
            }
            ListCalendar => config::list_calendar -> Vec<CalendarDay> {
                method: Method::Get,
                path: "/api/v1/calendar",
                tag: "config",
                summary: "The district calendar's exceptions: public holidays and weekend working days (调休)",
                errors: &[],
                access: Access::Public,
            }
            SetCalendarDay => config::set_calendar_day(CalendarDay) -> CalendarDay {
                method: Method::Put,
                path: "/api/v1/calendar",
                tag: "config",
                summary: "Mark a day as a holiday or a 调休 working day, or clear it (district admin)",
                errors: &[ErrorCode::MalformedJson, ErrorCode::InvalidConfig, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CrossOrigin],
                access: Access::Roles(DISTRICT),
            }
            LiftBan => people::lift_ban(PersonLookup) -> BanStatus {
                method: Method::Post,
                path: "/api/v1/people/ban-lifts",
                tag: "staff",
                summary: "Lift a person's no-show booking ban, with a reason (audited)",
                errors: &[ErrorCode::MalformedJson, ErrorCode::InvalidIdNumber, ErrorCode::ReasonRequired, ErrorCode::Unauthenticated, ErrorCode::Forbidden, ErrorCode::CrossOrigin, ErrorCode::PersonNotFound],
                access: Access::Roles(FRONT_DESK),
            }
        );
    };
}
