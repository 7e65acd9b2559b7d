//! `/filings` and `/filings/{id}`: the organisation's filings with status and time limits, and
//! one filing with every time limit explained, its history, reasons and materials.

use actix_web::{get, web};
use askama::Template;
use frt_cases::filings::history;
use frt_cases::filings::reads::{self, FilingListItem, FilingListQuery};
use frt_store::views::FilingDetail;
use frt_web::console::filing_form::{self, id_of};
use frt_web::console::limits::{self, Limit};
use frt_web::console::{render, Page, PageError, PageResult};
use frt_web::Core;
use serde::Deserialize;

const PAGE_SIZE: i64 = 50;

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    offset: Option<i64>,
}

#[derive(Template)]
#[template(path = "filings.html")]
struct ListPage<'a> {
    page: &'a Page,
    items: Vec<FilingListItem>,
    total: i64,
    offset: i64,
    limit: i64,
}

impl ListPage<'_> {
    fn range(&self) -> String {
        let to = (self.offset + self.items.len() as i64).to_string();
        self.page.tf(
            "filings.page",
            &[
                ("from", &(self.offset + 1).to_string()),
                ("to", &to),
                ("total", &self.total.to_string()),
            ],
        )
    }

    fn prev(&self) -> Option<i64> {
        (self.offset > 0).then(|| (self.offset - self.limit).max(0))
    }

    fn next(&self) -> Option<i64> {
        (self.offset + self.limit < self.total).then_some(self.offset + self.limit)
    }
}

#[get("/filings")]
pub async fn list(core: web::Data<Core>, page: Page, q: web::Query<ListQuery>) -> PageResult {
    let caller = page.caller()?;
    let offset = q.offset.unwrap_or(0).clamp(0, 1_000_000);
    let found = reads::list(
        &core,
        caller,
        &FilingListQuery {
            limit: Some(PAGE_SIZE),
            offset: Some(offset),
            ..FilingListQuery::default()
        },
    )
    .await?;
    render(&ListPage {
        page: &page,
        items: found.items,
        total: found.total,
        offset,
        limit: PAGE_SIZE,
    })
}

#[derive(Template)]
#[template(path = "filing.html")]
struct ShowPage<'a> {
    page: &'a Page,
    f: FilingDetail,
    limits: Vec<Limit>,
    history: Vec<history::HistoryEntry>,
    return_reasons: Vec<frt_mail::templates::ReasonLine>,
    refusal_reasons: Vec<frt_mail::templates::ReasonLine>,
    /// Whether the processor may still change it (a draft, or returned for correction).
    editable: bool,
    sections: Vec<&'static str>,
    /// What the completeness check finds: (where it leads, what it says).
    problems: Vec<(String, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    max_mb: String,
    max_bytes: u64,
    submitted: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    submitted: Option<String>,
}

#[get("/filings/{id}")]
pub async fn show(
    core: web::Data<Core>,
    page: Page,
    id: web::Path<String>,
    q: web::Query<ShowQuery>,
) -> PageResult {
    let caller = page.caller()?;
    let id = PageError::id(&id)?;
    let f = reads::detail(&core, caller, id).await?;
    let history = history::timeline(&core, caller, id).await?;
    let limits = limits::of_filing(&core, &page, &f).await;
    let return_reasons = frt_cases::filings::notify::reason_lines(f.return_reasons.as_ref());
    let refusal_reasons = frt_cases::filings::notify::reason_lines(f.refusal_reasons.as_ref());
    let editable = matches!(f.status.as_str(), "draft" | "returned");
    let problems = if editable {
        reads::completeness(&core, caller, id)
            .await?
            .into_iter()
            .map(|p| {
                let key = format!("field.{}", p.code);
                let text = if p.path.starts_with("attachments.") {
                    p.message.clone()
                } else if page.lang.has(&key) {
                    page.lang.t(&key).to_owned()
                } else {
                    p.message.clone()
                };
                let (section, rest) = p.path.split_once('.').unwrap_or((&p.path, ""));
                let (href, label) = if section == "attachments" {
                    ("#materials".to_owned(), page.label("choice", rest))
                } else {
                    let field = rest.rsplit('.').next().unwrap_or(rest);
                    let field = field.split('[').next().unwrap_or(field);
                    (
                        format!("/filings/{id}/edit/{section}?saved=1#{}", id_of(rest)),
                        format!(
                            "{} · {}",
                            page.label("filing_form", section),
                            page.label("filing_form", field)
                        ),
                    )
                };
                (href, format!("{label}：{text}"))
            })
            .collect()
    } else {
        Vec::new()
    };
    let max_bytes = core.settings.uploads.max_bytes;
    render(&ShowPage {
        page: &page,
        sections: filing_form::sections_for(&f.kind),
        f,
        limits,
        history,
        return_reasons,
        refusal_reasons,
        editable,
        problems,
        kinds: frt_domain::form::AttachmentKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.as_str()))
            .collect(),
        max_mb: format!("{:.0}", max_bytes as f64 / 1_048_576.0),
        max_bytes,
        submitted: q.submitted.is_some(),
    })
}
