//! One file from a multipart body, as every upload outside the filing form takes it
//! (inspection materials, complaint evidence, notification attachments): streamed into the
//! blob store under the filing rules.

use actix_multipart::Multipart;
use actix_web::{web, HttpRequest};
use frt_cases::filings::materials::{self, Received};
use frt_cases::filings::{FilingError, UploadError};
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

/// Reads the one `file` field of a multipart body into the blob store.
pub async fn read_file(
    core: &Core,
    req: &HttpRequest,
    body: web::Payload,
    max: u64,
) -> Result<Received, FilingError> {
    let mut payload = Multipart::new(req.headers(), body);
    let mut received: Option<Received> = None;
    let outcome = async {
        while let Some(field) = payload.next().await {
            let mut field = field.map_err(|e| UploadError::Malformed(e.to_string()))?;
            match field.name().unwrap_or("") {
                "file" if received.is_none() => {
                    let name = materials::display_filename(
                        field.content_disposition().and_then(|cd| cd.get_filename()),
                    );
                    received = Some(materials::receive(core, &mut field, max, name).await?);
                }
                "file" => return Err(UploadError::TooManyFiles.into()),
                other => {
                    return Err(UploadError::UnknownField(other.chars().take(64).collect()).into())
                }
            }
        }
        Ok::<_, FilingError>(())
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
