//! UI strings in both languages. A struct (not a key→string map) so that a string missing in one
//! language is a compile error; the [`msgs!`] list keeps each string beside its translation. Labels of
//! the core's enums (states, weekdays, error messages) come from `shared`, not from here.

use tongban_shared::Lang;

/// One source for every UI string: `key: "中文" / "English",` makes the field of [`Msgs`] and its entry
/// in [`ZH`] and [`EN`], so a string is added, changed or removed in one place, beside its translation.
macro_rules! msgs {
    ($( $key:ident: $zh:literal / $en:literal, )*) => {
        pub struct Msgs { $( pub $key: &'static str, )* }
        pub const ZH: Msgs = Msgs { $( $key: $zh, )* };
        pub const EN: Msgs = Msgs { $( $key: $en, )* };
    };
}

/// The same list for strings only one page uses, in that page's own module (so in its own lazily loaded
/// wasm chunk, not the first download): `PageMsgs`, `PAGE_ZH`, `PAGE_EN` and `pt`, this module's [`tr`].
/// (So far only pages of the second bundle, `console`, use it.)
#[allow(unused_macros)]
macro_rules! page_msgs {
    ($( $key:ident: $zh:literal / $en:literal, )*) => {
        struct PageMsgs { $( $key: &'static str, )* }
        const PAGE_ZH: PageMsgs = PageMsgs { $( $key: $zh, )* };
        const PAGE_EN: PageMsgs = PageMsgs { $( $key: $en, )* };

        /// This page's list in language `l`, for text built once (titles, filled templates).
        #[allow(dead_code)]
        fn page(l: tongban_shared::Lang) -> &'static PageMsgs {
            match l {
                tongban_shared::Lang::Zh => &PAGE_ZH,
                tongban_shared::Lang::En => &PAGE_EN,
            }
        }

        /// A string of this page's list that follows the language switch.
        #[allow(dead_code)]
        fn pt(f: fn(&'static PageMsgs) -> &'static str) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
            move || f(match crate::state::lang() {
                tongban_shared::Lang::Zh => &PAGE_ZH,
                tongban_shared::Lang::En => &PAGE_EN,
            })
        }
    };
}
#[allow(unused_imports)]
pub(crate) use page_msgs;

/// A template of a msgs list with its `{name}` parts filled: numbers and names go into the sentence each
/// language builds its own way ("{n} 个事项" / "{n} items").
#[allow(dead_code)]
pub fn fill(template: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
    args.iter().fold(template.to_string(), |out, (name, value)| out.replace(&format!("{{{name}}}"), &value.to_string()))
}

msgs! {
    site: "通办" / "Tongban",
    tagline: "普陀区一网通办 · 政务服务" / "Putuo one-stop government services",
    skip: "跳到主要内容" / "Skip to main content",
    nav_home: "首页" / "Home",
    nav_search: "办事指南" / "Service guides",
    nav_centers: "服务中心" / "Centers",
    switch_lang: "English" / "中文",
    switch_lang_label: "Switch to English" / "切换到中文",
    elder_on: "长辈模式" / "Large text",
    elder_off: "标准模式" / "Standard text",
    search_label: "搜索事项" / "Search services",
    search_placeholder: "如：营业执照、社保卡、居住证" / "e.g. business licence, social security card",
    search_button: "搜索" / "Search",
    popular: "热门事项" / "Popular services",
    bundles: "高效办成一件事" / "Get one thing done",
    bundles_hint: "一张表单，多个部门一起办" / "One form, several departments at once",
    centers: "服务中心" / "Service centers",
    centers_hint: "区行政服务中心和 10 个社区事务受理服务中心" / "The district center and 10 community service centers",
    all_centers: "全部服务中心" / "All centers",
    loading: "正在加载…" / "Loading…",
    retry: "重试" / "Try again",
    offline: "暂时无法连接服务器，请检查网络后重试。" / "We cannot reach the server right now. Check your connection and try again.",
    results_for: "搜索结果" / "Results",
    results_count: "个事项" / "services",
    no_results: "没有找到相关事项" / "No matching services",
    no_results_hint: "换个说法试试，比如“执照”“社保”，或减少筛选条件。" / "Try other words, such as \"licence\" or \"social security\", or remove a filter.",
    filters: "筛选" / "Filters",
    all_departments: "全部部门" / "All departments",
    department: "部门" / "Department",
    prev: "上一页" / "Previous",
    next: "下一页" / "Next",
    page: "页" / "Page",
    items_in_bundle: "包含的事项" / "Services included",
    promised: "承诺时限" / "Promised time",
    statutory: "法定时限" / "Statutory time",
    days: "个工作日" / "working days",
    on_the_spot: "当场办结" / "Done on the spot",
    fees: "收费" / "Fees",
    summary: "事项简介" / "About",
    conditions: "受理条件" / "Who can apply",
    materials: "申请材料" / "Materials",
    materials_hint: "可勾选已准备好的材料，方便核对（只保存在本页）。" / "Tick what you have ready to check yourself (kept on this page only).",
    required: "必交" / "Required",
    optional: "视情况提交" / "If applicable",
    copies: "份" / "copies",
    e_licence: "可用电子证照，免交纸质" / "E-licence accepted, no paper needed",
    template: "空白表格" / "Blank form",
    sample: "示例样表" / "Filled sample",
    process: "办理流程" / "Steps",
    where_to_go: "办理地点" / "Where to go",
    legal_basis: "设定依据" / "Legal basis",
    faq: "常见问题" / "FAQ",
    versions: "指南版本" / "Guide versions",
    version: "版本" / "Version",
    current: "当前" / "current",
    old_version: "您正在查看历史版本" / "You are reading an earlier version",
    view_current: "查看当前版本" / "See the current version",
    admin_power: "行政权力事项" / "Administrative power item",
    public_service: "公共服务事项" / "Public service item",
    part_of_bundles: "属于这些“一件事”" / "Part of these bundles",
    district_center: "区行政服务中心" / "District administrative service center",
    community_centers: "社区事务受理服务中心" / "Community affairs acceptance centers",
    address: "地址" / "Address",
    phone: "电话" / "Phone",
    hours: "办公时间" / "Opening hours",
    closed: "休息" / "Closed",
    windows: "窗口" / "Windows",
    window_no: "号窗口" / "",
    items_here: "在此可办的事项" / "Services handled here",
    not_found: "页面不存在" / "Page not found",
    not_found_hint: "链接可能已失效。可以从首页重新搜索。" / "The link may be out of date. Search again from the home page.",
    back_home: "返回首页" / "Back to home",
    zh_only: "" / "(in Chinese)",
    footer: "普陀区人民政府办公室 · 示例数据，仅供演示" / "Putuo District Government Office · demo data for illustration",
    sign_in: "登录" / "Sign in",
    sign_out: "退出登录" / "Sign out",
    register: "注册" / "Register",
    register_title: "个人用户注册" / "Register as a resident",
    register_hint: "请使用本人身份证注册，一个身份证号只能注册一个账户。" / "Register with your own resident ID card; one account per ID number.",
    have_account: "已有账户？" / "Already registered?",
    no_account: "还没有账户？" / "No account yet?",
    f_name: "姓名" / "Full name",
    f_id_number: "身份证号码" / "Resident ID number",
    f_mobile: "手机号码" / "Mobile number",
    f_password: "密码" / "Password",
    f_password_hint: "至少 8 位；不要使用常见密码。可以用一句好记的话。" / "At least 8 characters; not a common password. A memorable sentence works well.",
    f_login: "身份证号 / 统一社会信用代码 / 工作人员登录名" / "ID number / credit code / staff login",
    f_remember: "在这台设备上保持登录 7 天" / "Keep me signed in on this device for 7 days",
    my_info: "我的信息" / "My information",
    my_info_hint: "为保护您的隐私，证件号和手机号只显示部分。" / "To protect your privacy, ID and mobile numbers are partly hidden.",
    role: "身份" / "Role",
    r_resident: "个人" / "Resident",
    r_business: "法人" / "Business",
    r_window_staff: "综合窗口人员" / "Window staff",
    r_approver: "部门审批人员" / "Department approver",
    r_center_admin: "中心管理员" / "Center admin",
    r_district_admin: "区政府办公室管理员" / "District admin",
    staff_console: "工作台" / "Staff console",
    lookup: "身份核验" / "Identity check",
    lookup_hint: "查看完整个人信息须说明原因，每次查看都会记入审计日志。" / "Viewing full personal data needs a reason; every view is written to the audit log.",
    f_reason: "查看原因" / "Reason for viewing",
    view: "查看" / "View",
    posts: "岗位管理" / "Staff posts",
    audit: "审计日志" / "Audit log",
    audit_hint: "记录工作人员每一次查看个人完整信息：谁、何时、看了谁、为什么。日志只能追加，不能修改或删除。" / "Every staff view of full personal data: who, when, whom, why. The log can only grow; it cannot be changed or deleted.",
    f_login_name: "登录名" / "Login name",
    f_post: "岗位" / "Post",
    f_center: "服务中心" / "Center",
    f_dept: "部门" / "Department",
    f_backup: "AB角（B角）" / "Backup (B role)",
    none: "无" / "None",
    away: "暂离（由B角代办）" / "Away (backup acts)",
    create_post: "新建岗位" / "Create post",
    save: "保存" / "Save",
    saved: "已保存" / "Saved",
    when: "时间" / "When",
    who: "工作人员" / "Staff",
    whom: "查看对象" / "Whose data",
    why: "原因" / "Why",
    need_sign_in: "请先登录。" / "Please sign in first.",
    not_allowed: "您的账户没有权限查看此页。" / "Your account may not open this page.",
    register_business: "法人用户注册" / "Register a business",
    register_business_hint: "由法定代表人注册，使用营业执照上的统一社会信用代码。" / "Registered by the legal representative, with the credit code on the business licence.",
    f_uscc: "统一社会信用代码" / "Unified social credit code",
    f_company: "企业名称" / "Company name",
    f_rep_name: "法定代表人姓名" / "Legal representative's name",
    f_rep_id: "法定代表人身份证号码" / "Legal representative's ID number",
    f_contact_mobile: "联系手机" / "Contact mobile",
    register_as_business: "注册法人账户" / "Register a business account",
    agents: "经办人" / "Agents",
    agents_hint: "经办人是已注册的个人用户，经其本人同意后可代表本企业办事。" / "Agents are registered residents who, once they agree, may act for this business.",
    add_agent: "邀请经办人" / "Invite an agent",
    remove: "移除" / "Remove",
    my_businesses: "我的企业" / "My businesses",
    my_businesses_hint: "您是以下企业的授权经办人。" / "You are an authorised agent of these businesses.",
    none_yet: "暂无" / "None yet",
    change_password: "修改密码" / "Change password",
    f_current_password: "当前密码" / "Current password",
    f_new_password: "新密码" / "New password",
    password_changed: "密码已修改，其他设备上的登录已全部退出。" / "Password changed; you are signed out everywhere else.",
    export: "下载我的数据" / "Download my data",
    export_hint: "包括谁在何时、因何查看过您的完整信息。" / "Includes who viewed your full data, when and why.",
    delete_account: "注销账户" / "Delete account",
    delete_hint: "注销后个人信息将被清除，无法恢复。请输入密码确认。" / "Deleting erases your personal data and cannot be undone. Enter your password to confirm.",
    delete_erased: "注销时删除" / "Erased on deletion",
    delete_ended: "注销时结束" / "Ended on deletion",
    delete_kept: "依法保留" / "Kept as the law requires",
    f_confirm_password: "确认密码" / "Password to confirm",
    book: "预约办理" / "Book an appointment",
    choose_center: "选择服务中心" / "Choose a center",
    choose_date: "选择日期" / "Choose a day",
    choose_slot: "选择时段" / "Choose a time",
    seats_left: "余" / "left",
    full: "约满" / "full",
    confirm_booking: "确认预约" / "Confirm booking",
    booked_title: "预约成功" / "Booked",
    booking_code: "预约码" / "Booking code",
    booking_code_hint: "到达后在自助机或窗口出示预约码签到，预约用户优先办理。" / "On arrival, show this code at the kiosk or window to check in; booked visitors are served first.",
    my_bookings: "我的预约" / "My bookings",
    cancel: "取消预约" / "Cancel booking",
    no_bookings: "还没有预约" / "No bookings yet",
    s_held: "保留中" / "Held",
    s_confirmed: "已预约" / "Booked",
    s_checked_in: "已签到" / "Checked in",
    s_cancelled: "已取消" / "Cancelled",
    s_expired: "已过期" / "Expired",
    s_no_show: "爽约" / "No-show",
    s_done: "已办结" / "Done",
    ticket: "排队号" / "Ticket",
    ahead: "前面还有" / "Ahead of you",
    people: "人" / "people",
    est_wait: "预计等候" / "Estimated wait",
    minutes: "分钟" / "min",
    your_turn: "轮到您了" / "It is your turn",
    go_to_window: "请到窗口" / "Please go to window",
    refreshing: "每 5 秒自动刷新" / "Refreshes every 5 seconds",
    kiosk: "自助取号" / "Self-service ticket",
    kiosk_enrolled: "本机已登记为自助终端" / "This machine is a registered kiosk",
    kiosks: "自助终端" / "Kiosks",
    kiosks_hint: "登记大厅里的自助取号机：登记后的终端不按陌生访客限流。密钥只显示一次，请在该终端上打开登记链接。" / "Register the hall's self-service machines: a registered kiosk is not rate-limited like a stranger. The key is shown once; open the enrolment link on that machine.",
    kiosk_label: "终端名称" / "Kiosk name",
    kiosk_register: "登记终端" / "Register kiosk",
    kiosk_key_once: "请在该终端上打开此链接完成登记（只显示这一次）：" / "Open this link on the kiosk to enrol it (shown only this once):",
    kiosk_revoke: "停用" / "Revoke",
    kiosk_revoked: "已停用" / "Revoked",
    take_ticket: "取号" / "Take a ticket",
    check_in: "预约签到" / "Check in a booking",
    f_code: "预约码" / "Booking code",
    follow_on_phone: "用手机查看排队进度" / "Follow your place on your phone",
    display: "叫号显示" / "Calls",
    window_console: "窗口叫号" / "Window",
    f_window: "窗口号" / "Window number",
    call_next: "呼叫下一位" / "Call next",
    queue_empty: "当前没有等候的号" / "Nobody is waiting",
    called: "已呼叫" / "Called",
    hold_slot: "预约此时段" / "Book this time",
    confirm_title: "请确认预约" / "Confirm your booking",
    held_until: "座位已为您保留至" / "Your seat is held until",
    hold_hint: "超时未确认，座位将自动释放。" / "If not confirmed in time, the seat is released.",
    join_waitlist: "该时段已满，加入候补" / "Full — join the waiting list",
    waitlisted: "已加入候补，有空位时将为您保留座位并通知您。您前面还有" / "You are on the waiting list; when a seat frees up it is held for you and you are told. People before you:",
    my_waitlist: "我的候补" / "My waiting lists",
    leave_waitlist: "退出候补" / "Leave the list",
    position: "排在第" / "Position",
    offer_confirm: "有空位了！请在此时间前确认：" / "A seat is free! Confirm before:",
    reschedule: "改约" / "Reschedule",
    change_until: "可取消或改约至" / "Can be cancelled or moved until",
    too_late_to_change: "距预约时间太近，已不能取消或改约；如不能前来，请联系服务中心" / "Too close to the slot to cancel or move it; if you cannot come, call the service center",
    rescheduling: "改约：选择新的日期和时段（原预约在改约成功前保持有效）" / "Reschedule: pick a new day and time (your booking stays until the change succeeds)",
    rescheduled: "改约成功" / "Rescheduled",
    show_qr: "显示二维码" / "Show QR code",
    qr_alt: "预约码二维码" / "QR code of the booking code",
    cancelled_by_center: "中心取消原因：" / "Cancelled by the center:",
    late_walk_in: "您已超过签到时间，已按现场取号排队。" / "You are past the check-in time, so you join the line as a walk-in.",
    skipped_note: "您已过号，将在几位之后重新排队，请留意叫号。" / "You missed your call; you rejoin the line after a few others — watch the display.",
    recall: "重呼" / "Recall",
    skip_ticket: "过号" / "Skip",
    start_service: "开始办理" / "Start",
    finish_spot: "当场办结" / "Completed on the spot",
    finish_back: "转后台办理" / "Routed to back office",
    transfer_to: "转至" / "Transfer to",
    current_ticket: "当前号" / "Current ticket",
    waiting_in_line: "本队列等候" / "Waiting in this line",
    served_today: "今日已办" / "Served today",
    avg_wait: "平均等候（分钟）" / "Average wait (min)",
    avg_handle: "平均办理（分钟）" / "Average handling (min)",
    center_config: "中心配置" / "Center configuration",
    config_hint: "营业时间、预约规则、窗口类别与开放窗口数" / "Hours, booking rules, window classes and open windows",
    hours_cfg: "营业时间" / "Opening hours",
    closed_day: "休息" / "Closed",
    rules: "预约规则" / "Booking rules",
    classes: "窗口类别" / "Window classes",
    open_windows: "开放窗口数" / "Open windows",
    avg_minutes: "平均办理分钟" / "Average handling minutes",
    class_items: "办理事项（逗号分隔）" / "Items (comma-separated)",
    class_windows: "窗口号（逗号分隔）" / "Windows (comma-separated)",
    calendar: "节假日与调休" / "Holidays and 调休 working days",
    holiday: "节假日（休息）" / "Holiday (closed)",
    workday: "调休（上班）" / "Working day (调休)",
    clear_day: "恢复正常" / "Back to normal",
    slot_override: "单个时段名额" / "One slot's seats",
    capacity: "名额（留空恢复计算值）" / "Seats (empty: computed)",
    affected: "受影响的预约" / "Affected bookings",
    affected_none: "没有受配置变更影响的预约。" / "No booking is affected by the configuration.",
    r_closed_day: "当天不办公" / "Closed that day",
    r_outside_hours: "不在营业时间内" / "Outside opening hours",
    r_over_capacity: "超出时段名额" / "Over the slot's seats",
    cancel_for_center: "以中心名义取消" / "Cancel for the center",
    f_staff_reason: "原因（将告知预约人）" / "Reason (the resident is told)",
    lift_ban: "解除预约限制" / "Lift booking suspension",
    no_shows: "爽约记录" / "No-shows",
    banned_until: "暂停预约至" / "Booking suspended until",
    date: "日期" / "Date",
    time: "时段" / "Time",
    inbox: "消息" / "Inbox",
    unread: "未读消息" / "unread",
    mark_all_read: "全部标为已读" / "Mark all read",
    no_messages: "暂无消息。" / "No messages yet.",
    enable_push: "开启推送通知" / "Turn on push notifications",
    push_hint: "关闭页面也能收到预约确认、提醒和“轮到您了”。22:00–07:00 免打扰（叫号除外）。" / "Get confirmations, reminders and “your turn” even with the page closed. Quiet 22:00–07:00 (except your turn).",
    push_on: "已开启：本浏览器会收到推送通知。" / "On: this browser will get push notifications.",
    push_denied: "未获允许：可在浏览器设置中允许通知。" / "Not allowed: you can allow notifications in the browser settings.",
    push_failed: "开启失败，消息仍会保存在这里" / "Could not turn on; messages still arrive here",
    push_prefs: "推送设置" / "Push settings",
    push_kinds: "推送哪些消息（站内消息始终保留）" / "Which messages to push (the inbox always keeps them)",
    quiet_from: "免打扰开始" / "Quiet from",
    quiet_until: "免打扰结束" / "Quiet until",
    review_title: "评价本次服务" / "Review this service",
    review_intro: "评价自愿、不强制，工作人员不会代您评价。差评由相关部门核实整改，并回复您。" / "Reviewing is voluntary; staff never review for you. A bad review is verified and put right by the department responsible, and you get an answer.",
    review_code_label: "评价码（打印在排队小票上）" / "Review code (printed on your ticket)",
    find_service: "查找服务" / "Find the service",
    level_legend: "总体评价" / "Overall rating",
    scores_legend: "分项评价（1 分最差，5 分最好）" / "Details (1 worst, 5 best)",
    reason_label: "差评原因" / "What went wrong",
    choose: "请选择" / "Choose",
    review_text_label: "具体情况" / "What happened",
    review_text_hint: "差评请写明具体情况（至少 5 个字）；最多 500 字" / "For a bad review, say what happened (at least 5 characters); at most 500",
    anonymous_label: "匿名评价（匿名差评同样会整改，但无法回访您）" / "Review anonymously (an anonymous bad review is still handled but you cannot be called back)",
    anonymous_note: "未登录时的评价为匿名评价，无法回访。登录后评价可收到整改回复。" / "Reviews without signing in are anonymous and cannot be called back. Sign in to hear back about a fix.",
    submit_review: "提交评价" / "Submit review",
    review_thanks: "感谢您的评价！" / "Thank you for your review!",
    review_thanks_bad: "已生成差评整改工单，相关部门将在 15 个工作日内核实整改并回复。" / "A work order was opened: the department will verify, put it right and answer within 15 working days.",
    review_open_until: "可评价至" / "Open for review until",
    already_reviewed: "本次服务已评价，感谢！" / "This service has been reviewed. Thank you!",
    not_finished_yet: "服务办结后即可评价。" / "You can review once the service is finished.",
    my_reviews: "我的评价" / "My reviews",
    to_review: "待评价的服务" / "Services to review",
    no_reviews: "还没有评价。" / "No reviews yet.",
    go_review: "去评价" / "Review",
    deadline: "整改期限" / "Deadline",
    rectification_label: "整改情况" / "What was done",
    callback_q: "您对整改结果满意吗？" / "Are you satisfied with the fix?",
    satisfied: "满意" / "Satisfied",
    not_satisfied: "不满意" / "Not satisfied",
    note_label: "说明" / "Note",
    work_orders: "差评工单" / "Bad-review work orders",
    work_orders_hint: "核实、整改、回访；超期的在最前" / "Verify, rectify, call back; overdue first",
    overdue: "已超期" / "Overdue",
    awaiting_me: "待我处理" / "Awaiting me",
    all_states: "全部状态" / "All states",
    state_label: "状态" / "State",
    reviewer_label: "评价人" / "Reviewer",
    anonymous: "匿名" / "Anonymous",
    real_name: "实名" / "Real name",
    history: "处理记录" / "History",
    extension_days_label: "延期工作日（1–15）" / "Extension in working days (1–15)",
    my_appraisal: "我的好差评" / "My review results",
    appraisal_title: "好差评结果" / "Review results",
    dashboard_link: "好差评公示" / "Public review results",
    review_code_is: "评价码" / "Review code",
    finished_label: "办结时间" / "Finished",
    services: "服务量" / "Services",
    reviews_n: "评价数" / "Reviews",
    good_rate: "好评率" / "Good-review rate",
    bad_n: "差评数" / "Bad reviews",
    evaluation_rate: "评价率" / "Evaluation rate",
    month: "月份" / "Month",
    no_orders: "没有工单。" / "No work orders.",
    review_invite: "本次服务已办结，欢迎评价（自愿）" / "This service is finished; you are welcome to review it (voluntary)",
    f_item_handled: "办理事项（现场取号的请选择，评价将归属该事项的部门）" / "Item handled (for walk-ins: its department answers for the review)",
    apply_one_form: "一表申请：填一张表，办齐以上事项" / "Apply with one form for all of these",
    my_applications: "我的办件" / "My applications",
}

/// A UI string that follows the language switch. Every call returns the same closure type, so Leptos'
/// render and reactive code is instantiated once for all strings rather than once per string — most
/// of the wasm size is such instantiations.
pub fn tr(f: fn(&'static Msgs) -> &'static str) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    move || f(msgs(crate::state::lang()))
}

pub fn msgs(lang: Lang) -> &'static Msgs {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

/// "3 个工作日" / "3 working days", "1 working day"; 0 is "当场办结".
pub fn days(lang: Lang, n: u32) -> String {
    let m = msgs(lang);
    match (n, lang) {
        (0, _) => m.on_the_spot.to_string(),
        (1, Lang::En) => format!("1 {}", m.days.trim_end_matches('s')),
        _ => format!("{n} {}", m.days),
    }
}

pub fn role_label(lang: Lang, r: tongban_shared::account::Role) -> &'static str {
    use tongban_shared::account::Role;
    let m = msgs(lang);
    match r {
        Role::Resident => m.r_resident,
        Role::Business => m.r_business,
        Role::WindowStaff => m.r_window_staff,
        Role::Approver => m.r_approver,
        Role::CenterAdmin => m.r_center_admin,
        Role::DistrictAdmin => m.r_district_admin,
    }
}

pub fn booking_state(lang: Lang, s: tongban_shared::booking::BookingState) -> &'static str {
    use tongban_shared::booking::BookingState as S;
    let m = msgs(lang);
    match s {
        S::Held => m.s_held,
        S::Confirmed => m.s_confirmed,
        S::CheckedIn => m.s_checked_in,
        S::Cancelled => m.s_cancelled,
        S::Expired => m.s_expired,
        S::NoShow => m.s_no_show,
        S::Done => m.s_done,
    }
}

pub fn window_label(lang: Lang, n: u32) -> String {
    match lang {
        Lang::Zh => format!("{n} 号窗口"),
        Lang::En => format!("Window {n}"),
    }
}

/// Sets the document title for the current route, in the current language.
pub fn use_title(f: impl Fn(Lang) -> String + 'static) {
    use leptos::prelude::{document, Effect, Get};
    let p = crate::state::prefs();
    Effect::new(move |_| {
        let l = p.lang.get();
        let site = msgs(l).site;
        let t = f(l);
        document().set_title(&if t.is_empty() { site.to_string() } else { format!("{t} - {site}") });
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn days_wording() {
        assert_eq!(days(Lang::Zh, 0), "当场办结");
        assert_eq!(days(Lang::Zh, 5), "5 个工作日");
        assert_eq!(days(Lang::En, 5), "5 working days");
        assert_eq!(days(Lang::En, 1), "1 working day");
        assert_eq!(days(Lang::Zh, 1), "1 个工作日");
        assert_eq!(window_label(Lang::Zh, 3), "3 号窗口");
    }
}
