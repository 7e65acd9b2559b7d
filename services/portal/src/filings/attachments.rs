//! Materials (附件) of a filing: multipart upload with the type checked by content, the size
//! limit enforced while streaming, a SHA-256 kept and the bytes in the blob store; download by
//! the owning organisation (staff download through casework).

use super::{not_editable, typed};
use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use frt_access::{Action, Resource};
use frt_domain::form::AttachmentKind;
use frt_store::blob::PendingBlob;
use frt_store::filings::{self, NewAttachment};
use frt_store::{audit, views, ScopedFutureExt};
use frt_web::{ApiError, ApiResult, Auth, Core};
use futures_util::StreamExt;
use serde_json::json;
use uuid::Uuid;

/// Content types accepted, detected from the bytes, never from the client's claim.
pub const ACCEPTED: [&str; 4] = [
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "image/jpeg",
    "image/png",
];

/// Room for multipart headers and the `kind` field on top of the file itself.
const MULTIPART_OVERHEAD: u64 = 16 * 1024;

/// A display name for the file: no directories, no control characters, at most 200 characters.
pub fn display_filename(raw: Option<&str>) -> String {
    let base = raw
        .unwrap_or("")
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect::<String>();
    let base = base.trim().trim_start_matches('.').to_owned();
    if base.is_empty() {
        "attachment".into()
    } else {
        base
    }
}

/// Detects the content type of the first bytes; `None` if not accepted.
pub fn detect(head: &[u8]) -> Option<&'static str> {
    let t = infer::get(head)?;
    ACCEPTED.into_iter().find(|a| *a == t.mime_type())
}

fn too_large(max: u64) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "attachment.too_large",
        format!("attachments may be at most {max} bytes"),
    )
}

/// Upload one material: multipart fields `kind` (e.g. commitment_letter) then `file`.
#[utoipa::path(post, path = "/api/v1/filings/{id}/attachments", tag = "filings", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "filing id")),
    request_body(content_type = "multipart/form-data", description = "fields: kind, file"),
    responses(
    (status = 201, body = views::AttachmentView),
    (status = 413, description = "over the size limit", content_type = "application/problem+json"),
    (status = 415, description = "not PDF, DOCX, JPEG or PNG", content_type = "application/problem+json")))]
pub async fn upload(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
    req: HttpRequest,
    body: web::Payload,
) -> ApiResult<HttpResponse> {
    auth.require(&core, Resource::FILING, Action::Write, None)?;
    let id = id.into_inner();
    let max = core.settings.uploads.max_bytes;
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > max + MULTIPART_OVERHEAD) {
        return Err(too_large(max));
    }
    let scope = auth.principal.filing_scope();
    {
        // Refuse before reading the body if the filing is not ours or not editable.
        let mut conn = core.db.conn().await?;
        let filing = filings::get(&mut conn, id, &scope)
            .await?
            .ok_or_else(|| ApiError::not_found("filing"))?;
        let (status, _) = typed(&filing)?;
        if !status.editable_by_processor() {
            return Err(not_editable(status));
        }
    }

    // Built by hand rather than extracted, so a body that is not multipart is a problem+json too.
    let mut payload = Multipart::new(req.headers(), body);
    let mut kind: Option<AttachmentKind> = None;
    let mut stored = None;
    while let Some(field) = payload.next().await {
        let mut field = field.map_err(|e| {
            ApiError::bad_request(
                "attachment.malformed",
                format!("the upload cannot be read: {e}"),
            )
        })?;
        let name = field.name().unwrap_or("").to_owned();
        match name.as_str() {
            "kind" => {
                let mut buf = Vec::new();
                while let Some(chunk) = field.next().await {
                    let chunk = chunk.map_err(|e| {
                        ApiError::bad_request("attachment.malformed", e.to_string())
                    })?;
                    buf.extend_from_slice(&chunk);
                    if buf.len() > 64 {
                        return Err(ApiError::unprocessable(
                            "attachment.invalid_kind",
                            "kind is too long",
                        ));
                    }
                }
                let text = String::from_utf8_lossy(&buf).trim().to_owned();
                kind = Some(text.parse().map_err(|_| {
                    ApiError::unprocessable(
                        "attachment.invalid_kind",
                        format!(
                            "'{text}' is not a kind of material; use one of: {}",
                            AttachmentKind::ALL
                                .iter()
                                .map(|k| k.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )
                })?);
            }
            "file" => {
                if stored.is_some() {
                    return Err(ApiError::unprocessable(
                        "attachment.too_many_files",
                        "send one file per upload",
                    ));
                }
                let filename =
                    display_filename(field.content_disposition().and_then(|cd| cd.get_filename()));
                let mut blob: PendingBlob = core.blobs.begin().await.map_err(ApiError::internal)?;
                while let Some(chunk) = field.next().await {
                    let chunk = match chunk {
                        Ok(c) => c,
                        Err(e) => {
                            blob.abort().await;
                            return Err(ApiError::bad_request(
                                "attachment.malformed",
                                format!("the upload was cut short: {e}"),
                            ));
                        }
                    };
                    if blob.size() + chunk.len() as u64 > max {
                        blob.abort().await;
                        return Err(too_large(max));
                    }
                    if let Err(e) = blob.write(&chunk).await {
                        blob.abort().await;
                        return Err(ApiError::internal(e));
                    }
                }
                if blob.size() == 0 {
                    blob.abort().await;
                    return Err(ApiError::unprocessable(
                        "attachment.empty",
                        "the file is empty",
                    ));
                }
                let Some(content_type) = detect(blob.head()) else {
                    blob.abort().await;
                    return Err(ApiError::new(
                        StatusCode::UNSUPPORTED_MEDIA_TYPE,
                        "attachment.unsupported_type",
                        "materials must be PDF, DOCX, JPEG or PNG files (checked by their content)",
                    ));
                };
                let done = blob.commit().await.map_err(ApiError::internal)?;
                stored = Some((done, content_type, filename));
            }
            other => {
                return Err(ApiError::unprocessable(
                    "attachment.unknown_field",
                    format!("unknown multipart field '{other}'; send 'kind' and 'file'"),
                ));
            }
        }
    }
    let Some((blob, content_type, filename)) = stored else {
        return Err(ApiError::unprocessable(
            "attachment.missing_file",
            "the upload has no 'file' field",
        ));
    };
    let Some(kind) = kind else {
        core.blobs.remove(&blob.key).await;
        return Err(ApiError::unprocessable(
            "attachment.invalid_kind",
            "the upload has no 'kind' field",
        ));
    };
    let actor = auth.actor.clone();
    let user_id = auth.principal.user_id;
    let key = blob.key.clone();
    let result = core
        .db
        .tx(|conn| {
            async move {
                let filing = filings::get_for_update(conn, id, &scope)
                    .await?
                    .ok_or_else(|| ApiError::not_found("filing"))?;
                let (status, _) = typed(&filing)?;
                if !status.editable_by_processor() {
                    return Err(not_editable(status));
                }
                let row = filings::insert_attachment(
                    conn,
                    &NewAttachment {
                        id: Uuid::now_v7(),
                        organisation_id: filing.organisation_id,
                        filing_id: id,
                        kind: kind.as_str().to_owned(),
                        filename,
                        content_type: content_type.to_owned(),
                        size_bytes: i64::try_from(blob.size).unwrap_or(i64::MAX),
                        sha256: blob.sha256.clone(),
                        blob_key: blob.key.clone(),
                        uploaded_by: user_id,
                    },
                )
                .await?;
                audit::record(
                    conn,
                    &actor,
                    "attachment.uploaded",
                    filings::ENTITY,
                    &id.to_string(),
                    None,
                    Some(json!({
                        "attachment_id": row.id, "kind": row.kind, "filename": row.filename,
                        "size_bytes": row.size_bytes, "sha256": row.sha256,
                    })),
                )
                .await?;
                Ok(views::AttachmentView::from(row))
            }
            .scope_boxed()
        })
        .await;
    match result {
        Ok(view) => Ok(HttpResponse::Created().json(view)),
        Err(e) => {
            core.blobs.remove(&key).await;
            Err(e)
        }
    }
}

/// Download a material of one of the organisation's filings.
#[utoipa::path(get, path = "/api/v1/filings/{id}/attachments/{attachment_id}", tag = "filings", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("attachment_id" = Uuid, Path)),
    responses((status = 200, description = "the file"), (status = 404, content_type = "application/problem+json")))]
pub async fn download(
    core: web::Data<Core>,
    auth: Auth,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (filing_id, attachment_id) = path.into_inner();
    let opened =
        frt_cases::filings::reads::open_attachment(&core, &auth, filing_id, attachment_id).await?;
    Ok(frt_web::download::respond(opened))
}
