//! Administrative division codes (行政区划代码, GB/T 2260) and the province table that decides
//! jurisdiction (管辖): a processor files with the CAC office of its own province.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;

/// Why a region code or the region table was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegionError {
    #[error("a region code (行政区划代码) has 6 digits, got {0:?}")]
    NotSixDigits(String),
    #[error("a province code (省级行政区划代码) ends in 0000, got {0:?}")]
    NotProvince(String),
    #[error("region table is not valid TOML: {0}")]
    Toml(String),
    #[error("region table lists {code} twice")]
    DuplicateProvince { code: String },
    #[error("region table field `{field}` is empty")]
    EmptyField { field: String },
    #[error("built-in region table {file} is broken")]
    Builtin {
        file: &'static str,
        #[source]
        source: Box<RegionError>,
    },
}

/// A six-digit GB/T 2260 area code (行政区划代码) at any level: province, city or county.
///
/// Only the shape is checked; whether the area still exists is a question for the table.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(try_from = "String")]
pub struct RegionCode(String);

impl RegionCode {
    pub fn parse(s: &str) -> Result<Self, RegionError> {
        let s = s.trim();
        if s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s.to_owned()))
        } else {
            Err(RegionError::NotSixDigits(s.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The province (省级行政区) this area belongs to: first two digits + `0000`.
    pub fn province(&self) -> ProvinceCode {
        // Both halves are ASCII digits by construction, so slicing on bytes is safe.
        ProvinceCode(format!("{}0000", &self.0[..2]))
    }
}

impl TryFrom<String> for RegionCode {
    type Error = RegionError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for RegionCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl utoipa::PartialSchema for RegionCode {
    fn schema() -> RefOr<Schema> {
        string_schema(
            "GB/T 2260 area code (行政区划代码), six digits",
            "^[0-9]{6}$",
            "310104",
        )
    }
}
impl utoipa::ToSchema for RegionCode {}

/// A provincial-level division code (省级行政区划代码): six digits ending in `0000`. This is
/// the jurisdiction key of the platform.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(try_from = "String")]
pub struct ProvinceCode(String);

impl ProvinceCode {
    pub fn parse(s: &str) -> Result<Self, RegionError> {
        let region = RegionCode::parse(s)?;
        if region.0.ends_with("0000") {
            Ok(Self(region.0))
        } else {
            Err(RegionError::NotProvince(region.0))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ProvinceCode {
    type Error = RegionError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl fmt::Display for ProvinceCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for ProvinceCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl From<ProvinceCode> for RegionCode {
    fn from(p: ProvinceCode) -> Self {
        RegionCode(p.0)
    }
}

impl utoipa::PartialSchema for ProvinceCode {
    fn schema() -> RefOr<Schema> {
        string_schema(
            "GB/T 2260 province code (省级行政区划代码), six digits ending in 0000",
            "^[0-9]{2}0000$",
            "310000",
        )
    }
}
impl utoipa::ToSchema for ProvinceCode {}

/// One row of the province table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Province {
    code: ProvinceCode,
    name: String,
    name_en: String,
}

impl Province {
    pub fn code(&self) -> &ProvinceCode {
        &self.code
    }
    /// The Chinese name, e.g. 上海市.
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn name_en(&self) -> &str {
        &self.name_en
    }
}

/// The table of provincial-level divisions, loaded from `config/regions` with its version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegionTable {
    version: String,
    source: String,
    #[serde(serialize_with = "serialize_provinces")]
    provinces: BTreeMap<ProvinceCode, Province>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegionFile {
    version: String,
    source: String,
    provinces: Vec<ProvinceRow>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProvinceRow {
    code: String,
    name: String,
    name_en: String,
}

const BUILTIN_FILE: &str = "config/regions/gbt2260-provinces.toml";
const BUILTIN_TOML: &str = include_str!("../../../config/regions/gbt2260-provinces.toml");

impl RegionTable {
    pub fn from_toml(text: &str) -> Result<Self, RegionError> {
        let file: RegionFile =
            toml::from_str(text).map_err(|e| RegionError::Toml(e.to_string()))?;
        non_empty("version", &file.version)?;
        non_empty("source", &file.source)?;
        let mut provinces = BTreeMap::new();
        for row in file.provinces {
            let code = ProvinceCode::parse(&row.code)?;
            non_empty("name", &row.name)?;
            non_empty("name_en", &row.name_en)?;
            let province = Province {
                code: code.clone(),
                name: row.name,
                name_en: row.name_en,
            };
            if provinces.insert(code.clone(), province).is_some() {
                return Err(RegionError::DuplicateProvince { code: code.0 });
            }
        }
        Ok(Self {
            version: file.version,
            source: file.source,
            provinces,
        })
    }

    /// The table shipped with the platform (`config/regions/gbt2260-provinces.toml`).
    pub fn builtin() -> Result<Self, RegionError> {
        Self::from_toml(BUILTIN_TOML).map_err(|e| RegionError::Builtin {
            file: BUILTIN_FILE,
            source: Box::new(e),
        })
    }

    pub fn version(&self) -> &str {
        &self.version
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// Chinese name of a province, `None` when the code is not in the table.
    pub fn name(&self, code: &ProvinceCode) -> Option<&str> {
        self.provinces.get(code).map(|p| p.name.as_str())
    }

    pub fn get(&self, code: &ProvinceCode) -> Option<&Province> {
        self.provinces.get(code)
    }

    pub fn contains(&self, code: &ProvinceCode) -> bool {
        self.provinces.contains_key(code)
    }

    /// All provinces in code order.
    pub fn provinces(&self) -> impl Iterator<Item = &Province> {
        self.provinces.values()
    }

    pub fn len(&self) -> usize {
        self.provinces.len()
    }

    pub fn is_empty(&self) -> bool {
        self.provinces.is_empty()
    }
}

fn non_empty(field: &str, value: &str) -> Result<(), RegionError> {
    if value.trim().is_empty() {
        Err(RegionError::EmptyField {
            field: field.to_owned(),
        })
    } else {
        Ok(())
    }
}

fn serialize_provinces<S: serde::Serializer>(
    provinces: &BTreeMap<ProvinceCode, Province>,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_seq(provinces.values())
}

/// OpenAPI schema of a string identifier; shared with `ids`.
pub(crate) fn string_schema(description: &str, pattern: &str, example: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .pattern(Some(pattern))
        .examples([serde_json::Value::String(example.to_owned())])
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_code_accepts_six_digits_and_trims() {
        let code = RegionCode::parse(" 310104 ").expect("valid");
        assert_eq!(code.as_str(), "310104");
        assert_eq!(code.province().as_str(), "310000");
        assert_eq!(code.to_string(), "310104");
    }

    #[test]
    fn region_code_rejects_bad_shapes() {
        for bad in ["", "31010", "3101040", "31010a", "３１０１０４", "31 104"] {
            assert!(
                matches!(RegionCode::parse(bad), Err(RegionError::NotSixDigits(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn province_code_must_end_in_0000() {
        assert_eq!(
            ProvinceCode::parse("440000").expect("ok").as_str(),
            "440000"
        );
        assert!(matches!(
            ProvinceCode::parse("440100"),
            Err(RegionError::NotProvince(_))
        ));
        assert!(matches!(
            ProvinceCode::parse("44"),
            Err(RegionError::NotSixDigits(_))
        ));
    }

    #[test]
    fn serde_goes_through_parse() {
        let p: ProvinceCode = serde_json::from_str("\"110000\"").expect("valid");
        assert_eq!(serde_json::to_string(&p).expect("ser"), "\"110000\"");
        assert!(serde_json::from_str::<ProvinceCode>("\"110100\"").is_err());
        let r: RegionCode = serde_json::from_str("\"110105\"").expect("valid");
        assert_eq!(serde_json::to_string(&r).expect("ser"), "\"110105\"");
        assert!(serde_json::from_str::<RegionCode>("\"11010\"").is_err());
    }

    #[test]
    fn builtin_table_has_34_provincial_divisions() {
        let table = RegionTable::builtin().expect("builtin table parses");
        assert_eq!(table.len(), 34);
        assert_eq!(table.version(), "GB/T 2260-2007 (2023 update)");
        assert!(!table.source().is_empty());
        let code = |s: &str| ProvinceCode::parse(s).expect("valid");
        assert_eq!(table.name(&code("110000")), Some("北京市"));
        assert_eq!(table.name(&code("310000")), Some("上海市"));
        assert_eq!(table.name(&code("440000")), Some("广东省"));
        assert_eq!(table.name(&code("710000")), Some("台湾省"));
        assert_eq!(table.name(&code("810000")), Some("香港特别行政区"));
        assert_eq!(table.name(&code("820000")), Some("澳门特别行政区"));
        assert!(!table.contains(&code("990000")));
        assert_eq!(table.name(&code("990000")), None);
        let sh = table.get(&code("310000")).expect("present");
        assert_eq!(sh.name_en(), "Shanghai");
        let mainland = table
            .provinces()
            .filter(|p| !["71", "81", "82"].contains(&&p.code().as_str()[..2]))
            .count();
        assert_eq!(mainland, 31);
        let codes: Vec<&str> = table.provinces().map(|p| p.code().as_str()).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        assert_eq!(codes, sorted);
    }

    #[test]
    fn table_rejects_duplicates_and_bad_codes() {
        let dup = r#"
            version = "v"
            source = "s"
            [[provinces]]
            code = "110000"
            name = "北京市"
            name_en = "Beijing"
            [[provinces]]
            code = "110000"
            name = "北京市"
            name_en = "Beijing"
        "#;
        assert!(matches!(
            RegionTable::from_toml(dup),
            Err(RegionError::DuplicateProvince { .. })
        ));
        let city = dup.replacen("110000", "110100", 1);
        assert!(matches!(
            RegionTable::from_toml(&city),
            Err(RegionError::NotProvince(_))
        ));
        assert!(matches!(
            RegionTable::from_toml("version = 1"),
            Err(RegionError::Toml(_))
        ));
    }
}
