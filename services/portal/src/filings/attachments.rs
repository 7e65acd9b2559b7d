//! Materials (附件) of a filing: a multipart upload of `kind` and `file`, read here and
//! received by `frt_cases::materials` (size limit while streaming, type by content,
//! SHA-256, audit); download by the owning organisation (staff download through casework).

use actix_multipart::Multipart;
use actix_web::{get, post};
use actix_web::{web, HttpRequest, HttpResponse};
use frt_cases::filings::materials;
use frt_cases::filings::FilingError;
use frt_cases::materials::UploadError;
use frt_cases::materials::{receive, Received};
use frt_domain::form::AttachmentKind;
use frt_store::views;
use frt_web::upload::Refusal;
use frt_web::{ApiResult, Auth, Core};
use futures_util::StreamExt;
use uuid::Uuid;

/// Room for multipart headers and the `kind` field on top of the file itself.
const MULTIPART_OVERHEAD: u64 = 16 * 1024;

/// The multipart form of an upload: the kind of material, then the file.
pub struct UploadForm;

impl utoipa::PartialSchema for UploadForm {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{
            AdditionalProperties, KnownFormat, ObjectBuilder, SchemaFormat, Type,
        };
        let kinds: Vec<&str> = AttachmentKind::ALL.iter().map(|k| k.as_str()).collect();
        ObjectBuilder::new()
            .property(
                "kind",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(kinds))
                    .description(Some("the kind of material")),
            )
            .property(
                "file",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
                    .description(Some(
                        "PDF, DOCX, JPEG or PNG (checked by its content), within the size limit",
                    )),
            )
            .required("kind")
            .required("file")
            .additional_properties(Some(AdditionalProperties::FreeForm(false)))
            .into()
    }
}

impl utoipa::ToSchema for UploadForm {}

/// Upload one material: multipart fields `kind` (e.g. commitment_letter) then `file`.
#[utoipa::path(tag = "filings", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "filing id")),
    request_body(content_type = "multipart/form-data", content = inline(UploadForm)),
    responses(
    (status = 201, body = views::AttachmentView),
    (status = 413, description = "over the size limit", content_type = "application/problem+json"),
    (status = 415, description = "not PDF, DOCX, JPEG or PNG", content_type = "application/problem+json")))]
#[post("/api/v1/filings/{id}/attachments")]
pub async fn upload_attachment(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
    req: HttpRequest,
    body: web::Payload,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let max = core.settings.uploads.max_bytes;
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > max.saturating_add(MULTIPART_OVERHEAD)) {
        return Err(FilingError::from(UploadError::TooLarge { max }).into());
    }
    // Refuse before reading the body if the filing is not ours or not editable.
    materials::check_editable(&core, &auth, id).await?;
    let (kind, received) =
        read_upload(&core, &req, body, max, None)
            .await
            .map_err(|r| match r {
                Refusal::Filing(e) => e,
                Refusal::Token => FilingError::from(UploadError::UnknownField("csrf".into())),
            })?;
    let view = materials::attach(&core, &auth, id, kind, received).await?;
    Ok(HttpResponse::Created().json(view))
}

/// Reads the multipart body: the `kind` field and one `file`, streamed into the blob store.
/// Built by hand rather than extracted, so a body that is not multipart is a problem too. A
/// page's upload (`token` given) must carry its CSRF token as the first field, checked before
/// any byte of the file is stored.
pub async fn read_upload(
    core: &Core,
    req: &HttpRequest,
    body: web::Payload,
    max: u64,
    token: Option<&dyn Fn(&str) -> bool>,
) -> Result<(AttachmentKind, Received), Refusal> {
    let mut payload = Multipart::new(req.headers(), body);
    let mut kind: Option<AttachmentKind> = None;
    let mut received: Option<Received> = None;
    let mut token_seen = token.is_none();
    let result = async {
        while let Some(field) = payload.next().await {
            let mut field = field.map_err(|e| UploadError::Malformed(e.to_string()))?;
            if let (Some(check), false) = (token, token_seen) {
                frt_web::upload::token_field(&mut field, check).await?;
                token_seen = true;
                continue;
            }
            match field.name().unwrap_or("") {
                "kind" => {
                    let mut buf = Vec::new();
                    while let Some(chunk) = field.next().await {
                        let chunk = chunk.map_err(|e| UploadError::Malformed(e.to_string()))?;
                        buf.extend_from_slice(&chunk);
                        if buf.len() > 64 {
                            return Err(UploadError::InvalidKind("kind is too long".into()).into());
                        }
                    }
                    kind = Some(materials::kind_of(&String::from_utf8_lossy(&buf))?);
                }
                "file" => {
                    if received.is_some() {
                        return Err(UploadError::TooManyFiles.into());
                    }
                    let name = field
                        .content_disposition()
                        .and_then(|cd| cd.get_filename())
                        .map(str::to_owned);
                    received = Some(receive(core, &mut field, max, name.as_deref()).await?);
                }
                other => {
                    return Err(UploadError::UnknownField(other.chars().take(64).collect()).into())
                }
            }
        }
        Ok::<_, Refusal>(())
    }
    .await;
    match (result, kind, received) {
        (Ok(()), Some(kind), Some(received)) => Ok((kind, received)),
        (outcome, kind, received) => {
            let received_nothing = received.is_none();
            // Nothing half-stored: a file received before the refusal is removed.
            if let Some(r) = received {
                core.blobs.remove(&r.blob.key).await;
            }
            outcome?;
            Err(FilingError::from(match kind {
                Some(_) => UploadError::MissingFile,
                None if received_nothing => UploadError::MissingFile,
                None => UploadError::InvalidKind("the upload has no 'kind' field".into()),
            })
            .into())
        }
    }
}

/// Download a material of one of the organisation's filings.
#[utoipa::path(tag = "filings", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("attachment_id" = Uuid, Path)),
    responses((status = 200, description = "the file"), (status = 404, content_type = "application/problem+json")))]
#[get("/api/v1/filings/{id}/attachments/{attachment_id}")]
pub async fn download_attachment(
    core: web::Data<Core>,
    auth: Auth,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (filing_id, attachment_id) = path.into_inner();
    let opened =
        frt_cases::filings::reads::open_attachment(&core, &auth, filing_id, attachment_id).await?;
    Ok(frt_web::download::respond(opened))
}
