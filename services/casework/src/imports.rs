//! Imports from spreadsheets: the template of each kind, the upload (all rows or none, with a
//! dry run), and the error workbook of a refused upload, for its uploader only.

use actix_web::http::header::{ContentDisposition, DispositionParam, DispositionType};
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use frt_cases::imports::{self, ImportError, ImportOutcome};
use frt_web::error::ApiError;
use frt_web::{ApiResult, Auth, Core};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// An xlsx answer to save as `filename`.
pub fn xlsx(bytes: Vec<u8>, filename: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(XLSX)
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::FilenameExt(
                actix_web::http::header::ExtendedValue {
                    charset: actix_web::http::header::Charset::Ext("UTF-8".into()),
                    language_tag: None,
                    value: filename.as_bytes().to_vec(),
                },
            )],
        })
        .body(bytes)
}

/// The template of an import: Chinese headers, an instructions sheet (填写说明) and drop-down
/// lists for every enumeration. Kinds: `filings` (paper submissions), `complaints` (the hotline and
/// letter log), `staff` (accounts of the caller's agency), `calendar` (a year's holiday arrangement).
#[utoipa::path(tag = "imports", security(("bearer" = [])),
    params(("kind" = String, Path, pattern = "^(filings|complaints|staff|calendar)$")),
    responses((status = 200, description = "the template (xlsx)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
#[get("/api/v1/imports/{kind}/template")]
pub async fn template(
    core: web::Data<Core>,
    auth: Auth,
    kind: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let bytes = imports::template(&core, &auth, &kind).await?;
    Ok(xlsx(bytes, &format!("{kind}-模板.xlsx")))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// Check every row as if importing, then store nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// A workbook (.xlsx or .xls), as the raw request body.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct Workbook(#[allow(dead_code)] Vec<u8>);

/// One problem with one cell (or row, or header) of the upload.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImportProblem {
    pub sheet: String,
    /// The row's number in the sheet (1 is the header row).
    pub row: u32,
    /// The column's header.
    pub column: String,
    pub code: String,
    pub message: String,
}

/// A refused import: every problem, and the error workbook to download.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImportRefused {
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub code: String,
    pub detail: String,
    pub errors: Vec<ImportProblem>,
    /// The upload with an error column beside each bad row; only its uploader may fetch it.
    pub error_workbook: Option<String>,
}

/// Import a workbook (xlsx or xls) as the raw body or as the `file` field of a multipart
/// form. Every row or none: when any row is bad nothing is stored, and the 422 lists every
/// problem with an error workbook. `dry_run=true` checks everything and stores nothing.
#[utoipa::path(tag = "imports", security(("bearer" = [])),
    params(("kind" = String, Path, pattern = "^(filings|complaints|staff|calendar)$"), ImportQuery),
    request_body(content = Workbook, content_type = "application/octet-stream",
        description = "the workbook; sent as application/vnd.openxmlformats-officedocument.spreadsheetml.sheet, application/vnd.ms-excel, application/octet-stream, or as the file field of multipart/form-data"),
    responses((status = 200, body = ImportOutcome),
        (status = 422, body = ImportRefused, content_type = "application/problem+json")))]
#[post("/api/v1/imports/{kind}")]
pub async fn import(
    core: web::Data<Core>,
    auth: Auth,
    req: HttpRequest,
    kind: web::Path<String>,
    q: web::Query<ImportQuery>,
    body: web::Payload,
) -> ApiResult<HttpResponse> {
    if imports::ImportKind::parse(&kind).is_none() {
        return Err(ImportError::UnknownKind.into());
    }
    let bytes = frt_web::upload::read_bytes(&req, body, core.settings.imports.max_bytes).await?;
    match imports::run(&core, &auth, &kind, bytes, q.dry_run).await {
        Ok(outcome) => Ok(HttpResponse::Ok().json(outcome)),
        Err(ImportError::Rows {
            problems,
            error_workbook: workbook,
        }) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            let body = ImportRefused {
                type_: "/problems/import.rows_invalid".into(),
                title: "Unprocessable Entity".into(),
                status: status.as_u16(),
                code: "import.rows_invalid".into(),
                detail: format!(
                    "{} problems were found; nothing was imported. Correct them in the error workbook and upload it again.",
                    problems.len()
                ),
                errors: problems
                    .into_iter()
                    .map(|p| ImportProblem {
                        sheet: p.sheet,
                        row: p.row,
                        column: p.column,
                        code: p.code,
                        message: p.message,
                    })
                    .collect(),
                error_workbook: workbook
                    .map(|id| format!("/api/v1/imports/error-workbooks/{id}")),
            };
            Ok(HttpResponse::build(status)
                .content_type("application/problem+json")
                .json(body))
        }
        Err(e) => Err(ApiError::from(e)),
    }
}

/// Download the error workbook of one's own refused import.
#[utoipa::path(tag = "imports", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, description = "the error workbook (xlsx)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
#[get("/api/v1/imports/error-workbooks/{id}")]
pub async fn error_workbook(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let opened = imports::error_workbook(&core, &auth, id.into_inner()).await?;
    Ok(frt_web::download::respond(opened))
}
