//! Identifiers issued outside the platform: the Unified Social Credit Code of a processor and
//! the resident identity number of a person.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::Schema;
use utoipa::openapi::RefOr;

use crate::region::{string_schema, RegionCode};

/// The 31 characters of GB 32100-2015, in value order 0–30 (no I, O, S, V, Z).
const USCC_ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];
const USCC_LEN: usize = 18;

/// Why a string is not a USCC at all. A wrong check character is *not* one of these: see
/// [`Uscc::checksum_ok`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsccError {
    #[error("a Unified Social Credit Code (统一社会信用代码) has 18 characters, got {len}")]
    Length { len: usize },
    #[error(
        "character {ch:?} at position {position} cannot occur in a Unified Social Credit Code \
         (allowed: 0-9 and A-Z without I, O, S, V, Z)"
    )]
    InvalidChar { ch: char, position: usize },
    #[error(
        "positions 3-8 of a Unified Social Credit Code are the GB/T 2260 area code and must be \
         digits, got {area:?}"
    )]
    AreaCode { area: String },
}

fn uscc_value(ch: char) -> Option<u32> {
    let upper = ch.to_ascii_uppercase();
    USCC_ALPHABET
        .iter()
        .position(|&c| char::from(c) == upper)
        .and_then(|v| u32::try_from(v).ok())
}

/// The GB 32100-2015 check character for the first 17 characters of a code, or `None` when
/// `first17` is not 17 characters of the USCC alphabet.
pub fn uscc_check_char(first17: &str) -> Option<char> {
    if first17.chars().count() != USCC_WEIGHTS.len() {
        return None;
    }
    let mut sum = 0u32;
    for (ch, weight) in first17.chars().zip(USCC_WEIGHTS) {
        sum += uscc_value(ch)? * weight;
    }
    // c = 31 − (Σ mod 31), and 31 wraps to 0.
    let check = (31 - sum % 31) % 31;
    USCC_ALPHABET
        .get(usize::try_from(check).ok()?)
        .map(|&c| char::from(c))
}

/// Unified Social Credit Code (统一社会信用代码, GB 32100-2015) identifying a processor.
///
/// A few genuine early codes fail the checksum, so a bad check character is recorded, not
/// refused: callers warn and let a reviewer decide.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(try_from = "String")]
pub struct Uscc {
    code: String,
    area: RegionCode,
    expected_check: char,
}

impl Uscc {
    /// What `parse` accepts, as a regular expression for the API's documents: 18 characters
    /// of the alphabet in either case, the third to eighth digits, surrounding whitespace
    /// allowed.
    pub const PATTERN: &'static str = concat!(
        "^[\\t\\n\\x0B\\x0C\\r \\x85\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]*",
        "[0-9A-HJ-NP-RTUW-Ya-hj-np-rtuw-y]{2}[0-9]{6}[0-9A-HJ-NP-RTUW-Ya-hj-np-rtuw-y]{10}",
        "[\\t\\n\\x0B\\x0C\\r \\x85\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]*$"
    );

    /// Trims and upper-cases, then checks length, alphabet and the area-code digits.
    pub fn parse(s: &str) -> Result<Self, UsccError> {
        let code = s.trim().to_uppercase();
        let len = code.chars().count();
        if len != USCC_LEN {
            return Err(UsccError::Length { len });
        }
        if let Some((i, ch)) = code
            .chars()
            .enumerate()
            .find(|&(_, ch)| uscc_value(ch).is_none())
        {
            return Err(UsccError::InvalidChar {
                ch,
                position: i + 1,
            });
        }
        // From here the code is 18 ASCII characters, so byte slicing is on char boundaries.
        let area = RegionCode::parse(&code[2..8]).map_err(|_| UsccError::AreaCode {
            area: code[2..8].to_owned(),
        })?;
        let expected_check = uscc_check_char(&code[..17]).ok_or(UsccError::Length { len })?;
        Ok(Self {
            code,
            area,
            expected_check,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.code
    }

    /// Whether the 18th character matches the GB 32100-2015 check computation.
    pub fn checksum_ok(&self) -> bool {
        self.code.ends_with(self.expected_check)
    }

    /// The check character the first 17 characters call for.
    pub fn expected_check_char(&self) -> char {
        self.expected_check
    }

    /// The GB/T 2260 area code of the registering authority (positions 3–8).
    pub fn area_code(&self) -> RegionCode {
        self.area.clone()
    }
}

impl TryFrom<String> for Uscc {
    type Error = UsccError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code)
    }
}

impl fmt::Debug for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Uscc").field(&self.code).finish()
    }
}

impl Serialize for Uscc {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.code)
    }
}

impl utoipa::PartialSchema for Uscc {
    fn schema() -> RefOr<Schema> {
        string_schema(
            "Unified Social Credit Code (统一社会信用代码, GB 32100-2015)",
            "^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$",
            "91350100M000100Y43",
        )
    }
}
impl utoipa::ToSchema for Uscc {}

const RESIDENT_ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// Why a string is not a resident identity number. Messages never repeat the number itself,
/// because they end up in logs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResidentIdError {
    #[error("a resident identity number (公民身份号码) has 18 characters, got {len}")]
    Length { len: usize },
    #[error(
        "position {position} of a resident identity number must be a digit \
         (only the last may be X)"
    )]
    InvalidChar { position: usize },
    #[error("positions 7-14 of a resident identity number are not a valid birth date")]
    BirthDate,
    #[error("the check character of the resident identity number is wrong")]
    Checksum,
}

/// The ISO 7064 MOD 11-2 check character for 17 digits, or `None` for anything else.
fn resident_id_check_char(first17: &str) -> Option<char> {
    if first17.len() != RESIDENT_ID_WEIGHTS.len() {
        return None;
    }
    let mut sum = 0u32;
    for (ch, weight) in first17.chars().zip(RESIDENT_ID_WEIGHTS) {
        sum += ch.to_digit(10)? * weight;
    }
    match (12 - sum % 11) % 11 {
        10 => Some('X'),
        v => char::from_digit(v, 10),
    }
}

/// Resident identity number (公民身份号码, GB 11643-1999) of a natural person, e.g. a legal
/// representative or filer.
///
/// Personal information: store it only where a law requires it. `Debug` and `Display` print
/// the masked form; [`ResidentId::expose`] is the one deliberate way to the full number, and
/// there is no `Serialize` so it cannot slip into a response or export by accident.
#[derive(Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "String")]
pub struct ResidentId(String);

impl ResidentId {
    /// Trims and upper-cases a trailing `x`; refuses a wrong check character.
    pub fn parse(s: &str) -> Result<Self, ResidentIdError> {
        let id = s.trim().to_uppercase();
        let len = id.chars().count();
        if len != 18 {
            return Err(ResidentIdError::Length { len });
        }
        for (i, ch) in id.chars().enumerate() {
            let ok = ch.is_ascii_digit() || (i == 17 && ch == 'X');
            if !ok {
                return Err(ResidentIdError::InvalidChar { position: i + 1 });
            }
        }
        // All ASCII from here, so byte slicing is safe.
        if NaiveDate::parse_from_str(&id[6..14], "%Y%m%d").is_err() {
            return Err(ResidentIdError::BirthDate);
        }
        if resident_id_check_char(&id[..17]) != id.chars().last() {
            return Err(ResidentIdError::Checksum);
        }
        Ok(Self(id))
    }

    /// The full number. Call only to store it where a law requires it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// First 6 and last 4 characters kept, the rest as `*`: `110101********1234`.
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.0[..6], &self.0[14..])
    }
}

impl TryFrom<String> for ResidentId {
    type Error = ResidentIdError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl fmt::Debug for ResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ResidentId").field(&self.masked()).finish()
    }
}

impl fmt::Display for ResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl utoipa::PartialSchema for ResidentId {
    fn schema() -> RefOr<Schema> {
        string_schema(
            "Resident identity number (公民身份号码, GB 11643), write-only",
            "^[0-9]{17}[0-9Xx]$",
            "11010519491231002X",
        )
    }
}
impl utoipa::ToSchema for ResidentId {}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_valid_usccs_pass_the_checksum() {
        // The first is a published example; the rest were built with the algorithm by hand.
        for code in [
            "91350100M000100Y43",
            "91310115MA1H7A5U3X",
            "12100000400000624D",
            "51110000500000000B",
        ] {
            let uscc = Uscc::parse(code).expect(code);
            assert!(uscc.checksum_ok(), "{code}");
            assert_eq!(uscc.as_str(), code);
            assert_eq!(Some(uscc.expected_check_char()), code.chars().last());
        }
        assert_eq!(uscc_check_char("91350100M000100Y4"), Some('3'));
    }

    #[test]
    fn uscc_is_trimmed_and_uppercased() {
        let uscc = Uscc::parse("  91310115ma1h7a5u3x\n").expect("valid");
        assert_eq!(uscc.as_str(), "91310115MA1H7A5U3X");
        assert_eq!(uscc.to_string(), "91310115MA1H7A5U3X");
        assert_eq!(uscc.area_code().as_str(), "310115");
        assert_eq!(uscc.area_code().province().as_str(), "310000");
    }

    #[test]
    fn bad_check_character_is_flagged_not_refused() {
        let uscc = Uscc::parse("91350100M000100Y44").expect("format is fine");
        assert!(!uscc.checksum_ok());
        assert_eq!(uscc.expected_check_char(), '3');
    }

    #[test]
    fn bad_formats_are_refused_with_a_reason() {
        assert_eq!(
            Uscc::parse("91350100M000100Y4"),
            Err(UsccError::Length { len: 17 })
        );
        assert_eq!(
            Uscc::parse("91350100M000100Y433"),
            Err(UsccError::Length { len: 19 })
        );
        assert_eq!(
            Uscc::parse("91350100MO00100Y43"),
            Err(UsccError::InvalidChar {
                ch: 'O',
                position: 10
            })
        );
        assert_eq!(
            Uscc::parse("91350100M000100Y4-"),
            Err(UsccError::InvalidChar {
                ch: '-',
                position: 18
            })
        );
        assert_eq!(
            Uscc::parse("913501A0M000100Y43"),
            Err(UsccError::AreaCode {
                area: "3501A0".into()
            })
        );
        assert_eq!(
            Uscc::parse("91350100M000100Y4统"),
            Err(UsccError::InvalidChar {
                ch: '统',
                position: 18
            })
        );
        for forbidden in ['I', 'O', 'S', 'V', 'Z'] {
            let code = format!("91350100M000100Y4{forbidden}");
            assert!(matches!(
                Uscc::parse(&code),
                Err(UsccError::InvalidChar { .. })
            ));
        }
    }

    #[test]
    fn uscc_serde_is_a_plain_string() {
        let uscc = Uscc::parse("91350100M000100Y43").expect("valid");
        let json = serde_json::to_string(&uscc).expect("ser");
        assert_eq!(json, "\"91350100M000100Y43\"");
        let back: Uscc = serde_json::from_str(&json).expect("de");
        assert_eq!(back, uscc);
        assert!(serde_json::from_str::<Uscc>("\"nonsense\"").is_err());
    }

    #[test]
    fn uscc_check_char_rejects_bad_input() {
        assert_eq!(uscc_check_char("9135"), None);
        assert_eq!(uscc_check_char("91350100M000100YI"), None);
    }

    fn uscc_char() -> impl Strategy<Value = char> {
        proptest::sample::select(
            USCC_ALPHABET
                .iter()
                .map(|&b| char::from(b))
                .collect::<Vec<_>>(),
        )
    }

    proptest! {
        /// The documents' pattern promises no more than `parse` keeps.
        #[test]
        fn what_the_pattern_allows_parses(
            code in proptest::string::string_regex(
                Uscc::PATTERN.trim_start_matches('^').trim_end_matches('$'),
            ).expect("pattern"),
        ) {
            prop_assert!(Uscc::parse(&code).is_ok(), "{:?}", code);
        }

        #[test]
        fn any_code_with_its_computed_check_char_is_valid(
            head in proptest::collection::vec(uscc_char(), 2),
            area in "[0-9]{6}",
            tail in proptest::collection::vec(uscc_char(), 9),
        ) {
            let first17: String = head.iter().copied().chain(area.chars()).chain(tail).collect();
            let check = uscc_check_char(&first17).expect("17 valid chars");
            let uscc = Uscc::parse(&format!("{first17}{check}")).expect("valid format");
            prop_assert!(uscc.checksum_ok());
            prop_assert_eq!(uscc.expected_check_char(), check);
            prop_assert_eq!(uscc.area_code().to_string(), area);
        }

        #[test]
        fn a_single_changed_check_char_is_flagged(
            first17 in "[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{9}",
            other in uscc_char(),
        ) {
            let check = uscc_check_char(&first17).expect("17 valid chars");
            prop_assume!(other != check);
            let uscc = Uscc::parse(&format!("{first17}{other}")).expect("valid format");
            prop_assert!(!uscc.checksum_ok());
        }
    }

    #[test]
    fn known_resident_ids_parse() {
        // The GB 11643 example number and two built with the algorithm.
        for id in [
            "11010519491231002X",
            "110101199003074477",
            "110101199003071233",
        ] {
            assert_eq!(ResidentId::parse(id).expect(id).expose(), id);
        }
        let lower = ResidentId::parse(" 11010519491231002x ").expect("lower-case x");
        assert_eq!(lower.expose(), "11010519491231002X");
    }

    #[test]
    fn resident_id_refuses_bad_numbers() {
        assert_eq!(
            ResidentId::parse("110101199003074478"),
            Err(ResidentIdError::Checksum)
        );
        assert_eq!(
            ResidentId::parse("11010119900307447"),
            Err(ResidentIdError::Length { len: 17 })
        );
        assert_eq!(
            ResidentId::parse("1101011990030744X7"),
            Err(ResidentIdError::InvalidChar { position: 17 })
        );
        // 1990-02-30 does not exist; check digit computed for it so only the date is wrong.
        let first17 = "11010119900230123";
        let check = resident_id_check_char(first17).expect("digits");
        assert_eq!(
            ResidentId::parse(&format!("{first17}{check}")),
            Err(ResidentIdError::BirthDate)
        );
    }

    #[test]
    fn resident_id_is_masked_everywhere_it_prints() {
        let id = ResidentId::parse("110101199003071233").expect("valid");
        assert_eq!(id.masked(), "110101********1233");
        assert_eq!(id.to_string(), "110101********1233");
        let debug = format!("{id:?}");
        assert!(debug.contains("110101********1233"));
        assert!(!debug.contains("19900307"));
        let err = ResidentId::parse("110101199003071234").expect_err("bad check");
        assert!(!err.to_string().contains("1101011990"));
    }

    proptest! {
        #[test]
        fn resident_id_round_trips(
            area in "[1-9][0-9]{5}",
            birth in (1900i32..2025, 1u32..=12, 1u32..=28),
            seq in "[0-9]{3}",
        ) {
            let (y, m, d) = birth;
            let first17 = format!("{area}{y:04}{m:02}{d:02}{seq}");
            let check = resident_id_check_char(&first17).expect("digits");
            let id = ResidentId::parse(&format!("{first17}{check}")).expect("valid");
            prop_assert_eq!(id.masked().len(), 18);
            prop_assert!(id.masked().starts_with(&area));
        }
    }
}
