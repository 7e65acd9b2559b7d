//! `frtctl bench-prepare`: the inputs of the load benchmark (`services/ctl/bench/run.sh`) on a
//! database loaded by `seed-national`: sessions for the owners of seeded drafts (one
//! submission each), for the seeded reviewers (the queue and decisions), the filings each
//! reviewer may decide, a cursor deep into a province's queue, and browser sessions of
//! processors' admins with one of their filings (the portal's pages). Files are plain lines the
//! wrk scripts read; tokens are fresh sessions, valid for a day.

use anyhow::Context;
use chrono::{Duration, Utc};
use frt_store::filings::QueueCursor;
use std::fmt::Write as _;
use std::path::Path;
use uuid::Uuid;

/// Writes the benchmark's input files into `out`.
pub async fn prepare(
    url: &str,
    out: &Path,
    submissions: i64,
    decisions: i64,
) -> anyhow::Result<()> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .context("cannot connect to the database")?;
    let driver = tokio::spawn(connection);
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let expires = Utc::now() + Duration::days(1);

    // Sessions for `rows` (user, anything) pairs, API sessions or browser sessions (idle
    // `idle` seconds); returns "<token> <anything>" lines.
    let sessions_idle = |rows: Vec<(Uuid, String)>, idle: Option<i32>| {
        let client = &client;
        async move {
            let mut hashes = Vec::with_capacity(rows.len());
            let mut users = Vec::with_capacity(rows.len());
            let mut lines = String::new();
            for (user, rest) in rows {
                let (token, hash) = frt_access::token::issue();
                let _ = writeln!(lines, "{token} {rest}");
                hashes.push(hash);
                users.push(user);
            }
            client
                .execute(
                    "INSERT INTO sessions (token_hash, user_id, expires_at, idle_seconds) \
                     SELECT h, u, $3, $4 FROM unnest($1::bytea[], $2::uuid[]) AS t(h, u)",
                    &[&hashes, &users, &expires, &idle],
                )
                .await?;
            Ok::<_, anyhow::Error>(lines)
        }
    };
    let sessions = |rows: Vec<(Uuid, String)>| sessions_idle(rows, None);

    let drafts: Vec<(Uuid, String)> = client
        .query(
            // In no particular order, as processors submit: rows spread over the table.
            "SELECT f.created_by, f.id::text FROM filings f WHERE f.status = 'draft' \
             AND EXISTS (SELECT 1 FROM attachments a WHERE a.filing_id = f.id) \
             ORDER BY md5(f.id::text) LIMIT $1",
            &[&submissions],
        )
        .await?
        .into_iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let n_drafts = drafts.len();
    std::fs::write(out.join("submit.txt"), sessions(drafts).await?)?;

    let reviewers: Vec<(Uuid, String, String)> = client
        .query(
            "SELECT u.id, a.province_code, u.email FROM users u JOIN agencies a ON a.id = u.agency_id \
             WHERE u.role = 'reviewer' AND u.email LIKE '%@bench.cac.example' ORDER BY u.email",
            &[],
        )
        .await?
        .into_iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    anyhow::ensure!(
        !reviewers.is_empty(),
        "no seeded reviewers: run `frtctl seed-national` first"
    );
    let queue_lines = sessions(reviewers.iter().map(|(u, p, _)| (*u, p.clone())).collect()).await?;
    std::fs::write(out.join("reviewers.txt"), &queue_lines)?;

    // Each reviewer decides filings of its province that are unassigned or its own, each once.
    let per_reviewer = (decisions / i64::try_from(reviewers.len()).unwrap_or(1)).max(1);
    let mut per: Vec<Vec<(Uuid, String)>> = Vec::new();
    for (user, province, _) in &reviewers {
        let rows = client
            .query(
                "SELECT id::text FROM filings WHERE province_code = $1 AND status = 'submitted' \
                 AND (assignee_id IS NULL OR assignee_id = $2) \
                 ORDER BY md5(id::text) LIMIT $3 OFFSET $4",
                &[
                    province,
                    user,
                    &per_reviewer,
                    // Reviewers of one province take different filings.
                    &(per_reviewer
                        * i64::try_from(
                            reviewers
                                .iter()
                                .filter(|(u2, p2, _)| p2 == province && u2 < user)
                                .count(),
                        )
                        .unwrap_or(0)),
                ],
            )
            .await?;
        per.push(
            rows.into_iter()
                .map(|r| (*user, r.get::<_, String>(0)))
                .collect(),
        );
    }
    // Interleaved, so concurrent requests come from reviewers across the country rather than
    // queueing on one province's filing-number counter.
    let longest = per.iter().map(Vec::len).max().unwrap_or(0);
    let mut decide = Vec::new();
    for k in 0..longest {
        decide.extend(per.iter().filter_map(|rows| rows.get(k).cloned()));
    }
    let n_decide = decide.len();
    std::fs::write(out.join("decide.txt"), sessions(decide).await?)?;

    // A cursor deep into the largest province's queue (in its default order): 10,000 filings
    // in, or half of a smaller queue (a small data set measures a shallower page).
    let largest: i64 = client
        .query_opt(
            "SELECT count(*) FROM filings WHERE status = 'submitted' \
             GROUP BY province_code ORDER BY count(*) DESC LIMIT 1",
            &[],
        )
        .await?
        .map_or(0, |r| r.get(0));
    let depth = (largest / 2).min(10_000);
    let row = client
        .query_opt(
            "SELECT f.province_code, f.review_due_date, d.due_date, f.id FROM filings f \
             JOIN deadlines d ON d.entity_type = 'filing' AND d.entity_id = f.id AND d.purpose = 'statutory' \
             WHERE f.status = 'submitted' AND f.province_code = \
               (SELECT province_code FROM filings WHERE status = 'submitted' GROUP BY 1 ORDER BY count(*) DESC LIMIT 1) \
             ORDER BY f.review_due_date NULLS LAST, d.due_date, f.id OFFSET $1 LIMIT 1",
            &[&depth],
        )
        .await?;
    let mut deep = String::new();
    if let Some(r) = row.filter(|_| depth > 0) {
        let province: String = r.get(0);
        if let Some(review_due) = r.get::<_, Option<chrono::NaiveDate>>(1) {
            let cursor = frt_cases::cursor::encode(&QueueCursor::ReviewDue {
                review_due,
                due_date: r.get(2),
                id: r.get(3),
            });
            deep = format!("{province} {cursor} {depth}\n");
        }
    }
    std::fs::write(out.join("deep.txt"), &deep)?;

    // The portal's pages: browser sessions of organisations' admins, each with one of the
    // organisation's filings that a reviewer has seen.
    let admins: Vec<(Uuid, String)> = client
        .query(
            "SELECT u.id, f.id::text FROM (SELECT DISTINCT ON (organisation_id) organisation_id, id \
               FROM filings WHERE status IN ('submitted', 'returned', 'recorded') \
               ORDER BY organisation_id, md5(id::text) LIMIT 2000) f \
             JOIN users u ON u.organisation_id = f.organisation_id AND u.role = 'org_admin' \
             ORDER BY md5(f.id::text)",
            &[],
        )
        .await?
        .into_iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let n_pages = admins.len();
    std::fs::write(
        out.join("pages.txt"),
        sessions_idle(admins, Some(1800)).await?,
    )?;
    // Casework's pages: browser sessions of the seeded reviewers, each with a filing waiting
    // for review in its province.
    let staff: Vec<(Uuid, String)> = client
        .query(
            "SELECT u.id, w.id::text FROM users u JOIN agencies a ON a.id = u.agency_id \
             CROSS JOIN LATERAL (SELECT f.id FROM filings f WHERE f.province_code = a.province_code \
               AND f.status = 'submitted' ORDER BY f.id LIMIT 1) w \
             WHERE u.role = 'reviewer' AND u.email LIKE '%@bench.cac.example' ORDER BY u.email",
            &[],
        )
        .await?
        .into_iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    std::fs::write(
        out.join("staff_pages.txt"),
        sessions_idle(staff, Some(1800)).await?,
    )?;
    drop(client);
    let _ = driver.await;
    println!(
        "wrote {}: {n_drafts} submissions, {} reviewers, {n_decide} decisions, {n_pages} processors' browser sessions{}",
        out.display(),
        reviewers.len(),
        if deep.is_empty() {
            ", no deep cursor (no queue to go into)".to_owned()
        } else {
            format!(", a cursor {depth} deep")
        }
    );
    Ok(())
}
