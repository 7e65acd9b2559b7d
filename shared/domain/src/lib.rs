//! Pure rules and types of the FRT supervision platform. No I/O lives here, so every rule can
//! be unit-tested without a database or a network.

pub mod calendar;
pub mod filing;
pub mod form;
pub mod ids;
pub mod region;
