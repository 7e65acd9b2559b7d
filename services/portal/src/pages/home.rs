//! `/`: what the platform is, and where each kind of visitor goes.

use actix_web::get;
use askama::Template;
use frt_web::console::{render, Page, PageResult};

#[derive(Template)]
#[template(path = "home.html")]
struct Home<'a> {
    page: &'a Page,
}

#[get("/")]
pub async fn home(page: Page) -> PageResult {
    render(&Home { page: &page })
}
