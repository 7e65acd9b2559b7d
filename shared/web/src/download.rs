//! A material streamed to the client in chunks, with its name, type and SHA-256.

use actix_web::http::header::{
    Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
};
use actix_web::HttpResponse;
use frt_cases::download::Download;
use tokio::io::AsyncReadExt;

const CHUNK: usize = 64 * 1024;

/// The name in printable ASCII: other characters (and quotes, backslashes, semicolons) become
/// `_`, one for a run of them; a name with nothing left but its extension is `file`.
pub fn ascii_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        let keep = c.is_ascii_graphic() && !matches!(c, '"' | '\\' | ';' | '%') || c == ' ';
        let c = if keep { c } else { '_' };
        if !(c == '_' && out.ends_with('_')) {
            out.push(c);
        }
    }
    let (stem, ext) = match out.rsplit_once('.') {
        Some((stem, ext)) => (stem.to_owned(), format!(".{ext}")),
        None => (out.clone(), String::new()),
    };
    if stem.chars().all(|c| c == '_' || c == ' ') {
        format!("file{ext}")
    } else {
        out
    }
}

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
        parameters: vec![
            // For clients that do not read `filename*`: the name in plain ASCII.
            DispositionParam::Filename(ascii_name(&filename)),
            DispositionParam::FilenameExt(ExtendedValue {
                charset: Charset::Ext("UTF-8".into()),
                language_tag: None,
                value: filename.into_bytes(),
            }),
        ],
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

#[cfg(test)]
mod tests {
    use super::ascii_name;

    #[test]
    fn names_have_an_ascii_twin() {
        assert_eq!(ascii_name("询问 笔录.pdf"), "file.pdf");
        assert_eq!(ascii_name("承诺书fdp.pdf"), "_fdp.pdf");
        assert_eq!(ascii_name("report \"final\";.docx"), "report _final_.docx");
        assert_eq!(ascii_name("plain.png"), "plain.png");
    }
}
