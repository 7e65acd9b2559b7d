//! Dates of the statutory holidays that move with the Chinese lunisolar calendar (农历) or a
//! solar term (节气): 除夕 (Spring Festival Eve), 清明 (Qingming), 端午 (Dragon Boat) and 中秋
//! (Mid-Autumn), for the years [`FIRST_YEAR`] to [`LAST_YEAR`].
//!
//! A table rather than a computation at run time: the dates are fixed facts, a table is cheap
//! to look up on hot paths and easy to review, and the crates that compute both lunar dates and
//! solar terms are heavy for four dates a year (`tyme4rs` is some 13,000 lines and brings
//! `regex`), while the light ones (`chinese-lunisolar-calendar`) have no solar terms.
//!
//! The table was computed from astronomy (new moons and the Sun's longitude in Beijing time,
//! UTC+8, month numbering by GB/T 33661-2017 《农历的编算和颁行》) and agrees with two
//! independent sources: a unit test checks every year against the `tyme4rs` crate (a
//! dev-dependency, ShouXing algorithms), and the lunar dates were also compared with the
//! `lunardate` tables (to 2099). A far-future date whose new moon or solar term falls within
//! minutes of midnight could still differ from the calendar that the Purple Mountain
//! Observatory (紫金山天文台) publishes for that year. To extend the table, add rows and the
//! test checks them.

use chrono::NaiveDate;

/// First year of the table.
pub const FIRST_YEAR: i32 = 2025;
/// Last year of the table.
pub const LAST_YEAR: i32 = 2100;

/// The movable statutory days of one Gregorian year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MovableDays {
    /// 除夕: the last day of the lunar year that ends in this year's January or February, the
    /// eve of 春节 (lunar 1-1).
    pub spring_festival_eve: NaiveDate,
    /// 清明: the day of the Qingming solar term (the Sun at 15° ecliptic longitude).
    pub qingming: NaiveDate,
    /// 端午: lunar 5-5.
    pub dragon_boat: NaiveDate,
    /// 中秋: lunar 8-15.
    pub mid_autumn: NaiveDate,
}

/// The movable days of `year`, or `None` outside [`FIRST_YEAR`]..=[`LAST_YEAR`].
pub fn movable_days(year: i32) -> Option<MovableDays> {
    let row = TABLE.get(usize::try_from(year.checked_sub(FIRST_YEAR)?).ok()?)?;
    let [eve, qingming, dragon_boat, mid_autumn] =
        row.map(|(m, d)| NaiveDate::from_ymd_opt(year, u32::from(m), u32::from(d)));
    Some(MovableDays {
        spring_festival_eve: eve?,
        qingming: qingming?,
        dragon_boat: dragon_boat?,
        mid_autumn: mid_autumn?,
    })
}

/// For each year from [`FIRST_YEAR`], as (month, day): 除夕, 清明, 端午, 中秋.
#[rustfmt::skip]
const TABLE: [[(u8, u8); 4]; (LAST_YEAR - FIRST_YEAR + 1) as usize] = [
    [(1, 28), (4, 4), (5, 31), (10, 6)], // 2025
    [(2, 16), (4, 5), (6, 19), (9, 25)], // 2026
    [(2, 5), (4, 5), (6, 9), (9, 15)], // 2027
    [(1, 25), (4, 4), (5, 28), (10, 3)], // 2028
    [(2, 12), (4, 4), (6, 16), (9, 22)], // 2029
    [(2, 2), (4, 5), (6, 5), (9, 12)], // 2030
    [(1, 22), (4, 5), (6, 24), (10, 1)], // 2031
    [(2, 10), (4, 4), (6, 12), (9, 19)], // 2032
    [(1, 30), (4, 4), (6, 1), (9, 8)], // 2033
    [(2, 18), (4, 5), (6, 20), (9, 27)], // 2034
    [(2, 7), (4, 5), (6, 10), (9, 16)], // 2035
    [(1, 27), (4, 4), (5, 30), (10, 4)], // 2036
    [(2, 14), (4, 4), (6, 18), (9, 24)], // 2037
    [(2, 3), (4, 5), (6, 7), (9, 13)], // 2038
    [(1, 23), (4, 5), (5, 27), (10, 2)], // 2039
    [(2, 11), (4, 4), (6, 14), (9, 20)], // 2040
    [(1, 31), (4, 4), (6, 3), (9, 10)], // 2041
    [(1, 21), (4, 4), (6, 22), (9, 28)], // 2042
    [(2, 9), (4, 5), (6, 11), (9, 17)], // 2043
    [(1, 29), (4, 4), (5, 31), (10, 5)], // 2044
    [(2, 16), (4, 4), (6, 19), (9, 25)], // 2045
    [(2, 5), (4, 4), (6, 8), (9, 15)], // 2046
    [(1, 25), (4, 5), (5, 29), (10, 4)], // 2047
    [(2, 13), (4, 4), (6, 15), (9, 22)], // 2048
    [(2, 1), (4, 4), (6, 4), (9, 11)], // 2049
    [(1, 22), (4, 4), (6, 23), (9, 30)], // 2050
    [(2, 10), (4, 5), (6, 13), (9, 19)], // 2051
    [(1, 31), (4, 4), (6, 1), (9, 7)], // 2052
    [(2, 18), (4, 4), (6, 20), (9, 26)], // 2053
    [(2, 7), (4, 4), (6, 10), (9, 16)], // 2054
    [(1, 27), (4, 5), (5, 30), (10, 5)], // 2055
    [(2, 14), (4, 4), (6, 17), (9, 24)], // 2056
    [(2, 3), (4, 4), (6, 6), (9, 13)], // 2057
    [(1, 23), (4, 4), (6, 25), (10, 2)], // 2058
    [(2, 11), (4, 5), (6, 14), (9, 21)], // 2059
    [(2, 1), (4, 4), (6, 3), (9, 9)], // 2060
    [(1, 20), (4, 4), (6, 22), (9, 28)], // 2061
    [(2, 8), (4, 4), (6, 11), (9, 17)], // 2062
    [(1, 28), (4, 5), (6, 1), (10, 6)], // 2063
    [(2, 16), (4, 4), (6, 19), (9, 25)], // 2064
    [(2, 4), (4, 4), (6, 8), (9, 15)], // 2065
    [(1, 25), (4, 4), (5, 28), (10, 3)], // 2066
    [(2, 13), (4, 5), (6, 16), (9, 23)], // 2067
    [(2, 2), (4, 4), (6, 4), (9, 11)], // 2068
    [(1, 22), (4, 4), (6, 23), (9, 29)], // 2069
    [(2, 10), (4, 4), (6, 13), (9, 19)], // 2070
    [(1, 30), (4, 5), (6, 2), (9, 8)], // 2071
    [(2, 18), (4, 4), (6, 20), (9, 26)], // 2072
    [(2, 6), (4, 4), (6, 10), (9, 16)], // 2073
    [(1, 26), (4, 4), (5, 30), (10, 5)], // 2074
    [(2, 14), (4, 4), (6, 17), (9, 24)], // 2075
    [(2, 4), (4, 4), (6, 6), (9, 12)], // 2076
    [(1, 23), (4, 4), (6, 24), (10, 1)], // 2077
    [(2, 11), (4, 4), (6, 14), (9, 20)], // 2078
    [(2, 1), (4, 4), (6, 4), (9, 10)], // 2079
    [(1, 21), (4, 4), (6, 22), (9, 28)], // 2080
    [(2, 8), (4, 4), (6, 11), (9, 17)], // 2081
    [(1, 28), (4, 4), (6, 1), (10, 6)], // 2082
    [(2, 16), (4, 4), (6, 19), (9, 26)], // 2083
    [(2, 5), (4, 4), (6, 7), (9, 14)], // 2084
    [(1, 25), (4, 4), (5, 27), (10, 3)], // 2085
    [(2, 13), (4, 4), (6, 15), (9, 22)], // 2086
    [(2, 2), (4, 4), (6, 5), (9, 11)], // 2087
    [(1, 23), (4, 4), (6, 23), (9, 29)], // 2088
    [(2, 9), (4, 4), (6, 13), (9, 18)], // 2089
    [(1, 29), (4, 4), (6, 2), (9, 8)], // 2090
    [(2, 17), (4, 4), (6, 21), (9, 27)], // 2091
    [(2, 6), (4, 4), (6, 9), (9, 16)], // 2092
    [(1, 26), (4, 4), (5, 29), (10, 5)], // 2093
    [(2, 14), (4, 4), (6, 17), (9, 24)], // 2094
    [(2, 4), (4, 4), (6, 6), (9, 13)], // 2095
    [(1, 24), (4, 4), (6, 24), (9, 30)], // 2096
    [(2, 11), (4, 4), (6, 14), (9, 20)], // 2097
    [(1, 31), (4, 4), (6, 4), (9, 9)], // 2098
    [(1, 20), (4, 4), (6, 23), (9, 29)], // 2099
    [(2, 8), (4, 5), (6, 12), (9, 18)], // 2100
];

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;
    use tyme4rs::tyme::lunar::LunarDay;
    use tyme4rs::tyme::solar::{SolarDay, SolarTerm};

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    fn from_tyme(day: SolarDay) -> NaiveDate {
        let year = i32::try_from(day.get_year()).expect("year");
        let month = u32::try_from(day.get_month()).expect("month");
        let d = u32::try_from(day.get_day()).expect("day");
        date(year, month, d)
    }

    #[test]
    fn known_years() {
        let expect = |y, eve: (u32, u32), qm, db: (u32, u32), ma: (u32, u32)| MovableDays {
            spring_festival_eve: date(y, eve.0, eve.1),
            qingming: date(y, 4, qm),
            dragon_boat: date(y, db.0, db.1),
            mid_autumn: date(y, ma.0, ma.1),
        };
        assert_eq!(
            movable_days(2025),
            Some(expect(2025, (1, 28), 4, (5, 31), (10, 6)))
        );
        assert_eq!(
            movable_days(2026),
            Some(expect(2026, (2, 16), 5, (6, 19), (9, 25)))
        );
        assert_eq!(
            movable_days(2027),
            Some(expect(2027, (2, 5), 5, (6, 9), (9, 15)))
        );
        // 2033 has a leap eleventh month (闰十一月), which older tables put after the seventh.
        assert_eq!(
            movable_days(2033).map(|m| m.mid_autumn),
            Some(date(2033, 9, 8))
        );
        for outside in [FIRST_YEAR - 1, LAST_YEAR + 1, i32::MIN, i32::MAX] {
            assert_eq!(movable_days(outside), None, "{outside}");
        }
    }

    #[test]
    fn table_matches_tyme4rs_every_year() {
        for year in FIRST_YEAR..=LAST_YEAR {
            let days = movable_days(year).expect("year in table");
            let y = isize::try_from(year).expect("year");
            let new_year = from_tyme(LunarDay::from_ymd(y, 1, 1).get_solar_day());
            assert_eq!(
                days.spring_festival_eve.succ_opt(),
                Some(new_year),
                "{year} 除夕"
            );
            assert_eq!(
                days.qingming,
                from_tyme(SolarTerm::from_name(y, "清明").get_solar_day()),
                "{year} 清明"
            );
            assert_eq!(
                days.dragon_boat,
                from_tyme(LunarDay::from_ymd(y, 5, 5).get_solar_day()),
                "{year} 端午"
            );
            assert_eq!(
                days.mid_autumn,
                from_tyme(LunarDay::from_ymd(y, 8, 15).get_solar_day()),
                "{year} 中秋"
            );
            // Sanity of the table's shape: each day in its season of this year.
            assert!(matches!(days.spring_festival_eve.month(), 1 | 2), "{year}");
            assert!(matches!(days.qingming.day(), 4 | 5), "{year}");
            assert!(matches!(days.dragon_boat.month(), 5 | 6), "{year}");
            assert!(matches!(days.mid_autumn.month(), 9 | 10), "{year}");
        }
    }
}
