//! Benchmarks of the hot pure rules: due-date arithmetic (every submission and every
//! recomputation after a calendar load) and the submission check of a complete form.
//! Run with `cargo bench -p frt-domain`; figures are recorded in docs/benchmarks.md.

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion};
use frt_domain::calendar::{Calendar, WorkingDays};
use frt_domain::filing::FilingKind;
use frt_domain::form::{check_for_submit, example_attachments, example_complete};
use std::hint::black_box;

fn calendar(c: &mut Criterion) {
    let cal = Calendar::builtin().expect("builtin calendars");
    let from = NaiveDate::from_ymd_opt(2026, 1, 20).expect("date");
    let n30 = WorkingDays::new(30).expect("30");
    let n250 = WorkingDays::new(250).expect("250");
    c.bench_function("add 30 working days across Spring Festival", |b| {
        b.iter(|| cal.add_working_days(black_box(from), black_box(n30)))
    });
    c.bench_function("add 250 working days into a provisional year", |b| {
        b.iter(|| cal.add_working_days(black_box(from), black_box(n250)))
    });
    let to = NaiveDate::from_ymd_opt(2026, 11, 23).expect("date");
    c.bench_function("working days between (late-by) over ten months", |b| {
        b.iter(|| cal.working_days_between(black_box(from), black_box(to)))
    });
    let text = include_str!("../../../config/calendars/CN-2026.toml");
    c.bench_function("parse a year's calendar file", |b| {
        b.iter(|| frt_domain::calendar::YearCalendar::from_toml(black_box(text)))
    });
}

fn form(c: &mut Criterion) {
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).expect("date");
    let form = example_complete(
        FilingKind::Initial,
        NaiveDate::from_ymd_opt(2026, 11, 1).expect("date"),
    );
    let atts = example_attachments(FilingKind::Initial);
    c.bench_function("check a complete initial filing for submission", |b| {
        b.iter(|| {
            check_for_submit(
                black_box(&form),
                FilingKind::Initial,
                black_box(&atts),
                today,
            )
        })
    });
    let json = serde_json::to_value(&form).expect("json");
    c.bench_function("deserialise the stored form", |b| {
        b.iter(|| serde_json::from_value::<frt_domain::form::FilingForm>(black_box(json.clone())))
    });
}

criterion_group!(benches, calendar, form);
criterion_main!(benches);
