//! Center devices, in the console bundle: the self-service kiosk (取号 and 签到), the hall display that
//! shows and speaks the calls, and a window's "call next".

pub mod display;
pub mod kiosk;
pub mod window;
