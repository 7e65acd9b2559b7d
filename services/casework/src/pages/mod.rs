//! Casework's console: pages for regulator staff, server-rendered in Chinese first, calling the
//! same use cases as the API with the same authorisation and scope.

mod audit;
mod complaints;
mod done;
mod filing;
mod imports;
mod inspections;
mod notifications;
mod registry;
mod staff;
mod statistics;
mod workbench;

use actix_web::web;
use frt_web::console::MenuItem;
use frt_web::server::Pages;

/// Casework's menu.
const MENU: &[MenuItem] = &[
    MenuItem {
        href: "/",
        label: "nav.workbench",
        signed_in: true,
        roles: &[],
    },
    MenuItem {
        href: "/complaints",
        label: "nav.complaints",
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
        href: "/notifications",
        label: "nav.notifications",
        signed_in: true,
        roles: &[],
    },
    MenuItem {
        href: "/registry",
        label: "nav.registry",
        signed_in: true,
        roles: &[],
    },
    MenuItem {
        href: "/imports",
        label: "nav.imports",
        signed_in: true,
        roles: &[],
    },
    MenuItem {
        href: "/exports",
        label: "nav.exports",
        signed_in: true,
        roles: &[],
    },
    MenuItem {
        href: "/statistics",
        label: "nav.statistics",
        signed_in: true,
        roles: &[],
    },
    MenuItem {
        href: "/done",
        label: "nav.done",
        signed_in: true,
        roles: &[],
    },
    MenuItem {
        href: "/staff",
        label: "nav.staff",
        signed_in: true,
        roles: &["admin"],
    },
    MenuItem {
        href: "/account",
        label: "nav.account",
        signed_in: true,
        roles: &[],
    },
];

/// Casework's pages.
pub const PAGES: Pages = Pages { menu: MENU, routes };

fn routes(cfg: &mut web::ServiceConfig) {
    frt_web::console::account::routes(cfg);
    cfg.service(workbench::workbench)
        .service(done::done)
        .service(filing::show)
        .service(filing::decision)
        .service(filing::sign_off)
        .service(filing::material)
        .service(complaints::queue)
        .service(complaints::show)
        .service(complaints::step)
        .service(complaints::evidence)
        .service(audit::trail_page)
        .service(statistics::statistics)
        .service(statistics::workbook)
        .service(imports::imports_page)
        .service(imports::template)
        .service(imports::upload)
        .service(imports::error_workbook)
        .service(inspections::list)
        .service(inspections::create_plan)
        .service(inspections::new_draw)
        .service(inspections::make_draw)
        .service(inspections::show_draw)
        .service(inspections::verify_draw)
        .service(inspections::open_from_draw)
        .service(inspections::show)
        .service(inspections::step)
        .service(inspections::material)
        .service(registry::registry)
        .service(registry::exports_page)
        .service(registry::registry_xlsx)
        .service(registry::queue_xlsx)
        .service(registry::inspections_xlsx)
        .service(registry::start_export)
        .service(registry::job)
        .service(registry::job_file)
        .service(notifications::list)
        .service(notifications::new)
        .service(notifications::send)
        .service(notifications::show)
        .service(notifications::receipt)
        .service(notifications::attach)
        .service(notifications::material)
        .service(staff::list)
        .service(staff::add)
        .service(staff::reset_second_factor);
}
