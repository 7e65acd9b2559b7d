//! Working-day calendar (工作日): statutory holidays and make-up working days per year, loaded
//! from data, and the deadline arithmetic built on them.
//!
//! Counting follows Civil Code Art. 201: the day of the event is not counted, and a deadline of
//! N working days falls on the N-th working day after it. A year without a published
//! arrangement skips weekends and the statutory holidays fixed by law ([`statutory_days`]),
//! assumes no make-up working days, and every result touching it is marked provisional.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::ToSchema;

use crate::lunar;

/// Why a calendar could not be loaded or a deadline computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("a number of working days must be between 1 and {max}, got {value}", max = WorkingDays::MAX)]
    WorkingDaysOutOfRange { value: i64 },
    #[error("calendar file is not valid: {0}")]
    Toml(String),
    #[error("calendar field `{field}` is empty")]
    EmptyField { field: &'static str },
    #[error("calendar year {0} is outside the supported date range")]
    YearOutOfRange(i32),
    #[error("`{field}` value {value:?} is not a plain date (YYYY-MM-DD)")]
    NotADate { field: &'static str, value: String },
    #[error("{date} lies outside the calendar's year {year}")]
    DateOutsideYear { date: NaiveDate, year: i32 },
    #[error("holiday {name} ends ({to}) before it starts ({from})")]
    InvertedRange {
        name: String,
        from: NaiveDate,
        to: NaiveDate,
    },
    #[error("{date} is in both holiday {first} and holiday {second}")]
    OverlappingHolidays {
        date: NaiveDate,
        first: String,
        second: String,
    },
    #[error("make-up working day (调休上班) {date} is a {weekday}, not a Saturday or Sunday")]
    MakeupNotWeekend { date: NaiveDate, weekday: Weekday },
    #[error("make-up working day (调休上班) {date} is listed twice")]
    DuplicateMakeupDay { date: NaiveDate },
    #[error("{date} is both a make-up working day and part of holiday {name}")]
    MakeupIsHoliday { date: NaiveDate, name: String },
    #[error("{days} working days after {from} is past the last representable date")]
    DateOverflow { from: NaiveDate, days: u16 },
    #[error("built-in calendar {file} is broken")]
    Builtin {
        file: &'static str,
        #[source]
        source: Box<CalendarError>,
    },
}

/// A time limit counted in working days (工作日), 1 to 3650 (about fourteen years, far beyond
/// any limit in the Order; the bound keeps the day-by-day arithmetic cheap).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "u16")]
pub struct WorkingDays(u16);

impl WorkingDays {
    pub const MAX: u16 = 3650;

    pub fn new(n: i64) -> Result<Self, CalendarError> {
        match u16::try_from(n) {
            Ok(v) if (1..=Self::MAX).contains(&v) => Ok(Self(v)),
            _ => Err(CalendarError::WorkingDaysOutOfRange { value: n }),
        }
    }

    pub fn get(self) -> u16 {
        self.0
    }
}

impl TryFrom<i64> for WorkingDays {
    type Error = CalendarError;
    fn try_from(n: i64) -> Result<Self, Self::Error> {
        Self::new(n)
    }
}

impl From<WorkingDays> for u16 {
    fn from(n: WorkingDays) -> Self {
        n.0
    }
}

impl fmt::Display for WorkingDays {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl utoipa::PartialSchema for WorkingDays {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .description(Some("A number of working days (工作日)"))
            .minimum(Some(1))
            .maximum(Some(WorkingDays::MAX))
            .into()
    }
}
impl ToSchema for WorkingDays {}

/// One statutory holiday (法定节假日) as published: an inclusive range of days off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Holiday {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    name_en: Option<String>,
    from: NaiveDate,
    to: NaiveDate,
}

impl Holiday {
    /// Chinese name, e.g. 春节.
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn name_en(&self) -> Option<&str> {
        self.name_en.as_deref()
    }
    pub fn from(&self) -> NaiveDate {
        self.from
    }
    pub fn to(&self) -> NaiveDate {
        self.to
    }
}

/// One year's arrangement (节假日安排) from the State Council's notice, with its source and a
/// version that deadlines record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct YearCalendar {
    year: i32,
    version: String,
    source: String,
    makeup_working_days: BTreeSet<NaiveDate>,
    holidays: Vec<Holiday>,
    #[serde(skip)]
    holiday_days: BTreeMap<NaiveDate, String>,
}

/// The file layout of `config/calendars/CN-<year>.toml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarFile {
    year: i32,
    version: String,
    source: String,
    #[serde(default)]
    makeup_working_days: Vec<DateRepr>,
    #[serde(default)]
    holidays: Vec<HolidayFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HolidayFile {
    name: String,
    #[serde(default)]
    name_en: Option<String>,
    from: DateRepr,
    to: DateRepr,
}

/// A TOML local date as written by hand, or a `YYYY-MM-DD` string as written by our own
/// `Serialize` (which must also suit JSON).
#[derive(Deserialize)]
#[serde(untagged)]
enum DateRepr {
    Toml(toml::value::Datetime),
    Text(String),
}

impl DateRepr {
    fn into_date(self, field: &'static str) -> Result<NaiveDate, CalendarError> {
        let not_a_date = |value: String| CalendarError::NotADate { field, value };
        match self {
            DateRepr::Toml(dt) => match (dt.date, dt.time, dt.offset) {
                (Some(d), None, None) => {
                    NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                        .ok_or_else(|| not_a_date(dt.to_string()))
                }
                _ => Err(not_a_date(dt.to_string())),
            },
            DateRepr::Text(s) => {
                NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_err(|_| not_a_date(s))
            }
        }
    }
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The most statutory days a year can have: 元旦 1, 春节 4, 清明 1, 劳动节 2, 端午 1, 中秋 1,
/// 国庆 3.
const MAX_STATUTORY_DAYS: usize = 13;

/// A statutory holiday (法定节假日) as fixed by law; a byte, so a year's list stays small.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Statutory {
    NewYear,
    SpringFestival,
    Qingming,
    LabourDay,
    DragonBoat,
    MidAutumn,
    NationalDay,
    /// 中秋 on one of the National Day days (as in 2028).
    NationalDayAndMidAutumn,
}

impl Statutory {
    /// The Chinese name, as the published arrangements write it.
    fn name(self) -> &'static str {
        match self {
            Statutory::NewYear => "元旦",
            Statutory::SpringFestival => "春节",
            Statutory::Qingming => "清明节",
            Statutory::LabourDay => "劳动节",
            Statutory::DragonBoat => "端午节",
            Statutory::MidAutumn => "中秋节",
            Statutory::NationalDay => "国庆节",
            Statutory::NationalDayAndMidAutumn => "国庆节、中秋节",
        }
    }
}

/// A year's statutory holidays as fixed by law, in date order: what is known of a year before
/// its arrangement is published. Built once per year and kept on the stack, so the day-by-day
/// loops stay cheap.
#[derive(Debug, Clone, Copy)]
struct StatutoryDays {
    days: [(NaiveDate, Statutory); MAX_STATUTORY_DAYS],
    len: usize,
}

impl StatutoryDays {
    fn of_year(year: i32) -> Self {
        let mut days = Self {
            days: [(NaiveDate::MIN, Statutory::NewYear); MAX_STATUTORY_DAYS],
            len: 0,
        };
        let on = |month, day| NaiveDate::from_ymd_opt(year, month, day);
        // Years outside the lunar table keep only the fixed-date holidays (元旦, 劳动节, 国庆):
        // their lunar festivals and Qingming are not known here.
        let movable = lunar::movable_days(year);
        days.push(on(1, 1), Statutory::NewYear);
        if let Some(m) = movable {
            for date in m.spring_festival_eve.iter_days().take(4) {
                days.push(Some(date), Statutory::SpringFestival);
            }
            days.push(Some(m.qingming), Statutory::Qingming);
        }
        days.push(on(5, 1), Statutory::LabourDay);
        // 5-2 (like 除夕, which the table starts with) is statutory from 2025, by the 2024
        // amendment.
        if year >= 2025 {
            days.push(on(5, 2), Statutory::LabourDay);
        }
        if let Some(m) = movable {
            days.push(Some(m.dragon_boat), Statutory::DragonBoat);
        }
        // 中秋 falls in September or October: before, on or after National Day (10-1..10-3).
        let mid_autumn = movable.map(|m| m.mid_autumn);
        if mid_autumn.is_some_and(|d| d.month() < 10) {
            days.push(mid_autumn, Statutory::MidAutumn);
        }
        for day in 1..=3 {
            let date = on(10, day);
            if date.is_some() && date == mid_autumn {
                days.push(date, Statutory::NationalDayAndMidAutumn);
            } else {
                days.push(date, Statutory::NationalDay);
            }
        }
        if mid_autumn.is_some_and(|d| d.month() == 10 && d.day() > 3) {
            days.push(mid_autumn, Statutory::MidAutumn);
        }
        days
    }

    /// Appends in date order; `None` (no such day, or none chrono can represent) is left out.
    fn push(&mut self, date: Option<NaiveDate>, holiday: Statutory) {
        if let (Some(date), Some(slot)) = (date, self.days.get_mut(self.len)) {
            *slot = (date, holiday);
            self.len += 1;
        }
    }

    fn iter(&self) -> impl Iterator<Item = (NaiveDate, Statutory)> + '_ {
        self.days.iter().take(self.len).copied()
    }

    fn name_of(&self, date: NaiveDate) -> Option<&'static str> {
        self.iter()
            .find(|(d, _)| *d == date)
            .map(|(_, holiday)| holiday.name())
    }
}

/// The statutory holidays (法定节假日) of `year` in date order, with their Chinese names, as fixed
/// by 全国年节及纪念日放假办法 (as amended in 2024): 元旦 1-1; 春节 from 除夕 to 初三 (lunar 1-3);
/// 清明节 on the Qingming solar term; 劳动节 5-1 and 5-2; 端午节 lunar 5-5; 中秋节 lunar 8-15;
/// 国庆节 10-1 to 10-3. The lunar days and Qingming are known for [`lunar::FIRST_YEAR`] to
/// [`lunar::LAST_YEAR`] only; other years give the fixed-date holidays alone (before 2025,
/// when the amendment took effect, 劳动节 is 5-1 only). The make-up working days (调休上班) and
/// bridging days of a year come only with its published arrangement.
pub fn statutory_days(year: i32) -> impl Iterator<Item = (NaiveDate, &'static str)> {
    let days = StatutoryDays::of_year(year);
    days.days
        .into_iter()
        .take(days.len)
        .map(|(date, holiday)| (date, holiday.name()))
}

impl YearCalendar {
    /// Parses and checks one year: all dates inside `year`, ranges in order, holidays not
    /// overlapping, make-up days on weekends and not on holidays.
    pub fn from_toml(text: &str) -> Result<Self, CalendarError> {
        let file: CalendarFile =
            toml::from_str(text).map_err(|e| CalendarError::Toml(e.to_string()))?;
        let year = file.year;
        if NaiveDate::from_ymd_opt(year, 1, 1).is_none()
            || NaiveDate::from_ymd_opt(year, 12, 31).is_none()
        {
            return Err(CalendarError::YearOutOfRange(year));
        }
        if file.version.trim().is_empty() {
            return Err(CalendarError::EmptyField { field: "version" });
        }
        if file.source.trim().is_empty() {
            return Err(CalendarError::EmptyField { field: "source" });
        }
        let in_year = |date: NaiveDate| {
            if date.year() == year {
                Ok(date)
            } else {
                Err(CalendarError::DateOutsideYear { date, year })
            }
        };

        let mut holidays = Vec::with_capacity(file.holidays.len());
        let mut holiday_days: BTreeMap<NaiveDate, String> = BTreeMap::new();
        for h in file.holidays {
            if h.name.trim().is_empty() {
                return Err(CalendarError::EmptyField {
                    field: "holidays.name",
                });
            }
            let from = in_year(h.from.into_date("holidays.from")?)?;
            let to = in_year(h.to.into_date("holidays.to")?)?;
            if from > to {
                return Err(CalendarError::InvertedRange {
                    name: h.name,
                    from,
                    to,
                });
            }
            for date in from.iter_days().take_while(|d| *d <= to) {
                if let Some(first) = holiday_days.insert(date, h.name.clone()) {
                    return Err(CalendarError::OverlappingHolidays {
                        date,
                        first,
                        second: h.name,
                    });
                }
            }
            holidays.push(Holiday {
                name: h.name,
                name_en: h.name_en.filter(|n| !n.trim().is_empty()),
                from,
                to,
            });
        }
        holidays.sort_by_key(|h| h.from);

        let mut makeup_working_days = BTreeSet::new();
        for raw in file.makeup_working_days {
            let date = in_year(raw.into_date("makeup_working_days")?)?;
            if !is_weekend(date) {
                return Err(CalendarError::MakeupNotWeekend {
                    date,
                    weekday: date.weekday(),
                });
            }
            if let Some(name) = holiday_days.get(&date) {
                return Err(CalendarError::MakeupIsHoliday {
                    date,
                    name: name.clone(),
                });
            }
            if !makeup_working_days.insert(date) {
                return Err(CalendarError::DuplicateMakeupDay { date });
            }
        }

        Ok(Self {
            year,
            version: file.version,
            source: file.source,
            makeup_working_days,
            holidays,
            holiday_days,
        })
    }

    pub fn year(&self) -> i32 {
        self.year
    }

    /// Recorded with every deadline computed from this year, e.g. `CN-2025.1`.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The notice the arrangement comes from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The holidays as published (ranges), in date order.
    pub fn holidays(&self) -> &[Holiday] {
        &self.holidays
    }

    /// Every holiday day with the name of its holiday, in date order.
    pub fn holiday_days(&self) -> impl Iterator<Item = (NaiveDate, &str)> + '_ {
        self.holiday_days.iter().map(|(d, n)| (*d, n.as_str()))
    }

    /// The Saturdays and Sundays worked (调休上班), in date order.
    pub fn makeup_days(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.makeup_working_days.iter().copied()
    }

    /// Working days in the whole year.
    pub fn working_day_count(&self) -> u32 {
        let mut count = 0;
        let mut date = NaiveDate::from_ymd_opt(self.year, 1, 1);
        while let Some(d) = date.filter(|d| d.year() == self.year) {
            if self.classify(d).is_working() {
                count += 1;
            }
            date = d.succ_opt();
        }
        count
    }

    fn classify(&self, date: NaiveDate) -> Class<'_> {
        if let Some(name) = self.holiday_days.get(&date) {
            Class::Holiday(name)
        } else if self.makeup_working_days.contains(&date) {
            Class::Makeup
        } else if is_weekend(date) {
            Class::Weekend
        } else {
            Class::Working
        }
    }
}

/// Borrowing twin of [`DayKind`] so the day-by-day loops do not allocate.
#[derive(Clone, Copy)]
enum Class<'a> {
    Working,
    Makeup,
    Weekend,
    Holiday(&'a str),
}

impl Class<'_> {
    fn is_working(self) -> bool {
        matches!(self, Class::Working | Class::Makeup)
    }
}

/// How the days of one year are classed.
enum YearRule<'a> {
    /// By its published arrangement.
    Published(&'a YearCalendar),
    /// No arrangement loaded: weekends and the statutory days are off, and no make-up working
    /// day is assumed.
    Provisional(StatutoryDays),
}

impl<'a> YearRule<'a> {
    fn classify(&self, date: NaiveDate) -> Class<'a> {
        match self {
            YearRule::Published(year) => year.classify(date),
            YearRule::Provisional(days) => match days.name_of(date) {
                Some(name) => Class::Holiday(name),
                None if is_weekend(date) => Class::Weekend,
                None => Class::Working,
            },
        }
    }
}

/// What kind of day a date is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DayKind {
    /// Monday to Friday, not a holiday.
    Working,
    /// A Saturday or Sunday worked in exchange for a holiday (调休上班).
    MakeupWorkday,
    Weekend,
    /// Statutory holiday (法定节假日), with its Chinese name.
    Holiday {
        name: String,
    },
}

impl DayKind {
    pub fn is_working(&self) -> bool {
        matches!(self, DayKind::Working | DayKind::MakeupWorkday)
    }
}

/// Why a day was not counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    Weekend,
    Holiday,
}

/// A day passed over while counting, so a deadline can be explained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct SkippedDay {
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    pub reason: SkipReason,
    /// The holiday's Chinese name; absent for weekends.
    pub name: Option<String>,
}

/// A deadline and how it was reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct DueDate {
    #[schema(value_type = String, format = Date)]
    pub due_date: NaiveDate,
    /// Some counted day lay in a year with no loaded calendar (weekends and statutory holidays
    /// only, no make-up working days): recompute when that year's arrangement is published.
    pub provisional: bool,
    /// Versions of the year calendars consulted, sorted.
    pub calendar_versions: Vec<String>,
    /// Every non-working day between the start (exclusive) and the due date.
    pub skipped: Vec<SkippedDay>,
}

/// A count of working days between two dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Span {
    pub days: i64,
    pub provisional: bool,
    pub calendar_versions: Vec<String>,
}

const BUILTIN: [(&str, &str); 2] = [
    (
        "config/calendars/CN-2025.toml",
        include_str!("../../../config/calendars/CN-2025.toml"),
    ),
    (
        "config/calendars/CN-2026.toml",
        include_str!("../../../config/calendars/CN-2026.toml"),
    ),
];

/// The working-day calendar: the loaded years, plus weekends and [`statutory_days`] elsewhere.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    years: BTreeMap<i32, YearCalendar>,
}

impl Calendar {
    /// Builds from year calendars; if a year appears twice the later one wins.
    pub fn new(years: impl IntoIterator<Item = YearCalendar>) -> Self {
        Self {
            years: years.into_iter().map(|y| (y.year, y)).collect(),
        }
    }

    /// The arrangements shipped in `config/calendars` (2025 and 2026).
    pub fn builtin() -> Result<Self, CalendarError> {
        let mut years = Vec::with_capacity(BUILTIN.len());
        for (file, text) in BUILTIN {
            let year = YearCalendar::from_toml(text).map_err(|e| CalendarError::Builtin {
                file,
                source: Box::new(e),
            })?;
            years.push(year);
        }
        Ok(Self::new(years))
    }

    /// The loaded years, in order.
    pub fn years(&self) -> impl Iterator<Item = &YearCalendar> {
        self.years.values()
    }

    pub fn year(&self, year: i32) -> Option<&YearCalendar> {
        self.years.get(&year)
    }

    /// Whether `year` has a published arrangement loaded (else its dates are provisional).
    pub fn covers(&self, year: i32) -> bool {
        self.years.contains_key(&year)
    }

    pub fn day_kind(&self, date: NaiveDate) -> DayKind {
        match self.classify(date) {
            Class::Working => DayKind::Working,
            Class::Makeup => DayKind::MakeupWorkday,
            Class::Weekend => DayKind::Weekend,
            Class::Holiday(name) => DayKind::Holiday {
                name: name.to_owned(),
            },
        }
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        self.classify(date).is_working()
    }

    fn rule(&self, year: i32) -> YearRule<'_> {
        match self.years.get(&year) {
            Some(cal) => YearRule::Published(cal),
            None => YearRule::Provisional(StatutoryDays::of_year(year)),
        }
    }

    fn classify(&self, date: NaiveDate) -> Class<'_> {
        self.rule(date.year()).classify(date)
    }

    /// The `n`-th working day after `from` (`from` itself is not counted, Civil Code Art. 201).
    pub fn add_working_days(
        &self,
        from: NaiveDate,
        n: WorkingDays,
    ) -> Result<DueDate, CalendarError> {
        let overflow = CalendarError::DateOverflow {
            from,
            days: n.get(),
        };
        let mut consulted = Consulted::default();
        let mut skipped = Vec::new();
        let mut remaining = n.get();
        let mut day = from;
        // The rule changes only at a new year, so a provisional year's statutory days are built
        // once per year rather than per day.
        let mut rule_year = day.year();
        let mut rule = self.rule(rule_year);
        while remaining > 0 {
            day = day.succ_opt().ok_or_else(|| overflow.clone())?;
            consulted.note(self, day.year());
            if day.year() != rule_year {
                rule_year = day.year();
                rule = self.rule(rule_year);
            }
            match rule.classify(day) {
                Class::Working | Class::Makeup => remaining -= 1,
                Class::Weekend => skipped.push(SkippedDay {
                    date: day,
                    reason: SkipReason::Weekend,
                    name: None,
                }),
                Class::Holiday(name) => skipped.push(SkippedDay {
                    date: day,
                    reason: SkipReason::Holiday,
                    name: Some(name.to_owned()),
                }),
            }
        }
        Ok(DueDate {
            due_date: day,
            provisional: consulted.provisional,
            calendar_versions: consulted.into_versions(),
            skipped,
        })
    }

    /// Working days in `(from, to]`, or 0 when `to <= from`. "Late by N working days" is
    /// `working_days_between(due_date, submitted_on)`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> Span {
        let empty = Span {
            days: 0,
            provisional: false,
            calendar_versions: Vec::new(),
        };
        let Some(start) = from.succ_opt().filter(|s| *s <= to) else {
            return empty;
        };
        // Weekdays by arithmetic, then each year's exceptions, so long spans stay cheap.
        let mut days = weekdays_up_to(to) - weekdays_up_to(from);
        let mut consulted = Consulted::default();
        for year in start.year()..=to.year() {
            consulted.note(self, year);
            if !self.covers(year) {
                let weekday_holidays = StatutoryDays::of_year(year)
                    .iter()
                    .filter(|(d, _)| (start..=to).contains(d) && !is_weekend(*d))
                    .count();
                days -= i64::try_from(weekday_holidays).unwrap_or(i64::MAX);
            }
        }
        for cal in self.years.range(start.year()..=to.year()).map(|(_, c)| c) {
            days += i64::try_from(cal.makeup_working_days.range(start..=to).count())
                .unwrap_or(i64::MAX);
            let weekday_holidays = cal
                .holiday_days
                .range(start..=to)
                .filter(|(d, _)| !is_weekend(**d))
                .count();
            days -= i64::try_from(weekday_holidays).unwrap_or(i64::MAX);
        }
        Span {
            days,
            provisional: consulted.provisional,
            calendar_versions: consulted.into_versions(),
        }
    }
}

/// Number of Monday–Friday days from 0001-01-01 (a Monday, day 1) up to `date` inclusive;
/// differences of this give weekday counts over any range, before the era too.
fn weekdays_up_to(date: NaiveDate) -> i64 {
    let n = i64::from(date.num_days_from_ce());
    5 * n.div_euclid(7) + n.rem_euclid(7).min(5)
}

/// The years a computation looked at.
#[derive(Default)]
struct Consulted {
    last_year: Option<i32>,
    versions: BTreeSet<String>,
    provisional: bool,
}

impl Consulted {
    fn note(&mut self, calendar: &Calendar, year: i32) {
        if self.last_year == Some(year) {
            return;
        }
        self.last_year = Some(year);
        match calendar.years.get(&year) {
            Some(cal) => {
                self.versions.insert(cal.version.clone());
            }
            None => self.provisional = true,
        }
    }

    fn into_versions(self) -> Vec<String> {
        self.versions.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    fn days(n: i64) -> WorkingDays {
        WorkingDays::new(n).expect("valid working days")
    }

    fn builtin() -> Calendar {
        Calendar::builtin().expect("builtin calendars parse")
    }

    #[test]
    fn working_days_bounds() {
        assert_eq!(days(1).get(), 1);
        assert_eq!(days(3650).get(), 3650);
        for bad in [0, -1, 3651, i64::from(u16::MAX) + 1, i64::MIN] {
            assert_eq!(
                WorkingDays::new(bad),
                Err(CalendarError::WorkingDaysOutOfRange { value: bad })
            );
        }
        let parsed: WorkingDays = serde_json::from_str("30").expect("de");
        assert_eq!(parsed, days(30));
        assert!(serde_json::from_str::<WorkingDays>("0").is_err());
        assert_eq!(serde_json::to_string(&parsed).expect("ser"), "30");
    }

    #[test]
    fn builtin_years_load_with_their_sources() {
        let cal = builtin();
        let years: Vec<i32> = cal.years().map(YearCalendar::year).collect();
        assert_eq!(years, [2025, 2026]);
        assert!(cal.covers(2025) && cal.covers(2026) && !cal.covers(2027));
        let y2025 = cal.year(2025).expect("2025");
        assert_eq!(y2025.version(), "CN-2025.1");
        assert!(y2025.source().contains("国办发明电〔2024〕12号"));
        assert_eq!(y2025.makeup_days().count(), 5);
        assert_eq!(y2025.holidays().len(), 6);
        let y2026 = cal.year(2026).expect("2026");
        assert_eq!(y2026.version(), "CN-2026.1");
        assert!(y2026.source().contains("2026年部分节假日安排"));
        assert_eq!(y2026.makeup_days().count(), 6);
    }

    #[test]
    fn each_year_has_248_working_days() {
        let cal = builtin();
        for year in cal.years() {
            assert_eq!(year.working_day_count(), 248, "{}", year.year());
            let span =
                cal.working_days_between(date(year.year() - 1, 12, 31), date(year.year(), 12, 31));
            assert_eq!(span.days, 248);
            assert!(!span.provisional);
            assert_eq!(span.calendar_versions, [year.version()]);
        }
    }

    #[test]
    fn transition_deadline_is_2025_07_14() {
        let due = builtin()
            .add_working_days(date(2025, 6, 1), days(30))
            .expect("in range");
        assert_eq!(due.due_date, date(2025, 7, 14));
        assert!(!due.provisional);
        assert_eq!(due.calendar_versions, ["CN-2025.1"]);
        assert_eq!(
            due.skipped.first(),
            Some(&SkippedDay {
                date: date(2025, 6, 2),
                reason: SkipReason::Holiday,
                name: Some("端午节".into()),
            })
        );
        // 43 calendar days = 30 counted + 1 holiday + 12 weekend days.
        assert_eq!(due.skipped.len(), 13);
        let json = serde_json::to_value(&due).expect("ser");
        assert_eq!(json["due_date"], "2025-07-14");
        assert_eq!(json["skipped"][0]["reason"], "holiday");
        assert_eq!(json["skipped"][1]["reason"], "weekend");
    }

    #[test]
    fn day_kinds_follow_the_2026_arrangement() {
        let cal = builtin();
        assert_eq!(cal.day_kind(date(2026, 2, 14)), DayKind::MakeupWorkday);
        assert_eq!(cal.day_kind(date(2026, 2, 28)), DayKind::MakeupWorkday);
        assert!(cal.is_working_day(date(2026, 2, 14)));
        assert!(cal.is_working_day(date(2026, 2, 28)));
        assert_eq!(
            cal.day_kind(date(2026, 2, 16)),
            DayKind::Holiday {
                name: "春节".into()
            }
        );
        assert_eq!(cal.day_kind(date(2026, 3, 2)), DayKind::Working);
        assert_eq!(cal.day_kind(date(2026, 3, 1)), DayKind::Weekend);
        for day in 15..=23 {
            assert!(!cal.is_working_day(date(2026, 2, day)), "02-{day}");
        }
    }

    #[test]
    fn spring_festival_2026_is_skipped() {
        let due = builtin()
            .add_working_days(date(2026, 2, 13), days(2))
            .expect("in range");
        // 02-14 (make-up Saturday) counts, then 02-15..02-23 are skipped, then 02-24.
        assert_eq!(due.due_date, date(2026, 2, 24));
        let skipped: Vec<NaiveDate> = due.skipped.iter().map(|s| s.date).collect();
        let expected: Vec<NaiveDate> = (15..=23).map(|d| date(2026, 2, d)).collect();
        assert_eq!(skipped, expected);
        assert!(due
            .skipped
            .iter()
            .all(|s| s.reason == SkipReason::Holiday && s.name.as_deref() == Some("春节")));
    }

    #[test]
    fn years_without_a_calendar_are_provisional() {
        let cal = builtin();
        assert_eq!(
            cal.day_kind(date(2027, 1, 1)),
            DayKind::Holiday {
                name: "元旦".into()
            }
        );
        assert_eq!(cal.day_kind(date(2027, 1, 2)), DayKind::Weekend);
        assert_eq!(cal.day_kind(date(2027, 1, 4)), DayKind::Working);
        let due = cal
            .add_working_days(date(2027, 3, 1), days(5))
            .expect("in range");
        assert_eq!(due.due_date, date(2027, 3, 8));
        assert!(due.provisional);
        assert!(due.calendar_versions.is_empty());
    }

    #[test]
    fn deadline_crossing_into_2027_is_provisional() {
        let cal = builtin();
        let due = cal
            .add_working_days(date(2026, 12, 31), days(5))
            .expect("in range");
        // 2027-01-01 is a Friday but 元旦 by law, published arrangement or not.
        assert_eq!(due.due_date, date(2027, 1, 8));
        assert!(due.provisional);
        assert!(due.calendar_versions.is_empty());

        let due = cal
            .add_working_days(date(2026, 12, 30), days(5))
            .expect("in range");
        assert_eq!(due.due_date, date(2027, 1, 7));
        assert!(due.provisional);
        assert_eq!(due.calendar_versions, ["CN-2026.1"]);

        let due = cal
            .add_working_days(date(2025, 12, 30), days(5))
            .expect("in range");
        assert!(!due.provisional);
        assert_eq!(due.calendar_versions, ["CN-2025.1", "CN-2026.1"]);
    }

    #[test]
    fn new_year_2027_is_skipped_though_2027_is_not_published() {
        let due = builtin()
            .add_working_days(date(2026, 12, 20), days(30))
            .expect("in range");
        // 9 working days left in December, 2027-01-01 off, then 21 more: Monday 2027-02-01.
        assert_eq!(due.due_date, date(2027, 2, 1));
        assert!(due.provisional);
        assert_eq!(due.calendar_versions, ["CN-2026.1"]);
        let new_year = SkippedDay {
            date: date(2027, 1, 1),
            reason: SkipReason::Holiday,
            name: Some("元旦".into()),
        };
        assert!(due.skipped.contains(&new_year), "{:?}", due.skipped);
        let holidays: Vec<&SkippedDay> = due
            .skipped
            .iter()
            .filter(|s| s.reason == SkipReason::Holiday)
            .collect();
        assert_eq!(holidays, [&new_year]);
        let json = serde_json::to_value(&due).expect("ser");
        let skipped = json["skipped"].as_array().expect("skipped");
        assert!(skipped
            .iter()
            .any(|s| s["date"] == "2027-01-01" && s["reason"] == "holiday" && s["name"] == "元旦"));
    }

    #[test]
    fn spring_festival_2027_is_skipped_from_the_eve_to_the_third_day() {
        let cal = builtin();
        // 除夕 is Friday 2027-02-05, 初一 Saturday 02-06, 初三 Monday 02-08.
        let due = cal
            .add_working_days(date(2027, 2, 4), days(1))
            .expect("in range");
        assert_eq!(due.due_date, date(2027, 2, 9));
        assert!(due.provisional);
        let expected: Vec<SkippedDay> = (5..=8)
            .map(|d| SkippedDay {
                date: date(2027, 2, d),
                reason: SkipReason::Holiday,
                name: Some("春节".into()),
            })
            .collect();
        assert_eq!(due.skipped, expected);
        // No make-up working day is assumed: Saturday 02-20 stays a weekend.
        assert_eq!(cal.day_kind(date(2027, 2, 20)), DayKind::Weekend);
        assert_eq!(
            cal.working_days_between(date(2027, 2, 4), date(2027, 2, 9))
                .days,
            1
        );
    }

    #[test]
    fn statutory_days_of_a_provisional_year() {
        let got: Vec<(NaiveDate, &str)> = statutory_days(2027).collect();
        let mut expected = vec![(date(2027, 1, 1), "元旦")];
        expected.extend((5..=8).map(|d| (date(2027, 2, d), "春节")));
        expected.extend([
            (date(2027, 4, 5), "清明节"),
            (date(2027, 5, 1), "劳动节"),
            (date(2027, 5, 2), "劳动节"),
            (date(2027, 6, 9), "端午节"),
            (date(2027, 9, 15), "中秋节"),
            (date(2027, 10, 1), "国庆节"),
            (date(2027, 10, 2), "国庆节"),
            (date(2027, 10, 3), "国庆节"),
        ]);
        assert_eq!(got, expected);

        // 2028: 中秋 falls on 10-03, one day with both names.
        let y2028: Vec<(NaiveDate, &str)> = statutory_days(2028).collect();
        assert_eq!(y2028.len(), 12);
        assert_eq!(y2028.last(), Some(&(date(2028, 10, 3), "国庆节、中秋节")));

        // Beyond the lunar table only the fixed-date holidays are known.
        let fixed = [(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)];
        let y2101: Vec<NaiveDate> = statutory_days(2101).map(|(d, _)| d).collect();
        let expected: Vec<NaiveDate> = fixed.iter().map(|(m, d)| date(2101, *m, *d)).collect();
        assert_eq!(y2101, expected);
        // Before the 2024 amendment took effect, 5-2 was a working day.
        assert!(!statutory_days(2024).any(|(d, _)| d == date(2024, 5, 2)));
        // The ends of chrono's range: fixed-date holidays only, and no panic.
        assert_eq!(statutory_days(NaiveDate::MAX.year()).count(), 6);
        assert_eq!(statutory_days(NaiveDate::MIN.year()).count(), 5);

        // Every year: in date order, no day twice, 13 days unless 中秋 meets 国庆.
        for year in lunar::FIRST_YEAR..=lunar::LAST_YEAR + 1 {
            let all: Vec<(NaiveDate, &str)> = statutory_days(year).collect();
            assert!(all.windows(2).all(|w| w[0].0 < w[1].0), "{year}: {all:?}");
            assert!(all.iter().all(|(d, _)| d.year() == year), "{year}");
            let merged = all.iter().any(|(_, n)| n.contains('、'));
            let expected = match (year <= lunar::LAST_YEAR, merged) {
                (true, false) => 13,
                (true, true) => 12,
                (false, _) => 6,
            };
            assert_eq!(all.len(), expected, "{year}: {all:?}");
        }
    }

    #[test]
    fn statutory_days_are_official_holidays_in_published_years() {
        // The published arrangement adds bridging days but never drops a statutory day.
        let cal = builtin();
        for year in [2025, 2026] {
            let official = cal.year(year).expect("loaded");
            let days: BTreeMap<NaiveDate, &str> = official.holiday_days().collect();
            assert_eq!(statutory_days(year).count(), 13, "{year}");
            for (date, name) in statutory_days(year) {
                let official_name = days
                    .get(&date)
                    .unwrap_or_else(|| panic!("{date} ({name}) is not an official holiday"));
                // e.g. 2025-10-06 is 中秋节 inside the official 国庆节、中秋节.
                for part in name.split('、') {
                    assert!(
                        official_name.contains(part),
                        "{date}: {name} vs {official_name}"
                    );
                }
            }
        }
    }

    #[test]
    fn between_counts_late_days() {
        let cal = builtin();
        let due = date(2025, 7, 14);
        assert_eq!(cal.working_days_between(due, due).days, 0);
        assert_eq!(cal.working_days_between(due, date(2025, 7, 1)).days, 0);
        assert_eq!(cal.working_days_between(due, date(2025, 7, 15)).days, 1);
        // Friday to Monday: the weekend does not count.
        assert_eq!(
            cal.working_days_between(date(2025, 7, 18), date(2025, 7, 21))
                .days,
            1
        );
        // Across National Day 2025 (10-01..10-08); 10-11 is a make-up Saturday.
        assert_eq!(
            cal.working_days_between(date(2025, 9, 30), date(2025, 10, 11))
                .days,
            3
        );
    }

    #[test]
    fn overflow_is_an_error_not_a_panic() {
        let cal = builtin();
        let err = cal
            .add_working_days(NaiveDate::MAX, days(1))
            .expect_err("past the end");
        assert!(matches!(err, CalendarError::DateOverflow { .. }));
        let near_end = NaiveDate::MAX - chrono::Days::new(10);
        assert!(cal.add_working_days(near_end, days(3650)).is_err());
        assert_eq!(
            cal.working_days_between(NaiveDate::MAX, NaiveDate::MAX)
                .days,
            0
        );
        let span = cal.working_days_between(NaiveDate::MIN, NaiveDate::MAX);
        assert!(span.days > 0 && span.provisional);
    }

    /// Recognises the error a broken sample should produce.
    type IsExpected = fn(&CalendarError) -> bool;

    const SAMPLE: &str = r#"
        year = 2030
        version = "T-2030.1"
        source = "test"
        makeup_working_days = [2030-02-09]
        [[holidays]]
        name = "春节"
        from = 2030-02-02
        to = 2030-02-08
    "#;

    #[test]
    fn year_calendar_validation() {
        let ok = YearCalendar::from_toml(SAMPLE).expect("sample is valid");
        assert_eq!(ok.holiday_days().count(), 7);
        assert_eq!(ok.makeup_days().collect::<Vec<_>>(), [date(2030, 2, 9)]);

        let cases: [(&str, &str, IsExpected); 8] = [
            ("2030-02-09]", "2031-02-08]", |e| {
                matches!(e, CalendarError::DateOutsideYear { .. })
            }),
            ("2030-02-09]", "2030-02-11]", |e| {
                matches!(e, CalendarError::MakeupNotWeekend { .. })
            }),
            ("2030-02-09]", "2030-02-02]", |e| {
                matches!(e, CalendarError::MakeupIsHoliday { .. })
            }),
            ("2030-02-09]", "2030-02-09, 2030-02-09]", |e| {
                matches!(e, CalendarError::DuplicateMakeupDay { .. })
            }),
            ("to = 2030-02-08", "to = 2030-02-01", |e| {
                matches!(e, CalendarError::InvertedRange { .. })
            }),
            ("to = 2030-02-08", "to = 2030-02-08T00:00:00", |e| {
                matches!(e, CalendarError::NotADate { .. })
            }),
            ("source = \"test\"", "source = \" \"", |e| {
                matches!(e, CalendarError::EmptyField { field: "source" })
            }),
            ("makeup_working_days", "makeup_workdays", |e| {
                matches!(e, CalendarError::Toml(_))
            }),
        ];
        for (from, to, check) in cases {
            let text = SAMPLE.replace(from, to);
            let err = YearCalendar::from_toml(&text).expect_err(to);
            assert!(check(&err), "{to}: {err}");
        }

        let overlapping =
            format!("{SAMPLE}\n[[holidays]]\nname = \"x\"\nfrom = 2030-02-08\nto = 2030-02-08\n");
        assert!(matches!(
            YearCalendar::from_toml(&overlapping),
            Err(CalendarError::OverlappingHolidays { .. })
        ));
    }

    #[test]
    fn year_calendar_serialises_and_reloads() {
        let cal = builtin();
        for year in cal.years() {
            let text = toml::to_string(year).expect("to toml");
            let back = YearCalendar::from_toml(&text).expect("reload");
            assert_eq!(&back, year);
            let json = serde_json::to_value(year).expect("to json");
            assert_eq!(json["holidays"][0]["name"], "元旦");
            assert!(json["makeup_working_days"][0].is_string());
        }
    }

    #[test]
    fn weekday_arithmetic_matches_chrono() {
        let monday = date(1, 1, 1);
        assert_eq!(monday.weekday(), Weekday::Mon);
        // With nothing loaded every year is provisional: weekends and statutory days only,
        // here across 元旦 and the 2025 Spring Festival.
        let empty = Calendar::default();
        let from = date(2024, 12, 25);
        let mut weekdays = 0;
        let mut expected = 0;
        for offset in 1..60 {
            let to = from + chrono::Days::new(offset);
            if !is_weekend(to) {
                weekdays += 1;
                if statutory_days(to.year()).all(|(d, _)| d != to) {
                    expected += 1;
                }
            }
            assert_eq!(weekdays_up_to(to) - weekdays_up_to(from), weekdays);
            assert_eq!(empty.working_days_between(from, to).days, expected);
        }
        assert_eq!(weekdays - expected, 5, "2025-01-01 and 01-28..01-31");
    }

    fn any_date() -> impl Strategy<Value = NaiveDate> {
        // 2024-01-01 to 2028-12-31: two loaded years between provisional ones (2024 before the
        // lunar table, 2027 and 2028 in it, 2028 with 中秋 on National Day).
        (0u64..1827).prop_map(|offset| date(2024, 1, 1) + chrono::Days::new(offset))
    }

    proptest! {
        #[test]
        fn add_then_between_round_trips(from in any_date(), n in 1i64..=600) {
            let cal = builtin();
            let due = cal.add_working_days(from, days(n)).expect("in range");
            let span = cal.working_days_between(from, due.due_date);
            prop_assert_eq!(span.days, n);
            prop_assert_eq!(span.provisional, due.provisional);
            prop_assert_eq!(span.calendar_versions, due.calendar_versions);
        }

        #[test]
        fn due_date_is_a_later_working_day(from in any_date(), n in 1i64..=600) {
            let cal = builtin();
            let due = cal.add_working_days(from, days(n)).expect("in range");
            prop_assert!(due.due_date > from);
            prop_assert!(cal.is_working_day(due.due_date));
            let calendar_days = (due.due_date - from).num_days();
            prop_assert_eq!(i64::try_from(due.skipped.len()).expect("small") + n, calendar_days);
            prop_assert!(due.skipped.iter().all(|s| !cal.is_working_day(s.date)));
        }

        #[test]
        fn later_limits_never_come_earlier(from in any_date(), n in 1i64..600) {
            let cal = builtin();
            let a = cal.add_working_days(from, days(n)).expect("in range");
            let b = cal.add_working_days(from, days(n + 1)).expect("in range");
            prop_assert!(b.due_date > a.due_date);
        }

        #[test]
        fn provisional_years_skip_statutory_days_and_assume_no_makeup(day in any_date()) {
            let cal = builtin();
            let kind = cal.day_kind(day);
            if !cal.covers(day.year()) {
                prop_assert_ne!(&kind, &DayKind::MakeupWorkday);
                let statutory = statutory_days(day.year()).find(|(d, _)| *d == day);
                let expected = match statutory {
                    Some((_, name)) => DayKind::Holiday { name: name.into() },
                    None if is_weekend(day) => DayKind::Weekend,
                    None => DayKind::Working,
                };
                prop_assert_eq!(kind, expected);
            }
        }

        #[test]
        fn between_matches_day_by_day_count(from in any_date(), len in 0u64..800) {
            let cal = builtin();
            let to = from + chrono::Days::new(len);
            let counted = from
                .iter_days()
                .skip(1)
                .take_while(|d| *d <= to)
                .filter(|d| cal.is_working_day(*d))
                .count();
            prop_assert_eq!(
                cal.working_days_between(from, to).days,
                i64::try_from(counted).expect("small")
            );
            prop_assert_eq!(cal.working_days_between(to, from).days, 0);
        }
    }
}
