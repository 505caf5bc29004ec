use super::*;
use proptest::prelude::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn good_review() -> NewReview {
    NewReview {
        ticket: Some("t".into()),
        code: None,
        case: None,
        level: 5,
        scores: Scores { efficiency: Some(5), competence: Some(4), attitude: Some(5), ..Scores::default() },
        reason: None,
        text: String::new(),
        channel: Channel::Web,
        anonymous: false,
    }
}

#[test]
fn review_validation() {
    assert_eq!(good_review().validate(false), Ok(()));
    // Offline reviews answer the offline indicators, not the online ones.
    assert_eq!(good_review().validate(true).unwrap_err().field, Some("competence"));
    let mut r = good_review();
    r.scores.attitude = None;
    assert_eq!(r.validate(false).unwrap_err().field, Some("attitude"));
    r.scores.attitude = Some(6);
    assert_eq!(r.validate(false).unwrap_err().field, Some("attitude"));
    let mut r = good_review();
    r.level = 0;
    assert_eq!(r.validate(false).unwrap_err().field, Some("level"));
    // A bad review needs a reason category and a text.
    let mut r = good_review();
    r.level = 1;
    assert_eq!(r.validate(false).unwrap_err().code, ErrorCode::ReasonCategoryRequired);
    r.reason = Some(Reason::Attitude);
    assert_eq!(r.validate(false).unwrap_err().code, ErrorCode::ReviewTextRequired);
    r.text = "  窗口人员不耐烦  ".into();
    assert_eq!(r.validate(false), Ok(()));
    r.text = "字".repeat(TEXT_MAX + 1);
    assert_eq!(r.validate(false).unwrap_err().code, ErrorCode::ReviewTextTooLong);
    r.text = "bad\u{0007}bell".into();
    assert_eq!(r.validate(false).unwrap_err().field, Some("text"));
    // Markup is just text here: it is stored and shown as text, never rendered.
    r.text = "<script>alert(1)</script>".into();
    assert_eq!(r.validate(false), Ok(()));
    let mut r = good_review();
    r.ticket = None;
    assert_eq!(r.validate(false).unwrap_err().field, Some("ticket"));
    r.code = Some("ABCD-EFGH".into());
    assert_eq!(r.validate(false), Ok(()));
    r.code = Some("ABCD-EFG0".into());
    assert_eq!(r.validate(false).unwrap_err().code, ErrorCode::InvalidReviewCode);
}

#[test]
fn codes() {
    let c = review_code(&[0, 1, 2, 3, 200, 255, 31, 30]);
    assert_eq!(c.len(), 8);
    assert_eq!(normalize_code(&c.to_lowercase()), Some(c.clone()));
    assert_eq!(normalize_code(&format!("{}-{}", &c[..4], &c[4..])), Some(c));
    assert_eq!(normalize_code("OIL10000"), None);
}

#[test]
fn review_window() {
    assert_eq!(check_open(None, 100), Err(ErrorCode::ServiceNotFinished));
    assert_eq!(check_open(Some(0), REVIEW_WINDOW_SECS), Ok(()));
    assert_eq!(check_open(Some(0), REVIEW_WINDOW_SECS + 1), Err(ErrorCode::ReviewClosed));
}

fn cal() -> Calendar {
    // 2026 National Day: 1–8 October off, Sunday 27 Sept and Saturday 10 Oct worked.
    let mut c = Calendar::default();
    for day in 1..=8 {
        c.holidays.insert(NaiveDate::from_ymd_opt(2026, 10, day).unwrap());
    }
    c.extra_workdays.insert(d("2026-09-27"));
    c.extra_workdays.insert(d("2026-10-10"));
    c
}

#[test]
fn deadline_is_fifteen_working_days_over_holidays() {
    // Opened Wed 23 Sept: 24, 25, 27(调休), 28, 29, 30, then 9, 10(调休), 12, 13, 14, 15, 16, 19, 20.
    let o = Order::open(d("2026-09-23"), true, &cal());
    assert_eq!(o.deadline, d("2026-10-20"));
    assert!(!o.overdue(d("2026-10-20")));
    assert!(o.overdue(d("2026-10-21")));
    // An ordinary fortnight: Mon 2 Nov + 15 working days = Mon 23 Nov.
    assert_eq!(Order::open(d("2026-11-02"), true, &Calendar::default()).deadline, d("2026-11-23"));
}

fn note(s: &str) -> String {
    s.to_string()
}

#[test]
fn the_full_loop_and_its_guards() {
    use Capacity::*;
    let c = cal();
    let o = Order::open(d("2026-11-02"), true, &c);
    assert_eq!(o.actions(&[Responsible]), vec![ActionKind::Validate, ActionKind::RequestInvalid]);
    assert!(o.actions(&[Reviewer]).is_empty());
    // Another department holds no capacity: forbidden, whatever the state.
    assert_eq!(o.apply(&OrderAction::Validate { note: note("") }, &[], &c).unwrap_err().code, ErrorCode::Forbidden);
    // Right person, wrong state: 409.
    assert_eq!(o.apply(&OrderAction::Rectify { note: note("done") }, &[Responsible], &c).unwrap_err().code, ErrorCode::InvalidTransition);
    let o = o.apply(&OrderAction::Validate { note: note("") }, &[Responsible], &c).unwrap();
    assert_eq!(o.state, OrderState::Rectifying);
    // Extension: at most 15 working days, once.
    let too_long = OrderAction::RequestExtension { days: 16, note: note("需要协调") };
    assert_eq!(o.apply(&too_long, &[Responsible], &c).unwrap_err().code, ErrorCode::ExtensionTooLong);
    let o = o.apply(&OrderAction::RequestExtension { days: 5, note: note("需要协调") }, &[Responsible], &c).unwrap();
    assert_eq!(o.apply(&OrderAction::ApproveExtension { note: note("") }, &[Responsible], &c).unwrap_err().code, ErrorCode::Forbidden);
    let o = o.apply(&OrderAction::ApproveExtension { note: note("") }, &[CenterAdmin], &c).unwrap();
    assert_eq!(o.deadline, d("2026-11-30"));
    assert!(!o.permits(ActionKind::RequestExtension));
    let o = o.apply(&OrderAction::Rectify { note: note("已约谈并培训") }, &[Responsible], &c).unwrap();
    assert_eq!(o.state, OrderState::Rectified);
    assert!(o.rectified());
    // Not satisfied reopens once; the second "not satisfied" closes it as not fixed.
    let o = o.apply(&OrderAction::Callback { satisfied: false, note: note("") }, &[Reviewer], &c).unwrap();
    assert_eq!((o.state, o.reopened, o.rectified()), (OrderState::Rectifying, true, false));
    let o = o.apply(&OrderAction::Rectify { note: note("再次整改") }, &[Responsible], &c).unwrap();
    let done = o.apply(&OrderAction::Callback { satisfied: false, note: note("") }, &[Reviewer], &c).unwrap();
    assert_eq!((done.state, done.outcome, done.rectified()), (OrderState::Closed, Some(Outcome::NotFixed), false));
    let fixed = o.apply(&OrderAction::Callback { satisfied: true, note: note("") }, &[Reviewer], &c).unwrap();
    assert_eq!((fixed.outcome, fixed.rectified(), fixed.called_back()), (Some(Outcome::Fixed), true, true));
}

#[test]
fn invalid_needs_approval_and_may_be_appealed_once() {
    use Capacity::*;
    let c = Calendar::default();
    let o = Order::open(d("2026-11-02"), true, &c);
    assert_eq!(o.apply(&OrderAction::RequestInvalid { note: note("") }, &[Responsible], &c).unwrap_err().code, ErrorCode::NoteRequired);
    let o = o.apply(&OrderAction::RequestInvalid { note: note("恶意差评") }, &[Responsible], &c).unwrap();
    let o = o.apply(&OrderAction::ApproveInvalid { note: note("同意") }, &[CenterAdmin], &c).unwrap();
    assert_eq!((o.state, o.outcome), (OrderState::Invalid, Some(Outcome::Invalid)));
    let o = o.apply(&OrderAction::Appeal { note: note("我确实被刁难") }, &[Reviewer], &c).unwrap();
    assert_eq!(o.apply(&OrderAction::UpholdAppeal { note: note("成立") }, &[CenterAdmin], &c).unwrap_err().code, ErrorCode::Forbidden);
    let dismissed = o.apply(&OrderAction::DismissAppeal { note: note("维持") }, &[DistrictAdmin], &c).unwrap();
    assert_eq!((dismissed.state, dismissed.outcome), (OrderState::Closed, Some(Outcome::Invalid)));
    assert!(!dismissed.permits(ActionKind::Appeal));
    let upheld = o.apply(&OrderAction::UpholdAppeal { note: note("成立") }, &[DistrictAdmin], &c).unwrap();
    assert_eq!((upheld.state, upheld.valid), (OrderState::Rectifying, Some(true)));
}

#[test]
fn anonymous_orders_close_on_the_report() {
    let c = Calendar::default();
    let o = Order::open(d("2026-11-02"), false, &c).apply(&OrderAction::Validate { note: note("") }, &[Capacity::Responsible], &c).unwrap();
    let o = o.apply(&OrderAction::Rectify { note: note("已整改") }, &[Capacity::Responsible], &c).unwrap();
    assert_eq!((o.state, o.outcome, o.called_back()), (OrderState::Closed, Some(Outcome::Fixed), false));
}

#[test]
fn who_holds_which_capacity() {
    use crate::account::Role;
    use crate::authz::Principal;
    let p = |role, center: Option<&str>, dept: Option<&str>| Principal {
        account_id: "me".into(),
        role,
        center_id: center.map(Into::into),
        dept_id: dept.map(Into::into),
        must_change_password: false,
    };
    assert_eq!(capacities(&p(Role::Approver, None, Some("scjg")), "putuo", Some("scjg"), None), vec![Capacity::Responsible]);
    assert!(capacities(&p(Role::Approver, None, Some("rsj")), "putuo", Some("scjg"), None).is_empty());
    assert_eq!(capacities(&p(Role::CenterAdmin, Some("putuo"), None), "putuo", Some("scjg"), None), vec![Capacity::CenterAdmin]);
    // Without a responsible department (a walk-in at a comprehensive window) the center answers.
    assert_eq!(capacities(&p(Role::CenterAdmin, Some("putuo"), None), "putuo", None, None), vec![Capacity::Responsible, Capacity::CenterAdmin]);
    assert!(capacities(&p(Role::CenterAdmin, Some("wanli"), None), "putuo", None, None).is_empty());
    assert_eq!(capacities(&p(Role::DistrictAdmin, None, None), "putuo", None, None), vec![Capacity::DistrictAdmin]);
    assert_eq!(capacities(&p(Role::Resident, None, None), "putuo", None, Some("me")), vec![Capacity::Reviewer]);
    assert!(capacities(&p(Role::Resident, None, None), "putuo", None, Some("other")).is_empty());
}

#[test]
fn rate_formulas() {
    assert_eq!(percent(1, 3), Some(33.3));
    assert_eq!(percent(2, 3), Some(66.7));
    assert_eq!(percent(0, 0), None);
    let t = Tally {
        services: 8,
        reviews: 4,
        good: 3,
        bad: 1,
        valid_bad: 1,
        rectified: 1,
        real_name_bad: 1,
        called_back: 0,
        on_the_spot: 6,
        waited: 2,
        wait_secs: 600,
        ..Tally::default()
    };
    let f = Figures::of(t);
    assert_eq!(f.evaluation_rate, Some(50.0));
    assert_eq!(f.good_rate, Some(75.0));
    assert_eq!(f.rectification_rate, Some(100.0));
    assert_eq!(f.callback_rate, Some(0.0));
    assert_eq!(f.on_the_spot_rate, Some(75.0));
    assert_eq!(f.avg_wait_minutes, Some(5.0));
}

fn action() -> impl Strategy<Value = (OrderAction, Capacity)> {
    let n = || Just(note("理由说明"));
    let a = prop_oneof![
        n().prop_map(|note| OrderAction::Validate { note }),
        n().prop_map(|note| OrderAction::RequestInvalid { note }),
        n().prop_map(|note| OrderAction::ApproveInvalid { note }),
        n().prop_map(|note| OrderAction::RejectInvalid { note }),
        n().prop_map(|note| OrderAction::Appeal { note }),
        n().prop_map(|note| OrderAction::UpholdAppeal { note }),
        n().prop_map(|note| OrderAction::DismissAppeal { note }),
        (0u32..20).prop_map(|days| OrderAction::RequestExtension { days, note: note("延期") }),
        n().prop_map(|note| OrderAction::ApproveExtension { note }),
        n().prop_map(|note| OrderAction::RejectExtension { note }),
        n().prop_map(|note| OrderAction::Rectify { note }),
        any::<bool>().prop_map(|satisfied| OrderAction::Callback { satisfied, note: String::new() }),
        n().prop_map(|note| OrderAction::CloseUnfixed { note }),
    ];
    let c = prop_oneof![Just(Capacity::Responsible), Just(Capacity::CenterAdmin), Just(Capacity::DistrictAdmin), Just(Capacity::Reviewer)];
    (a, c)
}

proptest! {
    /// No sequence of actions reaches a closed-fixed or closed-not-fixed end without passing
    /// verification; an extension is granted at most once and never beyond 15 working days; and the
    /// tally's counts match a model that replays the same histories by hand.
    #[test]
    fn orders_never_skip_verification(histories in proptest::collection::vec((any::<bool>(), proptest::collection::vec(action(), 0..25)), 1..20)) {
        let c = Calendar::default();
        let opened = d("2026-11-02");
        let today = d("2026-12-31");
        let mut tally = Tally::default();
        let (mut valid, mut rectified, mut not_fixed, mut overdue, mut real_valid, mut called) = (0u64, 0u64, 0u64, 0u64, 0u64, 0u64);
        for (real_name, actions) in histories {
            let mut o = Order::open(opened, real_name, &c);
            let first = o.deadline;
            let mut verified = false;
            let mut callbacks = Vec::new();
            for (a, cap) in actions {
                match o.apply(&a, &[cap], &c) {
                    Ok(next) => {
                        if matches!(a, OrderAction::Validate { .. } | OrderAction::RejectInvalid { .. } | OrderAction::UpholdAppeal { .. }) {
                            verified = true;
                        }
                        if let OrderAction::Callback { satisfied, .. } = a {
                            callbacks.push(satisfied);
                        }
                        o = next;
                    }
                    Err(e) => prop_assert!(matches!(e.code, ErrorCode::Forbidden | ErrorCode::InvalidTransition | ErrorCode::ExtensionTooLong)),
                }
                if o.state == OrderState::Closed && o.outcome != Some(Outcome::Invalid) {
                    prop_assert!(verified, "closed {:?} without verification", o.outcome);
                }
                prop_assert!(c.working_days_between(first, o.deadline) <= DEADLINE_WORKING_DAYS);
                prop_assert!(callbacks.len() <= 2 && callbacks.iter().filter(|s| !**s).count() <= 2);
            }
            tally.count_review(1, &Scores::default(), Some(&o), today);
            // The reference model, from the history alone.
            let is_valid = verified && o.valid == Some(true);
            valid += u64::from(is_valid);
            let last_fixed = o.state == OrderState::Rectified || (o.state == OrderState::Closed && o.outcome == Some(Outcome::Fixed));
            rectified += u64::from(is_valid && last_fixed);
            not_fixed += u64::from(o.state == OrderState::Closed && o.outcome == Some(Outcome::NotFixed));
            overdue += u64::from(matches!(o.state, OrderState::Verifying | OrderState::InvalidPending | OrderState::Rectifying | OrderState::ExtensionPending | OrderState::Appealed));
            real_valid += u64::from(is_valid && real_name);
            called += u64::from(is_valid && real_name && !callbacks.is_empty());
        }
        prop_assert_eq!(tally.valid_bad, valid);
        prop_assert_eq!(tally.rectified, rectified);
        prop_assert_eq!(tally.not_fixed, not_fixed);
        prop_assert_eq!(tally.overdue, overdue);
        prop_assert_eq!(tally.real_name_bad, real_valid);
        prop_assert_eq!(tally.called_back, called);
        prop_assert!(tally.rectified <= tally.valid_bad && tally.called_back <= tally.real_name_bad);
    }
}
