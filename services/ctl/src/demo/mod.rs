//! The demo data set: an account for every role (a processor's admin and filer; reviewers,
//! supervisors, complaint handlers, inspectors and admins of the Shanghai and Beijing CAC
//! offices and the national CAC; public security and market regulation), and cases of every
//! type in every state (`cases`). Never in production.

use frt_access::accounts::{self, Owner};
use frt_access::Role;
use frt_domain::ids::Uscc;
use frt_settings::Settings;
use frt_store::audit::Actor;
use frt_store::identities::{self, NewOrganisation};
use frt_store::ScopedFutureExt;
use uuid::Uuid;

/// The demo accounts' shared password (demo mode only).
pub const DEMO_PASSWORD: &str = "demo-password-2026";

mod cases;

/// A demo account: who it is, its address, the service it signs in to, its role and where it
/// belongs.
pub struct Account {
    pub who: &'static str,
    pub email: &'static str,
    pub name: &'static str,
    pub role: Role,
    pub home: Home,
}

/// Where a demo account belongs.
#[derive(Clone, Copy)]
pub enum Home {
    /// The demo processor, 示例科技有限公司.
    Processor,
    /// An agency (kind, name, province).
    Agency(&'static str, &'static str, Option<&'static str>),
}

impl Account {
    pub fn service(&self) -> &'static str {
        match self.home {
            Home::Processor => "portal",
            Home::Agency(..) => "casework",
        }
    }
}

const SH_CAC: Home = Home::Agency("provincial_cac", "上海市网信办", Some("310000"));
const BJ_CAC: Home = Home::Agency("provincial_cac", "北京市网信办", Some("110000"));
const CAC: Home = Home::Agency("national_cac", "国家网信办", None);
const SH_POLICE: Home = Home::Agency("public_security", "上海市公安局", Some("310000"));
const SH_SAMR: Home = Home::Agency("other_department", "上海市市场监督管理局", Some("310000"));
/// The demo processor whose accounts sign in to the portal.
pub const DEMO_USCC: &str = "91310115MA1H7A5U3X";

/// An account for every role, each printed at start.
pub const ACCOUNTS: [Account; 17] = [
    Account {
        who: "processor admin, 示例科技有限公司 (Shanghai)",
        email: "admin@demo-processor.example",
        name: "张三",
        role: Role::OrgAdmin,
        home: Home::Processor,
    },
    Account {
        who: "filer, 示例科技有限公司",
        email: "filer@demo-processor.example",
        name: "李填报",
        role: Role::Filer,
        home: Home::Processor,
    },
    Account {
        who: "reviewer, Shanghai CAC office",
        email: "reviewer@sh.cac.example",
        name: "李审核",
        role: Role::Reviewer,
        home: SH_CAC,
    },
    Account {
        who: "supervisor, Shanghai CAC office",
        email: "supervisor@sh.cac.example",
        name: "王主管",
        role: Role::Supervisor,
        home: SH_CAC,
    },
    Account {
        who: "complaint handler, Shanghai CAC office",
        email: "handler@sh.cac.example",
        name: "陈办理",
        role: Role::ComplaintHandler,
        home: SH_CAC,
    },
    Account {
        who: "inspector, Shanghai CAC office",
        email: "inspector1@sh.cac.example",
        name: "周检查",
        role: Role::Inspector,
        home: SH_CAC,
    },
    Account {
        who: "inspector, Shanghai CAC office",
        email: "inspector2@sh.cac.example",
        name: "吴检查",
        role: Role::Inspector,
        home: SH_CAC,
    },
    Account {
        who: "inspector, Shanghai CAC office",
        email: "inspector3@sh.cac.example",
        name: "郑检查",
        role: Role::Inspector,
        home: SH_CAC,
    },
    Account {
        who: "admin (staff accounts), Shanghai CAC office",
        email: "admin@sh.cac.example",
        name: "冯管理",
        role: Role::Admin,
        home: SH_CAC,
    },
    Account {
        who: "reviewer, Beijing CAC office",
        email: "reviewer@bj.cac.example",
        name: "赵审核",
        role: Role::Reviewer,
        home: BJ_CAC,
    },
    Account {
        who: "complaint handler, Beijing CAC office",
        email: "handler@bj.cac.example",
        name: "褚办理",
        role: Role::ComplaintHandler,
        home: BJ_CAC,
    },
    Account {
        who: "reviewer, national CAC",
        email: "reviewer@cac.example",
        name: "钱审核",
        role: Role::Reviewer,
        home: CAC,
    },
    Account {
        who: "supervisor, national CAC",
        email: "supervisor@cac.example",
        name: "卫主管",
        role: Role::Supervisor,
        home: CAC,
    },
    Account {
        who: "admin (calendars, staff), national CAC",
        email: "admin@cac.example",
        name: "蒋管理",
        role: Role::Admin,
        home: CAC,
    },
    Account {
        who: "inspector, Shanghai public security",
        email: "inspector@sh.police.example",
        name: "孙警官",
        role: Role::Inspector,
        home: SH_POLICE,
    },
    Account {
        who: "supervisor, Shanghai public security",
        email: "supervisor@sh.police.example",
        name: "沈警官",
        role: Role::Supervisor,
        home: SH_POLICE,
    },
    Account {
        who: "inspector, Shanghai market regulation",
        email: "inspector@sh.samr.example",
        name: "韩监管",
        role: Role::Inspector,
        home: SH_SAMR,
    },
];

/// Loads the demo set: the accounts (existing ones are left as they are) and, once, cases of
/// every type in every state (`cases`).
pub async fn seed(settings: &Settings) -> anyhow::Result<&'static [Account]> {
    let db = frt_store::Db::new(&settings.owner_db_settings())?;
    let actor = Actor::system("frtctl demo seed");
    let uscc = Uscc::parse(DEMO_USCC)?;
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
            for a in &ACCOUNTS {
                let owner = match a.home {
                    Home::Processor => Owner::Organisation(org.id),
                    Home::Agency(kind, name, province) => Owner::Agency(
                        identities::ensure_agency(conn, kind, name, province)
                            .await?
                            .id,
                    ),
                };
                if identities::user_by_email(conn, owner.zone(), a.email)
                    .await?
                    .is_some()
                {
                    continue;
                }
                let new = accounts::prepare(a.email, a.name, DEMO_PASSWORD, a.role, owner)?;
                accounts::insert(conn, &actor, new).await?;
            }
            Ok::<_, anyhow::Error>(())
        }
        .scope_boxed()
    })
    .await?;
    cases::seed(settings).await?;
    Ok(&ACCOUNTS)
}

/// The QA token `up --demo` gives the test-support API.
pub const QA_TOKEN: &str = "demo-qa-token-2026";
/// The demo's metrics token (`GET /metrics` with `Authorization: Bearer …`).
pub const METRICS_TOKEN: &str = "demo-metrics-token-2026";

pub fn print(accounts: &[Account]) {
    println!("Demo accounts (password for all: {DEMO_PASSWORD}):");
    for a in accounts {
        println!("  {:<9} {:<32} {}", a.service(), a.email, a.who);
    }
    for (name, province, admin) in cases::processors() {
        let place = if province == "110000" {
            "Beijing"
        } else {
            "Shanghai"
        };
        println!(
            "  portal    {admin:<32} processor admin, {name} ({place}; its cases in the demo)"
        );
    }
    println!("QA token of the test-support API (header X-QA-Token): {QA_TOKEN}");
}
