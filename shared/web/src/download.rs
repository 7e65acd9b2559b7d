//! A material streamed to the client in chunks, with its name, type and SHA-256.

use actix_web::http::header::{
    Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
};
use actix_web::HttpResponse;
use frt_cases::download::Download;
use tokio::io::AsyncReadExt;

const CHUNK: usize = 64 * 1024;

/// The answer carrying an opened material.
pub fn respond(download: Download) -> HttpResponse {
    let Download {
        filename,
        content_type,
        size_bytes,
        sha256,
        file,
    } = download;
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
            charset: Charset::Ext("UTF-8".into()),
            language_tag: None,
            value: filename.into_bytes(),
        })],
    };
    let mut answer = HttpResponse::Ok();
    answer
        .content_type(content_type.as_str())
        .insert_header(disposition);
    if !sha256.is_empty() {
        answer.insert_header(("X-Content-SHA256", sha256));
    }
    answer
        .no_chunking(u64::try_from(size_bytes).unwrap_or(0))
        .streaming(stream)
}
