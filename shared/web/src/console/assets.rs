//! The console's assets, compiled into the service: a closed network reaches no CDN and no
//! external font, so every byte a page needs is served from here.

use actix_web::http::header;
use actix_web::{get, web, HttpResponse};

/// The assets by name: bytes and content type.
const ASSETS: [(&str, &[u8], &str); 3] = [
    (
        "console.css",
        include_bytes!("../../assets/console.css"),
        "text/css; charset=utf-8",
    ),
    (
        "console.js",
        include_bytes!("../../assets/console.js"),
        "text/javascript; charset=utf-8",
    ),
    // htmx 2 (BSD Zero Clause), unchanged from its npm package.
    (
        "htmx.min.js",
        include_bytes!("../../assets/htmx.min.js"),
        "text/javascript; charset=utf-8",
    ),
];

/// One asset, cached for an hour.
#[get("/assets/{name}")]
pub async fn asset(name: web::Path<String>) -> HttpResponse {
    match ASSETS.iter().find(|(n, _, _)| *n == name.as_str()) {
        Some((_, bytes, kind)) => HttpResponse::Ok()
            .content_type(*kind)
            .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
            .body(*bytes),
        None => HttpResponse::NotFound().finish(),
    }
}

/// The size in bytes of the assets every page loads.
pub fn page_assets_bytes() -> usize {
    ASSETS.iter().map(|(_, b, _)| b.len()).sum()
}
