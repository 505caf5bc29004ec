//! One module per route.

pub mod book;
pub mod bookings;
pub mod bundle;
pub mod center;
#[cfg(feature = "console")]
pub mod devices;
pub mod centers;
#[cfg(feature = "console")]
pub mod dashboard;
pub mod home;
pub mod inbox;
pub mod item;
pub mod login;
pub mod me;
pub mod not_found;
pub mod register;
pub mod register_business;
#[cfg(feature = "console")]
pub mod review;
#[cfg(feature = "console")]
pub mod reviews;
pub mod search;
pub mod ticket;
#[cfg(feature = "console")]
pub mod staff;
