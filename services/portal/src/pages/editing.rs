//! Filling in a filing: `/filings/new` (an initial filing, or a change or deregistration that
//! starts from the filed record's data), `/filings/{id}/edit/{section}` (each section saved as
//! a draft, problems beside their fields), materials uploaded from the filing's page, and the
//! submission once the completeness check finds nothing.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest};
use askama::Template;
use frt_cases::filings::reads::{self, FilingListQuery};
use frt_cases::filings::{drafts, materials, submit};
use frt_domain::filing::FilingKind;
use frt_domain::form::FilingForm;
use frt_web::console::filing_form::{self, id_of};
use frt_web::console::{
    check_csrf, render, render_with, see_other, FieldErrors, Form, Page, PageError, PageResult,
};
use frt_web::Core;
use serde::Deserialize;
use uuid::Uuid;

#[derive(Template)]
#[template(path = "filing_new.html")]
struct NewPage<'a> {
    page: &'a Page,
    /// The organisation's filed records: (id, filing number).
    records: Vec<(Uuid, String)>,
    errors: FieldErrors,
}

async fn filed_records(core: &Core, page: &Page) -> Result<Vec<(Uuid, String)>, PageError> {
    let caller = page.caller()?;
    let found = reads::list(
        core,
        caller,
        &FilingListQuery {
            status: Some("filed".to_owned()),
            limit: Some(200),
            ..FilingListQuery::default()
        },
    )
    .await?;
    Ok(found
        .items
        .into_iter()
        .map(|f| (f.id, f.filing_number.unwrap_or_default()))
        .collect())
}

#[get("/filings/new")]
pub async fn new_form(core: web::Data<Core>, page: Page) -> PageResult {
    let records = filed_records(&core, &page).await?;
    render(&NewPage {
        page: &page,
        records,
        errors: FieldErrors::default(),
    })
}

#[derive(Debug, Deserialize)]
pub struct NewFiling {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    record: String,
}

#[post("/filings/new")]
pub async fn create(core: web::Data<Core>, page: Page, Form(f): Form<NewFiling>) -> PageResult {
    let caller = page.caller()?;
    let kind: Option<FilingKind> = f.kind.parse().ok();
    let record = Uuid::parse_str(f.record.trim()).ok();
    let created = match (kind, record) {
        (Some(FilingKind::Initial), _) => {
            drafts::create(
                &core,
                caller,
                FilingKind::Initial,
                None,
                FilingForm::default(),
            )
            .await
        }
        (Some(k), Some(record)) => drafts::create_from_record(&core, caller, k, record).await,
        (k, _) => {
            let mut errors = FieldErrors::default();
            let field = if k.is_none() { "kind" } else { "record" };
            errors.add(field, page.t("field.required"));
            let records = filed_records(&core, &page).await?;
            return render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &NewPage {
                    page: &page,
                    records,
                    errors,
                },
            );
        }
    }?;
    let first = filing_form::sections_for(&created.kind)
        .first()
        .copied()
        .unwrap_or("basic");
    Ok(see_other(&format!("/filings/{}/edit/{first}", created.id)))
}

#[derive(Template)]
#[template(path = "filing_edit.html")]
struct EditPage<'a> {
    page: &'a Page,
    id: Uuid,
    section: String,
    sections: Vec<(&'static str, usize)>,
    version: i32,
    fields_html: String,
    errors: FieldErrors,
    saved: bool,
    next: Option<&'static str>,
}

impl EditPage<'_> {
    fn is_current(&self, s: &str) -> bool {
        s == self.section
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct EditQuery {
    saved: Option<String>,
}

/// The section's problems (from the completeness check), keyed by field id.
fn problems_of(
    problems: &[frt_domain::form::FieldProblem],
    section: &str,
    lang: frt_web::console::Lang,
) -> FieldErrors {
    let mut errors = FieldErrors::default();
    let prefix = format!("{section}.");
    for p in problems {
        if let Some(rest) = p.path.strip_prefix(&prefix) {
            let key = format!("field.{}", p.code);
            let text = if lang.has(&key) {
                lang.t(&key).to_owned()
            } else {
                p.message.clone()
            };
            errors.add(&id_of(rest), text);
        }
    }
    errors
}

/// Sections with how many problems each has.
fn counted(kind: &str, problems: &[frt_domain::form::FieldProblem]) -> Vec<(&'static str, usize)> {
    filing_form::sections_for(kind)
        .into_iter()
        .map(|s| {
            let prefix = format!("{s}.");
            (
                s,
                problems
                    .iter()
                    .filter(|p| p.path.starts_with(&prefix))
                    .count(),
            )
        })
        .collect()
}

fn next_section(kind: &str, section: &str) -> Option<&'static str> {
    let all = filing_form::sections_for(kind);
    let i = all.iter().position(|s| *s == section)?;
    all.get(i + 1).copied()
}

/// The filing the caller may read and one of the sections its kind fills in, with the
/// section's fields; 404 for anything else.
async fn section_of(
    core: &Core,
    page: &Page,
    raw_id: &str,
    section: &str,
) -> Result<
    (
        Uuid,
        frt_store::views::FilingDetail,
        Vec<filing_form::Field>,
    ),
    PageError,
> {
    let id = PageError::id(raw_id)?;
    let detail = reads::detail(core, page.caller()?, id).await?;
    if !filing_form::sections_for(&detail.kind).contains(&section) {
        return Err(PageError::not_found());
    }
    let fields = filing_form::section(section).ok_or_else(PageError::not_found)?;
    Ok((id, detail, fields))
}

#[get("/filings/{id}/edit/{section}")]
pub async fn edit(
    core: web::Data<Core>,
    page: Page,
    path: web::Path<(String, String)>,
    q: web::Query<EditQuery>,
) -> PageResult {
    let caller = page.caller()?;
    let (id, section) = path.into_inner();
    let (id, detail, fields) = section_of(&core, &page, &id, &section).await?;
    let problems = reads::completeness(&core, caller, id).await?;
    let saved = q.saved.is_some();
    // Problems show beside their fields once the section has been saved.
    let errors = if saved {
        problems_of(&problems, &section, page.lang)
    } else {
        FieldErrors::default()
    };
    let value = detail.form[section.as_str()].clone();
    render(&EditPage {
        fields_html: filing_form::render(&fields, &value, &errors, page.lang),
        page: &page,
        id,
        sections: counted(&detail.kind, &problems),
        next: next_section(&detail.kind, &section),
        section,
        version: detail.version,
        errors,
        saved,
    })
}

#[post("/filings/{id}/edit/{section}")]
pub async fn save(
    core: web::Data<Core>,
    page: Page,
    path: web::Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let caller = page.caller()?;
    let (id, section) = path.into_inner();
    let (id, detail, fields) = section_of(&core, &page, &id, &section).await?;
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    };
    let action = field("action").to_owned();
    let version: i32 = field("version").parse().unwrap_or(detail.version);
    let mut errors = FieldErrors::default();
    let value = filing_form::parse(&fields, &pairs, &action, &mut errors, page.lang);
    let mut form = detail.form.clone();
    form[section.as_str()] = value.clone();
    let typed: Option<FilingForm> = if errors.is_empty() {
        serde_json::from_value(form).ok()
    } else {
        None
    };
    let Some(typed) = typed else {
        if errors.is_empty() {
            errors = FieldErrors::general(page.t("field.invalid"));
        }
        let problems = reads::completeness(&core, caller, id).await?;
        return render_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &EditPage {
                fields_html: filing_form::render(&fields, &value, &errors, page.lang),
                page: &page,
                id,
                sections: counted(&detail.kind, &problems),
                next: next_section(&detail.kind, &section),
                section,
                version,
                errors,
                saved: false,
            },
        );
    };
    drafts::save_form(&core, caller, id, version, typed).await?;
    let to = match (action.as_str(), next_section(&detail.kind, &section)) {
        ("next", Some(next)) => format!("/filings/{id}/edit/{next}"),
        ("next", None) => format!("/filings/{id}#check"),
        (a, _) if a.starts_with("add:") || a.starts_with("remove:") => {
            format!(
                "/filings/{id}/edit/{section}#{}",
                id_of(a.split(':').nth(1).unwrap_or_default())
            )
        }
        _ => format!("/filings/{id}/edit/{section}?saved=1"),
    };
    Ok(see_other(&to))
}

/// A material uploaded from the filing's page (multipart: the CSRF token first, then `kind`
/// and `file`).
#[post("/filings/{id}/materials")]
pub async fn upload(
    core: web::Data<Core>,
    page: Page,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Payload,
) -> PageResult {
    let caller = page.caller()?;
    let id = PageError::id(&path)?;
    materials::check_editable(&core, caller, id).await?;
    let max = core.settings.uploads.max_bytes;
    let token = |t: &str| check_csrf(&req, t).is_ok();
    let (kind, received) =
        crate::filings::attachments::read_upload(&core, &req, body, max, Some(&token))
            .await
            .map_err(PageError::from)?;
    materials::attach(&core, caller, id, kind, received).await?;
    Ok(see_other(&format!("/filings/{id}#materials")))
}

#[derive(Debug, Deserialize)]
pub struct Nothing {}

#[post("/filings/{id}/submit")]
pub async fn submit_filing(
    core: web::Data<Core>,
    page: Page,
    path: web::Path<String>,
    Form(_): Form<Nothing>,
) -> PageResult {
    let caller = page.caller()?;
    let id = PageError::id(&path)?;
    match submit::submit(&core, caller, id, None).await {
        Ok(_) => Ok(see_other(&format!("/filings/{id}?submitted=1"))),
        // Incomplete: the filing's page lists what is missing.
        Err(frt_cases::filings::FilingError::Incomplete(_)) => {
            Ok(see_other(&format!("/filings/{id}#check")))
        }
        Err(e) => Err(e.into()),
    }
}
