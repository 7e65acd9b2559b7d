//! One file from a multipart body, as every upload outside the filing form takes it
//! (inspection materials, complaint evidence, notification attachments): streamed into the
//! blob store under the filing rules.

use actix_multipart::Multipart;
use actix_web::{web, HttpRequest};
use frt_cases::filings::FilingError;
use frt_cases::materials::UploadError;
use frt_cases::materials::{self, Received};
use frt_cases::Core;
use futures_util::StreamExt;

/// The multipart form of a material: one file.
pub struct MaterialForm;

impl utoipa::PartialSchema for MaterialForm {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{
            AdditionalProperties, KnownFormat, ObjectBuilder, SchemaFormat, Type,
        };
        ObjectBuilder::new()
            .property(
                "file",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
                    .description(Some(
                        "PDF, DOCX, JPEG or PNG (checked by its content), within the size limit",
                    )),
            )
            .required("file")
            .additional_properties(Some(AdditionalProperties::FreeForm(false)))
            .into()
    }
}

impl utoipa::ToSchema for MaterialForm {}

/// Why an upload was not taken.
pub enum Refusal {
    Filing(FilingError),
    /// A page's upload without its CSRF token as its first field.
    Token,
}

impl<E: Into<FilingError>> From<E> for Refusal {
    fn from(e: E) -> Self {
        Self::Filing(e.into())
    }
}

impl From<Refusal> for crate::console::PageError {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::Filing(e) => e.into(),
            Refusal::Token => Self::Csrf,
        }
    }
}

/// Reads a page's CSRF token from the multipart field `field` (which must be `csrf`), and
/// checks it with `check`.
pub async fn token_field(
    field: &mut actix_multipart::Field,
    check: &dyn Fn(&str) -> bool,
) -> Result<(), Refusal> {
    if field.name() != Some("csrf") {
        return Err(Refusal::Token);
    }
    let mut buf = Vec::new();
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(|e| UploadError::Malformed(e.to_string()))?;
        buf.extend_from_slice(&chunk);
        if buf.len() > 256 {
            return Err(Refusal::Token);
        }
    }
    if check(&String::from_utf8_lossy(&buf)) {
        Ok(())
    } else {
        Err(Refusal::Token)
    }
}

/// Reads the one `file` field of a multipart body into the blob store.
pub async fn read_file(
    core: &Core,
    req: &HttpRequest,
    body: web::Payload,
    max: u64,
) -> Result<Received, FilingError> {
    read_file_checked(core, req, body, max, None)
        .await
        .map_err(|r| match r {
            Refusal::Filing(e) => e,
            Refusal::Token => UploadError::UnknownField("csrf".into()).into(),
        })
}

/// As `read_file`; a page's upload (`token` given) carries its CSRF token as the first
/// field, checked before any byte of the file is stored.
pub async fn read_file_checked(
    core: &Core,
    req: &HttpRequest,
    body: web::Payload,
    max: u64,
    token: Option<&dyn Fn(&str) -> bool>,
) -> Result<Received, Refusal> {
    let mut payload = Multipart::new(req.headers(), body);
    let mut received: Option<Received> = None;
    let mut token_seen = token.is_none();
    let outcome = async {
        while let Some(field) = payload.next().await {
            let mut field = field.map_err(|e| UploadError::Malformed(e.to_string()))?;
            if let (Some(check), false) = (token, token_seen) {
                token_field(&mut field, check).await?;
                token_seen = true;
                continue;
            }
            match field.name().unwrap_or("") {
                "file" if received.is_none() => {
                    let name = field
                        .content_disposition()
                        .and_then(|cd| cd.get_filename())
                        .map(str::to_owned);
                    received =
                        Some(materials::receive(core, &mut field, max, name.as_deref()).await?);
                }
                "file" => return Err(UploadError::TooManyFiles.into()),
                other => {
                    return Err(UploadError::UnknownField(other.chars().take(64).collect()).into())
                }
            }
        }
        Ok::<_, Refusal>(())
    }
    .await;
    match (outcome, received) {
        (Ok(()), Some(r)) => Ok(r),
        (outcome, r) => {
            if let Some(r) = r {
                core.blobs.remove(&r.blob.key).await;
            }
            outcome?;
            Err(UploadError::MissingFile.into())
        }
    }
}

/// A whole upload held in memory (a workbook to parse), up to `max` bytes: the raw body, or
/// the one `file` field of a multipart body. Refused with 413 as soon as it passes `max`.
pub async fn read_bytes(
    req: &HttpRequest,
    body: web::Payload,
    max: u64,
) -> Result<Vec<u8>, crate::error::ApiError> {
    read_bytes_checked(req, body, max, None)
        .await
        .map_err(|r| match r {
            BytesRefusal::Api(e) => e,
            BytesRefusal::Token => crate::error::ApiError::bad_request(
                "upload.unexpected_field",
                "send one field named file",
            ),
        })
}

/// Why a page's workbook upload was refused: the CSRF token, or as the API refuses it.
#[derive(Debug)]
pub enum BytesRefusal {
    Token,
    Api(crate::error::ApiError),
}

impl From<crate::error::ApiError> for BytesRefusal {
    fn from(e: crate::error::ApiError) -> Self {
        Self::Api(e)
    }
}

impl From<BytesRefusal> for crate::console::PageError {
    fn from(r: BytesRefusal) -> Self {
        match r {
            BytesRefusal::Api(e) => Self::Api(e),
            BytesRefusal::Token => Self::Csrf,
        }
    }
}

/// As `read_bytes`; a page's upload (`token` given) is multipart with its CSRF token as the
/// first field, checked before the file is read.
pub async fn read_bytes_checked(
    req: &HttpRequest,
    body: web::Payload,
    max: u64,
    token: Option<&dyn Fn(&str) -> bool>,
) -> Result<Vec<u8>, BytesRefusal> {
    use crate::error::ApiError;
    let too_large = || {
        ApiError::new(
            actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
            "sheet.too_large",
            format!("the file is larger than {max} bytes"),
        )
    };
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max.saturating_add(64 * 1024)) {
        return Err(too_large().into());
    }
    let content_type = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let mut out = Vec::new();
    let push = |out: &mut Vec<u8>, chunk: &[u8]| {
        if out.len() as u64 + chunk.len() as u64 > max {
            return Err(too_large());
        }
        out.extend_from_slice(chunk);
        Ok(())
    };
    if token.is_some() && !content_type.starts_with("multipart/form-data") {
        return Err(BytesRefusal::Token);
    }
    if content_type.starts_with("multipart/form-data") {
        let mut form = Multipart::new(req.headers(), body);
        let mut seen = false;
        let mut token_seen = token.is_none();
        while let Some(field) = form.next().await {
            let mut field = field.map_err(|e| {
                ApiError::bad_request("upload.malformed", format!("the form cannot be read: {e}"))
            })?;
            if let (Some(check), false) = (token, token_seen) {
                token_field(&mut field, check).await.map_err(|r| match r {
                    Refusal::Token => BytesRefusal::Token,
                    Refusal::Filing(e) => BytesRefusal::Api(e.into()),
                })?;
                token_seen = true;
                continue;
            }
            if field.name() != Some("file") || seen {
                return Err(ApiError::bad_request(
                    "upload.unexpected_field",
                    "send one field named file",
                )
                .into());
            }
            seen = true;
            while let Some(chunk) = field.next().await {
                let chunk = chunk.map_err(|e| {
                    ApiError::bad_request(
                        "upload.malformed",
                        format!("the upload was cut short: {e}"),
                    )
                })?;
                push(&mut out, &chunk)?;
            }
        }
        if !token_seen {
            return Err(BytesRefusal::Token);
        }
        if !seen {
            return Err(ApiError::bad_request(
                "upload.missing_file",
                "send the workbook in a field named file",
            )
            .into());
        }
    } else {
        let mut body = body;
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| {
                ApiError::bad_request("upload.malformed", format!("the upload was cut short: {e}"))
            })?;
            push(&mut out, &chunk)?;
        }
    }
    Ok(out)
}
