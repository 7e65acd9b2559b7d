//! The console's languages: Chinese first, English second. Texts live in one message file per
//! language (`shared/web/messages/*.toml`, keys shared by every console page); templates name
//! a key, never a sentence.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use std::collections::HashMap;
use std::sync::LazyLock;

/// A language the console speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

/// The message files, as compiled in.
pub const SOURCES: [(Lang, &str); 2] = [
    (Lang::Zh, include_str!("../../messages/zh-CN.toml")),
    (Lang::En, include_str!("../../messages/en.toml")),
];

static MESSAGES: LazyLock<[HashMap<String, String>; 2]> = LazyLock::new(|| {
    let load = |lang: Lang| {
        let src = SOURCES
            .iter()
            .find(|(l, _)| *l == lang)
            .map(|(_, s)| *s)
            .unwrap_or_default();
        // A file that does not parse is caught by this module's tests; here it reads as empty.
        flatten(src).unwrap_or_default()
    };
    [load(Lang::Zh), load(Lang::En)]
});

/// A message file as `dotted.key → text`.
pub fn flatten(src: &str) -> Result<HashMap<String, String>, String> {
    fn walk(
        prefix: &str,
        v: &toml::Value,
        out: &mut HashMap<String, String>,
    ) -> Result<(), String> {
        match v {
            toml::Value::String(s) => {
                out.insert(prefix.to_owned(), s.clone());
                Ok(())
            }
            toml::Value::Table(t) => t.iter().try_for_each(|(k, v)| {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                walk(&key, v, out)
            }),
            _ => Err(format!("{prefix}: a message must be a string")),
        }
    }
    let table: toml::Table = src.parse().map_err(|e| format!("{e}"))?;
    let mut out = HashMap::new();
    walk("", &toml::Value::Table(table), &mut out)?;
    Ok(out)
}

impl Lang {
    /// The language tag pages carry (`<html lang>`), and the cookie and `?lang=` value.
    pub fn code(self) -> &'static str {
        match self {
            Self::Zh => "zh-CN",
            Self::En => "en",
        }
    }

    /// The other language, for the switch in every page's header.
    pub fn other(self) -> Self {
        match self {
            Self::Zh => Self::En,
            Self::En => Self::Zh,
        }
    }

    /// `zh`, `zh-CN`, `zh-Hans`, `en`, `en-GB`, … in any case.
    pub fn parse(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "zh" => Some(Self::Zh),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    /// The language an `Accept-Language` header prefers most among ours, if any.
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut best: Option<(u16, Self)> = None;
        for item in header.split(',').take(32) {
            let mut parts = item.split(';');
            let Some(lang) = parts.next().and_then(Self::parse) else {
                continue;
            };
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if q.is_nan() || q <= 0.0 {
                continue;
            }
            // Thousandths, as the header's grammar allows three decimals.
            let q = (q.min(1.0) * 1000.0).round() as u16;
            if best.is_none_or(|(b, _)| q > b) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l)
    }

    fn messages(self) -> &'static HashMap<String, String> {
        &MESSAGES[match self {
            Self::Zh => 0,
            Self::En => 1,
        }]
    }

    /// The text of `key`; the key itself where the file lacks it (a test keeps that from
    /// happening for every key a template names).
    pub fn t(self, key: &str) -> &str {
        self.messages().get(key).map_or(key, String::as_str)
    }

    /// Whether the language's file has `key`.
    pub fn has(self, key: &str) -> bool {
        self.messages().contains_key(key)
    }

    /// The text of `key` with each `{name}` replaced by its value.
    pub fn tf(self, key: &str, args: &[(&str, &str)]) -> String {
        let mut s = self.t(key).to_owned();
        for (name, value) in args {
            s = s.replace(&format!("{{{name}}}"), value);
        }
        s
    }

    /// A date as people of the language write it: 2026年12月6日, 6 December 2026.
    pub fn date(self, d: NaiveDate) -> String {
        match self {
            Self::Zh => format!("{}年{}月{}日", d.year(), d.month(), d.day()),
            Self::En => format!(
                "{} {} {}",
                d.day(),
                MONTHS.get(d.month0() as usize).copied().unwrap_or_default(),
                d.year()
            ),
        }
    }

    /// A moment in China's time: the date and the minute.
    pub fn datetime(self, t: DateTime<Utc>) -> String {
        let local = t.with_timezone(&crate::china_offset());
        format!(
            "{} {}",
            self.date(local.date_naive()),
            local.format("%H:%M")
        )
    }

    /// The day of the week of `d`.
    pub fn weekday(self, d: NaiveDate) -> &'static str {
        let i = d.weekday().num_days_from_monday() as usize;
        match self {
            Self::Zh => ["周一", "周二", "周三", "周四", "周五", "周六", "周日"][i],
            Self::En => ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][i],
        }
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_as_each_language_writes_them() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 6).expect("date");
        assert_eq!(Lang::Zh.date(d), "2026年12月6日");
        assert_eq!(Lang::En.date(d), "6 December 2026");
        assert_eq!(Lang::Zh.weekday(d), "周日");
    }

    #[test]
    fn accept_language_picks_the_most_preferred_of_ours() {
        assert_eq!(
            Lang::from_accept_language("en-US,en;q=0.9,zh-CN;q=0.8"),
            Some(Lang::En)
        );
        assert_eq!(
            Lang::from_accept_language("fr;q=1, zh-Hans;q=0.5, en;q=0.4"),
            Some(Lang::Zh)
        );
        assert_eq!(Lang::from_accept_language("fr, de"), None);
        assert_eq!(
            Lang::from_accept_language("en;q=0, zh;q=0.1"),
            Some(Lang::Zh)
        );
        assert_eq!(Lang::from_accept_language(""), None);
    }

    #[test]
    fn both_message_files_parse_and_hold_the_same_keys() {
        let zh = flatten(SOURCES[0].1).expect("zh-CN.toml");
        let en = flatten(SOURCES[1].1).expect("en.toml");
        let mut missing: Vec<_> = zh
            .keys()
            .filter(|k| !en.contains_key(*k))
            .map(|k| format!("en lacks {k}"))
            .chain(
                en.keys()
                    .filter(|k| !zh.contains_key(*k))
                    .map(|k| format!("zh-CN lacks {k}")),
            )
            .collect();
        missing.sort();
        assert!(missing.is_empty(), "{missing:#?}");
        // Placeholders agree too: a translation cannot drop a value.
        let names = |s: &str| {
            let mut v: Vec<String> = s
                .split('{')
                .skip(1)
                .filter_map(|p| p.split_once('}').map(|(n, _)| n.to_owned()))
                .collect();
            v.sort();
            v
        };
        for (k, z) in &zh {
            assert_eq!(names(z), names(&en[k]), "placeholders of {k}");
        }
    }

    #[test]
    fn a_missing_key_shows_itself() {
        assert_eq!(Lang::Zh.t("no.such.key"), "no.such.key");
        assert_eq!(
            Lang::Zh.tf("date.working_days", &[("n", "3")]),
            "3 个工作日"
        );
    }
}
