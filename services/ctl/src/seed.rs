//! `frtctl seed-national`: a realistic national data set for benchmarks — filings across the
//! 31 mainland provinces in every status (drafts ready to submit, the review queue, returned,
//! recorded with gap-free numbers, refused), each with its organisation, admin user, materials
//! metadata, deadlines from the working-day calendar and submitted version, plus review staff
//! per province and an audit log sealed into the hash chain. Bulk-loaded with COPY in one
//! transaction: either all of it lands or none. Never in production.

use bytes::Bytes;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use frt_domain::calendar::{Calendar, WorkingDays};
use frt_domain::filing::FilingKind;
use frt_domain::form::{example_attachments, example_complete};
use frt_store::audit::{ChainRow, GENESIS};
use futures_util::SinkExt;
use std::collections::HashMap;
use std::fmt::Write as _;
use tokio_postgres::Client;
use uuid::Uuid;

/// Password of every seeded account (benchmark data only).
pub const SEED_PASSWORD: &str = "seed-password-2026";
/// Reviewers seeded per province; one supervisor each besides.
pub const REVIEWERS_PER_PROVINCE: usize = 4;

/// Mainland provinces (GB/T 2260) with a rough weight for how many processors each has.
const PROVINCES: [(&str, u32); 31] = [
    ("110000", 60),
    ("120000", 15),
    ("130000", 25),
    ("140000", 10),
    ("150000", 8),
    ("210000", 18),
    ("220000", 8),
    ("230000", 10),
    ("310000", 55),
    ("320000", 60),
    ("330000", 60),
    ("340000", 20),
    ("350000", 25),
    ("360000", 12),
    ("370000", 40),
    ("410000", 25),
    ("420000", 25),
    ("430000", 20),
    ("440000", 90),
    ("450000", 12),
    ("460000", 5),
    ("500000", 15),
    ("510000", 30),
    ("520000", 8),
    ("530000", 8),
    ("540000", 2),
    ("610000", 15),
    ("620000", 5),
    ("630000", 2),
    ("640000", 2),
    ("650000", 5),
];

#[derive(Debug, Clone, Copy)]
pub struct SeedSize {
    pub filings: usize,
    pub audit_rows: usize,
}

/// What was loaded.
#[derive(Debug, Default)]
pub struct SeedReport {
    pub organisations: usize,
    pub filings_by_status: Vec<(&'static str, usize)>,
    pub attachments: usize,
    pub deadlines: usize,
    pub audit_rows: usize,
    pub staff: usize,
    pub seconds: f64,
}

/// A statistically spread but reproducible number for filing `i` and purpose `salt`.
fn spread(i: usize, salt: u64) -> u64 {
    let mut x =
        (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ salt.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 31;
    x = x.wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 29)
}

/// The status mix: most recorded, a working queue, some returned or refused, and drafts the
/// submission benchmark submits.
fn status_of(i: usize) -> &'static str {
    match i % 100 {
        0..=59 => "filed",
        60..=74 => "submitted",
        75..=79 => "returned",
        80..=81 => "refused",
        _ => "draft",
    }
}

fn risk_of(i: usize) -> (&'static str, i16) {
    match spread(i, 7) % 50 {
        0 => ("critical", 4),
        1..=3 => ("high", 3),
        4..=10 => ("medium", 2),
        11..=20 => ("low", 1),
        _ => ("none", 0),
    }
}

/// Text for COPY's text format: backslash, tab, newline and carriage return escaped.
fn esc(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

fn ts(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S%.6f+00").to_string()
}

/// Streams rows into one COPY, a megabyte at a time.
struct Copy {
    sink: std::pin::Pin<Box<tokio_postgres::CopyInSink<Bytes>>>,
    buf: String,
    rows: usize,
}

impl Copy {
    async fn start(tx: &tokio_postgres::Transaction<'_>, statement: &str) -> anyhow::Result<Self> {
        let sink = tx.copy_in(statement).await?;
        Ok(Self {
            sink: Box::pin(sink),
            buf: String::with_capacity(1 << 21),
            rows: 0,
        })
    }

    /// Ends the row being written in `buf`.
    async fn row_done(&mut self) -> anyhow::Result<()> {
        self.buf.push('\n');
        self.rows += 1;
        if self.buf.len() >= 1 << 20 {
            let chunk = std::mem::replace(&mut self.buf, String::with_capacity(1 << 21));
            self.sink.send(Bytes::from(chunk)).await?;
        }
        Ok(())
    }

    async fn finish(mut self) -> anyhow::Result<usize> {
        if !self.buf.is_empty() {
            let chunk = std::mem::take(&mut self.buf);
            self.sink.send(Bytes::from(chunk)).await?;
        }
        self.sink.as_mut().finish().await?;
        Ok(self.rows)
    }
}

/// COPY rows kept in memory, in megabyte chunks.
#[derive(Default)]
struct Rows {
    buf: String,
    chunks: Vec<String>,
    rows: usize,
}

impl Rows {
    fn row_done(&mut self) {
        self.buf.push('\n');
        self.rows += 1;
        if self.buf.len() >= 1 << 20 {
            self.chunks.push(std::mem::take(&mut self.buf));
        }
    }
}

/// Writes one deadline row (computed from the calendar); returns its due date and lateness.
fn deadline(
    calendar: &Calendar,
    buf: &mut Rows,
    id: Uuid,
    purpose: &str,
    start: NaiveDate,
    n: i64,
    met: Option<NaiveDate>,
) -> anyhow::Result<(NaiveDate, Option<i64>)> {
    let due = calendar.add_working_days(start, WorkingDays::new(n)?)?;
    let late = met.map(|m| calendar.working_days_between(due.due_date, m).days);
    let versions: Vec<String> = due
        .calendar_versions
        .iter()
        .map(|v| format!("\"{v}\""))
        .collect();
    let _ = write!(
        buf.buf,
        "{}\tfiling\t{id}\t{purpose}\t{start}\t{n}\t{}\t{}\t{{{}}}\t{}\t{}",
        Uuid::now_v7(),
        due.due_date,
        if due.provisional { "t" } else { "f" },
        versions.join(","),
        met.map_or("\\N".to_owned(), |m| m.to_string()),
        late.map_or("\\N".to_owned(), |l| l.to_string()),
    );
    Ok((due.due_date, late))
}

/// A seeded filing, as the later bulk statements need it.
struct Seeded {
    id: Uuid,
    org: Uuid,
    user: Uuid,
    province: &'static str,
    status: &'static str,
    created: DateTime<Utc>,
    submitted: Option<DateTime<Utc>>,
    decided: Option<DateTime<Utc>>,
}

/// The USCC of seeded organisation `i`: a valid check character, an organisation code made
/// from `nonce` and `i`, so seeds never collide.
fn uscc(province: &str, nonce: u64, i: usize) -> anyhow::Result<String> {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let mut n = nonce.wrapping_mul(1_000_003).wrapping_add(i as u64) % 31u64.pow(9);
    let mut code = [b'0'; 9];
    for c in code.iter_mut().rev() {
        *c = ALPHABET[(n % 31) as usize];
        n /= 31;
    }
    let first17 = format!("91{}0100{}", &province[..2], std::str::from_utf8(&code)?);
    let check = frt_domain::ids::uscc_check_char(&first17)
        .ok_or_else(|| anyhow::anyhow!("no check character for {first17}"))?;
    Ok(format!("{first17}{check}"))
}

/// Writes `rows` generated paper submissions to `out` as a `filings` import workbook: initial
/// filings of distinct processors in `province`, received in the last weeks, on time.
pub fn sample_filings(out: &std::path::Path, rows: usize, province: &str) -> anyhow::Result<u64> {
    if frt_domain::region::ProvinceCode::parse(province).is_err() {
        anyhow::bail!("{province} is not a province code (e.g. 310000)");
    }
    let today = frt_cases::today_in_china();
    let nonce = u64::try_from(Utc::now().timestamp_micros()).unwrap_or_default();
    let filings = (0..rows).map(|i| -> anyhow::Result<frt_cases::imports::PaperFiling> {
        let received_on = today - Duration::days(1 + (spread(i, 11) % 20) as i64);
        let trigger = received_on - Duration::days(1 + (spread(i, 12) % 25) as i64);
        let mut form = example_complete(FilingKind::Initial, trigger);
        if let Some(basic) = form.basic.as_mut() {
            basic.processor_name = Some(format!("纸质申报样例单位{i:06}有限公司"));
        }
        Ok(frt_cases::imports::PaperFiling {
            kind: FilingKind::Initial,
            uscc: uscc(province, nonce, i)?,
            received_on,
            previous_filing_number: None,
            province: None,
            materials_complete: true,
            form,
        })
    });
    let filings: Vec<_> = filings.collect::<anyhow::Result<_>>()?;
    Ok(frt_cases::imports::write_filings_workbook(out, filings)?)
}

/// Loads the data set over `client` (the platform's database, migrated).
pub async fn seed(
    client: &mut Client,
    calendar: &Calendar,
    size: SeedSize,
) -> anyhow::Result<SeedReport> {
    let started = std::time::Instant::now();
    let mut report = SeedReport::default();
    let nonce = u64::from(rand::random::<u32>());
    let password_hash = frt_access::password::hash_new(SEED_PASSWORD)?;
    let now = Utc::now();
    let today = frt_cases::today_in_china();
    let form = serde_json::to_string(&example_complete(
        FilingKind::Initial,
        NaiveDate::from_ymd_opt(2025, 9, 1).unwrap_or(today),
    ))?;
    let attachment_kinds: Vec<&str> = example_attachments(FilingKind::Initial)
        .into_iter()
        .map(|k| k.as_str())
        .collect();

    client
        .batch_execute(
            "SET statement_timeout = 0; SET synchronous_commit = off; SET maintenance_work_mem = '256MB'",
        )
        .await?;
    let tx = client.transaction().await?;
    let names: HashMap<String, String> = tx
        .query("SELECT code, name FROM regions", &[])
        .await?
        .into_iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();

    // Staff: a CAC office per province with reviewers and a supervisor.
    let mut reviewers: HashMap<&str, Vec<Uuid>> = HashMap::new();
    for (province, _) in PROVINCES {
        let name = format!(
            "{}网信办",
            names.get(province).map_or(province, String::as_str)
        );
        let agency: Uuid = tx
            .query_one(
                "INSERT INTO agencies (id, kind, name, province_code) VALUES ($1, 'provincial_cac', $2, $3) \
                 ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id",
                &[&Uuid::now_v7(), &name, &province],
            )
            .await?
            .get(0);
        for k in 0..=REVIEWERS_PER_PROVINCE {
            let (role, email) = if k == REVIEWERS_PER_PROVINCE {
                (
                    "supervisor",
                    format!("supervisor.{province}@bench.cac.example"),
                )
            } else {
                (
                    "reviewer",
                    format!("reviewer{k}.{province}@bench.cac.example"),
                )
            };
            let id: Uuid = tx
                .query_one(
                    "INSERT INTO users (id, email, display_name, password_hash, role, agency_id) \
                     VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (zone, lower(email)) DO UPDATE SET active = TRUE RETURNING id",
                    &[
                        &Uuid::now_v7(),
                        &email,
                        &email,
                        &password_hash,
                        &role,
                        &agency,
                    ],
                )
                .await?
                .get(0);
            if role == "reviewer" {
                reviewers.entry(province).or_default().push(id);
            }
            report.staff += 1;
        }
    }

    // Which province each filing's processor is in, by weight.
    let total_weight: u32 = PROVINCES.iter().map(|(_, w)| w).sum();
    let province_of = |i: usize| {
        let mut pick = (spread(i, 1) % u64::from(total_weight)) as u32;
        for (p, w) in PROVINCES {
            if pick < w {
                return p;
            }
            pick -= w;
        }
        PROVINCES[0].0
    };

    // The filings to make, each with its organisation and admin.
    let mut seeded = Vec::with_capacity(size.filings);
    for i in 0..size.filings {
        let status = status_of(i);
        let created = now
            - Duration::days(40 + (spread(i, 2) % 500) as i64)
            - Duration::seconds((spread(i, 3) % 86_400) as i64);
        let submitted =
            (status != "draft").then(|| created + Duration::days(1 + (spread(i, 4) % 20) as i64));
        let decided = matches!(status, "filed" | "refused" | "returned")
            .then(|| submitted.map(|s| s + Duration::days(1 + (spread(i, 5) % 15) as i64)))
            .flatten();
        seeded.push(Seeded {
            id: Uuid::now_v7(),
            org: Uuid::now_v7(),
            user: Uuid::now_v7(),
            province: province_of(i),
            status,
            created,
            submitted,
            decided,
        });
    }
    // One COPY at a time: a connection carries a single COPY.
    let email = |i: usize| format!("admin{i}.{nonce}@bench.example");
    let mut orgs = Copy::start(&tx, "COPY organisations (id, name, uscc, uscc_checksum_ok, province_code, province_confirmed, contact_person, contact_email, contact_phone, locale) FROM STDIN").await?;
    for (i, f) in seeded.iter().enumerate() {
        let pname = names.get(f.province).map_or(f.province, String::as_str);
        let _ = write!(
            orgs.buf,
            "{}\t{pname}基准{i:07}科技有限公司\t{}\tt\t{}\tt\t张三\t{}\t+86 10 5555 {:04}\tzh-CN",
            f.org,
            uscc(f.province, nonce, i)?,
            f.province,
            email(i),
            i % 10_000
        );
        orgs.row_done().await?;
    }
    report.organisations = orgs.finish().await?;
    let mut users = Copy::start(&tx, "COPY users (id, email, display_name, password_hash, role, organisation_id, locale) FROM STDIN").await?;
    for (i, f) in seeded.iter().enumerate() {
        let _ = write!(users.buf, "{}\t{}\t张三\t", f.user, email(i));
        esc(&mut users.buf, &password_hash);
        let _ = write!(users.buf, "\torg_admin\t{}\tzh-CN", f.org);
        users.row_done().await?;
    }
    users.finish().await?;

    // Filings (the form is one parameter, not sent per row), through a staging table.
    tx.batch_execute(
        "CREATE TEMP TABLE seed_filings (id uuid, organisation_id uuid, province_code text, \
         status text, trigger_date date, filing_number text, return_reasons jsonb, \
         refusal_reasons jsonb, submitted_at timestamptz, decided_at timestamptz, \
         created_by uuid, created_at timestamptz, assignee_id uuid, risk_level text, \
         risk_rank smallint, review_days_used int, review_due_date date, \
         statutory_due_date date, late_by_working_days int) ON COMMIT DROP",
    )
    .await?;
    // Filing numbers continue each province's and year's sequence, without gaps.
    let mut counters: HashMap<(String, i32), i32> = tx
        .query(
            "SELECT province_code, year, last_value FROM filing_number_counters",
            &[],
        )
        .await?
        .into_iter()
        .map(|r| ((r.get(0), r.get(1)), r.get(2)))
        .collect();
    let mut staging = Copy::start(&tx, "COPY seed_filings FROM STDIN").await?;
    // Deadline rows wait in memory until the staging COPY is done.
    let mut deadlines = Rows::default();
    let china = |t: DateTime<Utc>| frt_cases::china_date(t);
    for (i, f) in seeded.iter().enumerate() {
        let trigger = china(f.created) - Duration::days((spread(i, 6) % 25) as i64);
        let (level, rank) = risk_of(i);
        let mut number = None;
        let mut review_due = None;
        let mut days_used = 0;
        let mut statutory = None;
        if let Some(sub) = f.submitted {
            statutory = Some(deadline(
                calendar,
                &mut deadlines,
                f.id,
                "statutory",
                trigger,
                30,
                Some(china(sub)),
            )?);
            deadlines.row_done();
            let review_met = f.decided.map(china);
            if f.status == "returned" {
                days_used = (spread(i, 8) % 10) as i32;
                let start = review_met.unwrap_or(today);
                deadline(
                    calendar,
                    &mut deadlines,
                    f.id,
                    "correction",
                    start,
                    15,
                    None,
                )?;
                deadlines.row_done();
            } else {
                let (due, _) = deadline(
                    calendar,
                    &mut deadlines,
                    f.id,
                    "review",
                    china(sub),
                    15,
                    review_met,
                )?;
                deadlines.row_done();
                if f.status == "submitted" {
                    review_due = Some(due);
                }
            }
        }
        if f.status == "filed" {
            let year = f.decided.map_or(today.year(), |d| china(d).year());
            let seq = counters.entry((f.province.to_owned(), year)).or_insert(0);
            *seq += 1;
            number = Some(format!("{}-{year}-{:06}", f.province, seq));
        }
        let assignee = (f.status == "submitted" && spread(i, 9).is_multiple_of(2))
            .then(|| {
                reviewers
                    .get(f.province)
                    .and_then(|r| r.get(i % r.len()).copied())
            })
            .flatten();
        let opt = |v: Option<String>| v.unwrap_or_else(|| "\\N".to_owned());
        let reasons = r#"[{"path": null, "message": "请补充个人信息保护影响评估报告的结论。"}]"#;
        let _ =
            write!(
            staging.buf,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{level}\t{rank}\t{days_used}\t{}\t{}\t{}",
            f.id,
            f.org,
            f.province,
            f.status,
            if f.submitted.is_some() { trigger.to_string() } else { "\\N".into() },
            opt(number),
            if f.status == "returned" { reasons } else { "\\N" },
            if f.status == "refused" { reasons } else { "\\N" },
            opt(f.submitted.map(ts)),
            opt(f.decided.map(ts)),
            f.user,
            ts(f.created),
            opt(assignee.map(|a| a.to_string())),
            opt(review_due.map(|d| d.to_string())),
            opt(statutory.map(|(d, _)| d.to_string())),
            opt(statutory.and_then(|(_, late)| late).map(|l| l.to_string())),
        );
        staging.row_done().await?;
    }
    staging.finish().await?;
    let mut copy = Copy::start(&tx, "COPY deadlines (id, entity_type, entity_id, purpose, start_date, working_days, due_date, provisional, calendar_versions, met_on, late_by_working_days) FROM STDIN").await?;
    let Rows {
        buf,
        mut chunks,
        rows,
    } = deadlines;
    chunks.push(buf);
    for chunk in chunks.into_iter().filter(|c| !c.is_empty()) {
        copy.sink.send(Bytes::from(chunk)).await?;
    }
    copy.finish().await?;
    report.deadlines = rows;
    tx.execute(
        "INSERT INTO filings (id, organisation_id, province_code, kind, status, form, trigger_date, \
         filing_number, return_reasons, refusal_reasons, submitted_at, first_submitted_at, \
         decided_at, created_by, created_at, updated_at, version, assignee_id, risk_level, \
         risk_rank, review_days_used, review_due_date, statutory_due_date, late_by_working_days) \
         SELECT id, organisation_id, province_code, 'initial', status, $1::text::jsonb, trigger_date, \
         filing_number, return_reasons, refusal_reasons, submitted_at, submitted_at, decided_at, \
         created_by, created_at, COALESCE(decided_at, submitted_at, created_at), \
         CASE WHEN status = 'draft' THEN 2 ELSE 4 END, assignee_id, risk_level, risk_rank, \
         review_days_used, review_due_date, statutory_due_date, late_by_working_days FROM seed_filings",
        &[&form],
    )
    .await?;
    tx.execute(
        "INSERT INTO filing_versions (filing_id, seq, form, attachments, submitted_at, submitted_by) \
         SELECT id, 1, $1::text::jsonb, '[]'::jsonb, submitted_at, created_by FROM seed_filings \
         WHERE submitted_at IS NOT NULL",
        &[&form],
    )
    .await?;
    let kinds: Vec<String> = attachment_kinds.iter().map(|k| (*k).to_owned()).collect();
    report.attachments = usize::try_from(
        tx.execute(
            "INSERT INTO attachments (id, organisation_id, filing_id, kind, filename, content_type, \
             size_bytes, sha256, blob_key, uploaded_by, uploaded_at) \
             SELECT gen_random_uuid(), s.organisation_id, s.id, k, k || '.pdf', 'application/pdf', \
             200000 + (hashtext(s.id::text || k) & 1048575), \
             encode(sha256((s.id::text || k)::bytea), 'hex'), 'seed/' || s.id || '/' || k, \
             s.created_by, s.created_at + interval '1 hour' \
             FROM seed_filings s CROSS JOIN unnest($1::text[]) AS k",
            &[&kinds],
        )
        .await?,
    )?;
    for ((province, year), last) in &counters {
        tx.execute(
            "INSERT INTO filing_number_counters (province_code, year, last_value) VALUES ($1, $2, $3) \
             ON CONFLICT (province_code, year) DO UPDATE SET last_value = EXCLUDED.last_value",
            &[province, year, last],
        )
        .await?;
    }
    report.filings_by_status = ["filed", "submitted", "returned", "refused", "draft"]
        .into_iter()
        .map(|s| (s, seeded.iter().filter(|f| f.status == s).count()))
        .collect();

    report.audit_rows = seed_audit(&tx, &seeded, size.audit_rows).await?;
    tx.commit().await?;
    client.batch_execute("ANALYZE").await?;
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Writes `rows` audit rows about the seeded filings (their life so far, in order), sealed
/// into the chain after its current end, with the seal switched off for the load.
async fn seed_audit(
    tx: &tokio_postgres::Transaction<'_>,
    seeded: &[Seeded],
    rows: usize,
) -> anyhow::Result<usize> {
    if rows == 0 || seeded.is_empty() {
        return Ok(0);
    }
    let head = tx
        .query_one(
            "SELECT seq, hash, hash_alg FROM audit_chain_head FOR UPDATE",
            &[],
        )
        .await?;
    let mut seq: i64 = head.get(0);
    let mut prev: Vec<u8> = head.get(1);
    let alg: String = head.get(2);
    if prev.len() != 32 {
        prev = GENESIS.to_vec();
    }
    let next_id: i64 = tx
        .query_one("SELECT COALESCE(max(id), 0) FROM audit_log", &[])
        .await?
        .get(0);
    tx.batch_execute(
        "ALTER TABLE audit_log DISABLE TRIGGER USER; ALTER TABLE audit_log SET (fillfactor = 100)",
    )
    .await?;
    let mut copy = Copy::start(tx, "COPY audit_log (id, at, actor_id, actor_label, client_ip, request_id, action, entity_type, entity_id, before, after, seq, prev_hash, hash, hash_alg) FROM STDIN").await?;
    let mut written = 0;
    'outer: for round in 0.. {
        for (i, f) in seeded.iter().enumerate() {
            for (action, at, before, after) in life(f, i, round) {
                if written == rows {
                    break 'outer;
                }
                seq += 1;
                let row = ChainRow {
                    id: next_id + 1 + written as i64,
                    seq: Some(seq),
                    at,
                    actor_id: Some(f.user),
                    actor_label: format!("admin{i}@bench.example (processor:org_admin)"),
                    client_ip: Some("10.0.0.1".into()),
                    request_id: None,
                    action: action.to_owned(),
                    entity_type: "filing".into(),
                    entity_id: f.id.to_string(),
                    before,
                    after,
                    prev_hash: Some(prev.clone()),
                    hash: None,
                    hash_alg: Some(alg.clone()),
                };
                let hash = row
                    .chain_hash(seq, &prev)
                    .ok_or_else(|| anyhow::anyhow!("the chain's head names {alg:?}"))?;
                let json = |out: &mut String, v: &Option<String>| match v {
                    Some(text) => esc(out, text),
                    None => out.push_str("\\N"),
                };
                let _ = write!(copy.buf, "{}\t{}\t{}\t", row.id, ts(row.at), f.user);
                esc(&mut copy.buf, &row.actor_label);
                let _ = write!(copy.buf, "\t10.0.0.1\t\\N\t{action}\tfiling\t{}\t", f.id);
                json(&mut copy.buf, &row.before);
                copy.buf.push('\t');
                json(&mut copy.buf, &row.after);
                let _ = write!(
                    copy.buf,
                    "\t{seq}\t\\\\x{}\t\\\\x{}\t{alg}",
                    hex::encode(&prev),
                    hex::encode(hash)
                );
                copy.row_done().await?;
                prev = hash.to_vec();
                written += 1;
            }
        }
    }
    copy.finish().await?;
    tx.execute(
        "UPDATE audit_chain_head SET seq = $1, hash = $2, sealed_at = now()",
        &[&seq, &prev],
    )
    .await?;
    tx.execute(
        "SELECT setval(pg_get_serial_sequence('audit_log', 'id'), $1)",
        &[&(next_id + written as i64)],
    )
    .await?;
    tx.batch_execute(
        "ALTER TABLE audit_log SET (fillfactor = 50); ALTER TABLE audit_log ENABLE TRIGGER USER",
    )
    .await?;
    Ok(written)
}

type Event = (&'static str, DateTime<Utc>, Option<String>, Option<String>);

/// Audit rows of one filing's life; later rounds (when more rows are wanted than one life
/// gives) are the staff reading its materials. JSON is written as PostgreSQL prints jsonb.
fn life(f: &Seeded, i: usize, round: usize) -> Vec<Event> {
    let at = |t: DateTime<Utc>, s: i64| t + Duration::seconds(s);
    if round > 0 {
        let t = f.decided.or(f.submitted).unwrap_or(f.created) + Duration::hours(round as i64);
        return vec![(
            "attachment.downloaded",
            t,
            None,
            Some(format!(
                r#"{{"kind": "pipia_report", "attachment_id": "{}"}}"#,
                Uuid::from_u128(i as u128)
            )),
        )];
    }
    let status = |s: &str| Some(format!(r#"{{"status": "{s}"}}"#));
    let mut out: Vec<Event> = vec![
        (
            "filing.created",
            f.created,
            None,
            Some(r#"{"kind": "initial", "status": "draft"}"#.into()),
        ),
        (
            "filing.form_saved",
            at(f.created, 600),
            None,
            Some(r#"{"version": 2}"#.into()),
        ),
    ];
    for (k, kind) in [
        "uscc_certificate",
        "legal_representative_id",
        "filer_id",
        "authorisation_letter",
        "commitment_letter",
        "pipia_report",
    ]
    .iter()
    .enumerate()
    {
        out.push((
            "attachment.uploaded",
            at(f.created, 3600 + k as i64),
            None,
            Some(format!(r#"{{"kind": "{kind}"}}"#)),
        ));
    }
    if let Some(sub) = f.submitted {
        out.push((
            "filing.submitted",
            sub,
            status("draft"),
            status("submitted"),
        ));
    }
    if let Some(dec) = f.decided {
        let action = match f.status {
            "filed" => "filing.recorded",
            "refused" => "filing.refused",
            _ => "filing.returned",
        };
        out.push((action, dec, status("submitted"), status(f.status)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_usccs_are_valid_and_distinct() {
        let a = uscc("310000", 7, 1).expect("uscc");
        let b = uscc("310000", 7, 2).expect("uscc");
        assert_ne!(a, b);
        for u in [a, b] {
            assert!(
                frt_domain::ids::Uscc::parse(&u)
                    .expect("parses")
                    .checksum_ok(),
                "{u}"
            );
            assert_eq!(&u[2..4], "31");
        }
    }

    #[test]
    fn the_status_mix_covers_every_status() {
        let mut seen: Vec<&str> = (0..100).map(status_of).collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen, ["draft", "filed", "refused", "returned", "submitted"]);
        assert_eq!((0..100).filter(|i| status_of(*i) == "draft").count(), 18);
    }

    #[test]
    fn copy_text_escapes_its_separators() {
        let mut out = String::new();
        esc(&mut out, "a\tb\\c\nd");
        assert_eq!(out, "a\\tb\\\\c\\nd");
    }
}
