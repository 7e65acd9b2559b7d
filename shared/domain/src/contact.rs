//! How to reach a person or an organisation: an email address and a phone number, each parsed
//! once at the edge into a type that is valid from then on.

use std::fmt;

/// Why a contact detail is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContactError {
    #[error("'{0}' is not a valid email address")]
    Email(String),
    #[error("a phone number is 7 to 20 characters: digits, with optional + - ( ) and spaces")]
    Phone,
}

/// An email address: trimmed and lower-cased, at most 254 characters, one '@' with something
/// before it and a domain of two or more dot-separated labels, none empty, after it; no
/// spaces or control characters. Enough to catch slips: only a confirmation mail proves one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// What `parse` accepts, as a regular expression for the API's documents (length aside:
    /// at most `MAX_CHARS`, surrounding whitespace counted, as a document's maxLength counts).
    pub const PATTERN: &'static str = concat!(
        "^[\\t\\n\\x0B\\x0C\\r \\x85\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]*",
        "[^@\\x00-\\x20\\x7F-\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]+",
        "@[^@.\\x00-\\x20\\x7F-\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]+",
        "(\\.[^@.\\x00-\\x20\\x7F-\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]+)+",
        "[\\t\\n\\x0B\\x0C\\r \\x85\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]*$"
    );
    pub const MAX_CHARS: usize = 254;

    pub fn parse(text: &str) -> Result<Self, ContactError> {
        let trimmed = text.trim();
        let email = trimmed.to_lowercase();
        let refused = || ContactError::Email(email.chars().take(254).collect());
        let (local, domain) = email.split_once('@').ok_or_else(refused)?;
        let ok = !local.is_empty()
            && text.chars().count() <= Self::MAX_CHARS
            && domain.contains('.')
            && domain.split('.').all(|label| !label.is_empty())
            && !domain.contains('@')
            && !email.chars().any(|c| c.is_whitespace() || c.is_control());
        if ok {
            Ok(Self(email))
        } else {
            Err(refused())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A phone number as people write it: 7 to 20 characters, at least 7 digits, and otherwise
/// only `+ - ( )` and spaces.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    /// What `parse` accepts, with 7 to 20 characters, as a regular expression for the API's
    /// documents.
    pub const PATTERN: &'static str = "^[-+() ]*([0-9][-+() ]*){7,}$";

    pub fn parse(text: &str) -> Result<Self, ContactError> {
        let phone = text;
        let digits = phone.chars().filter(char::is_ascii_digit).count();
        let ok = (7..=20).contains(&phone.len())
            && digits >= 7
            && phone
                .chars()
                .all(|c| c.is_ascii_digit() || "+-() ".contains(c));
        if ok {
            Ok(Self(phone.to_owned()))
        } else {
            Err(ContactError::Phone)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(
            Email::parse(" A@B.cn ").map(Email::into_string),
            Ok("a@b.cn".into())
        );
        for bad in [
            "a@b",
            "@b.cn",
            "a b@c.cn",
            "a@@b.cn",
            "a@.cn",
            "a@b.cn.",
            "",
            "a\u{7}@b.cn",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
        assert!(Email::parse(&format!("{}@b.cn", "a".repeat(250))).is_err());
        // Counted as a document's maxLength counts: surrounding whitespace included.
        let padded = format!(" {}@b.cn", "a".repeat(249));
        assert_eq!(padded.chars().count(), 255);
        assert!(Email::parse(&padded).is_err());
        assert!(Email::parse(padded.trim()).is_ok());
    }

    #[test]
    fn phones() {
        assert!(Phone::parse("+86 21 5555-1234").is_ok());
        assert!(Phone::parse("13800138000").is_ok());
        assert!(Phone::parse("(021) 5555 0100").is_ok());
        for bad in [
            "12345",
            "call me maybe",
            "+86 21 5555 0100 0000 0000",
            "1380013800x",
        ] {
            assert!(Phone::parse(bad).is_err(), "{bad}");
        }
    }

    /// A whole-string pattern without its anchors, to generate strings from.
    fn unanchored(p: &str) -> &str {
        p.trim_start_matches('^').trim_end_matches('$')
    }

    proptest::proptest! {
        /// The documents' patterns promise no more than the parsers keep.
        #[test]
        fn what_the_patterns_allow_parses(
            email in proptest::string::string_regex(unanchored(Email::PATTERN)).expect("pattern"),
            phone in proptest::string::string_regex(unanchored(Phone::PATTERN)).expect("pattern"),
        ) {
            if email.chars().count() <= Email::MAX_CHARS {
                proptest::prop_assert!(Email::parse(&email).is_ok(), "{:?}", email);
            }
            if (7..=20).contains(&phone.len()) {
                proptest::prop_assert!(Phone::parse(&phone).is_ok(), "{:?}", phone);
            }
        }

        /// And the parsers keep nothing the patterns refuse.
        #[test]
        fn what_parses_the_patterns_allow(s in "\\PC{0,40}") {
            let email = regex::Regex::new(Email::PATTERN).expect("pattern");
            let phone = regex::Regex::new(Phone::PATTERN).expect("pattern");
            if Email::parse(&s).is_ok() {
                proptest::prop_assert!(email.is_match(&s), "{:?}", s);
            }
            if Phone::parse(&s).is_ok() {
                proptest::prop_assert!(phone.is_match(&s), "{:?}", s);
            }
        }

        #[test]
        fn parsing_never_panics_and_accepted_values_reparse(s in "\\PC{0,40}") {
            if let Ok(e) = Email::parse(&s) {
                proptest::prop_assert_eq!(Email::parse(e.as_str()), Ok(e.clone()));
            }
            if let Ok(p) = Phone::parse(&s) {
                proptest::prop_assert_eq!(Phone::parse(p.as_str()), Ok(p.clone()));
            }
        }
    }
}
