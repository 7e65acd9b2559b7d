//! Pure rules and types of the FRT supervision platform. No I/O lives here, so every rule can
//! be unit-tested without a database or a network.

/// Display and FromStr for a plain enum through its `ALL` list and `as_str`, so stored and
/// submitted names round-trip and an unknown name is a typed error.
macro_rules! named_enum {
    ($t:ty, $what:literal) => {
        impl ::std::fmt::Display for $t {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $t {
            type Err = $crate::filing::UnknownName;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::ALL
                    .into_iter()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| $crate::filing::UnknownName {
                        what: $what,
                        name: s.to_owned(),
                    })
            }
        }
    };
}

pub mod calendar;
pub mod civil;
pub mod complaint;
pub mod contact;
pub mod diff;
pub mod filing;
pub mod form;
pub mod ids;
pub mod inspection;
pub mod lunar;
pub mod notification;
pub mod region;
pub mod risk;
