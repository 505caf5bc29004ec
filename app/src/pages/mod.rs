//! One module per route.

pub mod bundle;
pub mod center;
pub mod centers;
pub mod home;
pub mod item;
pub mod not_found;
pub mod search;
