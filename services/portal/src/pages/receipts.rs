//! `/filings/{id}/receipt` (printable, with a QR code) and `/verify/{code}` (anyone: is this
//! receipt genuine, and what does it show).

use actix_web::{get, web, HttpRequest};
use askama::Template;
use frt_cases::filings::receipts::{self, Receipt, Which};
use frt_web::console::{render, render_with, Page, PageError, PageResult};
use frt_web::Core;

#[derive(Template)]
#[template(path = "receipt.html")]
struct ReceiptPage<'a> {
    page: &'a Page,
    r: Receipt,
    link: String,
    qr: String,
}

impl ReceiptPage<'_> {
    fn title(&self) -> &str {
        self.page.t(match self.r.which {
            Which::Accepted => "receipt.accepted",
            Which::Filed => "receipt.filed",
        })
    }
}

/// The QR code of `text` as SVG markup (dark modules on white, no script, no style).
fn qr_svg(text: &str) -> Result<String, PageError> {
    let code = qrcode::QrCode::new(text.as_bytes())
        .map_err(|e| PageError::internal(&format!("QR code: {e}")))?;
    Ok(code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(180, 180)
        .quiet_zone(true)
        .build())
}

#[get("/filings/{id}/receipt")]
pub async fn receipt(
    core: web::Data<Core>,
    page: Page,
    req: HttpRequest,
    id: web::Path<String>,
) -> PageResult {
    let caller = page.caller()?;
    let id = PageError::id(&id)?;
    let r = receipts::receipt(&core, caller, id).await?;
    let info = req.connection_info();
    let link = format!("{}://{}/verify/{}", info.scheme(), info.host(), r.code);
    render(&ReceiptPage {
        page: &page,
        qr: qr_svg(&link)?,
        link,
        r,
    })
}

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage<'a> {
    page: &'a Page,
    r: Option<Receipt>,
}

impl VerifyPage<'_> {
    fn title(&self) -> &str {
        match &self.r {
            Some(r) if r.which == Which::Filed => self.page.t("receipt.filed"),
            Some(_) => self.page.t("receipt.accepted"),
            None => self.page.t("verify.unknown_title"),
        }
    }
}

/// Anyone with the link: whether the receipt is genuine, and what it shows. An unknown code
/// is a 404 page saying so.
#[get("/verify/{code}")]
pub async fn verify(core: web::Data<Core>, page: Page, code: web::Path<String>) -> PageResult {
    let code: String = code.chars().take(80).collect();
    let r = receipts::verify(&core, &code)
        .await
        .map_err(frt_web::ApiError::from)?;
    let status = if r.is_some() {
        actix_web::http::StatusCode::OK
    } else {
        actix_web::http::StatusCode::NOT_FOUND
    };
    render_with(status, &VerifyPage { page: &page, r })
}
