//! `/statistics`: the month's statistics per province as charts drawn on the server (SVG),
//! with every number in a table beside them; the same rows as `statistics.xlsx`
//! (`frt_cases::exports::monthly`), which the page offers for download.

use actix_web::{get, web, HttpResponse};
use askama::Template;
use frt_cases::exports::{self, ProvinceStatistics, StatisticsQuery, STATISTICS_HEADERS};
use frt_web::console::chart::{BarChart, Series};
use frt_web::console::{render, Page, PageError, PageResult};
use frt_web::Core;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub struct MonthQuery {
    #[serde(default)]
    month: String,
    #[serde(default)]
    province: String,
}

impl MonthQuery {
    /// The month asked for, this month (China time) by default.
    fn query(&self) -> StatisticsQuery {
        let month = Some(self.month.trim().to_owned())
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| frt_cases::today_in_china().format("%Y-%m").to_string());
        StatisticsQuery {
            month,
            province: Some(self.province.trim().to_owned()).filter(|p| !p.is_empty()),
        }
    }
}

/// A chart as the page shows it: its SVG, which carries its heading.
struct Chart {
    svg: String,
}

#[derive(Template)]
#[template(path = "statistics.html")]
struct StatisticsPage<'a> {
    page: &'a Page,
    month: String,
    province: String,
    national: bool,
    charts: Vec<Chart>,
    headers: &'static [&'static str],
    /// Each province's row as text, in the order of `headers`.
    rows: Vec<Vec<String>>,
    download: String,
}

/// A number as the table writes it: whole numbers plainly, others to three places at most.
fn number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').to_owned()
    }
}

/// The row of the table: the same cells as the workbook's row.
fn row_text(r: &ProvinceStatistics) -> Vec<String> {
    r.cells()
        .into_iter()
        .map(|c| match c {
            frt_sheets::export::Cell::Text(t) => t,
            frt_sheets::export::Cell::Number(n) => number(n),
            frt_sheets::export::Cell::Empty => "—".to_owned(),
            frt_sheets::export::Cell::Date(d) => d.to_string(),
        })
        .collect()
}

/// A series of a chart: its label's message key, and its value in a province's row.
type Measure = (&'static str, fn(&ProvinceStatistics) -> f64);

/// A chart of `series` over the provinces.
fn chart(
    page: &Page,
    rows: &[ProvinceStatistics],
    title: &str,
    unit: &str,
    series: &[Measure],
    id: &str,
) -> Chart {
    let c = BarChart {
        title: page.t(title).to_owned(),
        categories: rows.iter().map(|r| r.province.clone()).collect(),
        series: series
            .iter()
            .map(|(label, value)| Series {
                label: page.t(label).to_owned(),
                values: rows.iter().map(value).collect(),
            })
            .collect(),
        unit: page.t(unit).to_owned(),
        category_label: page.t("statistics.province").to_owned(),
        description: page.tf(
            "statistics.chart_desc",
            &[
                ("title", page.t(title)),
                ("n", rows.len().to_string().as_str()),
                ("unit", page.t(unit)),
            ],
        ),
    };
    Chart { svg: c.svg(id) }
}

#[get("/statistics")]
pub async fn statistics(
    core: web::Data<Core>,
    page: Page,
    q: web::Query<MonthQuery>,
) -> PageResult {
    let caller = page.caller()?;
    let query = q.query();
    let rows = exports::monthly_for(&core, caller, &query).await?;
    let count = "statistics.count";
    let charts = vec![
        chart(
            &page,
            &rows,
            "statistics.by_kind",
            count,
            &[
                ("statistics.initial", |r| r.initial as f64),
                ("statistics.change", |r| r.change as f64),
                ("statistics.deregistration", |r| r.deregistration as f64),
            ],
            "by-kind",
        ),
        chart(
            &page,
            &rows,
            "statistics.by_status",
            count,
            &[
                ("statistics.waiting", |r| r.waiting as f64),
                ("statistics.returned", |r| r.returned as f64),
                ("statistics.filed", |r| r.filed as f64),
                ("statistics.refused", |r| r.refused as f64),
            ],
            "by-status",
        ),
        chart(
            &page,
            &rows,
            "statistics.lateness",
            count,
            &[
                ("statistics.submitted", |r| r.submitted as f64),
                ("statistics.late", |r| r.late as f64),
            ],
            "lateness",
        ),
        chart(
            &page,
            &rows,
            "statistics.days_to_decide",
            "statistics.working_days",
            &[("statistics.median_days", |r| {
                r.median_days.unwrap_or(f64::NAN)
            })],
            "days",
        ),
        chart(
            &page,
            &rows,
            "statistics.complaints",
            count,
            &[
                ("statistics.replied", |r| r.replied as f64),
                ("statistics.open", |r| r.open as f64),
                ("statistics.not_accepted", |r| r.not_accepted as f64),
                ("statistics.transferred", |r| r.transferred as f64),
                ("statistics.merged", |r| r.merged as f64),
            ],
            "complaints",
        ),
    ];
    let download = {
        let mut pairs = vec![("month", query.month.as_str())];
        if let Some(p) = query.province.as_deref() {
            pairs.push(("province", p));
        }
        format!(
            "/exports/statistics.xlsx?{}",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    };
    render(&StatisticsPage {
        national: caller.scope().is_everywhere(),
        month: query.month,
        province: query.province.unwrap_or_default(),
        charts,
        headers: STATISTICS_HEADERS,
        rows: rows.iter().map(row_text).collect(),
        download,
        page: &page,
    })
}

/// `statistics.xlsx` for the month, as the API gives it (the export is audited).
#[get("/exports/statistics.xlsx")]
pub async fn workbook(
    core: web::Data<Core>,
    page: Page,
    q: web::Query<MonthQuery>,
) -> Result<HttpResponse, PageError> {
    let caller = page.caller()?;
    let query = q.query();
    let exported = exports::statistics_for(&core, caller, &query).await?;
    Ok(crate::exports::respond(exported, &format!("统计-{}.xlsx", query.month)).await?)
}
