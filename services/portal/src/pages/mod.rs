//! The portal's console: pages for processors and the public, server-rendered in Chinese
//! first, calling the same use cases as the API. The public pages (home, login, registration,
//! complaint, status lookup, due date) work with JavaScript off.

mod account;
mod calculator;
mod complaints;
mod editing;
mod filings;
mod home;
mod inspections;
mod password;
mod receipts;

use actix_web::web;
use frt_web::console::MenuItem;
use frt_web::server::Pages;

/// The portal's menu.
const MENU: &[MenuItem] = &[
    MenuItem {
        href: "/",
        label: "nav.home",
        signed_in: false,
        roles: &[],
    },
    MenuItem {
        href: "/filings",
        label: "nav.filings",
        signed_in: true,
        roles: &[],
    },
    MenuItem {
        href: "/inspections",
        label: "nav.inspections",
        signed_in: true,
        roles: &[],
    },
    MenuItem {
        href: "/account",
        label: "nav.account",
        signed_in: true,
        roles: &[],
    },
    MenuItem {
        href: "/complaints/new",
        label: "nav.complaint",
        signed_in: false,
        roles: &[],
    },
    MenuItem {
        href: "/complaints/status",
        label: "nav.complaint_status",
        signed_in: false,
        roles: &[],
    },
    MenuItem {
        href: "/due-date",
        label: "nav.due_date",
        signed_in: false,
        roles: &[],
    },
];

/// The portal's pages.
pub const PAGES: Pages = Pages { menu: MENU, routes };

fn routes(cfg: &mut web::ServiceConfig) {
    frt_web::console::account::routes(cfg);
    cfg.service(home::home)
        .service(account::register_form)
        .service(account::register)
        .service(account::confirm_form)
        .service(account::confirm)
        .service(calculator::due_date)
        .service(complaints::new_form)
        .service(complaints::file)
        .service(complaints::status_form)
        .service(complaints::status)
        .service(complaints::rate)
        .service(filings::list)
        // The fixed path before `{id}`.
        .service(editing::new_form)
        .service(editing::create)
        .service(filings::show)
        .service(editing::edit)
        .service(editing::save)
        .service(editing::upload)
        .service(editing::submit_filing)
        .service(receipts::receipt)
        .service(receipts::verify)
        .service(inspections::list)
        .service(inspections::answer)
        .service(inspections::material)
        .service(password::reset_form)
        .service(password::ask_reset)
        .service(password::new_password_form)
        .service(password::set_new_password);
}
