//! Filing reads both zones serve alike: the detail view in the caller's scope, and streaming
//! an attachment to an authorised caller (every download of sensitive material is audited
//! before the first byte leaves).

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::state::Core;
use actix_web::http::header::{
    ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
};
use actix_web::HttpResponse;
use frt_store::views::Audience;
use frt_store::{audit, filings, ScopedFutureExt};
use serde_json::json;
use tokio::io::AsyncReadExt;
use uuid::Uuid;

const CHUNK: usize = 64 * 1024;

/// A filing the caller's scope may see, or 404 (the same answer whether it does not exist or
/// is someone else's, so ids cannot be probed).
pub async fn visible_filing(
    conn: &mut frt_store::AsyncPgConnection,
    auth: &Auth,
    id: Uuid,
) -> ApiResult<frt_store::filings::Filing> {
    filings::get(conn, id, &auth.principal.filing_scope())
        .await?
        .ok_or_else(|| ApiError::not_found("filing"))
}

/// The detail view of a filing the caller may read, or 404.
pub async fn filing_detail(core: &Core, auth: &Auth, id: Uuid) -> ApiResult<HttpResponse> {
    auth.require(
        core,
        frt_access::Resource::Filing,
        frt_access::Action::Read,
        None,
    )?;
    let mut conn = core.db.conn().await?;
    let audience = match auth.principal.organisation_id() {
        Some(_) => Audience::Processor,
        None => Audience::Staff,
    };
    let detail =
        frt_store::views::filing_detail(&mut conn, id, &auth.principal.filing_scope(), audience)
            .await?
            .ok_or_else(|| ApiError::not_found("filing"))?;
    Ok(HttpResponse::Ok().json(detail))
}

pub async fn attachment(
    core: &Core,
    auth: &Auth,
    filing_id: Uuid,
    attachment_id: Uuid,
) -> ApiResult<HttpResponse> {
    let scope = auth.principal.filing_scope();
    let actor = auth.actor.clone();
    let att = core
        .db
        .tx(|conn| {
            async move {
                let att = filings::attachment(conn, filing_id, attachment_id, &scope)
                    .await?
                    .ok_or_else(|| ApiError::not_found("attachment"))?;
                audit::record(
                    conn,
                    &actor,
                    "attachment.downloaded",
                    filings::ENTITY,
                    &filing_id.to_string(),
                    None,
                    Some(json!({ "attachment_id": att.id, "kind": att.kind })),
                )
                .await?;
                Ok::<_, ApiError>(att)
            }
            .scope_boxed()
        })
        .await?;
    let file = core
        .blobs
        .open(&att.blob_key)
        .await
        .map_err(ApiError::internal)?;
    let stream = futures_util::stream::unfold(file, |mut file| async move {
        let mut buf = vec![0u8; CHUNK];
        match file.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((
                    Ok::<_, std::io::Error>(actix_web::web::Bytes::from(buf)),
                    file,
                ))
            }
            Err(e) => Some((Err(e), file)),
        }
    });
    let disposition = ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![DispositionParam::FilenameExt(ExtendedValue {
            charset: actix_web::http::header::Charset::Ext("UTF-8".into()),
            language_tag: None,
            value: att.filename.clone().into_bytes(),
        })],
    };
    Ok(HttpResponse::Ok()
        .content_type(att.content_type.as_str())
        .insert_header(disposition)
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("X-Content-SHA256", att.sha256.clone()))
        .no_chunking(u64::try_from(att.size_bytes).unwrap_or(0))
        .streaming(stream))
}
