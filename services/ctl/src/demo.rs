//! The demo data set: one processor organisation with its admin, staff of the Shanghai and
//! Beijing CAC offices (three Shanghai inspectors among them, for inspection draws), a
//! national CAC user and a public-security user. Local use only.

use frt_access::accounts::{self, Owner};
use frt_access::Role;
use frt_cases::config::Settings;
use frt_domain::ids::Uscc;
use frt_store::audit::Actor;
use frt_store::identities::{self, NewOrganisation};
use frt_store::ScopedFutureExt;
use uuid::Uuid;

/// The demo accounts' shared password (demo mode only).
pub const DEMO_PASSWORD: &str = "demo-password-2026";

/// A demo account, for printing.
pub struct Credential {
    pub who: &'static str,
    pub email: &'static str,
    pub service: &'static str,
}

pub const ACCOUNTS: [(&str, &str, &str); 9] = [
    (
        "processor admin, 示例科技有限公司 (Shanghai)",
        "admin@demo-processor.example",
        "portal",
    ),
    (
        "reviewer, Shanghai CAC office",
        "reviewer@sh.cac.example",
        "casework",
    ),
    (
        "supervisor, Shanghai CAC office",
        "supervisor@sh.cac.example",
        "casework",
    ),
    (
        "reviewer, Beijing CAC office",
        "reviewer@bj.cac.example",
        "casework",
    ),
    ("reviewer, national CAC", "reviewer@cac.example", "casework"),
    (
        "inspector, Shanghai public security",
        "inspector@sh.police.example",
        "casework",
    ),
    (
        "inspector, Shanghai CAC office",
        "inspector1@sh.cac.example",
        "casework",
    ),
    (
        "inspector, Shanghai CAC office",
        "inspector2@sh.cac.example",
        "casework",
    ),
    (
        "inspector, Shanghai CAC office",
        "inspector3@sh.cac.example",
        "casework",
    ),
];

/// Loads the demo set; existing demo accounts are left as they are.
pub async fn seed(settings: &Settings) -> anyhow::Result<Vec<Credential>> {
    let db = frt_store::Db::new(&settings.db_settings())?;
    let actor = Actor::system("frtctl demo seed");
    let uscc = Uscc::parse("91310115MA1H7A5U3X")?;
    db.tx(|conn| {
        async move {
            let org = match identities::organisation_by_uscc(conn, uscc.as_str()).await? {
                Some(o) => o,
                None => {
                    identities::insert_organisation(
                        conn,
                        &NewOrganisation {
                            id: Uuid::now_v7(),
                            name: "示例科技有限公司".into(),
                            uscc: uscc.as_str().into(),
                            uscc_checksum_ok: uscc.checksum_ok(),
                            province_code: "310000".into(),
                            province_confirmed: true,
                            contact_person: "张三".into(),
                            contact_email: "admin@demo-processor.example".into(),
                            contact_phone: "+86 21 5555 0100".into(),
                            locale: "zh-CN".into(),
                        },
                    )
                    .await?
                }
            };
            let sh =
                identities::ensure_agency(conn, "provincial_cac", "上海市网信办", Some("310000"))
                    .await?;
            let bj =
                identities::ensure_agency(conn, "provincial_cac", "北京市网信办", Some("110000"))
                    .await?;
            let national =
                identities::ensure_agency(conn, "national_cac", "国家网信办", None).await?;
            let police =
                identities::ensure_agency(conn, "public_security", "上海市公安局", Some("310000"))
                    .await?;
            let plan = [
                (
                    ACCOUNTS[0].1,
                    "张三",
                    Role::OrgAdmin,
                    Owner::Organisation(org.id),
                ),
                (
                    ACCOUNTS[1].1,
                    "李审核",
                    Role::Reviewer,
                    Owner::Agency(sh.id),
                ),
                (
                    ACCOUNTS[2].1,
                    "王主管",
                    Role::Supervisor,
                    Owner::Agency(sh.id),
                ),
                (
                    ACCOUNTS[3].1,
                    "赵审核",
                    Role::Reviewer,
                    Owner::Agency(bj.id),
                ),
                (
                    ACCOUNTS[4].1,
                    "钱审核",
                    Role::Reviewer,
                    Owner::Agency(national.id),
                ),
                (
                    ACCOUNTS[5].1,
                    "孙警官",
                    Role::Inspector,
                    Owner::Agency(police.id),
                ),
                (
                    ACCOUNTS[6].1,
                    "周检查",
                    Role::Inspector,
                    Owner::Agency(sh.id),
                ),
                (
                    ACCOUNTS[7].1,
                    "吴检查",
                    Role::Inspector,
                    Owner::Agency(sh.id),
                ),
                (
                    ACCOUNTS[8].1,
                    "郑检查",
                    Role::Inspector,
                    Owner::Agency(sh.id),
                ),
            ];
            for (email, name, role, owner) in plan {
                if identities::user_by_email(conn, owner.zone(), email)
                    .await?
                    .is_some()
                {
                    continue;
                }
                let new = accounts::prepare(email, name, DEMO_PASSWORD, role, owner)?;
                accounts::insert(conn, &actor, new).await?;
            }
            Ok::<_, anyhow::Error>(())
        }
        .scope_boxed()
    })
    .await?;
    Ok(ACCOUNTS
        .iter()
        .map(|(who, email, service)| Credential {
            who,
            email,
            service,
        })
        .collect())
}

/// The QA token `up --demo` gives the test-support API.
pub const QA_TOKEN: &str = "demo-qa-token-2026";

pub fn print(creds: &[Credential]) {
    println!("Demo accounts (password for all: {DEMO_PASSWORD}):");
    for c in creds {
        println!("  {:<9} {:<32} {}", c.service, c.email, c.who);
    }
    println!("QA token of the test-support API (header X-QA-Token): {QA_TOKEN}");
}
